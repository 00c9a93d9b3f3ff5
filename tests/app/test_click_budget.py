"""One click, one budget (issue 14): the clicks found unbudgeted are refused before they train
or stopped within the budget's charge, and the estimate counts per-step and per-layer work.

No timings here: every assertion compares estimates and charges (speed figures live in
``python -m bench.clicks``).
"""

import math
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from nnlab import course
from nnlab.app import bias_variance as bv
from nnlab.app import regularization as reg
from nnlab.app.widgets import EPOCHS
from nnlab.config import TrainConfig
from nnlab.core import budget
from nnlab.core.train import make_dataset
from nnlab.lessons import fit_diagnosis, symmetry

TIMEOUT = 120
_ROOT = Path(__file__).resolve().parents[2]
#: The Train/dev/test page's network at the issue's setting: 50 hidden layers, most epochs.
DEEP = TrainConfig(dataset="moons", n_samples=300, noise=0.2, hidden_units=(8,) * 50,
                   optimizer="adam", learning_rate=0.01, num_epochs=max(EPOCHS))
#: A small sweep that trains in a moment (14 runs of 40 epochs).
SMALL = TrainConfig(dataset="moons", n_samples=200, hidden_units=(6, 6), optimizer="adam",
                    learning_rate=0.01, num_epochs=40)

CURVES = """
import streamlit as st
from nnlab.app import bias_variance as bv
from nnlab.config import TrainConfig
bv.curves(TrainConfig.from_dict({config!r}))
st.write("swept")
"""


@pytest.fixture
def trained(monkeypatch):
    """Every run the Train/dev/test sweep starts: ``(config, m_train, TrainResult)``."""
    runs, real = [], fit_diagnosis.train

    def spy(config, **kw):
        result = real(config, **kw)
        runs.append((config, kw["data"].m_train, result))
        return result

    monkeypatch.setattr(fit_diagnosis, "train", spy)
    return runs


def _curves_app(config: TrainConfig) -> AppTest:
    return AppTest.from_string(CURVES.format(config=config.to_dict()),
                               default_timeout=TIMEOUT).run()


def test_train_the_curves_at_max_epochs_is_refused_before_its_first_run(monkeypatch, trained):
    monkeypatch.delenv(budget.ENV_VAR, raising=False)
    assert bv.curves_estimate(DEEP) > budget.DEFAULT_MAX_SECONDS
    at = _curves_app(DEEP)
    assert not at.exception, at.exception
    assert trained == []
    [error] = [e.value for e in at.error]
    assert error.startswith("These 14 runs need")
    assert f"allows {budget.DEFAULT_MAX_SECONDS:.1f} s per click" in error
    assert "NNLAB_MAX_SECONDS=inf" in error
    assert not any(m.value == "swept" for m in at.markdown)


def test_an_estimate_that_misses_is_stopped_by_the_charges_of_one_budget(monkeypatch, trained):
    """With the up-front check fooled (an estimate of 0 s), the 14 runs still draw on one
    budget: they stop once it is spent, the runs left never start, the page says why, and the
    epochs trained never cost more than the cap."""
    one = budget.estimate_seconds(SMALL, budget.expected_train_size(SMALL))
    cap = 3.5 * one  # a few of the 14 runs
    monkeypatch.setenv(budget.ENV_VAR, repr(cap))
    monkeypatch.setattr(bv, "curves_estimate", lambda config: 0.0)
    at = _curves_app(SMALL)
    assert not at.exception, at.exception
    assert any("The curves was stopped before its end" in e.value
               and "compute budget" in e.value and "is spent" in e.value for e in at.error)
    assert not any(m.value == "swept" for m in at.markdown)
    assert 3 <= len(trained) < 14  # stopped in the sweep; the runs after it never started
    assert trained[-1][2].status == "stopped"
    assert all(r.status == "ok" for _, _, r in trained[:-1])
    charged = sum(r.epochs_run * budget.estimate_seconds(c, m) / c.num_epochs
                  for c, m, r in trained)
    assert charged <= cap


def test_a_page_that_has_gone_stops_the_sweep_and_starts_no_more_runs(trained):
    looks = []

    def gone():
        looks.append(1)
        return len(looks) > 60  # the tab closes during the second run

    click = budget.Budget(stop=gone)
    data = make_dataset(SMALL)
    sizes = fit_diagnosis.learning_curve_sizes(data.m_train, bv.LEARNING_CURVE_POINTS)
    learning = fit_diagnosis.learning_curve(SMALL, sizes, data=data, budget=click)
    capacity = fit_diagnosis.capacity_curve(SMALL, bv.CAPACITY_WIDTHS, data=data, budget=click)
    assert click.cancelled
    assert len(trained) == 2  # the run the tab closed in, and none after it
    assert trained[1][2].status == "stopped" and "has gone" in trained[1][2].message
    assert learning["status"][:2] == ["ok", "stopped"]
    assert set(learning["status"][2:] + capacity["status"]) == {"stopped"}
    assert math.isnan(capacity["train_error"][0]) and math.isnan(learning["dev_error"][-1])


def test_the_curves_estimate_is_the_sum_of_its_runs_charges(trained):
    """What the sweep requires up front is what its runs charge (``bv.curves`` runs the two
    curves on one budget), so that a click the estimate accepts is never stopped by its own
    charges."""
    click = budget.Budget(seconds=1e6)
    data = make_dataset(SMALL)
    sizes = fit_diagnosis.learning_curve_sizes(data.m_train, bv.LEARNING_CURVE_POINTS)
    fit_diagnosis.learning_curve(SMALL, sizes, data=data, budget=click)
    fit_diagnosis.capacity_curve(SMALL, bv.CAPACITY_WIDTHS, data=data, budget=click)
    assert len(trained) == 14 and all(r.status == "ok" for _, _, r in trained)
    assert click.spent == pytest.approx(bv.curves_estimate(SMALL), rel=1e-9)


