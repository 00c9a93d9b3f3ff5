"""The run protocol: start / advance / advance_batches / snapshot, chunked == whole bit for bit."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nnlab
from nnlab.config import TrainConfig
from nnlab.core.batched import start_batched, train_batched
from nnlab.core.train import start, train
from nnlab.spec import optimizers

SMALL = TrainConfig(dataset="moons", n_samples=80, hidden_units=(5, 3), num_epochs=12,
                    learning_rate=0.05)


@st.composite
def configs(draw):
    """Configs the app can make: every optimizer, schedule, L2, dropout, batch norm, softmax,
    mini-batch size, early stopping, activation and dtype."""
    softmax = draw(st.booleans())
    optimizer = draw(st.sampled_from(["gd", "momentum", "rmsprop", "adam"]))
    return SMALL.replace(
        dataset="blobs" if softmax else draw(st.sampled_from(["moons", "circles", "xor"])),
        n_classes=3 if softmax else 2,
        hidden_units=draw(st.sampled_from([(5, 3), (4,), (6, 4, 3)])),
        hidden_activation=draw(st.sampled_from(["relu", "tanh", "sigmoid", "leaky_relu"])),
        optimizer=optimizer,
        learning_rate=draw(st.sampled_from([0.01, 0.1, 0.5] if optimizer == "gd"
                                           else [0.001, 0.01, 0.05])),
        bias_correction=draw(st.booleans()),
        mini_batch_size=draw(st.sampled_from([None, 7, 16, 64, 500])),
        schedule=draw(st.sampled_from(["constant", "inverse_time", "exponential",
                                       "staircase"])),
        epochs_drop=3,
        lambd=draw(st.sampled_from([0.0, 0.0, 0.5])),
        keep_prob=draw(st.sampled_from([1.0, 1.0, 0.8])),
        dropout_mask=draw(st.sampled_from(["fresh", "fixed"])),
        batch_norm=draw(st.booleans()) and draw(st.booleans()),
        patience=draw(st.sampled_from([None, None, 2])),
        numerics=draw(st.sampled_from(["stable", "stable", "course"])),
        dtype=draw(st.sampled_from(["float64", "float64", "float32"])),
        num_epochs=draw(st.integers(1, 12)),
        seed=draw(st.integers(0, 3)))


def assert_same(a, b):
    """Bit for bit: every history column, parameter, metric, the status and the message."""
    assert (a.status, a.message, a.epochs_run, a.best_epoch) == (
        b.status, b.message, b.epochs_run, b.best_epoch)
    assert set(a.history) == set(b.history)
    for key in a.history:
        np.testing.assert_array_equal(a.history[key], b.history[key], err_msg=key)
    assert set(a.parameters) == set(b.parameters)
    for key in a.parameters:
        np.testing.assert_array_equal(a.parameters[key], b.parameters[key], err_msg=key)
    for key in a.bn_state:
        np.testing.assert_array_equal(a.bn_state[key], b.bn_state[key], err_msg=key)
    np.testing.assert_array_equal(np.array(list(a.metrics.values())),
                                  np.array(list(b.metrics.values())))
    assert a.update_rule == b.update_rule


def advance_in_chunks(run, chunks):
    """Advance by epochs (positive) and mini-batches (negative), with snapshots in between."""
    for i, n in enumerate(chunks):
        if n >= 0:
            run.advance(n)
        else:
            run.advance_batches(-n)
        if i % 2:
            run.snapshots()  # looking must not change the run
    return run.advance()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(config=configs(), chunks=st.lists(st.integers(-5, 4), max_size=6))
def test_chunked_equals_whole_bit_for_bit(config, chunks):
    whole = train(config)
    run = advance_in_chunks(start(config), chunks)
    assert run.done
    assert_same(run.snapshot(), whole)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(config=configs(), chunks=st.lists(st.integers(-5, 4), max_size=5),
       rates=st.lists(st.sampled_from([0.001, 0.01, 0.1, 3.0, 50.0]), min_size=2, max_size=4))
def test_stacked_chunked_equals_whole_bit_for_bit(config, chunks, rates):
    stack = [config.replace(batch_norm=False, learning_rate=r) for r in rates]
    whole = train_batched(stack)
    run = advance_in_chunks(start_batched(stack), chunks)
    assert run.done
    for a, b in zip(run.snapshots(), whole, strict=True):
        assert_same(a, b)


def test_a_run_starts_at_epoch_zero_and_says_it_is_running():
    run = nnlab.start(SMALL)
    first = run.snapshot()
    assert (run.epoch, run.done, first.status, first.epochs_run) == (0, False, "running", 0)
    assert first.history["cost"].shape == (0,)
    assert first.message == f"Epoch 0 of {SMALL.num_epochs}"
    run.advance(3)
    mid = run.snapshot()
    assert (run.epoch, mid.status, mid.epochs_run, len(mid.history["cost"])) == (
        3, "running", 3, 3)
    assert 0 <= mid.metrics["train_accuracy"] <= 1
    assert run.advance(100) is run and run.done and run.epoch == SMALL.num_epochs
    assert run.snapshot().status == "ok"
    before = run.snapshot()
    run.advance(5).advance_batches(5)  # a finished run stays as it is
    assert_same(run.snapshot(), before)


def test_advance_batches_steps_one_mini_batch_at_a_time():
    config = SMALL.replace(mini_batch_size=16, num_epochs=3)  # 48 training points: 3 a epoch
    seen = []
    run = start(config, on_batch=seen.append)
    run.advance_batches(2)
    snap = run.snapshot()
    assert run.epoch == 0 and len(seen) == 2 and snap.epochs_run == 0
    assert snap.message == "Epoch 0 of 3, mini-batch 2 of 3"
    run.advance_batches(1)
    assert run.epoch == 1
    run.advance(1)
    assert run.epoch == 2 and len(seen) == 6
    assert [s["batch"] for s in seen] == [0, 1, 2, 0, 1, 2]
    assert all(s["size"] == 16 for s in seen)


def test_on_batch_costs_average_to_the_epoch_cost():
    config = SMALL.replace(mini_batch_size=10, lambd=0.3, num_epochs=4)
    seen = []
    result = train(config, on_batch=seen.append)
    m = 48
    for e in range(4):
        rows = [s for s in seen if s["epoch"] == e]
        np.testing.assert_allclose(sum(s["size"] / m * s["cost"] for s in rows),
                                   result.history["cost"][e], rtol=1e-12)


@pytest.mark.parametrize("bad", [-1, 1.5, "3", True, None])
def test_bad_chunk_sizes_are_refused_by_name(bad):
    run = start(SMALL)
    if bad is None:
        run.advance(None)  # None: to the end
        assert run.done
        return
    with pytest.raises(ValueError, match="epochs must be a whole number"):
        run.advance(bad)
    with pytest.raises(ValueError, match="n must be a whole number"):
        run.advance_batches(bad)


def test_stacked_run_has_one_snapshot_per_config_and_no_single_snapshot():
    run = start_batched([SMALL, SMALL.replace(learning_rate=0.2)])
    with pytest.raises(ValueError, match="snapshots"):
        run.snapshot()
    assert [s.config.learning_rate for s in run.advance(2).snapshots()] == [0.05, 0.2]


def test_each_row_of_a_stack_early_stops_on_its_own():
    base = TrainConfig(dataset="football", hidden_units=(20, 10), num_epochs=600, patience=30)
    stack = [base.replace(learning_rate=r) for r in (0.3, 0.03)]
    for alone, row in zip([train(c) for c in stack], train_batched(stack), strict=True):
        assert row.status == alone.status and row.best_epoch == alone.best_epoch
        np.testing.assert_allclose(row.history["dev_cost"], alone.history["dev_cost"],
                                   rtol=1e-12, atol=1e-12)
    assert {r.epochs_run for r in train_batched(stack)} != {600}


@pytest.mark.parametrize("optimizer", ["gd", "momentum", "rmsprop", "adam"])
def test_the_run_names_the_update_rule_it_applied(optimizer):
    for fast in (True, False):
        result = train(SMALL.replace(optimizer=optimizer, learning_rate=0.01), fast=fast)
        module, name = result.update_rule.rsplit(".", 1)
        assert module == "nnlab.spec.optimizers" and callable(getattr(optimizers, name, None)), (
            result.update_rule)


@pytest.mark.parametrize("fractions", [(0.8, 0.0, 0.2), (0.8, 0.2, 0.0), (1.0, 0.0, 0.0)])
def test_softmax_with_an_empty_dev_or_test_set_trains_on_both_backends(fractions):
    config = TrainConfig(dataset="blobs", n_classes=3, fractions=fractions, num_epochs=20,
                         hidden_units=(6,))
    fast, reference = train(config), train(config, fast=False)
    assert fast.status == reference.status == "ok"
    for part, share in zip(("dev", "test"), fractions[1:], strict=True):
        if share == 0:
            assert np.isnan(fast.metrics[f"{part}_accuracy"])
    np.testing.assert_allclose(fast.history["cost"], reference.history["cost"], rtol=1e-12)
