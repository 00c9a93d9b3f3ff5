"""Tests of nnlab.lessons.neuron_maps: unit maps over the input plane and full-batch dW."""

from __future__ import annotations

import numpy as np
import pytest

import nnlab
from nnlab.core.reference import predict_options, targets
from nnlab.core.train import make_dataset
from nnlab.lessons import neuron_maps as nm
from nnlab.spec import model

BOX = (-1.5, 2.5, -1.0, 1.5)
SIZE = 9
#: The maps are the same forward pass computed another way: equal to rounding.
MAP_TOL = 1e-12
#: Centred differences at FD_STEP of a cost in float64: relative error well below this.
FD_STEP = 1e-6
FD_REL_TOL = 1e-6
#: Two gradients that differ only by the L2 term: their difference is lambd/m * W to rounding.
L2_REL_TOL, L2_ABS_TOL = 1e-10, 1e-14

SMALL = nnlab.TrainConfig(dataset="moons", n_samples=80, hidden_units=(4, 3), num_epochs=20)
CONFIGS = {
    "plain": SMALL,
    "l2": SMALL.replace(lambd=0.7),
    "tanh-softmax-l2": nnlab.TrainConfig(dataset="spiral", n_classes=3, n_samples=90,
                                         hidden_units=(5,), hidden_activation="tanh",
                                         lambd=0.3, num_epochs=10),
    "batch-norm": SMALL.replace(batch_norm=True, num_epochs=5),
}


@pytest.fixture(scope="module")
def runs():
    """One short training run per config (the maps and gradients of trained, not initial,
    weights: ReLUs off in parts of the plane)."""
    return {name: nnlab.train(config) for name, config in CONFIGS.items()}


def grid_points(size=SIZE):
    xs, ys = np.linspace(BOX[0], BOX[1], size), np.linspace(BOX[2], BOX[3], size)
    gx, gy = np.meshgrid(xs, ys)
    return xs, ys, np.vstack([gx.ravel(), gy.ravel()])


def test_plane_points_and_bad_size():
    xs, ys, X = nm.plane(BOX, 4)
    assert xs[0] == BOX[0] and xs[-1] == BOX[1] and ys[0] == BOX[2] and ys[-1] == BOX[3]
    assert X.shape == (2, 16)
    # entry [i, j] of a map is at (xs[j], ys[i]): column index j runs fastest
    np.testing.assert_array_equal(X[:, 1 * 4 + 2], [xs[2], ys[1]])
    with pytest.raises(ValueError, match="size"):
        nm.plane(BOX, 1)


@pytest.mark.parametrize("name", ["plain", "tanh-softmax-l2", "batch-norm"])
def test_unit_maps_shapes(runs, name):
    result = runs[name]
    dims = result.config.layer_dims()
    maps = nm.unit_maps(result.config, result.parameters, result.bn_state, BOX, size=SIZE)
    assert len(maps) == len(dims)  # L + 1
    for l, (M, n) in enumerate(zip(maps, dims, strict=True)):
        assert M.shape == (n, SIZE, SIZE), f"layer {l}"
        assert np.all(np.isfinite(M))


def test_unit_maps_inputs_are_the_grid_coordinates(runs):
    result = runs["plain"]
    maps = nm.unit_maps(result.config, result.parameters, result.bn_state, BOX, size=SIZE)
    xs, ys, _ = grid_points()
    np.testing.assert_array_equal(maps[0][0], np.broadcast_to(xs, (SIZE, SIZE)))
    np.testing.assert_array_equal(maps[0][1], np.broadcast_to(ys[:, None], (SIZE, SIZE)))
    assert maps[0][0][0, 0] == BOX[0] and maps[0][1][-1, 0] == BOX[3]  # row 0: lowest y


@pytest.mark.parametrize("name", ["plain", "l2", "tanh-softmax-l2", "batch-norm"])
def test_unit_maps_output_is_predict_proba(runs, name):
    result = runs[name]
    maps = nm.unit_maps(result.config, result.parameters, result.bn_state, BOX, size=SIZE)
    _, _, X = grid_points()
    P = result.predict_proba(X)
    np.testing.assert_allclose(maps[-1], P.reshape(-1, SIZE, SIZE), rtol=0, atol=MAP_TOL)
    if P.shape[0] > 1:  # softmax: the output maps of every point sum to 1
        np.testing.assert_allclose(maps[-1].sum(axis=0), 1.0, atol=MAP_TOL)


def test_unit_maps_first_hidden_layer_by_hand(runs):
    result = runs["plain"]
    p = result.parameters
    maps = nm.unit_maps(result.config, p, result.bn_state, BOX, size=SIZE)
    _, _, X = grid_points()
    A1 = np.maximum(0.0, p["W1"] @ X + p["b1"])
    assert A1.shape == (4, SIZE * SIZE)
    for unit in range(4):
        np.testing.assert_allclose(maps[1][unit], A1[unit].reshape(SIZE, SIZE), rtol=0,
                                   atol=MAP_TOL)
    # a trained ReLU layer is off over part of the plane and on over another part
    assert np.any(maps[1] == 0.0) and np.any(maps[1] > 0.0)
    A2 = np.maximum(0.0, p["W2"] @ A1 + p["b2"])
    np.testing.assert_allclose(maps[2], A2.reshape(3, SIZE, SIZE), rtol=0, atol=MAP_TOL)


