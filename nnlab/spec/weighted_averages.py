"""Exponentially weighted averages (course 2, week 2), the idea behind momentum, RMSprop, Adam."""

import math
import numbers

import numpy as np


def _check_beta(beta):
    if isinstance(beta, bool) or not isinstance(beta, numbers.Real) or not math.isfinite(beta):
        raise ValueError(f"beta must be a finite real number, got {beta!r}")
    if not 0 <= beta < 1:
        raise ValueError(f"beta must satisfy 0 <= beta < 1, got {beta!r}")


def exponentially_weighted_average(theta, beta, *, bias_correction=False):
    """Running exponentially weighted average of a series.

    Parameters
    ----------
    theta : array_like of shape (T,)
        The series ``theta_1 .. theta_T`` (e.g. daily temperatures), finite.
    beta : float
        ``0 <= beta < 1``; it averages over about ``1 / (1 - beta)`` values.
    bias_correction : bool, default False
        Divide ``v_t`` by ``1 - beta**t`` so that the first values are not pulled to 0.

    Returns
    -------
    v : ndarray of shape (T,)
        ``v[t - 1] = v_t`` for ``t = 1 .. T``.

    Notes
    -----
    ``v_0 = 0``; ``v_t = beta * v_{t-1} + (1 - beta) * theta_t``; corrected
    ``v_t / (1 - beta**t)``. Unrolled, ``v_t = sum_k (1 - beta) beta**k theta_{t-k}``
    (see :func:`ewa_weights`).

    See also
    --------
    pandas ``Series.ewm(alpha=1 - beta, adjust=False).mean()`` starts from ``v_1 = theta_1``
    instead of 0; ``adjust=True`` equals the bias-corrected average.
    """
    _check_beta(beta)
    theta = np.asarray(theta, dtype=float)
    if theta.ndim != 1:
        raise ValueError(f"theta must be 1-D, got shape {theta.shape}")
    if not np.all(np.isfinite(theta)):
        raise ValueError("theta must be finite, got a NaN or infinite value")
    if not isinstance(bias_correction, bool | np.bool_):
        raise ValueError(f"bias_correction must be a bool, got {bias_correction!r}")
    v = np.empty_like(theta)
    running = 0.0
    for t, value in enumerate(theta, start=1):
        running = beta * running + (1 - beta) * value
        v[t - 1] = running / (1 - beta**t) if bias_correction else running
    return v


def ewa_weights(beta, n):
    """Weight of the value ``k`` days back in ``v_t``, for ``k = 0 .. n - 1``.

    Parameters
    ----------
    beta : float
        ``0 <= beta < 1``.
    n : int
        ``>= 1``.

    Returns
    -------
    weights : ndarray of shape (n,)
        ``(1 - beta) * beta**k``: they decay exponentially and sum to ``1 - beta**n``.

    Notes
    -----
    The lecture's rule of thumb: after ``1 / (1 - beta)`` days the weight has fallen to about
    ``1 / e`` of today's, since ``beta**(1 / (1 - beta)) ~ 1 / e``.
    """
    _check_beta(beta)
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
        raise ValueError(f"n must be an integer >= 1, got {n!r}")
    return (1 - beta) * beta ** np.arange(n, dtype=float)


def effective_window(beta):
    """About how many values an average with ``beta`` spans: ``1 / (1 - beta)``.

    ``beta = 0.9`` -> 10 days, ``0.98`` -> 50, ``0.5`` -> 2.
    """
    _check_beta(beta)
    return 1 / (1 - beta)
