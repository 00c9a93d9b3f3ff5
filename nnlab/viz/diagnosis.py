"""Bias/variance pictures: the error ladder (Bayes -> train -> dev) and error curves."""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

from ._common import CHART_HEIGHT
from .palette import GREY, OKABE_ITO

#: Colours of the ladder's parts: Bayes error (grey), avoidable bias (orange), variance (blue).
LADDER_COLOURS = {"Bayes error": GREY, "avoidable bias": OKABE_ITO["orange"],
                  "variance": OKABE_ITO["blue"]}
#: The ladder's height in pixels (Streamlit fits the whole chart, x axis included, into it:
#: about 100 px of plot) and, on its hidden 0-1 y scale, the bar and the error ticks (the
#: labels sit just outside the ticks, with room above and below them inside the plot).
LADDER_HEIGHT = 160
LADDER_BAR = (0.38, 0.62)
LADDER_TICK = (0.3, 0.7)
#: A label within this share of the axis from an end is aligned inwards, not centred.
LABEL_EDGE = 0.1


def _rate(name: str, value) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not np.isfinite(v):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return v


def error_ladder_chart(bayes_error: float, train_error: float, dev_error: float, *,
                       title: str | None = None) -> alt.LayerChart:
    """One horizontal bar from 0 to the dev error, cut at the Bayes and the training error.

    Parameters
    ----------
    bayes_error, train_error, dev_error : float
        Error rates as fractions (0.11 for 11 %).
    title : str, optional

    Returns
    -------
    altair.LayerChart
        Segments ``[0, Bayes]`` "Bayes error", ``[Bayes, train]`` "avoidable bias" and
        ``[train, dev]`` "variance" (x axis in percent, sizes in the tooltip), plus ticks
        marking the three errors, labelled alternately above and below the bar inside the
        plot (a label near an end of the axis is aligned inwards). A negative gap (train
        below Bayes, dev below train) is drawn as an empty segment and its size is still
        written in the tooltip.
    """
    b = _rate("bayes_error", bayes_error)
    t = _rate("train_error", train_error)
    d = _rate("dev_error", dev_error)
    parts = [("Bayes error", 0.0, b), ("avoidable bias", b, t), ("variance", t, d)]
    frame = pd.DataFrame([{"part": name, "start": 100 * lo, "end": 100 * max(lo, hi),
                           "size": 100 * (hi - lo), "label": f"{name}: {100 * (hi - lo):.3g}%"}
                          for name, lo, hi in parts])
    colour = alt.Color("part:N", title=None, scale=alt.Scale(
        domain=list(LADDER_COLOURS), range=list(LADDER_COLOURS.values())),
        legend=alt.Legend(orient="right"))
    top = max(100 * d, 100 * t, 100 * b, 1.0)
    x = alt.X("start:Q", title="error (%)",
              scale=alt.Scale(domain=[0, top], nice=False))
    # A hidden y scale from 0 to 1 places the bar in the middle band and the labels in bands
    # above and below it, inside the plot: nothing is drawn outside the view (where the
    # title or the axis would cut it) and the labels keep clear of the x axis's tick labels.
    y = alt.Y("y:Q", axis=None, scale=alt.Scale(domain=[0, 1]))
    bars = alt.Chart(frame.assign(y=LADDER_BAR[0], y2=LADDER_BAR[1])).mark_bar().encode(
        x=x, x2="end:Q", y=y, y2="y2:Q", color=colour,
        tooltip=[alt.Tooltip("part:N"), alt.Tooltip("size:Q", format=".3g", title="size (%)"),
                 alt.Tooltip("start:Q", format=".3g", title="from (%)"),
                 alt.Tooltip("end:Q", format=".3g", title="to (%)")])
    # Labels alternate above and below the bar, so that close errors stay readable; one near
    # an end of the axis is aligned inwards, so that it isn't cut at the edge of the view.
    marks = pd.DataFrame({"error": [100 * b, 100 * t, 100 * d],
                          "name": [f"Bayes {100 * b:.3g}%", f"train {100 * t:.3g}%",
                                   f"dev {100 * d:.3g}%"], "above": [True, False, True]})
    marks["y"] = np.where(marks["above"], LADDER_TICK[1], LADDER_TICK[0])
    marks["y_tick"], marks["y2_tick"] = LADDER_TICK
    ticks = alt.Chart(marks).mark_rule(color="black", strokeWidth=2).encode(
        x="error:Q", y=alt.Y("y_tick:Q", axis=None, scale=alt.Scale(domain=[0, 1])),
        y2="y2_tick:Q",
        tooltip=[alt.Tooltip("name:N"), alt.Tooltip("error:Q", format=".3g")])
    texts = []
    for i, (error, above) in enumerate(zip(marks["error"], marks["above"], strict=True)):
        where = error / top
        align = "left" if where < LABEL_EDGE else "right" if where > 1 - LABEL_EDGE else "center"
        texts.append(alt.Chart(marks.iloc[[i]]).mark_text(
            fontSize=12, align=align, baseline="bottom" if above else "top",
            dy=-2 if above else 2).encode(x="error:Q", y=y, text=alt.Text("name:N")))
    chart = alt.layer(bars, ticks, *texts).properties(width="container", height=LADDER_HEIGHT)
    return chart.properties(title=title) if title is not None else chart


