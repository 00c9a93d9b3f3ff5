"""Mini-batches page: the per-iteration record (engine), its charts, and the page (AppTest)."""

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from nnlab.config import TrainConfig
from nnlab.core.iterations import iteration_counts, record_iterations
from nnlab.core.train import train
from nnlab.spec.minibatch import mini_batch_indices
from nnlab.viz.minibatches import (
    batch_points_chart,
    iteration_cost_chart,
    partition_chart,
    partition_frame,
)
from tests.app.conftest import finish, open_section, page_path

PAGE = page_path("21_Mini_batches.py")
COST_RTOL = 1e-12  # the epoch cost as a weighted mean of iteration costs (round-off only)
FAST_EPOCHS = 5


@pytest.mark.parametrize("changes", [
    dict(mini_batch_size=1, num_epochs=3),
    dict(mini_batch_size=32, num_epochs=6, lambd=0.3, keep_prob=0.8),
    dict(mini_batch_size=None, num_epochs=8, optimizer="adam"),
    dict(mini_batch_size=16, num_epochs=3, batch_norm=True),
    dict(mini_batch_size=7, dataset="spiral", n_classes=3, num_epochs=3, optimizer="momentum"),
])
def test_epoch_costs_equal_train_history(changes):
    config = TrainConfig(**changes)
    rec = record_iterations(config)
    # record_iterations is train's own run watched by a hook: equal to it bit for bit, and to
    # the reference loop (the course-notation functions) to round-off.
    np.testing.assert_array_equal(rec["epoch_cost"], train(config).history["cost"])
    np.testing.assert_allclose(rec["epoch_cost"], train(config, fast=False).history["cost"],
                               rtol=1e-12)
    counts = rec["counts"]
    assert len(rec["cost"]) == counts["iterations"] == counts["per_epoch"] * config.num_epochs
    # The epoch cost is the b_t/m-weighted mean of that epoch's iteration costs.
    for e in range(config.num_epochs):
        mine = rec["epoch"] == e
        weighted = np.sum(rec["batch_size"][mine] / counts["m"] * rec["cost"][mine])
        np.testing.assert_allclose(weighted, rec["epoch_cost"][e], rtol=COST_RTOL)
    assert rec["status"] == "ok"


def test_noise_shrinks_as_the_mini_batch_grows():
    spread = []
    for size in (1, 8, 64, None):
        rec = record_iterations(TrainConfig(mini_batch_size=size, num_epochs=FAST_EPOCHS))
        last = rec["cost"][rec["epoch"] == FAST_EPOCHS - 1]
        spread.append(float(np.std(last)))
    assert spread == sorted(spread, reverse=True)
    assert spread[-1] == 0.0  # one batch per epoch: a single cost


def test_divergence_is_reported_not_raised():
    config = TrainConfig(dataset="moons", hidden_activation="linear", mini_batch_size=32,
                         learning_rate=1e3, num_epochs=50)
    rec = record_iterations(config)
    assert rec["status"] == "diverged" and "Diverged after" in rec["message"]
    assert len(rec["epoch_cost"]) < 50


def test_iteration_counts():
    c = iteration_counts(20, 6, 3)
    assert (c["per_epoch"], c["full"], c["last_size"], c["iterations"]) == (4, 3, 2, 12)
    c = iteration_counts(180, None, 10)
    assert (c["mini_batch_size"], c["per_epoch"], c["last_size"]) == (180, 1, 180)
    assert iteration_counts(180, 500, 1)["per_epoch"] == 1
    for bad in [dict(m=0, mini_batch_size=1, num_epochs=1), dict(m=5, mini_batch_size=0,
                num_epochs=1), dict(m=5, mini_batch_size=2, num_epochs=0)]:
        with pytest.raises(ValueError, match=list(bad)[[v < 1 for v in bad.values()].index(True)]):
            iteration_counts(**bad)
    with pytest.raises(ValueError, match="config"):
        record_iterations({"mini_batch_size": 1})


