"""Mini-batches of course 2, week 2: shuffle the columns, then partition them.

``mini_batch_size = 1`` is stochastic gradient descent and ``mini_batch_size >= m`` is batch
gradient descent (one mini-batch holding the whole training set).
"""

import numbers

import numpy as np

from nnlab._validate import check_int, labels_2d


def _check_size(mini_batch_size):
    if (isinstance(mini_batch_size, bool) or not isinstance(mini_batch_size, numbers.Integral)
            or mini_batch_size < 1):
        raise ValueError(f"mini_batch_size must be an integer >= 1, got {mini_batch_size!r}")


def _check_m(m):
    if isinstance(m, bool) or not isinstance(m, numbers.Integral) or m < 1:
        raise ValueError(f"m must be an integer >= 1, got {m!r}")


def num_mini_batches(m, mini_batch_size):
    """Number of mini-batches of ``m`` examples: ``ceil(m / mini_batch_size)``.

    ``floor(m / mini_batch_size)`` complete ones, plus the smaller last one when
    ``m % mini_batch_size != 0`` (it is kept, as in the course).
    """
    _check_m(m)
    _check_size(mini_batch_size)
    return -(-m // mini_batch_size)


def mini_batch_indices(m, mini_batch_size, *, rng, shuffle=True):
    """Column indices of each mini-batch (to draw the partition).

    Parameters
    ----------
    m : int
        Number of examples, ``>= 1``.
    mini_batch_size : int
        ``>= 1``.
    rng : np.random.Generator or np.random.RandomState
        Only ``rng.permutation(m)`` is drawn, and only when ``shuffle``.
    shuffle : bool, default True
        False keeps the examples in order (and draws nothing).

    Returns
    -------
    indices : list of ndarray of int
        ``num_mini_batches(m, mini_batch_size)`` arrays; all have ``mini_batch_size`` entries
        except perhaps the last, ``m % mini_batch_size``.

    Notes
    -----
    ``permutation = rng.permutation(m)``; batch ``k`` is
    ``permutation[k * size : (k + 1) * size]``. With ``rng = np.random.RandomState(seed)`` this
    is the course's re-seeded global generator followed by ``list(np.random.permutation(m))``.
    """
    _check_m(m)
    _check_size(mini_batch_size)
    order = np.asarray(rng.permutation(m)) if shuffle else np.arange(m)
    return [order[k:k + mini_batch_size].copy() for k in range(0, m, mini_batch_size)]


def random_mini_batches(X, Y, mini_batch_size=64, seed=None, *, rng=None, shuffle=True):
    """Shuffle ``(X, Y)`` by columns and cut it into mini-batches.

    Parameters
    ----------
    X : ndarray of shape (n_x, m)
    Y : ndarray of shape (1, m) or (C, m)
        A 1-D label array ``(m,)`` is read as ``(1, m)``.
    mini_batch_size : int, default 64
        ``>= 1``; the last mini-batch is smaller when ``m % mini_batch_size != 0``.
    seed : int, optional
        The course's argument, positional or keyword: the shuffle draws from
        ``np.random.RandomState(seed)``: the generator the course seeds through NumPy's
        global seed call, so the partition is the course's exactly. Default 0 (the course's default)
        when ``rng`` is not given either.
    rng : np.random.Generator or np.random.RandomState, optional
        The generator to draw from instead of ``seed`` (keyword only; not both).
    shuffle : bool, default True

    Returns
    -------
    mini_batches : list of (X_b, Y_b)
        ``X_b`` of shape ``(n_x, b)`` and ``Y_b`` of shape ``(Y.shape[0], b)``, new arrays.

    Raises
    ------
    ValueError
        Both ``seed`` and ``rng`` given, a ``seed`` that is not an integer in
        ``[0, 2**32)``, or shapes of ``X`` and ``Y`` that do not fit.

    Notes
    -----
    The course's recipe: ``permutation = rng.permutation(m)``, ``shuffled_X = X[:, permutation]``,
    ``shuffled_Y = Y[:, permutation]``, then ``floor(m / size)`` complete mini-batches and the
    smaller remainder. Nothing touches NumPy's global generator.

    See also
    --------
    PyTorch ``DataLoader(dataset, batch_size, shuffle=True, drop_last=False)``; Keras
    ``model.fit(batch_size=..., shuffle=True)``. Both put examples in *rows*.
    """
    if rng is None:
        rng = np.random.RandomState(0 if seed is None else check_int("seed", seed, low=0,
                                                                      high=2**32 - 1))
    elif seed is not None:
        raise ValueError(f"pass seed or rng, not both; got seed={seed!r} and rng={rng!r}")
    X = np.asarray(X)
    Y = labels_2d(Y)
    if X.ndim != 2:
        raise ValueError(f"X must have shape (n_x, m), got shape {X.shape}")
    if Y.ndim != 2:
        raise ValueError(f"Y must have shape (1, m), (C, m) or (m,), got shape {Y.shape}")
    if Y.shape[1] != X.shape[1]:
        raise ValueError(f"Y must have m = X.shape[1] = {X.shape[1]} columns, "
                         f"got shape {Y.shape}")
    batches = mini_batch_indices(X.shape[1], mini_batch_size, rng=rng, shuffle=shuffle)
    return [(X[:, idx], Y[:, idx]) for idx in batches]
