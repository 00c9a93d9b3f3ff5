"""No raw markup in what a learner reads (issue 13): ``W^[l]`` or ``lambda_max`` in a sentence,
a chart title or a label is source code leaking through, not the notation of the lecture.

Every page at its defaults (AppTest), every tab of its sections opened in turn: its Markdown,
captions, headings, notices, metric and widget labels, and its charts' titles (chart, axis and
legend), with LaTeX (``$...$``) and code spans (backticks) taken out first, since those are
typeset. A TensorFlow page's code and the math-and-code tab's source are ``st.code``: not text.
"""

from __future__ import annotations

import json
import re

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import open_section, page_path
from tests.app.test_url_fuzz import sections_of
from tests.browser import app_scripts

#: What raw markup looks like: a superscript or subscript in TeX or the course's ASCII (``W^[l]``,
#: ``x^{(i)}``, ``n_h``-style names with an underscore), or a TeX command outside ``$...$``.
RAW = re.compile(r"\w\^[\[{(]|\\(?:frac|sqrt|beta|alpha|lambda|sigma|mathcal|cdot|text)\b"
                 r"|\b(?:lambda|alpha|beta|epsilon|sigma)_\w+|\b[A-Za-z]\w*_(?:max|min)\b")
#: Typeset spans: LaTeX ($$...$$, $...$) and code (`...`).
TYPESET = re.compile(r"\$\$.*?\$\$|\$[^$]+\$|`[^`]*`", re.S)
TEXT_KINDS = ("markdown", "caption", "header", "subheader", "title", "info", "warning",
              "success", "error", "metric")
WIDGETS = ("slider", "select_slider", "selectbox", "multiselect", "number_input", "text_input",
           "checkbox", "toggle", "radio", "button", "segmented_control", "pills")
PAGES = [p.name for p in app_scripts()]


def _elements(node, out):
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for child in children.values():
            out.append(child)
            _elements(child, out)
    return out


def _chart_titles(spec, out):
    """Every ``title`` string of a Vega-Lite spec (chart, axis, legend, encoding)."""
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key == "title":
                texts = value.get("text", "") if isinstance(value, dict) else value
                out.extend(texts if isinstance(texts, list) else [texts])
            elif key != "datasets":
                _chart_titles(value, out)
    elif isinstance(spec, list):
        for value in spec:
            _chart_titles(value, out)
    return out


def texts(at: AppTest) -> list[str]:
    """What the learner reads on the page as AppTest drew it, typeset spans removed."""
    found = []
    for kind in TEXT_KINDS:
        for e in at.get(kind):
            found.append(getattr(e, "label", "") if kind == "metric" else str(e.value))
    for kind in WIDGETS:
        found.extend(str(e.label) for e in at.get(kind))
    for e in _elements(at._tree, []):
        if getattr(e, "type", None) == "vega_lite_chart":
            found.extend(str(t) for t in _chart_titles(json.loads(e.proto.spec), []))
    return [TYPESET.sub("", t) for t in found if t]


@pytest.mark.parametrize("script", PAGES)
def test_no_raw_markup_in_what_a_learner_reads(script):
    at = AppTest.from_file(page_path(script), default_timeout=300).run()
    assert not at.exception, [e.value for e in at.exception]
    seen = {"(defaults)": texts(at)}
    key, labels = sections_of(at) or (None, [])
    for label in labels[1:]:
        seen[label] = texts(open_section(at, key, label))
    raw = {where: [t for t in found if RAW.search(t)] for where, found in seen.items()}
    assert not any(raw.values()), {w: r for w, r in raw.items() if r}


#: A variant of some page, then (in the same clause) a word that makes it the winner.
NAMES_A_WINNER = re.compile(
    r"\b(?:zeros|He|Xavier|L2|dropout|momentum|RMSprop|Adam|gradient descent|grid|random search|"
    r"batch norm(?:alization)?|plain|stochastic|batch)\b[^.:;?]*?"
    r"\b(?:lowest|highest|best|worst|fastest|slowest|wins|beats|further|furthest|better|only)\b",
    re.IGNORECASE)


def test_the_line_under_each_title_names_no_winner():
    """Issue 13: the line under a title is fixed text, so it may say what the page shows and
    ask what to look for, never who wins: Optimizers said "Adam gets further" where RMSprop
    ends lower. Who wins is said under the picture, computed from the runs."""
    from nnlab.app.pages import PAGES

    claims = {p.title: m.group(0) for p in PAGES if (m := NAMES_A_WINNER.search(p.what))}
    assert not claims, claims
    # the check itself: the old Optimizers line is caught
    assert NAMES_A_WINNER.search("Four optimizers on the moons: Adam gets further.")
