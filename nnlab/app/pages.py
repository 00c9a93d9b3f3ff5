"""The page registry and the shared page setup.

Every page of the app is listed once in :data:`PAGES` (week group, script path, title, icon,
and the line of what the learner will see). Each page script starts with::

    from nnlab.app import page_setup

    page_setup(__file__)

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

from nnlab.app import share, style
from nnlab.app.session_budget import new_interaction_budget
from nnlab.app.shared_cache import protect as protect_shared_cache

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
    """One page: its week ``group``, script ``path`` (relative to :data:`ROOT`), ``title``,
    ``icon`` (an emoji or ``":material/name:"``) and ``what`` the learner will see (one line
    of Markdown under the title). The one place where a page's title and line are written."""

    group: str
    path: str
    title: str
    icon: str
    what: str = ""

    @property
    def file(self) -> Path:
        """Absolute path of the page script."""
        return ROOT / self.path

    @property
    def exists(self) -> bool:
        return self.file.is_file()


HOME = PageInfo("", "streamlit_app.py", "nnlab: improving deep neural networks",
                ":material/home:",
                "An interactive NumPy lab for course 2 of the Deep Learning Specialization: "
                "change one knob, and see side by side what it does to a real network.")

PAGES: tuple[PageInfo, ...] = (
    PageInfo(WEEK1, "pages/11_Train_dev_test.py", "Train/dev/test & bias/variance",
             ":material/call_split:",
             "Train a network, read its train, dev and test error, and diagnose it: avoidable "
             "bias (train − Bayes) or variance (dev − train), with the course's remedy for each."),
    PageInfo(WEEK1, "pages/12_Initialization.py", "Initialization", ":material/casino:",
             "The same network trained from four starts, zeros, large random weights, Xavier "
             "and He: watch which break the symmetry between units and which learn the circles."),
    PageInfo(WEEK1, "pages/13_Regularization.py", "Regularization", ":material/balance:",
             "The same network trained four ways on noisy data, without regularization, with L2 "
             "and with dropout: compare how far train accuracy runs ahead of dev in each."),
    PageInfo(WEEK1, "pages/14_Vanishing_gradients.py", "Vanishing & exploding gradients",
             ":material/trending_down:",
             "In a deep network every layer multiplies the signal: follow its size layer after "
             "layer for weights slightly too small, slightly too large, Xavier and He, and see "
             "which keep it steady."),
    PageInfo(WEEK1, "pages/15_Normalizing_inputs.py", "Normalizing inputs",
             ":material/straighten:",
             "Feature x₂ is multiplied by a scale: see the cost bowl in two weights stretch into "
             "a valley and what that does to gradient descent, then normalize with the training "
             "statistics (and, the wrong way, with the dev set's own)."),
    PageInfo(WEEK1, "pages/16_Gradient_checking.py", "Gradient checking",
             ":material/fact_check:",
             "Backprop's gradient against two-sided finite differences, one bar per parameter: "
             "inject a bug and the parameter it touches jumps above 1e-3."),
    PageInfo(WEEK2, "pages/21_Mini_batches.py", "Mini-batches", ":material/view_stream:",
             "The same network trained with mini-batches of 1 (stochastic), a few powers of two, "
             "and the whole training set (batch): the smaller the mini-batch, the noisier each "
             "step, and the more steps per epoch."),
    PageInfo(WEEK2, "pages/22_Averages.py", "Exponentially weighted averages",
             ":material/show_chart:",
             "A noisy year of daily temperatures averaged with β = 0.5, 0.9, 0.98 and your own β: "
             "a larger β is smoother but later; bias correction fixes the first days; the weights "
             "fall to about 1/e after 1/(1 − β) days."),
    PageInfo(WEEK2, "pages/23_Optimizers.py", "Optimizers", ":material/speed:",
             "Four optimizers train the same network on the moons with the same epochs and "
             "mini-batches, each with its own learning rate: see which gets furthest."),
    PageInfo(WEEK2, "pages/24_Loss_landscapes.py", "Loss landscapes", ":material/landscape:",
             "Gradient descent, momentum, RMSprop and Adam race from the same start on 2-D "
             "surfaces with a saddle, a plateau and local minima; then where momentum converges, "
             "oscillates or diverges."),
    PageInfo(WEEK2, "pages/25_Learning_rate_decay.py", "Learning rate decay",
             ":material/schedule:",
             "Five ways to shrink the learning rate α as training goes on, plotted per epoch and "
             "trained side by side; then the assignment's runs, decaying every epoch or every "
             "1000 epochs."),
    PageInfo(WEEK3, "pages/31_Hyperparameter_search.py", "Hyperparameter search",
             ":material/tune:",
             "Grid and random search spend the same budget of trials on the same network: random "
             "search tries more distinct values of each hyperparameter; see which finds more."),
    PageInfo(WEEK3, "pages/32_Batch_norm.py", "Batch norm", ":material/stacked_line_chart:",
             "The same deep network with and without batch normalization at several learning "
             "rates: find the rates where one trains and the other does not."),
    PageInfo(WEEK3, "pages/33_Softmax.py", "Softmax", ":material/category:",
             "With C classes the output layer has C units and a softmax turns them into C "
             "probabilities: the plane splits into C regions, straight-edged without a hidden "
             "layer, bent with one."),
    PageInfo(WEEK3, "pages/34_TensorFlow.py", "TensorFlow", ":material/memory:",
             "One network, two implementations: nnlab's hand-written backprop and TensorFlow's "
             "GradientTape with a Keras optimizer, started from the same weights and fed the same "
             "mini-batches, trace the same cost curve."),
    PageInfo(LAB, "pages/40_Challenges.py", "Challenges", ":material/flag:",
             "Lessons as goals, checked on your own live run."),
    PageInfo(LAB, "pages/90_Compare_runs.py", "Compare runs", ":material/compare_arrows:",
             "Every run you made in this session, from any page: overlay their curves, download "
             "their histories, save the whole lab in a file and load it back."),
)

