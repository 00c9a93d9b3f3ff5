"""Batch norm: histograms of a layer's pre-activations at a few moments of training, and
curves told apart by colour *and* dash (:func:`styled_curves_chart`).

Not :func:`nnlab.viz.histograms_chart`: that one spans the full min-max range (a few
outliers squash the shape), draws counts on an independent y axis per row and has a fixed
width that overflows half a page; here the tails are clipped at quantiles, the y axis is a
share shared by every snapshot (heights compare), and the panels fit their column.

The snapshots are stacked with ``vconcat``, not ``facet``: Vega-Lite can't size a facet to its
container and Streamlit 1.67 draws a facet at its fixed size (it overflowed a half-page
column), while it stretches every panel of a ``vconcat`` of single views to the column's width
(``st.vega_lite_chart(..., width="stretch")``).
"""

from __future__ import annotations

from collections.abc import Mapping

import altair as alt
import numpy as np
import pandas as pd

from ._common import CHART_HEIGHT, as_1d, check_mapping, order_of, series_frame
from .palette import DASHES, series_colour, series_scale

#: Share of the values kept inside the x range (the extreme tails are clipped to the edges).
CLIP_QUANTILE = 0.005

#: Name of the legend selection of :func:`styled_curves_chart` (click to highlight).
STYLE_PICK = "style_pick"
#: Stroke width of the first dash group (drawn first, widest) and of the last (on top).
WIDE, NARROW = 3.5, 2.0


def _groups(series_labels, groups, name) -> tuple[dict, list]:
    """label -> group (each label its own group when ``groups`` is None), groups in order."""
    if groups is None:
        return {k: k for k in series_labels}, list(series_labels)
    check_mapping(groups, name)
    out = {k: str(groups[k]) for k in series_labels if k in groups}
    missing = [k for k in series_labels if k not in out]
    if missing:
        raise ValueError(f"{name} must give a group to every series, missing {missing}")
    return out, list(dict.fromkeys(out.values()))


def styled_curves_chart(series: Mapping, *, colours: Mapping | None = None,
                        dashes: Mapping | None = None, x_title: str = "epoch",
                        y_title: str = "cost", log_y: bool = False, title: str | None = None,
                        colour_title: str | None = None,
                        dash_title: str | None = None) -> alt.LayerChart:
    """Overlaid curves, each told apart by its colour (palette ``SERIES_COLOURS``, in order) and its
    dash (:data:`DASHES`), so that six or eight lines stay distinguishable.

    Parameters
    ----------
    series : dict
        Label -> 1-D ``y`` or ``(x, y)``, as for :func:`nnlab.viz.curves_chart`.
    colours, dashes : dict, optional
        Label -> colour group and label -> dash group (e.g. colour by learning rate, dash by
        "plain" / "BN"). Default: every series its own colour and its own dash, in one legend.
    x_title, y_title, log_y, title
        As for :func:`nnlab.viz.curves_chart` (values ``<= 0`` dropped on a log axis).
    colour_title, dash_title : str, optional
        Legend titles of the two groupings.

    Returns
    -------
    altair.LayerChart
        One layer per dash group, in order: the first (solid) drawn first and widest, later
        ones narrower on top, so that a line never hides one drawn before it. Legends sit
        below the chart with labels never cut; a click on the colour legend highlights that
        group (selection :data:`STYLE_PICK`).
    """
    check_mapping(series, "series")
    labels = order_of(series.keys())
    named = {str(k): v for k, v in series.items()}
    colour_of, colour_groups = _groups(labels, colours and {str(k): v for k, v in
                                                           colours.items()}, "colours")
    dash_of, dash_groups = _groups(labels, dashes and {str(k): v for k, v in dashes.items()},
                                   "dashes")
    frame = series_frame(named, log_y)
    frame["colour"] = frame["series"].map(colour_of)
    frame["dash"] = frame["series"].map(dash_of)
    palette = [series_colour(i) for i in range(len(colour_groups))]
    patterns = [list(DASHES[i % len(DASHES)]) for i in range(len(dash_groups))]
    one_legend = colours is None and dashes is None
    legend = alt.Legend(orient="bottom", columns=2, labelLimit=0, symbolStrokeWidth=3,
                        symbolSize=400)
    colour_field = "series" if one_legend else "colour"  # one field: Vega-Lite merges legends
    dash_field = "series" if one_legend else "dash"
    colour = alt.Color(f"{colour_field}:N", title=None if one_legend else colour_title,
                       sort=colour_groups, legend=legend,
                       scale=alt.Scale(domain=colour_groups, range=palette))
    dash = alt.StrokeDash(f"{dash_field}:N", title=None if one_legend else dash_title,
                          sort=dash_groups, legend=legend,
                          scale=alt.Scale(domain=dash_groups, range=patterns))
    pick = alt.selection_point(name=STYLE_PICK, fields=[colour_field], bind="legend")
    y_scale = alt.Scale(type="log") if log_y else alt.Scale(zero=False)
    base = alt.Chart(frame).encode(
        x=alt.X("x:Q", title=x_title, scale=alt.Scale(zero=False)),
        y=alt.Y("y:Q", title=y_title, scale=y_scale, axis=alt.Axis(format=".3~g")),
        color=colour, strokeDash=dash, detail="series:N",
        opacity=alt.when(pick).then(alt.value(1.0)).otherwise(alt.value(0.15)),
        tooltip=[alt.Tooltip("series:N", title="series"),
                 alt.Tooltip("x:Q", format=".4g", title=x_title),
                 alt.Tooltip("y:Q", format=".4g", title=y_title)])
    n = len(dash_groups)
    layers = []
    for i, group in enumerate(dash_groups):
        width = WIDE if n == 1 else WIDE - (WIDE - NARROW) * i / (n - 1)
        layer = base.transform_filter(alt.datum.dash == group).mark_line(strokeWidth=width)
        layers.append(layer.add_params(pick) if i == 0 else layer)
    props = {"width": "container", "height": CHART_HEIGHT}
    if title is not None:
        props["title"] = alt.TitleParams(title, anchor="start", frame="group", offset=8)
    return alt.layer(*layers).properties(**props)


