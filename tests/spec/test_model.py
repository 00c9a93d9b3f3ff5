"""The whole network: gradient checks for every feature combination, predictions, bugs."""

import itertools

import numpy as np
import pytest

from nnlab.data.datasets import one_hot
from nnlab.spec import gradcheck, model
from nnlab.spec.initializers import initialize_parameters

CHECK_TOL = 1e-6  # a correct backprop stays well below this in float64
BUG_MIN = 1e-3  # an injected bug shows at least this much


def _problem(output, batch_norm, seed=0, m=7, hidden=(5, 4)):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((3, m))
    C = 3 if output == "softmax" else 1
    params = initialize_parameters((3, *hidden, C), "xavier", rng=rng, batch_norm=batch_norm)
    # Non-zero biases (and gamma/beta) so that their gradients are tested too, and so that no
    # relu sits exactly on its kink (Z == 0), where a finite difference is meaningless.
    for k in params:
        if not k.startswith("W"):
            params[k] = params[k] + 0.3 * rng.standard_normal(params[k].shape)
    labels = rng.integers(0, 3 if C == 3 else 2, size=(1, m)).astype(float)
    Y = one_hot(labels, 3) if C == 3 else labels
    return X, Y, params


COMBOS = list(itertools.product(["sigmoid", "softmax"], [0.0, 0.7], [1.0, 0.6], [False, True]))


@pytest.mark.parametrize("output,lambd,keep_prob,batch_norm", COMBOS)
def test_whole_model_gradient_check(output, lambd, keep_prob, batch_norm):
    X, Y, params = _problem(output, batch_norm)
    res = gradcheck.check_gradients(X, Y, params, output=output, lambd=lambd,
                                    keep_prob=keep_prob, fixed_mask=True, batch_norm=batch_norm,
                                    hidden_activation="tanh")
    assert res.difference < CHECK_TOL, res.per_parameter
    assert set(res.per_parameter) == set(params)


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "leaky_relu", "linear"])
def test_gradient_check_each_hidden_activation_at_depth(activation):
    X, Y, params = _problem("sigmoid", False, seed=3, hidden=(4, 4, 4, 4))
    res = gradcheck.check_gradients(X, Y, params, hidden_activation=activation, lambd=0.1)
    assert res.difference < CHECK_TOL


@pytest.mark.parametrize("bug,lit", [("dW2_doubled", {"W2"}), ("db1_times_4", {"b1"}),
                                     ("sign_error", {"W1", "b1"}), ("l2_missing", None)])
def test_injected_bugs_light_up_the_right_parameters(bug, lit):
    X, Y, params = _problem("sigmoid", False, seed=1)
    res = gradcheck.check_gradients(X, Y, params, lambd=2.0, bug=bug)
    assert res.difference > BUG_MIN and res.verdict != "fine"
    bad = {k for k, v in res.per_parameter.items() if v > BUG_MIN}
    if lit is None:  # L2 left out: every weight is off, no bias is
        assert bad == {"W1", "W2", "W3"}
    else:
        assert bad == lit


def test_dropout_check_fails_unless_mask_is_fixed():
    X, Y, params = _problem("sigmoid", False, seed=2, m=20)
    fixed = gradcheck.check_gradients(X, Y, params, keep_prob=0.5, fixed_mask=True)
    fresh = gradcheck.check_gradients(X, Y, params, keep_prob=0.5, fixed_mask=False)
    assert fixed.difference < CHECK_TOL
    assert fresh.difference > BUG_MIN


def test_forward_shapes_predict_and_accuracy():
    X, Y, params = _problem("softmax", False)
    AL, caches, bn = model.forward(X, params, output="softmax")
    assert AL.shape == (3, 7) and len(caches) == 3 and bn == {}
    np.testing.assert_allclose(AL.sum(axis=0), 1)
    pred = model.predict(X, params, output="softmax")
    assert pred.shape == (1, 7) and set(np.unique(pred)) <= {0.0, 1.0, 2.0}
    assert model.accuracy(pred, pred) == 1.0
    assert model.accuracy(np.array([[1.0, 0.0]]), np.array([[1.0, 1.0]])) == 0.5


def test_batchnorm_prediction_uses_running_statistics():
    X, Y, params = _problem("sigmoid", True, m=50)
    _, _, bn = model.forward(X, params, batch_norm=True)
    # a single example cannot be normalized by its own statistics; the running ones work
    p_one = model.predict_proba(X[:, :1], params, batch_norm=True, bn_state=bn)
    p_all = model.predict_proba(X, params, batch_norm=True, bn_state=bn)
    np.testing.assert_allclose(p_one[:, 0], p_all[:, 0])


def test_num_layers_and_bad_input():
    _, _, params = _problem("sigmoid", False)
    assert model.num_layers(params) == 3
    with pytest.raises(ValueError, match="W1"):
        model.num_layers({"b1": 0})
    with pytest.raises(ValueError, match="X must have shape"):
        model.forward(np.ones((5, 2)), params)
    with pytest.raises(ValueError, match="output"):
        model.forward(np.ones((3, 2)), params, output="tanh")
    with pytest.raises(ValueError, match="bug"):
        model.backward(np.ones((1, 2)), np.ones((1, 2)), [], params, bug="nope")
    with pytest.raises(ValueError, match="shape"):
        model.accuracy(np.ones((1, 2)), np.ones((1, 3)))


def test_forward_does_not_mutate_inputs():
    X, Y, params = _problem("sigmoid", True)
    before = {k: v.copy() for k, v in params.items()}
    Xc = X.copy()
    AL, caches, bn = model.forward(X, params, batch_norm=True, keep_prob=0.5,
                                   rng=np.random.default_rng(0))
    model.backward(AL, Y, caches, params, lambd=0.3)
    assert np.array_equal(X, Xc)
    assert all(np.array_equal(params[k], before[k]) for k in params)


def test_vector_dictionary_round_trip():
    _, _, params = _problem("softmax", True)
    theta, shapes = gradcheck.dictionary_to_vector(params)
    back = gradcheck.vector_to_dictionary(theta, shapes)
    assert all(np.array_equal(back[k], params[k]) for k in params)
    assert theta.shape == (sum(v.size for v in params.values()), 1)
    with pytest.raises(ValueError, match="entries"):
        gradcheck.vector_to_dictionary(theta[:-1], shapes)


def test_epsilon_sweep_shows_truncation_and_round_off():
    X, Y, params = _problem("sigmoid", False)
    sweep = dict(gradcheck.epsilon_sweep(X, Y, params, [1e-1, 1e-7, 1e-13]))
    assert sweep[1e-7] < sweep[1e-1]  # truncation error dominates at large epsilon
    assert sweep[1e-7] < sweep[1e-13]  # round-off dominates at tiny epsilon
