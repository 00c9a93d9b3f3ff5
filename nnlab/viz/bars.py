"""Bar charts and the confusion matrix."""

from __future__ import annotations

from collections.abc import Mapping

import altair as alt
import numpy as np
import pandas as pd

from ._common import BLUE, CHART_HEIGHT, GREY, RED, check_mapping, order_of
from .palette import LABEL_GREY

#: On a log axis a value of exactly 0 (a perfect gradient check) is drawn at this floor.
LOG_FLOOR = 1e-16
#: Confusion matrix: largest and smallest default cell side, and the side of the whole matrix
#: (pixels) that sets the cell side between them.
CELL_STEP, MIN_CELL_STEP, CELL_AREA = 56, 24, 360


def parameter_bars_chart(
    values: Mapping,
    *,
    thresholds: Mapping | None = None,
    log_y: bool = True,
    title: str | None = None,
    y_title: str = "value",
) -> alt.Chart | alt.LayerChart:
    """One bar per parameter, e.g. the relative difference of a gradient check.

    Parameters
    ----------
    values : dict
        Parameter name (``"W1"``, ``"b1"``, ...) -> float.
    thresholds : dict, optional
        Label -> y value, drawn as dashed horizontal rules with their label,
        e.g. ``{"fine 1e-7": 1e-7, "look closer 1e-5": 1e-5, "bug 1e-3": 1e-3}``.
        Bars above the largest threshold are drawn in vermillion (class 0's colour).
    log_y : bool, default True
        Logarithmic y axis. Values ``<= 0`` are drawn at ``LOG_FLOOR`` (the
        tooltip keeps the true value).
    title : str, optional
        Chart title.
    y_title : str, default "value"
        Y axis title.

    Returns
    -------
    altair.Chart or altair.LayerChart
        Bars (plus rules and text when ``thresholds`` is given). Non-finite
        values are dropped. On a log axis every bar is drawn from a floor one decade below the
        smallest value or threshold (a log scale has no zero to start a bar from).
    """
    check_mapping(values, "values")
    names = order_of(values.keys())
    raw = np.array([float(v) for v in values.values()], dtype=np.float64)
    shown = np.where(raw > 0, raw, LOG_FLOOR) if log_y else raw
    limits = {}
    if thresholds:
        check_mapping(thresholds, "thresholds")
        limits = {str(k): float(v) for k, v in thresholds.items() if np.isfinite(float(v))}
    top = max(limits.values()) if limits else np.inf
    flag = np.where(raw > top, "above largest threshold", "ok")
    floor = 0.0
    y_scale = alt.Scale()
    if log_y:
        levels = [v for v in list(raw) + list(limits.values()) if np.isfinite(v) and v > 0]
        lowest = min(levels) if levels else 1.0
        floor = 10.0 ** (np.floor(np.log10(lowest)) - 1)
        shown = np.maximum(shown, floor)
        y_scale = alt.Scale(type="log", domain=[floor, max(levels or [1.0]) * 3])
    frame = pd.DataFrame({"parameter": names, "value": raw, "shown": shown, "flag": flag,
                          "floor": floor})
    frame = frame[np.isfinite(frame["value"])]

    bars = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("parameter:N", sort=names, title="parameter", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("shown:Q", title=y_title, scale=y_scale,
                    axis=alt.Axis(format=".0e") if log_y else alt.Axis()),
            y2="floor:Q",
            color=alt.Color(
                "flag:N",
                title=None,
                scale=alt.Scale(domain=["ok", "above largest threshold"], range=[BLUE, RED]),
                legend=alt.Legend(orient="bottom") if limits else None,
            ),
            tooltip=[
                alt.Tooltip("parameter:N", title="parameter"),
                alt.Tooltip("value:Q", format=".3e", title="value"),
                alt.Tooltip("flag:N", title="status"),
            ],
        )
    )
    chart = bars
    if limits:
        lines = pd.DataFrame({"threshold": list(limits), "level": list(limits.values())})
        base = alt.Chart(lines).encode(y=alt.Y("level:Q", scale=y_scale))
        rules = base.mark_rule(color=GREY, strokeDash=[6, 4]).encode(
            tooltip=[
                alt.Tooltip("threshold:N", title="threshold"),
                alt.Tooltip("level:Q", format=".0e", title="level"),
            ]
        )
        text = base.mark_text(align="left", baseline="bottom", x=4, dy=-2, color=LABEL_GREY).encode(
            text="threshold:N"
        )
        chart = alt.layer(bars, rules, text)
    props = {"width": "container", "height": CHART_HEIGHT}
    if title is not None:
        props["title"] = title
    return chart.properties(**props)


