"""AppTest of the "Initialization" page."""

import pytest

from nnlab.config import TrainConfig
from nnlab.core.train import train
from nnlab.course import INITIALIZATION_PUBLISHED as PUBLISHED
from tests.app.conftest import finish, page_path, run_page

PAGE = page_path("12_Initialization.py")
#: The page's default base run (noise: the circles' default 0.05 from the slider).
BASE = TrainConfig(dataset="circles", n_samples=300, noise=0.05, hidden_units=(10, 5),
                   optimizer="gd", learning_rate=0.05, num_epochs=1500)
ACC_TOL = 1e-12


@pytest.fixture
def at():
    return run_page(PAGE, 120)


def _table(app):
    return app.dataframe[0].value.set_index("run")


def test_default_comparison_comes_from_the_engine_and_he_wins(at):
    table = _table(at)
    assert list(table.index) == ["zeros", "random × 10", "Xavier", "He"]
    he = train(BASE.replace(initializer="he"))
    zeros = train(BASE.replace(initializer="zeros"))
    assert table.loc["He", "train_accuracy"] == pytest.approx(
        he.metrics["train_accuracy"], abs=ACC_TOL)
    assert table.loc["zeros", "final_cost"] == pytest.approx(zeros.final_cost, abs=ACC_TOL)
    # the lesson: zeros learn nothing, He beats large random weights
    assert table.loc["He", "train_accuracy"] > table.loc["random × 10", "train_accuracy"]
    assert table.loc["random × 10", "train_accuracy"] > table.loc["zeros", "train_accuracy"]


def test_random_scale_slider_changes_the_random_run(at):
    before = _table(at).loc["random × 10", "final_cost"]
    at.slider(key="init_random_scale").set_value(1.0).run()
    assert not at.exception
    finish(at, "init_live")
    table = _table(at)
    assert "random × 1" in table.index
    ours = train(BASE.replace(initializer="random", init_scale=1.0))
    assert table.loc["random × 1", "final_cost"] == pytest.approx(ours.final_cost, abs=ACC_TOL)
    assert table.loc["random × 1", "final_cost"] != before


def test_symmetry_view_counts_distinct_units(at):
    text = " ".join(m.value for m in at.markdown)
    assert "**zeros**: 1 distinct unit of 10 in W1" in text
    assert "**constant 0.5**: 1 distinct unit of 10 in W1" in text
    assert "**He**: 10 distinct units of 10 in W1" in text
    at.radio(key="sym_layer").set_value("W2").run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "**constant 0.5**: 1 distinct unit of 5 in W2" in text


def test_reproduce_the_assignment(at):
    n_tables = len(at.dataframe)
    at.button(key="init_reproduce").click().run()
    assert not at.exception
    assert len(at.dataframe) == n_tables + 2
    acc = at.dataframe[n_tables].value.set_index("initialization")
    for init, (pub_train, pub_test, _) in PUBLISHED.items():
        assert acc.loc[init, "train accuracy"] == pytest.approx(pub_train, abs=ACC_TOL)
        assert acc.loc[init, "test accuracy"] == pytest.approx(pub_test, abs=ACC_TOL)
    assert any("matches the notebook" in s.body for s in at.success)
    costs = at.dataframe[n_tables + 1].value
    assert costs["iteration"].tolist() == list(range(0, 15000, 1000))
    # the table stays on the next rerun (a cache hit)
    at.run()
    assert len(at.dataframe) == n_tables + 2
