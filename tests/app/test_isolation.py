"""Two browser sessions on one server never see each other's runs, registry or upload.

Session A (its own browser context) trains on a topic page, so its runs register, and uploads
its own CSV; A's "Compare runs" lists A's runs. Session B (another context, same server) sees
"No runs yet" and no uploaded data. Then B makes its own runs, A clears its registry, and B's
runs are still there. (``tests/test_runs.py``-style AppTest checks cover the registry's
functions; this is the real server with real sessions.)
"""

from __future__ import annotations

import re

import pytest

from tests.browser import (
    UI_TIMEOUT,
    app_scripts,
    chromium,
    exception_texts,
    go_to_page,
    logged_streamlit_server,
    new_session,
    page_url_path,
    require_browser,
    screenshot,
    wait_for_app,
    wait_for_rerun,
    widget,
)

pytestmark = pytest.mark.browser

#: A cheap topic page that trains (so registers runs) and offers an upload; first one found.
TOPIC_PAGES = ("Mini_batches", "Train_dev_test", "Initialization")
COMPARE = "Compare runs"
NO_RUNS = "No runs yet"
RUNS_HEADING = re.compile(r"^(\d+) runs? in this session$")
A_FILE = "session_a_private.csv"


def _topic_page() -> str:
    names = [page_url_path(p) for p in app_scripts()]
    for name in TOPIC_PAGES:
        if name in names:
            return name
    pytest.skip("none of the topic pages exists yet")


def _csv() -> bytes:
    rows = ["x1,x2,label"]
    for i in range(40):
        x1, x2 = (i % 10) / 10.0, (i // 10) / 4.0
        rows.append(f"{x1:.2f},{x2:.2f},{int(x1 + x2 > 0.9)}")
    return ("\n".join(rows) + "\n").encode()


def _run_count(page) -> int:
    heading = page.get_by_text(RUNS_HEADING).first
    heading.wait_for(timeout=UI_TIMEOUT * 1000)
    return int(RUNS_HEADING.match(heading.inner_text().strip()).group(1))


def _no_errors(page, who: str) -> None:
    errors = exception_texts(page)
    assert not errors, f"{who}: exception box: {errors}"


def _upload(page) -> bool:
    """Upload A's CSV on the current page; False when the page has no uploader."""
    uploader = page.locator('[class*="st-key-"][class*="_own_upload"]').first
    if uploader.count() == 0:
        return False
    runs = wait_for_app(page)
    # the uploader sits in a collapsed expander: its (hidden) file input still takes files
    uploader.locator('input[type="file"]').first.set_input_files(
        files=[{"name": A_FILE, "mimeType": "text/csv", "buffer": _csv()}])
    wait_for_rerun(page, runs)
    page.get_by_text(f"Your own data: {A_FILE}").first.wait_for(timeout=UI_TIMEOUT * 1000)
    return True


def test_two_sessions_do_not_share_runs_or_uploads():
    require_browser()
    topic = _topic_page()
    with logged_streamlit_server(name="server-isolation") as server, chromium() as browser:
        a, b = new_session(browser), new_session(browser)
        try:
            # A trains on the topic page (its runs register) and uploads its own data
            a.goto(f"{server.base}/{topic}")
            wait_for_app(a)
            _no_errors(a, "A on " + topic)
            uploaded = _upload(a)
            go_to_page(a, COMPARE)
            a_runs = _run_count(a)
            assert a_runs >= 1
            _no_errors(a, "A on Compare runs")

            # B, same server, another session: none of A's runs, none of A's data
            b.goto(f"{server.base}/Compare_runs")
            wait_for_app(b)
            assert b.get_by_text(NO_RUNS).count() >= 1, "B sees runs it never made"
            assert b.get_by_text(RUNS_HEADING).count() == 0
            b.goto(f"{server.base}/{topic}")
            wait_for_app(b)
            assert b.get_by_text(A_FILE).count() == 0, "B sees A's uploaded file"
            assert b.get_by_text("Your own data:").count() == 0
            _no_errors(b, "B on " + topic)

            # B makes its own runs (cache hits: same defaults), then A clears its registry
            go_to_page(b, COMPARE)
            b_runs = _run_count(b)
            assert b_runs >= 1
            runs = wait_for_app(a)
            widget(a, "clear_runs").locator("button").first.click()
            wait_for_rerun(a, runs)
            a.get_by_text(NO_RUNS).first.wait_for(timeout=UI_TIMEOUT * 1000)

            # B's registry is untouched by A's clearing
            runs = wait_for_app(b)
            widget(b, "compare_log_cost").locator("label").first.click()
            wait_for_rerun(b, runs)
            assert _run_count(b) == b_runs
            assert b.get_by_text(NO_RUNS).count() == 0
            _no_errors(b, "B after A cleared")
            print(f"\nisolation: 2 sessions on one server; A made {a_runs} runs"
                  f"{' and uploaded a CSV' if uploaded else ''}, B saw none of them; "
                  f"B made {b_runs}, kept after A cleared its own")
        except BaseException:
            screenshot(a, "FAILED-isolation-session-A")
            screenshot(b, "FAILED-isolation-session-B")
            raise