def snapshot_histograms_chart(values: Mapping, *, bins: int = 30, width: int = 360,
                              height: int = 80, title: str | None = None) -> alt.VConcatChart:
    """One histogram per snapshot, stacked in rows on a shared x axis.

    Parameters
    ----------
    values : dict
        Snapshot label (e.g. ``"after epoch 10"``) -> array of any shape (flattened).
    bins : int, default 30
        Bins shared by every snapshot.
    width, height : int
        Size of each panel in pixels (Streamlit replaces the width by the column's when the
        chart is drawn with ``width="stretch"``).
    title : str, optional

    Returns
    -------
    altair.VConcatChart
        Filled bars from 0 to the share of values in each bin (shares, not counts, so
        snapshots compare), one panel per snapshot titled with its label, x tick labels on
        the last panel only. The x range covers the pooled values from
        the ``CLIP_QUANTILE`` to the ``1 - CLIP_QUANTILE`` quantile; values beyond are counted
        in the edge bins. Non-finite values are dropped (the tooltip says how many).
    """
    check_mapping(values, "values")
    if int(bins) < 1:
        raise ValueError(f"bins must be >= 1, got {bins!r}")
    arrays = {str(k): as_1d(v, f"values[{k!r}]") for k, v in values.items()}
    finite = {k: a[np.isfinite(a)] for k, a in arrays.items()}
    pooled = np.concatenate([*finite.values(), np.zeros(0)])
    if pooled.size:
        lo, hi = np.quantile(pooled, [CLIP_QUANTILE, 1 - CLIP_QUANTILE])
    else:
        lo, hi = 0.0, 1.0
    if hi <= lo:
        lo, hi = lo - 0.5, hi + 0.5
    edges = np.linspace(lo, hi, int(bins) + 1)
    frames = []
    for label, a in finite.items():
        counts, _ = np.histogram(np.clip(a, lo, hi), bins=edges)
        frames.append(pd.DataFrame({
            "snapshot": label, "bin_start": edges[:-1], "bin_end": edges[1:],
            "share": counts / max(a.size, 1), "zero": 0.0,
            "dropped": int(arrays[label].size - a.size)}))
    frame = pd.concat(frames, ignore_index=True)
    labels = order_of(values.keys())
    top = float(frame["share"].max()) if len(frame) else 0.0
    x_scale = alt.Scale(domain=[float(lo), float(hi)], nice=False, zero=False)
    y_scale = alt.Scale(domain=[0.0, top if top > 0 else 1.0], nice=True)
    colour = alt.Color("snapshot:N", legend=None,
                       scale=series_scale(labels))
    tooltip = [alt.Tooltip("snapshot:N", title="snapshot"),
               alt.Tooltip("bin_start:Q", format=".3g", title="from"),
               alt.Tooltip("bin_end:Q", format=".3g", title="to"),
               alt.Tooltip("share:Q", format=".1%", title="share"),
               alt.Tooltip("dropped:Q", title="non-finite dropped")]
    panels = []
    for i, label in enumerate(labels):
        last = i == len(labels) - 1
        x_axis = alt.Axis() if last else alt.Axis(labels=False, ticks=False, title=None)
        panels.append(
            alt.Chart(title=alt.TitleParams(label, anchor="start", fontSize=12,
                                            fontWeight="normal", offset=2))
            .transform_filter(alt.datum.snapshot == label)
            .mark_rect(opacity=0.85)
            .encode(x=alt.X("bin_start:Q", title="value", scale=x_scale, axis=x_axis),
                    x2="bin_end:Q",
                    y=alt.Y("share:Q", title="share", scale=y_scale,
                            axis=alt.Axis(format="%", tickCount=3)),
                    y2="zero:Q", color=colour, tooltip=tooltip)
            .properties(width=int(width), height=int(height)))
    chart = alt.vconcat(*panels, data=frame, spacing=14).resolve_scale(x="shared", y="shared")
    return chart.properties(title=title) if title is not None else chart
