r"""Symmetry breaking: why the hidden units of a layer must start different.

If every unit of a hidden layer starts with the same incoming weights and bias, every unit
computes the same activation, receives the same gradient, and gets the same update: the rows of
``W^{[l]}`` stay equal for the whole of training and the layer behaves like a single unit.
All-zero weights are the extreme case (with ReLU nothing in the hidden layers even moves);
any constant gives the same symmetry. Random weights (Xavier, He) break it.

:func:`train_with_snapshots` trains a network and keeps copies of one weight matrix at chosen
epochs; :func:`distinct_units` counts how many different units (rows) a weight matrix has.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from nnlab._validate import check_float, check_int
from nnlab.config import TrainConfig
from nnlab.core.train import TrainResult, make_dataset, train
from nnlab.spec.initializers import check_layer_dims, initialize_parameters

#: Two units whose weight rows differ by at most this much (max abs difference, relative to the
#: largest weight) count as the same unit.
SAME_UNIT_TOLERANCE = 1e-9


def constant_parameters(layer_dims, value: float) -> dict:
    """Every weight equal to ``value`` and every bias 0: a symmetric initialization.

    Parameters
    ----------
    layer_dims : sequence of int
        ``(n_0, n_1, ..., n_L)``.
    value : float
        The constant weight (0 gives ``initialize_parameters_zeros``).

    Returns
    -------
    dict
        ``W{l}`` of shape ``(n_l, n_{l-1})`` filled with ``value``, ``b{l}`` zeros ``(n_l, 1)``.
    """
    dims = check_layer_dims(layer_dims)
    value = check_float("value", value)
    parameters = {}
    for l in range(1, len(dims)):
        parameters[f"W{l}"] = np.full((dims[l], dims[l - 1]), value)
        parameters[f"b{l}"] = np.zeros((dims[l], 1))
    return parameters


def distinct_units(W, *, tol: float = SAME_UNIT_TOLERANCE) -> int:
    """How many different units (rows) the weight matrix ``W`` of shape ``(n_l, n_prev)`` has.

    Rows ``i`` and ``j`` are the same unit when ``max |W[i] - W[j]| <= tol * max(1, max |W|)``.
    A symmetric layer gives 1; a randomly initialized one gives ``n_l``.
    """
    W = np.asarray(W, dtype=float)
    if W.ndim != 2 or W.size == 0:
        raise ValueError(f"W must be a non-empty 2-D array (n_l, n_prev), got shape {W.shape}")
    if not np.all(np.isfinite(W)):
        raise ValueError("W must contain only finite numbers (found NaN or infinity)")
    tol = check_float("tol", tol, low=0)
    bound = tol * max(1.0, float(np.max(np.abs(W))))
    representatives: list[np.ndarray] = []
    for row in W:
        if not any(np.max(np.abs(row - r)) <= bound for r in representatives):
            representatives.append(row)
    return len(representatives)


def snapshot_epochs(num_epochs: int, n_snapshots: int = 4) -> tuple[int, ...]:
    """``n_snapshots`` epochs spread evenly from 0 (before training) to ``num_epochs``.

    Epoch ``e`` means "after ``e`` epochs of training"; 0 is the initialization.
    """
    num_epochs = check_int("num_epochs", num_epochs, low=1)
    n_snapshots = check_int("n_snapshots", n_snapshots, low=2)
    return tuple(int(e) for e in np.unique(np.round(np.linspace(0, num_epochs, n_snapshots))))


def train_with_snapshots(config: TrainConfig, epochs: Sequence[int], *, parameters=None,
                         data=None, key: str = "W1",
                         on_epoch: Callable[[dict], bool | None] | None = None,
                         budget=None) -> tuple[TrainResult, dict]:
    """Train ``config`` and keep a copy of ``parameters[key]`` after each epoch in ``epochs``.

    Parameters
    ----------
    config : TrainConfig
    epochs : sequence of int
        Snapshot moments, "after e epochs", each in ``[0, config.num_epochs]``; 0 is the
        initial matrix.
    parameters : dict, optional
        Initial parameters (e.g. :func:`constant_parameters`); default: ``config.initializer``
        drawn as :func:`nnlab.core.train.train` draws it.
    data : Dataset, optional; default ``make_dataset(config)``.
    key : str, default "W1"
        The parameter to snapshot.
    on_epoch : callable(dict), optional
        Also called after every epoch (e.g. a progress bar); returning True stops the run.
    budget : nnlab.core.budget.Budget, optional; passed to ``train``.

    Returns
    -------
    (TrainResult, dict)
        The run and ``{e: array}`` of the snapshots taken (a stopped or diverged run has fewer).
    """
    wanted = sorted({check_int(f"epochs[{i}]", e, low=0, high=config.num_epochs)
                     for i, e in enumerate(epochs)})
    data = make_dataset(config) if data is None else data
    if parameters is None:
        parameters = initialize_parameters(config.layer_dims(data.n_x), config.initializer,
                                           scale=config.init_scale,
                                           rng=np.random.default_rng([config.seed, 0]),
                                           batch_norm=config.batch_norm)
    if key not in parameters:
        raise ValueError(f"key must name a parameter ({', '.join(parameters)}), got {key!r}")
    snapshots = {0: np.array(parameters[key], dtype=float)} if 0 in wanted else {}

    def record(info: dict):
        done = info["epoch"] + 1
        if done in wanted:
            snapshots[done] = np.array(info["parameters"][key], dtype=float)
        return on_epoch(info) if on_epoch is not None else False

    result = train(config, data=data, parameters=parameters, on_epoch=record, budget=budget)
    return result, snapshots
