"""The server settings that keep live play fast and whole (each was measured; see the tests).

A live view reruns its frame fragment up to ten times a second in every playing tab, so a cost
Streamlit pays once per run, or a race it can lose once in thousands of runs, decides whether
play keeps up and keeps its connection.
"""

import tomllib
from pathlib import Path

import pytest

CONFIG = Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml"


def test_the_server_does_not_collect_all_garbage_after_every_frame():
    """Streamlit's default (runner.postScriptGC) runs gc.collect(2) after every script run, each
    frame of a playing view included: measured with py-spy, 60 % of the server's time while one
    tab played Initialization. The project's config turns it off."""
    config = tomllib.loads(CONFIG.read_text())
    assert config["runner"]["postScriptGC"] is False


def test_the_server_runs_blas_on_one_thread():
    """Sessions run side by side in one server: a BLAS call waiting for a second worker thread
    that another session or a browser holds is tens of times slower (measured: 90 ms instead of
    7 for Vanishing's grid picture). nnlab.app sets one OpenBLAS thread for the process."""
    import nnlab.app  # noqa: F401
    from nnlab.core._blas import _blas_api, one_blas_thread

    api = _blas_api()
    if api is None:
        pytest.skip("NumPy here has no bundled OpenBLAS")
    assert api[0]() == 1
    with one_blas_thread():
        pass
    assert api[0]() == 1  # a context that ends restores one thread, not the machine's count


def test_the_server_sends_every_message_whole():
    """Streamlit's ForwardMsg cache sends a message of 10 kB or more that the browser had a
    moment ago as a reference to its copy; ten frames a second, the browser had dropped it:
    "Cached ForwardMsg MISS", a fatal websocket error (seen on 2 of 4 tabs playing
    Mini-batches; streamlit/streamlit#11357). The project's config turns the cache off."""
    config = tomllib.loads(CONFIG.read_text())
    assert config["global"]["minCachedMessageSize"] >= 1e12
