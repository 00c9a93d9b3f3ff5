"""``nnlab.app.runs.cached_work``: the one cached, budgeted piece of work with its progress bar.

Each property of the decorator has its test: a cache hit does no work; the progress bar is made
inside the cached function (a second hit replays without ``CacheReplayClosureError``); a
``BudgetError`` becomes an ``st.error`` with its message and nothing is trained; the
Train/dev/test sweep over the budget is refused before its first run; two decorated functions
called with the same arguments never share a cache entry.
"""

import pytest
from streamlit.testing.v1 import AppTest

from nnlab.config import TrainConfig
from nnlab.core.budget import estimate_seconds, expected_train_size

TIMEOUT = 60

CASES = """
import time
import streamlit as st
from nnlab.app import runs

calls = st.session_state.setdefault("calls", [])

@runs.cached_work
def double(work, x, _label=""):
    calls.append(("double", x))
    for i in range(3):
        time.sleep(0.01)
        work.progress((i + 1) / 3, f"step {i + 1}")
    return 2 * x

@runs.cached_work
def triple(work, x, _label=""):
    calls.append(("triple", x))
    return 3 * x

st.markdown(f"values {double(4, _label='a')} {triple(4)} {double(4, _label='b')}")
"""


def test_cache_hit_does_no_work_and_functions_do_not_collide(monkeypatch):
    from nnlab.app import runs

    monkeypatch.setattr(runs, "PROGRESS_DELAY", 0.0)  # the bar appears at once
    at = AppTest.from_string(CASES, default_timeout=TIMEOUT).run()
    assert not at.exception, at.exception
    # same argument x=4: each function computed once, and triple did not get double's 8
    assert at.session_state["calls"] == [("double", 4), ("triple", 4)]
    assert any(m.value == "values 8 12 8" for m in at.markdown), [m.value for m in at.markdown]
    at.run()  # both are cache hits: replayed (the bar was made inside), nothing computed
    assert not at.exception, at.exception
    assert at.session_state["calls"] == [("double", 4), ("triple", 4)]
    assert len(at.get("progress")) == 0  # removed at the end, not replayed


BAR = """
import streamlit as st
from nnlab.app import train_cached
from nnlab.config import TrainConfig
left, right = st.columns(2)
with left:
    train_cached(TrainConfig(num_epochs=40, hidden_units=(3,), n_samples=60), "a")
st.write("done")
"""


def test_progress_bar_is_made_inside_so_a_second_hit_does_not_raise(monkeypatch):
    from nnlab.app import runs

    seen = []
    real = runs.Work.progress

    def spy(self, fraction, text=""):
        seen.append(fraction)
        return real(self, fraction, text)

    monkeypatch.setattr(runs, "PROGRESS_DELAY", 0.0)
    monkeypatch.setattr(runs.Work, "progress", spy)
    at = AppTest.from_string(BAR, default_timeout=TIMEOUT).run()
    assert not at.exception, at.exception
    assert seen and seen[-1] == pytest.approx(1.0)  # the bar was drawn to the end
    drawn = len(seen)
    for _ in range(2):
        at.run()
        assert not at.exception, at.exception
    assert len(seen) == drawn  # hits replay, they do not draw again
    assert len(at.get("progress")) == 0


OVER = """
import streamlit as st
from nnlab.app import train_cached
from nnlab.config import TrainConfig
train_cached(TrainConfig(hidden_units=(512,) * 30, num_epochs=2000), "huge")
st.write("trained")
"""


def test_budget_error_is_an_st_error_and_nothing_is_trained(monkeypatch):
    from nnlab.app import runs

    monkeypatch.delenv("NNLAB_MAX_SECONDS", raising=False)
    calls = []
    monkeypatch.setattr(runs, "train", lambda config, **kw: calls.append(config))
    at = AppTest.from_string(OVER, default_timeout=TIMEOUT).run()
    assert not at.exception, at.exception
    assert calls == []
    assert [e.value for e in at.error] and "this server allows" in at.error[0].value
    assert "This run (huge) needs about" in at.error[0].value
    assert not any(m.value == "trained" for m in at.markdown)


SWEEP = """
import streamlit as st
from nnlab.app import bias_variance as bv
from nnlab.config import TrainConfig
bv.curves(TrainConfig(dataset="moons", n_samples=400, hidden_units=(16, 16), num_epochs=300))
st.write("swept")
"""


def test_the_train_dev_test_sweep_over_the_budget_is_refused_before_any_run(monkeypatch):
    from nnlab.app import bias_variance as bv
    from nnlab.lessons import fit_diagnosis

    config = TrainConfig(dataset="moons", n_samples=400, hidden_units=(16, 16), num_epochs=300)
    one = estimate_seconds(config, expected_train_size(config))
    total = bv.curves_estimate(config)
    assert total > 3 * one  # the budget fits a few of its runs, not the whole sweep
    monkeypatch.setenv("NNLAB_MAX_SECONDS", str(2 * one))
    calls = []
    real = fit_diagnosis.train
    monkeypatch.setattr(fit_diagnosis, "train",
                        lambda config, **kw: calls.append(config) or real(config, **kw))
    at = AppTest.from_string(SWEEP, default_timeout=TIMEOUT).run()
    assert not at.exception, at.exception
    assert calls == []  # refused before the first of its runs
    assert any("These 14 runs" in e.value and "this server allows" in e.value for e in at.error)
    assert not any(m.value == "swept" for m in at.markdown)
