"""The session's run registry: every run a page shows, for the "Compare runs" page.

An entry is a plain dict (no parameters, no Streamlit objects; :func:`run_entry`). The registry
lives in ``st.session_state`` (tests pass a dict ``store``) and is bounded: at most
:data:`MAX_RUNS` runs and :data:`MAX_SESSION_BYTES` per session, :data:`MAX_TOTAL_BYTES` for
all the sessions of the process together, and a history longer than :data:`MAX_HISTORY_ROWS`
epochs is thinned (:func:`register_run`, :func:`thin_history`).
"""

from __future__ import annotations

import itertools
import threading
import time
import weakref
from collections.abc import MutableMapping

import numpy as np
import streamlit as st

from nnlab.config import TrainConfig
from nnlab.core.loop import EVAL_COLUMNS
from nnlab.core.train import TrainResult

#: Runs kept in a session's registry (oldest dropped first; see also MAX_SESSION_BYTES).
MAX_RUNS = 100
#: Session-state key of the run registry (a list of entries, oldest first).
RUNS_KEY = "nnlab_runs"
#: Session-state key of the counter that numbers runs.
COUNTER_KEY = "nnlab_run_counter"

# Bounds of the registry (``register_run`` applies them, the "Compare runs" page says when they
# dropped runs): a session keeps at most MAX_RUNS runs and MAX_SESSION_BYTES of them; all the
# registries alive in this process together keep at most MAX_TOTAL_BYTES (plus, at worst, the
# newest run of each session); a history longer than MAX_HISTORY_ROWS epochs is thinned.

#: Bytes of run histories one session's registry keeps (oldest runs dropped first).
MAX_SESSION_BYTES = 16 * 2**20
#: Bytes of run histories all the sessions' registries of this process keep together.
MAX_TOTAL_BYTES = 256 * 2**20
#: Epochs a registry entry keeps of a longer history (see :func:`thin_history`).
MAX_HISTORY_ROWS = 1000
#: Bytes counted for an entry besides its arrays (dict, strings, config, metrics).
ENTRY_OVERHEAD = 2048
#: Bytes counted for each history column besides its data (the array object).
COLUMN_OVERHEAD = 128
#: Session-state key of the number of runs the bounds dropped since the registry was cleared.
DROPPED_KEY = "nnlab_runs_dropped"

_SERIAL = itertools.count(1)
#: Registry serial -> bytes, for every registry alive in this process (under ``_LOCK``).
_HELD: dict[int, int] = {}
#: Serials of registries freed since the last look (appended by their finalizers, lock-free,
#: so that a garbage collection inside ``_LOCK`` cannot deadlock or change ``_HELD``).
_GONE: list[int] = []
_LOCK = threading.Lock()


class RunList(list):
    """A session's registry: a list of entries, oldest first, with a serial number.

    When the list is freed (its session's state is gone, or :func:`clear_runs` replaced it), a
    finalizer takes its bytes out of the process-wide account.
    """

    def __init__(self, entries=()):
        super().__init__(entries)
        self.serial = next(_SERIAL)
        weakref.finalize(self, _GONE.append, self.serial).atexit = False

    def __reduce__(self):  # a copy (pickle, deepcopy) is a registry of its own, counted apart
        return (RunList, (list(self),))


def _held_by_others(serial: int) -> int:
    """Bytes held by the other registries alive in this process (caller holds ``_LOCK``)."""
    while _GONE:
        _HELD.pop(_GONE.pop(), None)
    return sum(nbytes for key, nbytes in _HELD.items() if key != serial)


def held_bytes() -> int:
    """Bytes held by all the registries alive in this process (as counted by
    :func:`entry_bytes`, when each last registered a run)."""
    with _LOCK:
        return _held_by_others(0)


def entry_bytes(entry: dict) -> int:
    """The bytes a registry entry is counted for: its history's arrays, plus
    :data:`COLUMN_OVERHEAD` per column and :data:`ENTRY_OVERHEAD`."""
    return ENTRY_OVERHEAD + sum(a.nbytes + COLUMN_OVERHEAD for a in entry["history"].values())


