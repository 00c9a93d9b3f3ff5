"""Websocket connections only from the Host names the server is configured for.

An empty ``server.allowedHosts`` (Streamlit's default) accepts any Host header, so a page on
another domain that resolves to the server (DNS rebinding) can drive it. nnlab's config allows
the loopback names; a deployment adds its own (README, "Deploying").
"""

from __future__ import annotations

import asyncio
import tomllib
from pathlib import Path

import pytest

from tests.browser import logged_streamlit_server

ROOT = Path(__file__).resolve().parents[2]


def test_the_config_names_the_allowed_hosts():
    hosts = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["server"][
        "allowedHosts"]
    assert hosts and "*" not in hosts and "localhost" in hosts


async def _connects(port: int, host: str) -> bool:
    from tornado.httpclient import HTTPClientError, HTTPRequest
    from tornado.websocket import websocket_connect

    request = HTTPRequest(f"ws://127.0.0.1:{port}/_stcore/stream", headers={"Host": host})
    try:
        ws = await websocket_connect(request, subprotocols=["streamlit"])
    except HTTPClientError as err:
        assert err.code == 403, err
        return False
    ws.close()
    return True


@pytest.mark.parametrize("extra, host, allowed", [
    ({}, "localhost:8501", True),
    ({}, "127.0.0.1", True),
    ({}, "rebound.example", False),
    ({"STREAMLIT_SERVER_ALLOWED_HOSTS": "localhost demo.example.org"}, "demo.example.org",
     True),
])
def test_a_websocket_from_another_host_is_refused(extra, host, allowed):
    import os

    env = {**os.environ, **extra}
    with logged_streamlit_server(name="hosts", env=env) as server:
        assert asyncio.run(_connects(server.port, host)) is allowed
