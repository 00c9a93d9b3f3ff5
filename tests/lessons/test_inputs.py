"""Engine tests of nnlab.lessons.input_scaling (the normalizing-inputs lesson) and its chart
builders."""

import numpy as np
import pytest

from nnlab.data.datasets import fit_normalizer, normalize, scale_features
from nnlab.lessons import input_scaling as inputs
from nnlab.spec.optimizers import optimizer_step

EXACT = 1e-12
GRAD_TOL = 1e-7
RNG = np.random.default_rng(0)
X = np.vstack([RNG.standard_normal(200) + 1.0, 0.5 * RNG.standard_normal(200)])
Y = (X[0:1] - 2 * X[1:2] > 1).astype(float)


def test_cost_matches_the_sum_and_gradient_matches_finite_differences():
    w = np.array([0.3, -1.2])
    direct = np.sum((w @ X - Y) ** 2) / (2 * X.shape[1])
    assert inputs.least_squares_cost(w, X, Y) == pytest.approx(direct, rel=EXACT)
    eps, g = 1e-6, inputs.least_squares_gradient(w, X, Y)
    for i in range(2):
        e = np.eye(2)[i] * eps
        num = (inputs.least_squares_cost(w + e, X, Y) - inputs.least_squares_cost(w - e, X, Y))
        assert g[i] == pytest.approx(num / (2 * eps), rel=GRAD_TOL)


def test_grid_layout_and_minimizer():
    w1s, w2s = np.linspace(-1, 1, 5), np.linspace(-2, 2, 3)
    Z = inputs.cost_grid(X, Y, w1s, w2s)
    assert Z.shape == (3, 5)
    assert Z[2, 1] == pytest.approx(inputs.least_squares_cost((w1s[1], w2s[2]), X, Y), rel=EXACT)
    w_star = inputs.minimizer(X, Y)
    np.testing.assert_allclose(inputs.least_squares_gradient(w_star, X, Y), 0, atol=1e-12)


def test_stable_learning_rate_is_two_over_lambda_max():
    lo, hi = inputs.curvatures(X)
    assert np.allclose([lo, hi], np.linalg.eigvalsh(X @ X.T / X.shape[1]), rtol=EXACT)
    alpha = inputs.max_stable_learning_rate(X)
    assert alpha == pytest.approx(2 / hi, rel=EXACT)
    J_star = inputs.least_squares_cost(inputs.minimizer(X, Y), X, Y)
    below = inputs.descent_path(X, Y, (3.0, -3.0), 0.98 * alpha, 400)
    above = inputs.descent_path(X, Y, (3.0, -3.0), 1.02 * alpha, 400)
    assert below["cost"][-1] - J_star < 1e-6 * (below["cost"][0] - J_star)
    assert above["cost"][-1] - J_star > 1e3 * (above["cost"][0] - J_star)


def test_descent_path_is_optimizer_step():
    path = inputs.descent_path(X, Y, (1.0, 1.0), 0.1, 3)
    params = {"w": np.array([[1.0], [1.0]])}
    for _ in range(3):
        grads = {"dw": inputs.least_squares_gradient(params["w"], X, Y).reshape(2, 1)}
        params, _ = optimizer_step("gd", params, grads, {}, 0.1)
    np.testing.assert_allclose(path["path"][-1], params["w"].ravel(), rtol=EXACT)
    assert path["path"].shape == (4, 2) and path["status"] == "ok"
    blown = inputs.descent_path(X, Y, (1.0, 1.0), 1e6, 500)
    assert blown["status"] == "diverged" and np.all(np.isfinite(blown["cost"]))


def test_normalizing_makes_the_bowl_round():
    Xs = scale_features(X, (1, 30))
    mu, s2 = fit_normalizer(Xs)
    lo_s, hi_s = inputs.curvatures(Xs)
    lo_n, hi_n = inputs.curvatures(normalize(Xs, mu, s2))
    assert hi_s / lo_s > 100
    assert hi_n / lo_n < 1.5
    assert inputs.max_stable_learning_rate(normalize(Xs, mu, s2)) > 100 * \
        inputs.max_stable_learning_rate(Xs)


def test_normalize_dev_three_ways():
    mu, s2 = fit_normalizer(X)
    dev = X[:, :20] + 3.0
    np.testing.assert_allclose(inputs.normalize_dev(dev, mu, s2, "train"), normalize(dev, mu, s2))
    own = inputs.normalize_dev(dev, mu, s2, "own")
    np.testing.assert_allclose(own.mean(axis=1), 0, atol=1e-12)
    np.testing.assert_array_equal(inputs.normalize_dev(dev, mu, s2, "none"), dev)
    Xs, Ys = inputs.shifted_subset(X, Y, 0.25)
    assert Xs.shape == (2, 50) and Ys.shape == (1, 50)
    assert Xs[0].min() >= np.sort(X[0])[-50]


@pytest.mark.parametrize("call", [
    lambda: inputs.least_squares_cost((1, 2), np.ones((3, 4)), np.ones((1, 4))),
    lambda: inputs.least_squares_cost((1, 2), X, np.ones((1, 3))),
    lambda: inputs.least_squares_cost((1, 2, 3), X, Y),
    lambda: inputs.descent_path(X, Y, (0, 0), -0.1, 5),
    lambda: inputs.descent_path(X, Y, (0, 0), 0.1, -1),
    lambda: inputs.descent_path(X, Y, (0, 0, 0), 0.1, 5),
    lambda: inputs.normalize_dev(X, *fit_normalizer(X), how="test"),
    lambda: inputs.shifted_subset(X, Y, 1.5),
    lambda: inputs.max_stable_learning_rate(np.zeros((2, 5))),
])
def test_bad_input_raises_value_error(call):
    with pytest.raises(ValueError):
        call()


def test_engine_does_not_import_ui_libraries():
    import subprocess
    import sys

    code = ("import sys, nnlab.lessons.input_scaling; "
            "print(any(m in sys.modules for m in ('streamlit', 'altair', 'pandas')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_charts():
    from nnlab.viz.gradcheck import epsilon_sweep_chart
    from nnlab.viz.normalizing import weight_surface_chart

    spec = weight_surface_chart(np.linspace(-1, 1, 4), np.linspace(-1, 1, 3), np.ones((3, 4)),
                                paths={"GD": np.zeros((2, 2))}).to_dict()
    assert spec["width"] == spec["height"]
    assert spec["layer"][0]["encoding"]["x"]["title"] == "w₁"
    assert spec["layer"][0]["encoding"]["y"]["title"] == "w₂"
    sweep = epsilon_sweep_chart({"a": [(1e-3, 1e-6), (1e-5, 0.0)]}, thresholds={"bug": 1e-3})
    d = sweep.to_dict()
    assert d["layer"][0]["encoding"]["x"]["scale"]["type"] == "log"
    rows = next(iter(d["datasets"].values()))
    assert len(rows) == 1  # the zero difference can't sit on a log axis: dropped
    with pytest.raises(ValueError):
        epsilon_sweep_chart({})