def thin_history(history: dict, max_rows: int | None = None) -> tuple[dict, int]:
    """``(history, stride)``: ``history`` (column -> 1-D array) cut to about ``max_rows`` rows.

    A history of at most ``max_rows`` (default :data:`MAX_HISTORY_ROWS`) rows is kept whole
    (stride 1). A longer one keeps every ``stride``-th epoch from the first (the smallest stride
    that fits), its last epoch, and its evaluated epochs (accuracies and dev cost are NaN between
    evaluations) if there are at most ``max_rows // 2`` of them: at most
    ``nnlab.core.loop.MAX_EVALUATIONS`` (200) unless the run stops early, and then every epoch
    is evaluated, so the strided rows all have their dev values. The curves are sampled, never
    averaged: every value kept is as trained, but a spike between two kept epochs is not shown.
    At most ``1.5 * max_rows + 1`` rows are kept. The overlay charts thin further anyway (at
    most 5000 points a chart, ``nnlab.viz``).
    """
    max_rows = MAX_HISTORY_ROWS if max_rows is None else int(max_rows)
    n = max((len(v) for v in history.values()), default=0)
    if n <= max_rows:
        return history, 1
    stride = -(-n // max_rows)
    keep = np.zeros(n, dtype=bool)
    keep[::stride] = keep[-1] = True
    evaluated = np.zeros(n, dtype=bool)
    for column in EVAL_COLUMNS:
        if column in history:
            evaluated |= ~np.isnan(history[column])
    if evaluated.sum() <= max_rows // 2:
        keep |= evaluated
    return {k: v[keep] for k, v in history.items()}, stride


def run_entry(result: TrainResult, label: str, page: str = "", run_id: str = "") -> dict:
    """The registry entry of a run: a plain dict (no parameters, no Streamlit objects).

    Keys: ``id``, ``label``, ``page``, ``config`` (the ``TrainConfig``), ``status``,
    ``message``, ``seconds``, ``epochs_run``, ``final_cost``, ``metrics`` (train/dev/test
    accuracy and cost), ``history`` (column -> 1-D array, as in ``TrainResult.history``, thinned
    by :func:`thin_history` past :data:`MAX_HISTORY_ROWS` epochs: the ``epoch`` column says
    which), ``stride`` (1, or the thinning's stride), ``created`` (Unix time).
    """
    history, stride = thin_history({k: np.asarray(v, dtype=float)
                                    for k, v in result.history.items()})
    return {
        "id": run_id,
        "label": str(label),
        "page": str(page or ""),
        "config": result.config,
        "status": result.status,
        "message": result.message,
        "seconds": float(result.seconds),
        "epochs_run": int(result.epochs_run),
        "final_cost": float(result.final_cost),
        "metrics": dict(result.metrics),
        "history": history,
        "stride": stride,
        "created": time.time(),
    }


def _same_run(entry: dict, label: str, page: str, config: TrainConfig) -> bool:
    return entry["label"] == label and entry["page"] == page and entry["config"] == config


def _registry(store: MutableMapping) -> RunList:
    """The store's registry as a :class:`RunList` (a plain list, as tests set one, is wrapped)."""
    runs = store.get(RUNS_KEY)
    if not isinstance(runs, RunList):
        runs = RunList(runs or ())
        store[RUNS_KEY] = runs
    return runs


def register_run(result: TrainResult, label: str, page: str | None = None, *,
                 store: MutableMapping | None = None) -> str:
    """Add a run to the session's registry and return its id (``"r1"``, ``"r2"``, ...).

    The same (page, label, config) is registered once: a rerun that shows the same run again
    returns the existing id. ``store`` defaults to ``st.session_state`` (tests pass a dict).

    Bounds: the oldest runs are dropped until at most :data:`MAX_RUNS` runs and
    :data:`MAX_SESSION_BYTES` bytes (:func:`entry_bytes`) are left, or fewer bytes: at most what
    the other registries alive in this process leave of :data:`MAX_TOTAL_BYTES` (each counted
    as it was when it last registered a run, until it is freed: its session's state is gone, or
    it was cleared). The new run itself is always kept, so a session holds at least one run and
    the process total can be passed by at most one run per session (an entry is at most 1.3 MB
    with :func:`thin_history`: 100 layers; 0.7 MB with the app's 50 hidden layers). How many
    runs were dropped is counted under :data:`DROPPED_KEY` (see :func:`dropped_runs`).
    """
    from nnlab.app.pages import current_page

    use_session = store is None
    store = st.session_state if use_session else store
    if page is None:
        page = current_page() if use_session else ""
    runs = _registry(store)
    for entry in runs:
        if _same_run(entry, str(label), page, result.config):
            return entry["id"]
    counter = int(store.get(COUNTER_KEY, 0)) + 1
    store[COUNTER_KEY] = counter
    entry = run_entry(result, label, page, run_id=f"r{counter}")
    with _LOCK:
        runs.append(entry)
        allowance = min(MAX_SESSION_BYTES, MAX_TOTAL_BYTES - _held_by_others(runs.serial))
        sizes = [entry_bytes(e) for e in runs]
        held, drop = sum(sizes), 0
        while len(runs) - drop > 1 and (len(runs) - drop > MAX_RUNS or held > allowance):
            held, drop = held - sizes[drop], drop + 1
        del runs[:drop]
        _HELD[runs.serial] = held
    if drop:
        store[DROPPED_KEY] = int(store.get(DROPPED_KEY, 0)) + drop
    return entry["id"]


def list_runs(store: MutableMapping | None = None) -> list[dict]:
    """The registry's entries, oldest first (a copy of the list; entries are shared)."""
    store = st.session_state if store is None else store
    return list(store.get(RUNS_KEY, []))


def registry_bytes(store: MutableMapping | None = None) -> int:
    """Bytes the session's registry is counted for (:func:`entry_bytes` of every entry)."""
    return sum(entry_bytes(e) for e in list_runs(store))


def dropped_runs(store: MutableMapping | None = None) -> int:
    """How many runs the bounds dropped from the registry since it was last cleared."""
    store = st.session_state if store is None else store
    return int(store.get(DROPPED_KEY, 0))


def get_run(run_id: str, store: MutableMapping | None = None) -> dict | None:
    """The entry with this id, or None."""
    return next((e for e in list_runs(store) if e["id"] == run_id), None)


def clear_runs(store: MutableMapping | None = None) -> None:
    """Empty the registry (the numbering goes on, so ids are never reused)."""
    store = st.session_state if store is None else store
    store[RUNS_KEY] = RunList()
    store[DROPPED_KEY] = 0
