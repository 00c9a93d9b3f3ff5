"""The picture first, and no sideways scroll on a phone (issue 13), on every page.

One ``streamlit run`` on loopback serves the module; each test opens one page in a fresh
browser context (a new Streamlit session) and waits for its first run. At 1280 x 800 (a
laptop) there is no exception box and the page's main picture starts above the fold: its top,
at scroll 0, is above 800 px. The main picture is the first one on the page: a live picture
(``st.image`` in a live panel) or a chart, whichever comes first. At 390 x 844 (a phone)
nothing scrolls sideways: neither the document nor Streamlit's main scroll container
(``stMain``; a wide chart, table or code block may scroll inside its own box).
"""

from __future__ import annotations

import contextlib

import pytest

from tests.browser import (
    PAGE_IDLE_TIMEOUT,
    UI_TIMEOUT,
    app_scripts,
    exception_texts,
    new_session,
    page_url_path,
    screenshot,
    wait_for_app,
)

pytestmark = pytest.mark.browser

LAPTOP = (1280, 800)
PHONE = (390, 844)
PICTURE = '[data-testid="stImage"], [data-testid="stVegaLiteChart"]'
#: Pages that may have no picture on a fresh session (their width is still checked).
NO_PICTURE_WHEN_EMPTY = {"Compare_runs"}

_PICTURE_TOP = """(selector) => {
    window.scrollTo(0, 0);
    const main = document.querySelector('[data-testid="stMain"]');
    if (main) main.scrollTop = 0;
    const tops = [...document.querySelectorAll(selector)]
        .map(e => e.getBoundingClientRect())
        .filter(r => r.width > 0 && r.height > 0)
        .map(r => r.top);
    return tops.length ? Math.min(...tops) : null;
}"""
_WIDTHS = """() => {
    const main = document.querySelector('[data-testid="stMain"]');
    const wide = [];
    for (const e of document.querySelectorAll('[data-testid]')) {
        const r = e.getBoundingClientRect();
        if (r.right > window.innerWidth + 1 && r.width > 0) wide.push(
            e.dataset.testid + ' right=' + Math.round(r.right));
    }
    return {docScroll: document.documentElement.scrollWidth, inner: window.innerWidth,
            mainScroll: main ? main.scrollWidth : null,
            mainClient: main ? main.clientWidth : null, wide: wide.slice(0, 12)};
}"""

PAGES = [(p.stem, page_url_path(p)) for p in app_scripts()]


def _open(browser, server, path: str, size: tuple[int, int]):
    page = new_session(browser, *size)
    page.goto(f"{server.base}/{path}")
    wait_for_app(page)
    return page


@pytest.mark.parametrize("name,path", PAGES, ids=[p[0] for p in PAGES])
def test_main_picture_starts_above_the_fold_on_a_laptop(browser, server, name, path):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page = _open(browser, server, path, LAPTOP)
    try:
        errors = exception_texts(page)
        assert not errors, errors
        if path in NO_PICTURE_WHEN_EMPTY and page.locator(PICTURE).count() == 0:
            return
        page.locator(PICTURE).first.wait_for(state="visible",
                                             timeout=PAGE_IDLE_TIMEOUT * 1000)
        # The first "not running" state comes before everything is drawn on a loaded machine
        # (a chart above may still have no height): wait for the picture to settle above the
        # fold, for at most UI_TIMEOUT, then measure once more for the message.
        with contextlib.suppress(PlaywrightTimeout):
            page.wait_for_function(f"(s) => {{ const t = ({_PICTURE_TOP})(s); "
                                   f"return t !== null && t < {LAPTOP[1]}; }}",
                                   arg=PICTURE, timeout=UI_TIMEOUT * 1000, polling=250)
        top = page.evaluate(_PICTURE_TOP, PICTURE)
        assert top is not None, "no picture on the page"
        assert top < LAPTOP[1], f"the main picture starts at {top:.0f} px, below the fold"
    except Exception:
        screenshot(page, f"FAILED-layout-laptop-{name}")
        raise
    finally:
        page.context.close()


@pytest.mark.parametrize("name,path", PAGES, ids=[p[0] for p in PAGES])
def test_no_sideways_scroll_on_a_phone(browser, server, name, path):
    page = _open(browser, server, path, PHONE)
    try:
        assert not exception_texts(page)
        w = page.evaluate(_WIDTHS)
        assert w["docScroll"] <= w["inner"], w
        assert w["mainScroll"] is not None, "no stMain container (Streamlit's layout changed?)"
        assert w["mainScroll"] <= w["mainClient"], w
    except Exception:
        screenshot(page, f"FAILED-layout-phone-{name}")
        raise
    finally:
        page.context.close()
