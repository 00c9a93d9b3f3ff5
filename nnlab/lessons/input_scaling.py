r"""Normalizing inputs: why features on different scales make gradient descent slow.

The lesson's model is a linear least-squares fit with two weights and no bias,
``y_hat = w1 x1 + w2 x2``, on inputs ``X`` (2, m) and targets ``y`` (1, m)::

    J(w) = 1/(2m) * sum_i (w . x(i) - y(i))**2 = 1/2 w^T H w - b^T w + c/2

with ``H = X X^T / m`` (the Hessian, the same everywhere), ``b = X y^T / m`` and
``c = y y^T / m``. Its contours are ellipses whose axes are the eigenvectors of ``H``; their
length ratio is ``sqrt(lambda_max / lambda_min)``. Scaling a feature by ``s`` multiplies its
row of ``H`` and column by ``s``: the bowl becomes a long thin valley. Normalizing with the
training statistics (``nnlab.data.datasets.fit_normalizer`` / ``normalize``) makes the diagonal of
``H`` all ones, so only the features' correlation is left.

Gradient descent ``w <- w - alpha grad J`` on a quadratic is stable exactly when
``alpha < 2 / lambda_max``; along the flattest direction it shrinks the error by
``|1 - alpha lambda_min|`` per step, so a large ``lambda_max / lambda_min`` means slow progress.
"""

from __future__ import annotations

import numpy as np

from nnlab._validate import check_array, check_choice, check_float, check_int
from nnlab.data import datasets as datamod
from nnlab.spec.optimizers import init_optimizer_state, optimizer_step

#: How dev (or test) inputs can be normalized; only "train" is right.
DEV_NORMALIZATIONS = ("train", "own", "none")


def _check_xy(X, y):
    X = check_array("X", X, ndim=2)
    if X.shape[0] != 2:
        raise ValueError(f"X must have shape (2, m): two features, got shape {X.shape}")
    y = check_array("y", y).reshape(1, -1)
    if y.shape[1] != X.shape[1]:
        raise ValueError(f"y must have {X.shape[1]} entries to match X, got {y.shape[1]}")
    return X, y


def quadratic_terms(X, y):
    """``(H, b, c)`` of ``J(w) = 1/2 w^T H w - b^T w + c/2``.

    Parameters
    ----------
    X : ndarray (2, m); y : ndarray (1, m)

    Returns
    -------
    H : ndarray (2, 2), ``X X^T / m``; b : ndarray (2,), ``X y^T / m``; c : float, ``y y^T / m``
    """
    X, y = _check_xy(X, y)
    m = X.shape[1]
    return X @ X.T / m, (X @ y.T / m).ravel(), float((y @ y.T)[0, 0] / m)


def least_squares_cost(W, X, y):
    """``J(w) = 1/(2m) ||w^T X - y||^2`` for one ``w`` (2,) or many ``W`` (..., 2).

    Returns a float, or an array of shape ``W.shape[:-1]``.
    """
    H, b, c = quadratic_terms(X, y)
    W = np.asarray(W, dtype=float)
    if W.shape[-1:] != (2,):
        raise ValueError(f"W must have shape (..., 2), got shape {W.shape}")
    J = 0.5 * np.einsum("...i,ij,...j->...", W, H, W) - W @ b + 0.5 * c
    return float(J) if J.ndim == 0 else J


def least_squares_gradient(w, X, y):
    """``dJ/dw = X (w^T X - y)^T / m = H w - b``, shape (2,)."""
    H, b, _ = quadratic_terms(X, y)
    w = np.asarray(w, dtype=float).reshape(-1)
    if w.shape != (2,):
        raise ValueError(f"w must hold 2 weights, got shape {w.shape}")
    return H @ w - b


def cost_grid(X, y, w1s, w2s):
    """``Z[i, j] = J(w1s[j], w2s[i])`` (``np.meshgrid`` layout), shape (len(w2s), len(w1s))."""
    w1s = check_array("w1s", w1s, ndim=1)
    w2s = check_array("w2s", w2s, ndim=1)
    g1, g2 = np.meshgrid(w1s, w2s)
    return least_squares_cost(np.stack([g1, g2], axis=-1), X, y)


def curvatures(X):
    """Eigenvalues ``(lambda_min, lambda_max)`` of the Hessian ``H = X X^T / m``."""
    H, _, _ = quadratic_terms(X, np.zeros((1, np.shape(X)[-1])))
    lo, hi = np.linalg.eigvalsh(H)
    return float(lo), float(hi)


def max_stable_learning_rate(X):
    """``2 / lambda_max(X X^T / m)``: gradient descent on the least-squares cost converges
    for every start exactly when ``0 < learning_rate <`` this value."""
    _, hi = curvatures(X)
    if hi <= 0:
        raise ValueError("X is all zeros: every learning rate is stable")
    return 2.0 / hi


