"""The app's one stylesheet (WCAG 2.1 AA), injected once per page by ``page_setup``.

Keyed on Streamlit's public ``data-testid`` attributes only (no generated class names), so a
Streamlit upgrade that keeps its test ids keeps the fixes:

- captions (``st.caption``, widget help) at 7:1 instead of Streamlit's 4.0:1 (WCAG 1.4.3);
- a visible focus ring on everything reachable by Tab, the sidebar's page links and the
  charts' toolbar buttons included (WCAG 2.4.7);
- code blocks keep their syntax highlighting at 4.5:1 or more (1.4.3), and wrap instead of
  scrolling sideways, so they read without a mouse (WCAG 2.1.1, 1.4.10);
- on a phone, a chart wider than the screen (a grid of panels) scrolls inside its own box,
  never the page (1.4.10 exempts two-dimensional content, not the page around it);
- labels of disabled widgets at 5.7:1 (Streamlit's are 2.3:1);
- section headings (``st.header``, h2, under the page's h1) drawn at the size of Streamlit's
  h3, the size the pages had when they skipped from h1 to h3.
"""

from __future__ import annotations

import streamlit as st

#: Caption and muted text: 7.4:1 on white, 6.9:1 on the sidebar's #f4f6f9.
CAPTION_COLOUR = "#4b5563"
#: Label of a disabled widget: dimmer than text, still 5.6:1 on the sidebar (Streamlit's is 2.3:1).
DISABLED_LABEL_COLOUR = "#5b6270"
#: Code highlighting at 4.5:1 or more on the code block's #fafbfc (Streamlit's blue, green and
#: teal tokens are 2.6 to 3.8:1): plain text, comments, strings, keywords and numbers.
TEXT_COLOUR = "#1f2933"
CODE_STRING_COLOUR = "#0a6630"
CODE_KEYWORD_COLOUR = "#00529b"
#: Focus ring: Okabe-Ito blue, 5.1:1 on white (a focus indicator needs 3:1).
FOCUS_COLOUR = "#0072B2"

CSS = f"""
<style>
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p,
[data-testid="stWidgetLabel"] [data-testid="stCaptionContainer"],
[data-testid="stTooltipHoverTarget"] svg {{
    color: {CAPTION_COLOUR} !important;
    opacity: 1 !important;
}}
[data-testid="stSliderTickBarMin"], [data-testid="stSliderTickBarMax"] {{
    color: {CAPTION_COLOUR} !important;
    opacity: 1 !important;
}}
a:focus-visible, button:focus-visible, [role="button"]:focus-visible,
[role="tab"]:focus-visible, [role="slider"]:focus-visible, input:focus-visible,
textarea:focus-visible, summary:focus-visible, [tabindex]:focus-visible,
[data-testid="stSidebarNavLink"]:focus-visible, [data-testid="stPageLink-NavLink"]:focus-visible,
[data-testid="stElementToolbarButton"] button:focus-visible {{
    outline: 3px solid {FOCUS_COLOUR} !important;
    outline-offset: 2px !important;
}}
[data-testid="stCode"] .token {{
    color: {TEXT_COLOUR} !important;
}}
[data-testid="stCode"] .token.comment, [data-testid="stCode"] .token.prolog {{
    color: {DISABLED_LABEL_COLOUR} !important;
}}
[data-testid="stCode"] .token.string, [data-testid="stCode"] .token.triple-quoted-string {{
    color: {CODE_STRING_COLOUR} !important;
}}
[data-testid="stCode"] .token.keyword, [data-testid="stCode"] .token.builtin,
[data-testid="stCode"] .token.boolean, [data-testid="stCode"] .token.number {{
    color: {CODE_KEYWORD_COLOUR} !important;
}}
[data-testid="stCode"] pre, [data-testid="stCode"] code {{
    white-space: pre-wrap !important;
    overflow-wrap: anywhere !important;
}}
@media (max-width: 640px) {{
    [data-testid="stMain"] [data-testid="stVegaLiteChart"] {{
        max-width: 100%;
        overflow-x: auto;
    }}
    /* a phone: the live view's Epoch counter (and any metric) a line shorter, so that the
       picture starts on the first screen */
    [data-testid="stMetricValue"] {{
        font-size: 1.6rem;
    }}
}}
.stElementContainer:has([disabled], [aria-disabled="true"]) [data-testid="stWidgetLabel"] p {{
    color: {DISABLED_LABEL_COLOUR} !important;
}}
/* a formula's square-root sign reaches 2 px past its box, which made every such display a
   scroll region of its own (axe: scrollable-region-focusable); the padding takes it in. A
   formula wider than the column still scrolls in its box. */
.katex-display > .katex {{
    padding: 0 4px;
}}
[data-testid="stMain"] [data-testid="stHeading"] h2 {{
    font-size: 1.5rem;
}}
[data-testid="stSidebar"] [data-testid="stHeading"] h2 {{
    font-size: 1.15rem;
}}
</style>
"""


def inject() -> None:
    """Add the stylesheet to the page (call once per script run, from ``page_setup``)."""
    add(CSS)


def add(sheet: str) -> None:
    """Add a style sheet to the page: the one place the app sends raw HTML (``st.html``), and
    only a ``<style>`` element with no script and no second element in it (the live view's
    stale-fade rule, classroom mode's hidden controls)."""
    body = sheet.strip()
    inner = body[len("<style>"):-len("</style>")]
    if (not body.startswith("<style>") or not body.endswith("</style>")
            or "<" in inner or "javascript:" in inner.lower()):
        raise ValueError(f"not a plain style sheet: {body[:80]!r}")
    st.html(body)
