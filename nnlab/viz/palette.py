"""The one palette of every chart and picture of the app: colour-vision safe, with a second
channel.

Colours are Okabe and Ito's eight ("Color Universal Design", 2008), chosen so that learners
with a red-green or blue-yellow colour-vision deficiency can still tell them apart:
``tests/viz/test_palette.py`` simulates deuteranopia, protanopia and tritanopia (Machado et
al. 2009, severity 1) on every categorical palette below and requires a CIEDE2000 distance of
at least :data:`MIN_CVD_DISTANCE` between any two of its colours. Colour is never the only
channel: series also differ by dash (:data:`DASHES`), classes by point shape
(:data:`CLASS_SHAPES`), phases by a letter in each cell (:data:`PHASE_LETTERS`).

A class keeps its colour on every page (:data:`CLASS_COLOURS`: class 0 vermillion, class 1
blue, ...), in the charts and in the live pictures alike.
"""

from __future__ import annotations

import altair as alt

#: Okabe-Ito, by name.
OKABE_ITO = {
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
    "black": "#000000",
}
_O = OKABE_ITO

#: The smallest CIEDE2000 distance between two colours of one categorical palette under each
#: simulated colour-vision deficiency (the tests hold every palette to it).
MIN_CVD_DISTANCE = 10.0

#: Class k's colour on every chart and picture: 0 vermillion, 1 blue (the course's red and
#: blue planar classes, in their colour-blind-safe form), then green, orange, purple, sky blue,
#: yellow (points only, never a thin line) and black; class 8 and up reuse them in order and
#: differ by shape (:data:`CLASS_SHAPES`).
CLASS_COLOURS = (_O["vermillion"], _O["blue"], _O["bluish green"], _O["orange"],
                 _O["reddish purple"], _O["sky blue"], _O["yellow"], _O["black"])
#: How the text names each of :data:`CLASS_COLOURS`.
CLASS_COLOUR_NAMES = ("vermillion", "blue", "green", "orange", "purple", "sky blue", "yellow",
                      "black")
#: Point shape of class k (Vega-Lite shape names): the second channel of a class.
CLASS_SHAPES = ("circle", "square", "triangle-up", "diamond", "cross", "triangle-down",
                "triangle-right", "triangle-left", "wedge", "stroke")

#: Colours of series of lines, in order: Okabe-Ito without its yellow (1.1:1 against white,
#: invisible as a thin line). Series i also gets dash ``DASHES[i]``.
SERIES_COLOURS = (_O["blue"], _O["vermillion"], _O["bluish green"], _O["reddish purple"],
                  _O["orange"], _O["sky blue"], _O["black"])
#: Dash patterns (Vega-Lite ``strokeDash``), solid first: every series differs from every
#: other in colour *and* dash, so two lines that coincide stay two lines (and in grey).
DASHES = ((1, 0), (8, 4), (2, 3), (10, 3, 2, 3), (4, 6), (14, 4, 3, 4, 3, 4), (1, 5), (6, 2))

#: Phases of the momentum phase diagram, in order, with their colours and letters.
PHASE_COLOURS = {"fast": _O["bluish green"], "slow": _O["sky blue"],
                 "oscillates": _O["orange"], "diverges": _O["vermillion"]}
PHASE_LETTERS = {"fast": "F", "slow": "S", "oscillates": "O", "diverges": "D"}

#: Two-valued charts (train vs dev, kept vs dropped, ok vs above the threshold).
TRAIN_COLOUR = "#6b6b6b"  # 5.3:1 on white
DEV_COLOUR = _O["blue"]
#: A dropped dropout unit: 3.3:1 against white (a graphic needs 3:1, WCAG 1.4.11).
DROPPED_COLOUR = "#8c8c8c"
#: Neutral marks (raw data, reference lines) and their labels.
GREY = "#767676"  # 4.5:1 on white
LABEL_GREY = "#444444"

#: Chart text: the theme's text colour (14:1 on white) for titles, axes, legends and headers.
TEXT_COLOUR = "#1f2933"
#: Vega-Lite ``config`` merged into every spec the app draws: Streamlit's chart theme draws
#: axis and legend text at 3.7:1, a spec's own config wins over it.
CHART_TEXT_CONFIG = {
    "axis": {"labelColor": TEXT_COLOUR, "titleColor": TEXT_COLOUR},
    "legend": {"labelColor": TEXT_COLOUR, "titleColor": TEXT_COLOUR},
    "header": {"labelColor": TEXT_COLOUR, "titleColor": TEXT_COLOUR},
    "title": {"color": TEXT_COLOUR, "subtitleColor": TEXT_COLOUR},
}

#: Every categorical palette of the app, by name (the tests check each one).
CATEGORICAL_PALETTES = {
    "classes": CLASS_COLOURS,
    "series": SERIES_COLOURS,
    "phases": tuple(PHASE_COLOURS.values()),
    "train/dev": (TRAIN_COLOUR, DEV_COLOUR),
    "kept/dropped": (DEV_COLOUR, DROPPED_COLOUR),
    "error ladder": (GREY, _O["orange"], _O["blue"]),
}


def series_colour(i: int) -> str:
    """Colour of series number ``i`` (0-based), cycling through :data:`SERIES_COLOURS`."""
    return SERIES_COLOURS[i % len(SERIES_COLOURS)]


def class_colour(k: int) -> str:
    """Colour of class ``k`` (0-based), cycling through :data:`CLASS_COLOURS`."""
    return CLASS_COLOURS[int(k) % len(CLASS_COLOURS)]


def series_scale(labels) -> alt.Scale:
    """Colour scale giving ``labels`` (in order) the :data:`SERIES_COLOURS`."""
    labels = list(labels)
    return alt.Scale(domain=labels, range=[series_colour(i) for i in range(len(labels))])


def dash_scale(labels) -> alt.Scale:
    """Stroke-dash scale giving ``labels`` (in order) the :data:`DASHES`."""
    labels = list(labels)
    return alt.Scale(domain=labels,
                     range=[list(DASHES[i % len(DASHES)]) for i in range(len(labels))])


def class_scale(n_classes: int) -> alt.Scale:
    """Colour scale of integer class labels ``0 .. n-1`` (:data:`CLASS_COLOURS`)."""
    n = max(2, int(n_classes))
    return alt.Scale(domain=list(range(n)), range=[class_colour(k) for k in range(n)])


def shape_scale(n_classes: int) -> alt.Scale:
    """Shape scale of integer class labels ``0 .. n-1`` (:data:`CLASS_SHAPES`)."""
    n = max(2, int(n_classes))
    return alt.Scale(domain=list(range(n)),
                     range=[CLASS_SHAPES[k % len(CLASS_SHAPES)] for k in range(n)])


def probability_scale() -> alt.Scale:
    """Diverging colour scale of P(class 1): class 0's colour at 0, white at 0.5, class 1's
    at 1, the same two colours as the points."""
    return alt.Scale(domain=[0, 0.5, 1], range=[CLASS_COLOURS[0], "#ffffff", CLASS_COLOURS[1]])
