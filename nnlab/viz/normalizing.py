"""Charts of the "Normalizing inputs" page: the cost surface in two weights."""

from __future__ import annotations

from collections.abc import Mapping

import altair as alt

from .surfaces import contour_chart

#: Side of the (square) weight-space chart in pixels: equal axes keep circles round.
SURFACE_SIDE = 340


def weight_surface_chart(w1s, w2s, Z, *, paths: Mapping | None = None, title: str | None = None,
                         side: int = SURFACE_SIDE) -> alt.LayerChart:
    """:func:`nnlab.viz.contour_chart` of ``J(w1, w2)`` on a square chart with axes ``w1, w2``.

    Parameters
    ----------
    w1s : array_like (n1,); w2s : array_like (n2,)
    Z : array_like (n2, n1), ``Z[i, j] = J(w1s[j], w2s[i])``.
    paths : dict, optional; label -> (k, 2) weights visited.
    title : str, optional
    side : int; width and height in pixels. Give both charts of a comparison equal ranges of
        ``w1`` and ``w2`` and the same ``side`` so that their shapes can be compared.

    Returns
    -------
    altair.LayerChart
    """
    chart = contour_chart(w1s, w2s, Z, paths=paths, log_z=True, title=title)
    names = {"x": "w₁", "y": "w₂", "f(x, y)": "J(w)"}
    for layer in chart.layer:
        enc = layer.encoding
        for channel in ("x", "y", "color"):
            field = getattr(enc, channel, alt.Undefined)
            if isinstance(field, alt.SchemaBase) and field._get("title") in names:
                field.title = names[field._get("title")]
        tooltip = getattr(enc, "tooltip", alt.Undefined)
        for tip in tooltip if isinstance(tooltip, list) else ():
            if isinstance(tip, alt.SchemaBase) and tip._get("title") in names:
                tip.title = names[tip._get("title")]
    return chart.properties(width=side, height=side)