def minimizer(X, y):
    """The least-squares weights ``w* = H^+ b`` (pseudo-inverse), shape (2,)."""
    H, b, _ = quadratic_terms(X, y)
    return np.linalg.pinv(H) @ b


def descent_path(X, y, w0, learning_rate, num_steps, *, optimizer="gd", **hyper):
    """Run ``num_steps`` steps of ``nnlab.spec.optimizers.optimizer_step`` on the
    least-squares cost.

    Parameters
    ----------
    X : ndarray (2, m); y : ndarray (1, m)
    w0 : sequence of 2 floats, the start.
    learning_rate : float > 0
    num_steps : int >= 0
    optimizer : {"gd", "momentum", "rmsprop", "adam"}
    **hyper : ``beta``, ``beta1``, ``beta2``, ``epsilon``, ``bias_correction``.

    Returns
    -------
    dict
        ``path`` (k + 1, 2) the weights visited, ``cost`` (k + 1,) their cost, ``status``
        ``"ok"`` or ``"diverged"`` (the cost overflowed: the path stops there).
    """
    w = check_array("w0", w0).reshape(-1)
    if w.shape != (2,):
        raise ValueError(f"w0 must hold 2 weights, got {w0!r}")
    learning_rate = check_float("learning_rate", learning_rate, low=0, low_open=True)
    num_steps = check_int("num_steps", num_steps, low=0)
    params = {"w": w.reshape(2, 1)}
    state = init_optimizer_state(optimizer, params)
    path, cost, status = [w.copy()], [least_squares_cost(w, X, y)], "ok"
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(num_steps):
            grads = {"dw": least_squares_gradient(params["w"], X, y).reshape(2, 1)}
            params, state = optimizer_step(optimizer, params, grads, state, learning_rate,
                                           **hyper)
            J = least_squares_cost(params["w"].ravel(), X, y)
            if not np.isfinite(J) or not np.all(np.isfinite(params["w"])):
                status = "diverged"
                break
            path.append(params["w"].ravel().copy())
            cost.append(J)
    return {"path": np.array(path), "cost": np.array(cost), "status": status}


def rescale(data, scales, *, normalize=False):
    """A copy of ``data`` (``nnlab.data.datasets.Dataset``) with feature ``i`` times ``scales[i]``,
    then, with ``normalize``, normalized with the *training* statistics (``mu``, ``sigma2``
    kept on the result)."""
    Xs = [datamod.scale_features(getattr(data, f"X_{p}"), scales) if getattr(
        data, f"X_{p}").shape[1] else getattr(data, f"X_{p}") for p in ("train", "dev", "test")]
    mu = sigma2 = None
    if normalize:
        mu, sigma2 = datamod.fit_normalizer(Xs[0])
        Xs = [datamod.normalize(X, mu, sigma2) if X.shape[1] else X for X in Xs]
    return datamod.Dataset(data.name, Xs[0], data.Y_train, Xs[1], data.Y_dev, Xs[2],
                           data.Y_test, data.n_classes, mu, sigma2)


def normalize_dev(X_dev, mu_train, sigma2_train, how="train"):
    """Dev (or test) inputs prepared for a network trained on normalized inputs.

    Parameters
    ----------
    X_dev : ndarray (n_x, m_dev)
    mu_train, sigma2_train : ndarray (n_x, 1), the training statistics.
    how : {"train", "own", "none"}
        ``"train"``: ``(X - mu_train) / sqrt(sigma2_train + eps)``, the right way: the network
        sees the same function of the input it was trained on. ``"own"``: the dev set's own
        mean and variance (wrong: a shifted or small dev set is moved onto the training
        cloud, and each point lands somewhere else). ``"none"``: raw inputs (wrong).
    """
    check_choice("how", how, DEV_NORMALIZATIONS)
    if how == "none":
        return check_array("X_dev", X_dev, ndim=2).copy()
    if how == "own":
        mu_train, sigma2_train = datamod.fit_normalizer(X_dev)
    return datamod.normalize(X_dev, mu_train, sigma2_train)


def shifted_subset(X, Y, fraction, *, feature=0):
    """The ``fraction`` of the examples with the largest feature ``feature``: a dev set drawn
    from one corner of the input space (its mean and spread differ from the training set's).

    Returns ``(X_sub, Y_sub)`` with at least 2 examples, in their original order.
    """
    X = check_array("X", X, ndim=2)
    fraction = check_float("fraction", fraction, low=0, high=1, low_open=True)
    feature = check_int("feature", feature, low=0, high=X.shape[0] - 1)
    m = X.shape[1]
    k = max(2, int(round(fraction * m)))
    if k > m:
        raise ValueError(f"X has only {m} examples; a subset needs at least 2")
    keep = np.sort(np.argsort(-X[feature], kind="stable")[:k])
    return X[:, keep], np.asarray(Y)[:, keep]
