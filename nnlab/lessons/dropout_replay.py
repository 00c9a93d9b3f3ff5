"""Regularization helpers: the dropout masks a run draws, and the size of the weights.

The training loop itself applies L2 (``nnlab.spec.losses.l2_penalty`` and the ``lambd / m * W`` term
of ``nnlab.spec.model.backward``) and dropout (``nnlab.spec.layers.dropout_forward``). This module
only
*looks* at them:

- :func:`dropout_masks` replays the masks that ``nnlab.core.train.train`` draws, step by step, so a
  page can show that a fresh mask drops different units every step while the course's fixed
  mask (its notebook re-seeds NumPy's global generator with 1 inside the forward pass, i.e. on every
  iteration) drops the same units of each example every step: a fixed sub-network.
- :func:`weight_values` and :func:`weight_norms` measure how much L2 shrinks the weights.
"""

from __future__ import annotations

import numpy as np

from nnlab._validate import check_choice, check_float, check_int
from nnlab.spec import layers, model

MASK_MODES = ("fresh", "fixed")
#: Stream of ``np.random.default_rng([seed, MASK_STREAM])`` that ``train`` draws masks from.
MASK_STREAM = 2
MAX_STEPS = 10_000


def dropout_masks(hidden_units, m: int, keep_prob: float, num_steps: int, *,
                  dropout_mask: str = "fresh", seed: int = 0, layer: int = 1) -> np.ndarray:
    """The dropout masks of one hidden layer for the first ``num_steps`` full-batch steps.

    Parameters
    ----------
    hidden_units : sequence of int
        ``(n_1, ..., n_{L-1})``, the hidden layer sizes (``TrainConfig.hidden_units``).
    m : int
        Examples per step (the training set size for full-batch gradient descent).
    keep_prob : float in (0, 1]
        Probability of keeping a unit.
    num_steps : int
        Gradient steps to replay (1..``MAX_STEPS``).
    dropout_mask : {"fresh", "fixed"}
        ``"fresh"``: one generator ``default_rng([seed, 2])`` for the whole run (true dropout).
        ``"fixed"``: the generator is made again from the same seed before every step, as the
        course's notebook does, so every step draws the same masks.
    seed : int
        The run's ``TrainConfig.seed``.
    layer : int
        Which hidden layer ``l`` (1..L-1) to return.

    Returns
    -------
    ndarray of bool, shape (num_steps, n_l, m)
        ``masks[s, i, j]`` is True when unit ``i`` of layer ``l`` is kept for example ``j`` at
        step ``s``. These are exactly the masks ``nnlab.core.train.train`` uses with
        ``mini_batch_size=None``.

    Notes
    -----
    ``model.forward`` draws, at every step, one mask ``rng.random((n_l, m)) < keep_prob`` per
    hidden layer ``l = 1 .. L-1`` in order (``nnlab.spec.layers.dropout_mask``); this function makes
    the same draws in the same order. With ``keep_prob == 1`` nothing is drawn and every
    entry is True.
    """
    units = tuple(hidden_units)
    if not units:
        raise ValueError("hidden_units must hold at least one hidden layer, got ()")
    for i, n in enumerate(units):
        check_int(f"hidden_units[{i}]", n, low=1)
    m = check_int("m", m, low=1)
    keep_prob = check_float("keep_prob", keep_prob, low=0, high=1, low_open=True)
    num_steps = check_int("num_steps", num_steps, low=1, high=MAX_STEPS)
    check_choice("dropout_mask", dropout_mask, MASK_MODES)
    seed = check_int("seed", seed, low=0)
    layer = check_int("layer", layer, low=1, high=len(units))
    out = np.ones((num_steps, units[layer - 1], m), dtype=bool)
    if keep_prob == 1.0:
        return out
    rng = np.random.default_rng([seed, MASK_STREAM])
    for step in range(num_steps):
        if dropout_mask == "fixed":
            rng = np.random.default_rng([seed, MASK_STREAM])
        for l, n_l in enumerate(units, start=1):
            mask = layers.dropout_mask((n_l, m), keep_prob, rng)
            if l == layer:
                out[step] = mask
    return out


def weight_values(parameters: dict) -> np.ndarray:
    """Every weight ``W^[1] .. W^[L]`` in one flat array (biases and batch norm left out).

    Returns
    -------
    ndarray (sum of n_l * n_{l-1},)
    """
    L = model.num_layers(parameters)
    return np.concatenate([np.ravel(parameters[f"W{l}"]) for l in range(1, L + 1)])


def weight_norms(parameters: dict) -> np.ndarray:
    """``||W^[l]||_F`` for ``l = 1..L``: the quantity L2 regularization penalizes.

    Returns
    -------
    ndarray (L,), index ``l - 1`` for layer ``l``.

    Notes
    -----
    The L2 cost is ``lambd / (2 m) * sum_l ||W^[l]||_F^2``; its gradient ``lambd / m * W^[l]``
    pulls every weight towards 0 at every step ("weight decay").
    """
    L = model.num_layers(parameters)
    with np.errstate(over="ignore"):
        return np.array([np.linalg.norm(parameters[f"W{l}"]) for l in range(1, L + 1)])
