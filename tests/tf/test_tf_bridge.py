"""The TensorFlow bridge: nnlab's backprop and TensorFlow's autodiff take the same steps.

The parity tests need TensorFlow (``pip install tensorflow-cpu``, in requirements-dev.txt);
they are skipped, with that reason, only where it can't be imported. Everything else runs
without it.
"""

import ast
import importlib.util
import subprocess
import sys

import numpy as np
import pytest

from nnlab.config import TrainConfig
from nnlab.core.train import make_dataset, train
from nnlab.tf import bridge as tf_bridge
from nnlab.tf import code as tf_code
from nnlab.tf import parity as tf_parity

HAS_TF = importlib.util.find_spec("tensorflow") is not None
needs_tf = pytest.mark.skipif(not HAS_TF, reason="tensorflow is not installed "
                              "(pip install tensorflow-cpu): the parity tests need it")

#: Short runs: a few epochs of mini-batches (the last one smaller), every optimizer.
BASE = TrainConfig(dataset="moons", n_samples=250, hidden_units=(6, 4), mini_batch_size=64,
                   num_epochs=8, learning_rate=0.05, seed=3)
PARITY_CASES = {
    "gd, mini-batches": BASE.replace(optimizer="gd", learning_rate=0.3),
    "adam, mini-batches": BASE.replace(optimizer="adam", learning_rate=0.01),
    "momentum, softmax, L2": BASE.replace(optimizer="momentum", dataset="spiral", n_classes=3,
                                          hidden_activation="tanh", lambd=0.3),
    "adam, full batch, decay": BASE.replace(optimizer="adam", mini_batch_size=None,
                                            schedule="inverse_time", decay_rate=0.5),
}


