"""Shared helpers of the chart builders: palette, input checks, tidy frames.

Everything here turns plain NumPy data into small ``pandas.DataFrame`` objects
in "long" form (one row per mark), which is what Altair wants. Nothing here
draws, and nothing imports Streamlit or the training engine.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import altair as alt
import numpy as np
import pandas as pd

# Re-exported: the live pictures (raster, network) import the class colours from here.
from .palette import CLASS_COLOUR_NAMES, CLASS_COLOURS, GREY, class_scale  # noqa: F401

#: Binary classes: 0 and 1 in the palette's class colours (:mod:`nnlab.viz.palette`; the names
#: are the course's planar-data colours, kept for the modules that import them).
RED = CLASS_COLOURS[0]
BLUE = CLASS_COLOURS[1]

#: Altair refuses to embed a data set of more than 5000 rows; stay below it.
MAX_ROWS = 5000

#: Significant digits kept for grid coordinates and values embedded in a chart.
SIGNIFICANT_DIGITS = 5

#: Default sizes in pixels (readable on a laptop, fine in a Streamlit column).
PANEL_WIDTH = 260
CHART_HEIGHT = 300


def check_mapping(value, name: str) -> Mapping:
    """Return ``value`` if it is a non-empty mapping, else raise ``ValueError``."""
    if not isinstance(value, Mapping) or len(value) == 0:
        raise ValueError(f"{name} must be a non-empty dict, got {value!r:.80}")
    return value


def as_1d(values, name: str) -> np.ndarray:
    """Return ``values`` as a flat float64 array (non-finite entries kept)."""
    try:
        arr = np.asarray(values, dtype=np.float64).ravel()
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric, got {values!r:.80}") from exc
    return arr


def keep_mask(y: np.ndarray, log: bool) -> np.ndarray:
    """Boolean mask of the values that can be drawn: finite, and > 0 on a log axis."""
    mask = np.isfinite(y)
    if log:
        mask &= y > 0
    return mask


def data_frame(X, Y, name_x: str = "X", name_y: str = "Y") -> pd.DataFrame:
    """Tidy frame of a 2-D data set in the course's layout.

    Parameters
    ----------
    X : array_like, shape (2, m)
        Examples are columns.
    Y : array_like, shape (1, m) or (m,)
        Integer class labels ``0 .. C-1``.

    Returns
    -------
    pandas.DataFrame
        Columns ``x1``, ``x2`` (floats) and ``label`` (int), one row per example
        whose coordinates are finite.
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] != 2:
        raise ValueError(f"{name_x} must have shape (2, m), got shape {X.shape}")
    Y = np.asarray(Y).reshape(-1)
    if Y.shape[0] != X.shape[1]:
        raise ValueError(
            f"{name_y} must have shape (1, m) with m={X.shape[1]}, got {Y.shape[0]} labels"
        )
    frame = pd.DataFrame({"x1": X[0], "x2": X[1], "label": np.rint(Y).astype(int)})
    return frame[np.isfinite(X).all(axis=0)].reset_index(drop=True)


def label_scale(n_classes: int) -> alt.Scale:
    """Colour scale of true class labels (:func:`nnlab.viz.palette.class_scale`)."""
    return class_scale(n_classes)


