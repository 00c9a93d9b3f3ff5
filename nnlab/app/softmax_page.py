"""Streamlit glue of the softmax page: the worked example, one point's probabilities, and the
confusion matrix. The softmax itself is always ``nnlab.spec.activations.softmax``."""

from __future__ import annotations

import math

import numpy as np
import streamlit as st

from nnlab.app import bound
from nnlab.app.charts import chart_spec
from nnlab.app.compare import all_points, boundary_panels, bounding_box
from nnlab.app.widgets import user_text
from nnlab.core.train import TrainResult
from nnlab.lessons import claims
from nnlab.spec import activations
from nnlab.viz.bars import confusion_matrix_chart
from nnlab.viz.softmax import (
    class_colour_names,
    class_probability_chart,
    regions_with_point_chart,
)

#: The lecture's worked example (course 2, week 3, "Softmax regression").
WORKED_Z = (5.0, 2.0, -1.0, 3.0)
#: Its published answer, rounded to 3 decimals.
WORKED_A = (0.842, 0.042, 0.002, 0.114)
MAX_LOGITS = 10
#: |z| above this would make e^z overflow the table's display (softmax itself is safe).
MAX_ABS_Z = 50.0
#: The logits box takes at most this many characters (a link can bring more: refused).
MAX_LOGITS_CHARS = 200
#: Points per axis of the grid on which the regions are counted.
REGION_GRID = 60
#: Label prefix of the variant without a hidden layer.
LINEAR_PREFIX = "no hidden layer"


def class_name(k: int, n_classes: int) -> str:
    """``"class 0 (blue)"``: the class and its colour, the one it has on every chart of the
    app (``nnlab.viz.softmax.class_colour_names``: two classes are red and blue)."""
    names = class_colour_names(n_classes)
    return f"class {k} ({names[k % len(names)]})"


def parse_logits(text: str) -> tuple[float, ...]:
    """``"5, 2, -1, 3"`` -> ``(5.0, 2.0, -1.0, 3.0)``.

    Raises ValueError (a message for the learner) unless there are 2 to ``MAX_LOGITS`` finite
    numbers of size at most ``MAX_ABS_Z``.
    """
    text = str(text)
    if len(text) > MAX_LOGITS_CHARS:
        raise ValueError(f"the text has {len(text):,} characters; write at most "
                         f"{MAX_LOGITS_CHARS}")
    values = []
    for raw in text.replace(";", ",").split(","):
        token = raw.strip()
        if not token:
            continue
        try:
            z = float(token)
        except ValueError:
            raise ValueError(f"'{user_text(token)}' is not a number") from None
        if not math.isfinite(z) or abs(z) > MAX_ABS_Z:
            raise ValueError(f"'{user_text(token)}': use numbers between -{MAX_ABS_Z:g} and "
                             f"{MAX_ABS_Z:g}")
        values.append(z)
    if not 2 <= len(values) <= MAX_LOGITS:
        raise ValueError(f"write 2 to {MAX_LOGITS} numbers separated by commas, got "
                         f"{len(values)}")
    return tuple(values)


def softmax_table(z):
    """``pandas.DataFrame`` with the lecture's columns: ``z``, ``t = e^z`` and
    ``a = t / sum(t)``; ``a`` is computed by ``nnlab.spec.activations.softmax``."""
    import pandas as pd

    z = np.asarray(z, dtype=float).reshape(-1, 1)  # one example: a column
    a = activations.softmax(z).ravel()
    return pd.DataFrame({"class": [str(k) for k in range(len(z))], "z": z.ravel(),
                         "t = e^z": np.exp(z.ravel()), "a = t / Σt": a})


