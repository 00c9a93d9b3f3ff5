"""Pictures as pixels: a decision grid or a neuron's activation map as an RGB image.

A live page redraws its decision boundaries several times a second. As a Vega ``rect`` chart a
60x60 grid is 3,600 marks and 120-220 KB per frame, at 1-2 frames per second; as an image it is
a few kilobytes and draws at once. These builders turn the NumPy grid into an ``(h, w, 3)``
``uint8`` array (``st.image`` shows it), stamp the data points into it, and encode small images
as PNG data URLs for the network drawing (``nnlab.viz.network``). NumPy and the standard library
only.

The colours are the charts' own: probability of class 1 from red (0) through white to blue (1),
classes in the categorical palette; points keep their class colour and get a shape too (class 0
a disc, class 1 a square, class 2 a diamond, ...), so that the classes differ in more than hue.
"""

from __future__ import annotations

import base64
import functools
import struct
import zlib

import numpy as np

from ._common import BLUE, CLASS_COLOURS, RED

#: A cell the network's output is not finite for (a diverged run): light grey.
NAN_RGB = (224, 224, 224)
#: How much of a class colour tints the background (the points keep the full colour).
BACKGROUND_TINT = 0.45


def rgb(hex_colour: str) -> np.ndarray:
    """``"#rrggbb"`` as a float array of three values in 0..255."""
    h = hex_colour.lstrip("#")
    return np.array([int(h[i:i + 2], 16) for i in (0, 2, 4)], dtype=float)


def class_colours(n_classes: int) -> np.ndarray:
    """``(n_classes, 3)`` colours of the classes (``_common.CLASS_COLOURS``: the same class has
    the same colour on every chart and picture)."""
    n = max(2, int(n_classes))
    return np.array([rgb(CLASS_COLOURS[c % len(CLASS_COLOURS)]) for c in range(n)])


def probability_rgb(P: np.ndarray) -> np.ndarray:
    """``(..., 3)`` colours of probabilities of class 1: red at 0, white at 0.5, blue at 1,
    tinted (``BACKGROUND_TINT``) so that the points on top stand out; NaN is grey."""
    P = np.asarray(P, dtype=float)
    t = np.clip(np.nan_to_num(P, nan=0.5), 0.0, 1.0)[..., None]
    white = np.full(3, 255.0)
    far = np.where(t < 0.5, rgb(RED), rgb(BLUE))
    amount = np.abs(t - 0.5) * 2.0 * BACKGROUND_TINT * 1.6
    out = white + (far - white) * np.clip(amount, 0.0, 1.0)
    out[np.isnan(P)] = NAN_RGB
    return out


def classes_rgb(classes: np.ndarray, n_classes: int) -> np.ndarray:
    """``(..., 3)`` tinted colours of predicted classes (NaN: grey)."""
    classes = np.asarray(classes, dtype=float)
    palette = class_colours(max(n_classes, 2))
    idx = np.clip(np.nan_to_num(classes, nan=0).astype(int), 0, len(palette) - 1)
    out = 255.0 + (palette[idx] - 255.0) * BACKGROUND_TINT
    out[np.isnan(classes)] = NAN_RGB
    return out


def diverging_rgb(V: np.ndarray, scale: float | None = None) -> np.ndarray:
    """``(..., 3)`` colours of signed values: orange below 0, white at 0, blue above, full at
    ``|V| = scale`` (default: the largest finite ``|V|``)."""
    V = np.asarray(V, dtype=float)
    finite = np.isfinite(V)
    if scale is None:
        scale = float(np.max(np.abs(V[finite]))) if finite.any() else 1.0
    t = np.clip(np.nan_to_num(V / (scale or 1.0), nan=0.0), -1.0, 1.0)[..., None]
    white = np.full(3, 255.0)
    far = np.where(t < 0, rgb("#e69f00"), rgb("#0072b2"))
    out = white + (far - white) * np.abs(t)
    out[~finite] = NAN_RGB
    return out


def upscale(img: np.ndarray, factor: int) -> np.ndarray:
    """Each pixel as a ``factor x factor`` block."""
    return np.repeat(np.repeat(img, factor, axis=0), factor, axis=1)


