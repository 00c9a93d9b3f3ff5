"""A 2-D function as a contour-like heatmap, with optimizer paths on top."""

from __future__ import annotations

from collections.abc import Mapping

import altair as alt
import numpy as np
import pandas as pd

from ._common import (
    MAX_ROWS,
    check_mapping,
    grid_frame,
    order_of,
    thin_indices,
    with_centres,
)
from .palette import series_scale

#: Number of colour bands of the contour-like heatmap.
N_LEVELS = 14
#: Grids larger than this are thinned.
MAX_CELLS = 4000
CONTOUR_HEIGHT = 380


def _bands(z: np.ndarray, log_z: bool) -> np.ndarray:
    """Lower edge of the band each value falls in (``N_LEVELS`` equal bands)."""
    t = np.log10(z) if log_z else z
    lo, hi = float(t.min()), float(t.max())
    if hi <= lo:
        return z.copy()
    edges = np.linspace(lo, hi, N_LEVELS + 1)
    band = np.clip(np.floor((t - lo) / (hi - lo) * N_LEVELS).astype(int), 0, N_LEVELS - 1)
    return 10.0 ** edges[band] if log_z else edges[band]


def path_frame(paths: Mapping) -> pd.DataFrame:
    """Long frame of optimizer paths: ``path``, ``step``, ``x``, ``y`` (finite only)."""
    check_mapping(paths, "paths")
    cap = max(MAX_ROWS // len(paths) - 1, 2)
    frames = []
    for label, pts in paths.items():
        P = np.asarray(pts, dtype=np.float64)
        if P.ndim != 2 or P.shape[1] != 2:
            raise ValueError(f"paths[{label!r}] must have shape (k, 2), got {P.shape}")
        step = np.arange(P.shape[0])
        keep = np.isfinite(P).all(axis=1)
        P, step = P[keep], step[keep]
        idx = thin_indices(step.size, cap)
        frames.append(
            pd.DataFrame({"path": str(label), "step": step[idx], "x": P[idx, 0], "y": P[idx, 1]})
        )
    return pd.concat(frames, ignore_index=True)


def contour_chart(
    xs,
    ys,
    Z,
    *,
    paths: Mapping | None = None,
    log_z: bool = True,
    title: str | None = None,
    start=None,
) -> alt.LayerChart:
    """Filled contour-like heatmap of ``f(x, y)`` with optional optimizer paths.

    Parameters
    ----------
    xs : array_like, shape (nx,)
    ys : array_like, shape (ny,)
    Z : array_like, shape (ny, nx)
        ``Z[i, j] = f(xs[j], ys[i])`` (``np.meshgrid`` layout).
    paths : dict, optional
        Label (optimizer name) -> array of shape (k, 2): the points visited, in
        order. Drawn as lines with point markers, ordered by step.
    log_z : bool, default True
        Colour by ``log10 f``: right for valleys such as Rosenbrock's. Values
        ``<= 0`` are raised to the smallest positive value of ``Z``.
    title : str, optional
        Chart title.
    start : array_like of shape (2,), optional
        Starting point, marked with a diamond. Without it the first point of
        each path is marked.

    Returns
    -------
    altair.LayerChart
        Rect heatmap (``N_LEVELS`` colour bands; the tooltip shows the exact
        value), path lines and points, start marker. The view is clipped to
        the grid, so a path that diverges leaves the picture instead of
        stretching it. Non-finite values (grid or paths) are dropped.
    """
    grid = grid_frame(xs, ys, Z, "Z", MAX_CELLS)
    # The view is the whole grid: paths that leave it are clipped, not followed.
    x_dom = [float(grid["x_lo"].min()), float(grid["x_hi"].max())]
    y_dom = [float(grid["y_lo"].min()), float(grid["y_hi"].max())]
    grid = grid[np.isfinite(grid["z"])].reset_index(drop=True)
    z = grid["z"].to_numpy()
    if log_z and z.size:
        positive = z[z > 0]
        floor = float(positive.min()) if positive.size else 1e-12
        z = np.maximum(z, floor)
    grid["band"] = _bands(z, log_z) if z.size else z
    # cell edges on whole pixels (round): no antialiased seam between two cells
    x_scale = alt.Scale(domain=x_dom, nice=False, zero=False, round=True)
    y_scale = alt.Scale(domain=y_dom, nice=False, zero=False, round=True)
    x_enc = alt.X("x:Q", scale=x_scale, title="x")
    y_enc = alt.Y("y:Q", scale=y_scale, title="y")

    heat = (
        with_centres(alt.Chart(grid))
        .mark_rect()
        .encode(
            x=alt.X("x_lo:Q", scale=x_scale, title="x"),
            x2="x_hi:Q",
            y=alt.Y("y_lo:Q", scale=y_scale, title="y"),
            y2="y_hi:Q",
            color=alt.Color(
                "band:Q",
                title="f(x, y)",
                scale=alt.Scale(type="log" if log_z else "linear", scheme="viridis", nice=False),
            ),
            tooltip=[
                alt.Tooltip("x:Q", format=".3f", title="x"),
                alt.Tooltip("y:Q", format=".3f", title="y"),
                alt.Tooltip("z:Q", format=".4g", title="f(x, y)"),
            ],
        )
    )
    layers = [heat]
    starts = None
    if paths:
        pf = path_frame(paths)
        labels = order_of(paths.keys())
        stroke = alt.Stroke(
            "path:N",
            title="path",
            sort=labels,
            scale=series_scale(labels),
        )
        base = alt.Chart(pf).encode(x=x_enc, y=y_enc, order=alt.Order("step:Q"))
        halo = base.mark_line(clip=True, color="white", strokeWidth=4, opacity=0.7).encode(
            detail="path:N"
        )
        line = base.mark_line(clip=True, strokeWidth=2).encode(stroke=stroke)
        dots = base.mark_point(clip=True, filled=False, size=22, strokeWidth=1.5).encode(
            stroke=stroke,
            tooltip=[
                alt.Tooltip("path:N", title="path"),
                alt.Tooltip("step:Q", title="step"),
                alt.Tooltip("x:Q", format=".4f", title="x"),
                alt.Tooltip("y:Q", format=".4f", title="y"),
            ],
        )
        layers += [halo, line, dots]
        if start is None and len(pf):
            starts = pf.sort_values("step").groupby("path", sort=False).head(1)[["x", "y"]]
            starts = starts.drop_duplicates()
    if start is not None:
        s = np.asarray(start, dtype=np.float64).ravel()
        if s.shape != (2,):
            raise ValueError(f"start must be a point (x, y), got {start!r}")
        starts = pd.DataFrame({"x": [s[0]], "y": [s[1]]})
    if starts is not None:
        starts = starts[np.isfinite(starts).all(axis=1)].assign(mark="start")
        marker = alt.Chart(starts).encode(x=x_enc, y=y_enc)
        layers.append(
            marker.mark_point(
                shape="diamond",
                size=150,
                filled=True,
                color="black",
                stroke="white",
                strokeWidth=1.5,
                opacity=1,
                clip=True,
            ).encode(tooltip=[alt.Tooltip("mark:N", title="mark"), "x:Q", "y:Q"])
        )
        layers.append(
            marker.mark_text(
                align="left", dx=8, dy=-8, fontWeight="bold", color="white", clip=True
            ).encode(text="mark:N")
        )
    chart = alt.layer(*layers).properties(width="container", height=CONTOUR_HEIGHT)
    return chart.properties(title=title) if title is not None else chart


def race_map_chart(xs, ys, Z, *, paths: Mapping | None = None, log_z: bool = True, start=None,
                   select_name: str | None = None) -> alt.LayerChart:
    """:func:`contour_chart` as the loss-landscapes race draws it: a click selection and the
    legend under the map.

    Parameters
    ----------
    xs, ys, Z, paths, log_z, start
        As for :func:`contour_chart`.
    select_name : str, optional
        Name of a click selection (point, fields ``x`` and ``y``, not cleared by a click
        elsewhere) for ``st.vega_lite_chart(..., on_select="rerun")``: a click picks a start.

    Returns
    -------
    altair.LayerChart
        The legend is horizontal below the map, in two columns (four paths fit a narrow map).
    """
    chart = contour_chart(xs, ys, Z, paths=paths, log_z=log_z, start=start)
    if select_name is not None:
        chart = chart.add_params(alt.selection_point(name=select_name, fields=["x", "y"],
                                                     on="click", clear=False))
    return chart.configure_legend(orient="bottom", direction="horizontal", columns=2)
