"""The page registry and the shared page setup.

Every page of the app is listed once in :data:`PAGES` (week group, script path, title, icon).
Each page script starts with::

    from nnlab.app import page_setup

    page_setup("Initialization", "Three initializers train the same network: ...")

``page_setup`` sets the page config, draws the grouped week menu in the sidebar (one
``st.page_link`` per page whose file exists, so the app works while pages are being written)
and writes the title and the one-line "what you will see" caption.

Why not ``st.navigation``: with a folder named ``pages/``, a fresh server runs a deep-linked page
without the entry script (see DESIGN.md, "Known Streamlit traps"). So the app uses the
``pages/`` directory, hides the automatic menu (``client.showSidebarNavigation = false``) and
every page calls :func:`page_setup` first.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from streamlit.errors import StreamlitAPIException

from nnlab.app.runs import new_interaction_budget

#: The repository root: the directory of ``streamlit_app.py`` and ``pages/``.
ROOT = Path(__file__).resolve().parents[2]
#: Session-state key holding the title of the page being run (read by the run registry).
CURRENT_PAGE_KEY = "_nnlab_current_page"

WEEK1 = "Week 1 · Practical aspects"
WEEK2 = "Week 2 · Optimization algorithms"
WEEK3 = "Week 3 · Tuning, batch norm, frameworks"
LAB = "Lab"
GROUPS = (WEEK1, WEEK2, WEEK3, LAB)


@dataclass(frozen=True)
class PageInfo:
    """One page: its week ``group``, script ``path`` (relative to :data:`ROOT`), ``title``
    and ``icon`` (an emoji or ``":material/name:"``)."""

    group: str
    path: str
    title: str
    icon: str

    @property
    def file(self) -> Path:
        """Absolute path of the page script."""
        return ROOT / self.path

    @property
    def exists(self) -> bool:
        return self.file.is_file()


HOME = PageInfo("", "streamlit_app.py", "nnlab: improving deep neural networks",
                ":material/home:")

PAGES: tuple[PageInfo, ...] = (
    PageInfo(WEEK1, "pages/11_Train_dev_test.py", "Train/dev/test & bias/variance",
             ":material/call_split:"),
    PageInfo(WEEK1, "pages/12_Initialization.py", "Initialization", ":material/casino:"),
    PageInfo(WEEK1, "pages/13_Regularization.py", "Regularization", ":material/balance:"),
    PageInfo(WEEK1, "pages/14_Vanishing_gradients.py", "Vanishing & exploding gradients",
             ":material/trending_down:"),
    PageInfo(WEEK1, "pages/15_Normalizing_inputs.py", "Normalizing inputs",
             ":material/straighten:"),
    PageInfo(WEEK1, "pages/16_Gradient_checking.py", "Gradient checking",
             ":material/fact_check:"),
    PageInfo(WEEK2, "pages/21_Mini_batches.py", "Mini-batches", ":material/view_stream:"),
    PageInfo(WEEK2, "pages/22_Averages.py", "Exponentially weighted averages",
             ":material/show_chart:"),
    PageInfo(WEEK2, "pages/23_Optimizers.py", "Optimizers", ":material/speed:"),
    PageInfo(WEEK2, "pages/24_Loss_landscapes.py", "Loss landscapes", ":material/landscape:"),
    PageInfo(WEEK2, "pages/25_Learning_rate_decay.py", "Learning rate decay",
             ":material/schedule:"),
    PageInfo(WEEK3, "pages/31_Hyperparameter_search.py", "Hyperparameter search",
             ":material/tune:"),
    PageInfo(WEEK3, "pages/32_Batch_norm.py", "Batch norm", ":material/stacked_line_chart:"),
    PageInfo(WEEK3, "pages/33_Softmax.py", "Softmax", ":material/category:"),
    PageInfo(WEEK3, "pages/34_TensorFlow.py", "TensorFlow", ":material/memory:"),
    PageInfo(LAB, "pages/90_Compare_runs.py", "Compare runs", ":material/compare_arrows:"),
)

DEFAULT_ICON = ":material/science:"


def existing_pages(pages=PAGES) -> list[PageInfo]:
    """The registered pages whose script exists, in menu order."""
    return [p for p in pages if p.exists]


def find_page(title_or_path: str) -> PageInfo | None:
    """The registered page with this title or path (``"pages/12_Initialization.py"``)."""
    for p in (HOME, *PAGES):
        if title_or_path in (p.title, p.path):
            return p
    return None


def pages_by_group(pages=None) -> dict[str, list[PageInfo]]:
    """Existing pages grouped by week, groups in course order (empty groups dropped)."""
    pages = existing_pages() if pages is None else pages
    out: dict[str, list[PageInfo]] = {}
    for group in GROUPS:
        members = [p for p in pages if p.group == group]
        if members:
            out[group] = members
    return out


def link(page: PageInfo, *, label: str | None = None) -> bool:
    """``st.page_link`` to ``page``; returns False (and draws nothing) when it can't link.

    A page can't be linked when its file does not exist yet, or when Streamlit does not know
    it (for example when a test runs a page script on its own instead of the entry script).
    """
    if not page.exists:
        return False
    try:
        # An absolute path works whatever the directory of the entry script.
        st.page_link(str(page.file), label=label or page.title, icon=page.icon)
    except StreamlitAPIException:
        return False
    return True


def course_menu() -> None:
    """The grouped week menu: Home, then one heading and its page links per week."""
    link(HOME, label="Home")
    for group, members in pages_by_group().items():
        st.markdown(f"**{group}**")
        for page in members:
            link(page)


def page_setup(title: str, what_you_will_see: str, *, icon: str | None = None,
               menu: bool = True) -> None:
    """First call of every page: page config, sidebar menu, title and caption.

    Parameters
    ----------
    title : str
        The page title (browser tab and heading). Use the title of the page's entry in
        :data:`PAGES` so that the icon and the run registry's page name match.
    what_you_will_see : str
        One line (Markdown) under the title: what the learner is about to see.
    icon : str, optional
        Overrides the registry's icon (emoji or ``":material/name:"``).
    menu : bool, default True
        Draw the grouped week menu in the sidebar.
    """
    page = find_page(title)
    icon = icon or (page.icon if page else DEFAULT_ICON)
    st.set_page_config(page_title=f"{title} · nnlab", page_icon=icon, layout="wide")
    st.session_state[CURRENT_PAGE_KEY] = title
    new_interaction_budget()  # this script run is one click: its runs share one budget
    if menu:
        with st.sidebar:
            course_menu()
    st.title(title)
    if what_you_will_see:
        st.caption(what_you_will_see)


def current_page() -> str:
    """Title of the page being run (set by :func:`page_setup`), or ``""``."""
    return str(st.session_state.get(CURRENT_PAGE_KEY, ""))
