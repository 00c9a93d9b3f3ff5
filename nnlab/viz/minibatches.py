"""Charts of the mini-batch page: cost per iteration, and the shuffle-then-partition strip."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import altair as alt
import numpy as np
import pandas as pd

from ._common import MAX_ROWS, as_1d, check_mapping, order_of, thin_indices
from .palette import series_colour

#: Panels of the per-iteration chart share a y axis cut at this quantile of all the costs, so
#: that a few huge single-example costs don't flatten the other panels (they are clipped).
Y_QUANTILE = 0.99
PANEL_HEIGHT = 110
CELL = 26  # pixels per example in the partition strip


def iteration_cost_chart(panels: Mapping, *, smooth: Mapping | None = None,
                         y_quantile: float = Y_QUANTILE,
                         title: str | None = "Cost of every mini-batch (one point per iteration)"
                         ) -> alt.VConcatChart:
    """One small panel per variant: the cost of each iteration, over the iteration number.

    Parameters
    ----------
    panels : dict
        Label -> ``(iterations, costs)``, two equal-length 1-D sequences. Each panel has its
        own x axis (a batch run has few iterations, a stochastic one many); the y axis is
        shared.
    smooth : dict, optional
        Label -> a smoothed version of that panel's costs (same length), e.g. an exponentially
        weighted average over about one epoch, drawn as a thin dark line over the raw costs.
    y_quantile : float in (0, 1]
        The shared y axis goes from 0 to this quantile of all the finite costs (values above are
        clipped at the top of the panel).
    title : str, optional

    Returns
    -------
    altair.VConcatChart
        Panels stacked vertically. Non-finite costs are dropped; a panel with more than
        ``MAX_ROWS // len(panels)`` iterations is thinned evenly (first and last kept).
    """
    check_mapping(panels, "panels")
    if not 0 < float(y_quantile) <= 1:
        raise ValueError(f"y_quantile must be in (0, 1], got {y_quantile!r}")
    frames = {}
    for label, data in panels.items():
        if not (isinstance(data, tuple) and len(data) == 2):
            raise ValueError(f"panels[{label!r}] must be an (iterations, costs) tuple")
        x, y = as_1d(data[0], f"panels[{label!r}][0]"), as_1d(data[1], f"panels[{label!r}][1]")
        if x.shape != y.shape:
            raise ValueError(f"panels[{label!r}] iterations and costs must have the same "
                             f"length, got {x.size} and {y.size}")
        keep = np.isfinite(x) & np.isfinite(y)
        x, y = x[keep], y[keep]
        trend = np.full(y.shape, np.nan)
        if smooth and label in smooth:
            trend = as_1d(smooth[label], f"smooth[{label!r}]")
            if trend.shape != keep.shape:
                raise ValueError(f"smooth[{label!r}] must have {keep.size} values, got "
                                 f"{trend.size}")
            trend = trend[keep]
        idx = thin_indices(y.size, max(MAX_ROWS // (2 * len(panels)) - 1, 2))
        frames[str(label)] = pd.DataFrame({"iteration": x[idx], "cost": y[idx],
                                           "trend": trend[idx]})
    finite = np.concatenate([f["cost"].to_numpy() for f in frames.values()] + [np.zeros(1)])
    finite = finite[np.isfinite(finite)]
    top = float(np.quantile(finite, float(y_quantile))) or 1.0
    labels = order_of(panels.keys())
    charts = []
    for i, label in enumerate(labels):
        # One unit chart (raw and trend folded into one column): a layer inside a vconcat
        # ignores width="container" and overflows its Streamlit column.
        kinds = ["this mini-batch", "trend (≈ one epoch)"]
        charts.append(
            alt.Chart(frames[label])
            .transform_fold(["cost", "trend"], as_=["kind", "value"])
            .transform_filter("isValid(datum.value)")
            .transform_calculate(
                kind=f"datum.kind == 'cost' ? '{kinds[0]}' : '{kinds[1]}'")
            .mark_line(clip=True)
            .encode(
                x=alt.X("iteration:Q", title="iteration (mini-batch number)",
                        scale=alt.Scale(zero=False, nice=False)),
                y=alt.Y("value:Q", title="cost", scale=alt.Scale(domain=[0, top])),
                color=alt.Color("kind:N", scale=alt.Scale(domain=kinds,
                                                          range=[_colour(i), "#222222"]),
                                legend=None),
                strokeWidth=alt.StrokeWidth("kind:N", scale=alt.Scale(domain=kinds,
                                                                      range=[1, 1.8]),
                                            legend=None),
                detail="kind:N",
                tooltip=[alt.Tooltip("iteration:Q", title="iteration"),
                         alt.Tooltip("kind:N", title="line"),
                         alt.Tooltip("value:Q", format=".4g", title="cost")],
            )
            .properties(title=label, width="container", height=PANEL_HEIGHT)
        )
    chart = alt.vconcat(*charts, spacing=12).resolve_scale(color="independent",
                                                           strokeWidth="independent")
    return chart.properties(title=title) if title else chart


def _colour(i: int) -> str:
    """The ``i``-th series colour of the palette (the series colours of the curves)."""
    return series_colour(i)


def _batch_scale(n: int) -> alt.Scale:
    """Colour scale of mini-batches ``1 .. n`` (the palette's series colours, cycled)."""
    return alt.Scale(domain=list(range(1, n + 1)), range=[series_colour(i) for i in range(n)])


def partition_frame(batches: Sequence) -> pd.DataFrame:
    """Tidy frame of a partition: one row per example.

    Parameters
    ----------
    batches : list of 1-D int arrays
        Column indices of each mini-batch (``nnlab.spec.minibatch.mini_batch_indices``); together
        a permutation of ``0 .. m-1``.

    Returns
    -------
    pandas.DataFrame
        ``example`` (1-based column number in X), ``batch`` (1-based mini-batch number),
        ``position`` (0-based place after shuffling), ``batch_size``.
    """
    if not isinstance(batches, Sequence) or len(batches) == 0:
        raise ValueError(f"batches must be a non-empty list of index arrays, got {batches!r:.80}")
    rows, position = [], 0
    for b, idx in enumerate(batches, start=1):
        idx = np.asarray(idx).ravel()
        if idx.size == 0 or not np.issubdtype(idx.dtype, np.integer):
            raise ValueError(f"batches[{b - 1}] must be a non-empty integer array, got {idx!r:.80}")
        for i in idx:
            rows.append((int(i) + 1, b, position, idx.size))
            position += 1
    frame = pd.DataFrame(rows, columns=["example", "batch", "position", "batch_size"])
    if sorted(frame["example"]) != list(range(1, len(frame) + 1)):
        raise ValueError("batches must together hold each index 0 .. m-1 exactly once")
    return frame


def partition_chart(batches: Sequence) -> alt.VConcatChart:
    """The shuffle-then-partition picture: examples in order, then shuffled and cut.

    Top row: the columns of ``X`` in their original order ``1 .. m``, each coloured by the
    mini-batch it lands in. Bottom row: the same examples after shuffling, cut into consecutive
    mini-batches (the last one smaller when ``m % mini_batch_size != 0``), with each mini-batch
    labelled by its size.
    """
    frame = partition_frame(batches)
    m, n = len(frame), int(frame["batch"].max())
    colour = alt.Color("batch:O", title="mini-batch", scale=_batch_scale(n),
                       legend=None)
    width = CELL * m
    tooltip = [alt.Tooltip("example:Q", title="example (column of X)"),
               alt.Tooltip("batch:O", title="mini-batch"),
               alt.Tooltip("batch_size:Q", title="its size")]

    x_scale = alt.Scale(domain=[0, m], nice=False, zero=True)

    def strip(x_field: str, title: str) -> alt.LayerChart:
        base = alt.Chart(frame).transform_calculate(
            left=f"datum.{x_field}", right=f"datum.{x_field} + 1",
            middle=f"datum.{x_field} + 0.5")
        cells = base.mark_rect(stroke="white", strokeWidth=2).encode(
            x=alt.X("left:Q", axis=None, scale=x_scale), x2="right:Q", color=colour,
            tooltip=tooltip)
        text = base.mark_text(color="white", fontWeight="bold").encode(
            x=alt.X("middle:Q", axis=None, scale=x_scale), text="example:Q", tooltip=tooltip)
        return alt.layer(cells, text).properties(width=width, height=CELL, title=title)

    frame["before"] = frame["example"] - 1
    before = strip("before", f"1. The {m} examples (columns of X), in order")
    after = strip("position", f"2. Shuffled, then cut into {n} mini-batches")
    sizes = (frame.groupby("batch").agg(start=("position", "min"), size=("batch_size", "first"))
             .reset_index())
    sizes["middle"] = sizes["start"] + sizes["size"] / 2
    sizes["text"] = [f"batch {b}: {s}" for b, s in zip(sizes["batch"], sizes["size"],
                                                        strict=True)]
    labels = (alt.Chart(sizes).mark_text(baseline="top", fontSize=12, fontWeight="bold")
              .encode(x=alt.X("middle:Q", axis=None, scale=x_scale), text="text:N",
                      color=colour)
              .properties(width=width, height=18))
    return alt.vconcat(before, after, labels, spacing=6).resolve_scale(color="shared")


def batch_points_chart(X, batches: Sequence, *, title: str | None = None) -> alt.LayerChart:
    """The examples of a small 2-D set, coloured by the mini-batch they land in.

    Parameters
    ----------
    X : array_like (2, m)
        Examples are columns.
    batches : list of 1-D int arrays
        Column indices of each mini-batch (a permutation of ``0 .. m-1`` in all).

    Returns
    -------
    altair.LayerChart
        Circles in the colour of their mini-batch, labelled with their column number ``1..m``.
    """
    X = np.asarray(X, dtype=float)
    frame = partition_frame(batches)
    if X.ndim != 2 or X.shape != (2, len(frame)):
        raise ValueError(f"X must have shape (2, {len(frame)}), got {X.shape}")
    frame["x1"] = X[0, frame["example"] - 1]
    frame["x2"] = X[1, frame["example"] - 1]
    base = alt.Chart(frame).encode(
        x=alt.X("x1:Q", title="x₁", scale=alt.Scale(zero=False)),
        y=alt.Y("x2:Q", title="x₂", scale=alt.Scale(zero=False)),
        tooltip=[alt.Tooltip("example:Q", title="example (column of X)"),
                 alt.Tooltip("batch:O", title="mini-batch")])
    dots = base.mark_circle(size=260, opacity=0.9).encode(
        color=alt.Color("batch:O", title="mini-batch",
                        scale=_batch_scale(int(frame["batch"].max()))))
    text = base.mark_text(color="white", fontSize=10, fontWeight="bold").encode(
        text="example:Q")
    props = {"height": 280, "width": "container"}
    if title:
        props["title"] = title
    return alt.layer(dots, text).properties(**props)
