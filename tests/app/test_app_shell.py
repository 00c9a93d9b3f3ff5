"""The app shell: home page, Compare runs page, run registry, decision grid, exports.

AppTest renders pages in-process; the entry script is ``streamlit_app.py`` and other pages are
reached with ``switch_page`` (as ``streamlit run`` reaches them).
"""

import json
import re
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("streamlit")

from streamlit.testing.v1 import AppTest  # noqa: E402

from nnlab.app import compare, controls, registry, runs  # noqa: E402
from nnlab.app.pages import PAGES, ROOT, existing_pages, find_page  # noqa: E402
from nnlab.config import TrainConfig  # noqa: E402
from nnlab.core.train import train  # noqa: E402

TIMEOUT = 60
COMPARE_PAGE = "pages/90_Compare_runs.py"
FAST = TrainConfig(num_epochs=20, hidden_units=(4,), learning_rate=0.1, n_samples=100)
DIVERGING = FAST.replace(hidden_activation="linear", learning_rate=100.0,
                         hidden_units=(50, 50, 50), num_epochs=30)


@pytest.fixture(scope="module")
def results():
    """Three small real runs (one diverged) reused by the tests of this module."""
    return {"a": train(FAST), "b": train(FAST.replace(optimizer="adam", learning_rate=0.01)),
            "bad": train(DIVERGING)}


def seeded_entries(results):
    return [runs.run_entry(results["a"], "gd", "Optimizers", "r1"),
            runs.run_entry(results["b"], "adam", "Optimizers", "r2")]


def app() -> AppTest:
    return AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=TIMEOUT)


def compare_page(entries=None) -> AppTest:
    at = app().run()
    assert not at.exception
    if entries is not None:
        at.session_state[runs.RUNS_KEY] = entries
    return at.switch_page(COMPARE_PAGE).run()


# ------------------------------------------------------------------------------ pages


def test_home_renders_with_a_link_to_every_existing_page():
    at = app().run()
    assert not at.exception, at.exception
    assert at.title[0].value == "nnlab: improving deep neural networks"
    labels = [link.label for link in at.get("page_link")]
    for page in existing_pages():
        # once in the sidebar menu, once in the course map
        assert labels.count(page.title) == 2, (page.title, labels)
    assert "Home" in labels
    sidebar = [link.label for link in at.sidebar.get("page_link")]
    assert sidebar[0] == "Home"
    assert "Compare runs" in sidebar


def test_registry_lists_every_course_page_once():
    paths = [p.path for p in PAGES]
    assert len(paths) == len(set(paths)) == 17  # 15 topics, Challenges, Compare runs
    assert all(re.fullmatch(r"pages/\d\d_[A-Za-z_]+\.py", p) for p in paths)
    assert {p.group for p in PAGES} == {"Week 1 · Practical aspects",
                                         "Week 2 · Optimization algorithms",
                                         "Week 3 · Tuning, batch norm, frameworks", "Lab"}
    assert find_page(COMPARE_PAGE).title == "Compare runs"
    assert find_page("Vanishing & exploding gradients").path == "pages/14_Vanishing_gradients.py"
    assert (ROOT / COMPARE_PAGE).is_file()


def test_compare_page_without_runs_says_how_to_make_some():
    at = compare_page()
    assert not at.exception, at.exception
    assert at.title[0].value == "Compare runs"
    assert "No runs yet" in at.info[0].value
    assert len(at.get("download_button")) == 0


def test_compare_page_shows_seeded_runs_and_downloads(results):
    at = compare_page(seeded_entries(results))
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    assert list(table["id"]) == ["r1", "r2"]
    assert list(table["label"]) == ["gd", "adam"]
    assert at.multiselect(key="compare_selection").value == ["r1", "r2"]
    assert len(at.get("vega_lite_chart")) == 2  # cost and dev accuracy
    downloads = at.get("download_button")
    assert len(downloads) == 2
    assert not at.warning


def test_compare_page_reports_a_diverged_run(results):
    entries = seeded_entries(results) + [runs.run_entry(results["bad"], "lr 100", "x", "r3")]
    at = compare_page(entries)
    assert not at.exception, at.exception
    assert results["bad"].status == "diverged"
    assert any("Diverged" in w.value for w in at.warning)


def test_clear_runs_button_empties_the_registry(results):
    at = compare_page(seeded_entries(results))
    at.button(key="clear_runs").click().run()
    assert not at.exception, at.exception
    assert at.session_state[runs.RUNS_KEY] == []
    assert "No runs yet" in at.info[0].value


