"""AppTest of pages/23_Optimizers.py and tests of nnlab.lessons.optimizer_paths.adam_step_sizes."""


import numpy as np
import pytest

from nnlab import course
from nnlab.app import optimizers_page as op
from nnlab.core.train import train
from nnlab.lessons.optimizer_paths import adam_step_sizes
from tests.app.conftest import finish, open_section, page_path, run_page

PAGE = page_path("23_Optimizers.py")
ACCURACY_TOLERANCE = 1e-12
STEP_TOLERANCE = 1e-6
SHORT_COURSE_EPOCHS = 100


def _table(at, first_column="run"):
    return next(d.value for d in at.dataframe if first_column in d.value.columns)


@pytest.fixture
def page():
    return run_page(PAGE, 120)


def test_renders_four_optimizers_and_adam_beats_gd(page):
    table = _table(page).set_index("run")
    assert list(table.index) == ["gradient descent", "momentum", "RMSprop", "Adam"]
    assert (table["status"] == "ok").all()
    # the lesson: on the same budget and learning rate Adam gets further than gradient descent
    assert table.loc["Adam", "train_accuracy"] > table.loc["gradient descent", "train_accuracy"]
    assert table.loc["Adam", "final_cost"] < table.loc["gradient descent", "final_cost"]


def test_numbers_come_from_the_engine(page):
    table = _table(page).set_index("run")
    config = op.BASE.replace(optimizer="adam")
    result = train(config)
    assert table.loc["Adam", "train_accuracy"] == pytest.approx(
        result.metrics["train_accuracy"], abs=ACCURACY_TOLERANCE)
    assert table.loc["Adam", "final_cost"] == pytest.approx(result.final_cost, rel=1e-12)


def test_learning_rate_widget_changes_gd_run(page):
    before = _table(page).set_index("run").loc["gradient descent", "final_cost"]
    page.select_slider(key="gd_learning_rate").set_value(0.1).run()
    assert not page.exception
    finish(page, "opt_live")
    after = _table(page).set_index("run").loc["gradient descent", "final_cost"]
    assert after < before  # a 10x larger step gets gradient descent much further


def test_bias_correction_switch_renames_adam(page):
    page.checkbox(key="adam_bias_correction").uncheck().run()
    assert not page.exception
    assert "Adam (no bias correction)" in list(_table(page)["run"])


def test_reproduce_the_assignment_shows_the_course_runs(page, monkeypatch):
    # The full 5000 epochs (published: 0.7167, 0.7167, 0.9433) are checked by the engine's
    # course tests; here a short budget keeps the test fast, the numbers must be the course's.
    monkeypatch.setattr(course, "OPTIMIZATION_EPOCHS", SHORT_COURSE_EPOCHS)
    open_section(page, "opt_section", "Reproduce the assignment")
    page.button(key="opt_course_run").click().run()
    assert not page.exception
    table = _table(page, "experiment").set_index("experiment")
    for name, (optimizer, lr, _) in course.OPTIMIZATION_EXPERIMENTS.items():
        expected = course.run_optimization(name, optimizer, lr, num_epochs=SHORT_COURSE_EPOCHS)
        assert table.loc[name, "train_accuracy"] == pytest.approx(
            expected["train_accuracy"], abs=ACCURACY_TOLERANCE)
        assert table.loc[name, "epochs"] == SHORT_COURSE_EPOCHS
    # the table stays after another widget changes (the button is a one-shot)
    page.select_slider(key="gd_learning_rate").set_value(0.03).run()
    assert any("experiment" in d.value.columns for d in page.dataframe)


