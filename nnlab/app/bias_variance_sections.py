"""The sections of the "Train/dev/test & bias/variance" page below its picture that are not
the diagnosis: the learning and capacity curves (behind a checkbox: real runs) and the
lecture's quiz (:mod:`nnlab.app.bias_variance` computes the curves and says what they show)."""

from __future__ import annotations

import streamlit as st

from nnlab.app import bound
from nnlab.app.bias_variance import (
    CAPACITY_WIDTHS,
    LEARNING_CURVE_POINTS,
    capacity_curve_text,
    curves,
    learning_curve_text,
    pct,
)
from nnlab.app.charts import chart_spec
from nnlab.config import TrainConfig
from nnlab.lessons import fit_diagnosis as diagnosis
from nnlab.viz.diagnosis import error_curves_chart


def sweeps(config: TrainConfig, bayes_error: float, *, key: str = "tdt") -> dict | None:
    """Behind a checkbox: the learning curve and the capacity curve from real runs."""
    n_runs = LEARNING_CURVE_POINTS + len(CAPACITY_WIDTHS)
    if not bound.checkbox(f"Train the curves ({n_runs} networks, a few seconds)",
                       key=f"{key}_curves"):
        st.caption("Each point of the curves is a network trained with your settings.")
        return None
    out = curves(config)
    left, right = st.columns(2)
    with left:
        c = out["learning"]
        st.vega_lite_chart(chart_spec(error_curves_chart, c["x"], c["train_error"],
                                      c["dev_error"], bayes_error=bayes_error,
                                      title="Learning curve (same dev set)"), width="stretch")
        st.caption("Each point: the network trained on the first m training examples, "
                   "errors on the same dev set.")
        st.markdown(learning_curve_text(c, bayes_error))
    with right:
        c = out["capacity"]
        depth = max(1, len(config.hidden_units))
        st.vega_lite_chart(chart_spec(error_curves_chart, c["x"], c["train_error"],
                                      c["dev_error"], bayes_error=bayes_error, log_x=True,
                                      x_title=f"hidden units per layer ({depth} layer"
                                              f"{'s' if depth > 1 else ''})",
                                      title="Capacity curve"), width="stretch")
        st.caption("Each point: the network with every hidden layer that wide, on all the "
                   "training examples.")
        st.markdown(capacity_curve_text(c, bayes_error))
    return out


def lecture_quiz(*, key: str = "quiz") -> list[str | None]:
    """The lecture's four cases (Bayes error about 0): a radio each, with feedback."""
    answers = []
    cols = st.columns(2)
    for i, (train_err, dev_err, _) in enumerate(diagnosis.LECTURE_CASES):
        d = diagnosis.diagnose(train_err, dev_err, 0.0)
        with cols[i % 2].container(border=True):
            answer = bound.radio(
                f"Case {i + 1}: train error **{pct(train_err)}**, dev error **{pct(dev_err)}**",
                diagnosis.VERDICTS, index=None, key=f"{key}_{i}")
            answers.append(answer)
            why = (f"Avoidable bias {pct(d.avoidable_bias)} (train − Bayes), variance "
                   f"{pct(d.variance)} (dev − train).")
            if answer is None:
                st.caption("Pick an answer.")
            elif answer == d.verdict:
                st.success(f"Right: {d.verdict}. {why}", icon=":material/check:")
            else:
                st.error(f"Not quite: it is {d.verdict}. {why}", icon=":material/close:")
    return answers