def test_unit_maps_batch_norm_with_and_without_running_statistics(runs):
    result = runs["batch-norm"]
    config, p = result.config, result.parameters
    assert result.bn_state  # a run that took steps has running statistics
    dims = config.layer_dims()
    with_state = nm.unit_maps(config, p, result.bn_state, BOX, size=SIZE)
    for bn_state in (None, {}):  # no step taken yet: batch norm over the plane's own points
        without = nm.unit_maps(config, p, bn_state, BOX, size=SIZE)
        assert [M.shape for M in without] == [(n, SIZE, SIZE) for n in dims]
        assert all(np.all(np.isfinite(M)) for M in without)
        _, _, X = grid_points()
        AL, _, _ = model.forward(X, p, mode="train", **predict_options(config, None))
        np.testing.assert_allclose(without[-1], AL.reshape(-1, SIZE, SIZE), atol=MAP_TOL)
    # the running statistics of a few epochs on the data are not the plane's own
    assert not np.allclose(with_state[1], without[1])


def test_unit_maps_keeps_non_finite_values(runs):
    result = runs["plain"]
    p = dict(result.parameters)
    p["W1"] = p["W1"].copy()
    p["W1"][0, 0] = np.nan
    maps = nm.unit_maps(result.config, p, result.bn_state, BOX, size=SIZE)
    assert np.all(np.isnan(maps[1][0]))
    assert np.all(np.isfinite(maps[1][1:]))


def cost(config, parameters, X, Y):
    opts = predict_options(config, None)
    AL, caches, _ = model.forward(X, parameters, mode="train", numerics=config.numerics, **opts)
    return model.compute_cost(AL, caches, targets(Y, config), parameters, lambd=config.lambd,
                              output=config.output_activation, numerics=config.numerics)


def relative_difference(a, b) -> float:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b)))


@pytest.mark.parametrize("name", list(CONFIGS))
def test_weight_gradients_match_finite_differences(runs, name):
    result = runs[name]
    config, p = result.config, result.parameters
    data = make_dataset(config)
    X, Y = data.X_train, data.Y_train
    dWs = nm.weight_gradients(config, p, result.bn_state, X, Y)
    dims = config.layer_dims()
    assert [dW.shape for dW in dWs] == [(dims[l], dims[l - 1]) for l in range(1, len(dims))]
    L = len(dWs)
    rng = np.random.default_rng(0)
    # every entry of W1, a few of the other layers
    entries = [(1, i, j) for i in range(dims[1]) for j in range(dims[0])]
    for l in range(2, L + 1):
        entries += [(l, int(rng.integers(dims[l])), int(rng.integers(dims[l - 1])))
                    for _ in range(3)]
    numeric, analytic = [], []
    for l, i, j in entries:
        plus, minus = dict(p), dict(p)
        plus[f"W{l}"], minus[f"W{l}"] = p[f"W{l}"].copy(), p[f"W{l}"].copy()
        plus[f"W{l}"][i, j] += FD_STEP
        minus[f"W{l}"][i, j] -= FD_STEP
        numeric.append((cost(config, plus, X, Y) - cost(config, minus, X, Y)) / (2 * FD_STEP))
        analytic.append(dWs[l - 1][i, j])
    assert relative_difference(numeric, analytic) < FD_REL_TOL, (name, numeric, analytic)
    assert np.linalg.norm(analytic) > 0


def test_weight_gradients_include_the_l2_term(runs):
    plain, l2 = CONFIGS["plain"], CONFIGS["l2"]
    p = runs["l2"].parameters
    data = make_dataset(l2)
    X, Y = data.X_train, data.Y_train
    without = nm.weight_gradients(plain, p, None, X, Y)
    with_l2 = nm.weight_gradients(l2, p, None, X, Y)
    m = X.shape[1]
    for l, (a, b) in enumerate(zip(without, with_l2, strict=True), start=1):
        np.testing.assert_allclose(b - a, l2.lambd / m * p[f"W{l}"], rtol=L2_REL_TOL,
                                   atol=L2_ABS_TOL)


def test_weight_gradients_ignore_dropout(runs):
    """Dropout is a training-time noise: the gradient shown is the whole network's."""
    result = runs["plain"]
    data = make_dataset(result.config)
    X, Y = data.X_train, data.Y_train
    base = nm.weight_gradients(result.config, result.parameters, None, X, Y)
    dropped = nm.weight_gradients(result.config.replace(keep_prob=0.5), result.parameters,
                                  None, X, Y)
    for a, b in zip(base, dropped, strict=True):
        np.testing.assert_array_equal(a, b)
