"""The "Hyperparameter search" page: grid vs random on the same budget, zoom, panda."""


import numpy as np
import pytest

pytest.importorskip("streamlit")

from streamlit.testing.v1 import AppTest  # noqa: E402

from nnlab.app import search_page as hs  # noqa: E402
from nnlab.app import search_trials as trials  # noqa: E402
from nnlab.app.pages import ROOT  # noqa: E402
from nnlab.core.train import train  # noqa: E402
from nnlab.lessons import search  # noqa: E402
from nnlab.viz.caviar import caviar_chart  # noqa: E402
from tests.app.conftest import open_section  # noqa: E402

PAGE = "pages/31_Hyperparameter_search.py"
TIMEOUT = 120
ACC_TOL = 1e-12


def _page():
    at = AppTest.from_file(str(ROOT / PAGE), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception
    return at


def _trials(at):
    return next(d.value for d in at.dataframe if "method" in d.value.columns)


def _metric(at, label):
    return next(m for m in at.metric if m.label == label).value


def test_default_random_beats_grid_on_the_same_budget():
    at = _page()
    grid_best, random_best = (float(_metric(at, f"{n}: best dev accuracy"))
                              for n in ("Grid", "Random"))
    assert random_best > grid_best
    assert int(_metric(at, "α values tried: grid")) == 3
    assert int(_metric(at, "α values tried: random")) == hs.DEFAULT_BUDGET
    # the shown number is the engine's: recompute the random search's best trial
    base = hs.base_config("moons", hs.BASE.num_epochs, hs.DEFAULT_KNOBS)
    space = hs.make_space(hs.DEFAULT_KNOBS)
    points = search.random_search_points(space, hs.DEFAULT_BUDGET, np.random.default_rng([0, 0]))
    accs = [train(search.apply_point(base, p)).metrics["dev_accuracy"] for p in points]
    assert abs(max(accs) - random_best) < 5e-4  # the metric shows 3 decimals
    table = _trials(at)
    assert len(table) == len(search.grid_search_points(space, hs.DEFAULT_BUDGET)) + len(points)
    assert abs(table[table.method == "random"].dev_accuracy.max() - max(accs)) < ACC_TOL


def test_zoom_samples_a_narrower_range_and_panda_adds_a_day():
    at = open_section(_page(), "hs_section", "Coarse to fine")
    at.button(key="hs_zoom_in").click().run()
    assert not at.exception
    rounds = at.dataframe[-1].value
    assert list(rounds["round"]) == ["coarse", "zoom 1"]
    width = np.log10(rounds["learning_rate high"]) - np.log10(rounds["learning_rate low"])
    assert width.iloc[1] < width.iloc[0]
    open_section(at, "hs_section", "Caviar vs panda")
    assert len(at.session_state["hs_panda"]) == 1
    at.button(key="hs_panda_more").click().run()
    assert not at.exception
    assert at.session_state["hs_panda"] == [hs.PANDA_START, 0.3]  # day 1 at the slider's α


def test_stop_keeps_finished_trials_and_form_resumes():
    at = _page()
    at.button(key="hs_stop").click().run()
    assert not at.exception
    assert any("Search stopped" in i.value for i in at.info)
    n_before = len(_trials(at))
    assert n_before > 0  # the default search had finished: all of it is shown
    at.multiselect(key="hs_knobs").set_value(["learning_rate", "beta", "units"])
    at.button[0].click().run()  # the form's submit button
    assert not at.exception
    assert at.session_state["hs_stopped"] is False
    assert not any("Search stopped" in i.value for i in at.info)


def test_panda_run_chains_days():
    base = hs.base_config("moons", 50, hs.DEFAULT_KNOBS)
    one = trials.panda_run(base, [0.3])
    two = trials.panda_run(base, [0.3, 0.3])
    assert len(one["costs"]) == hs.PANDA_SEGMENT and len(two["costs"]) == 2 * hs.PANDA_SEGMENT
    assert np.allclose(two["costs"][:hs.PANDA_SEGMENT], one["costs"], rtol=0, atol=ACC_TOL)
    assert two["costs"][-1] < one["costs"][-1]  # the second day goes on from the first


def test_make_space_rejects_unknown_knobs():
    with pytest.raises(ValueError, match="knobs"):
        hs.make_space(["momentum_of_the_moon"])
    with pytest.raises(ValueError, match="knobs"):
        hs.make_space([])


def test_caviar_chart_colours_by_value_and_checks_input():
    chart = caviar_chart({"a": [1.0, 0.5, np.nan], "b": [2.0, 1.0, 0.2]}, {"a": 0.01, "b": 1.0})
    data = chart.to_dict()
    assert data["encoding"]["color"]["field"] == "value"
    with pytest.raises(ValueError, match="values"):
        caviar_chart({"a": [1.0]}, {"b": 1.0})