# ------------------------------------------------------------------------------ train_cached

TRAIN_SCRIPT = """
import streamlit as st
from nnlab.app import comparison_view, page_setup, train_cached
from nnlab.config import TrainConfig
from nnlab.core.train import make_dataset

page_setup("Optimizers", "test")
base = TrainConfig(num_epochs=20, hidden_units=(4,), learning_rate=0.1, n_samples=100)
bad = base.replace(hidden_activation="linear", learning_rate=100.0, hidden_units=(50, 50, 50),
                   num_epochs=30)
variants = [("gd", base), ("adam", base.replace(optimizer="adam")), ("too fast", bad)]
results = [(label, train_cached(config, label)) for label, config in variants]
comparison_view(results, make_dataset(base))
"""


def test_train_cached_registers_once_and_comparison_survives_divergence():
    at = AppTest.from_string(TRAIN_SCRIPT, default_timeout=TIMEOUT).run()
    assert not at.exception, at.exception
    entries = at.session_state[runs.RUNS_KEY]
    assert [e["label"] for e in entries] == ["gd", "adam", "too fast"]
    assert [e["page"] for e in entries] == ["Optimizers"] * 3
    assert entries[2]["status"] == "diverged"
    assert any("too fast" in w.value and "Diverged" in w.value for w in at.warning)
    table = at.dataframe[0].value
    assert list(table["run"]) == ["gd", "adam", "too fast"]
    assert list(table["status"]) == ["ok", "ok", "diverged"]
    assert len(at.get("progress")) == 0  # bars are emptied once a run is done
    at.run()  # a rerun hits the cache and registers nothing new
    assert not at.exception, at.exception
    assert [e["id"] for e in at.session_state[runs.RUNS_KEY]] == ["r1", "r2", "r3"]


def test_training_cache_is_keyed_by_config_and_engine_version():
    script = """
import streamlit as st
from nnlab.app import runs
from nnlab.config import TrainConfig
config = TrainConfig(num_epochs=5, hidden_units=(3,), n_samples=60)
first = runs.train_cached(config, "one")
second = runs.train_cached(config, "two")
st.session_state["same"] = bool((first.history["cost"] == second.history["cost"]).all())
"""
    at = AppTest.from_string(script, default_timeout=TIMEOUT).run()
    assert not at.exception, at.exception
    assert at.session_state["same"]
    assert [e["label"] for e in at.session_state[runs.RUNS_KEY]] == ["one", "two"]
    assert re.fullmatch(r"nnlab-engine-[0-9a-f]{12}", runs.ENGINE_VERSION)


# ------------------------------------------------------------------------------ registry


def test_register_run_deduplicates_same_page_label_and_config(results):
    store = {}
    first = runs.register_run(results["a"], "gd", "Optimizers", store=store)
    again = runs.register_run(results["a"], "gd", "Optimizers", store=store)
    other_label = runs.register_run(results["a"], "plain gd", "Optimizers", store=store)
    other_config = runs.register_run(results["b"], "gd", "Optimizers", store=store)
    assert first == again == "r1"
    assert (other_label, other_config) == ("r2", "r3")
    assert [e["id"] for e in runs.list_runs(store)] == ["r1", "r2", "r3"]
    assert runs.get_run("r3", store)["config"] == results["b"].config
    runs.clear_runs(store)
    assert runs.list_runs(store) == []
    assert runs.register_run(results["a"], "gd", "Optimizers", store=store) == "r4"


def test_registry_is_bounded(results, monkeypatch):
    monkeypatch.setattr(registry, "MAX_RUNS", 3)
    store = {}
    for i in range(5):
        runs.register_run(results["a"], f"run {i}", "p", store=store)
    assert [e["label"] for e in runs.list_runs(store)] == ["run 2", "run 3", "run 4"]


def test_histories_csv_is_long_format_and_configs_json_round_trips(results):
    import io

    import pandas as pd

    entries = seeded_entries(results) + [runs.run_entry(results["bad"], "bad", "x", "r3")]
    frame = pd.read_csv(io.StringIO(runs.histories_csv(entries)))
    assert list(frame.columns[:5]) == ["run_id", "label", "page", "epoch", "cost"]
    assert len(frame) == sum(e["epochs_run"] for e in entries)
    assert set(frame["run_id"]) == {"r1", "r2", "r3"}
    assert "grad_norm_4" in frame.columns  # the diverged run has 4 layers, the others 2
    assert frame.loc[frame["run_id"] == "r1", "grad_norm_4"].isna().all()
    r1 = frame[frame["run_id"] == "r1"]
    np.testing.assert_allclose(r1["cost"], results["a"].history["cost"], rtol=1e-12)

    items = json.loads(runs.configs_json(entries))
    assert [i["id"] for i in items] == ["r1", "r2", "r3"]
    assert TrainConfig.from_dict(items[1]["config"]) == results["b"].config
    assert items[2]["status"] == "diverged"
    assert runs.histories_csv([]).startswith("run_id,label,page,epoch")


