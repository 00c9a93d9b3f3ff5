"""Live training in a real browser, on every live page: Reset, Step, Play, Pause.

One ``streamlit run`` on loopback serves the module; each test opens one page in a new browser
context (a new Streamlit session), waits for its first run (the finished one-shot runs), and
then, as a learner would: **Reset** shows epoch 0, **Step** one epoch more, **Play** makes the
Epoch metric (Update on the mini-batch page, Step on the loss landscapes) rise frame after
frame, **Pause** holds it. No exception box at any point.

Every wait is for a state (the metric's text, a higher epoch), never a count taken once: on a
loaded machine the frames come slower, not differently.
"""

from __future__ import annotations

import re
import time

import pytest

from tests.browser import (
    EXCEPTION,
    exception_texts,
    new_session,
    screenshot,
    wait_for_app,
)

pytestmark = pytest.mark.browser

#: URL path of each live page -> the key of its live view.
LIVE_PAGES = {"Train_dev_test": "tdt_live", "Initialization": "init_live",
              "Regularization": "reg_live", "Vanishing_gradients": "van_live",
              "Optimizers": "opt_live", "Learning_rate_decay": "lr_live",
              "Batch_norm": "bn_live", "Softmax": "sm_live", "Mini_batches": "mb_live",
              "Loss_landscapes": "ll_live"}
#: Seconds to wait for a state the page must reach (a frame, a click's answer).
STATE_TIMEOUT = 60
#: How long a paused page is watched for a frame that must not come.
PAUSE_WATCH = 1.5


@pytest.fixture
def session(browser):
    page = new_session(browser)
    yield page
    page.context.close()


def _epoch_locator(page):
    metric = page.locator('[data-testid="stMetric"]', has_text=re.compile("Epoch|Update|Step"))
    return metric.locator('[data-testid="stMetricValue"]').first


def _epoch(page) -> tuple[int, int]:
    done, total = re.match(r"\s*(\d+)\s*/\s*(\d+)", _epoch_locator(page).inner_text()).groups()
    return int(done), int(total)


def _wait_epoch(page, test: str) -> tuple[int, int]:
    """Wait until the Epoch metric ``"e / N"`` satisfies ``test`` (a JS expression in e, N)."""
    page.wait_for_function(
        f"""() => {{
            const m = Array.from(document.querySelectorAll('[data-testid="stMetric"]'))
                .find(x => /Epoch|Update|Step/.test(x.innerText));
            if (!m) return false;
            const v = m.querySelector('[data-testid="stMetricValue"]').innerText;
            const g = v.match(/(\\d+)\\s*\\/\\s*(\\d+)/);
            if (!g) return false;
            const e = parseInt(g[1]), N = parseInt(g[2]);
            return {test};
        }}""", timeout=STATE_TIMEOUT * 1000, polling=50)
    return _epoch(page)


def _button(page, key: str, name: str):
    """The button ``name`` of the widget ``key`` (the Play/Pause switch's options are
    buttons without the button role: found by their text)."""
    return page.locator(f".st-key-{key}").get_by_text(name, exact=True).first


@pytest.mark.parametrize("name", list(LIVE_PAGES))
def test_reset_step_play_pause(server, session, name):
    page, key = session, LIVE_PAGES[name]
    try:
        page.goto(f"{server.base}/{name}")
        wait_for_app(page)
        _, total = _wait_epoch(page, "e === N")  # the first visit: the finished runs
        _button(page, f"{key}_reset", "Reset").click()
        assert _wait_epoch(page, "e === 0") == (0, total)
        _button(page, f"{key}_step", "Step").click()
        assert _wait_epoch(page, "e === 1") == (1, total)
        _button(page, f"{key}_mode", "Play").click()
        first = _wait_epoch(page, "e > 1")[0]
        later = _wait_epoch(page, f"e > {first} || e === N")[0]  # another frame
        assert later > first
        _button(page, f"{key}_mode", "Pause").click()
        # the frame in flight when Pause was clicked may still land: wait until none does
        held = _epoch(page)[0]
        deadline = time.monotonic() + STATE_TIMEOUT
        while time.monotonic() < deadline:
            time.sleep(PAUSE_WATCH)
            now = _epoch(page)[0]
            if now == held:
                break
            held = now
        assert now == held, f"the epoch kept moving while paused ({held} -> {now})"
        assert page.locator(EXCEPTION).count() == 0, exception_texts(page)
    except BaseException:
        screenshot(page, f"FAILED-live-{name}")
        raise
