"""Every control is in the URL, and the share link reproduces the page.

The per-page check (every widget with a key, on every page, is bound to the query parameter of
its key, or is listed below as not a setting, with the reason) runs in ``test_url_fuzz.py`` on
the same page runs the fuzzing makes (:func:`unbound_controls`). Here: the same rule checked in
the source (controls drawn only in some states, e.g. Adam's betas), and the share link built
from the widgets, opened again, giving the same values.
"""

import re
from pathlib import Path
from urllib.parse import parse_qsl

from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Button, DownloadButton, Widget

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 180

#: Widgets with a key that are not settings of the experiment, by key pattern, with why.
#: The live view's own controls, after its prefix (a live view is the one with a ``<prefix>_step``
#: and a ``<prefix>_reset`` button: nnlab.app.live_controls).
LIVE_CONTROLS = {
    r"_mode": "Play/Pause of the live view: the animation's state, not the setup's "
              "(a link opens paused, the finished runs shown)",
    r"_speed": "frames per second of the animation, not a setting of the runs",
    r"_timeline_\d+": "which recorded frame is shown while paused (a new key per frame)",
    r"_net": "a click on the network drawing (a selection, not a setting)",
}
NOT_SETTINGS = {
    r"ll_contour|ph_chart": "a click on the chart moves bound sliders, which are in the URL",
    r".*_own_upload": "a file cannot travel in a link (a link with `custom` data says so)",
    r"lab_upload": "a lab file to load: a file, not a setting",
    r"nnlab_share": "the share popover's open state",
    r"nnlab_share_hide": "the classroom picker: what it picks is the link's own `hide=`",
    r"hs_form": "the search form (its controls are bound one by one)",
    r"open_pick": "the Challenges list's selector: it mirrors the link's own `open=` (read "
                  "and written by nnlab.app.challenges; an unknown id gets a notice)",
}
#: Widget types that are actions, never state: a button press is not a setting.
ACTIONS = (Button, DownloadButton)
#: Setting widgets of Streamlit (a direct ``st.<name>(`` bypasses ``nnlab.app.bound``).
SETTING_WIDGETS = ("slider", "select_slider", "selectbox", "multiselect", "number_input",
                   "text_input", "text_area", "checkbox", "toggle", "radio",
                   "segmented_control", "pills", "date_input", "time_input", "color_picker")
#: Direct calls allowed in the source: (file, key text near the call) -> why.
DIRECT_ALLOWED = {
    ("nnlab/app/live_controls.py", "mode_key(session)"): LIVE_CONTROLS["_mode"],
    ("nnlab/app/live_controls.py", "_speed"): LIVE_CONTROLS["_speed"],
    ("nnlab/app/live_controls.py", "_timeline_"): LIVE_CONTROLS[r"_timeline_\d+"],
}


def not_a_setting(key: str, live_prefixes=()) -> str | None:
    """Why the widget ``key`` is not a setting, or None (``live_prefixes``: the page's live
    views)."""
    patterns = dict(NOT_SETTINGS)
    for prefix in live_prefixes:
        patterns.update({re.escape(prefix) + tail: why for tail, why in LIVE_CONTROLS.items()})
    return next((why for pattern, why in patterns.items() if re.fullmatch(pattern, key)), None)


def _walk(node, out: list) -> list:
    out.append(node)
    for child in getattr(node, "children", {}).values():
        _walk(child, out)
    return out


def unbound_controls(at: AppTest) -> list[str]:
    """The widgets of a page run that should be in the URL and are not: ``"Slider lr_k"``."""
    problems = []
    nodes = _walk(at._tree, [])
    keys = {k for k in (getattr(n, "key", None) for n in nodes) if isinstance(k, str)}
    live = [k[:-len("_step")] for k in keys
            if k.endswith("_step") and k[:-len("_step")] + "_reset" in keys]
    for node in nodes:
        kind = type(node).__name__
        key = getattr(node, "key", None)
        user_key = key if isinstance(key, str) and key and not key.startswith("$$") else None
        if isinstance(node, ACTIONS) or not isinstance(node, Widget) and kind != "UnknownElement":
            continue
        if user_key is None:
            if isinstance(node, Widget):  # a keyless setting cannot be bound
                problems.append(f"{kind} without a key: {getattr(node, 'label', '?')!r}")
            continue
        if not_a_setting(user_key, live):
            continue
        bound_to = getattr(getattr(node, "proto", None), "query_param_key", None)
        if bound_to != user_key:
            problems.append(f"{kind} {user_key} (bound to {bound_to!r})")
    return problems


def test_no_control_is_drawn_past_the_url_binding_in_the_source():
    """Controls drawn only in some states (a page's other optimizer, the custom data set)
    are not in a default page run: no setting widget is called directly, only through
    ``nnlab.app.bound``, but for the listed exceptions."""
    call = re.compile(r"\b(?:st|[a-z_][a-z0-9_]*)\.(" + "|".join(SETTING_WIDGETS) + r")\(")
    found = []
    files = [*(ROOT / "pages").glob("*.py"), *(ROOT / "nnlab" / "app").glob("*.py"),
             ROOT / "streamlit_app.py"]
    for path in files:
        rel = str(path.relative_to(ROOT))
        if rel == "nnlab/app/bound.py":
            continue
        text = path.read_text()
        for match in call.finditer(text):
            if match.group(0).startswith("bound."):
                continue
            window = text[match.start():match.start() + 700]
            if any(rel == f and near in window for (f, near) in DIRECT_ALLOWED):
                continue
            line = text.count("\n", 0, match.start()) + 1
            found.append(f"{rel}:{line}: {match.group(0)}")
    assert not found, ("setting widgets not bound to the URL (use nnlab.app.bound, or list "
                       f"them in DIRECT_ALLOWED with the reason): {found}")


def _open(page: str, params: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / page), default_timeout=TIMEOUT)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value[:300] for e in at.exception]
    return at


def share_link(at: AppTest) -> str:
    """Open the page's share popover and read the link it shows."""
    at.session_state["nnlab_share"] = True
    at.run()
    assert not at.exception, [e.value[:300] for e in at.exception]
    popover = next(b for b in _walk(at.sidebar, []) if getattr(b, "type", None) == "popover")
    codes = [c.value for c in popover.code]
    assert len(codes) == 1, codes
    return codes[0]


def test_the_share_link_reproduces_every_changed_control(monkeypatch):
    monkeypatch.setenv("NNLAB_MAX_SECONDS", "3")
    page = "pages/25_Learning_rate_decay.py"
    at = _open(page)
    at.number_input(key="lr_k").set_value(2.5)
    at.select_slider(key="lr_num_epochs").set_value(500)
    at.slider(key="lr_drop").set_value(0.25)
    at.run()
    link = share_link(at)
    params = dict(parse_qsl(link.split("?", 1)[1]))
    assert params == {"lr_k": "2.5", "lr_num_epochs": "500", "lr_drop": "0.25"}, link
    again = _open(page, params)
    assert again.number_input(key="lr_k").value == 2.5
    assert again.select_slider(key="lr_num_epochs").value == 500
    assert again.slider(key="lr_drop").value == 0.25
    assert not [w.value for w in again.warning if "link" in w.value]


def test_the_share_link_of_a_page_at_its_defaults_has_no_settings(monkeypatch):
    monkeypatch.setenv("NNLAB_MAX_SECONDS", "3")
    link = share_link(_open("pages/22_Averages.py"))
    assert "?" not in link, link
