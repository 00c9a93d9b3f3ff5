"""The shared cost-curve chart (issue 13): every series told apart by colour *and* dash, and an
exploding run that cannot set the y axis for the others.

The y axis of :func:`nnlab.viz.curves_chart` is computed by Vega from the chart's data (a live
chart keeps one spec and gets new data every frame), so these tests run the spec's transforms
on its data set with a small evaluator of the Vega-Lite transforms the chart uses
(``joinaggregate``, ``window``, ``calculate``, ``filter``), and read the domain Vega would
compute from the rows each layer then draws.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

import nnlab.viz as viz
from nnlab.viz import curves
from nnlab.viz._common import series_frame
from nnlab.viz.palette import SERIES_COLOURS

#: Series colours: Okabe-Ito without the yellow (a thin yellow line on white is invisible).
OKABE_ITO = set(SERIES_COLOURS)
N_COLOURS = len(SERIES_COLOURS)


# --- a small evaluator of the spec's transforms ------------------------------------------------


def _if(test, then, otherwise):
    return then if test else otherwise


def _expr(text: str):
    """A Vega expression of the subset the chart uses, as a Python function of a row."""
    py = re.sub(r"datum\.(\w+)", r'd.get("\1")', text)
    py = py.replace("&&", " and ").replace("||", " or ").replace("null", "None")
    py = re.sub(r"\bif\(", "_if(", py)
    code = compile(py, "<vega>", "eval")
    return lambda d: eval(code, {"_if": _if}, {"d": d})  # noqa: S307 - the test's own spec


def _valid(v) -> bool:
    return v is not None and not (isinstance(v, float) and np.isnan(v))


def _aggregate(op: str, values: list):
    values = [v for v in values if _valid(v)]  # Vega's min/max/sum skip null and NaN
    if not values:
        return None
    return {"max": max, "min": min, "sum": sum}[op](values)


def _groups(rows, groupby):
    out: dict = {}
    for row in rows:
        out.setdefault(tuple(row.get(g) for g in groupby or ()), []).append(row)
    return out.values()


def run_transforms(rows: list[dict], transforms: list[dict]) -> list[dict]:
    """``rows`` after ``transforms`` (each row a new dict, as Vega derives new tuples)."""
    rows = [dict(r) for r in rows]
    for t in transforms:
        if "joinaggregate" in t:
            for group in _groups(rows, t.get("groupby")):
                for agg in t["joinaggregate"]:
                    value = _aggregate(agg["op"], [r.get(agg["field"]) for r in group])
                    for r in group:
                        r[agg["as"]] = value
        elif "window" in t:
            frame = t.get("frame", [None, 0])
            key = [s["field"] for s in t.get("sort", [])]
            for group in _groups(rows, t.get("groupby")):
                group = sorted(group, key=lambda r: tuple(r[k] for k in key))
                for i, r in enumerate(group):
                    lo = 0 if frame[0] is None else max(i + frame[0], 0)
                    hi = len(group) if frame[1] is None else i + frame[1] + 1
                    window = group[lo:hi]
                    for w in t["window"]:
                        if w["op"] == "first_value":
                            r[w["as"]] = window[0].get(w["field"])
                        else:
                            r[w["as"]] = _aggregate(w["op"], [x.get(w["field"]) for x in window])
        elif "calculate" in t:
            f = _expr(t["calculate"])
            for r in rows:
                r[t["as"]] = f(r)
        elif "filter" in t:
            f = _expr(t["filter"])
            rows = [r for r in rows if f(r)]
        else:
            raise AssertionError(f"transform not understood by the test: {t}")
    return rows


def drawn(chart) -> list[tuple[dict, list[dict]]]:
    """``(unit spec, rows it draws)`` of every layer of ``chart`` that encodes y."""
    spec = chart.to_dict()
    json.dumps(spec, allow_nan=False)
    data = spec["datasets"][spec["data"]["name"]] if "data" in spec else None
    out = []
    for unit in spec.get("layer", [spec]):
        for inner in unit.get("layer", [unit]):
            if "y" not in inner.get("encoding", {}):
                continue
            rows = spec["datasets"][inner["data"]["name"]] if "data" in inner else data
            out.append((inner, run_transforms(rows, inner.get("transform", []))))
    return out


def y_domain(chart) -> tuple[float, float]:
    """The y extent Vega computes: the y field's values over every layer's rows."""
    values = [r[unit["encoding"]["y"]["field"]] for unit, rows in drawn(chart) for r in rows]
    return min(values), max(values)


# --- colour and dash ---------------------------------------------------------------------------


def _style_table(chart) -> dict:
    line = next(u for u, _ in drawn(chart) if u["mark"]["type"] == "line")
    enc = line["encoding"]
    assert enc["color"]["field"] == enc["strokeDash"]["field"] == "series"
    colours = dict(zip(enc["color"]["scale"]["domain"], enc["color"]["scale"]["range"],
                       strict=True))
    dashes = dict(zip(enc["strokeDash"]["scale"]["domain"], enc["strokeDash"]["scale"]["range"],
                      strict=True))
    return {label: (colours[label], tuple(dashes[label])) for label in colours}


@pytest.mark.parametrize("n", [1, 2, 4, 8, 9, 12])
def test_every_series_has_its_own_colour_and_dash(n):
    series = {f"run {i}": [1.0, 0.5, 0.25] for i in range(n)}
    styles = _style_table(viz.curves_chart(series))
    assert list(styles) == list(series)
    assert len(set(styles.values())) == n  # no two series look alike
    assert all(colour in OKABE_ITO for colour, _ in styles.values())
    first = list(styles.values())[: min(n, N_COLOURS)]
    assert len({c for c, _ in first}) == len(first)  # the first seven: seven colours
    assert len({d for _, d in first}) == len(first)  # ... and seven dashes
    assert "#F0E442" not in {c for c, _ in styles.values()}  # no yellow line


def test_colours_follow_the_palette_order():
    styles = _style_table(viz.curves_chart({"gradient descent": [1, 0.5], "momentum": [1, 0.5]}))
    assert [c for c, _ in styles.values()] == list(SERIES_COLOURS[:2])
    assert styles["gradient descent"][1] != styles["momentum"][1]  # same curve: both show


def test_the_first_series_is_drawn_widest_underneath():
    chart = viz.curves_chart({"gradient descent": [1, 0.5], "momentum": [1, 0.5], "Adam": [1, 0]})
    line = next(u for u, _ in drawn(chart) if u["mark"]["type"] == "line")
    widths = line["encoding"]["strokeWidth"]["scale"]["range"]
    assert widths == sorted(widths, reverse=True) and widths[0] > widths[-1]
    # one width per label (a point scale would take the range as an interval, and a single
    # series would get no width)
    assert line["encoding"]["strokeWidth"]["scale"]["type"] == "ordinal"
    one = next(u for u, _ in drawn(viz.curves_chart({"panda": [1, 0.5]}))
               if u["mark"]["type"] == "line")
    assert len(one["encoding"]["strokeWidth"]["scale"]["range"]) == 1


def test_the_legend_is_never_cut():
    spec = viz.curves_chart({"a long label of a run": [1, 0.5], "b": [1, 0.4]}).to_dict()
    legend = spec["layer"][0]["encoding"]["color"]["legend"]
    assert legend["labelLimit"] == 0 and legend["columns"] == 1 and legend["orient"] == "bottom"
    # the legend adds to the chart's height instead of squeezing the plot
    assert spec["height"] == curves.chart_height(2) > curves.chart_height(1)


# --- an exploding run --------------------------------------------------------------------------

EPOCHS = np.arange(100)
CALM = {"He": (EPOCHS, 0.7 * np.exp(-EPOCHS / 30) + 0.05),
        "random ×0.01": (EPOCHS, np.full(100, 0.6931)),
        "Xavier": (EPOCHS, 0.69 - 0.001 * EPOCHS / 100)}
EXPLODING = (np.arange(4), np.array([0.7, 3e5, 1e80, 1e160]))


def _calm_range() -> tuple[float, float]:
    values = np.concatenate([y for _, y in CALM.values()])
    return float(values.min()), float(values.max())


@pytest.mark.parametrize("log_y", [True, False])
@pytest.mark.parametrize("position", [0, 1, 3])
def test_one_exploding_run_does_not_set_the_y_axis(log_y, position):
    items = list(CALM.items())
    items.insert(position, ("random ×1", EXPLODING))
    chart = viz.curves_chart(dict(items), log_y=log_y)
    lo, hi = _calm_range()
    shown = y_domain(chart)
    assert lo <= shown[0] and shown[1] <= hi, (shown, (lo, hi))
    # the exploding run leaves the chart at its first point above the others, marked there
    marker = next(rows for u, rows in drawn(chart) if u["mark"]["type"] == "point")
    assert [(r["series"], r["x"], r["y"]) for r in marker] == [("random ×1", 1, 3e5)]
    assert marker[0]["y_shown"] == hi
    # ... and its points below the others' top are still drawn
    line = next(rows for u, rows in drawn(chart) if u["mark"]["type"] == "line")
    assert [r["x"] for r in line if r["series"] == "random ×1"] == [0, 1]
    # the Python statement of the rule agrees with what Vega computes
    rule = curves.off_scale(series_frame(dict(items), log_y))
    assert rule == {"off": ["random ×1"], "top": hi}


def test_two_exploding_runs_do_not_set_the_y_axis_either():
    series = {**CALM, "gradient descent α=3": EXPLODING,
              "momentum α=3": (np.arange(3), np.array([0.8, 40.0, 1e9]))}
    lo, hi = _calm_range()
    shown = y_domain(viz.curves_chart(series, log_y=True))
    assert lo <= shown[0] and shown[1] <= max(hi, 0.8)


def test_without_clipping_the_explosion_sets_the_axis():
    """The evaluator sees what the clipping prevents (so the tests above can fail)."""
    series = {**CALM, "random ×1": EXPLODING}
    assert y_domain(viz.curves_chart(series, log_y=True, clip=False))[1] == 1e160


@pytest.mark.parametrize("series", [
    {"only one, exploding": EXPLODING},  # nothing else to show: all of it is the range
    {"a": [1.0, 0.5, 0.1], "b": [2.0, 1.5, 1.0]},  # ordinary curves
    {"step with": [1.0, 1.0], "step without": [3.16, 3.5, 1.2]},  # within OFF_SCALE
    {"a": [-1.0, 5.0, 1e9], "b": [-2.0, -1.0]},  # not positive: no ratio, nothing clipped
])
def test_series_that_stay_in_scale_are_left_alone(series):
    frame = series_frame(series, False)
    assert y_domain(viz.curves_chart(series)) == (frame["y"].min(), frame["y"].max())
    assert curves.off_scale(frame)["off"] == []
    assert not next(rows for u, rows in drawn(viz.curves_chart(series))
                    if u["mark"]["type"] == "point")


def test_the_spec_depends_on_the_labels_only():
    """A live chart keeps its spec between frames (``nnlab.app.charts.frame_spec``): the same
    labels with other values, even an explosion, give the same spec but for the data."""
    first = {"He": [0.69], "random ×1": [0.7]}
    later = {"He": [0.69, 0.5, 0.3], "random ×1": EXPLODING}

    def without_data(chart):
        spec = chart.to_dict()
        spec.pop("datasets")
        spec.pop("data", None)
        return re.sub(r"view_\w+", "view", json.dumps(spec, sort_keys=True))  # Altair's counter

    assert without_data(viz.curves_chart(first, log_y=True)) == without_data(
        viz.curves_chart(later, log_y=True))


# --- the grouped chart (batch norm's plain / BN across rates, the decay schedules) --------------


def _grouped_styles(chart, series) -> dict:
    """Label -> (colour, dash, stroke width) as the grouped chart draws it."""
    spec = chart.to_dict()
    data = spec["datasets"][spec["data"]["name"]] if "data" in spec else next(
        iter(spec["datasets"].values()))
    out = {}
    for layer in spec["layer"]:
        enc = layer["encoding"]
        colour = dict(zip(enc["color"]["scale"]["domain"], enc["color"]["scale"]["range"],
                          strict=True))
        dash = dict(zip(enc["strokeDash"]["scale"]["domain"], enc["strokeDash"]["scale"]["range"],
                        strict=True))
        group = re.search(r"=== '([^']*)'", layer["transform"][0]["filter"]).group(1)
        for row in data:
            if row["dash"] == group:
                out[row["series"]] = (colour[row["colour"]], tuple(dash[row["dash"]]),
                                      layer["mark"]["strokeWidth"])
    assert set(out) == set(series)
    return out


def test_batch_norms_eight_lines_each_have_their_own_colour_and_dash_pair():
    """Issue 13: batch norm drew 6-8 lines in one style. Plain and BN at four rates: the rate
    is the colour, plain or BN the dash, and the BN lines are drawn narrower on top."""
    from nnlab.viz.batchnorm import styled_curves_chart

    rates = ("0.01", "0.1", "1", "3")
    series = {f"{kind} α={a}": [1.0, 0.5, 0.2] for a in rates for kind in ("plain", "BN")}
    chart = styled_curves_chart(series, colours={s: s.split(" ")[1] for s in series},
                                dashes={s: s.split(" ")[0] for s in series})
    styles = _grouped_styles(chart, series)
    assert len({(c, d) for c, d, _ in styles.values()}) == 8  # no two lines look alike
    assert len({styles[f"plain α={a}"][0] for a in rates}) == 4  # a colour per rate
    assert all(styles[f"plain α={a}"][0] == styles[f"BN α={a}"][0] for a in rates)
    assert all(styles[f"plain α={a}"][1] != styles[f"BN α={a}"][1] for a in rates)
    assert all(c in OKABE_ITO for c, _, _ in styles.values())
    assert all(styles[f"plain α={a}"][2] > styles[f"BN α={a}"][2] for a in rates)