def test_the_reproduction_replays_live_and_ends_as_the_one_shot_run(page, monkeypatch):
    """Reset and Step replay the course's runs from epoch 0 (its weights and shuffles); Finish
    ends them with the numbers of ``course.optimization_run``, bit for bit."""
    monkeypatch.setattr(course, "OPTIMIZATION_EPOCHS", SHORT_COURSE_EPOCHS)
    open_section(page, "opt_section", "Reproduce the assignment")
    page.button(key="opt_course_run").click().run()
    page.button(key="opt_course_live_reset").click().run()
    page.button(key="opt_course_live_step").click().run()
    assert not page.exception, [e.value for e in page.exception]

    def live_table():
        return next(d.value for d in page.dataframe if "run" in d.value.columns
                    and set(d.value["run"]) == {"gradient descent", "momentum", "Adam"})

    assert list(live_table()["epochs"]) == [1, 1, 1]
    finish(page, "opt_course_live")
    table = live_table().set_index("run")
    for optimizer, lr, _ in course.OPTIMIZATION_EXPERIMENTS.values():
        expected = course.optimization_run(optimizer, lr, num_epochs=SHORT_COURSE_EPOCHS)
        label = op.NAMES[optimizer]
        assert table.loc[label, "epochs"] == SHORT_COURSE_EPOCHS
        assert table.loc[label, "train_accuracy"] == expected.metrics["train_accuracy"]
        assert table.loc[label, "final_cost"] == expected.final_cost


def test_course_frame_compares_with_published_numbers():
    records = [{"name": name, "train_accuracy": published, "cost_curve": np.array([0.5]),
                "seconds": 1.0}
               for name, (_, _, published) in course.OPTIMIZATION_EXPERIMENTS.items()]
    frame = op.course_frame(records)
    assert frame["matches"].all()
    records[2]["train_accuracy"] = 0.9
    assert not op.course_frame(records)["matches"].iloc[2]


def test_adam_step_sizes_with_and_without_bias_correction():
    corrected = adam_step_sizes(50)
    np.testing.assert_allclose(corrected, 1.0, atol=STEP_TOLERANCE)
    raw = adam_step_sizes(50, bias_correction=False)
    t = np.arange(1, 51)
    np.testing.assert_allclose(raw, (1 - 0.9**t) / np.sqrt(1 - 0.999**t), rtol=STEP_TOLERANCE)
    assert raw[0] == pytest.approx(0.1 / np.sqrt(0.001), rel=STEP_TOLERANCE)


@pytest.mark.parametrize("kwargs", [dict(num_steps=0), dict(num_steps=5, beta1=1.0),
                                    dict(num_steps=5, epsilon=0.0),
                                    dict(num_steps=5, gradient=0.0)])
def test_adam_step_sizes_rejects_bad_input(kwargs):
    with pytest.raises(ValueError):
        adam_step_sizes(**kwargs)


def _code_captions(at) -> list[str]:
    return [c.value.strip("`") for c in at.caption if c.value.startswith("`nnlab.")]


def test_math_and_code_shows_the_rules_the_runs_recorded(page):
    """The panel names each update rule the page's runs recorded, and the fast step."""
    rules = [train(op.BASE.replace(optimizer=name, num_epochs=1)).update_rule
             for name in op.NAMES]
    assert rules == [f"nnlab.spec.optimizers.{name}_step" for name in op.NAMES]
    open_section(page, "opt_section", "The math and the code")
    shown = _code_captions(page)
    assert shown == [*rules, "nnlab.core.network.Network.step"]
    assert "nnlab.spec.optimizers.optimizer_step" not in shown  # the reference path did not run


PANEL = """
import streamlit as st
from nnlab.app import math_and_code
from nnlab.config import TrainConfig
from nnlab.core.train import train
base = TrainConfig(hidden_units=(3,), num_epochs=2, n_samples=40)
runs = [(o, train(base.replace(optimizer=o, batch_norm=o == "rmsprop")))
        for o in st.session_state.get("optimizers", ["momentum"])]
math_and_code([], results=runs)
"""


def test_math_and_code_follows_the_runs_it_is_given():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_string(PANEL, default_timeout=60).run()
    assert not at.exception
    assert _code_captions(at) == ["nnlab.spec.optimizers.momentum_step",
                                  "nnlab.core.network.Network.step"]
    at.session_state["optimizers"] = ["adam", "rmsprop", "adam"]  # rmsprop with batch norm
    at.run()
    assert not at.exception
    assert _code_captions(at) == ["nnlab.spec.optimizers.adam_step",
                                  "nnlab.spec.optimizers.rmsprop_step",
                                  "nnlab.core.network.Network.step",
                                  "nnlab.core.reference.Reference.train_batch"]
    assert all(c.value.startswith(("def ", "    def ")) for c in at.code)
