"""The fast network (nnlab.core.network) gives the reference loop's history, config by config."""

import numpy as np
import pytest

from nnlab.config import TrainConfig
from nnlab.core import network
from nnlab.core.train import make_dataset, train
from nnlab.course import course_shuffle, optimization_data
from nnlab.spec.initializers import initialize_parameters

# On every history column and parameter: 1e-12, absolute for values below 1 and relative above
# (a diverging run's cost reaches 1e294). The fast path folds the bias into the product and fuses
# the sigmoid with its cost, so the last bits differ from the readable functions.
HISTORY_TOL = 1e-12
BASE = TrainConfig(dataset="moons", n_samples=160, hidden_units=(8, 4), num_epochs=30,
                   learning_rate=0.1)
CONFIGS = {
    "gd": BASE,
    "momentum_minibatch": BASE.replace(optimizer="momentum", mini_batch_size=32),
    "rmsprop_minibatch": BASE.replace(optimizer="rmsprop", mini_batch_size=50, learning_rate=0.01),
    "adam_minibatch": BASE.replace(optimizer="adam", mini_batch_size=64, learning_rate=0.01),
    "adam_no_bias_correction": BASE.replace(optimizer="adam", bias_correction=False,
                                            learning_rate=0.01),
    "l2": BASE.replace(lambd=0.7, mini_batch_size=30),
    "dropout_fresh": BASE.replace(keep_prob=0.8, mini_batch_size=64),
    "dropout_fixed": BASE.replace(keep_prob=0.7, dropout_mask="fixed", mini_batch_size=64),
    "tanh_adam": BASE.replace(hidden_activation="tanh", optimizer="adam", learning_rate=0.01),
    "sigmoid_dropout": BASE.replace(hidden_activation="sigmoid", keep_prob=0.9),
    "leaky_l2": BASE.replace(hidden_activation="leaky_relu", lambd=0.1),
    "linear": BASE.replace(hidden_activation="linear"),
    "softmax": BASE.replace(dataset="spiral", n_classes=3, optimizer="adam", learning_rate=0.02,
                            mini_batch_size=40),
    "course_numerics_decay": BASE.replace(numerics="course", schedule="inverse_time",
                                          mini_batch_size=64),
    "exponential_momentum": BASE.replace(schedule="exponential", optimizer="momentum"),
    "staircase_deep": BASE.replace(schedule="staircase", epochs_drop=5, hidden_units=(6, 6, 6)),
    "diverges": TrainConfig(dataset="circles", hidden_units=(20, 20), hidden_activation="linear",
                            initializer="random", learning_rate=5.0, num_epochs=200,
                            n_samples=100),
    "early_stopping": TrainConfig(dataset="football", hidden_units=(40, 20), learning_rate=0.3,
                                  num_epochs=400, patience=20),
}


def assert_same_run(pure, fast):
    assert (fast.status, fast.message, fast.epochs_run, fast.best_epoch) == (
        pure.status, pure.message, pure.epochs_run, pure.best_epoch)
    assert set(fast.history) == set(pure.history)
    for key in pure.history:
        np.testing.assert_allclose(fast.history[key], pure.history[key], rtol=HISTORY_TOL,
                                   atol=HISTORY_TOL, err_msg=key)
    for key in pure.parameters:
        np.testing.assert_allclose(fast.parameters[key], pure.parameters[key],
                                   rtol=HISTORY_TOL, atol=HISTORY_TOL, err_msg=key)
    assert fast.metrics == pytest.approx(pure.metrics, abs=HISTORY_TOL, nan_ok=True)


@pytest.mark.parametrize("name", list(CONFIGS))
def test_fast_path_equals_pure_loop(name):
    config = CONFIGS[name]
    assert_same_run(train(config, fast=False), train(config))


def test_course_recipe_equal_on_both_paths():
    """The optimization assignment's recipe: RandomState weights and per-epoch re-seeding."""
    config = TrainConfig(dataset="moons", hidden_units=(5, 2), optimizer="adam",
                         learning_rate=0.0007, mini_batch_size=64, num_epochs=150,
                         numerics="course")
    runs = []
    for fast in (False, True):
        params = initialize_parameters((2, 5, 2, 1), "he", rng=np.random.RandomState(3))
        runs.append(train(config, data=optimization_data(), parameters=params,
                          shuffle_rng=course_shuffle, fast=fast))
    assert_same_run(*runs)