@functools.lru_cache(maxsize=64)
def _shape_mask(shape: int, r: int) -> np.ndarray:
    yy, xx = np.mgrid[-r:r + 1, -r:r + 1]
    if shape == 0:
        return xx**2 + yy**2 <= r * r  # disc
    if shape == 1:
        return np.ones_like(xx, dtype=bool)  # square
    if shape == 2:
        return np.abs(xx) + np.abs(yy) <= r  # diamond
    return (np.abs(xx) <= r // 3) | (np.abs(yy) <= r // 3)  # plus


def stamp_points(img: np.ndarray, X, Y, box, *, n_classes: int = 2, radius: int = 4,
                 max_points: int = 2000) -> np.ndarray:
    """Draw the points ``X`` (2, m) with labels ``Y`` into ``img`` (h, w, 3), whose rows run
    from ``box[3]`` (top) down to ``box[2]`` and columns from ``box[0]`` to ``box[1]``: a
    white-rimmed mark per point, its shape and colour from its class. Returns a new image."""
    out = np.array(img, dtype=float, copy=True)
    pixels, colours = _stamp_plan(out.shape[0], out.shape[1], X, Y, box, n_classes, radius,
                                  max_points)
    out.reshape(-1, 3)[pixels] = colours
    return out


def _stamp_plan(h: int, w: int, X, Y, box, n_classes: int, radius: int, max_points: int):
    """``(pixels, colours)``: the flat pixel indices :func:`stamp_points` paints and their
    final colours, each pixel once. A live page stamps the same points on every frame: the
    plan is cached by the points' bytes and the image's geometry."""
    X = np.ascontiguousarray(X, dtype=float)
    labels = np.ascontiguousarray(np.asarray(Y).reshape(-1))
    key = (h, w, X.shape, X.tobytes(), labels.dtype.str, labels.tobytes(),
           tuple(float(v) for v in box), int(n_classes), int(radius), int(max_points))
    plan = _PLANS.get(key)
    if plan is None:
        plan = _plan(h, w, X, labels, box, n_classes, radius, max_points)
        if len(_PLANS) >= MAX_PLANS:
            _PLANS.clear()
        _PLANS[key] = plan
    return plan


#: Stamp plans kept (a page draws a few geometries: the boundary, a neuron's map).
MAX_PLANS = 32
_PLANS: dict = {}


def _plan(h, w, X, labels, box, n_classes, radius, max_points):
    keep = np.all(np.isfinite(X), axis=0)
    X, labels = X[:, keep], labels[keep]
    if X.shape[1] > max_points:
        X, labels = X[:, :max_points], labels[:max_points]
    x0, x1, y0, y1 = box
    cols = np.round((X[0] - x0) / ((x1 - x0) or 1.0) * (w - 1)).astype(int)
    rows = np.round((y1 - X[1]) / ((y1 - y0) or 1.0) * (h - 1)).astype(int)
    palette = class_colours(max(n_classes, 2))
    classes = labels.astype(int)
    pixels, colours = [], []
    # every rim first, then every core: a close neighbour's rim never cuts into a mark
    for layer in ("rim", "core"):
        for c in np.unique(classes):
            mask = _shape_mask(c, radius + 1 if layer == "rim" else radius)
            value = np.full(3, 255.0) if layer == "rim" else palette[c % len(palette)]
            sel = classes == c
            dy, dx = np.nonzero(mask)
            dy, dx = dy - (mask.shape[0] // 2), dx - (mask.shape[1] // 2)
            rr = (rows[sel][:, None] + dy[None, :]).ravel()
            cc = (cols[sel][:, None] + dx[None, :]).ravel()
            ok = (rr >= 0) & (rr < h) & (cc >= 0) & (cc < w)
            pixels.append(rr[ok] * w + cc[ok])
            colours.append(np.broadcast_to(value, (int(ok.sum()), 3)))
    if not pixels:
        return np.zeros(0, dtype=int), np.zeros((0, 3))
    pixels, colours = np.concatenate(pixels), np.concatenate(colours)
    # a pixel painted twice keeps its last paint (as painting in order would)
    last = len(pixels) - 1 - np.unique(pixels[::-1], return_index=True)[1]
    return pixels[last], colours[last]


def to_uint8(img: np.ndarray) -> np.ndarray:
    return np.clip(np.round(img), 0, 255).astype(np.uint8)


def grid_image(panel: dict, *, pixels: int = 240, n_classes: int = 2) -> np.ndarray:
    """A decision panel (``xs``, ``ys``, ``probs`` or ``classes``, ``X``, ``Y``; see
    ``nnlab.app.compare.decision_grid``) as a square ``uint8`` RGB image about ``pixels`` wide,
    the points drawn on top. Row 0 of the grid is the lowest ``y``: the image puts it at the
    bottom."""
    if "probs" in panel:
        colours = probability_rgb(panel["probs"])
    else:
        colours = classes_rgb(panel["classes"], n_classes)
    # rounded to bytes before upscaling (the same pixels, a 25th of the float work)
    colours = to_uint8(colours[::-1])  # image rows go down, y goes up
    factor = max(1, int(round(pixels / colours.shape[1])))
    img = upscale(colours, factor)
    xs, ys = panel["xs"], panel["ys"]
    box = (xs[0], xs[-1], ys[0], ys[-1])
    if panel.get("X") is not None:
        where, paint = _stamp_plan(img.shape[0], img.shape[1], panel["X"], panel["Y"], box,
                                   n_classes, max(2, factor - 1), 2000)
        img.reshape(-1, 3)[where] = to_uint8(paint)
    return img


def png_bytes(img: np.ndarray) -> bytes:
    """``img`` (h, w, 3) ``uint8`` as PNG bytes: every scanline with the "Up" filter (minus the
    row above: an upscaled grid is then mostly zeros), zlib level 1. Small images only. A live
    frame encodes one per variant: measured on a 300 x 300 boundary, 1.3 ms and 15 KB against
    5.8 ms and 8 KB unfiltered at level 6."""
    img = np.ascontiguousarray(img, dtype=np.uint8)
    h, w = img.shape[:2]
    rows = img.reshape(h, 3 * w)
    up = np.empty((h, 1 + 3 * w), dtype=np.uint8)
    up[:, 0] = 2  # filter type 2, "Up"
    up[0, 1:] = rows[0]
    np.subtract(rows[1:], rows[:-1], out=up[1:, 1:])  # uint8 wraps modulo 256, as PNG asks

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(up.tobytes(), 1)) + chunk(b"IEND", b""))


def png_data_url(img: np.ndarray) -> str:
    """``img`` as a ``data:image/png;base64,...`` URL (for a Vega ``image`` mark)."""
    return "data:image/png;base64," + base64.b64encode(png_bytes(img)).decode("ascii")
