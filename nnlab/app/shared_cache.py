"""The cache every visitor shares cannot be wiped by one of them.

Streamlit lets any websocket client send ``clear_cache``; its handler
(``AppSession._handle_clear_cache_request`` in 1.67) empties ``st.cache_data`` and
``st.cache_resource`` for the whole server and the sender's own session state. On a public
demo that is one message to make every other visitor's next rerun retrain everything (sent in a
loop, a denial of service). :func:`protect` replaces the handler, once per process, by one that
keeps the sender's part (its own session state is cleared, as before) and leaves the shared
caches alone. The caches need no manual wipe: their keys include the engine's version and each
function's source (``nnlab.app.runs.cached_work``), and they are bounded and LRU-evicted. Set
``NNLAB_ALLOW_CLEAR_CACHE=1`` to keep Streamlit's behaviour (a developer's own machine).
See SECURITY.md.
"""

from __future__ import annotations

import os

from streamlit.logger import get_logger

_LOG = get_logger(__name__)  # Streamlit's logger: in the server log at --logger.level info
ALLOW_ENV = "NNLAB_ALLOW_CLEAR_CACHE"
_MARK = "_nnlab_keeps_shared_cache"


def _clear_own_session_only(session) -> None:
    """The replacement handler: what ``clear_cache`` does to the sender alone."""
    _LOG.info("clear_cache from one session: its session state cleared, shared caches kept")
    session._session_state.clear()


_clear_own_session_only.__dict__[_MARK] = True


def protect() -> bool:
    """Make ``clear_cache`` harmless to other visitors (idempotent). Returns whether the
    shared caches are protected (False when ``NNLAB_ALLOW_CLEAR_CACHE=1`` or Streamlit no
    longer has the handler, which is logged)."""
    from streamlit.runtime.app_session import AppSession

    if os.environ.get(ALLOW_ENV) == "1":
        return False
    handler = getattr(AppSession, "_handle_clear_cache_request", None)
    if handler is None:
        _LOG.warning("Streamlit has no AppSession._handle_clear_cache_request: clear_cache "
                     "is not guarded (see nnlab/app/shared_cache.py)")
        return False
    if not getattr(handler, _MARK, False):
        AppSession._handle_clear_cache_request = _clear_own_session_only
    return True
