"""Charts of the softmax page: decision regions with one chosen point marked, and class
probabilities as bars in the colours of the classes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import altair as alt
import numpy as np
import pandas as pd

from ._common import CLASS_COLOUR_NAMES, CLASS_COLOURS
from .boundary import decision_boundary_chart
from .raster import class_colours

#: Size of the cross that marks the chosen point.
MARKER_SIZE = 260
#: Names for the class colours, by their RGB: the nearest one names a colour.
COLOUR_NAMES = {name: tuple(int(h.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4))
                for name, h in zip(CLASS_COLOUR_NAMES, CLASS_COLOURS, strict=True)}


def class_colour_hexes(n_classes: int) -> list[str]:
    """The classes' colours as ``"#rrggbb"``: exactly the decision images' colours
    (:func:`nnlab.viz.raster.class_colours`), so that a class has one colour on every chart
    (``palette.CLASS_COLOURS``: 0 vermillion, 1 blue, 2 green, ...)."""
    return ["#" + "".join(f"{int(round(v)):02x}" for v in c)
            for c in class_colours(max(int(n_classes), 2))][:max(int(n_classes), 2)]


def colour_name(hex_colour: str) -> str:
    """The name of the nearest of :data:`COLOUR_NAMES` (``"#d55e00"`` -> ``"vermillion"``)."""
    h = hex_colour.lstrip("#")
    c = np.array([int(h[i:i + 2], 16) for i in (0, 2, 4)], dtype=float)
    return min(COLOUR_NAMES, key=lambda n: float(np.sum((np.array(COLOUR_NAMES[n]) - c) ** 2)))


def class_colour_names(n_classes: int) -> list[str]:
    """``["vermillion", "blue", "green", ...]``: the names of :func:`class_colour_hexes`."""
    return [colour_name(h) for h in class_colour_hexes(n_classes)]


def regions_with_point_chart(panels: Sequence[Mapping], point, *, columns: int = 2,
                             height: int = 260) -> alt.ConcatChart:
    """``decision_boundary_chart(panels)`` with a black cross at ``point`` in every panel.

    Parameters
    ----------
    panels : list of dict
        As for :func:`nnlab.viz.decision_boundary_chart`.
    point : sequence of 2 floats
        ``(x1, x2)``, the point whose probabilities the page shows.
    columns, height : as for :func:`nnlab.viz.decision_boundary_chart`.

    Returns
    -------
    altair.ConcatChart
    """
    xy = np.asarray(point, dtype=np.float64).ravel()
    if xy.shape != (2,) or not np.all(np.isfinite(xy)):
        raise ValueError(f"point must be two finite numbers (x1, x2), got {point!r:.80}")
    chart = decision_boundary_chart(panels, columns=columns, height=height)
    frame = pd.DataFrame({"x1": [xy[0]], "x2": [xy[1]]})
    marker = alt.Chart(frame).mark_point(
        shape="cross", size=MARKER_SIZE, filled=True, color="black", stroke="white",
        strokeWidth=1.0, opacity=1.0).encode(
        x="x1:Q", y="x2:Q",
        tooltip=[alt.Tooltip("x1:Q", format=".2f", title="x₁"),
                 alt.Tooltip("x2:Q", format=".2f", title="x₂")])
    chart.concat = [alt.layer(*panel.layer, marker).properties(
        title=panel.title, width=panel.width, height=panel.height) for panel in chart.concat]
    return chart


def class_probability_chart(probs, *, labels=None, title: str | None = None,
                            height: int = 260) -> alt.LayerChart:
    """Bars of C class probabilities on a fixed 0-to-1 axis, each in its class colour.

    Parameters
    ----------
    probs : array_like, shape (C,)
        Probabilities (e.g. one column of a softmax output).
    labels : sequence of str, optional
        Bar labels (default ``"class 0" .. "class C-1"``).
    title : str, optional
    height : int, default 260

    Returns
    -------
    altair.LayerChart
        Bars coloured like the classes of the decision-region charts and images
        (:func:`class_colour_hexes` of C classes, so two classes are vermillion and blue as
        on every binary page), with the value written above each bar to 3 decimals. A fixed
        axis makes two charts comparable.
    """
    p = np.asarray(probs, dtype=np.float64).ravel()
    if p.size < 2 or not np.all(np.isfinite(p)):
        raise ValueError(f"probs must be at least 2 finite numbers, got {probs!r:.80}")
    labels = [f"class {k}" for k in range(p.size)] if labels is None else [str(s) for s in labels]
    if len(labels) != p.size:
        raise ValueError(f"labels must have {p.size} names, got {len(labels)}: {labels!r:.80}")
    frame = pd.DataFrame({"label": labels, "class": np.arange(p.size), "probability": p})
    base = alt.Chart(frame).encode(
        x=alt.X("label:N", sort=labels, title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("probability:Q", title="probability", scale=alt.Scale(domain=[0, 1])),
        tooltip=[alt.Tooltip("label:N", title="class"),
                 alt.Tooltip("probability:Q", format=".4f", title="probability")])
    colours = alt.Scale(domain=list(range(p.size)), range=class_colour_hexes(p.size))
    bars = base.mark_bar().encode(color=alt.Color("class:N", scale=colours, legend=None))
    text = base.mark_text(baseline="bottom", dy=-3).encode(
        text=alt.Text("probability:Q", format=".3f"))
    chart = alt.layer(bars, text).properties(width="container", height=height)
    return chart.properties(title=title) if title is not None else chart

