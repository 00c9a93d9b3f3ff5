"""WCAG 2.1 A/AA on every page (issue 18): axe-core in Chromium finds no violation in the
app's own content, and every chart has a text alternative of its own, computed from its data.

:func:`check_whole_page` runs on every page, and :func:`check_every_tab` on each tab of its
sections (``nnlab.app.sections``: only the open tab is drawn), inside
``tests/app/test_browser_layout.py``'s laptop test (one page load for the layout and the
accessibility checks): it waits for the page's charts, then makes the viewport as tall as the
page: axe checks only what is visible inside Streamlit's scroll container (``stMain``), so the
whole page must be on screen.

axe-core comes from the PyPI package ``axe-playwright-python`` (it bundles ``axe.min.js``).
Rules: every rule tagged ``wcag2a``, ``wcag2aa``, ``wcag21a`` or ``wcag21aa``, plus
``heading-order``. Excluded, each for a reason named in :data:`STREAMLIT_OWNED`: elements
that Streamlit draws and styles and the app cannot change (see ACCESSIBILITY.md).
"""

from __future__ import annotations

import re

import pytest

from tests.browser import (
    UI_TIMEOUT,
    exception_texts,
    wait_for_app,
    wait_for_rerun,
)

pytestmark = pytest.mark.browser

WIDTH = 1280
#: Tallest viewport used (the longest page is about 9,000 px at 1280 px wide).
MAX_HEIGHT = 16000
#: axe rule tags checked, plus heading-order (a best practice, asked for by the issue).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
EXTRA_RULES = ["heading-order"]
#: Streamlit-owned elements excluded from axe, each with the reason (see ACCESSIBILITY.md).
#: Only one: everything else on every page passes as it is (st.dataframe's grid included).
STREAMLIT_OWNED = {
    # Streamlit's "Running..." indicator: shown only while a script runs, drawn and styled
    # by Streamlit (not page content; the app has no say in its markup).
    '[data-testid="stStatusWidget"]': "Streamlit's run-status widget",
}
#: A chart's accessible name when the app gave it none (Vega's default).
DEFAULT_NAMES = {"", "Vega visualization"}

#: Vega makes the chart's container (Streamlit's ``stVegaLiteChart`` div) the
#: ``graphics-document`` and names it with the spec's description (``alt=``).
_ROOT = """(c) => c.matches('[role="graphics-document"]') ? c
                 : c.querySelector('[role="graphics-document"]')"""
_CHART_NAMES = f"""() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
    .filter(c => c.getBoundingClientRect().width > 0)
    .map(c => {{ const r = ({_ROOT})(c);
                return r ? (r.getAttribute('aria-label') || '') : null; }})"""
_CHARTS_DRAWN = f"""() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
    .filter(c => c.getBoundingClientRect().width > 0)
    .every(c => ({_ROOT})(c) && c.querySelector('svg, canvas'))"""
_SETTLED = """() => !document.querySelector('[data-testid="stSkeleton"]')
    && [...document.querySelectorAll('style')]
        .some(s => s.textContent.includes('stCaptionContainer'))"""
_RUN_AXE = """async ([tags, extra, exclude]) => {
    const rules = axe.getRules(tags).map(r => r.ruleId).concat(extra);
    const res = await axe.run({exclude: exclude.map(s => [s])},
                              {runOnly: {type: 'rule', values: rules},
                               resultTypes: ['violations']});
    return res.violations.map(v => ({id: v.id, nodes: v.nodes.map(
        n => n.target.join(' ') + ' :: ' + n.html.slice(0, 120) + ' :: '
             + (n.failureSummary || '').slice(0, 160))}));
}"""


def _axe_script() -> str:
    axe = pytest.importorskip("axe_playwright_python.sync_playwright",
                              reason="axe-playwright-python is not installed")
    return axe.Axe().axe_script


