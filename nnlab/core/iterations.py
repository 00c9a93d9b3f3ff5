"""Cost per iteration: a run of ``nnlab.core.train`` with a record of every mini-batch.

``nnlab.core.train.train`` keeps one cost per *epoch* (a pass over the training set). The lecture's
mini-batch picture plots the cost of every *iteration* (one mini-batch, one update): smooth for
batch gradient descent, noisy for mini-batches, very noisy for stochastic gradient descent.
:func:`record_iterations` is ``nnlab.core.train.start(config)`` watched by an ``on_batch`` hook, so
its
per-epoch costs are ``train(config).history["cost"]``; it also keeps the cost of each mini-batch
and the seconds each epoch took.

Counting, with ``m`` training examples and mini-batch size ``b``: one epoch is
``ceil(m / b)`` iterations (the last mini-batch holds ``m % b`` examples when that is not 0), and
``num_epochs`` epochs are ``num_epochs * ceil(m / b)`` iterations.
"""

from __future__ import annotations

import time

import numpy as np

from nnlab.config import TrainConfig
from nnlab.core.train import start
from nnlab.spec import minibatch


def iteration_counts(m, mini_batch_size, num_epochs):
    """Plain counts of a run: mini-batches per epoch, the last one's size, iterations in all.

    Parameters
    ----------
    m : int
        Training examples, ``>= 1``.
    mini_batch_size : int or None
        ``>= 1``; None (or ``>= m``) is the whole training set (batch gradient descent).
    num_epochs : int
        ``>= 1``.

    Returns
    -------
    dict
        ``m``, ``mini_batch_size`` (the size actually used, at most ``m``), ``per_epoch``
        (``ceil(m / b)`` updates per epoch), ``full`` (complete mini-batches per epoch),
        ``last_size`` (examples in the last mini-batch), ``num_epochs`` and ``iterations``
        (``num_epochs * per_epoch``).
    """
    if isinstance(num_epochs, bool) or not isinstance(num_epochs, (int, np.integer)) or (
            num_epochs < 1):
        raise ValueError(f"num_epochs must be an integer >= 1, got {num_epochs!r}")
    if mini_batch_size is None:
        mini_batch_size = m
    per_epoch = minibatch.num_mini_batches(m, mini_batch_size)  # validates m and the size
    size = min(int(mini_batch_size), int(m))
    return {"m": int(m), "mini_batch_size": size, "per_epoch": per_epoch,
            "full": int(m) // size, "last_size": int(m) - (per_epoch - 1) * size,
            "num_epochs": int(num_epochs), "iterations": int(num_epochs) * per_epoch}


def record_iterations(config: TrainConfig, *, data=None, on_epoch=None, budget=None) -> dict:
    """Train as ``nnlab.core.train.train`` does and record the cost of every mini-batch.

    Parameters
    ----------
    config : TrainConfig
        Early stopping (``patience``) is ignored: every epoch runs unless the cost diverges.
    data : nnlab.data.datasets.Dataset, optional
        Default ``make_dataset(config)``.
    on_epoch : callable(dict) -> bool, optional
        Called after every epoch with ``epoch``, ``num_epochs`` and ``cost``; returning True
        stops the run (status ``stopped``).
    budget : nnlab.core.budget.Budget, optional; passed to ``start``.

    Returns
    -------
    dict of plain values and 1-D float arrays
        ``cost`` (n_iter,): the cost of each mini-batch in its own forward pass, before its
        update, ``J_t = (1/b_t) sum_{i in batch t} L(a_i, y_i) + lambd/(2m) sum_l ||W_l||^2``;
        ``epoch`` (n_iter,): the epoch of each iteration; ``batch_size`` (n_iter,): ``b_t``;
        ``epoch_cost`` (n_epochs,): ``train``'s history, the weighted mean
        ``sum_t (b_t / m) J_t`` over the epoch's iterations; ``epoch_seconds`` (n_epochs,): wall
        time of each epoch; ``counts`` (:func:`iteration_counts`); ``status`` ("ok",
        "diverged" or "stopped") and ``message``.

    Notes
    -----
    The run is ``nnlab.core.train.start(config)`` with two hooks: ``on_batch`` keeps each
    mini-batch's cost and ``on_epoch`` each epoch's wall time. It is the same run as
    ``train(config)``, bit for bit.
    """
    if not isinstance(config, TrainConfig):
        raise ValueError(f"config must be a TrainConfig, got {type(config).__name__}")
    config = config.replace(patience=None)
    rec = {"cost": [], "epoch": [], "batch_size": [], "epoch_seconds": []}
    clock = [time.perf_counter()]

    def on_batch(info):
        rec["cost"].append(info["cost"])
        rec["epoch"].append(info["epoch"])
        rec["batch_size"].append(info["size"])

    def timed_epoch(info):
        now = time.perf_counter()
        rec["epoch_seconds"].append(now - clock[0])
        clock[0] = now
        return bool(on_epoch is not None and on_epoch(
            {"epoch": info["epoch"], "num_epochs": info["num_epochs"], "cost": info["cost"]}))

    run = start(config, data=data, on_batch=on_batch, on_epoch=timed_epoch,
                eval_every=config.num_epochs, budget=budget)
    clock[0] = time.perf_counter()
    result = run.advance().snapshot()
    out = {k: np.asarray(v, dtype=float) for k, v in rec.items()}
    out["epoch_cost"] = result.history["cost"]
    n = len(out["epoch_cost"])
    if len(out["epoch_seconds"]) < n:  # the last epoch of a diverged run calls no on_epoch
        out["epoch_seconds"] = np.append(out["epoch_seconds"], time.perf_counter() - clock[0])
    message = result.message if result.status != "ok" else f"Trained {config.num_epochs} epochs."
    out.update(counts=iteration_counts(run.m, run.net.size, config.num_epochs),
               status=result.status, message=message)
    return out