def error_curves_chart(x: Sequence, train_error: Sequence, dev_error: Sequence, *,
                       bayes_error: float | None = None, x_title: str = "training examples m",
                       title: str | None = None, log_x: bool = False,
                       points: bool = True) -> alt.LayerChart:
    """Training and dev error (in %) against ``x`` (training-set size or hidden units).

    Parameters
    ----------
    x, train_error, dev_error : 1-D sequences of equal length
        Error rates as fractions; non-finite values are dropped.
    bayes_error : float, optional
        Drawn as a dashed horizontal rule.
    x_title : str
    title : str, optional
    log_x : bool, default False
        Logarithmic x axis (x must be positive).
    points : bool, default True
        Mark every point (off for long curves, e.g. error per epoch).

    Returns
    -------
    altair.LayerChart
        Two lines with points ("train error", "dev error"), the shaded gap between them
        (variance) and the Bayes rule.
    """
    x = np.asarray(x, dtype=float).ravel()
    tr = np.asarray(train_error, dtype=float).ravel()
    dv = np.asarray(dev_error, dtype=float).ravel()
    if not (x.size == tr.size == dv.size) or x.size == 0:
        raise ValueError(f"x, train_error and dev_error must be non-empty and of equal length, "
                         f"got {x.size}, {tr.size}, {dv.size}")
    if log_x and np.any(x <= 0):
        raise ValueError("x must be positive for a logarithmic axis")
    keep = np.isfinite(x) & np.isfinite(tr) & np.isfinite(dv)
    wide = pd.DataFrame({"x": x[keep], "train error": 100 * tr[keep], "dev error": 100 * dv[keep]})
    long = wide.melt("x", var_name="series", value_name="error")
    x_enc = alt.X("x:Q", title=x_title,
                  scale=alt.Scale(type="log") if log_x else alt.Scale(zero=False))
    colour = alt.Color("series:N", title=None, scale=alt.Scale(
        domain=["train error", "dev error"], range=[OKABE_ITO["orange"], OKABE_ITO["blue"]]),
        legend=alt.Legend(orient="bottom"))
    gap = alt.Chart(wide).mark_area(opacity=0.15, color=OKABE_ITO["blue"]).encode(
        x=x_enc, y="train error:Q", y2="dev error:Q")
    lines = alt.Chart(long).mark_line(point=bool(points)).encode(
        x=x_enc, y=alt.Y("error:Q", title="error (%)"), color=colour,
        tooltip=[alt.Tooltip("x:Q", title=x_title), alt.Tooltip("series:N"),
                 alt.Tooltip("error:Q", format=".3g", title="error (%)")])
    layers = [gap, lines]
    if bayes_error is not None:
        b = _rate("bayes_error", bayes_error)
        rule = alt.Chart(pd.DataFrame({"y": [100 * b], "name": ["Bayes error"]})).mark_rule(
            strokeDash=[6, 4], color="#616161").encode(
            y="y:Q", tooltip=[alt.Tooltip("name:N"), alt.Tooltip("y:Q", format=".3g")])
        layers.append(rule)
    chart = alt.layer(*layers).properties(width="container", height=CHART_HEIGHT)
    return chart.properties(title=title) if title is not None else chart
