"""Tests for nnlab.data.datasets and nnlab.data.toy2d: sklearn parity, shapes, splits,
normalization."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import sklearn.datasets

from nnlab.data import datasets as data
from nnlab.data.datasets import (
    DATASETS,
    Dataset,
    dataset_from_arrays,
    fit_normalizer,
    labels_from_one_hot,
    load_dataset,
    make_blobs,
    make_circles,
    make_football,
    make_gaussians,
    make_moons,
    make_spiral,
    make_temperatures,
    make_xor,
    normalize,
    one_hot,
    scale_features,
    split,
)

ATOL = 1e-12  # for float identities that are exact up to round-off
ALLOWED_RNG_METHODS = ("standard_normal", "random", "permutation", "normal", "uniform")


class LimitedRng:
    """A RandomState that exposes only the methods Generator and RandomState share."""

    def __init__(self, seed):
        self._rs = np.random.RandomState(seed)
        for method in ALLOWED_RNG_METHODS:
            setattr(self, method, getattr(self._rs, method))


def rs(seed=0):
    return np.random.RandomState(seed)


# Generators of the non-sklearn data sets, called with their own defaults.
OWN_GENERATORS = {
    "spiral": lambda n, rng: make_spiral(n, rng=rng),
    "xor": lambda n, rng: make_xor(n, rng=rng),
    "gaussians": lambda n, rng: make_gaussians(n, rng=rng),
    "blobs": lambda n, rng: make_blobs(n, rng=rng),
    "moons": lambda n, rng: make_moons(n, noise=0.2, rng=rng),
    "circles": lambda n, rng: make_circles(n, noise=0.05, rng=rng),
}


# ----------------------------------------------------------------------------- sklearn parity
@pytest.mark.parametrize("ours, theirs", [(make_moons, sklearn.datasets.make_moons),
                                          (make_circles, sklearn.datasets.make_circles)])
@pytest.mark.parametrize("seed", [0, 1, 3, 42])
@pytest.mark.parametrize("n", [2, 3, 101, 300])
@pytest.mark.parametrize("noise", [None, 0.0, 0.05, 0.2])
@pytest.mark.parametrize("shuffle", [True, False])
def test_sklearn_parity_draw_for_draw(ours, theirs, seed, n, noise, shuffle):
    X, Y = ours(n, noise=noise, shuffle=shuffle, rng=rs(seed))
    x, y = theirs(n, noise=noise, shuffle=shuffle, random_state=rs(seed))
    assert X.shape == (2, n) and Y.shape == (1, n)
    assert X.dtype == np.float64 and Y.dtype == np.float64
    assert np.array_equal(X, x.T), f"max diff {np.max(np.abs(X - x.T))}"
    assert np.array_equal(Y, y.reshape(1, -1).astype(np.float64))


@pytest.mark.parametrize("factor", [0.0, 0.3, 0.5, 0.99])
def test_circles_factor_parity(factor):
    X, Y = make_circles(51, noise=0.1, factor=factor, rng=rs(7))
    x, y = sklearn.datasets.make_circles(51, noise=0.1, factor=factor, random_state=rs(7))
    assert np.array_equal(X, x.T) and np.array_equal(Y[0], y)


def test_rng_stream_continues_like_sklearn():
    # The generator leaves the RandomState where sklearn leaves it.
    mine, theirs = rs(5), rs(5)
    make_moons(40, noise=0.1, rng=mine)
    sklearn.datasets.make_moons(40, noise=0.1, random_state=theirs)
    assert np.array_equal(mine.standard_normal(5), theirs.standard_normal(5))


def test_course_recipe_circles_and_moons():
    # Initialization assignment: np.random.seed(1) train, np.random.seed(2) test, noise .05.
    train_X, train_Y = make_circles(300, noise=0.05, rng=rs(1))
    test_X, test_Y = make_circles(100, noise=0.05, rng=rs(2))
    x, y = sklearn.datasets.make_circles(n_samples=300, noise=0.05, random_state=1)
    tx, ty = sklearn.datasets.make_circles(n_samples=100, noise=0.05, random_state=2)
    assert np.array_equal(train_X, x.T) and np.array_equal(train_Y, y.reshape((1, 300)))
    assert np.array_equal(test_X, tx.T) and np.array_equal(test_Y, ty.reshape((1, 100)))
    assert train_X.shape == (2, 300) and test_X.shape == (2, 100)
    # Optimization assignment: np.random.seed(3), make_moons(n_samples=300, noise=.2).
    X, Y = make_moons(300, noise=0.2, rng=rs(3))
    x, y = sklearn.datasets.make_moons(300, noise=0.2, random_state=rs(3))
    assert np.array_equal(X, x.T) and np.array_equal(Y, y.reshape((1, 300)))


# ------------------------------------------------------------------- generators: shapes, rng
@pytest.mark.parametrize("name", sorted(OWN_GENERATORS))
@pytest.mark.parametrize("n", [12, 301])
def test_generators_shapes_dtype_determinism(name, n):
    gen = OWN_GENERATORS[name]
    X, Y = gen(n, rs(11))
    X2, Y2 = gen(n, rs(11))
    X3, _ = gen(n, rs(12))
    assert X.shape == (2, n) and Y.shape == (1, n)
    assert X.dtype == np.float64 and Y.dtype == np.float64
    assert np.all(np.isfinite(X))
    assert np.array_equal(X, X2) and np.array_equal(Y, Y2)
    assert not np.array_equal(X, X3)
    assert set(np.unique(Y)) <= set(range(10)) and np.array_equal(Y, np.round(Y))


@pytest.mark.parametrize("name", sorted(OWN_GENERATORS))
def test_generators_draw_only_shared_methods(name):
    gen = OWN_GENERATORS[name]
    X, Y = gen(50, LimitedRng(4))
    X2, Y2 = gen(50, rs(4))
    assert np.array_equal(X, X2) and np.array_equal(Y, Y2)
    Xg, Yg = gen(50, np.random.default_rng(4))  # a Generator works as well
    assert Xg.shape == (2, 50) and Yg.shape == (1, 50)


def test_football_draws_only_shared_methods_and_generator_works():
    a = make_football(LimitedRng(0))
    b = make_football(rs(0))
    assert all(np.array_equal(p, q) for p, q in zip(a, b, strict=True))
    assert make_football(np.random.default_rng(0))[0].shape == (2, 211)


@pytest.mark.parametrize("n, C", [(300, 3), (301, 3), (10, 10), (7, 2), (100, 7)])
def test_spiral_and_blobs_class_balance(n, C):
    for gen in (make_spiral, make_blobs):
        _, Y = gen(n, n_classes=C, rng=rs(0))
        counts = np.bincount(Y[0].astype(int), minlength=C)
        assert counts.sum() == n and len(counts) == C
        assert counts.max() - counts.min() <= 1


@pytest.mark.parametrize("n", [2, 7, 300, 301])
def test_binary_class_balance(n):
    for gen in (make_moons, make_circles):
        _, Y = gen(n, rng=rs(0))
        assert Y.sum() == n - n // 2  # the second class gets the extra point, like sklearn
    _, Y = make_gaussians(n, rng=rs(0))
    assert Y.sum() == n - n // 2
    _, Y = make_xor(n, rng=rs(0))
    assert abs(2 * Y.sum() - n) <= 1


def test_spiral_geometry():
    X, Y = make_spiral(300, n_classes=3, noise=0.2, rng=rs(0))
    assert np.all(np.hypot(X[0], X[1]) <= 1 + ATOL)
    Xs, Ys = make_spiral(300, n_classes=3, noise=0.2, shuffle=False, rng=rs(0))
    assert np.array_equal(Ys[0], np.repeat([0.0, 1.0, 2.0], 100))


def test_xor_labels_follow_signs_without_noise():
    X, Y = make_xor(400, noise=0.0, rng=rs(1))
    assert np.array_equal(Y[0], (X[0] * X[1] < 0).astype(float))
    assert np.all(np.abs(X) >= 0.1 - ATOL) and np.all(np.abs(X) <= 1 + ATOL)


def test_gaussians_and_blobs_centres():
    X, Y = make_gaussians(200, noise=0.0, rng=rs(0))
    assert np.allclose(X, 2 * Y - 1, atol=ATOL)
    X, Y = make_blobs(60, n_classes=4, noise=0.0, rng=rs(0))
    assert np.allclose(np.hypot(X[0], X[1]), 2.0, atol=ATOL)
    assert len(np.unique(np.round(X, 9), axis=1).T) == 4


def test_football_shapes_and_range():
    X_train, Y_train, X_dev, Y_dev = make_football(rs(0))
    assert X_train.shape == (2, 211) and Y_train.shape == (1, 211)
    assert X_dev.shape == (2, 200) and Y_dev.shape == (1, 200)
    for X, Y in ((X_train, Y_train), (X_dev, Y_dev)):
        assert np.all(np.abs(X) <= 0.75)
        assert set(np.unique(Y)) == {0.0, 1.0}
        assert 0.3 < Y.mean() < 0.7
    again = make_football(rs(0))
    assert np.array_equal(again[0], X_train) and np.array_equal(again[3], Y_dev)
    X, Y, _, _ = make_football(rs(0), n_train=50, n_dev=5, noise=0.0, label_noise=0.0)
    assert X.shape == (2, 50)
    assert np.array_equal(Y[0], (X[1] > 0.2 * np.sin(5 * X[0])).astype(float))


# ---------------------------------------------------------------------------- one-hot labels
def test_one_hot_round_trip():
    Y = np.array([[0.0, 2.0, 1.0, 2.0]])
    expected = np.array([[1, 0, 0, 0], [0, 0, 1, 0], [0, 1, 0, 1]], dtype=float)
    assert np.array_equal(one_hot(Y, 3), expected)
    assert np.array_equal(one_hot(Y[0], 3), expected)
    assert np.array_equal(labels_from_one_hot(expected), Y)
    assert labels_from_one_hot(expected).shape == (1, 4)


@pytest.mark.parametrize("Y, C, match", [
    (np.array([[0.0, 3.0]]), 3, "Y"), (np.array([[0.5, 1.0]]), 3, "Y"),
    (np.array([[-1.0, 1.0]]), 3, "Y"), (np.array([[0.0, 1.0]]), 1, "n_classes"),
    (np.array([[0.0, 1.0], [1.0, 0.0]]), 2, "Y"),
])
def test_one_hot_rejects_bad_input(Y, C, match):
    with pytest.raises(ValueError, match=match):
        one_hot(Y, C)


# ------------------------------------------------------------------------------------- split
def test_split_sizes_and_content():
    X = np.arange(600.0).reshape(2, 300)
    Y = (np.arange(300) % 2).reshape(1, 300).astype(float)
    s = split(X, Y, fractions=(0.6, 0.2, 0.2), rng=rs(0))
    assert (s.X_train.shape, s.X_dev.shape, s.X_test.shape) == ((2, 180), (2, 60), (2, 60))
    assert (s.Y_train.shape, s.Y_dev.shape, s.Y_test.shape) == ((1, 180), (1, 60), (1, 60))
    X_all = np.hstack([s.X_train, s.X_dev, s.X_test])
    Y_all = np.hstack([s.Y_train, s.Y_dev, s.Y_test])
    perm = rs(0).permutation(300)
    assert np.array_equal(X_all, X[:, perm]) and np.array_equal(Y_all, Y[:, perm])
    again = split(X, Y, rng=rs(0))
    assert np.array_equal(again.X_dev, s.X_dev)


def test_split_without_shuffle_and_zero_test():
    X = np.arange(20.0).reshape(2, 10)
    Y = np.ones((1, 10))
    s = split(X, Y, fractions=(0.8, 0.2, 0.0), shuffle=False)
    assert np.array_equal(s.X_train, X[:, :8]) and np.array_equal(s.X_dev, X[:, 8:])
    assert s.X_test.shape == (2, 0) and s.Y_test.shape == (1, 0)
    X_tr, Y_tr, X_dv, Y_dv, X_te, Y_te = s  # unpacks like a tuple
    assert X_tr is s.X_train
    assert not np.shares_memory(s.X_train, X)  # a new array, not a view of the input


def test_split_does_not_mutate_inputs():
    X = rs(0).standard_normal((3, 20))
    X_copy = X.copy()
    split(X, np.zeros((1, 20)), rng=rs(1))
    assert np.array_equal(X, X_copy)


@pytest.mark.parametrize("fractions", [
    (0.6, 0.2, 0.1), (0.0, 0.5, 0.5), (1.2, -0.1, -0.1), (0.5, 0.5), (0.6, 0.2, 0.2 + 1e-6),
    (0.6, float("nan"), 0.4), "abc",
])
def test_split_rejects_bad_fractions(fractions):
    with pytest.raises(ValueError, match="fractions"):
        split(np.zeros((2, 10)), np.zeros((1, 10)), fractions=fractions, rng=rs(0))


def test_split_accepts_fractions_within_tolerance():
    s = split(np.zeros((2, 10)), np.zeros((1, 10)), fractions=(0.7, 0.2, 0.1), rng=rs(0))
    assert s.X_train.shape[1] + s.X_dev.shape[1] + s.X_test.shape[1] == 10


def test_split_every_positive_part_gets_an_example():
    with pytest.raises(ValueError, match="dev"):
        split(np.zeros((2, 3)), np.zeros((1, 3)), fractions=(0.8, 0.1, 0.1), rng=rs(0))


def test_split_rejects_mismatched_columns_nan_and_missing_rng():
    with pytest.raises(ValueError, match="Y"):
        split(np.zeros((2, 10)), np.zeros((1, 9)), rng=rs(0))
    with pytest.raises(ValueError, match="X"):
        split(np.full((2, 10), np.nan), np.zeros((1, 10)), rng=rs(0))
    with pytest.raises(ValueError, match="rng"):
        split(np.zeros((2, 10)), np.zeros((1, 10)), rng=None)


# ----------------------------------------------------------------------------- normalization
def test_fit_normalizer_course_formulas():
    X = rs(0).standard_normal((3, 50)) * np.array([[1.0], [10.0], [0.1]]) + 5
    mu, sigma2 = fit_normalizer(X)
    assert mu.shape == (3, 1) and sigma2.shape == (3, 1)
    m = X.shape[1]
    assert np.allclose(mu, X.sum(axis=1, keepdims=True) / m, atol=ATOL)
    centred = X - mu
    assert np.allclose(sigma2, np.sum(centred**2, axis=1, keepdims=True) / m, atol=ATOL)
    Xn = normalize(X, mu, sigma2)
    assert np.allclose(Xn.mean(axis=1), 0.0, atol=1e-10)
    assert np.allclose(Xn.var(axis=1), 1.0, atol=1e-6)


def test_normalize_uses_training_statistics_on_dev():
    X_train = rs(0).standard_normal((2, 100)) * 3 + 1
    X_dev = rs(1).standard_normal((2, 40)) * 3 + 1
    mu, sigma2 = fit_normalizer(X_train)
    got = normalize(X_dev, mu, sigma2, epsilon=1e-8)
    assert np.allclose(got, (X_dev - mu) / np.sqrt(sigma2 + 1e-8), atol=ATOL)
    own = normalize(X_dev, *fit_normalizer(X_dev))
    assert not np.allclose(got, own)


def test_normalize_constant_feature_and_errors():
    X = np.vstack([np.ones(5), np.arange(5.0)])
    mu, sigma2 = fit_normalizer(X)
    assert np.all(normalize(X, mu, sigma2)[0] == 0)
    with pytest.raises(ValueError, match="mu"):
        normalize(X, mu[:1], sigma2)
    with pytest.raises(ValueError, match="sigma2"):
        normalize(X, mu, -sigma2 - 1)
    with pytest.raises(ValueError, match="epsilon"):
        normalize(X, mu, sigma2, epsilon=-1.0)
    with pytest.raises(ValueError, match="X_train"):
        fit_normalizer(np.array([[np.nan, 1.0]]))


def test_scale_features():
    X = np.ones((2, 4))
    assert np.array_equal(scale_features(X, (1, 1000)), np.array([[1.0] * 4, [1000.0] * 4]))
    assert np.array_equal(X, np.ones((2, 4)))
    for bad in [(1,), (1, 0), (1, -2), (1, np.inf)]:
        with pytest.raises(ValueError, match="scales"):
            scale_features(X, bad)


# ------------------------------------------------------------------------------ temperatures
def test_temperatures():
    day, theta = make_temperatures(rs(0))
    assert day.shape == (365,) and theta.shape == (365,)
    assert day[0] == 1 and day[-1] == 365
    summer, winter = theta[(day > 166) & (day < 228)].mean(), theta[(day < 46) | (day > 350)]
    assert summer > winter.mean() + 15
    assert np.array_equal(make_temperatures(rs(0))[1], theta)
    day, clean = make_temperatures(rs(0), days=100, noise=0.0, coldest_day=1)
    assert clean.shape == (100,) and np.isclose(clean[0], 50 - 14) and clean.argmin() == 0
    for kwargs, match in [({"days": 1}, "days"), ({"noise": -1}, "noise"),
                          ({"mean": float("nan")}, "mean")]:
        with pytest.raises(ValueError, match=match):
            make_temperatures(rs(0), **kwargs)


# -------------------------------------------------------------------------------- registry
@pytest.mark.parametrize("name", sorted(DATASETS))
def test_load_every_dataset(name):
    info = DATASETS[name]
    assert isinstance(info.description, str) and info.description
    C = 3 if info.multiclass else 2
    ds = load_dataset(name, n_classes=C, rng=rs(0))
    assert isinstance(ds, Dataset) and ds.name == name and ds.n_classes == C
    assert ds.n_x == 2 and ds.mu is None and ds.sigma2 is None
    if name == "football":
        assert (ds.m_train, ds.m_dev, ds.m_test) == (211, 200, 0)
        assert ds.X_test.shape == (2, 0) and ds.Y_test.shape == (1, 0)
    else:
        assert (ds.m_train, ds.m_dev, ds.m_test) == (180, 60, 60)
        Y = np.hstack([ds.Y_train, ds.Y_dev, ds.Y_test])
        assert set(np.unique(Y)) == set(range(C))
    again = load_dataset(name, n_classes=C, rng=rs(0))
    assert np.array_equal(again.X_train, ds.X_train) and np.array_equal(again.Y_dev, ds.Y_dev)


def test_load_dataset_default_noise_and_sklearn_pipeline():
    ds = load_dataset("moons", n_samples=300, fractions=(1.0, 0.0, 0.0), rng=rs(3))
    X, Y = make_moons(300, noise=DATASETS["moons"].default_noise, rng=rs(3))
    perm = np.random.RandomState(3)
    make_moons(300, noise=0.2, rng=perm)  # advance the stream past the generator's draws
    order = perm.permutation(300)
    assert np.array_equal(ds.X_train, X[:, order]) and np.array_equal(ds.Y_train, Y[:, order])
    assert ds.X_dev.shape == (2, 0)


@pytest.mark.parametrize("name", ["circles", "spiral", "football"])
def test_load_dataset_normalize_uses_training_statistics(name):
    raw = load_dataset(name, n_classes=2, rng=rs(5))
    ds = load_dataset(name, n_classes=2, normalize=True, rng=rs(5))
    mu, sigma2 = fit_normalizer(raw.X_train)
    assert np.allclose(ds.mu, mu, atol=ATOL) and np.allclose(ds.sigma2, sigma2, atol=ATOL)
    assert np.allclose(ds.X_train, normalize(raw.X_train, mu, sigma2), atol=ATOL)
    assert np.allclose(ds.X_dev, normalize(raw.X_dev, mu, sigma2), atol=ATOL)
    if raw.m_test:
        assert np.allclose(ds.X_test, normalize(raw.X_test, mu, sigma2), atol=ATOL)
    assert np.array_equal(ds.Y_dev, raw.Y_dev)


@pytest.mark.parametrize("kwargs, match", [
    ({"name": "mnist"}, "circles, moons, spiral"),
    ({"name": "moons", "n_classes": 3}, "n_classes"),
    ({"name": "blobs", "n_classes": 11}, "n_classes"),
    ({"name": "blobs", "n_classes": 1}, "n_classes"),
    ({"name": "moons", "n_samples": 1}, "n_samples"),
    ({"name": "moons", "n_samples": 2.5}, "n_samples"),
    ({"name": "moons", "n_samples": True}, "n_samples"),
    ({"name": "moons", "noise": -0.1}, "noise"),
    ({"name": "moons", "noise": float("nan")}, "noise"),
    ({"name": "football", "fractions": (0.5, 0.6, 0.1)}, "fractions"),
    ({"name": "moons", "rng": None}, "rng"),
])
def test_load_dataset_rejects_bad_input(kwargs, match):
    kwargs = {"rng": rs(0), **kwargs}
    with pytest.raises(ValueError, match=match) as info:
        load_dataset(**kwargs)
    received = kwargs.get("name") if match.startswith("circles") else None
    assert received is None or repr(received) in str(info.value)


def test_dataset_is_frozen():
    ds = load_dataset("xor", rng=rs(0))
    with pytest.raises(AttributeError):
        ds.name = "other"


# ----------------------------------------------------------------------- dataset_from_arrays
def test_dataset_from_arrays():
    X = rs(0).standard_normal((3, 50))
    Y = (np.arange(50) % 4).reshape(1, 50)
    ds = dataset_from_arrays(X, Y, fractions=(0.8, 0.2, 0.0), rng=rs(0), normalize=True)
    assert ds.name == "custom" and ds.n_classes == 4 and ds.n_x == 3
    assert (ds.m_train, ds.m_dev, ds.m_test) == (40, 10, 0)
    assert ds.Y_train.dtype == np.float64
    assert np.allclose(ds.X_train.mean(axis=1), 0.0, atol=1e-10)


@pytest.mark.parametrize("X, Y, match", [
    (np.array([[np.nan, 1.0, 2.0]]), np.array([[0, 1, 0]]), "X"),
    (np.ones((2, 3)), np.array([[0, 1]]), "Y"),
    (np.ones((2, 3)), np.array([[0, 1.5, 0]]), "Y"),
    (np.ones((2, 3)), np.array([[1, 1, 1]]), "2 classes"),
    (np.ones((2, 3)), np.array([0, 1, 0]), "Y"),
    (np.ones(3), np.array([[0, 1, 0]]), "X"),
    (np.ones((2, 3)), np.array([[0, -1, 0]]), "Y"),
])
def test_dataset_from_arrays_rejects_bad_input(X, Y, match):
    with pytest.raises(ValueError, match=match):
        dataset_from_arrays(X, Y, fractions=(0.6, 0.4, 0.0), rng=rs(0))


# ------------------------------------------------------------------ generator argument checks
@pytest.mark.parametrize("call, match", [
    (lambda: make_moons(1, rng=rs(0)), "n_samples.*1"),
    (lambda: make_moons(10.0, rng=rs(0)), "n_samples.*10.0"),
    (lambda: make_circles(10, noise=-1, rng=rs(0)), "noise.*-1"),
    (lambda: make_circles(10, factor=1.0, rng=rs(0)), "factor.*1.0"),
    (lambda: make_circles(10, rng=42), "rng.*42"),
    (lambda: make_spiral(10, n_classes=11, rng=rs(0)), "n_classes.*11"),
    (lambda: make_spiral(2, n_classes=3, rng=rs(0)), "n_samples.*2"),
    (lambda: make_blobs(10, n_classes=1, rng=rs(0)), "n_classes.*1"),
    (lambda: make_blobs(10, noise=float("inf"), rng=rs(0)), "noise.*inf"),
    (lambda: make_xor(10, noise="a", rng=rs(0)), "noise"),
    (lambda: make_gaussians(0, rng=rs(0)), "n_samples.*0"),
    (lambda: make_football(rs(0), n_train=0), "n_train.*0"),
    (lambda: make_football(rs(0), label_noise=0.6), "label_noise.*0.6"),
    (lambda: make_football(None), "rng.*None"),
])
def test_generators_name_argument_and_value(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_engine_module_imports_numpy_only():
    code = ("import sys, nnlab.data.datasets, nnlab.data.toy2d; "
            "bad = [m for m in ('streamlit', 'altair', 'pandas', 'sklearn') if m in sys.modules]; "
            "assert not bad, bad")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=Path(__file__).resolve().parents[2])
    assert result.returncode == 0, result.stderr


def test_generators_reexported_from_data():
    import nnlab.data.toy2d as d2

    assert data.make_moons is d2.make_moons and data.make_football is d2.make_football
