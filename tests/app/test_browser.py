"""Every page opens from a deep link on a freshly started server, with no exception box."""

import pytest

from tests.browser import (
    app_scripts,
    browser_page,
    exception_texts,
    page_url_path,
    require_browser,
    screenshot,
    streamlit_server,
    wait_until_idle,
)

pytestmark = pytest.mark.browser

TARGETS = [("home", "")] + [(p.stem, page_url_path(p)) for p in app_scripts()]


@pytest.mark.parametrize("name,path", TARGETS, ids=[t[0] for t in TARGETS])
def test_deep_link_on_fresh_server(name, path):
    require_browser()
    with streamlit_server() as base, browser_page() as page:
        page.goto(f"{base}/{path}")
        try:
            wait_until_idle(page)
            errors = exception_texts(page)
            assert not errors, errors
            # the grouped week menu is there, and the automatic one is hidden
            assert page.locator('[data-testid="stSidebarNav"]').count() == 0
            assert page.locator('[data-testid="stPageLink-NavLink"]').count() >= 2
        except Exception:
            screenshot(page, f"FAILED-deep-link-{name}")
            raise
        screenshot(page, f"deep-link-{name}")
