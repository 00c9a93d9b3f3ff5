"""AppTest of pages/24_Loss_landscapes.py; tests of nnlab.lessons.optimizer_paths and viz.phases."""


import numpy as np
import pytest

from nnlab.lessons.optimizer_paths import momentum_bound, quadratic_momentum_path, race
from nnlab.lessons.surfaces import SURFACES, momentum_phase_diagram, optimize_path
from nnlab.viz.phases import phase_diagram_chart
from tests.app.conftest import finish, page_path, run_page

PAGE = page_path("24_Loss_landscapes.py")
PATH_TOLERANCE = 1e-12


@pytest.fixture
def page():
    return run_page(PAGE, 60)


def _picked(at):
    return next(m.value for m in at.markdown if m.value.startswith("α = "))


def test_renders_with_the_default_cell_oscillating(page):
    assert ": **oscillates**" in _picked(page)
    assert page.slider(key="ll_x").value == pytest.approx(SURFACES["saddle"].start[0])


def test_picking_a_cell_beyond_the_bound_diverges(page):
    # beta 0.5: bound 2 (1.5) / 0.5 = 6; a larger alpha must diverge, as the diagram says
    page.selectbox(key="ph_beta").set_value(0.5).run()
    lr = min(o for o in page.selectbox(key="ph_learning_rate").options if float(o) > 10)
    page.selectbox(key="ph_learning_rate").set_value(float(lr)).run()
    assert not page.exception
    assert ": **diverges**" in _picked(page)
    fast = min(page.selectbox(key="ph_learning_rate").options, key=lambda o: abs(float(o) - 0.5))
    page.selectbox(key="ph_learning_rate").set_value(float(fast)).run()
    assert ": **fast**" in _picked(page)


def test_preset_moves_start_and_learning_rates(page):
    page.selectbox(key="ll_preset").set_value("Elongated bowl").run()
    assert not page.exception
    assert page.slider(key="ll_x").value == pytest.approx(-5.0)
    assert page.select_slider(key="ll_gd_learning_rate").value == pytest.approx(0.19)


def test_divergent_racer_is_a_warning_not_a_crash(page):
    page.select_slider(key="ll_gd_learning_rate").set_value(2.0).run()
    assert not page.exception
    finish(page, "ll_live")  # the race plays again from the start; Finish shows its end
    assert any("GD" in w.value and "diverged" in w.value for w in page.warning)


def test_quadratic_path_matches_the_phase_diagram():
    for lr, beta in [(0.5, 0.0), (10.0, 0.9), (50.0, 0.9), (0.05, 0.5)]:
        path = quadratic_momentum_path(lr, beta, num_steps=100)
        d = momentum_phase_diagram([lr], [beta], num_steps=100)
        if d["labels"][0, 0] == "diverges":
            assert abs(path[-1]) > 1
        else:
            assert abs(path[-1]) == pytest.approx(d["final_distance"][0, 0], abs=PATH_TOLERANCE)
    assert momentum_bound(0.9) == pytest.approx(38.0)
    assert quadratic_momentum_path(momentum_bound(0.5) * 1.05, 0.5, num_steps=300)[-1] ** 2 > 1
    assert abs(quadratic_momentum_path(momentum_bound(0.5) * 0.95, 0.5, num_steps=300)[-1]) < 1


def test_race_equals_optimize_path():
    runs = {"a": dict(optimizer="adam", learning_rate=0.1), "m": dict(optimizer="momentum",
                                                                      learning_rate=0.05,
                                                                      beta=0.8)}
    out = race("saddle", (-2.5, 0.01), runs, 30)
    ref = optimize_path("saddle", (-2.5, 0.01), "momentum", 0.05, 30, beta=0.8)
    np.testing.assert_array_equal(out["m"]["path"], ref["path"])
    assert out["a"]["steps"] == 30


@pytest.mark.parametrize("call", [
    lambda: race("saddle", (0, 0), {}, 10),
    lambda: race("saddle", (0, 0), {"x": {"optimizer": "sgd", "learning_rate": 0.1}}, 10),
    lambda: race("saddle", (0, 0), {"x": {"optimizer": "gd"}}, 10),
    lambda: quadratic_momentum_path(0.0, 0.5),
    lambda: quadratic_momentum_path(1.0, 1.0),
    lambda: momentum_bound(1.0),
    lambda: phase_diagram_chart([["fast"]], [0.1, 0.2], [0.5]),
    lambda: phase_diagram_chart([["wobbly"]], [0.1], [0.5]),
])
def test_bad_input_raises_value_error(call):
    with pytest.raises(ValueError):
        call()


def test_phase_chart_carries_the_click_selection():
    d = momentum_phase_diagram([0.1, 1.0, 10.0], [0.0, 0.5])
    spec = phase_diagram_chart(d["labels"], [0.1, 1.0, 10.0], [0.0, 0.5], select_name="pick",
                               selected=(1.0, 0.5)).to_dict()
    assert spec["params"][0]["name"] == "pick"
    assert spec["params"][0]["select"]["fields"] == ["learning_rate", "beta"]
    assert len(spec["layer"]) == 3  # cells, their phase letters, the outline of the picked cell


def _outlined_cells(at):
    """The phase diagram's outline layers (a black, unfilled rect) in the page's charts."""
    import json
    out = []
    for element in at.get("vega_lite_chart"):
        for layer in json.loads(element.proto.spec).get("layer", []):
            mark = layer.get("mark", {})
            if isinstance(mark, dict) and mark.get("type") == "rect" and (
                    mark.get("stroke") == "black" and mark.get("fill") is None):
                out.append(layer)
    return out


def test_the_picked_cell_is_outlined_on_the_diagram(page):
    """The select boxes show α rounded to 4 digits; the outline is drawn at the grid cell."""
    assert len(_outlined_cells(page)) == 1
    options = page.selectbox(key="ph_learning_rate").options
    page.selectbox(key="ph_learning_rate").set_value(float(options[3])).run()
    assert len(_outlined_cells(page)) == 1
