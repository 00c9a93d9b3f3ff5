"""The main interaction of every page works in a real browser, and a chart appears.

One ``streamlit run`` on loopback serves the whole module (deep links on fresh servers are
``test_browser.py``'s job); every test opens its page in a new browser context, so in a new
Streamlit session. A test waits for the page's first run, does the page's main interaction the
way a learner does (moves a slider with the keyboard, picks an option, clicks the page's
button), waits until the app is idle again, and checks: no exception box, at least one chart
drawn, and the control kept its new value.

Pages are discovered from ``pages/``. A page without an entry in :data:`INTERACTIONS` gets the
generic interaction: one step down on its epochs slider (cheap: fewer epochs), else one step on
its first slider. Interactions are chosen cheap; the only button that trains many networks is
"Run search", first turned down to its smallest budget and epochs.
"""

from __future__ import annotations

import re
import time

import pytest

from tests.browser import (
    BACKGROUND_ARGS,
    EXCEPTION,
    UI_TIMEOUT,
    app_scripts,
    choose_option,
    chromium,
    exception_texts,
    go_to_page,
    new_session,
    nudge_slider,
    page_url_path,
    screenshot,
    slider_value,
    wait_for_app,
    wait_for_chart,
    wait_for_rerun,
    widget,
)

pytestmark = pytest.mark.browser

COMPARE = "Compare_runs"
#: Page whose runs the "Compare runs" test lists (its defaults are cached by then).
RUNS_SOURCE_PAGES = ("Initialization", "Mini_batches", "Train_dev_test", "Optimizers")

# One entry per page, by URL path: ("slider", key, key to press) or ("select", key).
# Each is the cheapest change that still retrains or recomputes what the page is about.
INTERACTIONS = {
    "Train_dev_test": ("slider", "tdt_num_epochs", "ArrowLeft"),
    "Initialization": ("slider", "init_random_scale", "ArrowRight"),
    "Regularization": ("slider", "r_lambd", "ArrowRight"),
    "Vanishing_gradients": ("slider", "depth", "ArrowLeft"),
    "Normalizing_inputs": ("slider", "n_scale", "ArrowLeft"),
    "Gradient_checking": ("select", "g_bug"),
    "Mini_batches": ("slider", "mb_num_epochs", "ArrowLeft"),
    "Averages": ("slider", "ewa_beta", "ArrowLeft"),
    "Optimizers": ("slider", "opt_num_epochs", "ArrowLeft"),  # α sliders are in popovers
    "Loss_landscapes": ("slider", "ll_steps", "ArrowLeft"),
    "Learning_rate_decay": ("slider", "lr_num_epochs", "ArrowLeft"),
    "Hyperparameter_search": ("search",),
    "Batch_norm": ("slider", "bn_num_epochs", "ArrowLeft"),
    "Softmax": ("slider", "sm_num_epochs", "ArrowLeft"),
    "TensorFlow": ("slider", "tf_num_epochs", "ArrowLeft"),
    "Challenges": ("select", "open_pick"),
    COMPARE: ("compare",),
}

PAGE_NAMES = [page_url_path(p) for p in app_scripts()]
#: What each test did, for the summary printed at the end of the module.
TRIED: dict[str, str] = {}


@pytest.fixture(scope="module")
def browser(server):
    with chromium(*BACKGROUND_ARGS) as b:
        yield b
    print("\npages and interactions tried:")
    for name, what in TRIED.items():
        print(f"  {name}: {what}")


@pytest.fixture
def session(browser):
    page = new_session(browser)
    yield page
    page.context.close()


def _slider_keys(page) -> list[str]:
    return page.evaluate("""() => Array.from(document.querySelectorAll('[class*="st-key-"]'))
        .filter(e => e.querySelector('[data-testid="stSlider"]'))
        .map(e => [...e.classList].find(c => c.startsWith('st-key-')).slice(7))""")


