"""The "math and code" expander that closes every page."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Sequence

import streamlit as st

from nnlab.app import share


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


#: The method of each training backend that computes one step of a run.
STEP_METHODS = {"nnlab.core.network.Network": "step",
                "nnlab.core.reference.Reference": "train_batch"}


def resolve(dotted: str):
    """The object a dotted name such as ``"nnlab.spec.optimizers.adam_step"`` or
    ``"nnlab.core.network.Network.step"`` names (the longest importable module, then
    attributes). Raises ``ValueError`` if it names nothing."""
    parts = str(dotted).split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        try:
            for name in parts[i:]:
                obj = getattr(obj, name)
        except AttributeError:
            break
        return obj
    raise ValueError(f"dotted must name a module, function or class, got {dotted!r}")


def code_that_ran(results: Sequence) -> list[str]:
    """Dotted names of the code that computed ``results`` (``TrainResult``s, or
    ``(label, TrainResult)`` pairs): each distinct update rule, then each distinct backend's
    step, in the order they first appear."""
    runs = [r[1] if isinstance(r, tuple) else r for r in results]
    rules = [r.update_rule for r in runs if getattr(r, "update_rule", "")]
    steps = [f"{r.backend}.{STEP_METHODS.get(r.backend, 'step')}" for r in runs
             if getattr(r, "backend", "")]
    return list(dict.fromkeys(rules + steps))


#: The title of the math-and-code section (an expander, or the last tab of a page's sections).
TITLE = "The math and the code"


def math_and_code(latex_list: Sequence[str] | str, objects: Sequence = (), note: str | None = None,
                  *, results: Sequence = (), expanded: bool = False,
                  title: str = TITLE) -> None:
    """An expander with each formula (``st.latex``) and the exact source of each engine object,
    closing a page that has no sections (a page with sections passes :func:`math_section` to
    ``nnlab.app.sections.sections``, which shows it as its last tab).

    Parameters
    ----------
    latex_list : list of str (or one str)
        LaTeX formulas, without ``$``: e.g. ``r"v_{dW} = \\beta v_{dW} + (1-\\beta)\\,dW"``.
    objects : list
        Engine functions, classes or modules whose source is shown (``inspect.getsource``),
        each under its qualified name.
    results : list, optional
        The runs of the picture above (``TrainResult``s or ``(label, TrainResult)`` pairs):
        the source of what computed them is shown after ``objects``, each distinct update
        rule (``TrainResult.update_rule``) and the step of each backend
        (:func:`code_that_ran`).
    note : str, optional
        Markdown shown between the formulas and the code (e.g. what the code does differently
        from the lecture).
    expanded : bool, default False
    title : str
        The expander's label.
    """
    share.page_end()  # the page's controls are drawn: check the link's classroom flags
    if share.hides("math"):  # a classroom link without the math
        return
    with st.expander(title, expanded=expanded, icon=":material/functions:"):
        math_section(latex_list, objects, note, results=results)()


def math_section(latex_list: Sequence[str] | str, objects: Sequence = (),
                 note: str | None = None, *, results: Sequence = ()):
    """A function that draws the formulas, the note and the code (see :func:`math_and_code`
    for the arguments) where it is called: the body of the math-and-code section."""
    if isinstance(latex_list, str):
        latex_list = [latex_list]

    def draw() -> None:
        for formula in latex_list:
            st.latex(formula)
        if note:
            st.markdown(note)
        shown = [(qualified_name(obj), obj) for obj in objects]
        shown += [(name, resolve(name)) for name in code_that_ran(results)
                  if name not in {n for n, _ in shown}]
        for name, obj in shown:
            st.caption(f"`{name}`")
            st.code(source_of(obj), language="python")

    return draw
