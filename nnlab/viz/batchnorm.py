"""Batch norm: histograms of a layer's pre-activations at a few moments of training.

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

from ._common import CATEGORICAL_SCHEME, as_1d, check_mapping, order_of

#: Share of the values kept inside the x range (the extreme tails are clipped to the edges).
CLIP_QUANTILE = 0.005


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
                       scale=alt.Scale(domain=labels, scheme=CATEGORICAL_SCHEME))
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
