"""Shared test utilities: numerical gradients against a random upstream gradient."""

import numpy as np

GRAD_RTOL = 1e-5  # relative error allowed between analytic and numerical gradients
FD_EPS = 1e-6


def numeric_grad(f, x, dout, eps=FD_EPS):
    """Numerical gradient of ``sum(f(x) * dout)`` with respect to array ``x`` (x is not mutated)."""
    x = x.astype(float).copy()
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    while not it.finished:
        i = it.multi_index
        old = x[i]
        x[i] = old + eps
        plus = np.sum(f(x) * dout)
        x[i] = old - eps
        minus = np.sum(f(x) * dout)
        x[i] = old
        grad[i] = (plus - minus) / (2 * eps)
        it.iternext()
    return grad


def rel_error(a, b):
    """max |a - b| / max(|a| + |b|, tiny)."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))
