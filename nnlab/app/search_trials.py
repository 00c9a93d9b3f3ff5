"""The trials of the "Hyperparameter search" page: the search, coarse to fine, the panda.

Every trial is one ``nnlab.lessons.search.run_trial`` (a full ``nnlab.core.train.train`` run)
cached with ``st.cache_data`` keyed by its config and the engine version, so a search shown
again, resumed after a stop, or zoomed into is instant for the trials it already ran. One
progress bar, made here (outside the cached trials: a :class:`nnlab.app.runs.Work` bar),
covers all the trials of the page.

Stopping: the "Stop" button reruns the script, which interrupts the loop at its next progress
update; the trials finished so far are kept in the session (:data:`DONE_KEY`) and shown.

The knobs, the tables, the charts and the sentences are ``nnlab.app.search_page``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import streamlit as st

from nnlab.app.runs import Work, cached_work, train_cached
from nnlab.app.search_page import KNOBS, PANDA_SEGMENT, ZOOM_TOP
from nnlab.config import TrainConfig
from nnlab.core.train import train
from nnlab.lessons import search

#: Session-state key of the trials finished in this session (a stopped search shows them).
DONE_KEY = "hs_done"
DONE_MAX = 2000


@cached_work(max_entries=4096)
def _trial_cached(work: Work, config: TrainConfig, point: tuple, trial: int) -> dict:
    work.part(0, 1, f"trial {trial + 1}")
    return search.run_trial(config, dict(point), trial, on_epoch=work.on_epoch,
                            budget=work.budget)


def _done() -> dict:
    done = st.session_state.setdefault(DONE_KEY, {})
    if len(done) > DONE_MAX:
        done.clear()
    return done


class Progress(Work):
    """One progress bar for a known number of trials (none until it has waited a moment)."""

    def __init__(self, total: int):
        super().__init__()
        self.total, self.count = max(1, total), 0

    def step(self, text: str) -> None:
        self.count += 1
        self.progress(self.count / self.total, f"{text} · trial {self.count} of {self.total}")


def run_trials(base: TrainConfig, points: Sequence[dict], name: str, progress: Progress | None,
               *, stopped: bool = False) -> list[dict]:
    """Train (or fetch) each point's trial; the records, in order, with ``method`` = ``name``.

    When ``stopped``, only trials already finished in this session are returned.
    """
    done, out = _done(), []
    for i, point in enumerate(points):
        config = search.apply_point(base, point)
        key = (config, i)
        if stopped and key not in done:
            continue
        record = _trial_cached(config, tuple(sorted(point.items())), i)
        done[key] = record
        out.append({**record, "method": name})
        if progress is not None:
            progress.step(name)
    return out


def search_stages(base: TrainConfig, space: search.SearchSpace, budget: int, seed: int,
                  zoom_stages: int, progress: Progress | None, *, stopped: bool = False):
    """Grid, then random, then ``zoom_stages`` rounds of coarse to fine on the random search.

    Returns ``(grid_records, random_stages)`` where ``random_stages`` is a list of
    ``(space, records)``, stage 0 being the coarse random search. Stage ``s`` samples
    ``budget`` points from ``search.zoom`` of stage ``s - 1`` with ``rng([seed, s])``.
    """
    grid = run_trials(base, search.grid_search_points(space, budget), "grid", progress,
                      stopped=stopped)
    stages, current = [], space
    for s in range(zoom_stages + 1):
        if s:
            try:
                current = search.zoom(current, stages[-1][1], top=ZOOM_TOP)
            except ValueError:  # no usable trial to zoom around (all diverged or stopped)
                break
        points = search.random_search_points(current, budget, np.random.default_rng([seed, s]))
        records = run_trials(base, points, "random" if s == 0 else f"random, zoom {s}",
                             progress, stopped=stopped)
        for r in records:
            r["stage"] = s
        stages.append((current, records))
        if len(records) < budget:
            break
    return grid, stages


def register_best(base: TrainConfig, best: dict, label: str) -> None:
    """Train the best trial's config with ``train_cached`` so it appears on "Compare runs"."""
    point = {k: best[k] for k in KNOBS if k in best}
    train_cached(search.apply_point(base, point), label)


# ----------------------------------------------------------------------------- the panda


@cached_work(max_entries=64)
def _panda_cached(work: Work, base: TrainConfig, rates: tuple) -> dict:
    """One model trained ``PANDA_SEGMENT`` epochs per learning rate in ``rates``, each day
    starting from the parameters the previous day ended with (plain gradient descent carries
    no optimizer state between days)."""
    if not rates:
        raise ValueError("rates must hold at least one learning rate, got ()")
    parameters, costs, marks, result = None, [], {}, None
    for day, lr in enumerate(rates):
        config = base.replace(learning_rate=float(lr), num_epochs=PANDA_SEGMENT)
        marks[f"day {day + 1}: α={lr:g}"] = len(costs)
        work.part(day, len(rates), f"day {day + 1}: α={lr:g}")
        result = train(config, parameters=parameters, on_epoch=work.on_epoch,
                       budget=work.budget)
        costs.extend(float(c) for c in result.history["cost"])
        parameters = result.parameters
        if result.status != "ok":
            break
    return {"costs": costs, "marks": marks, "status": result.status, "message": result.message,
            "metrics": dict(result.metrics), "days": day + 1,
            "last_day_epochs": int(result.epochs_run)}


def panda_run(base: TrainConfig, rates: Sequence[float]) -> dict:
    """The hand-tended model (cached): ``costs``, ``marks``, ``metrics``, ``status``."""
    return _panda_cached(base.replace(optimizer="gd"), tuple(float(r) for r in rates))
