"""Distributions of values: histograms and heatmaps of weight matrices."""

from __future__ import annotations

from collections.abc import Mapping

import altair as alt
import numpy as np
import pandas as pd

from ._common import (
    MAX_ROWS,
    PANEL_WIDTH,
    as_1d,
    check_mapping,
    order_of,
)
from .palette import series_scale

#: Largest part of a weight matrix drawn per snapshot (rows = units, columns = inputs).
MAX_UNITS = 40
MAX_INPUTS = 40


def histograms_chart(
    values: Mapping, *, title: str | None = None, bins: int = 30
) -> alt.FacetChart:
    """One histogram per group (weights per variant, activations per layer, ...).

    Parameters
    ----------
    values : dict
        Group label -> array of any shape (flattened).
    title : str, optional
        Chart title.
    bins : int, default 30
        Number of bins, shared by every group so that the panels compare.

    Returns
    -------
    altair.FacetChart
        Bars binned in NumPy (so a million weights are drawn as ``bins`` rows),
        one facet row per group, one colour per group, shared x axis and an
        independent y axis (counts differ in size across groups).

    Notes
    -----
    Non-finite values are dropped; the tooltip tells how many there were.
    """
    check_mapping(values, "values")
    if int(bins) < 1:
        raise ValueError(f"bins must be >= 1, got {bins!r}")
    arrays = {str(k): as_1d(v, f"values[{k!r}]") for k, v in values.items()}
    finite = {k: a[np.isfinite(a)] for k, a in arrays.items()}
    pooled = np.concatenate([a for a in finite.values()] + [np.zeros(0)])
    lo, hi = (float(pooled.min()), float(pooled.max())) if pooled.size else (0.0, 1.0)
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    edges = np.linspace(lo, hi, int(bins) + 1)
    frames = []
    for label, a in finite.items():
        counts, _ = np.histogram(a, bins=edges)
        frames.append(
            pd.DataFrame(
                {
                    "group": label,
                    "bin_start": edges[:-1],
                    "bin_end": edges[1:],
                    "count": counts,
                    "fraction": counts / max(a.size, 1),
                    "dropped": int(arrays[label].size - a.size),
                }
            )
        )
    frame = pd.concat(frames, ignore_index=True)
    labels = order_of(values.keys())
    chart = (
        alt.Chart(frame)
        .mark_bar(opacity=0.85, binSpacing=0)
        .encode(
            x=alt.X("bin_start:Q", title="value", scale=alt.Scale(zero=False, nice=False)),
            x2="bin_end:Q",
            y=alt.Y("count:Q", title="count"),
            # With x and x2 but no y2, Vega-Lite draws a horizontal ranged bar (thin dashes).
            y2=alt.datum(0),
            color=alt.Color(
                "group:N", legend=None, scale=series_scale(labels)
            ),
            tooltip=[
                alt.Tooltip("group:N", title="group"),
                alt.Tooltip("bin_start:Q", format=".3g", title="from"),
                alt.Tooltip("bin_end:Q", format=".3g", title="to"),
                alt.Tooltip("count:Q", title="count"),
                alt.Tooltip("fraction:Q", format=".1%", title="share"),
                alt.Tooltip("dropped:Q", title="non-finite dropped"),
            ],
        )
        .properties(width=2 * PANEL_WIDTH, height=90)
    )
    facet = chart.facet(
        row=alt.Row(
            "group:N", sort=labels, title=None, header=alt.Header(labelAngle=0, labelAlign="left")
        ),
    ).resolve_scale(y="independent")
    return facet.properties(title=title) if title is not None else facet


def weights_heatmap_chart(snapshots: Mapping, *, title: str | None = None) -> alt.FacetChart:
    """Heatmaps of a weight matrix at several moments, side by side.

    Parameters
    ----------
    snapshots : dict
        Label (e.g. ``"epoch 0"``) -> 2-D array such as ``W1`` of shape
        ``(n_1, n_0)``: rows are units, columns are inputs.
    title : str, optional
        Chart title.

    Returns
    -------
    altair.FacetChart
        One rect heatmap per snapshot (facet columns in the given order),
        rows = unit, columns = input, on a diverging scale symmetric around 0
        shared by all snapshots. Identical rows (zero or constant
        initialisation: symmetry is never broken) show as identical stripes.

    Notes
    -----
    Only the first ``MAX_UNITS`` units and ``MAX_INPUTS`` inputs are drawn
    (fewer when there are many snapshots); the facet title says so.
    Non-finite weights are left blank.
    """
    check_mapping(snapshots, "snapshots")
    mats = {}
    for label, W in snapshots.items():
        W = np.asarray(W, dtype=np.float64)
        if W.ndim == 1:
            W = W.reshape(1, -1)
        if W.ndim != 2:
            raise ValueError(f"snapshots[{label!r}] must be 2-D, got shape {W.shape}")
        mats[str(label)] = W
    budget = MAX_ROWS // len(mats)
    frames, names = [], []
    for label, W in mats.items():
        n_units = min(W.shape[0], MAX_UNITS, max(budget // max(min(W.shape[1], MAX_INPUTS), 1), 1))
        n_inputs = min(W.shape[1], MAX_INPUTS, max(budget // n_units, 1))
        name = label
        if (n_units, n_inputs) != W.shape:
            name = f"{label} (first {n_units}×{n_inputs} of {W.shape[0]}×{W.shape[1]})"
        names.append(name)
        part = W[:n_units, :n_inputs]
        unit, inp = np.meshgrid(
            np.arange(1, n_units + 1), np.arange(1, n_inputs + 1), indexing="ij"
        )
        frames.append(
            pd.DataFrame(
                {"snapshot": name, "unit": unit.ravel(), "input": inp.ravel(), "w": part.ravel()}
            )
        )
    frame = pd.concat(frames, ignore_index=True)
    frame = frame[np.isfinite(frame["w"])]
    bound = float(frame["w"].abs().max()) if len(frame) else 1.0
    bound = bound if bound > 0 else 1.0
    chart = (
        alt.Chart(frame)
        .mark_rect()
        .encode(
            x=alt.X("input:O", title="input j"),
            y=alt.Y("unit:O", title="unit i"),
            color=alt.Color(
                "w:Q",
                title="weight",
                scale=alt.Scale(scheme="blueorange", domain=[-bound, bound], domainMid=0),
            ),
            tooltip=[
                alt.Tooltip("snapshot:N", title="snapshot"),
                alt.Tooltip("unit:O", title="unit i"),
                alt.Tooltip("input:O", title="input j"),
                alt.Tooltip("w:Q", format=".4f", title="w[i, j]"),
            ],
        )
        .properties(width=PANEL_WIDTH // 2 if frame["input"].max() <= 4 else PANEL_WIDTH)
    )
    facet = chart.facet(column=alt.Column("snapshot:N", sort=names, title=None))
    return facet.properties(title=title) if title is not None else facet
