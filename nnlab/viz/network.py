"""The network as a drawing: neurons as nodes, weights (or gradients) as edges.

Each edge's width is ``|W[l][i, j]|`` (relative to the largest shown) and its colour and dash
its sign: blue and solid for positive, orange and dashed for negative (the two differ for every
kind of colour vision, and the dash says it without colour). Each node shows, as a small image,
what that neuron computes over the input plane: the inputs their own coordinate, the hidden
units their activation, the output its prediction. A click on a node selects it
(``selection_point`` named :data:`SELECTION`), so that the page can show its map large.

The spec is the same for every frame of a live run with the same layer sizes: only the data
change, so that Vega can update the chart in place.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import altair as alt
import numpy as np
import pandas as pd

from ._common import GREY

#: The name of the node selection (``st.vega_lite_chart(..., on_select="rerun")`` returns it).
SELECTION = "neuron"
#: Units drawn per layer at the most (a wider layer shows its first ones and says so).
MAX_UNITS = 10
#: Columns drawn at the most. A deeper network shows its first and last layers with a gap
#: column between them that says how many layers it leaves out (:func:`columns`).
MAX_LAYERS = 9
#: Pixels between layers and between units; the size of a node's image.
LAYER_GAP, UNIT_GAP, NODE = 110, 38, 30
POSITIVE, NEGATIVE = "#0072b2", "#e69f00"
#: Pixels below the units: room for the "+n more" labels.
MARGIN = 14


def columns(layer_dims: Sequence[int]) -> list[int | None]:
    """The layer drawn in each column (0: the input), ``None`` for the gap of a network deeper
    than :data:`MAX_LAYERS` columns: its first and last layers are drawn, the middle ones are
    counted in the gap (vanishing gradients show as thinner edges in the first layers)."""
    n = len(layer_dims)
    if n <= MAX_LAYERS:
        return list(range(n))
    head = (MAX_LAYERS - 1) // 2
    tail = MAX_LAYERS - 1 - head
    return [*range(head), None, *range(n - tail, n)]


def drawn_layers(layer_dims: Sequence[int]) -> list[int]:
    """The layers (0: the input) that the drawing shows."""
    return [l for l in columns(layer_dims) if l is not None]


def node_id(l: int, i: int) -> str:
    """The id of unit ``i`` (0-based) of layer ``l`` (0: the input)."""
    return f"{l}:{i}"


def parse_node(value) -> tuple[int, int] | None:
    """``(l, i)`` of a node id, or None for anything else (a selection from the browser)."""
    try:
        l, i = str(value).split(":")
        return int(l), int(i)
    except (TypeError, ValueError):
        return None


def layout(layer_dims: Sequence[int]) -> dict:
    """``pos``: ``{(l, i): (x, y)}`` pixel positions of the drawn units; ``width``,
    ``height``; ``gap``: ``(x, layers left out)`` of a deep network's gap column, or None."""
    cols = columns(layer_dims)
    shown = {l: min(int(layer_dims[l]), MAX_UNITS) for l in cols if l is not None}
    height = max(shown.values()) * UNIT_GAP
    pos, gap = {}, None
    for c, l in enumerate(cols):
        x = c * LAYER_GAP + NODE
        if l is None:
            gap = (x, len(layer_dims) - len(shown))
            continue
        top = (height - shown[l] * UNIT_GAP) / 2 + UNIT_GAP / 2
        for i in range(shown[l]):
            pos[(l, i)] = (x, top + i * UNIT_GAP)
    return {"pos": pos, "width": (len(cols) - 1) * LAYER_GAP + 2 * NODE, "height": height,
            "gap": gap}


def node_name(l: int, i: int, L: int) -> str:
    """How a learner names unit ``i`` of layer ``l`` of an ``L``-layer network."""
    if l == 0:
        return f"input x{i + 1}"
    if l == L:
        return "output" if i == 0 else f"output {i + 1}"
    return f"layer {l}, unit {i + 1}"


def _width(v: float, biggest: float) -> float:
    """An edge's width in 0..1: ``|v|`` over the largest finite ``|value|``; an infinite value
    is drawn at full width, NaN at none."""
    if np.isnan(v) or not biggest:
        return 0.0
    return 1.0 if np.isinf(v) else abs(v) / biggest


