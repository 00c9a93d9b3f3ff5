"""Activation functions and their derivatives.

Each activation has ``forward(Z) -> A`` and ``backward(dA, Z) -> dZ`` working element-wise on
arrays of shape ``(n_l, m)``; softmax works column by column (one column per example).
"""

from __future__ import annotations

import numpy as np

from nnlab._validate import check_choice

LEAKY_SLOPE = 0.01


def _floats(Z):
    """``Z`` as a float array: float32 stays float32 (the fast network's single precision),
    anything else becomes float64."""
    Z = np.asarray(Z)
    return Z if Z.dtype in (np.float32, np.float64) else Z.astype(float)


def sigmoid(Z):
    """Logistic sigmoid ``1 / (1 + exp(-Z))``, computed without overflow.

    Notes
    -----
    For ``Z >= 0`` this is exactly the course's ``1 / (1 + np.exp(-Z))``; for negative ``Z`` it
    uses ``exp(Z) / (1 + exp(Z))`` so that ``exp`` never overflows. See ``sigmoid_plain``.
    """
    Z = _floats(Z)
    e = np.exp(-np.abs(Z))
    return np.where(Z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_plain(Z):
    """The course's literal ``1 / (1 + np.exp(-Z))`` (may warn on overflow; the result is right).

    The course's reproductions use it because the last digits of their costs depend on it.
    """
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-_floats(Z)))


def sigmoid_backward(dA, Z):
    """``dZ = dA * s * (1 - s)`` with ``s = sigmoid(Z)``."""
    s = sigmoid(Z)
    return dA * s * (1.0 - s)


def tanh(Z):
    """Hyperbolic tangent."""
    return np.tanh(Z)


def tanh_backward(dA, Z):
    """``dZ = dA * (1 - tanh(Z)**2)``."""
    return dA * (1.0 - np.tanh(Z) ** 2)


def relu(Z):
    """``max(0, Z)``."""
    return np.maximum(0.0, Z)


def relu_backward(dA, Z):
    """``dZ = dA`` where ``Z > 0``, else 0 (the course's convention at 0)."""
    return dA * (Z > 0)


def leaky_relu(Z, slope=LEAKY_SLOPE):
    """``Z`` where positive, ``slope * Z`` elsewhere."""
    return np.where(Z > 0, Z, slope * Z)


def leaky_relu_backward(dA, Z, slope=LEAKY_SLOPE):
    """``dZ = dA`` where ``Z > 0``, else ``slope * dA``."""
    return np.where(Z > 0, dA, slope * dA)


def linear(Z):
    """Identity (a linear network: used by the vanishing/exploding lesson)."""
    return _floats(Z)


def linear_backward(dA, Z):
    """``dZ = dA``."""
    return dA


def softmax(Z):
    """Column-wise softmax, shifted by each column's max so ``exp`` never overflows.

    Parameters
    ----------
    Z : ndarray, shape (C, m)

    Returns
    -------
    A : ndarray, shape (C, m), each column sums to 1.
    """
    Z = _floats(Z)
    e = np.exp(Z - Z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def softmax_backward(dA, Z):
    """Jacobian-vector product of softmax: ``dZ = A * (dA - sum(dA * A, axis=0))``.

    With cross-entropy the model skips this and uses ``dZ = A - Y`` directly.
    """
    A = softmax(Z)
    return A * (dA - np.sum(dA * A, axis=0, keepdims=True))


ACTIVATIONS = {
    "sigmoid": (sigmoid, sigmoid_backward),
    "tanh": (tanh, tanh_backward),
    "relu": (relu, relu_backward),
    "leaky_relu": (leaky_relu, leaky_relu_backward),
    "linear": (linear, linear_backward),
    "softmax": (softmax, softmax_backward),
}
HIDDEN_ACTIVATIONS = ("relu", "tanh", "sigmoid", "leaky_relu", "linear")


def get_activation(name: str):
    """Return the ``(forward, backward)`` pair for an activation name."""
    check_choice("activation", name, tuple(ACTIVATIONS))
    return ACTIVATIONS[name]

