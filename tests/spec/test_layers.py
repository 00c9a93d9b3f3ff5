"""Each layer's backward against a numerical gradient, with a random upstream gradient."""

import numpy as np
import pytest

from nnlab.spec import activations, layers
from tests.helpers import GRAD_RTOL, numeric_grad, rel_error

rng = np.random.default_rng(0)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu", "linear", "softmax"])
def test_activation_backward_matches_numerical(name):
    fwd, bwd = activations.get_activation(name)
    Z = rng.standard_normal((4, 5)) * 2
    Z[np.abs(Z) < 1e-3] = 0.5  # keep away from relu's kink
    dA = rng.standard_normal(Z.shape)
    assert rel_error(bwd(dA, Z), numeric_grad(fwd, Z, dA)) < GRAD_RTOL


def test_sigmoid_is_stable_and_equals_plain_form():
    Z = np.array([[-800.0, -30.0, -1.0, 0.0, 1.0, 30.0, 800.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        s = activations.sigmoid(Z)
    assert np.all(np.isfinite(s)) and s[0, 0] == 0.0 and s[0, -1] == 1.0
    mid = Z[:, 1:-1]
    np.testing.assert_allclose(activations.sigmoid(mid), 1 / (1 + np.exp(-mid)), rtol=1e-15)
    pos = np.array([[0.0, 0.3, 2.0, 7.5]])
    assert np.array_equal(activations.sigmoid(pos), 1 / (1 + np.exp(-pos)))


def test_softmax_columns_sum_to_one_even_for_huge_logits():
    Z = np.array([[1000.0, 5.0], [999.0, 2.0], [0.0, -1.0], [-5.0, 3.0]])
    A = activations.softmax(Z)
    np.testing.assert_allclose(A.sum(axis=0), 1.0)
    # the lecture's worked example z = [5, 2, -1, 3]
    np.testing.assert_allclose(A[:, 1], [0.842, 0.042, 0.002, 0.114], atol=1e-3)


def test_linear_backward():
    A = rng.standard_normal((3, 6))
    W = rng.standard_normal((4, 3))
    b = rng.standard_normal((4, 1))
    dZ = rng.standard_normal((4, 6))
    Z, cache = layers.linear_forward(A, W, b)
    dA, dW, db = layers.linear_backward(dZ, cache)
    f = layers.linear_forward
    assert rel_error(dA, numeric_grad(lambda a: f(a, W, b)[0], A, dZ)) < GRAD_RTOL
    assert rel_error(dW, numeric_grad(lambda w: f(A, w, b)[0], W, dZ)) < GRAD_RTOL
    assert rel_error(db, numeric_grad(lambda bb: f(A, W, bb)[0], b, dZ)) < GRAD_RTOL


def test_dropout_is_inverted_and_backward_uses_same_mask():
    A = np.ones((50, 400))
    out, cache = layers.dropout_forward(A, 0.8, np.random.default_rng(1))
    kept = out != 0
    assert abs(kept.mean() - 0.8) < 0.01
    np.testing.assert_allclose(out[kept], 1 / 0.8)
    assert abs(out.mean() - 1.0) < 0.02  # expected value preserved
    dout = rng.standard_normal(A.shape)
    dA = layers.dropout_backward(dout, cache)
    assert np.all(dA[~kept] == 0)
    small = rng.standard_normal((3, 4))
    mask = cache[0][:3, :4]
    d = rng.standard_normal((3, 4))
    _, c = layers.dropout_forward(small, 0.8, mask=mask)
    num = numeric_grad(lambda a: layers.dropout_forward(a, 0.8, mask=mask)[0], small, d)
    assert rel_error(layers.dropout_backward(d, c), num) < GRAD_RTOL


def test_dropout_keep_prob_one_is_identity_and_zero_is_rejected():
    A = rng.standard_normal((2, 3))
    out, _ = layers.dropout_forward(A, 1.0, None)
    assert out is A
    with pytest.raises(ValueError, match="keep_prob"):
        layers.dropout_forward(A, 0.0, np.random.default_rng(0))


def test_course_dropout_mask_draw():
    # the course: np.random.seed(1); D1 = np.random.rand(*A1.shape) < keep_prob
    rs = np.random.RandomState(1)
    expected = np.random.RandomState(1).rand(3, 5) < 0.7
    assert np.array_equal(layers.dropout_mask((3, 5), 0.7, rs), expected)


@pytest.mark.parametrize("mode", ["train", "test"])
def test_batchnorm_backward_matches_numerical(mode):
    Z = rng.standard_normal((4, 7)) * 3 + 1
    gamma = rng.standard_normal((4, 1))
    beta = rng.standard_normal((4, 1))
    rm, rv = rng.standard_normal((4, 1)), rng.random((4, 1)) + 0.5
    kw = dict(mode=mode, running_mean=rm, running_var=rv)
    dout = rng.standard_normal(Z.shape)  # random upstream gradient: an all-ones one is vacuous
    out, cache, _ = layers.batchnorm_forward(Z, gamma, beta, **kw)
    dZ, dgamma, dbeta = layers.batchnorm_backward(dout, cache)
    f_z = lambda z: layers.batchnorm_forward(z, gamma, beta, **kw)[0]  # noqa: E731
    f_g = lambda g: layers.batchnorm_forward(Z, g, beta, **kw)[0]  # noqa: E731
    f_b = lambda b: layers.batchnorm_forward(Z, gamma, b, **kw)[0]  # noqa: E731
    assert rel_error(dZ, numeric_grad(f_z, Z, dout)) < 1e-5
    assert rel_error(dgamma, numeric_grad(f_g, gamma, dout)) < GRAD_RTOL
    assert rel_error(dbeta, numeric_grad(f_b, beta, dout)) < GRAD_RTOL


def test_batchnorm_train_normalizes_and_updates_running_average():
    Z = rng.standard_normal((3, 200)) * 5 + 7
    out, _, (mean, var) = layers.batchnorm_forward(
        Z, np.ones((3, 1)), np.zeros((3, 1)), running_mean=np.zeros((3, 1)),
        running_var=np.ones((3, 1)), momentum=0.9)
    np.testing.assert_allclose(out.mean(axis=1), 0, atol=1e-12)
    np.testing.assert_allclose(out.std(axis=1), 1, atol=1e-6)
    np.testing.assert_allclose(mean, 0.1 * Z.mean(axis=1, keepdims=True))
    np.testing.assert_allclose(var, 0.9 + 0.1 * Z.var(axis=1, keepdims=True))


def test_batchnorm_test_mode_needs_running_stats():
    with pytest.raises(ValueError, match="running"):
        layers.batchnorm_forward(np.ones((2, 3)), np.ones((2, 1)), np.zeros((2, 1)), mode="test")
