"""Decision boundaries and scatter plots of 2-D data sets.

The caller evaluates the model on a grid (``np.meshgrid`` of ``xs`` and
``ys``); these builders only draw what they are given.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import altair as alt
import numpy as np
import pandas as pd

from ._common import (
    CHART_HEIGHT,
    data_frame,
    grid_frame,
    label_scale,
    with_centres,
)
from .palette import probability_scale, shape_scale

#: Grids larger than this are thinned (a 60 x 60 grid is drawn as is).
MAX_CELLS = 4000
#: Opacity of the prediction heatmap under the points.
BINARY_OPACITY = 0.6
MULTICLASS_OPACITY = 0.35
#: Length in pixels of the P(y = 1) colour bar (a legend below the panels).
GRADIENT_LENGTH = 160


def _points_layer(points: pd.DataFrame, scale: alt.Scale, x_scale, y_scale, *,
                  y_axis=alt.Undefined, legend=alt.Undefined) -> alt.Chart:
    """Points with a white outline, filled with the colour of the true label and shaped by it
    (circle, square, triangle, ...: the class's second channel besides its colour)."""
    n_classes = len(scale.domain) if isinstance(scale.domain, list) else 2
    return (
        alt.Chart(points)
        .mark_point(size=44, filled=True, stroke="white", strokeWidth=0.8, opacity=0.95,
                    clip=True)
        .encode(
            x=alt.X("x1:Q", scale=x_scale, title="x₁"),
            y=alt.Y("x2:Q", scale=y_scale, title="x₂", axis=y_axis),
            fill=alt.Fill("label:N", scale=scale, title="true label", legend=legend),
            shape=alt.Shape("label:N", scale=shape_scale(n_classes), title="true label",
                            legend=legend),
            tooltip=[
                alt.Tooltip("x1:Q", format=".3f", title="x₁"),
                alt.Tooltip("x2:Q", format=".3f", title="x₂"),
                alt.Tooltip("label:N", title="true label"),
            ],
        )
    )


def _check_panel(panel, i: int) -> str:
    """Validate one panel dict and return its kind: ``"probs"`` or ``"classes"``."""
    if not isinstance(panel, Mapping):
        raise ValueError(f"panels[{i}] must be a dict, got {type(panel).__name__}")
    missing = [k for k in ("label", "xs", "ys", "X", "Y") if k not in panel]
    if missing:
        raise ValueError(f"panels[{i}] is missing keys {missing}")
    kinds = [k for k in ("probs", "classes") if k in panel]
    if len(kinds) != 1:
        raise ValueError(f"panels[{i}] needs exactly one of 'probs' or 'classes', got {kinds}")
    return kinds[0]


def decision_boundary_chart(
    panels: Sequence[Mapping], *, columns: int = 2, height: int = 260
) -> alt.ConcatChart:
    """Side-by-side decision boundaries, one panel per trained variant.

    Parameters
    ----------
    panels : list of dict
        Each dict has ``"label"`` (str, the panel title), ``"xs"`` (nx,) and
        ``"ys"`` (ny,) grid coordinates, ``"X"`` (2, m) and ``"Y"`` (1, m) the
        data set, and exactly one of

        - ``"probs"`` (ny, nx): probability of class 1 (binary), drawn with a
          diverging scale from class 0's colour through white to class 1's on the domain [0, 1];
        - ``"classes"`` (ny, nx): predicted class (multiclass), drawn in the
          class colour at a lower opacity.

        ``probs[i, j]`` is the prediction at ``(xs[j], ys[i])``.
    columns : int, default 2
        Panels per row.
    height : int, default 260
        Height (and width) of one panel in pixels. The whole chart is about
        ``columns * (height + 20) + 50`` pixels wide: only the first panel of a
        row draws the (shared) x₂ axis, and the legends sit below the panels,
        so that 4 panels of 190 px fit the page on a laptop.

    Returns
    -------
    altair.ConcatChart
        One layered panel (rect heatmap + circles) per entry of ``panels``, with
        shared x, y and colour scales.

    Notes
    -----
    A grid of more than ``MAX_CELLS`` cells is thinned with a regular stride;
    non-finite predictions are left blank.
    """
    if not isinstance(panels, Sequence) or isinstance(panels, str) or len(panels) == 0:
        raise ValueError(f"panels must be a non-empty list of dicts, got {panels!r:.80}")
    if int(columns) < 1:
        raise ValueError(f"columns must be >= 1, got {columns!r}")
    kinds = {_check_panel(p, i) for i, p in enumerate(panels)}
    if len(kinds) != 1:
        raise ValueError("panels must all have 'probs' or all have 'classes', got a mix")
    binary = kinds == {"probs"}

    grids, points = [], []
    for i, panel in enumerate(panels):
        key = "probs" if binary else "classes"
        grid = grid_frame(panel["xs"], panel["ys"], panel[key], f"panels[{i}][{key!r}]", MAX_CELLS)
        grids.append(grid)
        points.append(data_frame(panel["X"], panel["Y"], f"panels[{i}]['X']", f"panels[{i}]['Y']"))

    # The view spans the whole grid, even where the prediction is not finite.
    x_dom = [min(g["x_lo"].min() for g in grids), max(g["x_hi"].max() for g in grids)]
    y_dom = [min(g["y_lo"].min() for g in grids), max(g["y_hi"].max() for g in grids)]
    grids = [g[np.isfinite(g["z"])] for g in grids]
    n_classes = 2
    if not binary:
        tops = [g["z"].max() for g in grids if len(g)] + [
            p["label"].max() for p in points if len(p)
        ]
        n_classes = int(max(tops, default=1)) + 1
    labels = label_scale(n_classes)
    # cell edges on whole pixels (round): no antialiased seam between two cells
    x_scale = alt.Scale(domain=x_dom, nice=False, zero=False, round=True)
    y_scale = alt.Scale(domain=y_dom, nice=False, zero=False, round=True)

    charts = []
    for i, (panel, grid, pts) in enumerate(zip(panels, grids, points, strict=True)):
        # The y scale is shared: its axis is drawn once per row, at the left.
        y_axis = alt.Undefined if i % int(columns) == 0 else None
        if binary:
            color = alt.Color(
                "z:Q",
                title="P(y = 1)",
                scale=probability_scale(),
                legend=alt.Legend(orient="bottom", direction="horizontal",
                                  gradientLength=GRADIENT_LENGTH),
            )
            opacity, z_tip = BINARY_OPACITY, alt.Tooltip("z:Q", format=".3f", title="P(y = 1)")
        else:
            grid = grid.assign(z=grid["z"].round().astype(int))
            color = alt.Color("z:N", title="predicted class", scale=labels, legend=None)
            opacity, z_tip = MULTICLASS_OPACITY, alt.Tooltip("z:N", title="predicted class")
        heat = (
            with_centres(alt.Chart(grid))
            .mark_rect(opacity=opacity)
            .encode(
                x=alt.X("x_lo:Q", scale=x_scale, title="x₁"),
                x2="x_hi:Q",
                y=alt.Y("y_lo:Q", scale=y_scale, title="x₂", axis=y_axis),
                y2="y_hi:Q",
                color=color,
                tooltip=[
                    alt.Tooltip("x:Q", format=".2f", title="x₁"),
                    alt.Tooltip("y:Q", format=".2f", title="x₂"),
                    z_tip,
                ],
            )
        )
        layer = alt.layer(heat, _points_layer(pts, labels, x_scale, y_scale, y_axis=y_axis,
                                              legend=alt.Legend(orient="bottom",
                                                                direction="horizontal")))
        charts.append(layer.properties(title=str(panel["label"]), width=height, height=height))
    return alt.concat(*charts, columns=int(columns)).resolve_scale(
        x="shared", y="shared", color="shared", fill="shared", shape="shared"
    )


def points_chart(X, Y, *, title: str | None = None) -> alt.Chart:
    """Scatter plot of a 2-D data set coloured by class.

    Parameters
    ----------
    X : array_like, shape (2, m)
        Examples are columns.
    Y : array_like, shape (1, m)
        Integer labels ``0 .. C-1`` (class colours and shapes of :mod:`nnlab.viz.palette`).
    title : str, optional
        Chart title.

    Returns
    -------
    altair.Chart
        Circles with a white outline; non-finite points dropped.
    """
    points = data_frame(X, Y)
    n_classes = int(points["label"].max()) + 1 if len(points) else 2
    x_scale = alt.Scale(zero=False)
    y_scale = alt.Scale(zero=False)
    chart = _points_layer(points, label_scale(n_classes), x_scale, y_scale)
    chart = chart.encode(fill=alt.Fill("label:N", scale=label_scale(n_classes), title="class"),
                         shape=alt.Shape("label:N", scale=shape_scale(n_classes), title="class"))
    props = {"width": "container", "height": CHART_HEIGHT}
    if title is not None:
        props["title"] = title
    return chart.properties(**props)
