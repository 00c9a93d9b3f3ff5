"""Every challenge solved in a real browser, as a teacher's link would have a class do it: open
the card alone (classroom mode, ``?challenge=``) with the known solution in the link, press
Play, and wait for the tick the check draws under the live picture; the link then names the
challenge in ``?solved=``.

One server and one Chromium serve the module (``tests/app/conftest.py``); each challenge gets
its own session. (Solving them all in one session, switching cards in the list, was tried:
after some 100 frames Streamlit 1.67's frontend lost a cached message, "Cached ForwardMsg
MISS", and the page disconnected.) The speed is set to its largest (epochs per frame) with
the keyboard, as a learner can, so that no run takes the 15 s of the automatic pace. Every
wait is for a state, never a count taken once.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest

from nnlab.lessons import challenge_catalog as catalog
from tests.browser import (
    EXCEPTION,
    UI_TIMEOUT,
    exception_texts,
    new_session,
    nudge_slider,
    screenshot,
    wait_for_app,
    wait_for_rerun,
)

pytestmark = pytest.mark.browser

#: Seconds to wait for the tick once Play is pressed (a loaded machine plays slower).
SOLVE_TIMEOUT = 120
TICK = re.compile(r"Goal met:")  # the verdict (the toast says "Challenge solved")


def solution_link(base: str, ch) -> str:
    """The classroom link of ``ch`` with its known solution (as the widgets write it)."""
    params = {"challenge": ch.id}
    for name, value in ch.solution.items():
        params[f"{ch.id}_{name}"] = ch.knob(name).name_of(value)
    return f"{base}/Challenges?{urlencode(params)}"


#: Seconds after a click on Play within which the runs must have moved (else it is clicked
#: again: on a loaded machine a click can land while the toolbar is being redrawn).
MOVE_WITHIN = 15
PLAY_CLICKS = 3


def press_play(page, key: str) -> None:
    """Click Play until the Epoch metric leaves 0 (or the tick is there)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    moved = """() => {
        const m = Array.from(document.querySelectorAll('[data-testid="stMetric"]'))
            .find(x => /Epoch/.test(x.innerText));
        const v = m && m.querySelector('[data-testid="stMetricValue"]').innerText;
        return (v && !/^\\s*0\\s*\\//.test(v))
            || document.body.innerText.includes('Goal met');
    }"""
    for attempt in range(PLAY_CLICKS):
        wait_for_app(page)
        play = page.locator(f".st-key-{key}_mode").get_by_text("Play", exact=True).first
        active = page.locator(f'.st-key-{key}_mode [data-testid$="segmented_controlActive"]',
                              has_text="Play")
        if not active.count():  # a second click on an active option would clear it
            play.click()
        try:
            page.wait_for_function(moved, timeout=MOVE_WITHIN * 1000, polling=100)
            return
        except PlaywrightTimeout:
            if attempt == PLAY_CLICKS - 1:
                raise


@pytest.fixture
def session(browser):
    page = new_session(browser, 1280, 800)
    yield page
    page.context.close()


@pytest.mark.parametrize("ch", catalog.CHALLENGES, ids=lambda c: c.id)
def test_known_solution_ticks_after_play(server, session, ch):
    page = session
    try:
        page.goto(solution_link(server.base, ch))
        wait_for_app(page)
        page.get_by_text("Press Play", exact=False).first.wait_for(timeout=UI_TIMEOUT * 1000)
        assert page.get_by_text(TICK).count() == 0  # nothing is met before Play
        assert page.locator(".st-key-open_pick").count() == 0  # classroom: no list
        runs = page.evaluate("window.__nnlabRuns || 0")
        nudge_slider(page, f"ch_{ch.id}_speed", "End")
        wait_for_rerun(page, runs)
        press_play(page, f"ch_{ch.id}")
        page.get_by_text(TICK).first.wait_for(timeout=SOLVE_TIMEOUT * 1000)
        page.wait_for_function(
            f"() => new URLSearchParams(location.search).get('solved') === '{ch.id}'",
            timeout=UI_TIMEOUT * 1000)
        assert page.locator(EXCEPTION).count() == 0, exception_texts(page)
    except BaseException:
        screenshot(page, f"FAILED-challenge-{ch.id}")
        raise
