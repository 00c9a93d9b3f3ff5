"""The compute budget: the cost model, the cap, and the loop that charges it."""

import math

import pytest

from nnlab.config import TrainConfig
from nnlab.core import budget
from nnlab.core.batched import start_batched
from nnlab.core.train import train


def test_cost_terms_count_steps_layers_and_multiply_adds():
    c = TrainConfig(hidden_units=(10, 5), num_epochs=100, mini_batch_size=64)
    terms = budget.cost_terms(c, 300, K=3)
    weights = 2 * 10 + 10 * 5 + 5 * 1
    assert terms["madds"] == 3 * 100 * 300 * weights * 3
    assert terms["steps"] == 100 * math.ceil(300 / 64)
    assert terms["layer_steps"] == terms["steps"] * 3
    assert terms["ref_layer_steps"] == 0  # only batch norm runs on the readable backend
    assert budget.cost_terms(c.replace(batch_norm=True), 300)["ref_layer_steps"] > 0


def test_the_estimate_grows_with_every_axis_of_the_work():
    c = TrainConfig(hidden_units=(16, 16), num_epochs=100)
    est = budget.estimate_seconds(c, 300)
    assert est > 0
    for bigger in (c.replace(num_epochs=200), c.replace(hidden_units=(16,) * 10),
                   c.replace(hidden_units=(256, 256)), c.replace(mini_batch_size=1)):
        assert budget.estimate_seconds(bigger, 300) > est, bigger
    assert budget.estimate_seconds(c, 3000) > est
    assert budget.estimate_seconds(c, 300, K=8) > est


def test_course_reproduction_fits_the_default_budget():
    c = TrainConfig(hidden_units=(10, 5), num_epochs=15000)
    budget.Budget().require(budget.estimate_seconds(c, 300))


def test_over_budget_click_is_a_clear_error_and_env_lifts_it():
    c = TrainConfig(hidden_units=(512,) * 40, num_epochs=1000)
    with pytest.raises(budget.BudgetError, match="this server allows.*NNLAB_MAX_SECONDS=inf"):
        budget.Budget().require(budget.estimate_seconds(c, 300))
    unlimited = budget.Budget(budget.max_seconds({"NNLAB_MAX_SECONDS": "inf"}))
    unlimited.require(budget.estimate_seconds(c, 300))


def test_runs_of_one_click_share_one_budget():
    click = budget.Budget(10.0)
    click.require_runs([TrainConfig(num_epochs=10)] * 3)
    click.spent = 9.99
    with pytest.raises(budget.BudgetError, match="These runs"):
        click.require_runs([TrainConfig(num_epochs=5000, hidden_units=(64, 64))])


@pytest.mark.parametrize("raw", ["lots", "-1", "0", "nan"])
def test_bad_env_value_is_named(raw):
    with pytest.raises(ValueError, match="NNLAB_MAX_SECONDS"):
        budget.max_seconds({"NNLAB_MAX_SECONDS": raw})


def test_expected_train_size_matches_the_split():
    from nnlab.core.train import make_dataset

    for c in (TrainConfig(n_samples=301, fractions=(0.5, 0.3, 0.2)), TrainConfig(),
              TrainConfig(dataset="football")):
        assert budget.expected_train_size(c) == make_dataset(c).m_train


def test_the_loop_stops_a_run_when_the_click_has_spent_its_budget():
    config = TrainConfig(num_epochs=500)
    per_epoch = budget.estimate_seconds(config, 180) / 500
    result = train(config, budget=budget.Budget(per_epoch * 40.5))
    assert result.status == "stopped" and result.epochs_run == 40
    assert "compute budget" in result.message and "NNLAB_MAX_SECONDS" in result.message
    assert math.isfinite(result.metrics["train_accuracy"])


def test_every_run_of_a_click_draws_on_the_same_budget():
    config = TrainConfig(num_epochs=100)
    per_epoch = budget.estimate_seconds(config, 180) / 100
    click = budget.Budget(per_epoch * 150.5)
    first, second = train(config, budget=click), train(config, budget=click)
    assert first.status == "ok" and second.status == "stopped" and second.epochs_run == 50


def test_a_stop_token_ends_every_row_of_a_stack_between_epochs():
    calls = []

    def gone():
        calls.append(1)
        return len(calls) > 7

    click = budget.Budget(stop=gone)
    run = start_batched([TrainConfig(num_epochs=50, learning_rate=r) for r in (0.1, 0.2)],
                        budget=click).advance()
    assert run.done and click.cancelled
    assert [(r.status, r.epochs_run) for r in run.snapshots()] == [("stopped", 7)] * 2
    assert all("has gone" in r.message for r in run.snapshots())


def test_the_app_stop_token_says_gone_once_the_session_is_no_longer_active(monkeypatch):
    """``nnlab.app.session_budget.session_stop_token`` asks the Streamlit runtime, at most every
    ``STOP_CHECK_SECONDS``, whether the session that started the run is still active."""
    pytest.importorskip("streamlit")
    from types import SimpleNamespace

    import streamlit.runtime
    import streamlit.runtime.scriptrunner

    from nnlab.app import session_budget as runs

    active = {"s1"}
    fake = SimpleNamespace(is_active_session=lambda sid: sid in active)
    monkeypatch.setattr(streamlit.runtime.Runtime, "exists", staticmethod(lambda: True))
    monkeypatch.setattr(streamlit.runtime.Runtime, "instance", staticmethod(lambda: fake))
    monkeypatch.setattr(streamlit.runtime.scriptrunner, "get_script_run_ctx",
                        lambda suppress_warning=False: SimpleNamespace(session_id="s1"))
    clock = [100.0]
    monkeypatch.setattr(runs.time, "monotonic", lambda: clock[0])
    gone = runs.session_stop_token()
    clock[0] += runs.STOP_CHECK_SECONDS
    assert gone() is False
    active.clear()  # the tab is closed
    assert gone() is False  # asked again too soon: no look
    clock[0] += runs.STOP_CHECK_SECONDS
    assert gone() is True
    clock[0] += runs.STOP_CHECK_SECONDS
    click = budget.Budget(stop=gone)
    assert "has gone" in click.charge(0.0) and click.cancelled


def test_no_stop_token_outside_a_server():
    pytest.importorskip("streamlit")
    from nnlab.app import session_budget as runs

    assert runs.session_stop_token() is None


def test_a_budget_charged_later_applies_to_both_backends():
    for config in (TrainConfig(num_epochs=300), TrainConfig(num_epochs=300, batch_norm=True)):
        from nnlab.core.train import start

        run = start(config).advance(10)
        per_epoch = budget.estimate_seconds(config, 180) / 300
        run.charge_to(budget.Budget(per_epoch * 5.5)).advance(100)
        assert run.epoch == 15 and run.done
        assert run.snapshot().status == "stopped"


def test_the_reference_backend_is_charged_too():
    """Batch norm steps on the reference backend (no fast network): a budget works there."""
    config = TrainConfig(hidden_units=(4,), batch_norm=True, num_epochs=5, n_samples=60)
    b = budget.Budget(seconds=60)
    result = train(config, budget=b)
    assert result.status == "ok" and b.spent > 0
