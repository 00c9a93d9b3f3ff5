"""Glue of the "Train/dev/test & bias/variance" page: split controls, the diagnosis, the
learning and capacity curves (cached sweeps) and what they show (the sections that draw the
curves and the lecture's quiz: :mod:`nnlab.app.bias_variance_sections`)."""

from __future__ import annotations

import numpy as np
import streamlit as st

from nnlab import viz
from nnlab.app import bound
from nnlab.app.bound import BIND
from nnlab.app.charts import chart_spec
from nnlab.app.compare import boundary_panels
from nnlab.app.live import mode_key
from nnlab.app.runs import Work, cached_work
from nnlab.config import TrainConfig
from nnlab.lessons import claims
from nnlab.lessons import fit_diagnosis as diagnosis
from nnlab.viz.diagnosis import error_curves_chart, error_ladder_chart

#: Hidden-layer widths of the capacity curve.
CAPACITY_WIDTHS = (1, 2, 4, 8, 16, 32, 64)
#: Points of the learning curve.
LEARNING_CURVE_POINTS = 7
DEFAULT_TRAIN_PERCENT = 60
DEFAULT_DEV_PERCENT = 20


def pct(x: float) -> str:
    return "–" if x is None or not np.isfinite(x) else f"{100 * x:.3g}%"


def _points(gap: float, what: str) -> str:
    """A gap in percentage points, said the way it points: "8.9 points above the training
    error", "1.2 points below it"."""
    side = "above" if gap >= 0 else "below"
    return f"{100 * abs(gap):.3g} points {side} {what}"


def so_far(result) -> str:
    """"So far (epoch e of n): " for a run still going, "" for one that has ended."""
    if result.status != "running":
        return ""
    return f"So far (epoch {result.epochs_run} of {result.config.num_epochs}): "


def is_playing(key: str) -> bool:
    """Whether the live view ``key``'s Play / Pause switch is on Play."""
    from types import SimpleNamespace

    return st.session_state.get(mode_key(SimpleNamespace(key=key))) == "Play"


# ------------------------------------------------------------------------------ controls


def split_controls(key: str, *, bind: str | None = BIND) -> tuple[float, float, float]:
    """Train and dev percentages (test is the rest); returns ``fractions`` for the config.

    A split that leaves no dev set, or more than 100 %, shows ``st.error`` and falls back to
    60/20/20.
    """
    train = bound.slider("Train %", 10, 90, DEFAULT_TRAIN_PERCENT, step=5, key=f"{key}_train_pct",
                      bind=bind, help="Share of the examples the network learns from.")
    dev = bound.slider("Dev %", 5, 50, DEFAULT_DEV_PERCENT, step=5, key=f"{key}_dev_pct", bind=bind,
                    help="Share used to compare models and diagnose variance. The test set "
                         "gets the rest.")
    if train + dev > 100:
        st.error(f"Train {train}% + dev {dev}% is more than 100%. Using 60/20/20.")
        train, dev = DEFAULT_TRAIN_PERCENT, DEFAULT_DEV_PERCENT
    test = 100 - train - dev
    st.caption(f"Split: train {train}% · dev {dev}% · test {test}%")
    return (train / 100, dev / 100, test / 100)


def bayes_control(key: str, *, bind: str | None = BIND) -> float:
    """Bayes (human-level) error in percent; returns a fraction."""
    value = bound.number_input(
        "Bayes / human-level error (%)", 0.0, 50.0, 0.0, step=0.5, format="%g",
        key=f"{key}_bayes", bind=bind,
        help="The lowest error any classifier could reach on this data (human-level error is "
             "the usual proxy). With noisy, overlapping classes it is above 0.")
    return float(value) / 100


# ------------------------------------------------------------------------------ diagnosis


def diagnosis_sentence(result, bayes_error: float) -> str:
    """The run's diagnosis in one sentence, computed from its errors as shown (the verdict
    under the live picture: :mod:`nnlab.app.live_panel` puts "So far" before it while the run
    is going)."""
    m = result.metrics
    e_train, e_dev = 1.0 - m["train_accuracy"], 1.0 - m["dev_accuracy"]
    ended = (f" The run {claims.ended(result)}: these are its last finite parameters' errors."
             if result.status in ("diverged", "stopped") else "")
    if not np.isfinite(e_train):
        return ""
    if not np.isfinite(e_dev):
        return f"Train error {pct(e_train)}; no dev set, so no diagnosis.{ended}"
    d = diagnosis.diagnose(e_train, e_dev, bayes_error)
    text = (f"Train error {pct(e_train)}, dev error {pct(e_dev)}: avoidable bias "
            f"{pct(d.avoidable_bias)}, variance {pct(d.variance)}, so **{d.verdict}**")
    text += f"; the larger gap is the {d.focus}." if d.focus else "."
    return text + ended


def verdict(bayes_error: float):
    """The ``verdict`` of the page's live view: ``results -> Markdown`` (one run)."""
    return lambda results: diagnosis_sentence(results[0][1], bayes_error)


