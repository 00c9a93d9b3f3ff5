"""The sections of a page under its picture: lazy tabs, the open one in the page's link.

A page is its picture first, then the rest (issue 13): ``sections`` draws the rest as tabs, so
the page's math-and-code section (the last tab) is at most two screens down, and only the
open tab's section runs (a knob change reruns one section, not all of them). The open tab is
in the link as ``?<key>=<label>`` (``nnlab.app.bound.tabs``; the first tab is the
default and is left out of the link), so a shared link opens the section it was made on. A
link naming a tab the page does not have gets a notice under the title and opens the first tab.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import streamlit as st

from nnlab.app import bound, share
from nnlab.app.explain import TITLE as MATH

#: What the share popover calls the tabs control.
LABEL = "Section"


def sections(key: str, parts: Mapping[str, Callable[[], object]],
             math: Callable[[], None] | None = None) -> dict[str, object]:
    """Draw ``parts`` (tab label -> a function that draws that section) as tabs and run only
    the open one, inside its tab; ``math`` (``nnlab.app.explain.math_section(...)``) is the
    last tab, "The math and the code", unless a classroom link hides the math. Returns
    ``{label: what its function returned}`` for the open tab (the others are not run)."""
    parts = dict(parts)
    if math is not None and not share.hides("math"):
        parts[MATH] = math
    labels = list(parts)
    raw = bound.link_value(key)
    if raw is not None and key not in st.session_state and raw not in labels:
        share.link_notice(f"The link opens the section {bound.quote(raw)} (`{key}`), which this "
                          f"page does not have: it shows **{labels[0]}**. Its sections: "
                          + ", ".join(f"**{label}**" for label in labels) + ".")
    tabs = bound.tabs(labels, key=key, label=LABEL)
    out: dict[str, object] = {}
    for label, tab in zip(labels, tabs, strict=True):
        if tab.open:
            with tab:
                out[label] = parts[label]()
    share.page_end()  # the page's controls are drawn: check the link's classroom flags
    return out
