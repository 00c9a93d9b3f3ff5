"""Diagnostics: vanishing and exploding gradients, activation statistics, update ratios."""

import numpy as np
import pytest

from nnlab.lessons.layer_stats import (
    SATURATION_TOL,
    gradient_norms,
    layer_statistics,
    linear_chain_output,
    network_snapshot,
    update_ratios,
)
from nnlab.spec import model
from nnlab.spec.initializers import initialize_parameters

DEPTH = 30  # hidden layers of the deep networks below
WIDTH = 200
VANISH_RATIO = 1e-6  # sigmoid + Xavier: ||dW1|| / ||dWL|| is at most this
EXPLODE_FACTOR = 1e6  # large weights: ||dW1|| is at least this many times He's
HE_STD_FACTOR = 4.0  # He + relu: max/min activation std across 30 layers stays below this
XAVIER_RELU_SHRINK = 1e-3  # Xavier + relu halves the variance per layer: std ends below this


def _data(m=200, n_x=10, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n_x, m)), (rng.random((1, m)) > 0.5).astype(float)


def _deep(initializer, scale=None, width=WIDTH, n_x=10):
    dims = (n_x,) + (width,) * DEPTH + (1,)
    return initialize_parameters(dims, initializer, scale=scale, rng=np.random.default_rng(1))


def test_sigmoid_with_xavier_weights_vanishes():
    X, Y = _data()
    snap = network_snapshot(X, Y, _deep("xavier", width=50), hidden_activation="sigmoid")
    g = snap["grad_norm"]
    assert g.shape == (DEPTH + 1,) and np.all(np.isfinite(g))
    assert g[0] < VANISH_RATIO * g[-1]
    assert np.all(np.diff(np.log(g[:DEPTH])) > 0)  # each layer's gradient is bigger going up


@pytest.mark.parametrize("activation", ["linear", "relu"])
def test_large_weights_explode(activation):
    X, Y = _data()
    big = network_snapshot(X, Y, _deep("random", scale=3.0 / np.sqrt(WIDTH)),
                           hidden_activation=activation, learning_rate=0.01)
    he = network_snapshot(X, Y, _deep("he"), hidden_activation=activation, learning_rate=0.01)
    assert big["grad_norm"][0] > EXPLODE_FACTOR * he["grad_norm"][0]
    assert np.all(big["update_ratio"] > 1)  # one step would rewrite every layer
    assert big["a_std"][DEPTH - 1] > EXPLODE_FACTOR * big["a_std"][0]


def test_he_keeps_relu_activations_steady_and_xavier_shrinks_them():
    X, Y = _data()
    he = network_snapshot(X, Y, _deep("he"), hidden_activation="relu")["a_std"][:DEPTH]
    assert he.max() / he.min() < HE_STD_FACTOR
    xavier = network_snapshot(X, Y, _deep("xavier"), hidden_activation="relu")["a_std"][:DEPTH]
    assert xavier[-1] < XAVIER_RELU_SHRINK * xavier[0]


@pytest.mark.parametrize("scale", [1.5, 0.5, 1.0])
def test_linear_chain_is_exactly_a_power_of_the_scale(scale):
    out = linear_chain_output(DEPTH, scale)
    np.testing.assert_array_equal(out, scale ** np.arange(1, DEPTH + 1))
    assert linear_chain_output(3, 1.5, n=5).tolist() == [1.5, 2.25, 3.375]


def test_linear_chain_validates_arguments():
    with pytest.raises(ValueError, match="depth"):
        linear_chain_output(0, 1.5)
    with pytest.raises(ValueError, match="weight_scale"):
        linear_chain_output(3, -1.0)
    assert np.isinf(linear_chain_output(2000, 1.5)[-1])  # overflows quietly


def test_update_ratios_match_a_hand_computation():
    parameters = {"W1": np.array([[3.0, 4.0]]), "b1": np.zeros((1, 1)),
                  "W2": np.array([[0.0, 2.0], [0.0, 0.0]]), "b2": np.zeros((2, 1))}
    grads = {"dW1": np.array([[0.6, 0.8]]), "db1": np.zeros((1, 1)),
             "dW2": np.array([[1.0, 2.0], [2.0, 4.0]]), "db2": np.zeros((2, 1))}
    # ||W1|| = 5, ||dW1|| = 1; ||W2|| = 2, ||dW2|| = 5.
    np.testing.assert_allclose(gradient_norms(grads, 2), [1.0, 5.0])
    np.testing.assert_allclose(update_ratios(parameters, grads, 0.5), [0.5 * 1 / 5, 0.5 * 5 / 2])
    zero = {**parameters, "W1": np.zeros((1, 2))}
    assert np.isinf(update_ratios(zero, grads, 0.5)[0])
    with pytest.raises(ValueError, match="learning_rate"):
        update_ratios(parameters, grads, 0.0)
    with pytest.raises(ValueError, match="dW2"):
        gradient_norms({"dW1": grads["dW1"]}, 2)


def _cache(A, Z=None):
    A = np.asarray(A, dtype=float)
    return {"A": A, "Z": A if Z is None else np.asarray(Z, dtype=float)}


def test_layer_statistics_count_dead_and_saturated_units():
    relu = _cache([[0.0, 0.0, 0.0, 0.0], [1.0, 0.0, 3.0, 0.0]])
    out = _cache([[0.001, 0.5, 0.999, 0.7]])
    stats = layer_statistics([relu, out], "relu")
    np.testing.assert_array_equal(stats["layer"], [1, 2])
    assert stats["saturation"].tolist() == [0.75, 0.5]
    assert stats["dead_units"].tolist() == [0.5, 0.0]
    assert stats["a_mean"][0] == 0.5 and stats["a_std"][0] == pytest.approx(np.std(relu["A"]))
    tanh = _cache([[1 - SATURATION_TOL / 2, -1.0, 0.0, 0.5]])
    assert layer_statistics([tanh, out], "tanh")["saturation"][0] == 0.5
    sig = _cache([[SATURATION_TOL / 2, 0.5, 0.5, 0.5]])
    assert layer_statistics([sig, out], "sigmoid")["saturation"][0] == 0.25
    assert layer_statistics([sig, out], "linear")["saturation"][0] == 0.0
    with pytest.raises(ValueError, match="hidden_activation"):
        layer_statistics([relu, out], "swish")


def test_snapshot_matches_the_model_and_does_not_mutate_its_inputs():
    X, Y = _data(m=50, n_x=3)
    params = initialize_parameters((3, 8, 4, 1), "he", rng=np.random.default_rng(0))
    before = {k: v.copy() for k, v in params.items()}
    snap = network_snapshot(X, Y, params, hidden_activation="tanh", lambd=0.1,
                            learning_rate=0.1)
    AL, caches, _ = model.forward(X, params, hidden_activation="tanh")
    grads = model.backward(AL, Y, caches, params, hidden_activation="tanh", lambd=0.1)
    np.testing.assert_allclose(snap["grad_norm"], gradient_norms(grads, 3))
    np.testing.assert_allclose(snap["z_std"], [c["Z"].std() for c in caches])
    assert snap["cost"] == pytest.approx(model.compute_cost(AL, caches, Y, params, lambd=0.1))
    assert set(snap) >= {"layer", "a_mean", "a_std", "z_std", "saturation", "dead_units",
                         "grad_norm", "weight_norm", "update_ratio", "cost"}
    assert all(np.array_equal(params[k], before[k]) for k in params)
    with pytest.raises(ValueError, match="Y must have shape"):
        network_snapshot(X, Y[:, :10], params)