# ------------------------------------------------------------------------------ decision grid


def test_decision_grid_binary_covers_the_padded_box():
    X = np.array([[0.0, 2.0, 1.0], [-1.0, 1.0, 0.0]])
    calls = []

    def proba(G):
        calls.append(G.shape)
        return (1 / (1 + np.exp(-G[0] + 1)))[None, :]  # P(y=1) grows with x1

    grid = compare.decision_grid(proba, X, size=30, pad=0.1)
    assert calls == [(2, 900)]
    assert set(grid) == {"xs", "ys", "probs"}
    assert grid["probs"].shape == (30, 30)
    assert grid["xs"][0] == pytest.approx(-0.2) and grid["xs"][-1] == pytest.approx(2.2)
    assert grid["ys"][0] == pytest.approx(-1.2) and grid["ys"][-1] == pytest.approx(1.2)
    # probs[i, j] is at (xs[j], ys[i]): constant along a column, increasing along a row
    assert np.all(np.diff(grid["probs"], axis=1) > 0)
    assert np.allclose(grid["probs"][0], grid["probs"][-1])


def test_decision_grid_softmax_gives_argmax_classes_and_keeps_nan():
    X = np.array([[-1.0, 1.0], [-1.0, 1.0]])

    def proba(G):
        scores = np.vstack([-G[0], G[0], np.full(G.shape[1], 0.1)])
        scores[:, :3] = np.nan  # a few non-finite outputs
        return scores

    grid = compare.decision_grid(proba, X, size=10)
    assert set(grid) == {"xs", "ys", "classes"}
    classes = grid["classes"].ravel()
    assert np.isnan(classes[:3]).all()
    finite = classes[3:]
    assert set(np.unique(finite)) <= {0.0, 1.0, 2.0}
    assert classes[9] == 1.0  # right edge: x1 large -> class 1


def test_decision_grid_on_a_real_run_and_degenerate_data(results):
    grid = compare.decision_grid(results["a"].predict_proba, np.zeros((2, 4)), size=5)
    assert grid["probs"].shape == (5, 5)
    assert grid["xs"][0] == pytest.approx(-0.5) and grid["xs"][-1] == pytest.approx(0.5)
    assert np.all((grid["probs"] >= 0) & (grid["probs"] <= 1))
    with pytest.raises(ValueError, match="shape"):
        compare.decision_grid(results["a"].predict_proba, np.zeros((3, 4)))


# ------------------------------------------------------------------------------ controls


@pytest.mark.parametrize("text,units", [("10,5", (10, 5)), (" 10 , 5 ,", (10, 5)),
                                        ("16*3", (16, 16, 16)), ("", ()), ("8;4", (8, 4))])
def test_parse_hidden_units(text, units):
    assert controls.parse_hidden_units(text) == units


@pytest.mark.parametrize("text", ["10,abc", "0", "-3", "5*0", "1.5", "9999", "2*100"])
def test_parse_hidden_units_rejects_bad_text_with_a_message(text):
    with pytest.raises(ValueError, match=r"."):
        controls.parse_hidden_units(text, max_layers=50, max_units=512)


CONTROLS_SCRIPT = """
import streamlit as st
from nnlab.app import controls
from nnlab.config import TrainConfig
base = TrainConfig(num_epochs=100)
parts = [f(key="v", defaults=base, bind="query-params") for f in (
    controls.dataset_controls, controls.architecture_controls, controls.initializer_controls,
    controls.regularization_controls, controls.optimizer_controls, controls.schedule_controls,
    controls.mini_batch_controls, controls.epochs_control, controls.seed_control)]
config = controls.make_config(*parts, base=base)
st.session_state["config"] = config
"""


