"""Running a hyperparameter search: points -> configs -> trials (sequential or on an executor).

``nnlab.lessons.search`` samples the points; this module turns each into a ``TrainConfig`` and
trains
it. Trials go through any ``concurrent.futures.Executor`` (processes here, a Dask cluster's
``Client.get_executor()`` elsewhere) with no change to the code.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from nnlab._validate import check_int
from nnlab.config import TrainConfig
from nnlab.core.train import train

SPECIAL_NAMES = ("units", "layers")  # -> hidden_units = (units,) * layers
_FIELDS = tuple(f.name for f in dataclasses.fields(TrainConfig))


def apply_point(base_config: TrainConfig, point: dict) -> TrainConfig:
    """``base_config`` with the point's values; ``units``/``layers`` build ``hidden_units``
    (a missing one is taken from ``base_config.hidden_units``). Unknown names raise ValueError."""
    unknown = sorted(set(point) - set(_FIELDS) - set(SPECIAL_NAMES))
    if unknown:
        raise ValueError(f"point has unknown name(s) {unknown}; use TrainConfig fields or "
                         f"{SPECIAL_NAMES}")
    point = {k: v.item() if isinstance(v, np.generic) else v for k, v in point.items()}
    changes = {k: v for k, v in point.items() if k not in SPECIAL_NAMES}
    if "units" in point or "layers" in point:
        if "hidden_units" in point:
            raise ValueError("point sets hidden_units together with units/layers; choose one")
        base = base_config.hidden_units
        layers = check_int("layers", point.get("layers", len(base)), low=0)
        if "units" not in point and layers and not base:
            raise ValueError(f"layers={layers} needs units: base_config has no hidden layer")
        units = check_int("units", point.get("units", base[0] if base else 1), low=1)
        changes["hidden_units"] = (units,) * layers
    return base_config.replace(**changes)


class SearchRecords(list):
    """A list of trial records with ``stopped`` (``on_trial`` ended the search) and ``planned``
    (the number of points given)."""

    stopped, planned = False, 0


def run_trial(config: TrainConfig, point: dict, trial: int, data=None, *, on_epoch=None,
              budget=None) -> dict:
    """Train one configuration and return its record (module-level so processes can pickle it).

    Keys: ``trial``, the point's values, ``train_accuracy``, ``dev_accuracy``, ``train_cost``,
    ``dev_cost``, ``cost`` (final training cost), ``status``, ``message``, ``seconds``,
    ``epochs`` and ``costs`` (the per-epoch cost history, a list: for "caviar" plots).
    ``on_epoch`` and ``budget`` are passed to ``train``.
    """
    return trial_record(train(config, data=data, on_epoch=on_epoch, budget=budget), point, trial)


def trial_record(result, point: dict, trial: int) -> dict:
    """The record of one finished trial (see ``run_trial``)."""
    m = result.metrics
    return {"trial": trial, **point,
            "train_accuracy": m["train_accuracy"], "dev_accuracy": m["dev_accuracy"],
            "train_cost": m["train_cost"], "dev_cost": m["dev_cost"], "cost": result.final_cost,
            "status": result.status, "message": result.message, "seconds": result.seconds,
            "epochs": result.epochs_run, "costs": [float(c) for c in result.history["cost"]]}


def _batched_records(jobs) -> dict:
    """Train every group of jobs that ``nnlab.core.batched`` can stack as one batch; returns
    ``{trial index: record}`` for those (the rest are left to the caller)."""
    from nnlab.core.batched import PER_CONFIG, can_batch, train_batched

    shared = [f.name for f in dataclasses.fields(TrainConfig) if f.name not in PER_CONFIG]
    groups: dict = {}
    for job in jobs:
        groups.setdefault(tuple(getattr(job[0], f) for f in shared), []).append(job)
    done = {}
    for group in groups.values():
        configs = [job[0] for job in group]
        if len(group) > 1 and can_batch(configs):
            results = train_batched(configs, data=group[0][3])
            for (_, point, i, _), result in zip(group, results, strict=True):
                done[i] = trial_record(result, point, i)
    return done


def run_search(base_config: TrainConfig, points, *, executor=None, on_trial=None,
               data=None, batched=False) -> SearchRecords:
    """Train ``apply_point(base_config, p)`` for each point; records in the order of ``points``.

    Parameters
    ----------
    points : list of dict; all are validated before any training starts.
    executor : concurrent.futures.Executor, optional; trials go to ``executor.submit`` (threads
        or processes, the course's "caviar"), else run one by one. Records do not depend on
        it: each trial draws only from its own config's seeds.
    on_trial : callable(i, n, record) -> bool, optional; called after each trial in order.
        True stops the search: later trials are not run (or are cancelled), ``stopped`` is set.
    data : nnlab.data.datasets.Dataset, optional; shared by all trials (default: each config's own).
    batched : bool
        Train trials that differ only in scalars (learning rate, betas, lambd, ...) together
        as stacked arrays (``nnlab.core.batched``): each record equals its lone run to 1e-12. The
        others run as usual. ``on_trial`` still sees the records in order, but a batch is
        trained whole before its first record is reported.

    Returns
    -------
    SearchRecords: a list of dicts (see ``run_trial``); a diverged trial is a record with
    status "diverged", never an exception.
    """
    jobs = [(apply_point(base_config, p), dict(p), i, data) for i, p in enumerate(points)]
    out = SearchRecords()
    out.planned = n = len(jobs)
    ready = _batched_records(jobs) if batched else {}
    futures = ([None if i in ready else executor.submit(run_trial, *job)
                for i, job in enumerate(jobs)] if executor else None)
    for i, job in enumerate(jobs):
        if i in ready:
            record = ready[i]
        else:
            record = futures[i].result() if futures else run_trial(*job)
        out.append(record)
        if on_trial is not None and on_trial(i, n, record):
            out.stopped = True
            for f in futures[i + 1:] if futures else ():
                if f is not None:
                    f.cancel()
            break
    return out
