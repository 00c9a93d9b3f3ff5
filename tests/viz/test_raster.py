"""Tests of nnlab.viz.raster: colours, orientation, point stamps and PNG encoding."""

from __future__ import annotations

import base64
import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from nnlab.viz import raster
from nnlab.viz._common import BLUE, RED

#: How far (in 0..255 units) a channel must exceed another to call a colour "red-ish" etc.
HUE_MARGIN = 60
BACKGROUND = (100.0, 100.0, 100.0)  # grey: neither white rim nor any class colour
SIZE = 41  # stamp canvas: 41 x 41 pixels over the box (0, 1, 0, 1), so 0.25 -> pixel 10
BOX = (0.0, 1.0, 0.0, 1.0)
RADIUS = 4


def decode_png(data: bytes) -> np.ndarray:
    """Decode an 8-bit RGB, non-interlaced PNG with only the standard library (any filter
    type but 2, "Up", fails the test: png_bytes promises it on every scanline)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, []
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert crc == zlib.crc32(kind + body), f"bad CRC in chunk {kind!r}"
        chunks.append((kind, body))
        pos += 12 + length
    assert pos == len(data)
    kinds = [k for k, _ in chunks]
    assert kinds[0] == b"IHDR" and kinds[-1] == b"IEND"
    w, h, depth, colour, comp, filt, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    assert (depth, colour, comp, filt, interlace) == (8, 2, 0, 0, 0)
    raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    assert len(raw) == h * (1 + 3 * w)
    rows = np.frombuffer(raw, dtype=np.uint8).reshape(h, 1 + 3 * w)
    assert np.all(rows[:, 0] == 2)  # filter type "Up" on every scanline
    # each byte is its difference from the byte above (the row above the first: zeros)
    pixels = np.cumsum(rows[:, 1:].astype(np.int64), axis=0) % 256
    return pixels.astype(np.uint8).reshape(h, w, 3)


def random_image(h=7, w=5, seed=0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, size=(h, w, 3), dtype=np.uint8)


# --- PNG --------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(7, 5), (1, 1), (5, 7), (30, 30)])
def test_png_bytes_decodes_back_to_the_same_pixels(shape):
    img = random_image(*shape)
    data = raster.png_bytes(img)
    np.testing.assert_array_equal(decode_png(data), img)
    with Image.open(io.BytesIO(data)) as pil:
        assert pil.mode == "RGB" and pil.size == (shape[1], shape[0])
        np.testing.assert_array_equal(np.asarray(pil), img)


def test_png_bytes_of_a_non_contiguous_view():
    img = random_image(8, 6)[::2, ::-1]  # strided view: must be copied, not misread
    np.testing.assert_array_equal(decode_png(raster.png_bytes(img)), img)


def test_png_data_url_wraps_the_png_bytes():
    img = random_image()
    url = raster.png_data_url(img)
    prefix = "data:image/png;base64,"
    assert url.startswith(prefix)
    assert base64.b64decode(url[len(prefix):]) == raster.png_bytes(img)


# --- colours ----------------------------------------------------------------


def test_probability_rgb_red_white_blue_and_grey_for_nan():
    out = raster.probability_rgb(np.array([0.0, 0.5, 1.0, np.nan]))
    assert out.shape == (4, 3)
    r, g, b = out[0]
    assert r - g > HUE_MARGIN and r - b > HUE_MARGIN  # red-ish at 0
    np.testing.assert_array_equal(out[1], [255.0, 255.0, 255.0])  # white at 0.5
    r, g, b = out[2]
    assert b - r > HUE_MARGIN and b - g > 0  # blue-ish at 1
    np.testing.assert_array_equal(out[3], raster.NAN_RGB)
    assert np.all((out >= 0) & (out <= 255))


def test_probability_rgb_keeps_the_grid_shape_and_clips():
    P = np.array([[0.0, 0.25], [-3.0, 7.0]])
    out = raster.probability_rgb(P)
    assert out.shape == (2, 2, 3)
    np.testing.assert_array_equal(out[1, 0], out[0, 0])  # below 0 is drawn as 0
    np.testing.assert_array_equal(out[1, 1], raster.probability_rgb(np.array(1.0)))
    # halfway to red is paler than red itself: further from white, deeper colour
    assert np.all(out[0, 1] >= out[0, 0])


def test_a_class_has_the_same_colour_whatever_the_number_of_classes():
    """Class 0 is red and class 1 blue with 2 classes and with 5 (softmax drew class 2 red)."""
    from nnlab.viz._common import label_scale

    np.testing.assert_array_equal(raster.class_colours(2), [raster.rgb(RED), raster.rgb(BLUE)])
    five = raster.class_colours(5)
    assert five.shape == (5, 3)
    np.testing.assert_array_equal(five[:2], raster.class_colours(2))
    assert len({tuple(c) for c in five}) == 5
    assert label_scale(5).to_dict()["range"][:2] == label_scale(2).to_dict()["range"]
    assert [raster.rgb(c).tolist() for c in label_scale(5).to_dict()["range"]] == five.tolist()
    assert raster.rgb("#ff8000").tolist() == [255.0, 128.0, 0.0]


def test_classes_rgb_tints_and_greys_nan():
    out = raster.classes_rgb(np.array([0.0, 1.0, np.nan]), 2)
    np.testing.assert_array_equal(out[2], raster.NAN_RGB)
    assert out[0, 0] > out[0, 2] and out[1, 2] > out[1, 0]
    assert not np.array_equal(out[0], out[1])


def test_diverging_rgb_white_at_zero_full_at_scale_and_grey_when_not_finite():
    out = raster.diverging_rgb(np.array([-2.0, 0.0, 2.0, np.inf]))
    np.testing.assert_array_equal(out[1], [255.0, 255.0, 255.0])
    np.testing.assert_array_equal(out[0], raster.rgb("#e69f00"))
    np.testing.assert_array_equal(out[2], raster.rgb("#0072b2"))
    np.testing.assert_array_equal(out[3], raster.NAN_RGB)


# --- grid image -------------------------------------------------------------


def asymmetric_panel(**extra) -> dict:
    """A 4 x 5 grid: row 0 (the lowest y) is class 0 for sure, every other row class 1."""
    probs = np.ones((4, 5))
    probs[0] = 0.0
    return {"xs": np.linspace(-1, 1, 5), "ys": np.linspace(-2, 2, 4), "probs": probs, **extra}


def test_grid_image_puts_grid_row_0_at_the_bottom():
    img = raster.grid_image(asymmetric_panel(), pixels=50)
    factor = 10  # round(50 / 5 columns)
    assert img.dtype == np.uint8 and img.shape == (4 * factor, 5 * factor, 3)
    red = raster.to_uint8(raster.probability_rgb(np.array(0.0)))
    blue = raster.to_uint8(raster.probability_rgb(np.array(1.0)))
    assert np.all(img[-factor:] == red)  # bottom block: the grid's row 0
    assert np.all(img[:-factor] == blue)


def test_grid_image_of_classes_and_with_points():
    classes = np.zeros((4, 5))
    classes[:, -1] = 2.0  # the rightmost column (largest x) is class 2
    panel = {"xs": np.linspace(-1, 1, 5), "ys": np.linspace(-2, 2, 4), "classes": classes}
    img = raster.grid_image(panel, pixels=50, n_classes=3)
    right = raster.to_uint8(raster.classes_rgb(np.array(2.0), 3))
    assert np.all(img[:, -10:] == right) and not np.any(np.all(img[:, :-10] == right, axis=-1))
    # one class-1 point at the top-left corner of the box (x = -1, y = 2)
    with_point = raster.grid_image(asymmetric_panel(X=np.array([[-1.0], [2.0]]),
                                                    Y=np.array([[1]])), pixels=50)
    colour = raster.to_uint8(raster.class_colours(2)[1])
    np.testing.assert_array_equal(with_point[0, 0], colour)
    np.testing.assert_array_equal(with_point[-1, -1], raster.grid_image(asymmetric_panel(),
                                                                        pixels=50)[-1, -1])


def test_upscale_repeats_each_pixel_in_a_block():
    img = np.arange(12).reshape(2, 2, 3)
    big = raster.upscale(img, 3)
    assert big.shape == (6, 6, 3)
    np.testing.assert_array_equal(big[:3, :3], np.broadcast_to(img[0, 0], (3, 3, 3)))
    np.testing.assert_array_equal(big[3:, :3], np.broadcast_to(img[1, 0], (3, 3, 3)))


# --- points -----------------------------------------------------------------


def canvas() -> np.ndarray:
    return np.broadcast_to(np.array(BACKGROUND), (SIZE, SIZE, 3)).copy()


def test_stamp_points_draws_at_the_points_position_in_the_class_colour():
    img = canvas()
    X = np.array([[0.25, 0.75], [0.75, 0.25]])  # (x, y): top-left and bottom-right quarter
    out = raster.stamp_points(img, X, np.array([[0, 1]]), BOX, radius=RADIUS)
    palette = raster.class_colours(2)
    # y = 0.75 is a quarter from the top: row 10; x = 0.25 is column 10
    np.testing.assert_array_equal(out[10, 10], palette[0])
    np.testing.assert_array_equal(out[30, 30], palette[1])
    np.testing.assert_array_equal(out[10, 30], BACKGROUND)  # nothing at the mirror image
    np.testing.assert_array_equal(out[30, 10], BACKGROUND)
    np.testing.assert_array_equal(img, canvas())  # the input is not modified


def test_stamp_points_shapes_differ_by_class():
    X = np.array([[0.5], [0.5]])
    c = 20  # the centre pixel
    disc = raster.stamp_points(canvas(), X, np.array([0]), BOX, radius=RADIUS)
    square = raster.stamp_points(canvas(), X, np.array([1]), BOX, radius=RADIUS)
    palette = raster.class_colours(2)
    corner = (c - RADIUS, c - RADIUS)
    np.testing.assert_array_equal(disc[corner], BACKGROUND)  # outside the disc and its rim
    np.testing.assert_array_equal(square[corner], palette[1])
    np.testing.assert_array_equal(square[c - RADIUS - 1, c - RADIUS - 1], [255.0] * 3)  # rim
    np.testing.assert_array_equal(disc[c, c - RADIUS], palette[0])  # the disc's edge
    np.testing.assert_array_equal(disc[c, c - RADIUS - 1], [255.0] * 3)  # and its rim
    assert (np.all(square == palette[1], axis=-1).sum()
            > np.all(disc == palette[0], axis=-1).sum())


def test_stamp_points_ignores_points_outside_the_box_and_non_finite():
    X = np.array([[5.0, -7.0, np.nan, 0.5, np.inf], [5.0, 0.5, 0.5, np.nan, 0.5]])
    out = raster.stamp_points(canvas(), X, np.array([0, 1, 0, 1, 0]), BOX, radius=RADIUS)
    np.testing.assert_array_equal(out, canvas())


def test_stamp_points_near_the_edge_is_clipped_not_an_error():
    out = raster.stamp_points(canvas(), np.array([[0.0], [0.0]]), np.array([1]), BOX,
                              radius=RADIUS)
    np.testing.assert_array_equal(out[SIZE - 1, 0], raster.class_colours(2)[1])
    np.testing.assert_array_equal(out[0, SIZE - 1], BACKGROUND)


def test_stamp_points_keeps_at_most_max_points():
    X = np.array([[0.1, 0.9], [0.5, 0.5]])
    out = raster.stamp_points(canvas(), X, np.array([1, 1]), BOX, radius=RADIUS, max_points=1)
    colour = raster.class_colours(2)[1]
    np.testing.assert_array_equal(out[20, 4], colour)
    np.testing.assert_array_equal(out[20, 36], BACKGROUND)
