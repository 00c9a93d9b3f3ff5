"""Charts of the exponentially-weighted-averages page: a noisy series with its averages, and
the weights an average gives to past values."""

from __future__ import annotations

import math
from collections.abc import Mapping

import altair as alt
import numpy as np
import pandas as pd

from ._common import CHART_HEIGHT, GREY, as_1d, check_mapping, order_of
from .palette import series_scale


def _lines(frame: pd.DataFrame, labels: list[str], *, x_title: str, y_title: str,
           dashed: Mapping | None = None) -> alt.Chart:
    pick = alt.selection_point(fields=["series"], bind="legend")
    encoding = dict(
        x=alt.X("x:Q", title=x_title, scale=alt.Scale(zero=False, nice=False)),
        y=alt.Y("y:Q", title=y_title, scale=alt.Scale(zero=False)),
        color=alt.Color("series:N", title=None, sort=labels,
                        scale=series_scale(labels),
                        legend=alt.Legend(orient="bottom", symbolStrokeWidth=3,
                                          labelLimit=320)),
        opacity=alt.when(pick).then(alt.value(1.0)).otherwise(alt.value(0.15)),
        tooltip=[alt.Tooltip("series:N", title="series"),
                 alt.Tooltip("x:Q", title=x_title, format=".4g"),
                 alt.Tooltip("y:Q", title=y_title, format=".4g")],
    )
    if dashed:
        names = [str(k) for k, v in dashed.items() if v]
        encoding["strokeDash"] = alt.StrokeDash(
            "series:N", sort=labels, legend=None,
            scale=alt.Scale(domain=labels, range=[[5, 3] if s in names else [1, 0]
                                                  for s in labels]))
    return alt.Chart(frame).mark_line(strokeWidth=2.2, clip=True).encode(**encoding).add_params(
        pick)


def series_with_averages_chart(x, values, averages: Mapping, *, x_title: str = "day",
                               y_title: str = "temperature (°F)", title: str | None = None,
                               dashed: Mapping | None = None,
                               x_range: tuple | None = None) -> alt.LayerChart:
    """The raw series as grey points and each average as a coloured line over it.

    Parameters
    ----------
    x : array_like (T,)
        Positions (days).
    values : array_like (T,)
        The raw series ``theta_t``.
    averages : dict
        Label -> ``v`` (T,), the averages to overlay (e.g. ``"β = 0.9"``).
    dashed : dict, optional
        Label -> bool: draw that average dashed (e.g. the uncorrected one).
    x_range : (lo, hi), optional
        Show only ``lo <= x <= hi`` (a zoom on the start).

    Returns
    -------
    altair.LayerChart
        Grey points under the lines; clicking a legend entry highlights that line. Non-finite
        values are dropped.
    """
    check_mapping(averages, "averages")
    x, values = as_1d(x, "x"), as_1d(values, "values")
    if x.shape != values.shape:
        raise ValueError(f"x and values must have the same length, got {x.size} and "
                         f"{values.size}")
    keep = np.isfinite(x)
    if x_range is not None:
        lo, hi = (float(v) for v in x_range)
        if not lo < hi:
            raise ValueError(f"x_range must be (lo, hi) with lo < hi, got {x_range!r}")
        keep &= (x >= lo) & (x <= hi)
    frames = []
    for label, v in averages.items():
        v = as_1d(v, f"averages[{label!r}]")
        if v.shape != x.shape:
            raise ValueError(f"averages[{label!r}] must have {x.size} values, got {v.size}")
        ok = keep & np.isfinite(v)
        frames.append(pd.DataFrame({"series": str(label), "x": x[ok], "y": v[ok]}))
    ok = keep & np.isfinite(values)
    raw = pd.DataFrame({"x": x[ok], "y": values[ok]})
    points = (alt.Chart(raw).mark_circle(size=14, color=GREY, opacity=0.55)
              .encode(x="x:Q", y="y:Q",
                      tooltip=[alt.Tooltip("x:Q", title=x_title),
                               alt.Tooltip("y:Q", title=y_title, format=".1f")]))
    lines = _lines(pd.concat(frames, ignore_index=True), order_of(averages.keys()),
                   x_title=x_title, y_title=y_title, dashed=dashed)
    props = {"width": "container", "height": CHART_HEIGHT}
    if title:
        props["title"] = title
    return alt.layer(points, lines).properties(**props)


def ewa_weights_chart(weights: Mapping, windows: Mapping, *,
                      title: str | None = "How much the value k days back counts"
                      ) -> alt.LayerChart:
    """The weights ``(1 - beta) beta**k`` of each average, relative to today's, with its window.

    Parameters
    ----------
    weights : dict
        Label -> weights for ``k = 0 .. n-1`` (``nnlab.spec.weighted_averages.ewa_weights``). Each
        curve is
        drawn divided by its first weight, ``beta**k``, so that averages with very different
        ``1 - beta`` share one axis: every curve starts at 1.
    windows : dict
        Label -> window ``1 / (1 - beta)`` (same labels): a dashed rule at ``k = window``, where
        the rule of thumb says the relative weight has fallen to about ``1/e`` (a grey
        horizontal rule).

    Returns
    -------
    altair.LayerChart
    """
    check_mapping(weights, "weights")
    check_mapping(windows, "windows")
    labels = order_of(weights.keys())
    if sorted(labels) != sorted(order_of(windows.keys())):
        raise ValueError(f"windows must have the labels of weights {labels}, got "
                         f"{order_of(windows.keys())}")
    frames, marks = [], []
    for label, w in weights.items():
        w = as_1d(w, f"weights[{label!r}]")
        if w.size == 0 or not np.all(np.isfinite(w)) or w[0] <= 0:
            raise ValueError(f"weights[{label!r}] must be finite with a positive first weight")
        window = float(windows[label])
        if not np.isfinite(window) or window <= 0:
            raise ValueError(f"windows[{label!r}] must be a positive number, got {window!r}")
        frames.append(pd.DataFrame({"series": str(label), "x": np.arange(w.size, dtype=float),
                                    "y": w / w[0]}))
        marks.append({"series": str(label), "x": window, "y": 1 / math.e,
                      "text": f"{window:.3g} days"})
    lines = _lines(pd.concat(frames, ignore_index=True), labels, x_title="k (days back)",
                   y_title="weight ÷ today's weight = βᵏ")
    colour = alt.Color("series:N", sort=labels, legend=None,
                       scale=series_scale(labels))
    base = alt.Chart(pd.DataFrame(marks)).encode(x="x:Q", color=colour)
    rules = base.mark_rule(strokeDash=[5, 4], strokeWidth=1.5)
    dots = base.mark_point(size=80, filled=True, shape="diamond").encode(
        y="y:Q", tooltip=[alt.Tooltip("series:N", title="series"),
                          alt.Tooltip("x:Q", title="window 1/(1−β)", format=".3g")])
    text = base.mark_text(align="left", dx=6, dy=-10, fontSize=11).encode(y="y:Q", text="text:N")
    e_rule = alt.Chart(pd.DataFrame({"y": [1 / math.e], "text": ["1/e ≈ 0.37"]}))
    e_line = e_rule.mark_rule(color=GREY, strokeWidth=1).encode(y="y:Q")
    e_text = e_rule.mark_text(align="right", baseline="bottom", color=GREY, x="width", dx=-4,
                              dy=-2).encode(y="y:Q", text="text:N")
    props = {"width": "container", "height": CHART_HEIGHT}
    if title:
        props["title"] = title
    return alt.layer(lines, e_line, e_text, rules, dots, text).properties(**props)
