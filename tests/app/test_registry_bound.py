"""The run registry's bounds (issue 14, item 2): bytes per session and per process, thinned long
histories, and a "Compare runs" page that builds its downloads only when they are asked for.

Speed is not asserted here (``bench/registry.py`` measures it); these tests count bytes, runs
and calls.
"""

import dataclasses
import gc
import io

import numpy as np
import pytest

pytest.importorskip("streamlit")

from streamlit.runtime.media_file_manager import MediaFileManager  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from nnlab.app import registry, runs  # noqa: E402
from nnlab.app.pages import ROOT  # noqa: E402
from nnlab.config import TrainConfig  # noqa: E402
from nnlab.core.train import train  # noqa: E402

TIMEOUT = 60
COMPARE_PAGE = "pages/90_Compare_runs.py"
FAST = TrainConfig(num_epochs=20, hidden_units=(4,), learning_rate=0.1, n_samples=100)
#: The deepest network the app trains: 50 hidden layers, so 51 gradient norms an epoch.
LAYERS = 51


@pytest.fixture(scope="module")
def small():
    return train(FAST)


def deep_history(rows: int, layers: int = LAYERS, every: int = 5) -> dict:
    """A history as a ``layers``-layer run of ``rows`` epochs writes it (evaluated every
    ``every`` epochs, NaN between)."""
    rng = np.random.default_rng(0)
    epoch = np.arange(rows, dtype=float)
    evaluated = (epoch % every == 0) | (epoch == rows - 1)
    history = {"epoch": epoch, "cost": 1 / (1 + epoch) + 0.01 * rng.random(rows),
               "learning_rate": np.full(rows, 0.01)}
    for column in ("train_accuracy", "dev_accuracy", "dev_cost"):
        history[column] = np.where(evaluated, rng.random(rows), np.nan)
    for layer in range(1, layers + 1):
        history[f"grad_norm_{layer}"] = rng.random(rows)
    return history


def deep_result(base, rows: int = 1000):
    """``base`` (a real small run) with the history of a long 51-layer run."""
    return dataclasses.replace(base, history=deep_history(rows), epochs_run=rows)


def array_bytes(store) -> int:
    """The registry's history bytes, counted here independently of ``registry.entry_bytes``."""
    return sum(a.nbytes for e in store[registry.RUNS_KEY] for a in e["history"].values())


# ------------------------------------------------------------------------------ one session


def test_many_large_runs_stay_under_the_session_bound_oldest_dropped_first(small):
    big = deep_result(small)  # 57 columns of 1000 epochs: 456 KB of arrays
    store = {}
    for i in range(registry.MAX_RUNS):
        registry.register_run(big, f"deep {i}", "Vanishing", store=store)
    kept = registry.list_runs(store)
    assert array_bytes(store) <= 32 * 2**20  # before the bound: all 100 runs, 45.6 MB
    assert array_bytes(store) <= registry.registry_bytes(store) <= registry.MAX_SESSION_BYTES
    assert 1 < len(kept) < registry.MAX_RUNS
    labels = [e["label"] for e in kept]
    first = registry.MAX_RUNS - len(kept)
    assert labels == [f"deep {i}" for i in range(first, registry.MAX_RUNS)]  # the newest, in order
    assert registry.dropped_runs(store) == first
    # one run more: one run less of the oldest
    registry.register_run(big, "one more", "Vanishing", store=store)
    assert [e["label"] for e in registry.list_runs(store)] == labels[1:] + ["one more"]
    assert registry.dropped_runs(store) == first + 1
    registry.clear_runs(store)
    assert registry.list_runs(store) == [] and registry.dropped_runs(store) == 0


def test_small_runs_are_bounded_by_count_and_the_newest_run_is_always_kept(small, monkeypatch):
    store = {}
    for i in range(registry.MAX_RUNS + 5):
        registry.register_run(small, f"small {i}", "p", store=store)
    assert [e["label"] for e in registry.list_runs(store)][0] == "small 5"
    assert registry.dropped_runs(store) == 5
    monkeypatch.setattr(registry, "MAX_SESSION_BYTES", 1000)  # smaller than any entry
    registry.register_run(small, "alone", "p", store=store)
    assert [e["label"] for e in registry.list_runs(store)] == ["alone"]


