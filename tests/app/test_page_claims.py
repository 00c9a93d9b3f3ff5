"""Every sentence under a live picture agrees with the numbers it is about (issue 13).

Each page is run by AppTest at its defaults and at settings where the usual winner loses; the
verdict under the picture (``live_comparison(..., verdict=...)``) is checked against the
metrics table drawn beside it: the run it calls lowest has the lowest final cost in the table,
and the lecture's lesson is stated only when the table's numbers show it.
"""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import page_with

TIMEOUT = 300




def verdict(at: AppTest, starts: str = "Final cost:") -> str:
    texts = [m.value for m in at.markdown if m.value.startswith((starts, "**So far"))]
    assert len(texts) == 1, [m.value[:80] for m in at.markdown]
    return texts[0]


def table(at: AppTest) -> dict:
    """run label -> (final cost, status) of the live picture's metrics table."""
    frame = at.dataframe[0].value
    return {row["run"]: (float(row["final_cost"]), row["status"])
            for _, row in frame.iterrows()}


def lowest_named(text: str) -> str:
    """The run the verdict marks lowest (the first one marked)."""
    match = re.search(r"(?:: |, )([^,:;]+?) [-0-9.e+]+ \(lowest", text)
    assert match, text
    return match.group(1)


def clearly_lower(numbers: dict, winners, losers, tie=0.05) -> bool:
    for w in winners:
        for loser in losers:
            a, b = numbers[w][0], numbers[loser][0]
            if numbers[loser][1] == "diverged":
                continue
            if numbers[w][1] == "diverged" or not a < b or abs(a - b) <= tie * max(a, b):
                return False
    return True


OPTIMIZER_SETTINGS = {
    "defaults": {},
    "adaptive too slow": {"rmsprop_learning_rate": "0.0001", "adam_learning_rate": "0.0001"},
    "gd diverges": {"gd_learning_rate": "3", "momentum_learning_rate": "3"},
}


@pytest.mark.parametrize("name", OPTIMIZER_SETTINGS)
def test_optimizers_verdict_follows_the_table(name):
    at = page_with("23_Optimizers.py", OPTIMIZER_SETTINGS[name])
    text, numbers = verdict(at), table(at)
    finished = {k: v for k, v in numbers.items() if v[1] != "diverged"}
    assert lowest_named(text) == min(finished, key=lambda k: finished[k][0])
    adaptive, plain = ["RMSprop", "Adam"], ["gradient descent", "momentum"]
    assert ("as the lecture predicts" in text) == clearly_lower(numbers, adaptive, plain)
    assert ("not what the lecture's defaults show" in text) == clearly_lower(
        numbers, plain, adaptive)
    for label, (_, status) in numbers.items():
        if status == "diverged":
            assert f"{label} diverged after" in text
    if name == "adaptive too slow":  # the usual winner loses, and the page says so
        assert "as the lecture predicts" not in text
