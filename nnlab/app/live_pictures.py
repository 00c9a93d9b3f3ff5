"""The pictures of a live frame: each variant's decision boundary (or a neuron's map) and the
maps in the network drawing, as images of a NumPy grid; their grid size and how often a playing
frame redraws them.

An image of the grid (``st.image``, a PNG data URL upscaled) costs a few kB a frame and a few
milliseconds in the browser, where a Vega heatmap of the same grid sent 120-220 kB and held play
at 1-2 frames/s (issue "Live training"). The forward pass over the grid, not training, is the
expensive part: :func:`grid_size` caps its multiply-adds, and :func:`pictures` keeps a playing
frame's pictures within :data:`PICTURE_SECONDS`.
"""

from __future__ import annotations

import hashlib
import math
import time

import numpy as np
import streamlit as st

from nnlab.app.compare import predicted_classes
from nnlab.lessons.neuron_maps import plane, unit_maps
from nnlab.viz import network, raster

#: Points per axis of a live decision grid, and the width of its image in pixels.
LIVE_GRID, IMAGE_PIXELS = 60, 300
#: Points per axis of a neuron's map in the network drawing.
MAP_GRID = 20
#: Multiply-adds one grid picture may cost (a frame draws one per variant): a huge network
#: (50 layers of 512 units: 13 million a point, 3.7 s for a 60x60 grid) gets a coarser grid,
#: never under MIN_GRID points a side.
GRID_MACS, MIN_GRID = 2e8, 8


def grid_size(config, n_x: int, size: int) -> int:
    """Points per axis for ``config``'s grid pictures: ``size``, or fewer so that the forward
    pass costs at most :data:`GRID_MACS` multiply-adds (at least :data:`MIN_GRID`)."""
    dims = config.layer_dims(n_x)
    per_point = sum(dims[l] * dims[l - 1] for l in range(1, len(dims)))
    return int(min(size, max(MIN_GRID, math.isqrt(int(GRID_MACS // max(1, per_point))))))


def _n_classes(result) -> int:
    c = result.config
    return c.n_classes if c.output_activation == "softmax" else 2


def boundary_image(result, data, box, *, points: str = "train", unit=None) -> np.ndarray:
    """The variant's decision boundary (or, with ``unit = (l, i)``, that neuron's map) over
    ``box`` as an RGB image, the ``points`` split drawn on top. One forward pass of the grid
    (``unit_maps``) serves both; a batch-norm network that has taken no step yet (no running
    statistics) is drawn with batch norm in train mode over the grid itself."""
    X, Y = getattr(data, f"X_{points}"), getattr(data, f"Y_{points}")
    grid = grid_size(result.config, data.n_x, LIVE_GRID)
    maps = unit_maps(result.config, result.parameters, result.bn_state, box, size=grid)
    if unit is not None:
        l, i = unit
        colours = raster.diverging_rgb(maps[l][i])[::-1]
        factor = max(1, IMAGE_PIXELS // grid)
        img = raster.stamp_points(raster.upscale(colours, factor), X, Y, box,
                                  n_classes=_n_classes(result), radius=factor - 1)
        return raster.to_uint8(img)
    out = maps[-1]
    xs, ys, _ = plane(box, grid)
    panel = {"xs": xs, "ys": ys, "X": X, "Y": Y}
    if out.shape[0] == 1:
        panel["probs"] = out[0]
    else:
        panel["classes"] = predicted_classes(out)
    return raster.grid_image(panel, pixels=IMAGE_PIXELS, n_classes=_n_classes(result))


def network_images(result, box, layers) -> dict:
    """``{(l, i): PNG data URL}`` of the maps of the drawn units of ``layers`` (diverging
    colours, each unit on its own scale; the output on the probability scale)."""
    maps = unit_maps(result.config, result.parameters, result.bn_state, box,
                     size=grid_size(result.config, result.parameters["W1"].shape[1], MAP_GRID))
    images = {}
    L = len(maps) - 1
    for l in layers:
        layer = maps[l]
        for i in range(min(layer.shape[0], network.MAX_UNITS)):
            if l == L and result.config.output_activation != "softmax":
                colours = raster.probability_rgb(layer[i])
            else:
                colours = raster.diverging_rgb(layer[i])
            images[(l, i)] = raster.png_data_url(raster.to_uint8(colours[::-1]))
    return images


#: Seconds of a playing frame that the variants' pictures may take, shared by the sessions of
#: the server playing at once (:func:`nnlab.app.live.playing_sessions`). Four 20-layer networks
#: (Vanishing gradients) cost 7-10 ms a picture and held four tabs playing at once to 2 frames/s
#: each; with this budget a frame redraws the pictures that have waited longest, and the others
#: keep their last picture (a few frames back, named with its own epoch in its text
#: alternative). Paused, stepped or scrubbed, every picture is drawn for the moment shown.
PICTURE_SECONDS = 0.03


def _fingerprint(parameters: dict) -> str:
    """A short hash of a run's parameters: a run on mini-batches moves within an epoch."""
    digest = hashlib.blake2b(digest_size=8)
    for name in sorted(parameters):
        digest.update(np.ascontiguousarray(parameters[name]).tobytes())
    return digest.hexdigest()


def pictures(snapshots, data, box, *, key: str, points: str, units: dict,
             budget: float | None = None) -> dict:
    """``{label: (PNG data URL, epoch drawn)}`` of each variant's picture (its boundary, or the
    map of its picked neuron ``units[label]``). With a ``budget`` (seconds: a playing frame),
    the pictures that have waited longest are drawn until it is spent (at least one); a
    variant's other frames show its last picture. A variant with no picture of its config,
    unit and points yet is drawn whatever the budget."""
    # label -> ((config, unit, points, epoch, parameters), PNG data URL, its frame)
    kept = st.session_state.setdefault(f"{key}_pictures", {})
    for label in set(kept) - {label for label, _ in snapshots}:
        del kept[label]
    frame = st.session_state.get(f"{key}_picture_frame", 0) + 1
    st.session_state[f"{key}_picture_frame"] = frame
    wanted = {label: (result.config, units.get(label), points, int(result.epochs_run),
                      _fingerprint(result.parameters)) for label, result in snapshots}
    # another config, unit or points: no picture of this variant yet, drawn whatever it costs
    new = [label for label in wanted
           if label not in kept or kept[label][0][:3] != wanted[label][:3]]
    behind = sorted((label for label in wanted if label not in new
                     and kept[label][0] != wanted[label]), key=lambda label: kept[label][2])
    spent, drawn = 0.0, 0
    results = dict(snapshots)
    for label in new + behind:
        if budget is not None and label in behind and drawn and spent >= budget:
            break  # the others keep their last picture this frame
        started = time.perf_counter()
        img = boundary_image(results[label], data, box, points=points, unit=units.get(label))
        kept[label] = (wanted[label], raster.png_data_url(img), frame)
        spent, drawn = spent + time.perf_counter() - started, drawn + 1
    return {label: (kept[label][1], kept[label][0][3]) for label, _ in snapshots}
