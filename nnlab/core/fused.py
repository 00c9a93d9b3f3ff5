"""The fused kernels of the fast network (``nnlab.core.network``): a stable softplus, the
output layer with its cross-entropy, the dropout masks a step draws, and a data set in the
network's layout (``[X; 1]``, targets, ``1 - 2T``). Each computes what the course-notation
functions of ``nnlab.spec`` compute, in fewer NumPy calls; ``tests/core/test_network.py`` proves
the runs equal.
"""

from __future__ import annotations

import numpy as np

from nnlab.data.datasets import one_hot


def softplus(u, out, tmp):
    """``log(1 + e^u)`` computed stably as ``max(u, 0) + log1p(e^-|u|)`` into ``out`` (``tmp``:
    scratch of the same shape; ``out`` may be ``u``). Five element-wise passes: from a few hundred
    values on, faster than ``np.logaddexp(0, u)`` (five times faster at 10,000)."""
    if u.size <= 128:  # for a few values, np.logaddexp's one call is the faster
        return np.logaddexp(0.0, u, out=out)
    np.log1p(np.exp(np.negative(np.abs(u, out=tmp), out=tmp), out=tmp), out=tmp)
    return np.add(np.maximum(u, 0.0, out=out), tmp, out=out)


def output_and_cost(Z, Y, output, numerics, sums=None):
    """``AL`` and the summed cross-entropy, with the operations of ``activations``/``losses``
    (softmax, and the course's sigmoid form; the stable sigmoid is fused in ``Network.output``).
    ``sums``: the axes summed into one cost (None: all, a float; ``(1, 2)``: one per config)."""
    if output == "softmax":
        shifted = Z - Z.max(axis=-2, keepdims=True)
        e = np.exp(shifted)
        s = e.sum(axis=-2, keepdims=True)
        cost = -np.sum(Y * (shifted - np.log(s)), axis=sums)
        return e / s, cost if sums else float(cost)
    AL = 1.0 / (1.0 + np.exp(-Z))
    logprobs = np.multiply(-np.log(AL), Y) + np.multiply(-np.log(1 - AL), 1 - Y)
    cost = np.nansum(logprobs, axis=sums)
    return AL, cost if sums else float(cost)


def dropout_masks(config, dims, b, rng, fixed_cache):
    """Dropout masks ``rng.random((n_l, b)) < keep_prob`` for l = 1..L-1 (None: no dropout).
    ``dropout_mask="fixed"`` re-makes the same generator at every step, as the course does: the
    masks are the same every time, so they are drawn once per batch size into ``fixed_cache``."""
    kp = config.keep_prob
    if kp == 1.0:
        return None
    if config.dropout_mask == "fixed":
        if b not in fixed_cache:
            fresh = np.random.default_rng([config.seed, 2])
            fixed_cache[b] = [None] + [fresh.random((n, b)) < kp for n in dims[1:-1]]
        return fixed_cache[b]
    return [None] + [rng.random((n, b)) < kp for n in dims[1:-1]]


def augmented(X, Y, config, dt):
    """``[X; 1]`` (the row of ones that multiplies the biases), targets ``T`` and ``S = 1 - 2T``."""
    Xa = np.ones((X.shape[0] + 1, X.shape[1]), dt)
    Xa[:-1] = X
    if config.output_activation == "softmax":  # an empty dev or test set has no labels
        T = one_hot(Y, config.n_classes) if Y.shape[1] else np.zeros((config.n_classes, 0))
    else:
        T = Y
    T = np.asarray(T, dt)
    return Xa, T, 1.0 - 2.0 * T
