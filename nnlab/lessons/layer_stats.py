"""Diagnostics: per-layer activation and gradient statistics (vanishing and exploding gradients).

A deep network trains only if the signal keeps its size through the layers, forward
(activations) and backward (gradients). These functions measure it layer by layer: the spread
of the activations and pre-activations, how many units are saturated (sigmoid/tanh near their
bounds) or dead (relu at 0), the gradient norms ``||dW_l||``, and the update-to-weight ratio
``learning_rate * ||dW_l|| / ||W_l||`` (a healthy step changes a weight matrix by roughly 1e-3
of its size). ``linear_chain_output`` is the lecture's deep *linear* network in which every
layer multiplies by the same factor, so the output grows or shrinks exponentially with depth.
"""

from __future__ import annotations

import numpy as np

from nnlab._validate import check_array, check_choice, check_float, check_int
from nnlab.spec import activations, model

SATURATION_TOL = 0.02  # sigmoid within 0.02 of 0 or 1, tanh within 0.02 of -1 or 1
MAX_DEPTH = 10_000


def _saturated(A, Z, activation):
    """Boolean mask of the entries of a layer's output that sit where the gradient is ~0."""
    if activation in ("sigmoid", "softmax"):  # outputs in (0, 1)
        return np.minimum(A, 1.0 - A) < SATURATION_TOL
    if activation == "tanh":
        return 1.0 - np.abs(A) < SATURATION_TOL
    if activation == "relu":
        return A == 0
    if activation == "leaky_relu":  # never exactly 0; the slope-0.01 side is the "dead" side
        return Z <= 0
    return np.zeros(A.shape, dtype=bool)  # linear never saturates


def layer_statistics(caches, hidden_activation: str = "relu", *, output: str = "sigmoid") -> dict:
    """Per-layer statistics of one forward pass.

    Parameters
    ----------
    caches : list of L dicts from ``nnlab.spec.model.forward`` (keys ``"Z"`` and ``"A"``).
    hidden_activation : str; the activation of layers ``1..L-1`` (decides what "saturated"
        means: sigmoid/tanh within ``SATURATION_TOL`` of a bound, relu exactly 0, leaky relu
        ``Z <= 0``, linear never).
    output : "sigmoid" or "softmax"; the activation of layer ``L`` (outputs near 0 or 1 count
        as saturated).

    Returns
    -------
    dict of 1-D arrays of length L (index ``l - 1`` is layer ``l``):
        ``layer`` (1..L), ``a_mean``, ``a_std`` (over all units and examples of ``A_l``),
        ``z_std`` (of the pre-activation ``Z_l``), ``saturation`` (fraction of the entries of
        ``A_l`` that are saturated; for relu the fraction of zeros), ``dead_units`` (fraction
        of units saturated on every example).

    Notes
    -----
    ``A`` is the cache's activation after dropout, so with ``keep_prob < 1`` the dropped
    entries count as zeros: diagnose with dropout off.
    """
    check_choice("hidden_activation", hidden_activation, activations.HIDDEN_ACTIVATIONS)
    check_choice("output", output, model.OUTPUTS)
    if not isinstance(caches, (list, tuple)) or not caches:
        raise ValueError(f"caches must be a non-empty list of layer caches, got {caches!r}")
    L = len(caches)
    keys = ("a_mean", "a_std", "z_std", "saturation", "dead_units")
    out = {k: np.empty(L) for k in keys}
    for i, cache in enumerate(caches):
        A, Z = np.asarray(cache["A"], dtype=float), np.asarray(cache["Z"], dtype=float)
        sat = _saturated(A, Z, hidden_activation if i < L - 1 else output)
        with np.errstate(over="ignore", invalid="ignore"):  # exploding nets reach inf
            out["a_mean"][i], out["a_std"][i], out["z_std"][i] = A.mean(), A.std(), Z.std()
        out["saturation"][i] = sat.mean()
        out["dead_units"][i] = np.all(sat, axis=1).mean()
    return {"layer": np.arange(1, L + 1), **out}


def gradient_norms(grads: dict, num_layers: int) -> np.ndarray:
    """``||dW_l||`` (Frobenius norm) for ``l = 1..num_layers``: a 1-D array of length L.

    Raises ValueError naming a missing ``dW{l}``.
    """
    L = check_int("num_layers", num_layers, low=1)
    missing = [f"dW{l}" for l in range(1, L + 1) if f"dW{l}" not in grads]
    if missing:
        raise ValueError(f"grads has no {', '.join(missing)} (num_layers={L})")
    with np.errstate(over="ignore"):
        return np.array([np.linalg.norm(grads[f"dW{l}"]) for l in range(1, L + 1)])