def network_frames(layer_dims: Sequence[int], matrices: Sequence[np.ndarray], *,
                   images: Mapping | None = None, selected=None,
                   what: str = "weight") -> tuple:
    """The tidy frames of :func:`network_chart`: edges, nodes, and the labels (None when there
    are none): "+n more" under layers wider than :data:`MAX_UNITS`, and the gap of a deep
    network ("⋯ 13 layers ⋯"). Edges join consecutive drawn layers only."""
    dims = [int(n) for n in layer_dims]
    L = len(dims) - 1
    if len(matrices) != L:
        raise ValueError(f"matrices must hold {L} arrays (one per layer), got {len(matrices)}")
    geo = layout(dims)
    pos = geo["pos"]
    # the largest finite |value| sets the widths (an overflowed weight must not thin them all)
    biggest = max((float(np.max(np.abs(np.asarray(M)[np.isfinite(M)]))) for M in matrices
                   if np.size(M) and np.isfinite(M).any()), default=0.0)
    drawn = set(drawn_layers(dims))
    edges = []
    for l in range(1, L + 1):
        M = np.asarray(matrices[l - 1], dtype=float)
        if M.shape != (dims[l], dims[l - 1]):
            raise ValueError(f"matrix {l} must have shape {(dims[l], dims[l - 1])}, "
                             f"got {M.shape}")
        if l not in drawn or l - 1 not in drawn:
            continue
        for i in range(min(dims[l], MAX_UNITS)):
            for j in range(min(dims[l - 1], MAX_UNITS)):
                v = M[i, j]
                (x, y), (x2, y2) = pos[(l - 1, j)], pos[(l, i)]
                edges.append({"x": x, "y": y, "x2": x2, "y2": y2,
                              "size": _width(v, biggest),
                              "sign": "negative" if v < 0 else "positive",
                              "label": f"{what} W{l}[{i + 1},{j + 1}] = {v:.3g}"})
    nodes = []
    sel = parse_node(selected) if selected is not None else None
    for (l, i), (x, y) in pos.items():
        nodes.append({"x": x, "y": y, "node": node_id(l, i), "name": node_name(l, i, L),
                      "url": (images or {}).get((l, i), ""),
                      "picked": (l, i) == sel})
    more = [{"x": pos[(l, MAX_UNITS - 1)][0], "y": geo["height"] + 4,
             "text": f"+{n - MAX_UNITS} more"} for l, n in enumerate(dims)
            if n > MAX_UNITS and l in drawn]
    if geo["gap"] is not None:
        x, left_out = geo["gap"]
        more.append({"x": x, "y": geo["height"] / 2, "text": f"⋯ {left_out} layers ⋯"})
    return (pd.DataFrame(edges, columns=["x", "y", "x2", "y2", "size", "sign", "label"]),
            pd.DataFrame(nodes), pd.DataFrame(more) if more else None)


def network_chart(layer_dims: Sequence[int], matrices: Sequence[np.ndarray], *,
                  images: Mapping | None = None, selected=None, what: str = "weight",
                  title: str | None = None) -> alt.LayerChart:
    """The drawing of one network.

    Parameters
    ----------
    layer_dims : [n_0, n_1, ..., n_L]
    matrices : L arrays, ``matrices[l-1]`` of shape ``(n_l, n_{l-1})``: the weights ``W[l]`` or
        their gradients ``dW[l]`` (``what`` says which, for the tooltips).
    images : ``{(l, i): data URL}``, optional; the map of unit ``i`` of layer ``l``
        (``nnlab.viz.raster.png_data_url``).
    selected : node id ``"l:i"`` drawn with a thick outline, optional.
    title : str, optional

    Returns
    -------
    altair.LayerChart
        Edges, node images, clickable node outlines (selection :data:`SELECTION`).
    """
    edges, nodes, more = network_frames(layer_dims, matrices, images=images,
                                        selected=selected, what=what)
    geo = layout(layer_dims)
    x = alt.X("x:Q", axis=None, scale=alt.Scale(domain=[0, geo["width"]], nice=False))
    y = alt.Y("y:Q", axis=None, scale=alt.Scale(domain=[geo["height"] + MARGIN, 0],
                                                  nice=False))
    edge_layer = alt.Chart(edges).mark_rule().encode(
        x=x, y=y, x2="x2:Q", y2="y2:Q",
        strokeWidth=alt.StrokeWidth("size:Q", scale=alt.Scale(domain=[0, 1], range=[0.4, 7]),
                                    legend=None),
        color=alt.Color("sign:N", scale=alt.Scale(domain=["positive", "negative"],
                                                  range=[POSITIVE, NEGATIVE]),
                        legend=alt.Legend(title=f"{what} sign", orient="bottom")),
        strokeDash=alt.StrokeDash("sign:N", scale=alt.Scale(domain=["positive", "negative"],
                                                            range=[[1, 0], [4, 2]]),
                                  legend=None),
        opacity=alt.value(0.75),
        tooltip=alt.Tooltip("label:N", title=what))
    image_layer = alt.Chart(nodes).mark_image(width=NODE, height=NODE).encode(
        x=x, y=y, url="url:N")
    pick = alt.selection_point(name=SELECTION, fields=["node"], on="click", clear=False)
    outline = alt.Chart(nodes).mark_square(size=(NODE + 2) ** 2, filled=True).encode(
        x=x, y=y,
        fill=alt.value("white"), fillOpacity=alt.value(0.01),
        stroke=alt.condition("datum.picked", alt.value("black"), alt.value(GREY)),
        strokeWidth=alt.condition("datum.picked", alt.value(3), alt.value(1)),
        tooltip=[alt.Tooltip("name:N", title="neuron")],
    ).add_params(pick)
    layers = [edge_layer, image_layer, outline]
    if more is not None:
        layers.append(alt.Chart(more).mark_text(fontSize=11, color="#333333")
                      .encode(x=x, y=y, text="text:N"))
    chart = alt.layer(*layers).properties(width=geo["width"], height=geo["height"] + MARGIN)
    if title:
        chart = chart.properties(title=title)
    return chart.configure_view(strokeWidth=0)
