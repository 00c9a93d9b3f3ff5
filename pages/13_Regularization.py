"""Week 1: regularization. No regularization vs L2 vs dropout vs both; weight sizes; fresh vs
fixed dropout masks; early stopping."""

import streamlit as st

from nnlab import course as assignment
from nnlab.app import bound, challenges, controls, live_comparison, page_setup
from nnlab.app import regularization as reg
from nnlab.app import regularization_sections as reg_sections
from nnlab.app.explain import math_section
from nnlab.app.sections import sections
from nnlab.core.train import make_dataset
from nnlab.lessons import dropout_replay as regularization
from nnlab.spec import layers, losses

page_setup(__file__)

with st.sidebar:
    st.header("Setup")
    data_part = controls.dataset_controls("d", defaults=reg.BASE, n_samples=True, noise=True)
    arch = controls.architecture_controls("a", defaults=reg.BASE)
    opt = controls.optimizer_controls("o", defaults=reg.BASE, names=("adam", "gd"),
                                      hyperparameters=False)
    epochs = controls.epochs_control("e", defaults=reg.BASE)
    seed = controls.seed_control("s", defaults=reg.BASE)
    course = bound.checkbox(
        "The assignment's setting (slow)", False, key="reg_course",
        help="Gradient descent, α = 0.3, 30,000 epochs, Xavier-style weights, as in the "
             "regularization assignment: about 15 s for the four runs the first time.")

left, right, shown = st.columns([2, 2, 1])
with left:
    l2_part = controls.regularization_controls(
        "r", defaults={"lambd": assignment.REGULARIZATION_LAMBD}, dropout=False)
with right:
    drop_part = controls.regularization_controls(
        "r", defaults={"keep_prob": assignment.REGULARIZATION_KEEP_PROB}, l2=False)
with shown:
    points = bound.segmented_control("Points drawn", ["train", "dev"], default="train",
                                     key="reg_points",
                                     help="The points drawn over the boundaries below.") or "train"

changes = assignment.REGULARIZATION_SETTINGS if course else {}
base = controls.make_config(data_part, arch, opt, epochs, seed, base=reg.BASE, **changes)
if base is None:
    st.stop()
if course:
    st.info("The assignment's setting overrides the optimizer, learning rate, epochs and "
            "initialization chosen in the sidebar.", icon=":material/school:")
data = make_dataset(base)
lambd, keep_prob = l2_part["lambd"], drop_part["keep_prob"]
if lambd == 0 or keep_prob == 1:
    st.info("With λ = 0 or keep_prob = 1 a regularized variant is the same as no "
            "regularization: move the sliders above.", icon=":material/info:")

results = live_comparison(reg.variants(base, lambd, keep_prob), data, key=reg.LIVE_KEY,
                          points=points, verdict=reg.verdict)
st.markdown("\"none\": no regularization; \"keep_prob\": dropout only. Look at the "
            "\"none\" boundary: does it bend around single training points of the other "
            "colour? Show the dev points: are those bends mistakes there? Which boundaries "
            "are smoother?")

MATH = math_section(
    [r"\begin{aligned}J_{\text{regularized}} = &-\frac{1}{m}\sum_{i=1}^{m}\Big(y^{(i)}"
     r"\log a^{[L](i)} + (1-y^{(i)})\log\big(1-a^{[L](i)}\big)\Big) \\ "
     r"&+ \frac{\lambda}{2m}\sum_{l=1}^{L}\lVert W^{[l]}\rVert_F^2\end{aligned}",
     r"dW^{[l]} = (\text{from backprop}) + \frac{\lambda}{m}W^{[l]}",
     r"D^{[l]} = (\text{rand}(n^{[l]}, m) < \text{keep\_prob})",
     r"A^{[l]} = \frac{A^{[l]} \odot D^{[l]}}{\text{keep\_prob}},\quad "
     r"dA^{[l]} = \frac{dA^{[l]} \odot D^{[l]}}{\text{keep\_prob}}"],
    [losses.l2_penalty, layers.dropout_mask, layers.dropout_forward, layers.dropout_backward,
     regularization.dropout_masks],
    note="Inverted dropout divides by keep_prob so that the expected value of each activation "
         "is unchanged; at test time nothing is dropped or rescaled. The training loop "
         "(`nnlab.core.train.train`) re-creates the mask generator before every step when "
         "`dropout_mask=\"fixed\"`.")
sections("reg_section", {
    "Train vs dev": lambda: reg.gap_section(results),
    "Weights": lambda: reg.weights_section(results),
    "Dropout masks": lambda: reg_sections.masks_tab(results, data),
    "Early stopping": lambda: reg_sections.early_stopping_tab(results, data),
}, math=MATH)
challenges.topic_link(__file__)
