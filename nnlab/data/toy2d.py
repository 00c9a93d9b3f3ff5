"""Toy 2-D classification data sets, in the course's layout.

Every generator returns ``X`` of shape ``(2, m)`` (examples are columns) and ``Y`` of shape
``(1, m)``: float64 class labels ``0 .. C-1``. Randomness comes only from the ``rng`` argument
(a ``np.random.Generator`` or a legacy ``np.random.RandomState``), drawn with methods both share.

``make_circles`` and ``make_moons`` reproduce scikit-learn draw for draw: given the same
``RandomState`` they return ``sklearn.datasets.make_circles(...)[0].T`` exactly, so the
assignments' global seed 1 followed by ``make_circles(n_samples=300, noise=.05)`` is
``make_circles(300, noise=0.05, rng=np.random.RandomState(1))`` here.
"""

from __future__ import annotations

import numbers

import numpy as np

MAX_CLASSES = 10
_RNG_METHODS = ("standard_normal", "random", "permutation", "normal", "uniform")


def _check_int(name, value, minimum, maximum=None):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if value < minimum or (maximum is not None and value > maximum):
        bounds = f">= {minimum}" if maximum is None else f"between {minimum} and {maximum}"
        raise ValueError(f"{name} must be {bounds}, got {value!r}")
    return int(value)


def _check_noise(name, value, allow_none=False):
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return float(value)


def _check_rng(rng):
    if not all(callable(getattr(rng, method, None)) for method in _RNG_METHODS):
        raise ValueError(
            f"rng must be a np.random.Generator or np.random.RandomState, got {rng!r}"
        )
    return rng


def _shuffle(X, y, shuffle, rng):
    """Permute the columns of X and the entries of y together (sklearn's draw order)."""
    if not shuffle:
        return X, y
    # RandomState.permutation(m) is shuffle(arange(m)): exactly what sklearn.utils.shuffle does.
    perm = rng.permutation(X.shape[1])
    return X[:, perm], y[perm]


