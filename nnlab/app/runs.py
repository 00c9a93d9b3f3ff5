"""Cached training runs and the session's run registry.

:func:`train_cached` is how every page trains: it wraps :func:`nnlab.core.train.train` in
``st.cache_data`` keyed by ``(config, ENGINE_VERSION)``, shows a progress bar while a run is
computed, and records the run in the session's run registry (the "Compare runs" page lists,
overlays and downloads the registry).

Traps this module avoids (see DESIGN.md):

- The progress bar is created *inside* the cached function. An element created outside and
  updated inside raises ``CacheReplayClosureError`` on the next cache hit.
- The bar is updated every few epochs. Those updates are also where Streamlit can stop the
  script (the learner moved a slider): a NumPy loop with no ``st.*`` call cannot be stopped.
- No random generator is cached or passed: ``train`` builds its generators from the config.
- The cache key is the config plus :data:`ENGINE_VERSION`, a hash of the engine's source
  files: ``st.cache_data`` hashes only the decorated function's own source, so without it an
  edited engine would keep serving stale results.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections.abc import MutableMapping
from pathlib import Path

import numpy as np
import streamlit as st
from streamlit.logger import get_logger

from nnlab.config import TrainConfig
from nnlab.core.batched import can_batch, start_batched
from nnlab.core.budget import Budget, BudgetError, estimate_seconds, expected_train_size
from nnlab.core.train import TrainResult, train

#: Cached runs kept (least recently used evicted first).
CACHE_MAX_ENTRIES = 256
#: Runs kept in a session's registry (oldest dropped first).
MAX_RUNS = 100
#: Progress bar updates per run (each one is also a point where the run can be stopped).
PROGRESS_UPDATES = 25
#: Seconds a run computes before its progress bar appears (quick runs show none).
PROGRESS_DELAY = 0.25
#: Session-state key of the run registry (a list of entries, oldest first).
RUNS_KEY = "nnlab_runs"
#: Session-state key of the counter that numbers runs.
COUNTER_KEY = "nnlab_run_counter"
_LOG = get_logger(__name__)
#: Columns of the metrics tables, in order.
SUMMARY_COLUMNS = ("train_accuracy", "dev_accuracy", "test_accuracy", "final_cost", "epochs",
                   "seconds", "status")


def _engine_version() -> str:
    """A short hash of every source file of the engine (``nnlab/**/*.py`` but the app)."""
    digest = hashlib.sha1()
    root = Path(__file__).resolve().parents[1]
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        if relative.parts[0] == "app":
            continue
        digest.update(str(relative).encode())
        digest.update(path.read_bytes())
    return "nnlab-engine-" + digest.hexdigest()[:12]


#: Part of every cache key: changes whenever a file of the engine (``nnlab/**/*.py``) changes.
ENGINE_VERSION = _engine_version()
#: Session-state key of the budget of the current script run (one click of the learner).
BUDGET_KEY = "nnlab_interaction_budget"
#: Seconds between two looks at whether the learner's session is still there.
STOP_CHECK_SECONDS = 0.2


def session_stop_token():
    """A stop token for the training loop: True once the browser session that started the
    script run has gone (closed tab, lost connection), checked at most every
    :data:`STOP_CHECK_SECONDS`. None outside a Streamlit server (AppTest, notebooks)."""
    from streamlit.runtime import Runtime
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is None or not Runtime.exists():
        return None
    runtime, session_id, last = Runtime.instance(), ctx.session_id, [time.monotonic()]

    def gone() -> bool:
        now = time.monotonic()
        if now - last[0] < STOP_CHECK_SECONDS:
            return False
        last[0] = now
        return not runtime.is_active_session(session_id)

    return gone


def new_interaction_budget() -> Budget:
    """Start the budget of this script run: every run it computes is charged to it
    (``page_setup`` calls this first; see ``nnlab.core.budget``)."""
    budget = Budget(stop=session_stop_token())
    st.session_state[BUDGET_KEY] = budget
    return budget


def interaction_budget() -> Budget:
    """The budget of the current script run (a new one if the page made none)."""
    budget = st.session_state.get(BUDGET_KEY)
    return budget if isinstance(budget, Budget) else new_interaction_budget()


def finish_budgeted(budget: Budget, what: str = "This run") -> None:
    """After a budgeted computation inside a cached function: raise rather than let a cut-short
    result be cached (a gone session stops quietly; an overspent budget says why)."""
    if budget.cancelled:
        from streamlit.runtime.scriptrunner_utils.exceptions import StopException

        raise StopException()
    if budget.spent > budget.limit:
        raise BudgetError(f"{what} was stopped before its end: {budget.spent_reason()}")


def refuse_over_budget(err: BudgetError):
    """Say why a click is over the budget, keep the widgets, compute nothing more."""
    st.error(str(err), icon=":material/timer_off:")
    st.stop()


def _digest(config: TrainConfig) -> str:
    return hashlib.sha1(config.to_json().encode()).hexdigest()[:12]


@contextlib.contextmanager
def epoch_progress(num_epochs: int, label: str = "", *, what: str = "", show_cost=False):
    """An ``on_epoch`` callback drawing a progress bar, for use INSIDE a cached function.

    The bar appears only after ``PROGRESS_DELAY`` seconds (a quick run shows none and leaves
    nothing to replay), is updated ``PROGRESS_UPDATES`` times (each update is also where
    Streamlit can stop the run), and is removed when the block ends.
    """
    name = f"**{label}**{what}: " if label or what else ""
    step = max(1, num_epochs // PROGRESS_UPDATES)
    start = time.perf_counter()
    holder, bar = None, None

    def on_epoch(info: dict) -> bool:
        nonlocal holder, bar
        epoch, total = info["epoch"] + 1, info["num_epochs"]
        if epoch % step and epoch != total:
            return False
        if bar is None:
            if time.perf_counter() - start < PROGRESS_DELAY:
                return False
            holder = st.empty()  # created inside the cached function: replay-safe
            bar = holder.progress(0.0)
        cost = f", cost {info['cost']:.4g}" if show_cost else ""
        bar.progress(min(1.0, epoch / total), text=f"{name}epoch {epoch} / {total}{cost}")
        return False

    try:
        yield on_epoch
    finally:
        if holder is not None:
            holder.empty()


@st.cache_data(max_entries=CACHE_MAX_ENTRIES, show_spinner=False)
def _train_cached(config: TrainConfig, engine_version: str, _label: str = "",
                  _budget: Budget | None = None) -> TrainResult:
    """The cached run. ``engine_version`` is only part of the key; ``_label`` and ``_budget``
    are not hashed. Only a real computation (a cache miss) is checked against the budget."""
    del engine_version
    budget = _budget or Budget()
    budget.require(estimate_seconds(config, expected_train_size(config)),
                   f"This run ({_label})" if _label else "This run")
    # One line per real computation (cache hits never get here): the load test counts them.
    _LOG.info("nnlab training run %s", _digest(config))
    with epoch_progress(config.num_epochs, _label, show_cost=True) as on_epoch:
        result = train(config, on_epoch=on_epoch, budget=budget)
    finish_budgeted(budget)
    return result


def train_cached(config: TrainConfig, label: str | None = None, *, page: str | None = None,
                 register: bool = True) -> TrainResult:
    """Train ``config`` (or fetch the cached result) and record it in the run registry.

    Parameters
    ----------
    config : TrainConfig
    label : str, optional
        How the run is named in progress bars, tables and the registry (default: a short
        description of the config).
    page : str, optional
        The page the run belongs to (default: the current page's title, see ``page_setup``).
    register : bool, default True
        Add the run to the session's run registry (at most once per page, label and config).

    Returns
    -------
    TrainResult
        An equal result for the same config and engine version (``st.cache_data`` returns a
        fresh copy on every hit, so changing it is harmless).

    Notes
    -----
    A diverged run is a normal result (``status == "diverged"`` with a message); it does not
    raise. A run over the server's compute budget (``nnlab.core.budget``) is not trained: the page
    shows why and stops there. Bad configs raise ``ValueError`` when the ``TrainConfig`` is
    built, before this call (``nnlab.app.controls.make_config`` turns them into an
    ``st.error``).
    """
    if not isinstance(config, TrainConfig):
        raise ValueError(f"config must be a TrainConfig, got {type(config).__name__}")
    label = label or describe(config)
    try:
        result = _train_cached(config, ENGINE_VERSION, _label=label,
                               _budget=interaction_budget())
    except BudgetError as err:  # a shared server: say why, keep the widgets, train nothing
        refuse_over_budget(err)
    if register:
        register_run(result, label, page)
    return result


@st.cache_data(max_entries=CACHE_MAX_ENTRIES // 4, show_spinner="Training the variants "
               "together (one stacked batch)...")
def _train_batched_cached(configs: tuple, engine_version: str,
                          _budget: Budget | None = None) -> list:
    """Several configs trained as one stack (``nnlab.core.batched``), cached as a group."""
    del engine_version
    budget = _budget or Budget()
    c = configs[0]
    budget.require(estimate_seconds(c, expected_train_size(c), K=len(configs)),
                   f"These {len(configs)} runs")
    for config in configs:  # the same line per config as _train_cached (the load test counts)
        _LOG.info("nnlab training run %s", _digest(config))
    results = start_batched(list(configs), budget=budget).advance().snapshots()
    finish_budgeted(budget)
    return results


def train_many(variants, *, page: str | None = None, register: bool = True) -> list:
    """Train ``[(label, config), ...]`` and return ``[(label, TrainResult), ...]``.

    When the configs differ only in scalars (learning rate, betas, lambd, schedule, seed, ...)
    and ``nnlab.core.batched.can_batch`` accepts them, they train together as stacked arrays (each
    result equals its lone run to 1e-12); otherwise each goes through :func:`train_cached`.
    """
    variants = [(str(label), config) for label, config in variants]
    configs = [config for _, config in variants]
    if len(configs) < 2 or not can_batch(configs):
        return [(label, train_cached(config, label, page=page, register=register))
                for label, config in variants]
    try:
        results = _train_batched_cached(tuple(configs), ENGINE_VERSION,
                                        _budget=interaction_budget())
    except BudgetError as err:
        refuse_over_budget(err)
    if register:
        for (label, _), result in zip(variants, results, strict=True):
            register_run(result, label, page)
    return list(zip([label for label, _ in variants], results, strict=True))


def describe(config: TrainConfig) -> str:
    """A short human name of a config, e.g. ``"moons 10-5 relu, adam lr=0.01"``."""
    arch = "-".join(str(n) for n in config.hidden_units) or "linear"
    return (f"{config.dataset} {arch} {config.hidden_activation}, {config.optimizer} "
            f"lr={config.learning_rate:g}")


def clear_training_cache() -> None:
    """Forget every cached run (all sessions)."""
    _train_cached.clear()


# ---------------------------------------------------------------------------- run registry


def run_entry(result: TrainResult, label: str, page: str = "", run_id: str = "") -> dict:
    """The registry entry of a run: a plain dict (no parameters, no Streamlit objects).

    Keys: ``id``, ``label``, ``page``, ``config`` (the ``TrainConfig``), ``status``,
    ``message``, ``seconds``, ``epochs_run``, ``final_cost``, ``metrics`` (train/dev/test
    accuracy and cost), ``history`` (column -> 1-D array, as in ``TrainResult.history``),
    ``created`` (Unix time).
    """
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
        "history": {k: np.asarray(v, dtype=float) for k, v in result.history.items()},
        "created": time.time(),
    }


def _same_run(entry: dict, label: str, page: str, config: TrainConfig) -> bool:
    return entry["label"] == label and entry["page"] == page and entry["config"] == config


def register_run(result: TrainResult, label: str, page: str | None = None, *,
                 store: MutableMapping | None = None) -> str:
    """Add a run to the session's registry and return its id (``"r1"``, ``"r2"``, ...).

    The same (page, label, config) is registered once: a rerun that shows the same run again
    returns the existing id. ``store`` defaults to ``st.session_state`` (tests pass a dict).
    At most :data:`MAX_RUNS` runs are kept; the oldest are dropped.
    """
    from nnlab.app.pages import current_page

    use_session = store is None
    store = st.session_state if use_session else store
    if page is None:
        page = current_page() if use_session else ""
    if RUNS_KEY not in store:
        store[RUNS_KEY] = []
    runs = store[RUNS_KEY]
    for entry in runs:
        if _same_run(entry, str(label), page, result.config):
            return entry["id"]
    counter = int(store.get(COUNTER_KEY, 0)) + 1
    store[COUNTER_KEY] = counter
    entry = run_entry(result, label, page, run_id=f"r{counter}")
    runs.append(entry)
    del runs[:-MAX_RUNS]
    return entry["id"]


def list_runs(store: MutableMapping | None = None) -> list[dict]:
    """The registry's entries, oldest first (a copy of the list; entries are shared)."""
    store = st.session_state if store is None else store
    return list(store.get(RUNS_KEY, []))


def get_run(run_id: str, store: MutableMapping | None = None) -> dict | None:
    """The entry with this id, or None."""
    return next((e for e in list_runs(store) if e["id"] == run_id), None)


def clear_runs(store: MutableMapping | None = None) -> None:
    """Empty the registry (the numbering goes on, so ids are never reused)."""
    store = st.session_state if store is None else store
    store[RUNS_KEY] = []


# Tables and exports live in nnlab.app.exports; re-exported here for pages and tests.
from nnlab.app.exports import (  # noqa: E402,F401
    configs_json,
    histories_csv,
    runs_table,
    summary_row,
)
