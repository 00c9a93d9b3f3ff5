"""Every URL parameter of every page, given any string, gives the default or a clear notice.

Widgets are bound to the URL (``nnlab.app.bound``), so a link is input from a stranger: each
page is opened by AppTest with *every* widget key of the page set to one hostile value at a
time (infinite, not a number, empty, huge, negative, 10,000 characters, non-ASCII, Markdown),
and must show no exception box. A rejected number says so next to its control.
"""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "pages").glob("*.py"))
TIMEOUT = 180
HOSTILE_VALUES = {
    "inf": "inf",
    "-inf": "-inf",
    "nan": "nan",
    "empty": "",
    "huge": "9" * 40,
    "negative": "-7",
    "long": "x" * 10_000,
    "non-ascii": "ünïcødé 🙂 中文",
    "markdown": "[link](https://example.com) **bold** $x$",
}


def _keys(node, found: set) -> set:
    """The widget keys in AppTest's element tree (a user key, not Streamlit's generated id)."""
    key = getattr(node, "key", None)
    if isinstance(key, str) and key and not key.startswith("$$"):
        found.add(key)
    for child in getattr(node, "children", {}).values():
        _keys(child, found)
    return found


def _with_runs(at: AppTest) -> AppTest:
    """Compare runs has its controls only when the session has runs: give it two."""
    import nnlab
    from nnlab.app import runs

    store: dict = {}
    for seed in (1, 2):
        config = nnlab.TrainConfig(dataset="moons", hidden_units=(4,), num_epochs=20, seed=seed)
        runs.register_run(nnlab.train(config), f"seed {seed}", "Test", store=store)
    for key, value in store.items():
        at.session_state[key] = value
    return at


def open_page(page: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / page), default_timeout=TIMEOUT)
    return _with_runs(at) if "Compare_runs" in page else at


_DEFAULT_RUNS: dict = {}  # page -> its run at the defaults (both tests below read it)


def default_run(page: str) -> AppTest:
    if page not in _DEFAULT_RUNS:
        at = open_page(page)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        _DEFAULT_RUNS[page] = at
    return _DEFAULT_RUNS[page]


def page_keys(page: str) -> list[str]:
    return sorted(_keys(default_run(page)._tree, set()))


@pytest.mark.parametrize("page", PAGES)
def test_every_control_of_the_page_is_in_the_url(page, monkeypatch):
    """Every widget with a key is bound to the query parameter of its key, or is listed as
    not a setting with the reason (tests/app/test_url_complete.py, NOT_SETTINGS)."""
    from tests.app.test_url_complete import unbound_controls

    monkeypatch.setenv("NNLAB_MAX_SECONDS", "2")
    assert not unbound_controls(default_run(page)), unbound_controls(default_run(page))


@pytest.mark.parametrize("page", PAGES)
def test_every_url_parameter_with_any_value_never_raises(page, monkeypatch):
    monkeypatch.setenv("NNLAB_MAX_SECONDS", "2")
    keys = page_keys(page)
    assert keys, f"{page} has no widget keys: the test would check nothing"
    for name, value in HOSTILE_VALUES.items():
        at = open_page(page)
        for key in keys:
            at.query_params[key] = value
        at.run()
        assert not at.exception, (page, name, [e.value[:300] for e in at.exception])


def test_a_rejected_link_value_is_named_next_to_its_control():
    at = AppTest.from_file(str(ROOT / "pages/11_Train_dev_test.py"), default_timeout=TIMEOUT)
    at.query_params["tdt_data_seed"] = "inf"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    notices = [w.value for w in at.warning if "tdt_data_seed" in w.value]
    assert notices and "inf" in notices[0], [w.value for w in at.warning]
    assert any("Data seed" in t.value for t in at.toast)  # also where a phone user looks
    seed = at.number_input(key="tdt_data_seed")
    assert isinstance(seed.value, int)
    assert "tdt_data_seed" not in at.query_params


def test_a_valid_link_value_is_used_without_notice():
    at = AppTest.from_file(str(ROOT / "pages/11_Train_dev_test.py"), default_timeout=TIMEOUT)
    at.query_params["tdt_data_seed"] = "3"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.number_input(key="tdt_data_seed").value == 3
    assert not [w.value for w in at.warning if "tdt_data_seed" in w.value]


def test_any_classroom_flag_never_raises_and_a_bad_one_is_named():
    """``?hide=`` is a link's too: every hostile value shows the page, and a value that names
    no part or control gets one notice (no widget may take the parameter's name)."""
    page = "pages/22_Averages.py"
    assert "hide" not in page_keys(page)
    for name, value in HOSTILE_VALUES.items():
        at = open_page(page)
        at.query_params["hide"] = value
        at.run()
        assert not at.exception, (name, [e.value[:300] for e in at.exception])
        notices = [w.value for w in at.warning if "hide=" in w.value]
        assert len(notices) == (0 if name == "empty" else 1), (name, notices)


# ------------------------------------------------------------------ every tab of the sections


def sections_of(at: AppTest) -> tuple[str, list[str]] | None:
    """``(key, labels)`` of the page's sections (``nnlab.app.sections``), or None."""
    keys = [k for k in at.session_state.keys() if str(k).endswith("_section")]
    labels = [t.label for t in at.tabs]
    return (keys[0], labels) if len(keys) == 1 and labels else None


@pytest.mark.parametrize("page", PAGES)
def test_every_tab_of_the_sections_binds_its_controls_and_takes_any_value(page, monkeypatch):
    """Only the open tab of a page's sections runs, so the tests above see its first tab only.
    A link opens each other tab: it draws without an exception, every control in it is bound
    to the URL, random values for its controls never raise (``test_fuzz_pages``), and every
    hostile link value of the controls it adds shows the page without an exception."""
    import random

    from tests.app.test_fuzz_pages import _fuzz_round
    from tests.app.test_url_complete import unbound_controls

    monkeypatch.setenv("NNLAB_MAX_SECONDS", "2")  # random settings meet the budget guard
    found = sections_of(default_run(page))
    if found is None:
        pytest.skip(f"{page} has no sections")
    key, labels = found
    base = set(page_keys(page))
    for label in labels[1:]:
        at = open_page(page)
        at.query_params[key] = label
        at.run()
        assert not at.exception, (label, [e.value[:300] for e in at.exception])
        assert not unbound_controls(at), (label, unbound_controls(at))
        own = _keys(at._tree, set()) - base - {key}
        for name, value in HOSTILE_VALUES.items() if own else ():
            app = open_page(page)
            app.query_params[key] = label
            for k in own:
                app.query_params[k] = value
            app.run()
            assert not app.exception, (label, name, [e.value[:300] for e in app.exception])
        _fuzz_round(at, random.Random(f"{page} {label}"))
        at.run()
        assert not at.exception, (label, "random", [e.value[:300] for e in at.exception])
