"""Widgets bound to the URL by default: a link reproduces the view.

Every control of the app goes through here (or through ``nnlab.app.controls``, whose
functions bind by default too): ``bound.slider(...)`` is ``st.slider(..., bind=BIND)``, so the
widget's value is read from and written to the page's query parameters under its key. Pass
``bind=None`` to keep a widget out of the URL, ``where=column`` to draw it in a container.
"""

from __future__ import annotations

import functools

import streamlit as st

#: How every control is bound (Streamlit's ``bind=`` of its widgets).
BIND = "query-params"


def _bound(name):
    widget = getattr(st, name)

    @functools.wraps(widget)
    def bound_widget(*args, where=None, bind=BIND, **kwargs):
        target = getattr(where, name) if where is not None else widget
        return target(*args, bind=bind, **kwargs)

    return bound_widget


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