def diagnosis_section(result, data, bayes_error: float, *, key: str) -> None:
    """The errors, the ladder, the diagnosis and the fit of ``result`` (the live view
    ``key``'s run as shown). While that view plays, this part of the page would be a frame
    behind the picture: it says so and waits for the run to end (or a pause)."""
    if result.status == "running" and is_playing(key):
        st.info("Training: the sentence under the picture follows the run. The errors, the "
                "diagnosis with the course's remedies and the fit appear here when it ends, or "
                "for the epoch reached when you pause.", icon=":material/hourglass_top:")
        return
    errors_and_diagnosis(result, bayes_error)
    fit_view(result, data)


def errors_and_diagnosis(result, bayes_error: float) -> diagnosis.Diagnosis | None:
    """The three error metrics, the error ladder and the verdict with the course's remedies."""
    m = result.metrics
    errors = {part: 1.0 - m[f"{part}_accuracy"] for part in ("train", "dev", "test")}
    cols = st.columns(4)
    cols[0].metric("Bayes error", pct(bayes_error))
    cols[1].metric("Train error", pct(errors["train"]))
    cols[2].metric("Dev error", pct(errors["dev"]),
                   delta=f"{100 * (errors['dev'] - errors['train']):+.3g} pts vs train",
                   delta_color="inverse")
    cols[3].metric("Test error", pct(errors["test"]),
                   help="Looked at once, at the end: an unbiased estimate for the model you "
                        "picked with the dev set. Don't tune on it.")
    if not np.isfinite(errors["dev"]):
        st.info("No dev set: the diagnosis needs a dev error.")
        return None
    d = diagnosis.diagnose(errors["train"], errors["dev"], bayes_error)
    st.vega_lite_chart(chart_spec(error_ladder_chart, bayes_error, errors["train"],
                                  errors["dev"]), width="stretch")
    text = (f"**{so_far(result)}Diagnosis: {d.verdict}.** Avoidable bias = train − Bayes = "
            f"{pct(d.avoidable_bias)}; variance = dev − train = {pct(d.variance)} "
            f"(a gap of {pct(diagnosis.DEFAULT_THRESHOLD)} or more counts as high).")
    if d.variance < 0:
        text += (" The dev error is below the training error: with a small dev set that is "
                 "chance, not a better model.")
    if d.focus is None:
        st.success(text + " Both gaps are below the threshold: neither bias nor variance is "
                   "high.", icon=":material/check_circle:")
        return d
    st.warning(text + f" Work on the **{d.focus}** first (the larger gap).",
               icon=":material/troubleshoot:")
    blocks = []
    if d.high_bias:
        blocks.append("**High bias** (doesn't even fit the training set). Try:\n" + "\n".join(
            f"- {r}" for r in diagnosis.BIAS_REMEDIES))
    if d.high_variance:
        blocks.append("**High variance** (fits train, not dev). Try:\n" + "\n".join(
            f"- {r}" for r in diagnosis.VARIANCE_REMEDIES))
    for column, block in zip(st.columns(len(blocks)), blocks, strict=True):
        column.markdown(block)
    return d


def fit_view(result, data) -> None:
    """The boundary over the training points and over the dev points, and the train/dev error
    during training."""
    if result.status == "diverged":
        st.warning(result.message, icon=":material/warning:")
    if data.n_x == 2:
        panels = boundary_panels([("over the training set", result)], data, points="train")
        if data.m_dev:
            panels += boundary_panels([("over the dev set", result)], data, points="dev")
        with st.container(horizontal=True, wrap=False):  # scrolls in its box on a phone
            st.vega_lite_chart(chart_spec(viz.decision_boundary_chart, panels,
                                          columns=len(panels), height=260))
    left, right = st.columns(2)
    with right:
        st.caption("Above: the same network's prediction (background) under the training "
                   "points and under the dev points. A boundary that bends around single "
                   "training points but misses dev points is high variance; one too simple "
                   "to follow the classes is high bias.")
    with left:
        h = result.history
        keep = np.isfinite(h["train_accuracy"]) & np.isfinite(h["dev_accuracy"])
        if keep.any():
            st.vega_lite_chart(chart_spec(
                error_curves_chart,
                h["epoch"][keep], 1 - h["train_accuracy"][keep], 1 - h["dev_accuracy"][keep],
                x_title="epoch", title="Error during training", points=False),
                width="stretch")


# ------------------------------------------------------------------------------ sweeps


def curves_estimate(config: TrainConfig) -> float:
    """Estimated seconds of the whole sweep of :func:`curves` (both curves' runs)."""
    from nnlab.core.budget import estimate_seconds
    from nnlab.core.train import make_dataset

    data = make_dataset(config)
    sizes = diagnosis.learning_curve_sizes(data.m_train, LEARNING_CURVE_POINTS)
    return (sum(estimate_seconds(config, m, data.n_x) for m in sizes)
            + sum(estimate_seconds(c, data.m_train, data.n_x)
                  for c in diagnosis.capacity_configs(config, CAPACITY_WIDTHS)))


