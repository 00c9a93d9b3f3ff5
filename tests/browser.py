"""A real ``streamlit run`` on loopback and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SERVER_START_TIMEOUT = 60
PAGE_IDLE_TIMEOUT = 120  # seconds for a page's first run (training included) to finish
#: Seconds to wait for an element that an action brings. Generous on purpose: a test must not
#: fail because the machine is busy (it ends as soon as the element is there).
UI_TIMEOUT = 60
#: Seconds within which a rerun must start after an action, else it is taken to have been too
#: quick to be seen. Under load a run starts late: too short a wait then reads the old page.
RERUN_START_WITHIN = 15.0
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]


def require_browser():
    """Skip (with the reason) where Chromium or Playwright is missing."""
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


def page_url_path(script: Path) -> str:
    """Streamlit's URL path for ``pages/NN_Name.py``: ``Name``."""
    from streamlit.source_util import page_icon_and_name

    return page_icon_and_name(script)[1]


def app_scripts() -> list[Path]:
    return sorted((ROOT / "pages").glob("*.py"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server():
    """Start a fresh server on a free loopback port; yield its base URL; stop it."""
    with logged_streamlit_server() as handle:
        yield handle.base


@contextlib.contextmanager
def browser_page(width=1400, height=1000):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            yield page
        finally:
            browser.close()


def wait_until_idle(page, timeout=PAGE_IDLE_TIMEOUT):
    """Wait for the app to render and its script run to finish (no "Running" status)."""
    page.wait_for_selector('[data-testid="stAppViewContainer"]', timeout=timeout * 1000)
    page.wait_for_selector("h1", timeout=timeout * 1000)
    deadline, quiet_since = time.time() + timeout, None
    while time.time() < deadline:
        running = page.locator('[data-testid="stStatusWidget"]').count() > 0
        if running:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.time()
        elif time.time() - quiet_since > 1.5:
            return
        time.sleep(0.25)
    raise TimeoutError(f"page still running after {timeout} s")


def exception_texts(page) -> list[str]:
    return [e.inner_text() for e in page.locator('[data-testid="stException"]').all()]


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# ------------------------------------------------------------------------------------------
# Additive helpers for the interaction, isolation and load tests (and bench/cache_memory.py).

CHART = '[data-testid="stVegaLiteChart"]'
EXCEPTION = '[data-testid="stException"]'
#: Line that nnlab.app.runs logs for every real (not cached) training run.
TRAINING_LOG_RE = r"nnlab training run ([0-9a-f]{12})"
#: Chromium flags that keep pages in background contexts running at full speed.
BACKGROUND_ARGS = ["--disable-background-timer-throttling", "--disable-renderer-backgrounding",
                   "--disable-backgrounding-occluded-windows"]


class ServerHandle:
    """A running server: ``base`` URL, ``pid``, ``port`` and its ``log_path``."""

    def __init__(self, base: str, proc: subprocess.Popen, log_path: Path):
        self.base, self.proc, self.log_path = base, proc, log_path
        self.pid, self.port = proc.pid, int(base.rsplit(":", 1)[1])

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def trainings(self) -> dict[str, int]:
        """How many times each config digest was really trained (cache hits don't log)."""
        import re
        from collections import Counter

        return dict(Counter(re.findall(TRAINING_LOG_RE, self.log_text())))


@contextlib.contextmanager
def logged_streamlit_server(script: str | Path = "streamlit_app.py", *extra_args: str,
                            name: str = "server", cwd: Path = ROOT, env: dict | None = None):
    """Like :func:`streamlit_server` (fresh server, free loopback port), with the log kept in
    ``test-artifacts/<name>-<port>.log`` at INFO level; yields a :class:`ServerHandle`."""
    port = _free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    log_path = ARTIFACTS / f"{name}-{port}.log"
    log = open(log_path, "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script),
         "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.fileWatcherType", "none",
         "--browser.gatherUsageStats", "false", "--logger.level", "info", *extra_args],
        cwd=cwd, stdout=log, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + SERVER_START_TIMEOUT
        while True:
            try:
                with urllib.request.urlopen(base + "/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                if proc.poll() is not None or time.time() > deadline:
                    raise RuntimeError(f"streamlit server did not start (log: {log_path})"
                                       ) from None
                time.sleep(0.3)
        yield ServerHandle(base, proc, log_path)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()


@contextlib.contextmanager
def chromium(*extra_args: str):
    """One headless Debian Chromium (Playwright sync API); open contexts and pages on it."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=CHROMIUM_ARGS + list(extra_args))
        try:
            yield browser
        finally:
            browser.close()


def new_session(browser, width=1400, height=1000):
    """A page in a fresh browser context: its own cookies and storage, so its own
    Streamlit session."""
    context = browser.new_context(viewport={"width": width, "height": height})
    return context.new_page()


def widget(page, key: str):
    """The element container of the widget created with ``key=`` (Streamlit adds the class
    ``st-key-<key>``)."""
    return page.locator(f".st-key-{key}")


def slider_value(page, key: str) -> str:
    return widget(page, key).locator('[data-testid="stSliderThumbValue"]').first.inner_text()


def nudge_slider(page, key: str, press: str = "ArrowLeft", times: int = 1) -> tuple[str, str]:
    """Move a slider or select slider with the keyboard (as a learner can); the value is sent
    to the server when the keys are released. Returns the value (before, after). A slider at
    the end of its range is moved the other way."""
    box = widget(page, key)
    box.scroll_into_view_if_needed()
    # Streamlit 1.67 (react-aria): a visually hidden <input type="range"> takes the keys
    thumb = box.locator('input[type="range"], [role="slider"]').first
    before = slider_value(page, key)
    thumb.focus()
    for _ in range(times):
        thumb.press(press)
    if slider_value(page, key) == before:
        other = {"ArrowLeft": "ArrowRight", "ArrowRight": "ArrowLeft",
                 "Home": "End", "End": "Home"}[press]
        for _ in range(times):
            thumb.press(other)
    time.sleep(0.5)  # the frontend sends a slider's value after a short debounce
    return before, slider_value(page, key)


def choose_option(page, key: str, option: str | None = None) -> tuple[str, str]:
    """Pick ``option`` (default: the first other option) in a select box (Streamlit 1.67: a
    react-aria combo box). Returns the shown value (before, after)."""
    box = widget(page, key).locator('[role="combobox"]').first
    box.scroll_into_view_if_needed()
    before = box.input_value().strip()
    box.click()
    options = page.locator('[role="listbox"] [role="option"]')
    options.first.wait_for(state="visible", timeout=UI_TIMEOUT * 1000)
    if option is None:
        texts = [t.strip() for t in options.all_inner_texts()]
        option = next(t for t in texts if t and t != before)
    options.filter(has_text=option).first.click()
    time.sleep(0.3)
    return before, box.input_value().strip()


def rendered_charts(page) -> int:
    """Charts on screen that vega-embed has drawn (a canvas or an svg inside)."""
    return page.locator(f"{CHART}:visible").filter(
        has=page.locator("canvas, svg")).count()


def go_to_page(page, title: str) -> None:
    """Follow the sidebar menu link to the page ``title`` (the session is kept, unlike
    ``page.goto``, which opens a new session)."""
    page.locator('[data-testid="stPageLink-NavLink"]', has_text=title).first.click()
    page.locator("h1", has_text=title).first.wait_for(timeout=PAGE_IDLE_TIMEOUT * 1000)
    wait_until_idle(page)


_SCRIPT_STATE = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    return app ? app.getAttribute('data-test-script-state') : null;
}"""
_COUNT_RUNS = """() => {
    if (window.__nnlabRuns === undefined) {
        window.__nnlabRuns = 0;
        new MutationObserver(changes => {
            for (const c of changes)
                if (c.target.getAttribute('data-test-script-state') === 'running')
                    window.__nnlabRuns += 1;
        }).observe(document.documentElement, {subtree: true, attributes: true,
                                               attributeFilter: ['data-test-script-state']});
    }
    return window.__nnlabRuns;
}"""


def wait_for_app(page, timeout=PAGE_IDLE_TIMEOUT) -> int:
    """Wait until the app has rendered and its script is not running (Streamlit's own
    ``data-test-script-state`` on the app root: quicker than :func:`wait_until_idle`'s quiet
    period). Returns the page's run counter, to pass to :func:`wait_for_rerun`."""
    page.wait_for_selector("h1", timeout=timeout * 1000)
    page.wait_for_function(
        """() => {
            const app = document.querySelector('[data-testid="stApp"]');
            return app && app.getAttribute('data-test-script-state') === 'notRunning'
                && !document.querySelector('[data-testid="stStatusWidget"]')
                && !document.querySelector('[data-stale="true"]');
        }""", timeout=timeout * 1000, polling=100)
    return page.evaluate(_COUNT_RUNS)


def wait_for_rerun(page, runs_before: int, timeout=PAGE_IDLE_TIMEOUT,
                   start_within=RERUN_START_WITHIN) -> int:
    """After an interaction: wait until a new script run has started (at most
    ``start_within`` seconds: a run can be too quick to be seen) and finished."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(f"() => (window.__nnlabRuns || 0) > {int(runs_before)}",
                               timeout=start_within * 1000, polling=50)
    except PlaywrightTimeout:
        pass
    return wait_for_app(page, timeout)


def wait_for_chart(page, timeout=UI_TIMEOUT) -> int:
    """Wait until at least one chart is drawn; return how many are."""
    page.locator(f"{CHART}:visible").filter(has=page.locator("canvas, svg")).first.wait_for(
        state="visible", timeout=timeout * 1000)
    return rendered_charts(page)
