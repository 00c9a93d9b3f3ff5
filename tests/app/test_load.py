"""Load: 8 concurrent browser sessions open the same heavy page on a fresh server.

All 8 finish with no exception box and a chart drawn, and every config the page trains is
trained exactly once: ``st.cache_data`` holds a per-key compute lock, so the sessions that ask
for a config being computed wait for it instead of training it again. All eight navigations are
sent before any is waited for; how many script runs then overlap depends on the machine's speed
(a fast machine may finish one before the next starts), so it is reported, never asserted.
The trainings are counted in the server log (``nnlab.app.runs`` logs "nnlab training run
<digest>" for every real computation; cache hits log nothing). Bounded: 8 sessions, loopback,
a hard timeout.
"""

from __future__ import annotations

import time

import pytest

from tests.browser import (
    BACKGROUND_ARGS,
    app_scripts,
    chromium,
    exception_texts,
    logged_streamlit_server,
    new_session,
    page_url_path,
    rendered_charts,
    require_browser,
    screenshot,
    wait_for_app,
    wait_for_chart,
)

pytestmark = pytest.mark.browser

SESSIONS = 8
#: Hard limit for all sessions to finish (seconds).
LOAD_TIMEOUT = 180
#: Heavy pages whose default render trains several cached runs; the first that exists is used.
HEAVY_PAGES = ("Initialization", "Optimizers", "Regularization")


def _heavy_page() -> str:
    names = [page_url_path(p) for p in app_scripts()]
    for name in HEAVY_PAGES:
        if name in names:
            return name
    pytest.skip("no heavy page exists yet")


def _running(pages) -> int:
    states = [p.evaluate("""() => {
        const app = document.querySelector('[data-testid="stApp"]');
        return app ? app.getAttribute('data-test-script-state') : null; }""") for p in pages]
    return sum(s == "running" for s in states)


def test_concurrent_sessions_train_each_config_once():
    require_browser()
    name = _heavy_page()
    start = time.monotonic()
    with logged_streamlit_server(name="server-load") as server, \
            chromium(*BACKGROUND_ARGS) as browser:
        pages = [new_session(browser) for _ in range(SESSIONS)]
        try:
            # all navigations start at once: goto returns as soon as each one commits
            for page in pages:
                page.goto(f"{server.base}/{name}", wait_until="commit")
            most_running = 0
            for page in pages:
                page.wait_for_selector('[data-testid="stApp"]', timeout=60_000)
            while time.monotonic() - start < 30:  # how many ran at the same time
                running = _running(pages)
                most_running = max(most_running, running)
                if running == 0 and most_running:
                    break
                time.sleep(0.2)
            for i, page in enumerate(pages):
                left = LOAD_TIMEOUT - (time.monotonic() - start)
                assert left > 0, f"the {SESSIONS} sessions took more than {LOAD_TIMEOUT} s"
                wait_for_app(page, timeout=left)
                errors = exception_texts(page)
                assert not errors, f"session {i}: exception box: {errors}"
                # eight sessions draw their charts in one browser: allow the time left
                wait_for_chart(page, timeout=max(30.0, LOAD_TIMEOUT - (time.monotonic() - start)))
                assert rendered_charts(page) >= 1
        except BaseException:
            for i, page in enumerate(pages):
                screenshot(page, f"FAILED-load-session-{i}")
            raise
        elapsed = time.monotonic() - start
        trainings = server.trainings()
    assert trainings, f"no 'nnlab training run' line in {server.log_path}: is INFO logged?"
    repeated = {digest: n for digest, n in trainings.items() if n != 1}
    assert not repeated, f"configs trained more than once by {SESSIONS} sessions: {repeated}"
    print(f"\nload: {SESSIONS} sessions on {name}, up to {most_running} running at once, "
          f"all done in {elapsed:.0f} s; {len(trainings)} configs, each trained once")