def _generic(page) -> tuple:
    keys = _slider_keys(page)
    if not keys:
        pytest.fail("no slider to move on this page: add it to INTERACTIONS")
    epochs = [k for k in keys if k.endswith("epochs")]
    return ("slider", epochs[0], "ArrowLeft") if epochs else ("slider", keys[0], "ArrowRight")


def _check(page, what: str) -> None:
    errors = exception_texts(page)
    assert not errors, f"{what}: exception box: {errors}"
    try:
        wait_for_chart(page)
    except Exception:
        pytest.fail(f"{what}: no chart drawn")


def _slider(page, runs: int, key: str, press: str) -> str:
    before, after = nudge_slider(page, key, press)
    assert after != before, f"slider {key} did not move ({before})"
    wait_for_rerun(page, runs)
    assert slider_value(page, key) == after, f"slider {key} did not keep {after}"
    return f"slider {key}: {before} -> {after}"


def _select(page, runs: int, key: str) -> str:
    before, after = choose_option(page, key)
    assert after != before, f"select box {key} did not change ({before})"
    wait_for_rerun(page, runs)
    value = widget(page, key).locator('[role="combobox"]').first.input_value().strip()
    assert value == after, f"select box {key} did not keep {after!r}"
    return f"select box {key}: {before!r} -> {after!r}"


def _run_search(page, runs: int) -> str:
    """Smallest budget and epochs (the epochs in the form's popover), then the page's main
    button, "Run search"."""
    nudge_slider(page, "hs_budget", "Home")  # inside the form: nothing runs before the submit
    page.get_by_role("button", name="Data set, epochs, seed").click()
    nudge_slider(page, "hs_epochs", "Home")
    epochs = slider_value(page, "hs_epochs")
    page.keyboard.press("Escape")  # close the popover
    budget = slider_value(page, "hs_budget")
    page.get_by_role("button", name="Run search").click()
    wait_for_rerun(page, runs)
    page.get_by_text(re.compile(rf"and {budget} random trials")).first.wait_for(
        timeout=UI_TIMEOUT * 1000)
    return f"form: budget {budget}, epochs {epochs}, 'Run search'"


def _compare(page, base: str) -> str:
    """Runs made on a topic page in this session are listed, overlaid, and the log toggle
    redraws the overlay."""
    source = next((n for n in RUNS_SOURCE_PAGES if n in PAGE_NAMES), None)
    if source is None:
        pytest.skip("no topic page to make runs on")
    page.goto(f"{base}/{source}")
    wait_for_app(page)
    go_to_page(page, "Compare runs")
    heading = page.get_by_text(re.compile(r"^\d+ runs? in this session$")).first
    heading.wait_for(timeout=UI_TIMEOUT * 1000)
    _check(page, "Compare runs with runs")
    runs = wait_for_app(page)
    widget(page, "compare_log_cost").locator("label").first.click()
    wait_for_rerun(page, runs)
    return f"runs from {source} ({heading.inner_text()}), 'Logarithmic cost axis' on"


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_main_interaction(server, session, name):
    page = session
    try:
        start = time.monotonic()
        page.goto(f"{server.base}/{name}")
        runs = wait_for_app(page)
        opened = time.monotonic()
        spec = INTERACTIONS.get(name) or _generic(page)
        if spec[0] == "slider" and widget(page, spec[1]).count() == 0:
            spec = _generic(page)  # the page renamed its control: still try one
        if spec[0] == "slider":
            what = _slider(page, runs, spec[1], spec[2])
        elif spec[0] == "select":
            what = _select(page, runs, spec[1])
        elif spec[0] == "search":
            what = _run_search(page, runs)
        else:
            what = _compare(page, server.base)
        _check(page, f"{name} after {what}")
        TRIED[name] = (f"{what} (page {opened - start:.1f} s, interaction "
                       f"{time.monotonic() - opened:.1f} s)")
        assert page.locator(EXCEPTION).count() == 0
    except pytest.skip.Exception:
        raise
    except BaseException:
        screenshot(page, f"FAILED-interaction-{name}")
        raise
