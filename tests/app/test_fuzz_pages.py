"""AppTest with random widget values on every page: no exception box, ever.

For each page, a few rounds set every slider, number input, selectbox, checkbox, toggle and
text input to a random legal value (text inputs get hostile text), rerun, and assert that the
page shows no exception. Buttons are not clicked here (their heavy experiments have their own
tests); each page's own test file covers its main interaction.
"""

import random
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.errors import AppTestError

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "pages").glob("*.py"))
ROUNDS = 2
FUZZ_MAX_SECONDS = 2.0
TIMEOUT = 180
HOSTILE_TEXT = ["", "abc", "-1", "0", "1e9", "3,,4", "<script>alert(1)</script>", "10, 5",
                "512*50", "nan", "  7  ", "🙂", "1" * 40]


def _random_slider_value(rnd, w):
    lo, hi, step = w.min, w.max, w.step
    if isinstance(lo, (int, float)) and isinstance(hi, (int, float)):
        n = max(0, int(round((hi - lo) / step))) if step else 0
        pick = lambda: lo + step * rnd.randint(0, n) if n else lo  # noqa: E731
        if isinstance(lo, int) and isinstance(step, int):
            value = [int(pick()), int(pick())]
        else:
            value = [min(hi, float(pick())), min(hi, float(pick()))]
        return tuple(sorted(value)) if isinstance(w.value, (tuple, list)) else value[0]
    return None


def _try(set_value):
    """Set one widget; AppTest refuses what a browser cannot do (a disabled widget, a select box
    whose value is None): skip those widgets, they are not the page's errors."""
    try:
        set_value()
    except (AppTestError, ValueError):
        pass


def _pick_option(w, i):
    """``select_index`` sets the *displayed* string; with a ``format_func`` that is not the
    value, so AppTest cannot serialise it: then keep the original value."""
    original = w.value
    _try(lambda: w.select_index(i))
    try:
        w.index  # noqa: B018 - raises where AppTest cannot map the label back to a value
    except ValueError:
        w.set_value(original)


def _fuzz_round(at, rnd):
    for w in at.slider:
        v = _random_slider_value(rnd, w)
        if v is not None:
            _try(lambda w=w, v=v: w.set_value(v))
    for w in at.number_input:
        lo = w.min if w.min is not None else -1000
        hi = w.max if w.max is not None else 1000
        if isinstance(w.value, int) and isinstance(w.step, int):
            v = rnd.randint(int(lo), int(min(hi, lo + 10_000)))
        else:
            v = rnd.uniform(float(lo), float(min(hi, lo + 1e4)))
        _try(lambda w=w, v=v: w.set_value(v))
    for w in at.selectbox:
        if w.options:
            _pick_option(w, rnd.randrange(len(w.options)))
    for w in list(at.checkbox) + list(at.toggle):
        b = rnd.random() < 0.5
        _try(lambda w=w, b=b: w.set_value(b))
    for w in at.text_input:
        t = rnd.choice(HOSTILE_TEXT)
        _try(lambda w=w, t=t: w.input(t))


@pytest.mark.parametrize("page", PAGES)
def test_random_widget_values_never_raise(page, monkeypatch):
    # A tighter compute budget than the server's: random deep/wide settings then exercise the
    # budget guard (a clear message) instead of minutes of training.
    monkeypatch.setenv("NNLAB_MAX_SECONDS", str(FUZZ_MAX_SECONDS))
    rnd = random.Random(f"nnlab-{page}")
    at = AppTest.from_file(str(ROOT / page), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    for round_ in range(ROUNDS):
        _fuzz_round(at, rnd)
        at.run()
        assert not at.exception, (round_, [e.value for e in at.exception])
