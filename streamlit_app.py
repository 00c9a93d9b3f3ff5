"""nnlab home page: what nnlab is, the course map, how to read the pictures.

Run with ``streamlit run streamlit_app.py``. Every page in ``pages/`` calls
``nnlab.app.page_setup`` first, which draws the same grouped menu as this page.
"""

import streamlit as st

from nnlab.app.pages import link, page_setup, pages_by_group

page_setup(__file__)

st.markdown(
    """
nnlab follows **"Improving Deep Neural Networks: Hyperparameter tuning, Regularization and
Optimization"** topic by topic. Most pages train two to four small networks that differ in one
thing (the initialization, λ, the optimizer, the mini-batch size, ...) on the same 2-D data,
and shows them next to each other: decision boundaries, cost curves and a table of train, dev
and test accuracy. Below every picture, *The math and the code* shows the formula from the
lecture and the exact nnlab source that produced it.
"""
)

st.header("The course, week by week")
groups = list(pages_by_group().items())
if groups:
    # Two groups per row: four narrow columns would cut the longer page titles.
    for row in range(0, len(groups), 2):
        for column, (group, members) in zip(st.columns(2), groups[row:row + 2], strict=False):
            with column:
                st.subheader(group, divider="gray")
                for page in members:
                    link(page)
else:
    st.info("The topic pages are being written: they will appear here and in the menu.")

st.header("How to read the pictures")
left, right = st.columns(2)
with left:
    st.markdown(
        """
**Points** are examples, coloured by their true class:
:red[**red is class 0**], :blue[**blue is class 1**] (more classes get more colours).

**The background** is what the network predicts at every point of the plane: the probability
of class 1, from red (sure it is 0) through white (undecided) to blue (sure it is 1). The
**decision boundary** is where the colour turns from red to blue, the line where the
probability crosses 0.5. A smooth boundary that follows the data generalizes; a boundary that
wraps around single points overfits.
"""
    )
with right:
    st.markdown(
        """
**Cost curves** show the training cost after every epoch, one line per variant: lower is
better, a curve that wiggles comes from noisy mini-batch steps, and a curve that stops early
*diverged* (the cost became NaN; the page says so). Click a legend entry to highlight a line.

**Dev accuracy** is measured on examples the network never trained on. A big gap between train
and dev accuracy is **variance** (overfitting); low accuracy on both is **bias**
(underfitting).
"""
    )

st.header("What makes nnlab different")
left, right = st.columns(2)
with left:
    st.markdown(
        """
**Every picture is a real NumPy run you can inspect.** No animation is faked: each panel is a
network trained by `nnlab.core.train.train` in float64 NumPy, written in the course's notation
(`parameters["W1"]`, `grads["dW1"]`, `lambd`, `keep_prob`, `beta1`, ...). Open *The math and
the code* on any page to read the function that produced it.
"""
    )
with right:
    st.markdown(
        """
**Runs are kept so you can compare them.** Every run you make in this session is recorded.
The *Compare runs* page lists them all, overlays any of them, and downloads their histories
(CSV) and configs (JSON), so a run made on one page can be compared with a run from another.
"""
    )

st.header("Use it from a notebook")
st.code(
    """from nnlab.config import TrainConfig
from nnlab.core.train import train

config = TrainConfig(dataset="moons", hidden_units=(10, 5), optimizer="adam",
                     learning_rate=0.01, mini_batch_size=64, num_epochs=300)
result = train(config)
print(result.status, result.message)
print(result.metrics["dev_accuracy"], result.history["cost"][-1])
labels = result.predict(X)            # X has shape (2, m): examples are columns
""",
    language="python",
)
st.caption("The same config always gives the same run, bit for bit: the seed is part of it.")
