"""A page's sections (``nnlab.app.sections``): lazy tabs, the open one in the link.

On a small script (``sections`` alone, as a page calls it) and on the Initialization page."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.app.conftest import open_section, page_path
from tests.app.test_url_complete import share_link

SCRIPT = '''
import streamlit as st
from nnlab.app import share
from nnlab.app.explain import math_section
from nnlab.app.sections import sections

share.read_link("demo")  # what page_setup does first: the link's classroom flags
ran = st.session_state.setdefault("ran", [])

def part(name):
    def draw():
        ran.append(name)
        st.markdown(f"inside {name}")
        return name.upper()
    return draw

st.session_state["out"] = sections(
    "demo_section", {"First": part("First"), "Second": part("Second")},
    math=math_section(r"a = b", note="the note"))
'''


def _app(tmp_path: Path, **params) -> AppTest:
    script = tmp_path / "sections_app.py"
    script.write_text(SCRIPT)
    at = AppTest.from_file(str(script), default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _shown(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith("inside")]


def test_only_the_open_tab_runs_and_the_math_is_the_last_tab(tmp_path):
    at = _app(tmp_path)
    assert [t.label for t in at.tabs] == ["First", "Second", "The math and the code"]
    assert _shown(at) == ["inside First"]
    assert at.session_state["ran"] == ["First"]
    assert at.session_state["out"] == {"First": "FIRST"}
    assert not at.latex
    open_section(at, "demo_section", "Second")
    assert _shown(at) == ["inside Second"]
    assert at.session_state["out"] == {"Second": "SECOND"}
    open_section(at, "demo_section", "The math and the code")
    assert _shown(at) == [] and ["a = b" in x.value for x in at.latex] == [True]
    assert "the note" in [m.value for m in at.markdown]


def test_a_link_opens_its_tab(tmp_path):
    at = _app(tmp_path, demo_section="Second")
    assert _shown(at) == ["inside Second"]
    assert not at.warning


def test_a_link_to_a_tab_the_page_lacks_is_named_and_opens_the_first(tmp_path):
    at = _app(tmp_path, demo_section="Third <b>")
    assert _shown(at) == ["inside First"]
    [notice] = [w.value for w in at.warning]
    assert "Third \\<b\\>" in notice and "`demo_section`" in notice
    assert "**First**" in notice and "**Second**" in notice


def test_a_classroom_link_without_math_has_no_math_tab(tmp_path):
    at = _app(tmp_path, hide="math")
    assert [t.label for t in at.tabs] == ["First", "Second"]


def test_the_share_link_keeps_the_open_section():
    at = AppTest.from_file(page_path("12_Initialization.py"), default_timeout=180).run()
    assert "init_section" not in share_link(at)  # the first tab is the default: not in links
    open_section(at, "init_section", "Reproduce the assignment")
    assert "init_section=Reproduce%20the%20assignment" in share_link(at)
