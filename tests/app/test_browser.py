"""A deep link as the very first request of a freshly started server: the home page and a page
open with no exception box, with the grouped week menu and not the automatic one.

Every other page is opened as a new session, by its own link, on a server that has not run it
yet, in ``test_browser_layout.py`` (no exception box, the same menu check): one server for all
the pages there, since what only a fresh process meets (the first import, the first session)
is met here.
"""

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

#: The home page, and the first page of the course: the first request of a fresh process.
TARGETS = [("home", "")] + [(p.stem, page_url_path(p)) for p in app_scripts()[:1]]


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