def cell_edges(centres: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Left and right edges of the cells of a grid given by its (sorted) centres."""
    c = np.asarray(centres, dtype=np.float64).ravel()
    if c.size == 1:
        return c - 0.5, c + 0.5
    mid = (c[1:] + c[:-1]) / 2.0
    lo = np.concatenate([[c[0] - (mid[0] - c[0])], mid])
    hi = np.concatenate([mid, [c[-1] + (c[-1] - mid[-1])]])
    return lo, hi


def grid_frame(xs, ys, Z, name: str, max_cells: int = 4000) -> pd.DataFrame:
    """Long frame of a function sampled on a grid, one row per cell.

    Parameters
    ----------
    xs : array_like, shape (nx,)
    ys : array_like, shape (ny,)
    Z : array_like, shape (ny, nx)
        ``Z[i, j]`` is the value at ``(xs[j], ys[i])`` (``np.meshgrid`` layout).
    name : str
        Name of ``Z`` for error messages.
    max_cells : int
        Grids with more cells are thinned with a regular stride.

    Returns
    -------
    pandas.DataFrame
        Columns ``x_lo``, ``x_hi``, ``y_lo``, ``y_hi`` (cell edges) and ``z``,
        rounded by :func:`short_floats`; non-finite ``z`` are kept (callers
        filter). Cell centres are left to a Vega-Lite ``calculate`` transform
        (see :func:`with_centres`).
    """
    xs = as_1d(xs, "xs")
    ys = as_1d(ys, "ys")
    for name_c, c in (("xs", xs), ("ys", ys)):
        if c.size == 0 or not np.isfinite(c).all():
            raise ValueError(f"{name_c} must be a non-empty array of finite values, got {c!r:.80}")
    Z = np.asarray(Z)
    if Z.shape != (ys.size, xs.size):
        raise ValueError(
            f"{name} must have shape (len(ys), len(xs)) = {(ys.size, xs.size)}, got {Z.shape}"
        )
    step = 1
    while -(-ys.size // step) * -(-xs.size // step) > max_cells:
        step += 1
    xs, ys, Z = xs[::step], ys[::step], Z[::step, ::step]
    x_lo, x_hi = cell_edges(xs)
    y_lo, y_hi = cell_edges(ys)
    jj, ii = np.meshgrid(np.arange(xs.size), np.arange(ys.size))
    jj, ii = jj.ravel(), ii.ravel()
    return pd.DataFrame(
        {
            "x_lo": short_floats(x_lo)[jj],
            "x_hi": short_floats(x_hi)[jj],
            "y_lo": short_floats(y_lo)[ii],
            "y_hi": short_floats(y_hi)[ii],
            "z": short_floats(np.asarray(Z, dtype=np.float64).ravel()),
        }
    )


def short_floats(a: np.ndarray, digits: int = SIGNIFICANT_DIGITS) -> np.ndarray:
    """Round to ``digits`` significant digits so that the chart's JSON stays small.

    A 60 x 60 grid is embedded as text in the page: full float64 reprs would
    make it several times larger for no visible difference.
    """
    return np.array([float(f"{v:.{digits}g}") for v in np.asarray(a, dtype=np.float64).ravel()])


def with_centres(chart: alt.Chart) -> alt.Chart:
    """Add the cell centres ``x``, ``y`` (for tooltips) to a chart of a grid frame."""
    return chart.transform_calculate(
        x="(datum.x_lo + datum.x_hi) / 2", y="(datum.y_lo + datum.y_hi) / 2"
    )


def thin_indices(n: int, cap: int) -> np.ndarray:
    """At most ``cap`` (at least 3) evenly spaced indices of ``range(n)``, first and last kept.

    Every ``2**k``-th index, the smallest such stride that fits: a curve that grows (a live
    run, one frame after another) keeps the same points from frame to frame until the stride
    doubles, so a thinned noisy curve does not shimmer as it grows."""
    cap = max(int(cap), 3)
    if n <= cap:
        return np.arange(n)
    stride = 1 << max(0, math.ceil(math.log2((n - 1) / (cap - 2))))
    idx = np.arange(0, n, stride)
    return idx if idx[-1] == n - 1 else np.append(idx, n - 1)


def series_frame(series: Mapping, log_y: bool, name: str = "series") -> pd.DataFrame:
    """Long frame of several curves.

    Parameters
    ----------
    series : dict
        Label -> 1-D sequence ``y`` (x is ``0, 1, ...``) or label -> ``(x, y)``.
    log_y : bool
        Also drop ``y <= 0`` (they have no place on a log axis).

    Returns
    -------
    pandas.DataFrame
        Columns ``series`` (str), ``x``, ``y``; non-finite points dropped.
    """
    check_mapping(series, name)
    frames = []
    for label, data in series.items():
        if isinstance(data, tuple) and len(data) == 2:
            x, y = as_1d(data[0], f"{name}[{label!r}][0]"), as_1d(data[1], f"{name}[{label!r}][1]")
            if x.shape != y.shape:
                raise ValueError(
                    f"{name}[{label!r}] x and y must have the same length, "
                    f"got {x.size} and {y.size}"
                )
        else:
            y = as_1d(data, f"{name}[{label!r}]")
            x = np.arange(y.size, dtype=np.float64)
        keep = keep_mask(y, log_y) & np.isfinite(x)
        x, y = x[keep], y[keep]
        idx = thin_indices(y.size, max(MAX_ROWS // len(series) - 1, 2))
        frames.append(pd.DataFrame({"series": str(label), "x": x[idx], "y": y[idx]}))
    return pd.concat(frames, ignore_index=True)


def order_of(keys: Sequence) -> list[str]:
    """Labels as strings, in the caller's order (used to sort legends and facets)."""
    return [str(k) for k in keys]
