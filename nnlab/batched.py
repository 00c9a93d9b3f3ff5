"""Batched runs: K configs that share an architecture, trained together as stacked arrays.

The comparison view and hyperparameter search often train variants that differ only in a
scalar (the learning rate, beta, lambda, a seed...). Here their weights are stacked as
``(K, n_l, n_prev + 1)`` (bias folded in) and every step is batched products and whole-stack
element-wise operations (``nnlab.stacked``). From 32 configs up, groups of configs train in
threads (one per core, with one BLAS thread):
``train_batched(configs)[k]`` equals ``train(configs[k])`` to 1e-12 (``tests/test_batched.py``).
"""

from __future__ import annotations

import dataclasses
import os
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from nnlab._blas import one_blas_thread
from nnlab.config import TrainConfig
from nnlab.stacked import train_group
from nnlab.train import TrainResult, make_dataset

# Fields that may differ between batched configs: scalars that change no array's shape.
PER_CONFIG = ("learning_rate", "beta", "beta1", "beta2", "epsilon", "lambd", "schedule",
              "decay_rate", "time_interval", "decay_base", "k", "drop", "epochs_drop",
              "initializer", "init_scale", "seed")
MIN_GROUP, MAX_GROUPS = 16, 4  # configs trained in threads: at least 16 per thread
HIDDEN = ("relu", "tanh", "sigmoid", "leaky_relu", "linear")


def batch_problem(configs) -> str | None:
    """Why ``configs`` cannot be trained as one batch, or None when they can."""
    configs = list(configs)
    if not configs or not all(isinstance(c, TrainConfig) for c in configs):
        return "configs must be a non-empty list of TrainConfig"
    first = configs[0]
    if first.batch_norm or first.patience:
        return "batch norm and early stopping are not batched"
    shared = [f.name for f in dataclasses.fields(TrainConfig) if f.name not in PER_CONFIG]
    for c in configs[1:]:
        for name in shared:
            if getattr(c, name) != getattr(first, name):
                return (f"configs differ in {name!r}: {getattr(first, name)!r} vs "
                        f"{getattr(c, name)!r}")
    shuffled = first.mini_batch_size is not None
    if (shuffled or first.keep_prob < 1) and len({c.seed for c in configs}) > 1:
        return "mini-batches and dropout draw from the seed: configs must share it"
    return None


def can_batch(configs) -> bool:
    """Whether ``configs`` qualify for :func:`train_batched`: the same data, architecture,
    optimizer, mini-batches, dropout, epochs and dtype (seeds too when the run shuffles or
    drops out), differing only in scalars of ``PER_CONFIG``; no batch norm, no early stopping."""
    return batch_problem(configs) is None


def train_batched(configs, *, data=None) -> list[TrainResult]:
    """Train ``configs`` together; one ``TrainResult`` per config, each equal to its lone run.

    Parameters
    ----------
    configs : list of TrainConfig satisfying :func:`can_batch`.
    data : nnlab.data.Dataset, optional; default ``make_dataset(configs[0])``.

    Returns
    -------
    list of TrainResult, in the order of ``configs``; each ``seconds`` is the whole batch's
    wall time. A config that diverges stops its own history (status ``diverged``, its last
    good parameters) while the others go on.
    """
    configs = list(configs)
    problem = batch_problem(configs)
    if problem:
        raise ValueError(f"configs cannot be batched: {problem}")
    start = time.perf_counter()
    data = make_dataset(configs[0]) if data is None else data
    n = min(os.cpu_count() or 1, len(configs) // MIN_GROUP, MAX_GROUPS)
    if n < 2:
        return train_group(configs, data, start)
    # Large element-wise operations release the GIL: a thread per core, a group per thread.
    bounds = np.linspace(0, len(configs), n + 1).astype(int)
    with one_blas_thread(), ThreadPoolExecutor(n) as pool:
        groups = pool.map(lambda ab: train_group(configs[ab[0]:ab[1]], data, start),
                          zip(bounds[:-1], bounds[1:], strict=True))
        return [r for group in groups for r in group]
