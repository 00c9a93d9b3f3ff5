"""Week 3: the same network in TensorFlow (autodiff) and in nnlab (hand-written backprop)."""

import streamlit as st

from nnlab.app import bound, controls, page_setup, train_cached
from nnlab.app import tensorflow_page as tfp
from nnlab.app.charts import accessible
from nnlab.app.explain import math_section
from nnlab.app.sections import sections
from nnlab.config import TrainConfig
from nnlab.spec import model
from nnlab.tf import bridge as tf_bridge
from nnlab.tf import keras_optimizers
from nnlab.viz import curves_chart

BASE = TrainConfig(dataset="moons", hidden_units=(10, 5), optimizer="adam", learning_rate=0.01,
                   mini_batch_size=64, num_epochs=50)
EPOCH_CHOICES = (5, 10, 20, 50, 100, 200, 300)

PAGE = page_setup(__file__)

st.markdown(
    "TensorFlow builds the cost as a graph of operations and differentiates it for you "
    "(**autodiff**); nnlab computes every $dW^{[l]}$ with the backprop formulas of course 1. "
    "If both are right, they take the same steps. Below, TensorFlow gets nnlab's initial "
    "parameters as `tf.Variable`s, nnlab's mini-batches in nnlab's order (through `tf.data`), "
    "and a Keras optimizer with the same hyperparameters, all in float64.")
picture = st.container()  # the two curves first; the knobs that make them come below them

with st.sidebar:
    st.header("Network")
    data_part = controls.dataset_controls("tf", defaults=BASE, noise=False, data_seed=False)
    arch = controls.architecture_controls("tf", defaults=BASE, max_layers=4, max_units=64)
    seed = controls.seed_control("tf", defaults=BASE)
left, middle = st.columns(2)
with left:
    opt = controls.optimizer_controls("tf", defaults=BASE, names=tf_bridge.SUPPORTED_OPTIMIZERS)
with middle:
    batch = controls.mini_batch_controls("tf", defaults=BASE)
    epochs = controls.epochs_control("tf", defaults=BASE, choices=EPOCH_CHOICES)
    exact = bound.toggle(
        "Match Keras's float details", value=True, key="tf_exact",
        help="On: Keras gets the learning rate as a float64 callable and β, β₁, β₂ as NumPy "
             "float64 scalars (it rounds Python floats to float32: 0.9 becomes 0.89999998), and "
             "Adam's ε is set at every step t to the course's ε·√(1−β₂ᵗ) (Keras's ε is 'ε "
             "hat'). Off: the optimizer exactly as a learner writes it.")

config = controls.make_config(data_part, arch, seed, opt, batch, epochs, base=BASE)
if config is None:
    st.stop()
try:
    tf_bridge.check_supported(config)
except ValueError as exc:
    st.error(f"The TensorFlow mirror can't reproduce this setting: {exc}.")
    st.stop()

picture.header("nnlab and TensorFlow, side by side")
ours_label = "nnlab (backprop)"
ours = train_cached(config, "nnlab " + controls.format_hidden_units(config.hidden_units),
                    page=PAGE.title)
with picture:
    if ours.status != "ok":
        st.warning(ours.message, icon=":material/warning:")
    parity = tfp.stored_run(config, exact)
    if not tfp.available():
        st.info(
            f"TensorFlow is not installed here, so only nnlab's curve is drawn. Install it with "
            f"`{tfp.INSTALL}` and reload the page to train the TensorFlow twin live; the code "
            "below runs on any machine that has it.", icon=":material/download:")
    elif st.button("Train with TensorFlow", type="primary", icon=":material/play_arrow:",
                   key="tf_run", help="Imports TensorFlow (a few seconds the first time) and "
                   "trains the same network for the same epochs."):
        parity = tfp.run_tensorflow(config, exact)
    if parity is None:
        st.vega_lite_chart(accessible(curves_chart({ours_label: (ours.history["epoch"],
                                                              ours.history["cost"])},
                                                   y_title="cost",
                                                   title="Training cost, per epoch")),
                           width="stretch")
        if tfp.available():
            st.caption("Press *Train with TensorFlow* to draw TensorFlow's curve over this one.")
    else:
        tfp.show_parity(parity, ours_label)


def code_tab() -> None:
    st.markdown(
        "The script the page runs, for the settings above: nnlab provides the data, the "
        "initial values and the mini-batch order; TensorFlow does the forward pass, the "
        "gradients and the updates. The second tab has the same network in Keras's "
        "high-level `Sequential` form.")
    tfp.code_section(config, exact)


MATH = math_section(
    [r"Z^{[l]} = W^{[l]} A^{[l-1]} + b^{[l]} \quad\text{(tf.linalg.matmul in the course's "
     r"(n, m) layout)}",
     r"\text{nnlab: } dZ^{[L]} = \tfrac{1}{m_b}(A^{[L]} - Y), \; "
     r"dW^{[l]} = dZ^{[l]} A^{[l-1]T}, \ldots \qquad \text{TensorFlow: tape.gradient}",
     r"\begin{aligned}\text{course: }& W \mathrel{-}= \alpha\,"
     r"\frac{v^{corr}}{\sqrt{s^{corr}} + \varepsilon} \\ "
     r"\text{Keras: }& W \mathrel{-}= \alpha\frac{\sqrt{1-\beta_2^t}}{1-\beta_1^t}\,"
     r"\frac{v}{\sqrt{s} + \hat\varepsilon}, \quad \hat\varepsilon = \varepsilon"
     r"\sqrt{1-\beta_2^t}\end{aligned}",
     r"\begin{aligned}\text{Keras SGD momentum: }& u = \beta u - \alpha' dW,\; "
     r"W \mathrel{+}= u \\ \equiv\;& v = \beta v + (1-\beta)dW,\; W \mathrel{-}= \alpha v "
     r"\text{ with } \alpha' = (1-\beta)\alpha\end{aligned}"],
    [tf_bridge.train_tf, keras_optimizers.keras_optimizer, tf_bridge.epoch_batches, model.backward],
    note="The course's TensorFlow notebook differentiates the *summed* mini-batch loss; here, as "
         "in nnlab and the NumPy assignments, each mini-batch's gradient is averaged over its "
         "own size, so one learning rate means the same step in both. Keras's RMSprop is left "
         "out: it adds ε *inside* the square root.")
sections("tf_section", {"TensorFlow code": code_tab}, math=MATH)
