"""Shared helpers of the app tests: the pages' paths and a page run by AppTest."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


def page_path(script: str) -> str:
    """The absolute path of ``pages/<script>``."""
    return str(ROOT / "pages" / script)


def run_page(page: str, timeout: float = 120) -> AppTest:
    """``page`` (a path) run once by AppTest at its defaults; it must not raise."""
    app = AppTest.from_file(page, default_timeout=timeout)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def finish(app: AppTest, key: str) -> AppTest:
    """Press **Finish** on the live view ``key``: every variant shows its finished run (a knob
    change starts the variants it changes at epoch 0, playing). Nothing to do when every
    variant has finished already (the button is disabled then)."""
    button = app.button(key=f"{key}_finish")
    if button.disabled:
        return app
    button.click().run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def open_section(app: AppTest, key: str, label: str) -> AppTest:
    """Open the tab ``label`` of the page's sections ``key`` (``nnlab.app.sections``: only
    the open tab's section runs) and rerun; it must not raise."""
    app.session_state[key] = label
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def page_with(script: str, params: dict, timeout: float = 300) -> AppTest:
    """``pages/<script>`` run once by AppTest with the query parameters ``params`` (a link
    that sets those widgets); it must not raise."""
    app = AppTest.from_file(page_path(script), default_timeout=timeout)
    for key, value in params.items():
        app.query_params[key] = value
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


@pytest.fixture(scope="module")
def server(request):
    """One Streamlit server for a browser test module (its log named after the module)."""
    from tests.browser import logged_streamlit_server, require_browser

    require_browser()
    name = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")
    with logged_streamlit_server(name=f"server-{name}") as handle:
        yield handle


@pytest.fixture(scope="module")
def browser(server):
    """One headless Chromium for a browser test module, background pages kept at full speed."""
    from tests.browser import BACKGROUND_ARGS, chromium

    with chromium(*BACKGROUND_ARGS) as b:
        yield b
