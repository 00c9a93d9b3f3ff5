"""Week 3: softmax regression draws K decision regions; hidden layers bend their borders."""

import streamlit as st

from nnlab.app import challenges, controls, live_comparison, page_setup
from nnlab.app import softmax_page as sm
from nnlab.app.explain import math_section
from nnlab.app.sections import sections
from nnlab.config import TrainConfig
from nnlab.core.train import make_dataset
from nnlab.spec import activations, losses, model

BASE = TrainConfig(dataset="spiral", n_classes=3, hidden_units=(20, 10), optimizer="adam",
                   learning_rate=0.01, num_epochs=1000)
EPOCH_CHOICES = (100, 300, 1000, 2000, 3000)

page_setup(__file__)

with st.sidebar:
    st.header("Data")
    data_part = controls.dataset_controls("sm", defaults=BASE, names=("spiral", "blobs"),
                                          n_samples=False)
    st.header("Training (both networks)")
    opt = controls.optimizer_controls("sm", defaults=BASE, hyperparameters=False)
    epochs = controls.epochs_control("sm", defaults=BASE, choices=EPOCH_CHOICES)
    seed = controls.seed_control("sm", defaults=BASE)

arch = controls.architecture_controls("sm", defaults=BASE, activation=False, max_layers=3,
                                      max_units=64)
linear = controls.make_config(data_part, opt, epochs, seed, base=BASE, hidden_units=())
deep = controls.make_config(data_part, opt, epochs, seed, arch, base=BASE)
if linear is None or deep is None:
    st.stop()
data = make_dataset(deep)
hidden = controls.format_hidden_units(deep.hidden_units) or "none"
# short labels: the live cost chart's legend has two narrow columns
variants = [(sm.LINEAR_PREFIX, linear),
            (f"hidden layers {hidden}", deep)]
if not deep.hidden_units:
    st.info("Type hidden layer sizes above (e.g. 20,10) to see the borders bend.")
st.header(f"{data.n_classes} classes: where does each network draw them?")
# a log cost axis: one spike of a large α (to 400 at α = 3) flattened both curves on a linear one
variants = live_comparison(variants, data, key="sm_live", log_cost=True,
                           verdict=lambda results: sm.live_verdict(results, data))
# The line under the title says it: straight borders without a hidden layer, bent ones with
# hidden layers; why they are straight is in the math section.


# ------------------------------------------------------------------------------ the sections
def point_section() -> None:
    st.markdown(
        "Move the point (the black cross). Each network outputs C probabilities that add up to "
        "1; the predicted class is the largest one, and the region colours show that class "
        "everywhere. Near a border two probabilities are about equal.")
    left, right = st.columns([1, 3])
    with left:
        point = sm.point_controls(data)
    with right:
        sm.point_section(variants, data, point)


def worked_example_section() -> None:
    st.markdown(
        "The output layer's linear part gives $z^{[L]}$; the softmax exponentiates, "
        "$t = e^{z^{[L]}}$, and normalises, $a^{[L]} = t / \\sum_j t_j$. The lecture's "
        "$z^{[L]} = [5, 2, -1, 3]$ gives $a^{[L]} = [0.842, 0.042, 0.002, 0.114]$. Try your "
        "own.")
    sm.worked_example()


def confusion_section() -> None:
    st.markdown(
        "Which classes get confused, on the dev set: rows are the true classes, columns the "
        "predicted ones. The diagonal is right, every other cell counts the examples of one "
        "class taken for another.")
    sm.confusion_section(variants, data)


MATH = math_section(
    [r"z^{[L]} = W^{[L]} a^{[L-1]} + b^{[L]}, \qquad t = e^{z^{[L]}}, \qquad "
     r"a^{[L]}_i = \frac{t_i}{\sum_{j=1}^{C} t_j}",
     r"\mathcal{L}(a, y) = -\sum_{j=1}^{C} y_j \log a_j, \qquad "
     r"J = \frac{1}{m}\sum_{i=1}^{m} \mathcal{L}(a^{(i)}, y^{(i)})",
     r"dZ^{[L]} = \frac{1}{m}\,(A^{[L]} - Y) \qquad (Y \text{ one-hot}, (C, m))",
     r"\text{no hidden layer: } z_i = z_j \iff (w_i - w_j)\, x + (b_i - b_j) = 0"],
    [activations.softmax, losses.softmax_cross_entropy_from_logits_sum, model.predict],
    note="Both networks end in a softmax layer with one unit per class. Without a hidden "
         "layer (*softmax regression*, the C-class logistic regression) $z = W x + b$ is "
         "linear in $x$, so the border between two classes $i$ and $j$, where their $z$'s are "
         "equal (the last line, $w_i$ the row $i$ of $W$), is a straight line; hidden layers "
         "bend it. The softmax subtracts each column's largest z before exponentiating: the "
         "result is the same (the factor $e^{-\\max z}$ cancels in $t / \\sum t$) and $e^z$ "
         "can't overflow. "
         "The cost is computed from the logits with the same shift (log-sum-exp).")
sections("sm_section", {"One point": point_section, "Worked example": worked_example_section,
                        "Confusion matrix": confusion_section}, math=MATH)
challenges.topic_link(__file__)