def update_ratios(parameters: dict, grads: dict, learning_rate: float) -> np.ndarray:
    """``learning_rate * ||dW_l|| / ||W_l||`` per layer: the relative size of one GD step.

    Around 1e-3 is healthy; far below, the layer barely learns (vanishing gradients); near 1
    or above, one step rewrites the layer (exploding gradients, or too large a learning rate).
    A layer with ``W_l = 0`` gets ``inf`` (``nan`` if its gradient is 0 too).

    Returns
    -------
    ndarray (L,), index ``l - 1`` for layer ``l``.
    """
    lr = check_float("learning_rate", learning_rate, low=0, low_open=True)
    L = model.num_layers(parameters)
    step = lr * gradient_norms(grads, L)
    with np.errstate(over="ignore"):
        size = np.array([np.linalg.norm(parameters[f"W{l}"]) for l in range(1, L + 1)])
    safe = np.where(size > 0, size, 1.0)
    return np.where(size > 0, step / safe, np.where(step > 0, np.inf, np.nan))


def network_snapshot(X, Y, parameters: dict, *, hidden_activation: str = "relu",
                     output: str = "sigmoid", lambd: float = 0.0,
                     learning_rate: float | None = None) -> dict:
    """Run one forward and one backward pass and return every per-layer statistic.

    Used at initialization and after training by the vanishing/exploding gradients page.
    Batch norm is used (in train mode) when ``parameters`` has ``gamma1``; dropout is off.

    Parameters
    ----------
    X : ndarray (n_x, m)
    Y : ndarray (1, m) labels for sigmoid, or one-hot (C, m) for softmax.
    parameters : dict ``W1, b1, ..., WL, bL``.
    lambd : float, L2 strength added to the gradients.
    learning_rate : float, optional; if given, ``update_ratio`` is included.

    Returns
    -------
    dict: the ``layer_statistics`` arrays plus ``grad_norm`` (``||dW_l||``), ``weight_norm``
    (``||W_l||``), ``update_ratio`` (with ``learning_rate``), and ``cost`` (a float, the
    cross-entropy plus L2 of this pass; may be inf for an exploded network).
    """
    X = check_array("X", X, ndim=2)
    Y = check_array("Y", Y, ndim=2)
    L = model.num_layers(parameters)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        AL, caches, _ = model.forward(X, parameters, hidden_activation=hidden_activation,
                                      output=output, batch_norm="gamma1" in parameters)
        if AL.shape != Y.shape:
            raise ValueError(f"Y must have shape {AL.shape} (the output's), got {Y.shape}")
        cost = model.compute_cost(AL, caches, Y, parameters, lambd=lambd, output=output)
        grads = model.backward(AL, Y, caches, parameters, hidden_activation=hidden_activation,
                               lambd=lambd)
        stats = layer_statistics(caches, hidden_activation, output=output)
        stats["grad_norm"] = gradient_norms(grads, L)
        stats["weight_norm"] = np.array([np.linalg.norm(parameters[f"W{l}"])
                                         for l in range(1, L + 1)])
        if learning_rate is not None:
            stats["update_ratio"] = update_ratios(parameters, grads, learning_rate)
    stats["cost"] = float(cost)
    return stats


def linear_chain_output(depth: int, weight_scale: float, n: int = 2) -> np.ndarray:
    """The lecture's deep linear network: ``y = W^[L] ... W^[1] x`` with ``W^[l] = scale * I``.

    Parameters
    ----------
    depth : int, the number of layers L (1..``MAX_DEPTH``).
    weight_scale : float >= 0; 1.5 makes the output explode, 0.5 makes it vanish.
    n : int, the width of every layer (and of ``x = ones((n, 1))``).

    Returns
    -------
    ndarray (depth,): the mean ``|a^[l]|`` after layer ``l = 1..depth``, which is exactly
    ``weight_scale ** l`` (computed by the actual matrix products, one layer at a time; bit
    for bit for 1.5 and 0.5 at 30 layers).

    Notes
    -----
    With ``W = 1.5 I`` the activations grow like ``1.5**L``; with ``0.5 I`` they shrink like
    ``0.5**L``. Gradients flow back through the same matrices, so they explode or vanish the
    same way: the reason for careful initialization (Xavier, He).
    """
    depth = check_int("depth", depth, low=1, high=MAX_DEPTH)
    scale = check_float("weight_scale", weight_scale, low=0)
    n = check_int("n", n, low=1, high=4096)
    W = scale * np.eye(n)
    a = np.ones((n, 1))
    out = np.empty(depth)
    with np.errstate(over="ignore", under="ignore"):
        for l in range(depth):
            a = W @ a
            out[l] = np.abs(a).mean()
            if np.isinf(out[l]):  # overflowed: it stays infinite (0 * inf would give NaN)
                out[l:] = np.inf
                break
    return out