def check_whole_page(page) -> None:
    """On a page opened at 1280 px whose first run is over: wait for its charts, make the
    viewport as tall as the page, run axe, and check every chart's alternative. Called by
    ``tests/app/test_browser_layout.py``'s laptop test on the page it has open (one page load
    for both checks)."""
    script = _axe_script()
    page.wait_for_function(_CHARTS_DRAWN, timeout=UI_TIMEOUT * 1000, polling=250)
    height = page.evaluate(
        "() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": WIDTH, "height": min(int(height) + 100, MAX_HEIGHT)})
    # A page may run again after its first run (TensorFlow's, once TensorFlow is imported):
    # wait until no element is a loading skeleton and the run is over.
    for _ in range(2):
        wait_for_app(page)
        page.wait_for_function(_SETTLED, timeout=UI_TIMEOUT * 1000, polling=250)
    page.wait_for_function(_CHARTS_DRAWN, timeout=UI_TIMEOUT * 1000, polling=250)
    assert not exception_texts(page)
    page.evaluate(script)
    violations = page.evaluate(_RUN_AXE, [TAGS, EXTRA_RULES, list(STREAMLIT_OWNED)])
    assert not violations, "\n".join(
        f"{v['id']}: {len(v['nodes'])} node(s)\n  " + "\n  ".join(v["nodes"][:6])
        for v in violations)
    names = page.evaluate(_CHART_NAMES)
    unnamed = [i for i, n in enumerate(names) if n is None or n.strip() in DEFAULT_NAMES]
    assert not unnamed, f"charts {unnamed} of {len(names)} have no alternative: {names}"
    for text in names:
        # Computed from the data (nnlab.viz.describe): a number, unless nothing is drawn
        # yet. (A live chart's own description stays constant while it plays, so that Vega
        # updates its data in place: its changing numbers are written beside it.)
        if text.startswith("Chart: "):
            assert re.search(r"\d", text) or "no data" in text, text
    assert len(set(names)) == len(names), f"two charts share one alternative: {names}"


#: The labels of the page's sections (``nnlab.app.sections``): the first tab group that has
#: the math tab.
_SECTION_TABS = """() => {
    const groups = [...document.querySelectorAll('[data-testid="stTabs"]')].filter(g =>
        [...g.querySelectorAll('[data-testid="stTab"]')].some(
            t => t.innerText.trim() === 'The math and the code'));
    return groups.length ? [...groups[0].querySelectorAll('[role="tablist"]')[0]
        .querySelectorAll('[data-testid="stTab"]')].map(t => t.innerText.trim()) : [];
}"""
_TAB_OPEN = """(label) => [...document.querySelectorAll('[data-testid="stTab"]')].some(
    t => t.getAttribute('aria-selected') === 'true' && t.innerText.trim() === label)"""


def check_every_tab(page) -> list[str]:
    """On a page :func:`check_whole_page` has checked: open each other tab of its sections in
    turn (a click, as a learner does) and check the whole page again. Returns the labels of
    the tabs checked (a tab group inside a section is not one of them)."""
    labels = page.evaluate(_SECTION_TABS)
    for label in labels[1:]:
        runs = wait_for_app(page)
        page.locator('[data-testid="stTab"]').filter(
            has_text=re.compile(f"^{re.escape(label)}$")).first.click()
        page.wait_for_function(_TAB_OPEN, arg=label, timeout=UI_TIMEOUT * 1000, polling=100)
        wait_for_rerun(page, runs)
        try:
            check_whole_page(page)
        except AssertionError as e:
            raise AssertionError(f"in the tab {label!r}: {e}") from e
    return labels[1:]


def _charts(app) -> list:
    """The ``st.vega_lite_chart`` elements of an AppTest run, in page order."""
    def nodes(n):
        yield n
        if isinstance(getattr(n, "children", None), dict):
            for c in n.children.values():
                yield from nodes(c)
    return [n.proto for n in nodes(app._tree) if getattr(n, "type", "") == "vega_lite_chart"]


def test_chart_alternative_states_the_numbers_on_screen():
    """Gradient checking at its defaults: the bar chart's alternative gives each parameter's
    relative difference, the heights of the bars drawn (read back from the data sent to the
    browser), and every chart of the page (its Epsilon tab's too) has its own alternative."""
    import json

    import pyarrow as pa

    from tests.app.conftest import open_section, page_path, run_page

    at = open_section(run_page(page_path("16_Gradient_checking.py")), "g_section", "Epsilon")
    charts = _charts(at)  # the bars on top, and the ε sweep of the Epsilon tab
    assert len(charts) >= 2
    alts = [json.loads(c.spec).get("description") or c.alt for c in charts]
    assert all(a and a.startswith("Chart: ") for a in alts), alts
    assert len(set(alts)) == len(alts)
    bars = next(c for c, a in zip(charts, alts, strict=True) if "per parameter" in a)
    frames = [pa.ipc.open_stream(d.data.data).read_pandas() for d in bars.datasets]
    drawn = next(f for f in frames if {"parameter", "value"} <= set(f.columns))
    text = json.loads(bars.spec)["description"]
    assert len(drawn) >= 4
    for name, value in zip(drawn["parameter"], drawn["value"], strict=True):
        assert f"{name} {float(value):.4g}" in text, (name, value, text)
