""""Share this setup" and the classroom mode.

Every setting of a page is a bound widget (``nnlab.app.bound``), so the page's link is the
setup. :func:`share_popover` (drawn by ``page_setup`` at the top of the sidebar) shows that
link with a copy button. The settings are read from the widgets themselves, not from the
server's copy of the URL (Streamlit does not refresh that copy on reruns of the same page).

Classroom mode, after TensorFlow Playground's ``_hide`` flags: ``?hide=prose,math,menu,<keys>``
hides the page's explanatory text (its intro line, captions and any element in a container
keyed ``prose...``), the math-and-code section, the week menu, and the named controls. A
hidden control is still drawn, invisibly, so it keeps the value the link gives it. A value
that is not one of these is named in a notice under the title. The share popover lets a
teacher choose what to hide.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import streamlit as st

from nnlab.app import bound
from nnlab.app.style import add as add_style
from nnlab.app.widgets import user_text

#: The query parameter of the classroom mode.
HIDE_PARAM = "hide"
#: The parts of a page a link can hide, besides controls (by their key).
WORDS = {"prose": "the explanations (intro line, captions)",
         "math": "the math and the code", "menu": "the week menu"}
#: What a control key looks like (also what may safely go in a CSS class name).
KEY_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")
#: At most this many hide flags are read from a link.
MAX_FLAGS = 40
#: Session-state keys: this run's hide flags, the notice slot, the popover and its picker.
FLAGS_KEY = "_nnlab_hide_flags"
POPOVER_KEY = "nnlab_share"
PICK_KEY = "nnlab_share_hide"
_SLOT, _BAD, _LINK_NOTES = "_nnlab_hide_slot", "_nnlab_hide_bad", "_nnlab_link_notes"


def _parse(raw_values) -> tuple[list[str], list[str]]:
    """The hide flags of a link (``["prose", "init_lr"]``) and the entries that cannot be
    one (bad characters, too many)."""
    flags, bad = [], []
    for raw in raw_values:
        for token in str(raw).split(","):
            token = token.strip()
            if not token:
                continue
            if token in WORDS or KEY_PATTERN.fullmatch(token):
                if token not in flags:
                    flags.append(token)
            else:
                bad.append(token)
    if len(flags) > MAX_FLAGS:
        bad.extend(flags[MAX_FLAGS:])
        flags = flags[:MAX_FLAGS]
    return flags, bad


def flags() -> list[str]:
    """This run's hide flags (set by :func:`start`)."""
    return list(st.session_state.get(FLAGS_KEY, ()))


def hides(part: str) -> bool:
    """Whether the link hides ``part`` (a word of :data:`WORDS` or a control key)."""
    return part in flags()


def read_link(page: str) -> None:
    """Called first by ``page_setup``: read the link's ``?hide=`` flags and start this run's
    list of bound controls."""
    bound.new_run(page)
    found, bad = _parse(st.query_params.get_all(HIDE_PARAM))
    st.session_state[FLAGS_KEY] = found
    st.session_state[_BAD] = bad


def under_title() -> None:
    """Called by ``page_setup`` under the title: hide what the flags name (CSS for the controls
    and the prose), and keep a place for the notice on flags it cannot use."""
    found, bad = flags(), list(st.session_state.get(_BAD, []))
    st.session_state[_SLOT] = st.empty()
    st.session_state[_LINK_NOTES] = [st.empty(), None]  # takes no room until written
    style = hide_style(found)
    if style:  # a style sheet only: no script, no text of the link but checked keys
        add_style(style)
    _notice(bad, [])


def hide_style(found) -> str:
    """The style sheet that hides what the flags name ("" for nothing): a control by its key's
    class (Streamlit adds ``st-key-<key>``), the prose by its elements. Only flags that match
    :data:`KEY_PATTERN` (letters, digits, underscores) reach it."""
    rules = [f".st-key-{key}" for key in found
             if key not in WORDS and KEY_PATTERN.fullmatch(key)]
    if "prose" in found:
        rules += ['[data-testid="stCaptionContainer"]', '[class*="st-key-prose"]']
    return ("<style>" + ", ".join(rules) + " { display: none !important; }</style>"
            if rules else "")


def link_notice(text: str, icon: str = ":material/link_off:") -> None:
    """A warning about the link, under the title (where a learner arriving from it looks),
    wherever the control it is about is drawn (a sidebar is collapsed on a phone)."""
    notes = st.session_state.get(_LINK_NOTES)
    if notes is None:
        st.warning(text, icon=icon)
        return
    if notes[1] is None:
        notes[1] = notes[0].container()
    notes[1].warning(text, icon=icon)