# ------------------------------------------------------------------ the estimate's overheads


def test_the_estimate_counts_every_step_and_every_layer():
    """A NumPy call costs microseconds however small its array: batch size 1 (m steps an
    epoch) and 50 layers (50 calls of each kind a step) cost about as many times more, not the
    few flops their arrays hold."""
    c = TrainConfig(dataset="moons", n_samples=300, hidden_units=(10, 5), num_epochs=100)
    m = budget.expected_train_size(c)
    per_step = budget.estimate_seconds(c.replace(mini_batch_size=1), m)
    assert per_step / budget.estimate_seconds(c, m) > m / 10
    narrow = TrainConfig(hidden_units=(8,), num_epochs=100)
    assert (budget.estimate_seconds(narrow.replace(hidden_units=(8,) * 50), m)
            / budget.estimate_seconds(narrow, m)) > 5
    terms = budget.cost_terms(c.replace(mini_batch_size=1), m)
    assert terms["steps"] == 100 * m and terms["layer_steps"] == 3 * 100 * m


def test_the_issues_clicks_are_over_the_default_cap_and_so_refused():
    """The issue measured them at minutes per click with estimates far under the cap."""
    cap = budget.DEFAULT_MAX_SECONDS
    # Train/dev/test: the capacity curve at depth 50 and 10,000 epochs
    assert bv.curves_estimate(DEEP) > cap
    # Optimizers: the four optimizers at batch size 1 and 2,000 epochs (~3.8 min measured)
    sgd = TrainConfig(dataset="moons", n_samples=300, hidden_units=(10, 5), learning_rate=0.01,
                      mini_batch_size=1, num_epochs=2000)
    budget.Budget(cap).require_runs([sgd])  # one of them fits
    with pytest.raises(budget.BudgetError):
        budget.Budget(cap).require_runs(
            [sgd.replace(optimizer=o) for o in ("gd", "momentum", "rmsprop", "adam")])
    # Regularization: the assignment's setting at 50 layers, 7 runs of 30,000 epochs (~4 min)
    deep = reg.BASE.replace(hidden_units=(20,) * 50, **course.REGULARIZATION_SETTINGS)
    assert 7 * budget.estimate_seconds(deep, budget.expected_train_size(deep)) > cap
    # ... while the assignment's own network fits, all 7 runs in one click
    own = reg.BASE.replace(**course.REGULARIZATION_SETTINGS)
    assert 7 * budget.estimate_seconds(own, budget.expected_train_size(own)) < cap


# ------------------------------------------------------------------ Initialization's clicks

SYMMETRY = """
import streamlit as st
from nnlab.app import initialization as init_app
from nnlab.config import TrainConfig
init_app.symmetry_view(TrainConfig.from_dict({config!r}))
st.write("drawn")
"""

REPRODUCE = """
import streamlit as st
from nnlab.app import initialization_course as init_course
init_course.course_runs_cached()
st.write("reproduced")
"""


def test_the_symmetry_view_is_refused_before_its_first_run(monkeypatch):
    monkeypatch.delenv(budget.ENV_VAR, raising=False)
    calls = []
    monkeypatch.setattr(symmetry, "train_with_snapshots", lambda *a, **kw: calls.append(a))
    config = TrainConfig(dataset="circles", n_samples=2000, hidden_units=(512,) * 50,
                         num_epochs=max(EPOCHS))
    at = AppTest.from_string(SYMMETRY.format(config=config.to_dict()),
                             default_timeout=TIMEOUT).run()
    assert not at.exception, at.exception
    assert calls == []
    assert any("The symmetry view (3 runs) needs about" in e.value
               and "this server allows" in e.value for e in at.error)
    assert not any(m.value == "drawn" for m in at.markdown)


def test_reproducing_the_initialization_assignment_is_required_as_three_runs(monkeypatch):
    one = TrainConfig(dataset="circles", hidden_units=(10, 5), optimizer="gd", num_epochs=15000)
    three = 3 * budget.estimate_seconds(one, 300)
    assert three < budget.DEFAULT_MAX_SECONDS  # the button's click fits the default cap
    monkeypatch.setenv(budget.ENV_VAR, repr(0.9 * three))
    calls = []
    monkeypatch.setattr(course, "run_initialization", lambda *a, **kw: calls.append(a))
    at = AppTest.from_string(REPRODUCE, default_timeout=TIMEOUT).run()
    assert not at.exception, at.exception
    assert calls == []
    assert any("Reproducing the assignment (3 runs) needs about" in e.value for e in at.error)


def test_gradient_checks_are_estimated_and_charged_to_the_click():
    """Gradient checking had no budget (76 s of CPU at 6 hidden layers of 32): every check now
    spends its estimate, two cost evaluations per parameter, before it runs."""
    from nnlab.app import gradient_checking as gc

    small, big = gc.check_seconds((5, 3)), gc.check_seconds((32,) * 6, "softmax")
    assert big > 100 * small
    assert gc.check_seconds((5, 3), n_epsilons=12) == pytest.approx(12 * small)
    at = AppTest.from_file(str(_ROOT / "pages/16_Gradient_checking.py"), default_timeout=TIMEOUT)
    at.query_params["g_hidden_units"] = "32*6"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NNLAB_MAX_SECONDS", str(3 * big))  # a few checks fit, not the page's ~20
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("this server allows" in e.value for e in at.error), [e.value for e in at.error]
