"""One visitor's ``clear_cache`` message does not wipe the runs every visitor shares.

Streamlit handles ``clear_cache`` from any websocket client by emptying the server-wide
caches. ``nnlab.app.shared_cache.protect`` (called by every page) keeps them: the sender's own
session state is cleared, nothing else. Checked on the handler and on a real server: session A
opens a page (its runs train once), a scripted websocket client sends ``clear_cache``, session
B opens the same page, and no run is trained a second time.
"""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
import streamlit as st
from streamlit.runtime.app_session import AppSession

from nnlab.app import shared_cache
from tests.browser import (
    chromium,
    logged_streamlit_server,
    new_session,
    require_browser,
    wait_for_app,
)

#: A page whose default view trains a few small runs.
PAGE = "Train_dev_test"


class _Session:
    def __init__(self):
        self._session_state = {"mine": 1}


def test_the_handler_keeps_the_shared_cache_and_clears_the_senders_state(monkeypatch):
    monkeypatch.delenv(shared_cache.ALLOW_ENV, raising=False)
    calls = []

    @st.cache_data
    def work(x):
        calls.append(x)
        return x * 2

    assert shared_cache.protect() and shared_cache.protect()  # idempotent
    work(3)
    sender = _Session()
    AppSession._handle_clear_cache_request(sender)
    assert sender._session_state == {}
    assert work(3) == 6 and calls == [3]  # served from the cache: it survived


async def _send_clear_cache(port: int) -> None:
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from tornado.websocket import websocket_connect

    ws = await websocket_connect(f"ws://127.0.0.1:{port}/_stcore/stream",
                                 subprotocols=["streamlit"])
    message = BackMsg()
    message.clear_cache = True
    await ws.write_message(message.SerializeToString(), binary=True)
    await asyncio.sleep(1.0)
    ws.close()


@pytest.mark.browser
def test_a_clear_cache_message_does_not_make_other_visitors_retrain():
    require_browser()
    with logged_streamlit_server(name="clear-cache") as server, chromium() as browser:
        first = new_session(browser)
        first.goto(f"{server.base}/{PAGE}")
        wait_for_app(first)
        before = server.trainings()
        assert before, "the page trained nothing: the test would check nothing"
        sender = threading.Thread(target=asyncio.run, args=(_send_clear_cache(server.port),))
        sender.start()  # its own event loop: Playwright's sync API runs one in this thread
        sender.join(timeout=30)
        deadline = time.time() + 10
        while "clear_cache from one session" not in server.log_text():
            assert time.time() < deadline, "the server never handled the clear_cache message"
            time.sleep(0.2)
        second = new_session(browser)
        second.goto(f"{server.base}/{PAGE}")
        wait_for_app(second)
        after = server.trainings()
        assert after == before, {k: v for k, v in after.items() if before.get(k) != v}
