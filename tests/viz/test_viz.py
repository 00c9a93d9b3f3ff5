"""Tests of nnlab.viz: the chart builders, checked on their Vega-Lite specs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import altair as alt
import numpy as np
import pytest

import nnlab.viz as viz
from nnlab.viz._common import CLASS_COLOURS

ROOT = Path(__file__).resolve().parents[2]


# --- helpers: read a Vega-Lite spec -----------------------------------------


def spec_of(chart) -> dict:
    """The chart's spec; it must also be strict JSON (no NaN, no Infinity)."""
    spec = chart.to_dict()
    json.dumps(spec, allow_nan=False)
    return spec


def walk(node):
    """Every dict nested anywhere in a spec."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def units(spec: dict) -> list[dict]:
    """The unit views (dicts with a mark) of a spec, each with the data it inherits.

    Altair hoists data shared by all layers to the parent: a unit without its
    own ``data`` gets the nearest ancestor's under ``"_data"``.
    """
    found = []

    def visit(node, data):
        if isinstance(node, dict):
            data = node.get("data", data)
            if "mark" in node and "encoding" in node:
                found.append({**node, "_data": data})
            for value in node.values():
                visit(value, data)
        elif isinstance(node, list):
            for value in node:
                visit(value, data)

    visit(spec, None)
    return found


def mark_type(unit: dict) -> str:
    mark = unit["mark"]
    return mark if isinstance(mark, str) else mark["type"]


def units_of(spec: dict, kind: str) -> list[dict]:
    return [u for u in units(spec) if mark_type(u) == kind]


def rows_of(spec: dict, unit: dict) -> list[dict]:
    """The data rows a unit view draws (its named data set)."""
    return spec["datasets"][unit["_data"]["name"]]


def params_of(spec: dict) -> list[dict]:
    return [p for d in walk(spec) for p in d.get("params", []) if isinstance(p, dict)]


def moons(m: int = 40, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((2, m))
    Y = (X[0:1] * X[1:2] > 0).astype(int)
    return X, Y


def panel(label, nx=30, ny=20, seed=0, **extra):
    X, Y = moons(seed=seed)
    xs = np.linspace(-3, 3, nx)
    ys = np.linspace(-2, 2, ny)
    out = {"label": label, "xs": xs, "ys": ys, "X": X, "Y": Y}
    if "classes" not in extra:
        out["probs"] = np.random.default_rng(seed).random((ny, nx))
    out.update(extra)
    return out


# --- layering ---------------------------------------------------------------


def test_import_does_not_import_streamlit():
    code = "import nnlab.viz, sys; assert 'streamlit' not in sys.modules"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr


def test_viz_sources_never_import_streamlit_or_the_engine():
    for path in (ROOT / "nnlab" / "viz").glob("*.py"):
        text = path.read_text()
        assert "import streamlit" not in text, path
        assert "from nnlab" not in text and "from .." not in text, path
        assert len(text.splitlines()) < 300, path


# --- decision boundaries ----------------------------------------------------


def test_decision_boundary_binary_panels_rects_and_points():
    panels = [panel("He", seed=1), panel("zeros", seed=2), panel("random", seed=3)]
    spec = spec_of(viz.decision_boundary_chart(panels, columns=2))
    assert len(spec["concat"]) == 3
    assert spec["columns"] == 2
    assert [p["title"] for p in spec["concat"]] == ["He", "zeros", "random"]
    for res in ("x", "y", "color", "fill", "shape"):
        assert spec["resolve"]["scale"][res] == "shared"
    rects, circles = units_of(spec, "rect"), units_of(spec, "point")
    assert len(rects) == 3 and len(circles) == 3
    for rect in rects:
        assert len(rows_of(spec, rect)) == 30 * 20
        color = rect["encoding"]["color"]
        assert color["field"] == "z" and color["type"] == "quantitative"
        assert color["scale"]["domain"] == [0, 0.5, 1]  # class 0's colour, white, class 1's
        assert color["scale"]["range"][0] == CLASS_COLOURS[0]
        assert rect["encoding"]["x2"]["field"] == "x_hi"
        assert rect["encoding"]["y2"]["field"] == "y_hi"
    for circle in circles:
        assert len(rows_of(spec, circle)) == 40
        assert circle["encoding"]["fill"]["field"] == "label"
        assert circle["mark"]["stroke"] == "white"
        assert circle["encoding"]["fill"]["scale"]["domain"] == [0, 1]
        assert circle["encoding"]["shape"]["field"] == "label"  # a class's second channel


def test_decision_boundary_cell_orientation_and_nonfinite():
    nx, ny = 30, 20
    probs = np.full((ny, nx), 0.5)
    probs[3, 7] = 0.99  # the cell at (xs[7], ys[3])
    probs[0, 0] = np.nan
    probs[1, 1] = np.inf
    p = panel("one", nx=nx, ny=ny, probs=probs)
    spec = spec_of(viz.decision_boundary_chart([p]))
    rows = rows_of(spec, units_of(spec, "rect")[0])
    assert len(rows) == nx * ny - 2
    top = max(rows, key=lambda r: r["z"])
    assert top["x_lo"] < p["xs"][7] < top["x_hi"]
    assert top["y_lo"] < p["ys"][3] < top["y_hi"]


def test_decision_boundary_multiclass_uses_categorical_colours():
    classes = np.tile(np.arange(3), (20, 10))
    X, _ = moons()
    Y = np.arange(40).reshape(1, -1) % 3
    p = panel("softmax", nx=30, ny=20, classes=classes, X=X, Y=Y)
    spec = spec_of(viz.decision_boundary_chart([p, dict(p, label="other")]))
    assert len(spec["concat"]) == 2
    rect = units_of(spec, "rect")[0]
    assert rect["encoding"]["color"]["type"] == "nominal"
    assert rect["encoding"]["color"]["scale"]["range"][:3] == list(CLASS_COLOURS[:3])
    assert rect["mark"]["opacity"] < 1
    circle = units_of(spec, "point")[0]
    assert circle["encoding"]["fill"]["scale"]["domain"] == [0, 1, 2]


def test_decision_boundary_thins_big_grids():
    p = panel("big", nx=200, ny=200)
    spec = spec_of(viz.decision_boundary_chart([p]))
    n = len(rows_of(spec, units_of(spec, "rect")[0]))
    assert 0 < n <= 4000


def test_decision_boundary_rejects_bad_input():
    with pytest.raises(ValueError, match="panels"):
        viz.decision_boundary_chart([])
    with pytest.raises(ValueError, match="mix"):
        viz.decision_boundary_chart([panel("a"), panel("b", classes=np.zeros((20, 30)))])
    bad = panel("a")
    bad["probs"] = np.zeros((30, 20))
    with pytest.raises(ValueError, match="probs"):
        viz.decision_boundary_chart([bad])
    with pytest.raises(ValueError, match="shape"):
        viz.decision_boundary_chart([panel("a", X=np.zeros((3, 40)))])


# --- curves -----------------------------------------------------------------


def test_curves_drop_nonfinite_and_bind_legend():
    series = {"He": [1.0, 0.5, np.nan, np.inf, 0.2], "zeros": ([0, 10, 20], [0.69, 0.69, 0.69])}
    spec = spec_of(viz.curves_chart(series, title="cost"))
    line = units_of(spec, "line")[0]
    rows = rows_of(spec, line)
    assert len(rows) == 3 + 3
    assert {r["series"] for r in rows} == {"He", "zeros"}
    assert [r["x"] for r in rows if r["series"] == "He"] == [0, 1, 4]
    assert line["encoding"]["color"]["field"] == "series"
    assert line["encoding"]["x"]["title"] == "epoch"
    assert line["encoding"]["y"]["title"] == "cost"
    assert "tooltip" in line["encoding"]
    legend = [p for p in params_of(spec) if p.get("bind") == "legend"]
    assert len(legend) == 1
    assert legend[0]["select"]["fields"] == ["series"]
    assert legend[0]["name"] == viz.LEGEND_PARAM
    assert line["encoding"]["opacity"]["condition"][0]["param"] == viz.LEGEND_PARAM
    assert spec["width"] == "container"


def test_curves_log_scale_drops_nonpositive():
    spec = spec_of(viz.curves_chart({"a": [1.0, 0.0, -1.0, 0.1]}, log_y=True))
    line = units_of(spec, "line")[0]
    assert line["encoding"]["y"]["scale"]["type"] == "log"
    assert [r["y"] for r in rows_of(spec, line)] == [1.0, 0.1]


def test_curves_marks_are_rules_with_labels():
    spec = spec_of(viz.curves_chart({"dev": [3, 2, 1, 2]}, marks={"early stop": 2}))
    rule, text = units_of(spec, "rule")[0], units_of(spec, "text")[0]
    assert rows_of(spec, rule) == [{"mark": "early stop", "x": 2.0}]
    assert rule["encoding"]["x"]["field"] == "x"
    assert text["encoding"]["text"]["field"] == "mark"


def test_curves_survive_a_fully_diverged_run():
    spec = spec_of(viz.curves_chart({"diverged": [np.nan, np.inf], "ok": [1.0, 0.5]}))
    assert len(rows_of(spec, units_of(spec, "line")[0])) == 2


def test_lr_schedule_chart_titles():
    spec = spec_of(viz.lr_schedule_chart({"exponential": [0.1, 0.05, 0.025]}))
    line = units_of(spec, "line")[0]
    assert line["encoding"]["y"]["title"] == "learning rate"
    assert line["encoding"]["x"]["title"] == "epoch"


# --- distributions ----------------------------------------------------------


def test_histograms_are_binned_in_numpy_and_faceted():
    rng = np.random.default_rng(0)
    values = {"layer 1": rng.standard_normal(100_000), "layer 2": [0.1, np.nan, np.inf, 0.3]}
    chart = viz.histograms_chart(values, bins=25, title="activations")
    assert isinstance(chart, alt.FacetChart)
    spec = spec_of(chart)
    assert spec["facet"]["row"]["field"] == "group"
    bar = units_of(spec, "bar")[0]
    rows = spec["datasets"][spec["data"]["name"]]
    assert len(rows) == 2 * 25
    assert sum(r["count"] for r in rows if r["group"] == "layer 1") == 100_000
    assert sum(r["count"] for r in rows if r["group"] == "layer 2") == 2
    assert bar["encoding"]["color"]["field"] == "group"


def test_layer_stats_chart_lines_with_points_on_log_scale():
    stats = {"He": [1.0, 0.8, 0.9], "large": [10.0, 1e3, np.inf], "zeros": [0.0, 0.0, 0.0]}
    spec = spec_of(viz.layer_stats_chart(stats, y_title="‖dW‖"))
    line = units_of(spec, "line")[0]
    assert line["mark"]["point"] is True
    assert line["encoding"]["y"]["scale"]["type"] == "log"
    assert line["encoding"]["y"]["title"] == "‖dW‖"
    rows = rows_of(spec, line)
    assert [r["x"] for r in rows if r["series"] == "He"] == [1, 2, 3]
    assert len(rows) == 3 + 2
    assert any(p.get("bind") == "legend" for p in params_of(spec))


def test_weights_heatmap_shows_identical_rows_under_zero_init():
    rng = np.random.default_rng(0)
    snaps = {"epoch 0": np.zeros((4, 3)), "epoch 100": np.tile(rng.standard_normal(3), (4, 1))}
    spec = spec_of(viz.weights_heatmap_chart(snaps))
    assert spec["facet"]["column"]["field"] == "snapshot"
    assert spec["facet"]["column"]["sort"] == ["epoch 0", "epoch 100"]
    rect = units_of(spec, "rect")[0]
    assert rect["encoding"]["y"]["field"] == "unit"
    assert rect["encoding"]["x"]["field"] == "input"
    rows = spec["datasets"][spec["data"]["name"]]
    assert len(rows) == 2 * 4 * 3
    later = [r for r in rows if r["snapshot"] == "epoch 100"]
    by_unit = {u: [r["w"] for r in later if r["unit"] == u] for u in range(1, 5)}
    assert all(by_unit[u] == by_unit[1] for u in by_unit)
    domain = rect["encoding"]["color"]["scale"]["domain"]
    assert domain[0] == -domain[1]


def test_weights_heatmap_truncates_huge_matrices():
    rng = np.random.default_rng(0)
    spec = spec_of(viz.weights_heatmap_chart({"W1": rng.standard_normal((25, 12288))}))
    rows = spec["datasets"][spec["data"]["name"]]
    assert 0 < len(rows) <= 5000
    assert "first" in rows[0]["snapshot"]


# --- bars -------------------------------------------------------------------


def test_parameter_bars_thresholds_and_highlight():
    values = {"W1": 2e-9, "b1": 0.0, "W2": 3e-2, "b2": np.nan}
    thresholds = {"fine 1e-7": 1e-7, "look closer 1e-5": 1e-5, "bug 1e-3": 1e-3}
    spec = spec_of(viz.parameter_bars_chart(values, thresholds=thresholds))
    bar = units_of(spec, "bar")[0]
    assert bar["encoding"]["y"]["scale"]["type"] == "log"
    rows = rows_of(spec, bar)
    assert [r["parameter"] for r in rows] == ["W1", "b1", "W2"]
    flags = {r["parameter"]: r["flag"] for r in rows}
    assert flags["W2"] != flags["W1"] and flags["W1"] == flags["b1"]
    assert all(r["shown"] > 0 for r in rows)
    rule = units_of(spec, "rule")[0]
    assert sorted(r["level"] for r in rows_of(spec, rule)) == [1e-7, 1e-5, 1e-3]
    assert rule["encoding"]["y"]["scale"]["type"] == "log"
    assert units_of(spec, "text")[0]["encoding"]["text"]["field"] == "threshold"


def test_parameter_bars_linear_without_thresholds():
    spec = spec_of(viz.parameter_bars_chart({"a": 1.0, "b": 2.0}, log_y=False))
    assert units_of(spec, "rule") == []
    assert "type" not in units_of(spec, "bar")[0]["encoding"]["y"].get("scale", {})


def test_bar_chart_and_confusion_matrix():
    spec = spec_of(viz.bar_chart({"cat": 0.7, "dog": 0.2, "bird": 0.1}, y_title="P"))
    bar = units_of(spec, "bar")[0]
    assert bar["encoding"]["x"]["sort"] == ["cat", "dog", "bird"]
    assert bar["encoding"]["y"]["title"] == "P"
    assert units_of(spec, "text")

    spec = spec_of(viz.confusion_matrix_chart(np.array([[5, 1, 0], [2, 7, 1], [0, 0, 9]]), "abc"))
    rect, text = units_of(spec, "rect")[0], units_of(spec, "text")[0]
    rows = rows_of(spec, rect)
    assert len(rows) == 9
    assert sum(r["count"] for r in rows) == 25
    assert text["encoding"]["text"]["field"] == "count"
    # sized by a step per cell (st.altair_chart ignores a width in pixels), colours from 0
    assert spec["width"] == spec["height"] == {"step": 56}
    assert rect["encoding"]["color"]["scale"]["domainMin"] == 0
    assert spec_of(viz.confusion_matrix_chart(np.eye(10)))["width"] == {"step": 36}
    with pytest.raises(ValueError, match="step"):
        viz.confusion_matrix_chart(np.eye(2), step=0)
    with pytest.raises(ValueError, match="labels"):
        viz.confusion_matrix_chart(np.eye(2), ["only one"])


# --- surfaces ---------------------------------------------------------------


def test_contour_with_paths_order_clip_and_start():
    xs, ys = np.linspace(-2, 2, 40), np.linspace(-1, 3, 30)
    Z = (1 - xs[None, :]) ** 2 + 100 * (ys[:, None] - xs[None, :] ** 2) ** 2
    Z[0, 0] = np.nan
    paths = {
        "sgd": np.array([[-1.5, 2.0], [-1.0, 1.0], [50.0, -40.0], [np.nan, 0.0]]),
        "adam": np.array([[-1.5, 2.0], [0.0, 0.5], [1.0, 1.0]]),
    }
    spec = spec_of(viz.contour_chart(xs, ys, Z, paths=paths, start=(-1.5, 2.0), title="f"))
    rect = units_of(spec, "rect")[0]
    assert len(rows_of(spec, rect)) == 40 * 30 - 1
    assert rect["encoding"]["color"]["scale"]["type"] == "log"
    x_dom = rect["encoding"]["x"]["scale"]["domain"]
    assert x_dom[0] <= -2 and x_dom[1] >= 2 and x_dom[1] < 2.2
    lines = units_of(spec, "line")
    assert lines and all(u["mark"]["clip"] for u in lines)
    assert all(u["encoding"]["order"]["field"] == "step" for u in lines)
    path_rows = rows_of(spec, lines[0])
    assert len(path_rows) == 3 + 3
    points = units_of(spec, "point")
    starts = [u for u in points if u["mark"].get("shape") == "diamond"]
    assert rows_of(spec, starts[0])[0]["x"] == -1.5


def test_contour_linear_scale_and_nonpositive_values():
    xs = ys = np.linspace(-1, 1, 10)
    Z = xs[None, :] ** 2 + ys[:, None] ** 2  # minimum 0 is not allowed on a log scale
    spec = spec_of(viz.contour_chart(xs, ys, Z))
    rows = rows_of(spec, units_of(spec, "rect")[0])
    assert all(r["band"] > 0 for r in rows)
    spec = spec_of(viz.contour_chart(xs, ys, Z, log_z=False))
    assert units_of(spec, "rect")[0]["encoding"]["color"]["scale"]["type"] == "linear"


@pytest.mark.parametrize("build", [
    lambda: viz.decision_boundary_chart([panel("He", seed=1), panel("zeros", seed=2)]),
    lambda: viz.decision_boundary_chart([panel("three", classes=np.zeros((20, 30)))]),
    lambda: viz.contour_chart(np.linspace(-1, 1, 10), np.linspace(-1, 1, 8),
                              np.ones((8, 10)))],
    ids=["boundary", "classes", "contour"])
def test_grid_heatmaps_put_cell_edges_on_whole_pixels(build):
    """Issue 13: no seam between two cells. A cell's edge at a fraction of a pixel is
    antialiased, and two translucent half-covered pixels show as a light line across the map;
    a rounded scale puts every edge on a whole pixel."""
    spec = spec_of(build())
    rects = units_of(spec, "rect")
    assert rects
    for rect in rects:
        for channel in ("x", "y"):
            assert rect["encoding"][channel]["scale"].get("round") is True, channel


# --- scatter ----------------------------------------------------------------


def test_points_chart():
    X, Y = moons(m=25)
    X[0, 0] = np.nan
    spec = spec_of(viz.points_chart(X, Y, title="data"))
    circle = units_of(spec, "point")[0]
    assert len(rows_of(spec, circle)) == 24
    assert circle["encoding"]["fill"]["field"] == "label"
    assert circle["encoding"]["x"]["title"] and circle["encoding"]["y"]["title"]
    spec = spec_of(viz.points_chart(X, np.arange(25).reshape(1, -1) % 4))
    assert units_of(spec, "point")[0]["encoding"]["fill"]["scale"]["range"][0] == CLASS_COLOURS[0]


def test_scatter_trials_chart():
    records = [
        {"learning_rate": 1e-3, "beta": 0.9, "dev_acc": 0.81, "optimizer": "adam"},
        {"learning_rate": 1e-1, "beta": 0.99, "dev_acc": 0.64, "optimizer": "sgd"},
        {"learning_rate": 1e-2, "beta": 0.95, "dev_acc": float("nan")},
        {"learning_rate": 0.0, "beta": 0.95, "dev_acc": 0.5},
    ]
    chart = viz.scatter_trials_chart(records, "learning_rate", "beta", "dev_acc", log_x=True)
    spec = spec_of(chart)
    circle = units_of(spec, "circle")[0]
    assert len(rows_of(spec, circle)) == 2
    assert circle["encoding"]["x"]["scale"]["type"] == "log"
    assert circle["encoding"]["color"]["field"] == "dev_acc"
    assert circle["encoding"]["color"]["type"] == "quantitative"
    fields = {t["field"] for t in circle["encoding"]["tooltip"]}
    assert "optimizer" in fields
    with pytest.raises(ValueError, match="records"):
        viz.scatter_trials_chart({"a": 1}, "a", "b", "c")


# --- degenerate input: empty after filtering, never NaN in the spec ---------

NAN = float("nan")
DEGENERATE = {
    "curves all NaN": lambda: viz.curves_chart({"a": [NAN, NAN]}, marks={"stop": NAN}),
    "curves empty log": lambda: viz.curves_chart({"a": []}, log_y=True),
    "histogram all NaN": lambda: viz.histograms_chart({"a": [NAN]}),
    "layer stats all zero": lambda: viz.layer_stats_chart({"a": [0, 0]}, y_title="s"),
    "weights all NaN": lambda: viz.weights_heatmap_chart({"a": np.full((2, 2), NAN)}),
    "bars all NaN": lambda: viz.parameter_bars_chart({"a": NAN}, thresholds={"t": 1e-7}),
    "contour all NaN": lambda: viz.contour_chart(
        np.linspace(0, 1, 5), np.linspace(0, 1, 4), np.full((4, 5), NAN), paths={"p": [[NAN, 0]]}
    ),
    "contour constant": lambda: viz.contour_chart([0, 1], [0, 1], np.ones((2, 2))),
    "no trials": lambda: viz.scatter_trials_chart([], "a", "b", "c"),
    "no points": lambda: viz.points_chart(np.zeros((2, 0)), np.zeros((1, 0))),
    "boundary all NaN": lambda: viz.decision_boundary_chart(
        [
            {
                "label": "diverged",
                "xs": [0, 1],
                "ys": [0, 1],
                "probs": np.full((2, 2), NAN),
                "X": np.zeros((2, 1)),
                "Y": np.zeros((1, 1)),
            }
        ]
    ),
}


@pytest.mark.parametrize("name", sorted(DEGENERATE))
def test_degenerate_input_gives_a_strict_json_spec(name):
    spec = spec_of(DEGENERATE[name]())
    assert units(spec)


def test_view_spans_the_grid_even_where_values_are_not_finite():
    xs, ys = np.linspace(0, 1, 5), np.linspace(0, 2, 4)
    Z = np.ones((4, 5))
    Z[:, 0] = NAN
    spec = spec_of(viz.contour_chart(xs, ys, Z))
    domain = units_of(spec, "rect")[0]["encoding"]["x"]["scale"]["domain"]
    assert domain[0] < 0 < 1 < domain[1]


def test_thinned_curves_keep_their_points_as_they_grow():
    """A live curve grows a point per epoch and is thinned every frame: the points kept for
    ``n`` epochs are kept for ``n + 1`` too (until the stride doubles), so a thinned noisy
    curve does not change shape from frame to frame. First and last points always kept."""
    from nnlab.viz._common import thin_indices

    for cap in (3, 10, 200):
        for n in (1, 2, cap, cap + 1, 5 * cap, 1500):
            idx = thin_indices(n, cap)
            assert len(idx) <= max(cap, 3) and idx[0] == 0 and idx[-1] == n - 1
            assert np.all(np.diff(idx) > 0)
    a, b = thin_indices(1000, 200), thin_indices(1001, 200)
    assert set(a[:-1]) <= set(b)  # only the last point moved on
    assert len(thin_indices(1500, 200)) > 100  # a thinned curve keeps enough points to read