def bar_chart(
    values: Mapping, *, title: str | None = None, y_title: str | None = None
) -> alt.LayerChart:
    """Simple labelled bars, e.g. the softmax probabilities at one point.

    Parameters
    ----------
    values : dict
        Label -> float; bars keep the dict's order.
    title : str, optional
        Chart title.
    y_title : str, optional
        Y axis title (default "value").

    Returns
    -------
    altair.LayerChart
        Bars with their value written beyond the bar's end (above a positive bar, below a
        negative one). Non-finite values are dropped.
    """
    check_mapping(values, "values")
    names = order_of(values.keys())
    frame = pd.DataFrame({"label": names, "value": [float(v) for v in values.values()]})
    frame = frame[np.isfinite(frame["value"])]
    y_title = y_title or "value"
    base = alt.Chart(frame).encode(
        x=alt.X("label:N", sort=names, title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("value:Q", title=y_title),
        tooltip=[
            alt.Tooltip("label:N", title="label"),
            alt.Tooltip("value:Q", format=".4g", title=y_title),
        ],
    )
    bars = base.mark_bar(color=BLUE)
    label = alt.Text("value:Q", format=".3g")
    # the value beyond the end of its bar: above a positive bar, below a negative one
    above = base.transform_filter(alt.datum.value >= 0).mark_text(
        baseline="bottom", dy=-3).encode(text=label)
    below = base.transform_filter(alt.datum.value < 0).mark_text(
        baseline="top", dy=3).encode(text=label)
    props = {"width": "container", "height": CHART_HEIGHT}
    if title is not None:
        props["title"] = title
    return alt.layer(bars, above, below).properties(**props)


def confusion_matrix_chart(matrix, labels=None, *, title: str | None = None,
                           step: int | None = None) -> alt.LayerChart:
    """Confusion matrix as a heatmap with the counts written in the cells.

    Parameters
    ----------
    matrix : array_like, shape (C, C)
        ``matrix[i, j]`` = number of examples of true class ``i`` predicted as ``j``.
    labels : sequence of str, optional
        Class names, length ``C`` (default ``"0" .. "C-1"``).
    title : str, optional
        Chart title.
    step : int, optional
        Side of a cell in pixels (default: ``CELL_STEP`` for up to 6 classes, smaller beyond,
        so that the matrix stays about ``CELL_AREA`` pixels wide and fits half a page).

    Returns
    -------
    altair.LayerChart
        Rects coloured by count from 0 (rows = true class, columns = predicted class)
        and the counts as text, white on dark cells. The size is a step per cell, which
        ``st.altair_chart(chart, width="content")`` keeps (a width in pixels is not kept:
        the cells would shrink to Vega-Lite's default 20 pixels).
    """
    M = np.asarray(matrix, dtype=np.float64)
    if step is not None and int(step) < 1:
        raise ValueError(f"step must be a positive number of pixels, got {step!r}")
    if M.ndim != 2 or M.shape[0] != M.shape[1]:
        raise ValueError(f"matrix must be square (C, C), got shape {M.shape}")
    labels = [str(i) for i in range(M.shape[0])] if labels is None else [str(s) for s in labels]
    if len(labels) != M.shape[0]:
        raise ValueError(f"labels must have {M.shape[0]} names, got {len(labels)}: {labels!r}")
    true_i, pred_j = np.meshgrid(np.arange(M.shape[0]), np.arange(M.shape[1]), indexing="ij")
    counts = np.nan_to_num(M.ravel())
    row_total = np.repeat(np.maximum(np.nan_to_num(M).sum(axis=1), 1), M.shape[1])
    frame = pd.DataFrame(
        {
            "true": [labels[i] for i in true_i.ravel()],
            "predicted": [labels[j] for j in pred_j.ravel()],
            "count": counts,
            "row_share": counts / row_total,
        }
    )
    peak = float(counts.max()) if counts.size else 0.0
    base = alt.Chart(frame).encode(
        x=alt.X("predicted:N", sort=labels, title="predicted class", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("true:N", sort=labels, title="true class"),
    )
    rects = base.mark_rect().encode(
        color=alt.Color("count:Q", title="count", scale=alt.Scale(scheme="blues", domainMin=0)),
        tooltip=[
            alt.Tooltip("true:N", title="true"),
            alt.Tooltip("predicted:N", title="predicted"),
            alt.Tooltip("count:Q", format=",.0f", title="count"),
            alt.Tooltip("row_share:Q", format=".1%", title="share of true class"),
        ],
    )
    dark = alt.datum["count"] > peak / 2
    text = base.mark_text(fontSize=13).encode(
        text=alt.Text("count:Q", format=",.0f"),
        color=alt.when(dark).then(alt.value("white")).otherwise(alt.value("black")),
    )
    cell = int(step) if step is not None else max(MIN_CELL_STEP,
                                                   min(CELL_STEP, CELL_AREA // len(labels)))
    chart = alt.layer(rects, text).properties(width=alt.Step(cell), height=alt.Step(cell))
    return chart.properties(title=title) if title is not None else chart
