"""Learning rate decay page (AppTest) and the course's decay experiments it reproduces."""

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from nnlab import course
from nnlab.app import decay
from nnlab.config import TrainConfig
from nnlab.core.train import TrainResult, learning_rate_for_epoch, train
from tests.app.conftest import finish, open_section, page_path

PAGE = page_path("25_Learning_rate_decay.py")
FAST_EPOCHS = 200


def _page(epochs=FAST_EPOCHS):
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.run()
    at.select_slider(key="lr_num_epochs").set_value(epochs)
    at.run()
    assert not at.exception, at.exception
    return finish(at, "lr_live")


def _table(at, column: str):
    """The page's one table with ``column`` (the rates: "schedule"; the live view's
    metrics: "final_cost")."""
    frames = [d.value for d in at.dataframe if column in d.value.columns]
    assert len(frames) == 1, column
    return frames[0]


def test_page_renders_and_numbers_come_from_the_engine():
    at = _page()
    rates = _table(at, "schedule")
    assert rates["schedule"].tolist() == [decay.schedule_label(n) for n in decay.DEFAULT_CHOICE]
    for name, last in zip(decay.DEFAULT_CHOICE, rates["last epoch"], strict=True):
        config = decay.BASE.replace(schedule=name, num_epochs=FAST_EPOCHS)
        assert last == pytest.approx(learning_rate_for_epoch(config, FAST_EPOCHS - 1))
    metrics = _table(at, "final_cost")
    expected = train(decay.BASE.replace(schedule="inverse_time_interval", num_epochs=FAST_EPOCHS))
    row = metrics[metrics["run"] == decay.schedule_label("inverse_time_interval")].iloc[0]
    assert row["train_accuracy"] == pytest.approx(expected.metrics["train_accuracy"])
    assert row["final_cost"] == pytest.approx(expected.final_cost)


def test_the_two_decay_schedules_part_ways():
    at = _page(epochs=1000)
    metrics = _table(at, "final_cost").set_index("run")
    every = metrics.loc[decay.schedule_label("inverse_time"), "train_accuracy"]
    interval = metrics.loc[decay.schedule_label("inverse_time_interval"), "train_accuracy"]
    assert interval > every + 0.2


def test_schedule_choice_and_parameters():
    at = _page()
    at.multiselect(key="lr_schedules").set_value(["inverse_sqrt", "staircase", "constant"])
    at.number_input(key="lr_epochs_drop").set_value(50)
    at.run()
    assert not at.exception
    rates = _table(at, "schedule").set_index("schedule")
    assert rates.loc["staircase", "last epoch"] == pytest.approx(0.1 * 0.5 ** 3)
    assert rates.loc["constant α₀", "last epoch"] == pytest.approx(0.1)
    at.multiselect(key="lr_schedules").set_value([])
    at.run()
    assert not at.exception and at.info


def _fake_course(name, on_epoch=None, budget=None):
    """A 30-epoch stand-in for the 5000-epoch runs (the button's wiring, not the numbers)."""
    optimizer, lr, schedule, _ = course.DECAY_EXPERIMENTS[name]
    config = course.optimization_config(optimizer, lr, schedule).replace(num_epochs=30)
    return train(config, data=course.optimization_data(), on_epoch=on_epoch, budget=budget)


def test_reproduce_button_shows_the_table(monkeypatch):
    monkeypatch.setattr(course, "run_decay", _fake_course)
    monkeypatch.setattr(course, "OPTIMIZATION_EPOCHS", 30)
    at = _page()
    open_section(at, "lr_section", "Reproduce the assignment")
    n_tables = len(at.dataframe)
    at.button(key="decay_course_button").click()
    at.run()
    assert not at.exception
    table = next(d.value for d in at.dataframe if "experiment" in d.value.columns)
    assert table["experiment"].tolist() == list(course.DECAY_EXPERIMENTS)
    assert table["course"].tolist() == [0.6533, 0.9433, 0.9533, 0.94]
    at.run()  # stays shown after the click: the live panel's table and the course's
    assert len(at.dataframe) == n_tables + 2


def test_the_reproduction_replays_live_and_ends_as_the_one_shot_run(monkeypatch):
    """Reset and Step replay the course's decay runs from epoch 0 (its weights and shuffles);
    Finish ends them with the numbers of ``course.run_decay``, bit for bit."""
    monkeypatch.setattr(course, "OPTIMIZATION_EPOCHS", 30)
    at = _page()
    open_section(at, "lr_section", "Reproduce the assignment")
    at.button(key="decay_course_button").click().run()
    at.button(key="decay_course_live_reset").click().run()
    at.button(key="decay_course_live_step").click().run()
    assert not at.exception, [e.value for e in at.exception]
    labels = set(decay.COURSE_LABELS.values())

    def live_table():
        return next(d.value for d in at.dataframe if "run" in d.value.columns
                    and set(d.value["run"]) == labels)

    assert set(live_table()["epochs"]) == {1}
    finish(at, "decay_course_live")
    table = live_table().set_index("run")
    for name in course.DECAY_EXPERIMENTS:
        expected = course.run_decay(name)
        label = decay.COURSE_LABELS[name]
        assert table.loc[label, "epochs"] == 30
        assert table.loc[label, "train_accuracy"] == expected.metrics["train_accuracy"]
        assert table.loc[label, "final_cost"] == expected.final_cost


def test_course_experiment_is_the_course_run():
    name = "decay/gd_update_lr"
    result = course.run_decay(name)
    assert isinstance(result, TrainResult) and result.epochs_run == course.OPTIMIZATION_EPOCHS
    mine = course._record(name, result)
    theirs = course.EXPERIMENTS[name]()
    for key in ("train_accuracy", "costs", "status"):
        assert mine[key] == theirs[key]
    assert result.metrics["train_accuracy"] == pytest.approx(0.6533, abs=course.PUBLISHED_TOLERANCE)
    assert np.all(np.diff(result.history["learning_rate"][1:]) < 0)  # decays every epoch
    with pytest.raises(ValueError, match="name"):
        course.run_decay("decay/nope")
    assert isinstance(course.optimization_config("gd", 0.1, "inverse_time"), TrainConfig)
