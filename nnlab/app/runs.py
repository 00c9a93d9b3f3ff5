"""Cached work, training runs and the session's run registry.

:func:`cached_work` is the one way nnlab.app caches a piece of work: ``st.cache_data`` keyed by
the arguments, :data:`ENGINE_VERSION` and the function's own source, with the interaction's
budget and a progress bar (a :class:`Work` object, the function's first argument).
:func:`train_cached` is how every page trains: one run through it, recorded in the session's
run registry, bounded in runs and bytes per session and in bytes per process (see
:func:`register_run`; the "Compare runs" page lists, overlays and downloads the registry);
:func:`train_many` stacks variants that can share one batch.

Traps this module avoids (see the design notes):

- The progress bar is created *inside* the cached function. An element created outside and
  updated inside raises ``CacheReplayClosureError`` on the next cache hit.
- The bar is updated every few epochs. Those updates are also where Streamlit can stop the
  script (the learner moved a slider): a NumPy loop with no ``st.*`` call cannot be stopped.
- No random generator is cached or passed: ``train`` builds its generators from the config.
- The cache key holds :data:`ENGINE_VERSION`, a hash of the engine's source files:
  ``st.cache_data`` hashes only the decorated function's own source, so without it an edited
  engine would keep serving stale results.
- ``st.cache_data`` names a cache by the function's ``__module__`` and ``__qualname__``: the
  generic inner function of :func:`cached_work` takes the decorated function's, or every
  decorated function would share one cache.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import time
from pathlib import Path

import numpy as np
import streamlit as st
from streamlit.logger import get_logger

from nnlab.app.registry import (  # noqa: F401 - the registry, re-exported for pages and tests
    COUNTER_KEY,
    DROPPED_KEY,
    MAX_HISTORY_ROWS,
    MAX_RUNS,
    MAX_SESSION_BYTES,
    MAX_TOTAL_BYTES,
    RUNS_KEY,
    clear_runs,
    dropped_runs,
    entry_bytes,
    get_run,
    held_bytes,
    list_runs,
    register_run,
    registry_bytes,
    run_entry,
    thin_history,
)
from nnlab.app.session_budget import interaction_budget
from nnlab.config import TrainConfig
from nnlab.core.batched import can_batch, start_batched
from nnlab.core.budget import Budget, BudgetError, estimate_seconds, expected_train_size
from nnlab.core.train import TrainResult, train

#: Cached runs kept (least recently used evicted first).
CACHE_MAX_ENTRIES = 256
#: Progress bar updates per run (each one is also a point where the run can be stopped).
PROGRESS_UPDATES = 25
#: Seconds a run computes before its progress bar appears (quick runs show none).
PROGRESS_DELAY = 0.25
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


class Work:
    """What a :func:`cached_work` function gets as its first argument: its ``budget``, and a
    progress bar made INSIDE the cached function (replay-safe) that appears only after
    :data:`PROGRESS_DELAY` seconds (quick work shows none) and is removed at the end.

    ``require(seconds)`` / ``require_runs(configs)`` refuse the work before it computes
    (``spend(seconds)`` also charges it, for work the training loop does not charge);
    ``progress(fraction, text)`` reports; ``part(i, n, text)`` says that the next runs fill the
    i-th of n equal parts of the bar; ``on_epoch`` is the callback for nnlab's training
    functions (updated :data:`PROGRESS_UPDATES` times a run; each update is also where
    Streamlit can stop the script: a NumPy loop with no ``st.*`` call cannot be stopped).
    """

    def __init__(self, label: str = "", budget: Budget | None = None):
        self.label, self.budget = label, budget if budget is not None else Budget()
        self._start, self._holder, self._bar = time.perf_counter(), None, None
        self._part = (0, 1, label)

    def require(self, seconds: float, what: str | None = None) -> None:
        """Raise ``BudgetError`` (nothing computed yet) if ``seconds`` would overspend."""
        self.budget.require(seconds, what or self._what())

    def spend(self, seconds: float, what: str | None = None) -> None:
        """:meth:`require` ``seconds``, then charge them: for work outside the training loop
        (which charges its own epochs), estimated before it computes."""
        self.require(seconds, what)
        self.budget.charge(seconds)

    def require_runs(self, configs, what: str | None = None) -> float:
        """:meth:`require` the estimate of training every config of ``configs``."""
        return self.budget.require_runs(configs, what or self._what())

    def _what(self) -> str:
        return f"This run ({self.label})" if self.label else "This run"

    def progress(self, fraction: float, text: str = "") -> None:
        """Show ``fraction`` (0 to 1) done, once the work has lasted a moment."""
        if self._bar is None:
            if time.perf_counter() - self._start < PROGRESS_DELAY:
                return
            self._holder = st.empty()  # created inside the cached function: replay-safe
            self._bar = self._holder.progress(0.0)
        self._bar.progress(min(1.0, max(0.0, float(fraction))), text=text)

    def part(self, index: int, total: int, text: str = "") -> None:
        """The following runs' epochs fill part ``index`` of ``total`` of the bar."""
        self._part = (int(index), max(1, int(total)), text)
        self.progress(index / max(1, total), self._name(text))

    def _name(self, text: str) -> str:
        i, n, _ = self._part
        of = f" ({i + 1} of {n})" if n > 1 else ""
        return f"**{text}**{of}: " if text else (f"run {i + 1} of {n}: " if n > 1 else "")

    def on_epoch(self, info: dict) -> bool:
        """The ``on_epoch`` callback of ``nnlab.core.train.train``: a bar update every few
        epochs; never stops the run (the budget and the stop token do)."""
        epoch, total = info["epoch"] + 1, info["num_epochs"]
        if epoch % max(1, total // PROGRESS_UPDATES) and epoch != total:
            return False
        i, n, text = self._part
        cost = info.get("cost")
        cost = f", cost {cost:.4g}" if isinstance(cost, (float, np.floating)) else ""
        self.progress((i + epoch / total) / n, f"{self._name(text)}epoch {epoch} / {total}{cost}")
        return False

    def close(self) -> None:
        """Remove the bar (if it appeared)."""
        if self._holder is not None:
            self._holder.empty()
            self._holder = self._bar = None


def _source_digest(fn) -> str:
    try:
        source = inspect.getsource(fn).encode()
    except (OSError, TypeError):
        source = fn.__code__.co_code
    return hashlib.sha1(source).hexdigest()[:12]


def cached_work(fn=None, *, max_entries: int = CACHE_MAX_ENTRIES, what: str = "This run",
                hash_funcs: dict | None = None):
    """A cached, budgeted piece of work with its progress bar: the one way nnlab.app caches.

    ``fn(work, *args, **kwargs)`` is called as ``fn(*args, **kwargs)``: its first parameter is
    a :class:`Work`. The result is cached by ``st.cache_data`` (at most ``max_entries``),
    keyed by the arguments whose name has no leading underscore (``_label`` and the like are
    passed on, not hashed), :data:`ENGINE_VERSION` and a hash of ``fn``'s own source. The work
    is charged to :func:`interaction_budget`; only a real computation (a cache miss) calls
    ``fn``, which may ``work.require`` its estimate first; after it, :func:`finish_budgeted`
    (a cut-short result is not cached). A ``BudgetError`` is shown with
    :func:`refuse_over_budget` (``st.error``, then ``st.stop``).

    ``hash_funcs`` is passed to ``st.cache_data``. The wrapper has ``clear()`` (forget every
    cached result of ``fn``).
    """
    if fn is None:
        return functools.partial(cached_work, max_entries=max_entries, what=what,
                                 hash_funcs=hash_funcs)
    signature = inspect.signature(fn)
    params = list(signature.parameters.values())[1:]  # without ``work``
    call_signature = signature.replace(parameters=params)
    source = _source_digest(fn)

    def compute(arguments: dict, engine_version: str, source: str, _private: dict,
                _budget: Budget) -> object:
        del engine_version, source  # only part of the key
        work = Work(str(_private.get("_label") or ""), _budget)
        try:
            result = fn(work, **arguments, **_private)
        finally:
            work.close()
        finish_budgeted(_budget, what)
        return result

    # st.cache_data keys a function by __module__, __qualname__ and source: take fn's, so that
    # two decorated functions never share entries (fn's source is hashed in the arguments).
    compute.__module__, compute.__qualname__ = fn.__module__, fn.__qualname__
    compute.__name__, compute.__doc__ = fn.__name__, fn.__doc__
    cached = st.cache_data(compute, max_entries=max_entries, show_spinner=False,
                           hash_funcs=hash_funcs)

    @functools.wraps(fn)
    def call(*args, **kwargs):
        bound = call_signature.bind(*args, **kwargs)
        bound.apply_defaults()
        public = {k: v for k, v in bound.arguments.items() if not k.startswith("_")}
        private = {k: v for k, v in bound.arguments.items() if k.startswith("_")}
        try:
            return cached(public, ENGINE_VERSION, source, private, interaction_budget())
        except BudgetError as err:  # a shared server: say why, keep the widgets, stop here
            refuse_over_budget(err)

    call.__signature__ = call_signature
    call.clear = cached.clear
    return call


@cached_work(what="This run")
def _train_cached(work: Work, config: TrainConfig, _label: str = "") -> TrainResult:
    """One run, cached by its config."""
    work.require(estimate_seconds(config, expected_train_size(config)))
    # One line per real computation (cache hits never get here): the load test counts them.
    _LOG.info("nnlab training run %s", _digest(config))
    return train(config, on_epoch=work.on_epoch, budget=work.budget)


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
    result = _train_cached(config, _label=label)
    if register:
        register_run(result, label, page)
    return result


@cached_work(max_entries=CACHE_MAX_ENTRIES // 4, what="These runs")
def _train_batched_cached(work: Work, configs: tuple) -> list:
    """Several configs trained as one stack (``nnlab.core.batched``), cached as a group."""
    c = configs[0]
    work.require(estimate_seconds(c, expected_train_size(c), K=len(configs)),
                 f"These {len(configs)} runs")
    for config in configs:  # the same line per config as _train_cached (the load test counts)
        _LOG.info("nnlab training run %s", _digest(config))
    work.part(0, 1, "Training the variants together (one stacked batch)")
    return start_batched(list(configs), on_epoch=work.on_epoch,
                         budget=work.budget).advance().snapshots()


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
    results = _train_batched_cached(tuple(configs))
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


# Tables and exports live in nnlab.app.exports; re-exported here for pages and tests.
from nnlab.app.exports import (  # noqa: E402,F401
    configs_json,
    histories_csv,
    runs_table,
    summary_row,
)