DEFAULT_ICON = ":material/science:"


def existing_pages(pages=PAGES) -> list[PageInfo]:
    """The registered pages whose script exists, in menu order."""
    return [p for p in pages if p.exists]


def find_page(title_or_path: str) -> PageInfo | None:
    """The registered page with this title, path (``"pages/12_Initialization.py"``) or
    script file (a page's ``__file__``)."""
    for p in (HOME, *PAGES):
        if title_or_path in (p.title, p.path):
            return p
    try:
        file = Path(title_or_path).resolve()
    except (OSError, ValueError):
        return None
    return next((p for p in (HOME, *PAGES) if p.file.resolve() == file), None)


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


def page_setup(page: str, what_you_will_see: str | None = None, *, icon: str | None = None,
               menu: bool = True) -> PageInfo:
    """First call of every page: page config, sidebar menu, title and caption.

    Parameters
    ----------
    page : str
        The page script's ``__file__`` (``page_setup(__file__)``): its entry in :data:`PAGES`
        gives the title (browser tab, heading, the run registry's page name), the icon and the
        line under the title. A title or path of the registry works too; any other string is
        taken as the title of an unregistered page.
    what_you_will_see : str, optional
        Overrides the registry's line (Markdown) under the title.
    icon : str, optional
        Overrides the registry's icon (emoji or ``":material/name:"``).
    menu : bool, default True
        Draw the grouped week menu in the sidebar.

    Returns
    -------
    PageInfo
        The page's registry entry (a bare one for an unregistered page).
    """
    info = find_page(page) or PageInfo("", "", str(page), DEFAULT_ICON)
    title = info.title
    if what_you_will_see is None:
        what_you_will_see = info.what
    icon = icon or info.icon
    st.set_page_config(page_title=f"{title} · nnlab", page_icon=icon, layout="wide")
    style.inject()  # the app's accessible stylesheet (nnlab/app/style.py)
    st.session_state[CURRENT_PAGE_KEY] = title
    new_interaction_budget()  # this script run is one click: its runs share one budget
    protect_shared_cache()  # one visitor's clear_cache must not wipe everyone's runs
    share.read_link(title)  # the link's classroom flags; a new list of bound controls
    with st.sidebar:
        share.share_popover()
        if menu and not share.hides("menu"):
            course_menu()
    st.title(title)
    if what_you_will_see and not share.hides("prose"):
        st.caption(what_you_will_see)
    share.under_title()  # hides what the link names; its notice on names it cannot use
    return info


def current_page() -> str:
    """Title of the page being run (set by :func:`page_setup`), or ``""``."""
    return str(st.session_state.get(CURRENT_PAGE_KEY, ""))