def test_controls_build_the_base_config_and_follow_the_url():
    at = AppTest.from_string(CONTROLS_SCRIPT, default_timeout=TIMEOUT).run()
    assert not at.exception, at.exception
    assert at.session_state["config"] == TrainConfig(num_epochs=100, noise=0.2)

    at = AppTest.from_string(CONTROLS_SCRIPT, default_timeout=TIMEOUT)
    at.query_params.update({"v_dataset": "circles", "v_optimizer": "adam",
                            "v_learning_rate": "0.001", "v_hidden_units": "8,8,8",
                            "v_mini_batch_size": "64"})
    at.run()
    assert not at.exception, at.exception
    config = at.session_state["config"]
    assert (config.dataset, config.optimizer, config.learning_rate) == ("circles", "adam", 0.001)
    assert (config.hidden_units, config.mini_batch_size, config.noise) == ((8, 8, 8), 64, 0.05)


def test_bad_hidden_units_show_an_error_not_an_exception():
    at = AppTest.from_string(CONTROLS_SCRIPT, default_timeout=TIMEOUT).run()
    at.text_input(key="v_hidden_units").set_value("10,x").run()
    assert not at.exception, at.exception
    assert "not a layer size" in at.error[0].value
    assert at.session_state["config"].hidden_units == (10, 5)
    at.selectbox(key="v_dataset").set_value("spiral").run()
    assert at.slider(key="v_noise").value == pytest.approx(0.2)
    assert at.session_state["config"].n_classes == 3


# ------------------------------------------------------------------------------ layering


def test_only_nnlab_app_imports_streamlit():
    pkg = Path(__file__).resolve().parents[2] / "nnlab"
    pattern = re.compile(r"^\s*(import streamlit|from streamlit\b)", re.MULTILINE)
    outside = [p for p in [*pkg.glob("*.py"), *pkg.glob("viz/*.py")]
               if pattern.search(p.read_text(encoding="utf-8"))]
    assert outside == []
    inside = [p.name for p in (pkg / "app").glob("*.py")
              if pattern.search(p.read_text(encoding="utf-8"))]
    assert "pages.py" in inside and "runs.py" in inside


COLUMNS_SCRIPT = """
import streamlit as st
from nnlab.app import train_cached
from nnlab.config import TrainConfig
left, right = st.columns(2)
with left:
    a = train_cached(TrainConfig(num_epochs=50, hidden_units=(3,), n_samples=60), "a")
with right:
    b = train_cached(TrainConfig(num_epochs=50, hidden_units=(3,), n_samples=60, seed=1), "b")
st.write(a.status, b.status)
"""


def test_cached_runs_inside_columns_replay_without_closure_errors(monkeypatch):
    calls = []
    real_train = runs.train

    def counting_train(config, **kwargs):
        calls.append(config.seed)
        return real_train(config, **kwargs)

    monkeypatch.setattr(runs, "train", counting_train)
    monkeypatch.setattr(runs, "PROGRESS_DELAY", 0.0)  # every run draws its progress bar
    at = AppTest.from_string(COLUMNS_SCRIPT, default_timeout=TIMEOUT).run()
    assert not at.exception, at.exception
    at.run()  # cache hit: the progress bars' messages are replayed, nothing is retrained
    assert not at.exception, at.exception
    assert calls == [0, 1]
    assert len(at.get("progress")) == 0
    assert [e["label"] for e in at.session_state[runs.RUNS_KEY]] == ["a", "b"]


def test_every_page_takes_its_title_and_line_from_the_registry():
    """The title and the "what you will see" line are written once, in PAGES."""
    for page in (*existing_pages(), find_page("streamlit_app.py")):
        assert page.what, page.path
        source = page.file.read_text(encoding="utf-8")
        assert "page_setup(__file__)" in source, page.path
        assert f'"{page.title}"' not in source, page.path
        assert find_page(str(page.file)) == page


def test_every_control_is_bound_to_the_url_in_one_place():
    """Widgets bind to the URL by default: ``bind="query-params"`` is written once, in
    nnlab/app/bound.py, and no page or glue module calls a Streamlit widget directly (the live
    toolbar's transient switches excepted)."""
    root = Path(__file__).resolve().parents[2]
    files = [*root.glob("pages/*.py"), *root.glob("nnlab/app/*.py"), root / "streamlit_app.py"]
    literal = [f.name for f in files if '"query-params"' in f.read_text()]
    assert literal == ["bound.py"]
    widget = re.compile(r"\bst\.(slider|select_slider|selectbox|multiselect|number_input|"
                        r"text_input|checkbox|toggle|radio|segmented_control|pills)\(")
    direct = [f.name for f in files if widget.search(f.read_text())
              and f.name not in ("bound.py", "live_controls.py")]
    assert not direct, direct