def _notice(bad: list[str], unknown: list[str]) -> None:
    slot = st.session_state.get(_SLOT)
    if slot is None:
        return
    parts = []
    if bad:
        parts.append("these are not names of a part or a control: "
                     + ", ".join(f'"{user_text(b)}"' for b in bad[:8]))
    if unknown:
        parts.append("this page shows no control named "
                     + ", ".join(f"`{u}`" for u in unknown[:8]))
    if parts:
        slot.warning(f"The link's `{HIDE_PARAM}=` could not hide everything it names: "
                     + "; ".join(parts) + ". Words it knows: " + ", ".join(WORDS)
                     + ", or the key of a control (**Share this setup** lists them).",
                     icon=":material/visibility_off:")
    else:
        slot.empty()


def page_end() -> None:
    """Called at the end of a page (``math_and_code`` does): name the hidden keys that no
    control of this run has."""
    bound.end_run()
    seen = bound.controls_this_run()
    unknown = [f for f in flags() if f not in WORDS and f not in seen]
    _notice(list(st.session_state.get(_BAD, [])), unknown)


# ------------------------------------------------------------------------------ the link


def current_settings() -> dict[str, str | list[str]]:
    """Query parameter -> value of every bound control of the page's last run whose value is
    not its default (a default is left out of a link, as Streamlit leaves it out of the URL)."""
    from streamlit.runtime.state.query_params import _coerce_value_for_query_url
    from streamlit.runtime.state.session_state_proxy import get_session_state

    keys = bound.controls_last_run()
    state = get_session_state()._state  # Streamlit 1.67: the session's SessionState
    out: dict[str, str | list[str]] = {}
    for key in keys:
        binding = state.query_params.get_binding_for_param(key)
        if binding is None:
            continue
        meta = state._new_widget_state.widget_metadata.get(binding.widget_id)
        try:
            value = state[binding.widget_id]
        except KeyError:
            continue
        if meta is None or _same(value, meta.deserializer(None)):
            continue
        out[key] = _coerce_value_for_query_url(meta.serializer(value), meta.value_type)
    return out


def _same(a, b) -> bool:
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001 - arrays and the like: not equal
        return False


def query_string(settings: dict, hide=()) -> str:
    """``a=1&b=x&b=y&hide=prose,math``: settings first (lists repeat their key), then hide."""
    pairs = []
    for key, value in settings.items():
        for v in value if isinstance(value, list) else [value]:
            pairs.append(f"{quote(key)}={quote(str(v), safe='')}")
    if hide:
        pairs.append(f"{HIDE_PARAM}=" + ",".join(quote(h, safe="") for h in hide))
    return "&".join(pairs)


def share_url(settings: dict, hide=()) -> str:
    """The page's address (``st.context.url``, empty outside a browser) with the query."""
    base = st.context.url or ""
    query = query_string(settings, hide)
    return f"{base}?{query}" if query else base


def share_popover() -> None:
    """The "Share this setup" popover: the link with a copy button and the classroom picker.
    Its content is built when it opens (a rerun), from the controls of the page's last run."""
    pop = st.popover("Share this setup", icon=":material/share:", key=POPOVER_KEY,
                     on_change="rerun", width="stretch",
                     help="A link to this page with every setting as you see it now.")
    if not pop.open:
        return
    with pop:
        _share_body()


def _share_body() -> None:
    controls = bound.controls_last_run()
    options = list(WORDS) + sorted(controls)
    picked = st.session_state.get(PICK_KEY)
    if picked is None:  # first opened: what the link hides now
        st.session_state[PICK_KEY] = [f for f in flags() if f in options]
    elif any(p not in options for p in picked):  # picked on another page
        st.session_state[PICK_KEY] = [p for p in picked if p in options]
    hide = bound.multiselect(  # not bound: what it picks is the link's own hide=
        "Classroom mode: hide", options, key=PICK_KEY, bind=None,
        format_func=lambda o: WORDS.get(o) or f"{controls.get(o, o)} ({o})",
        help="A class that opens the link sees one focused experiment: the parts and controls "
             "you pick are hidden (a hidden control keeps the value it has now).")
    settings = current_settings()
    st.markdown("The link to this page with **every setting as it is now**"
                + (" and the parts you hide" if hide else "") + " (copy button at the right):")
    st.code(share_url(settings, hide), language=None, wrap_lines=True)
    if any(str(v) == "custom" for k, v in settings.items() if k.endswith("dataset")):
        st.warning("This setup uses **your uploaded data**, which stays in your browser "
                   "session: whoever opens the link is asked to upload the same CSV.",
                   icon=":material/upload_file:")
