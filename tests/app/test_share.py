"""Classroom mode (``?hide=``) and the "Share this setup" popover's picker.

That the share link reproduces the page's controls is in ``test_url_complete.py``; that the
hidden parts are invisible in a browser, in ``test_browser_share.py``.
"""

from pathlib import Path
from urllib.parse import parse_qsl

from streamlit.testing.v1 import AppTest

from nnlab.app import share
from tests.app.test_url_complete import share_link

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 180


def _math_parts(at: AppTest) -> list:
    """The math-and-code section: an expander, or the last tab of the page's sections."""
    return [e for e in [*at.expander, *at.tabs] if "math" in e.label.lower()]


def _styles(at: AppTest) -> str:
    return "\n".join(h.proto.body for h in at.get("html"))


def test_a_classroom_link_hides_what_it_names_and_keeps_the_hidden_values(monkeypatch):
    monkeypatch.setenv("NNLAB_MAX_SECONDS", "2")
    at = AppTest.from_file(str(ROOT / "pages/12_Initialization.py"), default_timeout=TIMEOUT)
    at.query_params["hide"] = "prose,math,menu,init_random_scale,<b>x</b>,no_such_knob"
    at.query_params["init_random_scale"] = "8"
    at.run()
    assert not at.exception, [e.value[:300] for e in at.exception]
    # math: no math-and-code section; menu: no week menu; prose: no intro line, and the
    # captions and prose containers hidden by the page's style
    assert not _math_parts(at)
    assert not [m for m in at.sidebar.markdown if "Week 1" in m.value]
    assert not [c for c in at.caption if "four starts" in c.value]
    styles = _styles(at)
    assert '[data-testid="stCaptionContainer"]' in styles
    # the hidden control is hidden by its key's class and keeps the link's value
    assert ".st-key-init_random_scale" in styles
    assert at.slider(key="init_random_scale").value == 8.0
    # a flag that is no name, and a name no control has: said, as text
    notices = [w.value for w in at.warning if "hide=" in w.value]
    assert len(notices) == 1, [w.value for w in at.warning]
    assert r"\<b\>x\</b\>" in notices[0] and "`no_such_knob`" in notices[0]
    assert "<b>" not in styles  # nothing from the link but checked keys reaches the style


def test_a_plain_link_hides_nothing():
    at = AppTest.from_file(str(ROOT / "pages/22_Averages.py"), default_timeout=TIMEOUT).run()
    assert not at.exception, [e.value[:300] for e in at.exception]
    assert _math_parts(at)
    assert [m for m in at.sidebar.markdown if "Week 1" in m.value]
    assert "display: none" not in _styles(at)
    assert not [w.value for w in at.warning if "hide=" in w.value]


def test_the_share_popover_lets_a_teacher_choose_what_to_hide():
    at = AppTest.from_file(str(ROOT / "pages/22_Averages.py"), default_timeout=TIMEOUT)
    at.query_params["ewa_seed"] = "3"
    at.run()
    link = share_link(at)
    picker = at.multiselect(key=share.PICK_KEY)
    shown = set(picker.options)  # labelled: "Year (seed) (ewa_seed)"
    assert set(share.WORDS.values()) <= shown and "Year (seed) (ewa_seed)" in shown
    assert any("(ewa_beta)" in o for o in shown) and "ewa_seed=3" in link
    picker.set_value(["math", "ewa_seed"]).run()
    assert not at.exception, [e.value[:300] for e in at.exception]
    link = share_link(at)
    params = dict(parse_qsl(link.split("?", 1)[1]))
    assert params == {"ewa_seed": "3", "hide": "math,ewa_seed"}, link
    # the class's view: the seed stays 3 while its control is hidden
    pupil = AppTest.from_file(str(ROOT / "pages/22_Averages.py"), default_timeout=TIMEOUT)
    for key, value in params.items():
        pupil.query_params[key] = value
    pupil.run()
    assert not pupil.exception, [e.value[:300] for e in pupil.exception]
    assert pupil.number_input(key="ewa_seed").value == 3
    assert ".st-key-ewa_seed" in _styles(pupil)
    assert not [e for e in pupil.expander if "math" in e.label.lower()]


def test_only_checked_keys_reach_the_style_sheet():
    found, bad = share._parse(["prose,init_lr", "a{}</style><script>x</script>", "ok_2,,ok_2"])
    assert found == ["prose", "init_lr", "ok_2"] and bad == ["a{}</style><script>x</script>"]
    style = share.hide_style(found + ["x{color:red}"])  # even if one slipped in: dropped
    assert style.startswith("<style>") and style.endswith("</style>")
    assert ".st-key-init_lr" in style and ".st-key-ok_2" in style and "red" not in style
    assert share.hide_style([]) == "" and share.hide_style(["math", "menu"]) == ""
    many, too_many = share._parse([",".join(f"k{i}" for i in range(share.MAX_FLAGS + 3))])
    assert len(many) == share.MAX_FLAGS and len(too_many) == 3