def worked_example(key: str = "sm_z") -> None:
    """Text input for z, the table z -> t -> a, and the probabilities as bars."""
    default = ", ".join(f"{v:g}" for v in WORKED_Z)
    text = bound.text_input("Logits z of the output layer (one example)", default, key=key,
                            max_chars=MAX_LOGITS_CHARS,
                         help="Comma separated, 2 to 10 numbers. The lecture's example is "
                              f"{default}.")
    try:
        z = parse_logits(text)
    except ValueError as exc:
        st.error(f"z: {exc}. Showing the lecture's example.")
        z = WORKED_Z
    table = softmax_table(z)
    left, right = st.columns([3, 2])
    with left:
        st.dataframe(table, hide_index=True, column_config={
            "z": st.column_config.NumberColumn(format="%g"),
            "t = e^z": st.column_config.NumberColumn(format="%.4g"),
            "a = t / Σt": st.column_config.NumberColumn(format="%.3f")})
        st.markdown(worked_verdict(table))
    with right:
        st.vega_lite_chart(chart_spec(class_probability_chart, table["a = t / Σt"],
                                      title="a = softmax(z)"), width="stretch")


def worked_verdict(table) -> str:
    """What the worked example's table shows: Σt, the sum of the a's, and the share the largest
    z gets (all of it only to the 3 decimals shown when it dominates)."""
    t, a = table["t = e^z"], table["a = t / Σt"]
    k = int(np.argmax(table["z"]))
    text = (f"Σt = {t.sum():.4g}. Each a is its t divided by Σt: the a's are positive and add "
            f"up to {a.sum():.3f}. The largest z (class {k}) gets the largest share, "
            f"{a[k]:.3f}")
    if round(float(a[k]), 3) < 1:
        text += (", but not all of it: a *soft* max (the hard max would put 1 on class "
                 f"{k} and 0 elsewhere).")
    else:
        text += (": to 3 decimals all of it, because its z is far above the others; closer z's "
                 "share more.")
    return text


def point_box(data) -> tuple[float, float, float, float]:
    """The decision-region box of ``data``, rounded outwards to 0.5 (slider bounds)."""
    x0, x1, y0, y1 = bounding_box(all_points(data))
    return (math.floor(x0 * 2) / 2, math.ceil(x1 * 2) / 2, math.floor(y0 * 2) / 2,
            math.ceil(y1 * 2) / 2)


def point_controls(data, key: str = "sm_point") -> tuple[float, float]:
    """Sliders for x1 and x2 within the data's box (their keys include the box, so a new
    data set starts them again in the middle)."""
    x0, x1, y0, y1 = point_box(data)
    tag = f"{x0:g}_{x1:g}_{y0:g}_{y1:g}"
    px = bound.slider("x₁", x0, x1, round((x0 + x1) / 2, 1), step=0.05, key=f"{key}_x1_{tag}")
    py = bound.slider("x₂", y0, y1, round((y0 + y1) / 2, 1), step=0.05, key=f"{key}_x2_{tag}")
    return float(px), float(py)


def point_probabilities(result: TrainResult, point) -> dict:
    """``{class_name(k): P(class k | x)}`` of the trained network at ``point`` (x1, x2)."""
    probs = result.predict_proba(np.asarray(point, dtype=float).reshape(2, 1)).ravel()
    if probs.size == 1:  # a sigmoid output: P(class 1)
        probs = np.array([1.0 - probs[0], probs[0]])
    return {class_name(k, probs.size): float(p) for k, p in enumerate(probs)}


def point_section(variants, data, point) -> None:
    """The regions with the point marked, and each variant's probabilities there as bars."""
    panels = boundary_panels(variants, data)
    with st.container(horizontal=True, wrap=False):  # scrolls in its box on a phone
        st.vega_lite_chart(chart_spec(regions_with_point_chart, panels, point,
                                      columns=len(panels), height=240))
    columns = st.columns(len(variants))
    for column, (label, result) in zip(columns, variants, strict=True):
        with column:
            if result.status == "diverged":
                st.warning(f"**{label}**: {result.message}")
                continue
            probs = point_probabilities(result, point)
            best = max(probs, key=probs.get)
            st.vega_lite_chart(chart_spec(class_probability_chart, list(probs.values()),
                                          labels=list(probs), title=label), width="stretch")
            st.markdown(f"Predicted: **{best}**, with probability {probs[best]:.3f}.")


