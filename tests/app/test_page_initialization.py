"""AppTest of the "Initialization" page."""

import numpy as np
import pytest

from nnlab import course
from nnlab.app import initialization_course as init_course
from nnlab.config import TrainConfig
from nnlab.core.train import train
from nnlab.course import INITIALIZATION_PUBLISHED as PUBLISHED
from tests.app.conftest import finish, open_section, page_path, run_page

PAGE = page_path("12_Initialization.py")
#: The page's default base run (noise: the circles' default 0.05 from the slider).
BASE = TrainConfig(dataset="circles", n_samples=300, noise=0.05, hidden_units=(10, 5),
                   optimizer="gd", learning_rate=0.1, num_epochs=1500)
ACC_TOL = 1e-12
#: Iterations of the course's runs in the live-replay test (the real ones are 15,000).
SHORT_ITERATIONS = 4


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


def _frame(app, column):
    return next(d.value for d in app.dataframe if column in d.value.columns)


def test_reproduce_the_assignment(at):
    open_section(at, "init_section", "Reproduce the assignment")
    n_tables = len(at.dataframe)
    at.button(key="init_reproduce").click().run()
    assert not at.exception
    assert len(at.dataframe) == n_tables + 3  # the live view's table, accuracies, costs
    acc = _frame(at, "published train").set_index("initialization")
    for init, (pub_train, pub_test, _) in PUBLISHED.items():
        assert acc.loc[init, "train accuracy"] == pytest.approx(pub_train, abs=ACC_TOL)
        assert acc.loc[init, "test accuracy"] == pytest.approx(pub_test, abs=ACC_TOL)
    assert any("matches the notebook" in s.body for s in at.success)
    costs = _frame(at, "iteration")
    assert costs["iteration"].tolist() == list(range(0, 15000, 1000))
    # the table stays on the next rerun (a cache hit)
    at.run()
    assert len(at.dataframe) == n_tables + 3


def test_the_reproduction_replays_live_and_ends_as_the_one_shot_run(at, monkeypatch):
    """Reset and Step replay the course's runs from iteration 0 (its weights); stepped to the
    end, and with Finish, they end with the numbers of ``course.initialization_run``, bit for
    bit."""
    monkeypatch.setattr(course, "INITIALIZATION_ITERATIONS", SHORT_ITERATIONS)
    expected = {init_course.COURSE_LABELS[init]: course.initialization_run(init)
                for init in course.INITIALIZATIONS}

    def live_table():
        return next(d.value for d in at.dataframe if "run" in d.value.columns
                    and set(d.value["run"]) == set(expected)).set_index("run")

    def assert_ends_as_one_shot():
        table = live_table()
        for label, r in expected.items():
            assert table.loc[label, "epochs"] == SHORT_ITERATIONS
            for column, value in (("train_accuracy", r.metrics["train_accuracy"]),
                                  ("test_accuracy", r.metrics["test_accuracy"]),
                                  ("final_cost", r.final_cost)):  # NaN: no finite cost yet
                np.testing.assert_equal(table.loc[label, column], value)

    open_section(at, "init_section", "Reproduce the assignment")
    at.button(key="init_reproduce").click().run()
    at.button(key="init_course_live_reset").click().run()
    at.button(key="init_course_live_step").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert list(live_table()["epochs"]) == [1, 1, 1]
    finish(at, "init_course_live")
    assert_ends_as_one_shot()
    at.button(key="init_course_live_reset").click().run()  # now played step by step
    for _ in range(SHORT_ITERATIONS):
        at.button(key="init_course_live_step").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert_ends_as_one_shot()