def test_fast_path_leaves_given_parameters_alone_and_callback_gets_copies():
    params = initialize_parameters((2, 8, 4, 1), "he", rng=np.random.default_rng(1))
    before = {k: v.copy() for k, v in params.items()}
    seen = []
    train(BASE.replace(optimizer="adam", learning_rate=0.01), parameters=params,
          on_epoch=lambda info: seen.append(info["parameters"]))
    assert all(np.array_equal(params[k], before[k]) for k in params)
    assert len(seen) == BASE.num_epochs
    assert not np.array_equal(seen[0]["W1"], seen[-1]["W1"])  # snapshots, not one live buffer


def test_callback_stop_is_the_same_on_both_paths():
    def stop(info):
        return info["epoch"] == 6
    assert_same_run(train(BASE, on_epoch=stop, fast=False), train(BASE, on_epoch=stop))


def test_batch_norm_falls_back_to_the_pure_loop():
    config = BASE.replace(batch_norm=True, optimizer="adam", learning_rate=0.01)
    a, b = train(config), train(config, fast=False)
    np.testing.assert_array_equal(a.history["cost"], b.history["cost"])
    assert a.bn_state


def test_float32_runs_in_single_precision_and_tracks_float64():
    config = BASE.replace(num_epochs=200)
    r64, r32 = train(config), train(config.replace(dtype="float32"))
    assert all(v.dtype == np.float32 for v in r32.parameters.values())
    assert r32.status == "ok"
    np.testing.assert_allclose(r32.history["cost"], r64.history["cost"], rtol=1e-3)


def test_dtype_is_validated():
    with pytest.raises(ValueError, match="dtype"):
        TrainConfig(dtype="float16")
    assert TrainConfig().dtype == "float64"


@pytest.mark.parametrize("name", ["gd", "adam_minibatch", "l2", "staircase_deep", "softmax",
                                  "course_numerics_decay", "early_stopping"])
def test_layers_split_over_two_threads_give_the_same_run(name, monkeypatch):
    """A large relu layer runs as two halves in two threads (nnlab.core.network.PARALLEL_MIN);
    forced on for these small nets, the run is still the readable loop's."""
    calls = []
    real = network.by_rows
    monkeypatch.setattr(network, "PARALLEL_MIN", 1)
    monkeypatch.setattr(network.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(network, "by_rows", lambda fn, n: calls.append(n) or real(fn, n))
    config = CONFIGS[name]
    assert_same_run(train(config, fast=False), train(config))
    assert calls  # the split path ran


def test_no_split_with_dropout_or_one_core(monkeypatch):
    monkeypatch.setattr(network, "PARALLEL_MIN", 1)
    params = initialize_parameters([2, 8, 4, 1], "he", rng=np.random.default_rng(0))
    data = make_dataset(BASE)

    def net(config, **kw):
        return network.Network([config], [params], data, **kw)
    assert net(BASE).split(160)
    assert not net(BASE.replace(keep_prob=0.8)).split(160)
    assert not net(BASE, stacked=True).split(160)  # a stack runs each product in one call
    monkeypatch.setattr(network.os, "cpu_count", lambda: 1)
    assert not net(BASE).split(160)


def test_an_evaluation_of_the_full_batch_doubles_as_the_next_forward_pass(monkeypatch):
    """Full-batch training without dropout: the training set's evaluation after epoch e is the
    forward pass of epoch e + 1 (same parameters, same inputs); it is not computed twice."""
    calls = []
    real = network.Network.forward
    monkeypatch.setattr(network.Network, "forward",
                        lambda self, *a: calls.append(a[0].shape[1]) or real(self, *a))
    config = BASE.replace(num_epochs=100, dataset="moons", fractions=(1.0, 0.0, 0.0))
    assert_same_run(train(config, fast=False, eval_every=10), train(config, eval_every=10))
    # 100 training passes and 11 evaluations (epochs 0, 10, ..., 90 and 99); the first 10 are
    # the forward passes of epochs 1, 11, ..., 91
    assert len(calls) == 100 + 11 - 10
