"""Widgets bound to the URL by default: a link reproduces the view.

Every control of the app goes through here (or through ``nnlab.app.controls``, whose
functions bind by default too): ``bound.slider(...)`` is ``st.slider(..., bind=BIND)``, so the
widget's value is read from and written to the page's query parameters under its key. Pass
``bind=None`` to keep a widget out of the URL, ``where=column`` to draw it in a container.

A link is input from a stranger. Streamlit resets most values it cannot use to the widget's
default without a word, and one it does not catch (``inf`` in a whole-number input raises
OverflowError in 1.67). So before a bound number widget is drawn, its link value is checked
here: one that is not a finite number in the widget's range is dropped from the link, the
widget shows its default, and a notice under it names the value and why. A choice widget
whose link value is not one of its options gets the same notice.

Each run also lists its bound controls (key -> label, :func:`controls_this_run`): the share
popover (``nnlab.app.share``) builds the page's link and its classroom picker from the last
run's list, and checks a link's ``?hide=`` keys against it.
"""

from __future__ import annotations

import functools
import math
from numbers import Integral, Real

import streamlit as st

from nnlab.app.widgets import escape_markdown, user_text

#: How every control is bound (Streamlit's ``bind=`` of its widgets).
BIND = "query-params"
_NUMBER_WIDGETS = {"slider", "number_input"}
_CHOICE_WIDGETS = {"selectbox", "radio", "segmented_control", "pills", "select_slider"}


def _query_params():
    from streamlit.runtime.state.session_state_proxy import get_session_state

    return get_session_state().query_params()


def link_value(key: str) -> str | None:
    """The value the page's link gives ``key`` (what Streamlit seeds the widget from)."""
    with _query_params() as qp:
        value = qp.get_initial_value(key)
    return value[-1] if isinstance(value, list) else value


def forget_link_value(key: str) -> None:
    """Drop ``key`` from the link: from the URL and from the values widgets are seeded from."""
    with _query_params() as qp:
        qp.remove_param(key)
        qp._initial_query_params.pop(key, None)  # Streamlit 1.67: the seeding values


def quote(text) -> str:
    """A stranger's text in quotes, shown as text (``nnlab.app.widgets.user_text``)."""
    return f'"{user_text(text)}"'

def _argument(args, kwargs, name, position, default=None):
    if name in kwargs:
        return kwargs[name]
    return args[position] if len(args) > position else default


def _number_problem(name: str, raw: str, args, kwargs) -> str | None:
    """Why the link value ``raw`` cannot be this number widget's value (None if it can)."""
    if name == "slider":  # slider(label, min_value, max_value, value, step, ...)
        lo, hi = _argument(args, kwargs, "min_value", 1), _argument(args, kwargs, "max_value", 2)
        value = _argument(args, kwargs, "value", 3)
        step = _argument(args, kwargs, "step", 4)
        if isinstance(value, (list, tuple)):
            return None  # a range: Streamlit checks both ends and their count
    else:  # number_input(label, min_value, max_value, value, step, ...)
        lo, hi = _argument(args, kwargs, "min_value", 1), _argument(args, kwargs, "max_value", 2)
        value = _argument(args, kwargs, "value", 3, "min")
        step = _argument(args, kwargs, "step", 4)
    numbers = [v for v in (lo, hi, value, step) if v is not None and v != "min"]
    if not all(isinstance(v, Real) and not isinstance(v, bool) for v in numbers):
        return None  # dates and times: Streamlit's own checks
    whole = all(isinstance(v, Integral) for v in numbers)
    try:
        x = float(raw)
    except ValueError:
        return "not a number"
    if not math.isfinite(x):
        return "not a finite number"
    if whole and x != int(x):
        return "not a whole number"
    if (lo is not None and x < lo) or (hi is not None and x > hi):
        lo_text = "" if lo is None else f"{lo:g}"
        hi_text = "" if hi is None else f"{hi:g}"
        return f"outside the range {lo_text}…{hi_text}"
    return None


def _label(args, kwargs) -> str:
    return str(_argument(args, kwargs, "label", 0, "this control"))