def test_charts():
    batches = mini_batch_indices(20, 6, rng=np.random.RandomState(0))
    frame = partition_frame(batches)
    assert sorted(frame["example"]) == list(range(1, 21))
    assert frame.groupby("batch")["batch_size"].first().tolist() == [6, 6, 6, 2]
    partition_chart(batches).to_dict()
    X = np.random.RandomState(1).standard_normal((2, 20))
    batch_points_chart(X, batches).to_dict()
    panels = {"a": (np.arange(5), np.array([1.0, np.nan, 0.5, 0.4, 0.3])),
              "b": (np.arange(2), np.array([0.9, 0.8]))}
    spec = iteration_cost_chart(panels, smooth={"a": np.ones(5)}).to_dict()
    assert len(spec["vconcat"]) == 2
    with pytest.raises(ValueError, match="exactly once"):
        partition_frame([np.array([0, 1]), np.array([1])])
    with pytest.raises(ValueError, match="same length"):
        iteration_cost_chart({"a": (np.arange(3), np.ones(2))})
    with pytest.raises(ValueError, match="y_quantile"):
        iteration_cost_chart(panels, y_quantile=0)


def _run(at):
    at.run()
    assert not at.exception, at.exception
    return at


def _table(at, column: str):
    """The page's one table with ``column`` (the counts: "updates per epoch"; the live
    view's metrics: "train_accuracy")."""
    frames = [d.value for d in at.dataframe if column in d.value.columns]
    assert len(frames) == 1, column
    return frames[0]


def test_page_renders_and_numbers_come_from_the_engine():
    at = AppTest.from_file(PAGE, default_timeout=120)
    _run(at)
    at.select_slider(key="mb_num_epochs").set_value(FAST_EPOCHS)
    _run(at)
    finish(at, "mb_live")
    counts = _table(at, "updates per epoch")
    assert counts["updates per epoch"].tolist() == [180, 6, 1]
    assert counts["last mini-batch"].tolist() == [1, 20, 180]
    assert counts["iterations (updates)"].tolist() == [180 * FAST_EPOCHS, 6 * FAST_EPOCHS,
                                                       FAST_EPOCHS]
    expected = train(TrainConfig(dataset="moons", hidden_units=(10, 5), learning_rate=0.1,
                                 mini_batch_size=32, num_epochs=FAST_EPOCHS))
    assert counts["final cost"][1] == pytest.approx(expected.history["cost"][-1], rel=1e-12)
    metrics = _table(at, "train_accuracy")
    assert metrics["train_accuracy"][1] == pytest.approx(expected.metrics["train_accuracy"])
    open_section(at, "mb_section", "Shuffle and partition")
    assert any("4 iterations" in m.value for m in at.markdown)  # 20 examples, size 6


def test_preset_changes_the_sizes():
    at = AppTest.from_file(PAGE, default_timeout=120)
    _run(at)
    at.select_slider(key="mb_num_epochs").set_value(FAST_EPOCHS)
    at.button(key="mb_preset_Powers of two").click()
    _run(at)
    assert at.multiselect(key="mb_sizes").value == [4, 16, 64, None]
    assert _table(at, "updates per epoch")["mini-batch size"].tolist() == [4, 16, 64, 180]
    open_section(at, "mb_section", "Shuffle and partition")
    at.slider(key="mb_demo_size").set_value(5)
    _run(at)
    assert any("4 mini-batches of 5" in m.value and "4 iterations" in m.value
               for m in at.markdown)


def test_time_per_update_is_the_time_per_epoch_over_its_updates():
    """Both columns come from the median epoch (the first one also pays for allocations), so
    that a full batch (one update per epoch) shows the same time in both."""
    from nnlab.app.minibatches import counts_frame
    for size in (None, 32):
        rec = record_iterations(TrainConfig(mini_batch_size=size, num_epochs=4))
        row = counts_frame([("run", rec, {})]).iloc[0]
        assert row["ms per update"] * row["updates per epoch"] == pytest.approx(
            row["ms per epoch"])
