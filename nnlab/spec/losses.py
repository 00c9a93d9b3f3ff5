"""Costs: binary and softmax cross-entropy, the L2 penalty, and their sum.

Costs are averaged over the ``m`` examples (columns). The ``*_sum`` variants return the summed,
not averaged, cross-entropy, which the course's mini-batch loop accumulates over an epoch.
"""

from __future__ import annotations

import numpy as np

from nnlab._validate import check_float, labels_2d


def _check_same_shape(A, Y, a_name="AL"):
    if A.shape != Y.shape:
        raise ValueError(f"{a_name} has shape {A.shape} but Y has shape {Y.shape}; they must match")


def binary_cross_entropy_from_logits_sum(ZL, Y):
    """Summed ``-[y log a + (1-y) log(1-a)]`` with ``a = sigmoid(z)``, computed from the logits.

    Notes
    -----
    ``log(1 + exp(-|z|)) + max(z, 0) - y z`` is the same quantity without ever taking ``log(0)``,
    so the cost stays finite however confident (and wrong) the network is. Keras calls this
    ``BinaryCrossentropy(from_logits=True)``; PyTorch ``BCEWithLogitsLoss``.
    """
    _check_same_shape(ZL, Y, "ZL")
    return float(np.sum(np.maximum(ZL, 0) - ZL * Y + np.log1p(np.exp(-np.abs(ZL)))))


def binary_cross_entropy_sum_course(AL, Y):
    """The course's summed cross-entropy ``nansum(-y log a - (1-y) log(1-a))`` from probabilities.

    It is ``inf`` when a probability is exactly 0 or 1 on the wrong side (as in the course's
    large-random-weights run) and ignores ``0 * log 0`` terms, as ``np.nansum`` does.
    """
    _check_same_shape(AL, Y)
    with np.errstate(divide="ignore", invalid="ignore"):
        logprobs = np.multiply(-np.log(AL), Y) + np.multiply(-np.log(1 - AL), 1 - Y)
    return float(np.nansum(logprobs))


def binary_cross_entropy(AL, Y):
    """The course's ``compute_cost``: ``-(1/m) * nansum(y log a + (1-y) log(1-a))``.

    Parameters
    ----------
    AL : ndarray (1, m) probabilities of class 1
    Y : ndarray (1, m) labels in {0, 1}; a 1-D ``(m,)`` is read as ``(1, m)``
    """
    AL = np.asarray(AL, dtype=float)
    Y = np.asarray(labels_2d(Y), dtype=float)
    _check_same_shape(AL, Y)
    return binary_cross_entropy_sum_course(AL, Y) / Y.shape[1]


def softmax_cross_entropy_from_logits_sum(ZL, Y):
    """Summed ``-sum_k y_k log softmax(z)_k`` over examples, with a log-sum-exp shift.

    Parameters
    ----------
    ZL : ndarray (C, m) logits
    Y : ndarray (C, m) one-hot labels
    """
    _check_same_shape(ZL, Y, "ZL")
    shifted = ZL - ZL.max(axis=0, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=0, keepdims=True))
    return float(-np.sum(Y * log_probs))


def softmax_cross_entropy(AL, Y):
    """``-(1/m) * sum(Y * log(AL))`` for softmax probabilities ``AL`` and one-hot ``Y`` (C, m)."""
    AL = np.asarray(AL, dtype=float)
    Y = np.asarray(Y, dtype=float)
    _check_same_shape(AL, Y)
    with np.errstate(divide="ignore"):
        return float(-np.sum(Y * np.log(AL)) / Y.shape[1])


def l2_penalty(parameters, lambd, m, num_layers=None):
    """The L2 term ``lambd / (2 m) * sum_l sum(W_l ** 2)`` (weights only, never biases).

    See also Keras ``regularizers.L2(l2)``, whose ``l2 * sum(W**2)`` has no ``1/(2m)``.
    """
    lambd = check_float("lambd", lambd, low=0)
    if lambd == 0:
        return 0.0
    keys = [k for k in parameters if k.startswith("W")] if num_layers is None else [
        f"W{l}" for l in range(1, num_layers + 1)]
    return lambd / (2 * m) * float(sum(np.sum(np.square(parameters[k])) for k in keys))


def compute_cost_with_regularization(AL, Y, parameters, lambd):
    """The course's cost with L2: cross-entropy plus ``lambd/(2m) * sum(W**2)``.

    Parameters
    ----------
    AL : ndarray (1, m) output probabilities
    Y : ndarray (1, m) labels in {0, 1}; a 1-D ``(m,)`` is read as ``(1, m)``
    parameters : dict with ``W1..WL`` (biases are not penalized)
    lambd : float, ``>= 0``

    Returns
    -------
    cost : float
        :func:`binary_cross_entropy` plus :func:`l2_penalty` over every ``W`` in ``parameters``.
    """
    Y = labels_2d(Y)
    return binary_cross_entropy(AL, Y) + l2_penalty(parameters, lambd, Y.shape[1])
