"""Batched runs (nnlab.core.batched) equal the same configs trained one by one."""

import numpy as np
import pytest

from nnlab.config import TrainConfig
from nnlab.core.batched import can_batch, train_batched
from nnlab.core.train import train

HISTORY_TOL = 1e-12  # relative to max(1, |value|); gradient norms differ only in the last bit
BASE = TrainConfig(dataset="moons", n_samples=160, hidden_units=(8, 4), num_epochs=30,
                   learning_rate=0.1)
RATES = (0.03, 0.1, 0.3)
GROUPS = {
    "gd_rates_and_seeds": [BASE.replace(learning_rate=r, seed=i) for i, r in enumerate(RATES)],
    "momentum_betas": [BASE.replace(optimizer="momentum", mini_batch_size=32, learning_rate=r,
                                    beta=b) for r, b in zip(RATES, (0.5, 0.9, 0.99), strict=True)],
    "adam_minibatch": [BASE.replace(optimizer="adam", mini_batch_size=64, learning_rate=r / 10,
                                    beta2=b)
                       for r, b in zip(RATES, (0.99, 0.999, 0.9999), strict=True)],
    "rmsprop": [BASE.replace(optimizer="rmsprop", learning_rate=r / 10) for r in RATES],
    "l2_strengths": [BASE.replace(lambd=x) for x in (0.0, 0.1, 0.7)],
    "dropout_fresh": [BASE.replace(keep_prob=0.8, mini_batch_size=50, learning_rate=r)
                      for r in RATES],
    "dropout_fixed": [BASE.replace(keep_prob=0.8, dropout_mask="fixed", learning_rate=r)
                      for r in RATES],
    "softmax_tanh": [BASE.replace(dataset="spiral", n_classes=3, optimizer="adam",
                                  hidden_activation="tanh", learning_rate=r / 10) for r in RATES],
    "course_sigmoid_schedules": [BASE.replace(numerics="course", hidden_activation="sigmoid",
                                              learning_rate=r, schedule=s)
                                 for r, s in zip(RATES, ("constant", "inverse_time",
                                                         "exponential"), strict=True)],
    # 0.001 descends steadily; 5.0 diverges. (A rate such as 0.01 makes this net oscillate
    # chaotically, which amplifies round-off in *any* two orders of the same arithmetic: its
    # readable and fast loops part by 2e-11 after 30 epochs.)
    "one_diverges": [BASE.replace(dataset="circles", n_samples=100, hidden_activation="linear",
                                  initializer="random", learning_rate=r) for r in (0.001, 5.0)],
}


def assert_close(a, b, what):
    a, b = np.asarray(a, float), np.asarray(b, float)
    assert a.shape == b.shape, what
    assert np.array_equal(np.isnan(a), np.isnan(b)), what
    a, b = a[~np.isnan(a)], b[~np.isnan(a)]
    with np.errstate(invalid="ignore"):  # inf - inf in a diverging run: equal, not close
        close = (a == b) | (np.abs(a - b) <= HISTORY_TOL * np.maximum(1, np.abs(a)))
    assert np.all(close), f"{what}: alone {a[~close][:5]} vs batched {b[~close][:5]}"


@pytest.mark.parametrize("name", list(GROUPS))
def test_each_batched_run_equals_the_run_alone(name):
    configs = GROUPS[name]
    assert can_batch(configs)
    for config, batched in zip(configs, train_batched(configs), strict=True):
        alone = train(config)
        assert (batched.status, batched.message, batched.epochs_run) == (
            alone.status, alone.message, alone.epochs_run)
        for key in alone.history:
            assert_close(alone.history[key], batched.history[key], f"{name} {key}")
        for key in alone.parameters:
            assert_close(alone.parameters[key], batched.parameters[key], f"{name} {key}")
        assert batched.config is config


def test_the_divergent_config_does_not_stop_the_others():
    results = train_batched(GROUPS["one_diverges"])
    assert [r.status for r in results] == ["ok", "diverged"]
    assert results[0].epochs_run == BASE.num_epochs > results[1].epochs_run


def test_can_batch_says_no_to_different_shapes_and_shared_randomness():
    assert can_batch([BASE])
    assert not can_batch([])
    assert not can_batch([BASE, BASE.replace(hidden_units=(8, 5))])
    assert not can_batch([BASE, BASE.replace(optimizer="adam")])
    assert not can_batch([BASE, BASE.replace(n_samples=200)])
    assert not can_batch([BASE.replace(batch_norm=True)] * 2)
    mb = BASE.replace(mini_batch_size=32)
    assert not can_batch([mb, mb.replace(seed=1)])  # different shuffles
    assert can_batch([BASE, BASE.replace(seed=1)])  # full batch: seeds only draw the weights
    with pytest.raises(ValueError, match="hidden_units"):
        train_batched([BASE, BASE.replace(hidden_units=(3,))])


def test_groups_trained_in_threads_equal_one_group(monkeypatch):
    """From 32 configs up, groups of configs train in threads (one BLAS thread meanwhile)."""
    from nnlab.core import batched
    configs = [BASE.replace(learning_rate=float(r), num_epochs=12)
               for r in np.geomspace(0.01, 0.5, 32)]
    monkeypatch.setattr(batched.os, "cpu_count", lambda: 2)
    from nnlab.core._blas import _blas_api
    api = _blas_api()
    before = api[0]() if api else None
    threaded, again = train_batched(configs), train_batched(configs)
    assert (api[0]() if api else None) == before  # the BLAS thread count is restored
    monkeypatch.setattr(batched, "MAX_GROUPS", 1)
    single = train_batched(configs)
    for a, b, c in zip(threaded, again, single, strict=True):
        for key in a.history:
            np.testing.assert_array_equal(a.history[key], b.history[key])  # deterministic
            assert_close(c.history[key], a.history[key], key)


def test_each_row_shows_its_share_of_the_stack_time_not_the_whole():
    """Issue 13: stacked variants all showed the stack's seconds. A row's seconds are its
    share (a chunk's time split among the rows alive in it): they add up to the stack's, and
    a row that diverged early stops counting while the other goes on."""
    from nnlab.core.batched import start_batched

    run = start_batched(GROUPS["one_diverges"]).advance()
    ok, diverged = run.snapshots()
    assert diverged.status == "diverged" and diverged.epochs_run < ok.epochs_run
    assert ok.seconds + diverged.seconds == pytest.approx(run.seconds, rel=1e-9)
    assert diverged.seconds < ok.seconds
