"""Data sets, splits and input normalization, in the course's layout.

``X`` has shape ``(n_x, m)`` (examples are columns); ``Y`` is ``(1, m)`` float labels
``0 .. C-1`` (:func:`one_hot` gives the ``(C, m)`` form for softmax). The 2-D generators live
in :mod:`nnlab.data.toy2d` and are re-exported here (``from nnlab.data.datasets import
make_moons``).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from nnlab.data.toy2d import (
    MAX_CLASSES,
    _check_int,
    _check_noise,
    _check_rng,
    make_blobs,
    make_circles,
    make_football,
    make_gaussians,
    make_moons,
    make_spiral,
    make_xor,
)

FRACTION_TOLERANCE = 1e-9


def _check_X(name, X):
    try:
        X = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a numeric array, got {type(X).__name__}") from exc
    if X.ndim != 2 or X.shape[1] == 0:
        raise ValueError(f"{name} must be 2-D (n_x, m) with m >= 1, got shape {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{name} must contain only finite numbers, got NaN or infinity")
    return X


def _check_labels(name, Y, m=None):
    Y = _check_X(name, Y)
    if Y.shape[0] != 1 or (m is not None and Y.shape[1] != m):
        want = "(1, m)" if m is None else f"(1, {m}) to match X"
        raise ValueError(f"{name} must have shape {want}, got shape {Y.shape}")
    if np.any(Y < 0) or np.any(Y != np.round(Y)):
        raise ValueError(f"{name} must hold integer labels 0 .. C-1, got values {np.unique(Y)}")
    return Y


def one_hot(Y, n_classes):
    """Labels (1, m) or (m,) with values 0 .. C-1 -> one-hot matrix (C, m) of float64."""
    C = _check_int("n_classes", n_classes, 2)
    Y = _check_labels("Y", np.reshape(Y, (1, -1)) if np.ndim(Y) == 1 else Y)
    if Y.max() >= C:
        raise ValueError(f"Y must hold labels < n_classes={C}, got max label {Y.max():g}")
    return (np.arange(C)[:, None] == Y).astype(np.float64)


def labels_from_one_hot(Y_one_hot):
    """One-hot (or probability) matrix (C, m) -> labels (1, m): the row index of each max."""
    Y_one_hot = _check_X("Y_one_hot", Y_one_hot)
    return np.argmax(Y_one_hot, axis=0).astype(np.float64).reshape(1, -1)


class Split(NamedTuple):
    """Train/dev/test parts of one data set; each X is (n_x, m_part), each Y (k, m_part)."""

    X_train: np.ndarray
    Y_train: np.ndarray
    X_dev: np.ndarray
    Y_dev: np.ndarray
    X_test: np.ndarray
    Y_test: np.ndarray


def _check_fractions(fractions):
    try:
        f = np.asarray(fractions, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"fractions must be 3 numbers, got {fractions!r}") from exc
    if (f.shape != (3,) or not np.all(np.isfinite(f)) or np.any(f < 0) or f[0] <= 0
            or abs(f.sum() - 1.0) > FRACTION_TOLERANCE):
        raise ValueError("fractions must be (train, dev, test) with train > 0, dev and test "
                         f">= 0, summing to 1; got {fractions!r}")
    return f


def split(X, Y, *, fractions=(0.6, 0.2, 0.2), rng=None, shuffle=True):
    """Split the columns of ``X`` (n_x, m) and ``Y`` (k, m) into train, dev and test.

    Dev and test get ``round(fraction * m)`` examples and train the rest. Every part with a
    positive fraction must get at least one example (else ValueError); a part with fraction 0
    has 0 columns. With ``shuffle`` the columns are permuted first by ``rng.permutation(m)``
    (``rng`` is then required). Returns a :class:`Split`.
    """
    X = _check_X("X", X)
    Y = _check_X("Y", Y)
    m = X.shape[1]
    if Y.shape[1] != m:
        raise ValueError(f"Y must have m={m} columns like X, got shape {Y.shape}")
    f = _check_fractions(fractions)
    n_dev, n_test = (int(round(x * m)) for x in f[1:])
    sizes = (m - n_dev - n_test, n_dev, n_test)
    for part, frac, size in zip(("train", "dev", "test"), f, sizes, strict=True):
        if frac > 0 and size < 1:
            raise ValueError(f"fractions {fractions!r} give the {part} set no example out of "
                             f"m={m}; use more samples or a larger {part} fraction")
    # Fancy indexing copies; without shuffling copy too, so no part is a view of the input.
    perm = _check_rng(rng).permutation(m) if shuffle else np.arange(m)
    X, Y = X[:, perm], Y[:, perm]
    a, b = sizes[0], sizes[0] + sizes[1]
    return Split(X[:, :a], Y[:, :a], X[:, a:b], Y[:, a:b], X[:, b:], Y[:, b:])


def fit_normalizer(X_train, epsilon=1e-8):
    """Training-set statistics for input normalization (course formulas).

    ``mu = 1/m sum_i x(i)``; then, on the centred data, ``sigma2 = 1/m sum_i x(i)**2``.
    Returns ``mu`` (n_x, 1) and ``sigma2`` (n_x, 1). ``epsilon`` does not change them (it is
    validated and kept for symmetry with :func:`normalize`, which adds it).
    Use the *same* ``mu`` and ``sigma2`` for the dev and test sets.
    """
    X_train = _check_X("X_train", X_train)
    _check_noise("epsilon", epsilon)
    mu = np.mean(X_train, axis=1, keepdims=True)
    sigma2 = np.mean((X_train - mu) ** 2, axis=1, keepdims=True)
    return mu, sigma2


def normalize(X, mu, sigma2, epsilon=1e-8):
    """Return ``(X - mu) / sqrt(sigma2 + epsilon)``: X (n_x, m), mu and sigma2 (n_x, 1).

    The lecture writes ``x /= sigma**2``; it means dividing by the standard deviation, so that
    each feature ends with variance 1 on the training set.
    """
    X, mu, sigma2 = _check_X("X", X), _check_X("mu", mu), _check_X("sigma2", sigma2)
    for name, arr in (("mu", mu), ("sigma2", sigma2)):
        if arr.shape != (X.shape[0], 1) or (name == "sigma2" and np.any(arr < 0)):
            raise ValueError(f"{name} must be ({X.shape[0]}, 1) to match X (sigma2 >= 0), "
                             f"got shape {arr.shape}, values {arr.ravel()}")
    epsilon = _check_noise("epsilon", epsilon)
    return (X - mu) / np.sqrt(sigma2 + epsilon)


def scale_features(X, scales):
    """Multiply feature ``i`` (row i of X (n_x, m)) by ``scales[i] > 0``.

    E.g. ``scale_features(X, (1, 1000))`` makes the elongated cost contours of the
    "normalizing inputs" lecture.
    """
    X = _check_X("X", X)
    s = np.asarray(scales, dtype=np.float64).reshape(-1)
    if s.shape != (X.shape[0],) or not np.all(np.isfinite(s)) or np.any(s <= 0):
        raise ValueError(f"scales must be {X.shape[0]} positive numbers, got {scales!r}")
    return X * s[:, None]


def make_temperatures(rng, days=365, *, mean=50.0, amplitude=14.0, coldest_day=15, noise=6.0):
    """A noisy year of daily temperatures (deg F), like the lecture's London data.

    ``theta_t = mean - amplitude * cos(2 pi (t - coldest_day) / days) + noise * N(0, 1)``.
    Returns ``day`` (days,) = 1.0 .. days and ``temperature`` (days,), both float64.
    """
    rng = _check_rng(rng)
    days = _check_int("days", days, 2)
    _check_noise("amplitude", amplitude)
    noise = _check_noise("noise", noise)
    for name, value in (("mean", mean), ("coldest_day", coldest_day)):
        if not isinstance(value, numbers.Real) or not np.isfinite(value):
            raise ValueError(f"{name} must be a finite number, got {value!r}")
    day = np.arange(1, days + 1, dtype=np.float64)
    season = mean - amplitude * np.cos(2 * np.pi * (day - coldest_day) / days)
    return day, season + noise * rng.standard_normal(days)


@dataclass(frozen=True)
class DatasetInfo:
    """Registry entry: a one-line description, binary or multiclass, default noise."""

    description: str
    multiclass: bool
    default_noise: float


DATASETS = {
    "circles": DatasetInfo("Two concentric circles (initialization assignment).", False, 0.05),
    "moons": DatasetInfo("Two interleaving half moons (optimization assignment).", False, 0.2),
    "spiral": DatasetInfo("CS231n spiral: one arm per class.", True, 0.2),
    "xor": DatasetInfo("Four quadrants labelled by XOR of the signs.", False, 0.1),
    "gaussians": DatasetInfo("Two Gaussian blobs (nearly linearly separable).", False, 0.6),
    "blobs": DatasetInfo("Gaussian blobs on a circle, one per class.", True, 0.5),
    "football": DatasetInfo("French-football lookalike that overfits (regularization "
                            "assignment): 211 train, 200 dev, no test.", False, 0.1),
}

_GENERATORS = {"circles": make_circles, "moons": make_moons, "spiral": make_spiral,
               "xor": make_xor, "gaussians": make_gaussians, "blobs": make_blobs}


@dataclass(frozen=True, eq=False)
class Dataset:
    """A ready-to-train data set. X_* are (n_x, m_part); Y_* are (1, m_part) labels 0..C-1.

    ``mu`` and ``sigma2`` (n_x, 1) are the training statistics when the inputs were
    normalized, else None. ``X_test`` may have 0 columns.
    """

    name: str
    X_train: np.ndarray
    Y_train: np.ndarray
    X_dev: np.ndarray
    Y_dev: np.ndarray
    X_test: np.ndarray
    Y_test: np.ndarray
    n_classes: int
    mu: np.ndarray | None = None
    sigma2: np.ndarray | None = None

    @property
    def n_x(self):
        return self.X_train.shape[0]

    @property
    def m_train(self):
        return self.X_train.shape[1]

    @property
    def m_dev(self):
        return self.X_dev.shape[1]

    @property
    def m_test(self):
        return self.X_test.shape[1]


def _build(name, parts, n_classes, normalize_inputs):
    X_train, Y_train, X_dev, Y_dev, X_test, Y_test = parts
    mu = sigma2 = None
    if normalize_inputs:  # fit on train only; dev and test reuse the training statistics
        mu, sigma2 = fit_normalizer(X_train)
        X_train, X_dev = normalize(X_train, mu, sigma2), normalize(X_dev, mu, sigma2)
        X_test = normalize(X_test, mu, sigma2) if X_test.shape[1] else X_test
    return Dataset(name, X_train, Y_train, X_dev, Y_dev, X_test, Y_test, n_classes, mu, sigma2)


def load_dataset(name, *, n_samples=300, noise=None, n_classes=2, fractions=(0.6, 0.2, 0.2),
                 normalize=False, rng):
    """Generate a registered data set (see ``DATASETS``) and split it into a :class:`Dataset`.

    ``noise=None`` takes the data set's default. ``n_classes`` must be 2 for the binary sets
    and in [2, 10] for "spiral" and "blobs". "football" has its own sizes (211 train, 200 dev,
    no test) and ignores ``n_samples`` and ``fractions`` (which are still validated). With
    ``normalize`` the dev and test inputs are normalized with the *training* statistics.
    """
    if not isinstance(name, str) or name not in DATASETS:
        raise ValueError(f"name must be one of {', '.join(DATASETS)}; got {name!r}")
    info = DATASETS[name]
    n = _check_int("n_samples", n_samples, 2)
    C = _check_int("n_classes", n_classes, 2, MAX_CLASSES if info.multiclass else 2)
    noise = info.default_noise if noise is None else _check_noise("noise", noise)
    _check_fractions(fractions)
    rng = _check_rng(rng)
    if name == "football":
        X_tr, Y_tr, X_dv, Y_dv = make_football(rng, noise=noise)
        parts = (X_tr, Y_tr, X_dv, Y_dv, np.zeros((2, 0)), np.zeros((1, 0)))
        return _build(name, parts, 2, normalize)
    extra = {"n_classes": C} if info.multiclass else {}
    X, Y = _GENERATORS[name](n, noise=noise, rng=rng, **extra)
    return _build(name, split(X, Y, fractions=fractions, rng=rng), C, normalize)


def dataset_from_arrays(X, Y, *, name="custom", fractions=(0.6, 0.2, 0.2), rng,
                        normalize=False):
    """Wrap user data ``X`` (n_x, m) and labels ``Y`` (1, m) with values 0..C-1 in a Dataset.

    X must be finite; Y must hold integers with at least 2 classes (C = max label + 1).
    """
    X = _check_X("X", X)
    Y = _check_labels("Y", Y, m=X.shape[1])
    if len(np.unique(Y)) < 2:
        raise ValueError(f"Y must contain at least 2 classes, got only {np.unique(Y)}")
    C = int(Y.max()) + 1
    return _build(str(name), split(X, Y, fractions=fractions, rng=rng), C, normalize)