def test_a_long_history_is_thinned_keeping_the_last_and_every_evaluated_epoch():
    rows = 10 * registry.MAX_HISTORY_ROWS + 7
    history = deep_history(rows, layers=3, every=rows // 200)
    thin, stride = registry.thin_history(history)
    epochs = thin["epoch"].astype(int)
    evaluated = np.flatnonzero(~np.isnan(history["dev_accuracy"]))
    assert stride == 11
    assert len(epochs) <= registry.MAX_HISTORY_ROWS + 1 + len(evaluated)
    assert epochs[0] == 0 and epochs[-1] == rows - 1
    assert set(range(0, rows, stride)) <= set(epochs)
    assert set(evaluated) <= set(epochs)  # the dev curve keeps all its points
    for column, values in thin.items():  # values as trained, never averaged
        np.testing.assert_array_equal(values, history[column][epochs])
    # a short history is kept whole
    short = deep_history(registry.MAX_HISTORY_ROWS, layers=2)
    assert registry.thin_history(short) == (short, 1)


def test_early_stopping_histories_evaluated_every_epoch_are_strided_too():
    rows = 5000
    history = deep_history(rows, layers=2, every=1)
    thin, stride = registry.thin_history(history)
    assert stride == 5 and len(thin["epoch"]) == registry.MAX_HISTORY_ROWS + 1
    assert not np.isnan(thin["dev_accuracy"]).any()


def test_a_real_long_run_is_registered_thinned(small):
    result = train(FAST.replace(num_epochs=3 * registry.MAX_HISTORY_ROWS + 1))
    entry = registry.run_entry(result, "long", "p", "r1")
    assert entry["stride"] == 4 and entry["epochs_run"] == 3 * registry.MAX_HISTORY_ROWS + 1
    assert entry["history"]["epoch"][-1] == result.history["epoch"][-1]
    np.testing.assert_array_equal(entry["history"]["cost"][:3], result.history["cost"][[0, 4, 8]])
    assert registry.run_entry(small, "short", "p", "r2")["stride"] == 1


# ------------------------------------------------------------------------------ the process


def test_sessions_share_the_process_total_and_a_freed_registry_gives_it_back(small, monkeypatch):
    gc.collect()  # registries of earlier tests that are gone leave the account
    entry = registry.entry_bytes(registry.run_entry(small, "x"))
    monkeypatch.setattr(registry, "MAX_SESSION_BYTES", 10 * entry)
    monkeypatch.setattr(registry, "MAX_TOTAL_BYTES", registry.held_bytes() + 15 * entry)
    a, b = {}, {}
    for i in range(10):
        registry.register_run(small, f"a {i}", "p", store=a)
    assert len(registry.list_runs(a)) == 10  # a full session allowance
    for i in range(10):
        registry.register_run(small, f"b {i}", "p", store=b)
    assert [e["label"] for e in registry.list_runs(b)] == [f"b {i}" for i in range(5, 10)]
    assert registry.dropped_runs(b) == 5
    assert registry.held_bytes() <= registry.MAX_TOTAL_BYTES

    del a  # session A ends: its registry is freed and leaves the account
    gc.collect()
    for i in range(10, 20):
        registry.register_run(small, f"b {i}", "p", store=b)
    assert len(registry.list_runs(b)) == 10  # B grows back to its own bound
    assert registry.held_bytes() <= registry.MAX_TOTAL_BYTES

    registry.clear_runs(b)
    gc.collect()
    assert registry.held_bytes() == registry.MAX_TOTAL_BYTES - 15 * entry


def test_a_registry_set_as_a_plain_list_is_taken_over(small):
    store = {registry.RUNS_KEY: [registry.run_entry(small, "seeded", "p", "r1")],
             registry.COUNTER_KEY: 1}
    assert registry.register_run(small, "new", "p", store=store) == "r2"
    assert isinstance(store[registry.RUNS_KEY], registry.RunList)
    assert [e["id"] for e in registry.list_runs(store)] == ["r1", "r2"]


# ------------------------------------------------------------------------------ Compare runs


def full_registry(small) -> dict:
    """A session store whose registry is at the byte bound, filled with long 51-layer runs."""
    big = deep_result(small)
    store = {}
    for i in range(registry.MAX_RUNS):
        registry.register_run(big, f"deep {i}", "Vanishing", store=store)
    return store


def test_compare_runs_at_the_bound_builds_downloads_only_when_asked(small, monkeypatch):
    calls = {"csv": 0, "json": 0}
    real_csv, real_json = runs.histories_csv, runs.configs_json

    def counting_csv(entries):
        calls["csv"] += 1
        return real_csv(entries)

    def counting_json(entries):
        calls["json"] += 1
        return real_json(entries)

    deferred = []
    real_add_deferred = MediaFileManager.add_deferred

    def recording_add_deferred(self, data_callable, *args, **kwargs):
        deferred.append(data_callable)
        return real_add_deferred(self, data_callable, *args, **kwargs)

    monkeypatch.setattr(runs, "histories_csv", counting_csv)
    monkeypatch.setattr(runs, "configs_json", counting_json)
    monkeypatch.setattr(MediaFileManager, "add_deferred", recording_add_deferred)

    store = full_registry(small)
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=TIMEOUT).run()
    assert not at.exception, at.exception
    for key, value in store.items():  # the registry, its counter and its dropped count
        at.session_state[key] = value
    at.switch_page(COMPARE_PAGE).run()
    assert not at.exception, at.exception
    at.toggle(key="compare_log_cost").set_value(True).run()  # two reruns at the bound
    assert not at.exception, at.exception
    assert calls == {"csv": 0, "json": 0}  # no rerun built a file
    kept = len(registry.list_runs(store))
    assert kept < registry.MAX_RUNS
    assert at.header[0].value == f"{kept} runs in this session"
    dropped = registry.MAX_RUNS - kept
    assert any(f"{dropped} older runs were dropped" in c.value for c in at.caption)

    downloads = at.get("download_button")
    assert len(downloads) == 2
    assert all(d.proto.HasField("deferred_file_id") for d in downloads)

    csv_file, json_file = deferred[-2:]  # the last run's buttons, as a click would call them
    text = csv_file()
    assert calls == {"csv": 1, "json": 0}
    import pandas as pd

    frame = pd.read_csv(io.StringIO(text))
    assert len(frame) == sum(len(e["history"]["epoch"]) for e in registry.list_runs(store))
    assert frame["run_id"].iloc[-1] == registry.list_runs(store)[-1]["id"]
    assert json_file().count('"id"') == kept
    assert calls == {"csv": 1, "json": 1}


def test_compare_runs_says_when_runs_are_thinned(small):
    store = {}
    registry.register_run(deep_result(small, rows=3 * registry.MAX_HISTORY_ROWS + 1), "long", "p",
                      store=store)
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=TIMEOUT).run()
    for key, value in store.items():
        at.session_state[key] = value
    at.switch_page(COMPARE_PAGE).run()
    assert not at.exception, at.exception
    assert any("every k-th epoch (k up to 4)" in c.value for c in at.caption)
    assert not any("dropped" in c.value for c in at.caption)


def test_the_runs_table_converts_to_arrow_without_guessing(small):
    """A full-batch run beside a mini-batch one: every column has one type (pyarrow warned on
    the mixed "full"/int ``mini_batch_size`` column and converted it by guessing)."""
    import warnings

    pa = pytest.importorskip("pyarrow")
    store: dict = {}
    registry.register_run(small, "full batch", "p", store=store)
    mini = train(small.config.replace(mini_batch_size=32))
    registry.register_run(mini, "mini-batch", "p", store=store)
    table = runs.runs_table(registry.list_runs(store))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pa.Table.from_pandas(table)
    assert list(table["mini_batch_size"]) == ["full", "32"]
