"""Charts of the "Gradient checking" page: the epsilon sweep on log-log axes."""

from __future__ import annotations

from collections.abc import Mapping

import altair as alt
import numpy as np
import pandas as pd

from ._common import CHART_HEIGHT, GREY, check_mapping, order_of
from .palette import LABEL_GREY, series_scale


def epsilon_sweep_chart(series: Mapping, *, thresholds: Mapping | None = None,
                        title: str | None = None) -> alt.LayerChart | alt.Chart:
    """Relative difference against ``epsilon``, both axes logarithmic.

    Parameters
    ----------
    series : dict
        Label -> sequence of ``(epsilon, difference)`` pairs (``gradcheck.epsilon_sweep``).
        Pairs with a non-positive or non-finite value are dropped (a log axis can't show them).
    thresholds : dict, optional
        Label -> difference level, drawn as dashed horizontal rules with their label.
    title : str, optional

    Returns
    -------
    altair.Chart or altair.LayerChart
        Lines with points, small epsilon on the left: round-off error falls from the left,
        truncation error rises to the right.
    """
    check_mapping(series, "series")
    rows = []
    for label, pairs in series.items():
        P = np.asarray(pairs, dtype=np.float64).reshape(-1, 2)
        keep = np.all(np.isfinite(P), axis=1) & np.all(P > 0, axis=1)
        rows += [(str(label), e, d) for e, d in P[keep]]
    frame = pd.DataFrame(rows, columns=["series", "epsilon", "difference"])
    labels = order_of(series.keys())
    y_scale = alt.Scale(type="log")
    chart = alt.Chart(frame).mark_line(point=True, strokeWidth=2).encode(
        x=alt.X("epsilon:Q", scale=alt.Scale(type="log"), title="ε (the finite-difference step)",
                axis=alt.Axis(format=".0e")),
        y=alt.Y("difference:Q", scale=y_scale, title="relative difference",
                axis=alt.Axis(format=".0e")),
        color=alt.Color("series:N", title=None, sort=labels,
                        scale=series_scale(labels),
                        legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("series:N", title="check"),
                 alt.Tooltip("epsilon:Q", format=".0e", title="epsilon"),
                 alt.Tooltip("difference:Q", format=".3e", title="difference")],
    )
    if thresholds:
        check_mapping(thresholds, "thresholds")
        lines = pd.DataFrame({"threshold": [str(k) for k in thresholds],
                              "level": [float(v) for v in thresholds.values()]})
        base = alt.Chart(lines).encode(y=alt.Y("level:Q", scale=y_scale))
        rules = base.mark_rule(color=GREY, strokeDash=[6, 4])
        # Labels at the right end of their rule, clear of the sweep's points on the left.
        text = base.mark_text(align="right", baseline="bottom", x="width", dx=-4, dy=-2,
                              color=LABEL_GREY).encode(text="threshold:N")
        chart = alt.layer(chart, rules, text)
    props = {"width": "container", "height": CHART_HEIGHT}
    if title is not None:
        props["title"] = title
    return chart.properties(**props)
