"""The one palette (nnlab/viz/palette.py): colour-vision safe, used by every chart, with
enough contrast; checked by simulation (tests/viz/cvd.py)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from nnlab.viz import palette
from tests.viz.cvd import MACHADO, ciede2000, contrast_ratio, min_distance, simulate

VIZ = Path(__file__).resolve().parents[2] / "nnlab" / "viz"
#: Sharma, Wu and Dalal (2005), table 1: (Lab 1, Lab 2, CIEDE2000), pairs 1, 7, 17, 25, 26, 34.
SHARMA = [((50, 2.6772, -79.7751), (50, 0, -82.7485), 2.0425),
          ((50, 0, 0), (50, -1, 2), 2.3669),
          ((50, 2.5, 0), (73, 25, -18), 27.1492),
          ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
          ((50, 2.5, 0), (50, 0, -2.5), 4.3065),
          ((2.0776, 0.0795, -1.135), (0.9033, -0.0636, -0.5514), 0.9082)]
SHARMA_TOLERANCE = 1e-4
DEFICIENCIES = [None, *MACHADO]
#: The palettes the app used before (Tableau 10 and the old phase colours): the check below
#: must reject them, or it could not fail.
OLD_TABLEAU10 = ("#4c78a8", "#f58518", "#e45756", "#72b7b2", "#54a24b", "#eeca3b", "#b279a2",
                 "#ff9da6", "#9d755d", "#bab0ac")
OLD_PHASES = ("#2ca02c", "#6baed6", "#ff7f0e", "#d62728")


@pytest.mark.parametrize("lab1,lab2,expected", SHARMA)
def test_ciede2000_matches_sharmas_test_data(lab1, lab2, expected):
    assert abs(ciede2000(lab1, lab2) - expected) < SHARMA_TOLERANCE
    assert abs(ciede2000(lab2, lab1) - expected) < SHARMA_TOLERANCE


def test_simulation_keeps_greys_and_merges_red_and_green_for_a_deuteranope():
    for deficiency in MACHADO:
        grey = simulate("#808080", deficiency)
        assert abs(grey[1]) < 1.0 and abs(grey[2]) < 1.0, (deficiency, grey)
    # The figure: Tableau's red and green, 1.2 apart for a deuteranope.
    assert ciede2000(simulate("#e45756", "deuteranopia"), simulate("#54a24b", "deuteranopia")) < 2


@pytest.mark.parametrize("deficiency", DEFICIENCIES, ids=lambda d: d or "normal")
@pytest.mark.parametrize("name", list(palette.CATEGORICAL_PALETTES))
def test_every_categorical_palette_stays_apart_under_each_deficiency(name, deficiency):
    colours = palette.CATEGORICAL_PALETTES[name]
    assert len(set(c.lower() for c in colours)) == len(colours), colours
    distance, pair = min_distance(colours, deficiency)
    assert distance >= palette.MIN_CVD_DISTANCE, (name, deficiency, round(distance, 2), pair)


def test_the_check_rejects_the_old_palettes():
    assert palette.MIN_CVD_DISTANCE >= 10
    assert min_distance(OLD_TABLEAU10, "deuteranopia")[0] < palette.MIN_CVD_DISTANCE
    assert min_distance(OLD_PHASES, "protanopia")[0] < palette.MIN_CVD_DISTANCE


def test_no_yellow_line_and_series_colours_visible_on_white():
    assert palette.OKABE_ITO["yellow"] not in palette.SERIES_COLOURS
    # A thin line needs to stand out from the white background (1.4.11 asks 3:1 of graphics;
    # Okabe-Ito's orange and sky blue are near 2:1, so each series also has its own dash).
    assert min(contrast_ratio(c, "#ffffff") for c in palette.SERIES_COLOURS) >= 1.9
    assert contrast_ratio(palette.DROPPED_COLOUR, "#ffffff") >= 3
    assert contrast_ratio(palette.TEXT_COLOUR, "#ffffff") >= 4.5
    assert contrast_ratio(palette.LABEL_GREY, "#ffffff") >= 4.5
    assert contrast_ratio(palette.GREY, "#ffffff") >= 4.5


def test_second_channels_are_distinct():
    assert len(set(palette.CLASS_SHAPES)) == len(palette.CLASS_SHAPES) >= len(
        palette.CLASS_COLOURS)
    assert len(set(palette.DASHES)) == len(palette.DASHES) >= len(palette.SERIES_COLOURS)
    assert len(set(palette.PHASE_LETTERS.values())) == len(palette.PHASE_COLOURS)
    assert set(palette.PHASE_LETTERS) == set(palette.PHASE_COLOURS)


def test_one_palette_module_no_other_colour_tables():
    """No chart builder defines its own categorical palette or a Vega scheme name: colours
    come from nnlab.viz.palette (the live pictures' two diverging ends excepted)."""
    offenders = []
    for path in sorted(VIZ.glob("*.py")):
        if path.name == "palette.py":
            continue
        text = path.read_text()
        if re.search(r"OKABE_ITO\s*=|TABLEAU|scheme=\"(tableau|category|set|dark|paired)",
                     text, re.I):
            offenders.append(path.name)
    assert not offenders, offenders


def test_class_colours_are_the_same_everywhere():
    from nnlab.viz import _common
    from nnlab.viz.raster import class_colours
    from nnlab.viz.softmax import class_colour_hexes, class_colour_names

    assert _common.CLASS_COLOURS == palette.CLASS_COLOURS
    assert [c.lower() for c in class_colour_hexes(5)] == [
        c.lower() for c in palette.CLASS_COLOURS[:5]]
    assert class_colour_names(3) == list(palette.CLASS_COLOUR_NAMES[:3])
    rgb = class_colours(3)
    assert np.allclose(rgb[0], [int(palette.CLASS_COLOURS[0][i:i + 2], 16) for i in (1, 3, 5)],
                       atol=1)
