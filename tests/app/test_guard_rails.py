"""Guard rails for the shared server: the compute budget stops a run with a clear message."""

from streamlit.testing.v1 import AppTest

SCRIPT = """
import streamlit as st
from nnlab.app import train_cached
from nnlab.config import TrainConfig
st.title("budget")
result = train_cached(TrainConfig(hidden_units=(512,) * 30, num_epochs=2000), "huge")
st.write("trained", result.status)
"""


def test_over_budget_run_shows_why_and_trains_nothing(monkeypatch):
    monkeypatch.delenv("NNLAB_MAX_SECONDS", raising=False)
    at = AppTest.from_string(SCRIPT, default_timeout=60).run()
    assert not at.exception
    assert any("this server allows" in e.value and "NNLAB_MAX_SECONDS" in e.value
               for e in at.error)
    assert not any("trained" in m.value for m in at.markdown)


def test_budget_can_be_raised_for_local_use(monkeypatch):
    monkeypatch.setenv("NNLAB_MAX_SECONDS", "inf")
    script = SCRIPT.replace("(512,) * 30, num_epochs=2000", "(4,), num_epochs=3")
    at = AppTest.from_string(script, default_timeout=60).run()
    assert not at.exception and not at.error
    assert any("trained" in m.value for m in at.markdown)


MANY = """
import streamlit as st
from nnlab.app import train_many
from nnlab.config import TrainConfig
base = TrainConfig(dataset="moons", n_samples=120, hidden_units=(6,), num_epochs=30)
out = train_many([(f"lr {lr}", base.replace(learning_rate=lr)) for lr in (0.05, 0.5, 2.0)])
st.session_state["dev"] = [r.metrics["dev_accuracy"] for _, r in out]
st.session_state["labels"] = [label for label, _ in out]
"""


def test_train_many_batches_variants_and_equals_lone_runs():
    from nnlab.config import TrainConfig
    from nnlab.core.train import train

    at = AppTest.from_string(MANY, default_timeout=60).run()
    assert not at.exception
    base = TrainConfig(dataset="moons", n_samples=120, hidden_units=(6,), num_epochs=30)
    lone = [train(base.replace(learning_rate=lr)).metrics["dev_accuracy"]
            for lr in (0.05, 0.5, 2.0)]
    assert at.session_state["dev"] == lone
    assert at.session_state["labels"] == ["lr 0.05", "lr 0.5", "lr 2.0"]
    assert len(at.session_state["nnlab_runs"]) == 3
