"""Batched runs: K configs that share an architecture, trained together as stacked arrays.

The comparison view and hyperparameter search often train variants that differ only in a
scalar (the learning rate, beta, lambda, a seed...). Here their weights are stacked as
``(K, n_l, n_prev + 1)`` (bias folded in) and every step is batched products and whole-stack
element-wise operations (``nnlab.core.network.Network`` with ``stacked=True``), driven by the one
training loop (``nnlab.core.loop.Run``): ``start_batched(configs)`` is a run that steps, each config
ending, diverging or early-stopping on its own. From 32 configs up, ``train_batched`` trains
groups of configs in threads (one per core, with one BLAS thread):
``train_batched(configs)[k]`` equals ``train(configs[k])`` to 1e-12 (``tests/test_batched.py``).
"""

from __future__ import annotations

import dataclasses
import os
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from nnlab.config import TrainConfig
from nnlab.core._blas import one_blas_thread
from nnlab.core.loop import Run
from nnlab.core.network import Network
from nnlab.core.train import TrainResult, initial_parameters, make_dataset, update_rule

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
    if first.batch_norm:
        return "batch norm is not batched"
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
    drops out), differing only in scalars of ``PER_CONFIG``; no batch norm."""
    return batch_problem(configs) is None


def start_batched(configs, *, data=None, eval_every=None, on_epoch=None, budget=None) -> Run:
    """A run of ``configs`` (which satisfy :func:`can_batch`) as one stack, at epoch 0.

    ``run.advance(n)`` steps every config together; ``run.snapshots()`` gives one
    ``TrainResult`` per config. See ``nnlab.core.train.start`` for ``eval_every``, ``on_epoch``
    (its ``cost`` is one per config) and ``budget``.
    """
    started = time.perf_counter()
    configs = list(configs)
    problem = batch_problem(configs)
    if problem:
        raise ValueError(f"configs cannot be batched: {problem}")
    data = make_dataset(configs[0]) if data is None else data
    net = Network(configs, [initial_parameters(c, data.n_x) for c in configs], data,
                  stacked=True)
    net.rule = update_rule(configs[0])
    return Run(configs, data, net, eval_every=eval_every, on_epoch=on_epoch, budget=budget,
               started=started)


def _train_group(configs, data):
    return start_batched(configs, data=data).advance().snapshots()


def train_batched(configs, *, data=None) -> list[TrainResult]:
    """Train ``configs`` together; one ``TrainResult`` per config, each equal to its lone run.

    Parameters
    ----------
    configs : list of TrainConfig satisfying :func:`can_batch`.
    data : nnlab.data.datasets.Dataset, optional; default ``make_dataset(configs[0])``.

    Returns
    -------
    list of TrainResult, in the order of ``configs``; each ``seconds`` is the config's share
    of the batch's wall time (a chunk's time split among the rows still training in it), so
    the rows' seconds add up to the batch's. A config that diverges stops its own history
    (status ``diverged``, its last good parameters) while the others go on.
    """
    configs = list(configs)
    problem = batch_problem(configs)
    if problem:
        raise ValueError(f"configs cannot be batched: {problem}")
    data = make_dataset(configs[0]) if data is None else data
    n = min(os.cpu_count() or 1, len(configs) // MIN_GROUP, MAX_GROUPS)
    if n < 2:
        return _train_group(configs, data)
    # Large element-wise operations release the GIL: a thread per core, a group per thread.
    bounds = np.linspace(0, len(configs), n + 1).astype(int)
    with one_blas_thread(), ThreadPoolExecutor(n) as pool:
        groups = pool.map(lambda ab: _train_group(configs[ab[0]:ab[1]], data),
                          zip(bounds[:-1], bounds[1:], strict=True))
        return [r for group in groups for r in group]