def _notice(target, label: str, key: str, raw: str, problem: str, value) -> None:
    shown = value if isinstance(value, (int, float, str, bool)) else "its default"
    target.warning(f"The link gave **{escape_markdown(label)}** (`{key}`) the value "
                   f"{quote(raw)}, which is {problem}: it shows {quote(shown)} instead.",
                   icon=":material/link_off:")
    # The control may sit in a collapsed sidebar (a phone): say it where the learner looks too.
    st.toast(f"The link's value for **{escape_markdown(label)}** could not be used: it shows "
             f"{quote(shown)}.", icon=":material/link_off:", duration="infinite")


#: Session-state key: the bound controls of this run and of the page's last complete run.
CONTROLS_KEY = "_nnlab_bound_controls"


def new_run(page: str) -> None:
    """Start this run's list of bound controls (``page_setup`` calls it): the last run's list
    is kept for the share popover, which is drawn before this run's controls are."""
    record = st.session_state.get(CONTROLS_KEY)
    if not record or record["page"] != page:
        record = {"page": page, "last": {}, "run": {}, "complete": False}
    elif record["run"]:
        record["last"] = (record["run"] if record["complete"]
                          else {**record["last"], **record["run"]})
    record.update(run={}, complete=False)
    st.session_state[CONTROLS_KEY] = record


def end_run() -> None:
    """The page drew all its controls: this run's list is complete."""
    record = st.session_state.get(CONTROLS_KEY)
    if record:
        record["complete"] = True


def controls_this_run() -> dict[str, str]:
    """Key -> label of the bound controls drawn so far in this run."""
    record = st.session_state.get(CONTROLS_KEY)
    return dict(record["run"]) if record else {}


def controls_last_run() -> dict[str, str]:
    """Key -> label of the bound controls of the page's last run (and this one's so far)."""
    record = st.session_state.get(CONTROLS_KEY)
    return {**record["last"], **record["run"]} if record else {}


def record(key: str, label: str) -> None:
    """Note that a control bound to ``key`` (labelled ``label``) is drawn this run."""
    entry = st.session_state.get(CONTROLS_KEY)
    if entry is not None:
        entry["run"][key] = label


def _bound(name):
    widget = getattr(st, name)

    @functools.wraps(widget)
    def bound_widget(*args, where=None, bind=BIND, **kwargs):
        target = where if where is not None else st
        key = kwargs.get("key")
        raw = link_value(key) if bind is not None and isinstance(key, str) else None
        if bind is not None and isinstance(key, str):
            record(key, _label(args, kwargs))
        new = raw is not None and key not in st.session_state  # seeded from the link this run
        problem = None
        if raw is not None and raw != "" and name in _NUMBER_WIDGETS:
            problem = _number_problem(name, raw, args, kwargs)
            if problem:
                forget_link_value(key)
        value = getattr(target, name)(*args, bind=bind, **kwargs)
        if new and raw != "" and not problem and name in _CHOICE_WIDGETS:
            if not _is_choice(raw, value, kwargs):
                problem = "not one of the choices"
                forget_link_value(key)
        if problem:
            _notice(target, _label(args, kwargs), key, raw, problem, value)
        return value

    return bound_widget


def _is_choice(raw: str, value, kwargs) -> bool:
    """Whether the widget took the link's value (Streamlit falls back to the default when the
    value is not an option): the shown value, formatted as the URL writes it, is ``raw``."""
    if value is None:
        return False
    fmt = kwargs.get("format_func", str)
    values = value if isinstance(value, (list, tuple)) else [value]
    try:
        return raw in {fmt(v) for v in values} | {str(v) for v in values}
    except Exception:  # noqa: BLE001 - a format function that fails: no notice
        return True


def tabs(labels, *, key: str, label: str = "Section"):
    """``st.tabs`` with the open tab bound to the link (``?<key>=<tab label>``; Streamlit runs
    only the open tab's body: ``tab.open``), recorded as a control named ``label``."""
    record(key, label)
    return st.tabs(list(labels), key=key, bind=BIND)


slider = _bound("slider")
select_slider = _bound("select_slider")
selectbox = _bound("selectbox")
multiselect = _bound("multiselect")
number_input = _bound("number_input")
text_input = _bound("text_input")
checkbox = _bound("checkbox")
toggle = _bound("toggle")
radio = _bound("radio")
segmented_control = _bound("segmented_control")
pills = _bound("pills")
