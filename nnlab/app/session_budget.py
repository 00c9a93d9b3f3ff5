"""The compute budget of one click, as the app sees it.

Every script run of a page is one interaction of the learner: ``page_setup`` starts its
:class:`nnlab.core.budget.Budget` (:func:`new_interaction_budget`), every run it computes is
charged to it (:func:`interaction_budget`), and its stop token (:func:`session_stop_token`)
ends the work once the learner's browser session has gone.
"""

from __future__ import annotations

import time

import streamlit as st

from nnlab.core.budget import Budget

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


