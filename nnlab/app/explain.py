"""The "math and code" expander that closes every page."""

from __future__ import annotations

import inspect
from collections.abc import Sequence

import streamlit as st


def source_of(obj) -> str:
    """The source code of a function, class or module, or a one-line note if unavailable."""
    try:
        return inspect.getsource(obj)
    except (OSError, TypeError):
        return f"# source of {qualified_name(obj)} is not available"


def qualified_name(obj) -> str:
    """``"nnlab.spec.optimizers.update_parameters_with_adam"`` for a function, class or module."""
    module = getattr(obj, "__module__", None)
    name = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None) or repr(obj)
    return f"{module}.{name}" if module and module != name else str(name)


def math_and_code(latex_list: Sequence[str] | str, objects: Sequence = (), note: str | None = None,
                  *, expanded: bool = False, title: str = "The math and the code") -> None:
    """An expander with each formula (``st.latex``) and the exact source of each engine object.

    Parameters
    ----------
    latex_list : list of str (or one str)
        LaTeX formulas, without ``$``: e.g. ``r"v_{dW} = \\beta v_{dW} + (1-\\beta)\\,dW"``.
    objects : list
        Engine functions, classes or modules whose source is shown (``inspect.getsource``),
        each under its qualified name.
    note : str, optional
        Markdown shown between the formulas and the code (e.g. what the code does differently
        from the lecture).
    expanded : bool, default False
    title : str
        The expander's label.
    """
    if isinstance(latex_list, str):
        latex_list = [latex_list]
    with st.expander(title, expanded=expanded, icon=":material/functions:"):
        for formula in latex_list:
            st.latex(formula)
        if note:
            st.markdown(note)
        for obj in objects:
            st.caption(f"`{qualified_name(obj)}`")
            st.code(source_of(obj), language="python")
