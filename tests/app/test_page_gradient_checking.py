"""AppTest of pages/16_Gradient_checking.py."""


import pytest

from nnlab.spec import gradcheck
from tests.app.conftest import open_section, page_path, run_page

PAGE = page_path("16_Gradient_checking.py")
REL = 1e-3  # the metric shows 4 significant figures
PUBLISHED_BUGGY = 0.2850931567761623
PUBLISHED_1D = 2.919335883291695e-10


@pytest.fixture
def at():
    return run_page(PAGE, 120)


def _engine_difference(bug=None):
    from nnlab.app.gradient_checking import problem

    X, Y, params = problem((5, 3), "sigmoid", 0)
    return gradcheck.check_gradients(X, Y, params, hidden_activation="relu", output="sigmoid",
                                     lambd=0.1, bug=bug).difference


def test_correct_backprop_passes_and_matches_engine(at):
    shown = float(at.metric[0].value)
    assert shown == pytest.approx(_engine_difference(), rel=REL)
    assert shown < 1e-7
    assert len(at.success) == 1 and not at.error


def test_injected_bug_is_caught(at):
    at.selectbox(key="g_bug").set_value("dW2_doubled").run()
    assert not at.exception
    shown = float(at.metric[0].value)
    assert shown == pytest.approx(_engine_difference("dW2_doubled"), rel=REL)
    assert shown > gradcheck.THRESHOLDS["bug"]
    assert len(at.error) == 1
    table = next(df.value for df in at.dataframe if "bug injected" in df.value.columns)
    flagged = dict(zip(table["bug injected"], table["parameters above 1e-3"], strict=True))
    assert flagged["dW2 doubled"] == "W2"
    assert flagged["db1 times 4"] == "b1"
    assert flagged["none: correct backprop"] == "—"
    assert flagged["L2 term left out of dW"] != "—"  # default lambd 0.1


def test_dropout_needs_a_fixed_mask(at):
    open_section(at, "g_section", "Dropout")
    table = next(df.value for df in at.dataframe if "dropout" in df.value.columns)
    none, fixed, fresh = table["difference"].to_numpy()
    assert none < 1e-7 and fixed < 1e-7 and fresh > gradcheck.THRESHOLDS["bug"]


def test_course_check_reproduces_the_published_numbers(at):
    open_section(at, "g_section", "Course check")
    at.toggle(key="g_course").set_value(True).run()
    assert not at.exception
    table = next(df.value for df in at.dataframe if "published" in df.value.columns)
    assert table["nnlab"].iloc[0] == pytest.approx(PUBLISHED_1D, rel=1e-6)
    assert table["nnlab"].iloc[2] == pytest.approx(PUBLISHED_BUGGY, rel=1e-12)