@cached_work(what="The curves")
def curves(work: Work, config: TrainConfig) -> dict:
    """The learning curve and the capacity curve of ``config`` (one progress bar); the whole
    sweep's estimate is required before its first run."""
    from nnlab.core.train import make_dataset

    data = make_dataset(config)
    sizes = diagnosis.learning_curve_sizes(data.m_train, LEARNING_CURVE_POINTS)
    total = len(sizes) + len(CAPACITY_WIDTHS)
    work.require(curves_estimate(config), f"These {total} runs")

    def part(offset, what):
        return lambda i, n: work.part(offset + min(i, n - 1), total, f"{what}: run "
                                      f"{min(i + 1, n)} of {n}")

    learning = diagnosis.learning_curve(config, sizes, data=data,
                                        progress=part(0, "Learning curve"),
                                        on_epoch=work.on_epoch, budget=work.budget)
    capacity = diagnosis.capacity_curve(config, CAPACITY_WIDTHS, data=data,
                                        progress=part(len(sizes), "Capacity curve"),
                                        on_epoch=work.on_epoch, budget=work.budget)
    return {"learning": learning, "capacity": capacity}


def _finite_points(curve: dict):
    x = np.asarray(curve["x"])
    tr = np.asarray(curve["train_error"], dtype=float)
    dv = np.asarray(curve["dev_error"], dtype=float)
    keep = np.isfinite(tr) & np.isfinite(dv)
    return x[keep], tr[keep], dv[keep]


def _missing(curve: dict) -> str:
    n = int(np.sum(~(np.isfinite(np.asarray(curve["train_error"], dtype=float))
                     & np.isfinite(np.asarray(curve["dev_error"], dtype=float)))))
    return f" {n} of its runs did not train (budget spent): they are not drawn." if n else ""


def learning_curve_text(curve: dict, bayes_error: float,
                        threshold: float = diagnosis.DEFAULT_THRESHOLD) -> str:
    """What the learning curve shows, from its points: the gap at the smallest and at the
    largest training set, whether it closes, and the avoidable bias left at the largest."""
    x, tr, dv = _finite_points(curve)
    if len(x) < 2:
        return "Too few runs of the learning curve trained to compare its ends." + _missing(
            curve)
    gap0, gap1 = dv[0] - tr[0], dv[-1] - tr[-1]
    text = (f"With m = {x[0]} the dev error is {pct(dv[0])}, "
            f"{_points(gap0, 'the training error')}; with m = {x[-1]} it is {pct(dv[-1])}, "
            f"{_points(gap1, 'it')}.")
    if gap0 - gap1 >= threshold and gap1 >= threshold:
        text += " The gap narrows as m grows but is still open: more data helps here."
    elif gap0 - gap1 >= threshold:
        text += " The gap closes as m grows: more data helps here."
    elif gap1 >= threshold:
        text += (" The gap barely narrows over these sizes: more data alone, this much of "
                 "it, won't close it; try regularization.")
    else:
        text += " The gap is small at every size: variance is not the problem here."
    bias = tr[-1] - bayes_error
    if bias >= threshold:
        text += (f" The training error at m = {x[-1]} is {_points(bias, 'the Bayes error')}: "
                 "avoidable bias, which more data does not fix.")
    return text + _missing(curve)


def capacity_curve_text(curve: dict, bayes_error: float,
                        threshold: float = diagnosis.DEFAULT_THRESHOLD) -> str:
    """What the capacity curve shows, from its points: the training error of the narrowest
    and the widest network, where the dev error is lowest, and whether wider overfits."""
    x, tr, dv = _finite_points(curve)
    if len(x) < 2:
        return "Too few runs of the capacity curve trained to compare widths." + _missing(curve)

    def units(w):
        return f"{w} unit{'s' if w != 1 else ''}"

    text = (f"Training error {pct(tr[0])} with {units(x[0])}, {pct(tr[-1])} with "
            f"{units(x[-1])}")
    if tr[0] - tr[-1] >= threshold:
        text += ": the wider networks fit the training set better"
    elif tr[-1] - tr[0] >= threshold:
        text += ": here the widest network fits the training set worse than the narrowest"
    else:
        text += ": width barely changes the training error here"
    if tr[0] - bayes_error >= threshold:
        text += (f"; with {units(x[0])} it is {_points(tr[0] - bayes_error, 'the Bayes error')}"
                 " (high bias)")
    best = int(np.argmin(dv))
    text += f". The dev error is lowest with {units(x[best])} ({pct(dv[best])})"
    if best < len(x) - 1 and dv[-1] - dv[best] >= threshold:
        text += (f"; with {units(x[-1])} it is {pct(dv[-1])}: past {x[best]} the extra "
                 "capacity overfits")
    return text + "." + _missing(curve)