def _class_counts(n_samples, n_classes):
    """Split n_samples as evenly as possible: the first n_samples % n_classes get one more."""
    return [n_samples // n_classes + (k < n_samples % n_classes) for k in range(n_classes)]


def _labels(counts):
    return np.concatenate([np.full(c, k, dtype=np.float64) for k, c in enumerate(counts)])


def make_circles(n_samples=100, *, noise=None, factor=0.8, shuffle=True, rng):
    """Two concentric circles: outer circle class 0, inner circle class 1.

    Parameters
    ----------
    n_samples : int >= 2
        Total number of points; for an odd number the inner circle gets the extra point.
    noise : float >= 0 or None
        Standard deviation of Gaussian noise added to each coordinate (None: no draw at all).
    factor : float in [0, 1)
        Radius of the inner circle relative to the outer one.
    shuffle : bool
    rng : np.random.Generator or np.random.RandomState

    Returns
    -------
    X : ndarray (2, n_samples)
    Y : ndarray (1, n_samples), values 0.0 or 1.0

    Notes
    -----
    Same draws as ``sklearn.datasets.make_circles``: first a permutation (if ``shuffle``), then
    ``rng.normal(0, noise, size=(n_samples, 2))``, row-major over (example, coordinate).
    """
    n = _check_int("n_samples", n_samples, 2)
    noise = _check_noise("noise", noise, allow_none=True)
    if isinstance(factor, bool) or not isinstance(factor, numbers.Real) or not 0 <= factor < 1:
        raise ValueError(f"factor must be a number in [0, 1), got {factor!r}")
    rng = _check_rng(rng)
    n_out, n_in = n // 2, n - n // 2
    lin_out = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    lin_in = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    X = np.vstack([np.append(np.cos(lin_out), np.cos(lin_in) * factor),
                   np.append(np.sin(lin_out), np.sin(lin_in) * factor)])
    return _finish_sklearn(X, _labels([n_out, n_in]), noise, shuffle, rng)


def make_moons(n_samples=100, *, noise=None, shuffle=True, rng):
    """Two interleaving half circles (class 0 on top, class 1 below).

    Parameters and returns as :func:`make_circles` (without ``factor``); for an odd
    ``n_samples`` the lower moon (class 1) gets the extra point. Same draws as
    ``sklearn.datasets.make_moons``.
    """
    n = _check_int("n_samples", n_samples, 2)
    noise = _check_noise("noise", noise, allow_none=True)
    rng = _check_rng(rng)
    n_out, n_in = n // 2, n - n // 2
    X = np.vstack([
        np.append(np.cos(np.linspace(0, np.pi, n_out)), 1 - np.cos(np.linspace(0, np.pi, n_in))),
        np.append(np.sin(np.linspace(0, np.pi, n_out)),
                  1 - np.sin(np.linspace(0, np.pi, n_in)) - 0.5),
    ])
    return _finish_sklearn(X, _labels([n_out, n_in]), noise, shuffle, rng)


def _finish_sklearn(X, y, noise, shuffle, rng):
    X, y = _shuffle(X, y, shuffle, rng)
    if noise is not None:
        # sklearn adds noise of shape (m, 2); draw it in that shape so the numbers match.
        X = X + rng.normal(0.0, noise, size=(X.shape[1], 2)).T
    return X, y.reshape(1, -1)


def make_spiral(n_samples, *, n_classes=3, noise=0.2, shuffle=True, rng):
    """CS231n-style spiral: ``n_classes`` arms, one class per arm.

    Parameters
    ----------
    n_samples : int >= n_classes
        Total number of points, split as evenly as possible between the arms.
    n_classes : int in [2, 10]
    noise : float >= 0
        Standard deviation of the Gaussian noise added to each point's angle (radians).
    shuffle : bool
    rng : np.random.Generator or np.random.RandomState

    Returns
    -------
    X : ndarray (2, n_samples), inside the unit disc up to noise
    Y : ndarray (1, n_samples), values 0 .. n_classes-1

    Notes
    -----
    Arm ``k`` has radius ``r = linspace(0, 1)`` and angle ``t = 2*pi*k/C + linspace(0, 4) +
    noise * N(0, 1)``; the point is ``(r sin t, r cos t)``. CS231n offsets its three arms by 4
    radians instead of ``2*pi/3``; equal spacing keeps any number of arms apart.
    """
    n = _check_int("n_samples", n_samples, 2)
    C = _check_int("n_classes", n_classes, 2, MAX_CLASSES)
    if n < C:
        raise ValueError(f"n_samples must be >= n_classes={C}, got {n_samples!r}")
    noise = _check_noise("noise", noise)
    rng = _check_rng(rng)
    counts = _class_counts(n, C)
    r = np.concatenate([np.linspace(0.0, 1.0, c) for c in counts])
    t = np.concatenate([2 * np.pi * k / C + np.linspace(0.0, 4.0, c)
                        + noise * rng.standard_normal(c) for k, c in enumerate(counts)])
    X = np.vstack([r * np.sin(t), r * np.cos(t)])
    X, y = _shuffle(X, _labels(counts), shuffle, rng)
    return X, y.reshape(1, -1)


def make_xor(n_samples, *, noise=0.1, shuffle=True, rng):
    """Four quadrants, XOR of the coordinates' signs: class 1 where the signs differ.

    Points are uniform in ``0.1 <= |x_i| <= 1`` (a gap around the axes), dealt to the four
    quadrants in turn so the classes are balanced within one example, then moved by Gaussian
    noise of standard deviation ``noise``. A linear model cannot beat chance on it.

    Returns ``X`` (2, n_samples) and ``Y`` (1, n_samples) with values 0.0 / 1.0.
    """
    n = _check_int("n_samples", n_samples, 2)
    noise = _check_noise("noise", noise)
    rng = _check_rng(rng)
    quadrant = np.arange(n) % 4  # 0: (+,+)  1: (-,+)  2: (-,-)  3: (+,-)
    signs = np.array([[1.0, -1.0, -1.0, 1.0], [1.0, 1.0, -1.0, -1.0]])[:, quadrant]
    X = signs * rng.uniform(0.1, 1.0, size=(2, n)) + noise * rng.standard_normal((2, n))
    y = (quadrant % 2).astype(np.float64)
    X, y = _shuffle(X, y, shuffle, rng)
    return X, y.reshape(1, -1)


def make_gaussians(n_samples, *, noise=0.6, shuffle=True, rng):
    """Two Gaussian blobs: class 0 around (-1, -1), class 1 around (1, 1).

    ``noise`` is the standard deviation of each blob; around 1 they start to overlap.
    Class 1 gets the extra point for an odd ``n_samples``. Returns ``X`` (2, n_samples) and
    ``Y`` (1, n_samples) with values 0.0 / 1.0.
    """
    n = _check_int("n_samples", n_samples, 2)
    noise = _check_noise("noise", noise)
    rng = _check_rng(rng)
    y = _labels([n // 2, n - n // 2])
    X = (2 * y - 1) * np.ones((2, 1)) + noise * rng.standard_normal((2, n))
    X, y = _shuffle(X, y, shuffle, rng)
    return X, y.reshape(1, -1)


def make_blobs(n_samples, *, n_classes=3, noise=0.5, shuffle=True, rng):
    """``n_classes`` Gaussian blobs with centres evenly spaced on a circle of radius 2.

    Parameters
    ----------
    n_samples : int >= n_classes
    n_classes : int in [2, 10]
    noise : float >= 0
        Standard deviation of every blob.
    shuffle : bool
    rng : np.random.Generator or np.random.RandomState

    Returns
    -------
    X : ndarray (2, n_samples)
    Y : ndarray (1, n_samples), values 0 .. n_classes-1, as balanced as possible
    """
    n = _check_int("n_samples", n_samples, 2)
    C = _check_int("n_classes", n_classes, 2, MAX_CLASSES)
    if n < C:
        raise ValueError(f"n_samples must be >= n_classes={C}, got {n_samples!r}")
    noise = _check_noise("noise", noise)
    rng = _check_rng(rng)
    y = _labels(_class_counts(n, C))
    angle = 2 * np.pi * y / C
    X = 2.0 * np.vstack([np.cos(angle), np.sin(angle)]) + noise * rng.standard_normal((2, n))
    X, y = _shuffle(X, y, shuffle, rng)
    return X, y.reshape(1, -1)


def make_football(rng, n_train=211, n_dev=200, *, noise=0.1, label_noise=0.05):
    """A synthetic lookalike of the regularization assignment's "French football" data.

    Positions on the field are uniform in ``[-0.75, 0.75]^2``. Class 1 lies above the wavy
    line ``x2 = 0.2 sin(5 x1)``, judged from a position jittered by Gaussian ``noise`` (so the
    classes mix near the line), and then a fraction ``label_noise`` of the labels is flipped.
    A [2, 20, 3, 1] network trained long without regularization fits this noise: its train
    accuracy ends clearly above its dev accuracy.

    Parameters
    ----------
    rng : np.random.Generator or np.random.RandomState
    n_train, n_dev : int >= 1
        The assignment has 211 training and 200 test examples.
    noise : float >= 0
        Standard deviation of the jitter across the boundary.
    label_noise : float in [0, 0.5]
        Probability that a label is flipped.

    Returns
    -------
    X_train : ndarray (2, n_train)
    Y_train : ndarray (1, n_train)
    X_dev : ndarray (2, n_dev)
    Y_dev : ndarray (1, n_dev)
    """
    rng = _check_rng(rng)
    n_train = _check_int("n_train", n_train, 1)
    n_dev = _check_int("n_dev", n_dev, 1)
    noise = _check_noise("noise", noise)
    label_noise = _check_noise("label_noise", label_noise)
    if label_noise > 0.5:
        raise ValueError(f"label_noise must be <= 0.5, got {label_noise!r}")
    n = n_train + n_dev
    X = rng.uniform(-0.75, 0.75, size=(2, n))
    y = X[1] + noise * rng.standard_normal(n) > 0.2 * np.sin(5.0 * X[0])
    y = np.where(rng.random(n) < label_noise, ~y, y).astype(np.float64).reshape(1, n)
    return X[:, :n_train], y[:, :n_train], X[:, n_train:], y[:, n_train:]
