"""Shared pytest fixtures.

Streamlit's ``st.cache_data`` / ``st.cache_resource`` stores are process-global, so an AppTest
would otherwise see results cached by an earlier test. The fixture below clears them around
every test, but only when streamlit is already imported: engine tests never import it (and
some of them check that importing the engine does not).
"""

import sys

import pytest


def _clear_streamlit_caches() -> None:
    st = sys.modules.get("streamlit")
    if st is None:
        return
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture(autouse=True)
def _clear_streamlit_caches_around_test():
    _clear_streamlit_caches()
    yield
    _clear_streamlit_caches()
