"""In a real browser: "Share this setup" gives the page's address with the settings, and a
classroom link (``?hide=``) hides what it names.

AppTest checks the rest (``test_share.py``, ``test_url_complete.py``); this checks what only a
browser shows: the address (``st.context.url``) and that the CSS really hides.
"""

from __future__ import annotations

import pytest

from tests.browser import (
    UI_TIMEOUT,
    exception_texts,
    new_session,
    screenshot,
    wait_for_app,
    wait_for_rerun,
    widget,
)

pytestmark = pytest.mark.browser

LAPTOP = (1280, 800)
CODE = '[data-testid="stPopoverBody"] [data-testid="stCode"]'


def test_the_share_link_is_the_address_and_a_classroom_link_hides_its_parts(browser, server):
    page = new_session(browser, *LAPTOP)
    try:
        page.goto(f"{server.base}/Averages?ewa_seed=3")
        runs = wait_for_app(page)
        assert not exception_texts(page)
        page.get_by_role("button", name="Share this setup").click()
        wait_for_rerun(page, runs)  # the popover builds its link when it opens
        code = page.locator(CODE).first
        code.wait_for(state="visible", timeout=UI_TIMEOUT * 1000)
        assert code.inner_text().strip() == f"{server.base}/Averages?ewa_seed=3"
    except Exception:
        screenshot(page, "FAILED-share-popover")
        raise
    finally:
        page.context.close()

    page = new_session(browser, *LAPTOP)
    try:
        page.goto(f"{server.base}/Averages?ewa_seed=3&hide=prose,math,menu,ewa_seed")
        wait_for_app(page)
        assert not exception_texts(page)
        # not hidden: still there
        widget(page, "ewa_bias_correction").wait_for(state="visible", timeout=UI_TIMEOUT * 1000)
        # drawn (it keeps its value), but not seen once the page's style sheet has arrived
        widget(page, "ewa_seed").wait_for(state="hidden", timeout=UI_TIMEOUT * 1000)
        assert widget(page, "ewa_seed").count() == 1
        assert page.locator('[data-testid="stCaptionContainer"]:visible').count() == 0
        assert page.get_by_text("The math and the code").count() == 0
        assert page.locator('[data-testid="stPageLink"]').count() == 0
    except Exception:
        screenshot(page, "FAILED-classroom-link")
        raise
    finally:
        page.context.close()