def confusion_counts(result: TrainResult, X, Y, n_classes: int) -> np.ndarray:
    """``(C, C)`` counts: row = true class, column = predicted class."""
    pred = result.predict(X).ravel().astype(int)
    true = np.asarray(Y).ravel().astype(int)
    counts = np.zeros((n_classes, n_classes), dtype=int)
    np.add.at(counts, (true, pred), 1)
    return counts


def regions(result: TrainResult, data, size: int = REGION_GRID) -> int:
    """How many classes the network predicts somewhere over the charts' box."""
    x0, x1, y0, y1 = bounding_box(all_points(data))
    gx, gy = np.meshgrid(np.linspace(x0, x1, size), np.linspace(y0, y1, size))
    with np.errstate(all="ignore"):
        pred = result.predict(np.vstack([gx.ravel(), gy.ravel()]))
    pred = np.asarray(pred, float).ravel()
    return int(np.unique(pred[np.isfinite(pred)]).size)


def _split(results):
    linear = [label for label, _ in results if label.startswith(LINEAR_PREFIX)]
    deep = [label for label, _ in results if not label.startswith(LINEAR_PREFIX)]
    return linear, deep


def live_verdict(results, data) -> str:
    """The two networks ranked by dev accuracy (as the table shows it), the number of regions
    each one draws, and whether the hidden layers help *here*."""
    text = claims.comparison(results, "dev_accuracy", what="dev accuracy",
                             lower_is_better=False, fmt=lambda v: f"{v:.3f}")
    C = data.n_classes
    counts = [f"{label} {regions(r, data)}" for label, r in results
              if r.status != "diverged"]
    if counts:
        text += f" Classes with a region of their own (of {C}): " + ", ".join(counts) + "."
    linear, deep = _split(results)
    if not (linear and deep):
        return text
    if claims.beats(results, deep, linear, "dev_accuracy", lower_is_better=False):
        text += (" With hidden layers more of the dev set lands in its own class's region: "
                 "their borders can bend.")
    elif claims.beats(results, linear, deep, "dev_accuracy", lower_is_better=False):
        text += (" Here softmax regression does better on the dev set: at these settings the "
                 "hidden layers have not found better borders.")
    else:
        text += (" Here the two are about equal on the dev set: straight borders are enough "
                 "for these classes.")
    return text


def confusion_verdict(variants, data) -> str:
    """Off-diagonal counts of each variant's dev confusion matrix and its most confused pair."""
    parts, wrong = [], {}
    for label, result in variants:
        counts = confusion_counts(result, data.X_dev, data.Y_dev, data.n_classes)
        off = counts - np.diag(np.diag(counts))
        wrong[label] = int(off.sum())
        text = f"{label}: {wrong[label]} of {int(counts.sum())} dev examples off the diagonal"
        if off.sum():
            pair = off + off.T
            i, j = np.unravel_index(int(np.argmax(np.triu(pair, 1))), pair.shape)
            text += f", most between classes {i} and {j} ({int(pair[i, j])})"
        parts.append(text)
    out = "; ".join(parts) + "."
    linear, deep = _split(variants)
    if linear and deep:
        lw, dw = wrong[linear[0]], wrong[deep[0]]
        if lw > dw:
            out += " Without a hidden layer more examples are taken for another class."
        elif lw < dw:
            out += " Here the network with hidden layers confuses more examples."
        elif lw == 0:
            out += " Neither confuses a single dev example."
        else:
            out += " Both confuse as many examples."
    return out


def confusion_section(variants, data) -> None:
    """One dev-set confusion matrix per variant, and what they show."""
    labels = [str(k) for k in range(data.n_classes)]
    columns = st.columns(len(variants))
    for column, (label, result) in zip(columns, variants, strict=True):
        with column:
            counts = confusion_counts(result, data.X_dev, data.Y_dev, data.n_classes)
            st.vega_lite_chart(chart_spec(confusion_matrix_chart, counts, labels, title=label),
                               width="content")
            right = int(np.trace(counts))
            st.caption(f"{right} of {int(counts.sum())} dev examples on the diagonal "
                       f"(dev accuracy {right / max(1, counts.sum()):.3f}).")
    st.markdown(confusion_verdict(variants, data))
