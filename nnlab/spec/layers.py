"""Layers as ``forward -> (out, cache)`` / ``backward(dout, cache)`` pairs (CS231n style).

Shapes follow the course: activations are ``(n_l, m)`` with one column per example.
"""

from __future__ import annotations

import numpy as np

from nnlab._validate import check_float

BN_EPSILON = 1e-5
BN_MOMENTUM = 0.9  # weight of the old running average: running = 0.9 * running + 0.1 * batch


def linear_forward(A_prev, W, b=None):
    """``Z = W @ A_prev + b``.

    Parameters
    ----------
    A_prev : ndarray (n_prev, m)
    W : ndarray (n_l, n_prev)
    b : ndarray (n_l, 1) or None (no bias: a batch-norm layer)

    Returns
    -------
    Z : ndarray (n_l, m)
    cache : tuple ``(A_prev, W, b)``
    """
    Z = W @ A_prev
    if b is not None:
        Z = Z + b
    return Z, (A_prev, W, b)


def linear_backward(dZ, cache):
    """Gradients of ``Z = W A_prev + b`` given ``dZ`` that already carries the ``1/m``.

    Returns
    -------
    dA_prev : (n_prev, m), dW : (n_l, n_prev), db : (n_l, 1) or None
    """
    A_prev, W, b = cache
    dW = dZ @ A_prev.T
    db = np.sum(dZ, axis=1, keepdims=True) if b is not None else None
    dA_prev = W.T @ dZ
    return dA_prev, dW, db


def dropout_mask(shape, keep_prob, rng):
    """Boolean mask, each entry kept with probability ``keep_prob`` (``rng.random < keep_prob``).

    This is the course's ``D = np.random.rand(*shape) < keep_prob``.
    """
    return rng.random(shape) < keep_prob


def dropout_forward(A, keep_prob, rng=None, mask=None):
    """Inverted dropout: ``A * D / keep_prob``.

    Parameters
    ----------
    A : ndarray (n_l, m)
    keep_prob : float in (0, 1]
        Probability of *keeping* a unit (Keras/PyTorch take the drop rate ``1 - keep_prob``).
    rng : random generator, used when ``mask`` is None
    mask : bool ndarray (n_l, m), optional
        A given mask (used to fix the mask for gradient checking).

    Returns
    -------
    out : ndarray (n_l, m)
    cache : tuple ``(mask, keep_prob)``

    Notes
    -----
    Dividing by ``keep_prob`` keeps the expected value of each activation unchanged, so that at
    test time no scaling is needed (and no dropout is applied).
    """
    keep_prob = check_float("keep_prob", keep_prob, low=0, high=1, low_open=True)
    if keep_prob == 1.0:
        return A, (None, 1.0)
    if mask is None:
        mask = dropout_mask(A.shape, keep_prob, rng)
    return A * mask / keep_prob, (mask, keep_prob)


def dropout_backward(dout, cache):
    """``dA = dout * D / keep_prob``: the same units are shut down on the way back."""
    mask, keep_prob = cache
    if mask is None:
        return dout
    return dout * mask / keep_prob


def batchnorm_forward(Z, gamma, beta, *, mode="train", running_mean=None, running_var=None,
                      momentum=BN_MOMENTUM, epsilon=BN_EPSILON):
    """Batch normalization of pre-activations, one feature per row.

    Parameters
    ----------
    Z : ndarray (n_l, m)
    gamma, beta : ndarray (n_l, 1)
        Learnable scale and shift.
    mode : "train" or "test"
        Train normalizes with the mini-batch's mean and variance and updates the running
        averages; test uses the running averages (as at prediction time).
    running_mean, running_var : ndarray (n_l, 1) or None
        The exponentially weighted averages so far (None: start at the batch statistics).
    momentum : float
        ``running = momentum * running + (1 - momentum) * batch`` (the course's beta of an
        exponentially weighted average; PyTorch's ``momentum`` is ``1 -`` this).

    Returns
    -------
    out : ndarray (n_l, m) ``gamma * Z_norm + beta``
    cache : tuple for ``batchnorm_backward``
    running : tuple ``(running_mean, running_var)`` new arrays (unchanged in test mode)

    Notes
    -----
    ``mu = mean(Z)``, ``var = mean((Z - mu)**2)``, ``Z_norm = (Z - mu) / sqrt(var + eps)``.
    """
    if mode == "train":
        mu = Z.mean(axis=1, keepdims=True)
        var = Z.var(axis=1, keepdims=True)
        if running_mean is None:
            new_mean, new_var = mu, var
        else:
            new_mean = momentum * running_mean + (1 - momentum) * mu
            new_var = momentum * running_var + (1 - momentum) * var
    elif mode == "test":
        if running_mean is None or running_var is None:
            raise ValueError("batchnorm_forward: mode='test' needs running_mean and running_var")
        mu, var = running_mean, running_var
        new_mean, new_var = running_mean, running_var
    else:
        raise ValueError(f"mode must be 'train' or 'test', got {mode!r}")
    inv_std = 1.0 / np.sqrt(var + epsilon)
    Z_norm = (Z - mu) * inv_std
    out = gamma * Z_norm + beta
    cache = (Z_norm, inv_std, gamma, mode)
    return out, cache, (new_mean, new_var)


def batchnorm_backward(dout, cache):
    """Gradients of batch norm in train mode (the compact form of the computation graph).

    Returns
    -------
    dZ : (n_l, m), dgamma : (n_l, 1), dbeta : (n_l, 1)

    Notes
    -----
    ``dZ = inv_std / m * (m * dZn - sum(dZn) - Z_norm * sum(dZn * Z_norm))`` with
    ``dZn = dout * gamma``. In test mode the statistics are constants: ``dZ = dZn * inv_std``.
    """
    Z_norm, inv_std, gamma, mode = cache
    m = dout.shape[1]
    dgamma = np.sum(dout * Z_norm, axis=1, keepdims=True)
    dbeta = np.sum(dout, axis=1, keepdims=True)
    dZn = dout * gamma
    if mode == "test":
        return dZn * inv_std, dgamma, dbeta
    dZ = (inv_std / m) * (
        m * dZn - dZn.sum(axis=1, keepdims=True)
        - Z_norm * np.sum(dZn * Z_norm, axis=1, keepdims=True)
    )
    return dZ, dgamma, dbeta