def test_importing_nnlab_never_imports_tensorflow():
    code = ("import sys, nnlab, nnlab.tf.bridge, nnlab.tf.code, nnlab.app; "
            "print('tensorflow' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_tensorflow_available_matches_find_spec():
    assert tf_bridge.tensorflow_available() is HAS_TF


@pytest.mark.parametrize("changes, field", [
    ({"optimizer": "rmsprop"}, "optimizer"),
    ({"keep_prob": 0.8}, "keep_prob"),
    ({"batch_norm": True}, "batch_norm"),
    ({"optimizer": "momentum", "schedule": "exponential"}, "schedule"),
    ({"optimizer": "adam", "bias_correction": False}, "bias_correction"),
    ({"dtype": "float32"}, "dtype"),
    ({"numerics": "course"}, "numerics"),
    ({"patience": 5}, "patience"),
])
def test_unsupported_settings_are_named(changes, field):
    config = BASE.replace(**changes)
    with pytest.raises(ValueError, match=field):
        tf_bridge.check_supported(config)
    with pytest.raises(ValueError, match=field):
        tf_code.tensorflow_code(config)


def test_check_supported_rejects_a_non_config():
    with pytest.raises(ValueError, match="config must be a TrainConfig"):
        tf_bridge.check_supported({"optimizer": "gd"})


def test_initial_parameters_are_the_ones_train_starts_from():
    data = make_dataset(BASE)
    init = tf_bridge.initial_parameters(BASE, data.n_x)
    assert [init[k].shape for k in ("W1", "b1", "W2", "W3", "b3")] == [
        (6, 2), (6, 1), (4, 6), (1, 4), (1, 1)]
    a = train(BASE, data=data)
    b = train(BASE, data=data, parameters=init)
    np.testing.assert_array_equal(a.history["cost"], b.history["cost"])


def test_epoch_batches_partition_every_epoch():
    batches = list(tf_bridge.epoch_batches(BASE, 150))
    assert len(batches) == BASE.num_epochs
    for epoch in batches:
        assert [len(b) for b in epoch] == [64, 64, 22]
        np.testing.assert_array_equal(np.sort(np.concatenate(epoch)), np.arange(150))
    assert not np.array_equal(batches[0][0], batches[1][0])  # reshuffled every epoch
    full = list(tf_bridge.epoch_batches(BASE.replace(mini_batch_size=None), 150))
    assert all(len(e) == 1 and np.array_equal(e[0], np.arange(150)) for e in full)


@pytest.mark.parametrize("name", sorted(PARITY_CASES))
def test_generated_code_is_valid_python(name):
    config = PARITY_CASES[name]
    for exact in (True, False):
        source = tf_code.tensorflow_code(config, exact=exact)
        ast.parse(source)
        L = len(config.hidden_units) + 1
        assert f"Z{L} = forward_propagation" in source
        assert "tf.GradientTape()" in source and "tf.data.Dataset" in source
    keras = tf_code.keras_sequential_code(config)
    ast.parse(keras)
    assert keras.count("tf.keras.layers.Dense(") == len(config.hidden_units) + 1


def test_config_source_rebuilds_the_config():
    config = PARITY_CASES["momentum, softmax, L2"]
    namespace = {"TrainConfig": TrainConfig}
    exec(tf_code.config_source(config), namespace)
    assert namespace["config"] == config


# ------------------------------------------------------------------------- with TensorFlow


@needs_tf
@pytest.mark.parametrize("name", sorted(PARITY_CASES))
def test_tensorflow_and_nnlab_agree(name):
    config = PARITY_CASES[name]
    parity = tf_parity.compare(config, exact=True)
    report = (f"{name}: cost diff {parity.max_cost_diff:.3e}, parameter diff "
              f"{parity.max_param_diff:.3e} (tolerance {tf_parity.PARITY_TOLERANCE:g})\n"
              f"nnlab {parity.nnlab_cost}\nTF    {parity.tf_cost}")
    assert len(parity.tf_cost) == config.num_epochs == len(parity.nnlab_cost), report
    assert parity.max_cost_diff <= tf_parity.PARITY_TOLERANCE, report
    assert parity.max_param_diff <= tf_parity.PARITY_TOLERANCE, report
    assert parity.agree
    n_batches = 1 if config.mini_batch_size is None else -(-make_dataset(config).m_train // 64)
    assert parity.tf.steps == config.num_epochs * n_batches
    assert parity.nnlab_cost[-1] < parity.nnlab_cost[0]  # it did learn something


@needs_tf
@pytest.mark.parametrize("name", ["gd, mini-batches", "adam, mini-batches"])
def test_keras_as_written_is_close_but_not_exact(name):
    parity = tf_parity.compare(PARITY_CASES[name], exact=False)
    assert parity.max_cost_diff <= tf_parity.AS_WRITTEN_COST_TOLERANCE
    # float32 hyperparameters (and Adam's epsilon hat) leave more than round-off
    assert parity.max_cost_diff > tf_parity.PARITY_TOLERANCE


@needs_tf
def test_generated_script_runs_and_matches_nnlab(capsys):
    config = PARITY_CASES["adam, mini-batches"].replace(num_epochs=3)
    namespace = {"__name__": "__main__"}
    exec(compile(tf_code.tensorflow_code(config), "nnlab_tensorflow.py", "exec"), namespace)
    costs = np.asarray(namespace["costs"])
    expected = namespace["result"].history["cost"]
    np.testing.assert_allclose(costs, expected, rtol=0, atol=tf_parity.PARITY_TOLERANCE)
    bridge = tf_bridge.train_tf(config)
    np.testing.assert_allclose(costs, bridge.cost, rtol=0, atol=tf_parity.PARITY_TOLERANCE)
    assert "largest cost difference" in capsys.readouterr().out


@needs_tf
def test_keras_sequential_script_runs():
    config = PARITY_CASES["momentum, softmax, L2"].replace(num_epochs=2)
    namespace = {"__name__": "__main__"}
    exec(compile(tf_code.keras_sequential_code(config), "nnlab_keras.py", "exec"), namespace)
    history = namespace["history"].history
    assert len(history["loss"]) == 2 and np.all(np.isfinite(history["loss"]))
    model = namespace["model"]
    init = tf_bridge.initial_parameters(config, 2)
    assert model.layers[0].kernel.shape == init["W1"].T.shape


# -------------------------------------------------------- the run protocol (with TensorFlow)

#: Configs for chunked == whole: every optimizer with mini-batches, a schedule, softmax.
CHUNK_CASES = {
    "gd, mini-batches": PARITY_CASES["gd, mini-batches"],
    "momentum, mini-batches": BASE.replace(optimizer="momentum", learning_rate=0.1),
    "adam, mini-batches": PARITY_CASES["adam, mini-batches"],
    "gd, mini-batches, exponential decay": BASE.replace(optimizer="gd", learning_rate=0.3,
                                                        schedule="exponential", decay_rate=0.2),
    "momentum, softmax, L2": PARITY_CASES["momentum, softmax, L2"],
}


def _assert_same_run(a, b):
    np.testing.assert_array_equal(a.cost, b.cost)
    assert a.parameters.keys() == b.parameters.keys()
    for key in a.parameters:
        np.testing.assert_array_equal(a.parameters[key], b.parameters[key], err_msg=key)
    assert a.steps == b.steps


@needs_tf
@pytest.mark.parametrize("name", sorted(CHUNK_CASES))
def test_advance_in_chunks_is_train_tf_bit_for_bit(name):
    config = CHUNK_CASES[name]
    whole = tf_bridge.train_tf(config)
    assert len(whole.cost) == config.num_epochs and whole.status == "ok"
    for chunk in (1, 3, 7):
        run = tf_bridge.start_tf(config)
        while not run.done:
            assert run.advance(chunk) is run
        _assert_same_run(run.snapshot(), whole)
    run = tf_bridge.start_tf(config)
    while not run.done:  # 2 mini-batches at a time: chunks that end mid-epoch
        run.advance_batches(2)
    _assert_same_run(run.snapshot(), whole)


@needs_tf
def test_advance_counts_epochs_and_finishes_a_started_one():
    config = CHUNK_CASES["adam, mini-batches"]
    run = tf_bridge.start_tf(config)
    assert (run.epoch, run.steps, run.done) == (0, 0, False)
    n_batches = -(-make_dataset(config).m_train // 64)
    run.advance(2)
    assert (run.epoch, run.steps) == (2, 2 * n_batches)
    run.advance_batches(1)  # one step into epoch 3
    assert (run.epoch, run.steps) == (2, 2 * n_batches + 1)
    run.advance(1)  # finishes epoch 3
    assert (run.epoch, run.steps) == (3, 3 * n_batches)
    with pytest.raises(ValueError, match="n must be"):
        run.advance(-1)
    with pytest.raises(ValueError, match="n must be"):
        run.advance(1.5)


@needs_tf
def test_snapshot_mid_run_is_a_copy_and_changes_nothing():
    config = CHUNK_CASES["adam, mini-batches"]
    whole = tf_bridge.train_tf(config)
    run = tf_bridge.start_tf(config).advance(3)
    mid = run.snapshot()
    assert mid.status == "running" and len(mid.cost) == 3
    saved = {key: value.copy() for key, value in mid.parameters.items()}
    again = run.snapshot()
    _assert_same_run(mid, again)
    run.advance(config.num_epochs)
    _assert_same_run(run.snapshot(), whole)
    for key in saved:  # training on left the earlier snapshot alone
        np.testing.assert_array_equal(mid.parameters[key], saved[key], err_msg=key)
    np.testing.assert_array_equal(mid.cost, whole.cost[:3])
    # and it is the run of the first 3 epochs (same shuffle stream, constant rate)
    _assert_same_run(mid, tf_bridge.train_tf(config.replace(num_epochs=3)))


@needs_tf
def test_done_at_the_end_and_advance_after_done_is_a_no_op():
    config = CHUNK_CASES["gd, mini-batches"]
    run = tf_bridge.start_tf(config)
    run.advance(config.num_epochs - 1)
    assert not run.done
    run.advance(1)
    assert run.done and run.status == "ok" and run.epoch == config.num_epochs
    end = run.snapshot()
    assert run.advance(5) is run and run.advance_batches(5) is run
    _assert_same_run(run.snapshot(), end)


@needs_tf
def test_on_epoch_true_stops_the_run():
    config = CHUNK_CASES["gd, mini-batches"]
    seen = []

    def on_epoch(epoch, num_epochs, cost):
        seen.append((epoch, num_epochs, cost))
        return epoch == 2

    result = tf_bridge.train_tf(config, on_epoch=on_epoch)
    assert [e for e, _, _ in seen] == [0, 1, 2]
    assert all(n == config.num_epochs for _, n, _ in seen)
    assert result.status == "stopped" and len(result.cost) == 3
    np.testing.assert_array_equal(result.cost, [c for _, _, c in seen])
    run = tf_bridge.start_tf(config).advance(config.num_epochs, on_epoch=on_epoch)
    assert run.done and run.advance(1).epoch == 3
