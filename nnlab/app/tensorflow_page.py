"""Streamlit glue of the TensorFlow page: the cached TensorFlow run and the page's sections.

TensorFlow is imported only when a learner asks for the live run (``run_tensorflow``), inside
:func:`nnlab.tf.bridge.train_tf`: the page's first render never waits for it.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from nnlab import viz
from nnlab.app.charts import chart_spec
from nnlab.app.runs import Work, cached_work
from nnlab.config import TrainConfig
from nnlab.core.budget import estimate_seconds, expected_train_size
from nnlab.tf import bridge as tf_bridge
from nnlab.tf import code as tf_code
from nnlab.tf import parity as tf_parity

#: Session-state key of the TensorFlow runs of this session: {(config, exact): Parity}.
RUNS_KEY = "tf_page_runs"
INSTALL = "pip install tensorflow-cpu"


def available() -> bool:
    """Whether TensorFlow is installed (no import: ``tf_bridge.tensorflow_available``)."""
    return tf_bridge.tensorflow_available()


#: Seconds of TensorFlow's run: per epoch (the cost, the callbacks) and per mini-batch step.
#: Measured on the 2-core development machine, 2026-12-04 (TensorFlow 2, CPU, eager steps of
#: a [2, 16, 16, 1] network): 36-48 ms an epoch at full batch, 1.2-1.7 ms a step at batch 1-8.
TF_EPOCH_SECONDS, TF_STEP_SECONDS = 0.04, 1.5e-3


def tf_seconds(config: TrainConfig, m_train: int) -> float:
    """The estimated seconds of TensorFlow's run of ``config`` (see :data:`TF_STEP_SECONDS`)."""
    batch = config.mini_batch_size or m_train
    steps = config.num_epochs * -(-m_train // max(1, batch))
    return config.num_epochs * TF_EPOCH_SECONDS + steps * TF_STEP_SECONDS


@cached_work(max_entries=32)
def _compare_cached(work: Work, config: TrainConfig, exact: bool) -> tf_parity.Parity:
    """nnlab and TensorFlow on ``config``, with a progress bar, within the click's budget:
    both runs' estimates are required first; nnlab's run charges its epochs, TensorFlow's run
    charges its estimate epoch by epoch and is stopped when the budget is spent."""
    m = expected_train_size(config)
    theirs = tf_seconds(config, m)
    work.require(estimate_seconds(config, m) + theirs, "Training with nnlab and TensorFlow")
    work.part(0, 1, "TensorFlow")
    per_epoch = theirs / max(1, config.num_epochs)

    def on_epoch(epoch: int, total: int, cost: float) -> bool:
        if work.budget.charge(per_epoch):
            return True
        return work.on_epoch({"epoch": epoch, "num_epochs": total, "cost": float(cost)})

    return tf_parity.compare(config, on_epoch=on_epoch, exact=exact, budget=work.budget)


def run_tensorflow(config: TrainConfig, exact: bool) -> tf_parity.Parity:
    """Run (or fetch) the comparison and remember it for this session's reruns."""
    parity = _compare_cached(config, exact)
    st.session_state.setdefault(RUNS_KEY, {})[(config, exact)] = parity
    return parity


def stored_run(config: TrainConfig, exact: bool) -> tf_parity.Parity | None:
    """The comparison of this config made earlier in the session, or None."""
    return st.session_state.get(RUNS_KEY, {}).get((config, exact))


def difference_series(parity: tf_parity.Parity) -> dict:
    """``{label: (epochs, |nnlab - TF|)}`` of the costs, for a log-scale chart."""
    n = min(len(parity.nnlab_cost), len(parity.tf_cost))
    diff = np.abs(parity.nnlab_cost[:n] - parity.tf_cost[:n])
    return {"|nnlab − TensorFlow|": (np.arange(n), diff)}


def show_parity(parity: tf_parity.Parity, nnlab_label: str) -> None:
    """Overlaid cost curves, the differences, and the numbers that say how close they are."""
    steps = parity.tf.steps
    a, b, c, d = st.columns(4)
    a.metric("Largest cost difference", f"{parity.max_cost_diff:.2e}")
    b.metric("Largest parameter difference", f"{parity.max_param_diff:.2e}")
    c.metric("Gradient steps", f"{steps}")
    d.metric("Seconds: nnlab / TensorFlow",
             f"{parity.nnlab.seconds:.2f} / {parity.tf.seconds:.2f}")
    what = "costs and parameters" if parity.exact else "costs"
    if parity.agree:
        st.success(f"Same cost curve: nnlab and TensorFlow {parity.tf.version} agree within "
                   f"{parity.tolerance:g} ({what}) after {steps} steps.",
                   icon=":material/check_circle:")
    else:
        st.warning(f"nnlab and TensorFlow differ by more than {parity.tolerance:g} after "
                   f"{steps} steps.", icon=":material/warning:")
    if not parity.exact:
        st.info(
            f"Not to the last digit: the costs differ by up to {parity.max_cost_diff:.2e} and "
            f"the parameters by up to {parity.max_param_diff:.2e}. That is Keras as written: it "
            "rounds the hyperparameters to float32, and Adam's ε is \"epsilon hat\", which "
            "matters most for parameters whose gradient is almost 0. Switch on *Match Keras's "
            "float details* to remove both.", icon=":material/info:")
    left, right = st.columns(2)
    n_ours, n_tf = len(parity.nnlab_cost), len(parity.tf_cost)
    with left:
        st.vega_lite_chart(chart_spec(
            viz.curves_chart,
            {nnlab_label: (np.arange(n_ours), parity.nnlab_cost),
             "TensorFlow (autodiff)": (np.arange(n_tf), parity.tf_cost)},
            y_title="cost", title="Training cost, per epoch"), width="stretch")
        st.caption("Two curves are drawn; they lie on top of each other.")
    with right:
        st.vega_lite_chart(chart_spec(viz.curves_chart, difference_series(parity),
                                      y_title="|difference|", log_y=True,
                                      title="Cost difference, per epoch"), width="stretch")
        st.caption("Logarithmic axis; an exact 0 can't be drawn on it and is left out. About "
                   "1e-16 is float64 round-off.")
    st.vega_lite_chart(chart_spec(
        viz.parameter_bars_chart, parity.param_diff,
        thresholds={f"tolerance {tf_parity.PARITY_TOLERANCE:g}": tf_parity.PARITY_TOLERANCE},
        title="Largest |nnlab − TensorFlow| of each parameter after training",
        y_title="largest |difference|"),
        width="stretch")


def code_section(config: TrainConfig, exact: bool) -> None:
    """The TensorFlow code of ``config``: low level (what ran) and Keras Sequential."""
    low, seq = st.tabs(["TensorFlow, the course's way (what runs here)", "Keras Sequential"])
    with low:
        source = tf_code.tensorflow_code(config, exact=exact)
        st.download_button("Download the script", source, file_name="nnlab_tensorflow.py",
                           mime="text/x-python", on_click="ignore", icon=":material/download:",
                           key="tf_download_low")
        st.code(source, language="python")
    with seq:
        source = tf_code.keras_sequential_code(config)
        st.caption("The same network in a few lines. Keras shuffles with its own generator, so "
                   "its curve is close to nnlab's but not equal to it.")
        st.download_button("Download the script", source, file_name="nnlab_keras.py",
                           mime="text/x-python", on_click="ignore", icon=":material/download:",
                           key="tf_download_keras")
        st.code(source, language="python")
