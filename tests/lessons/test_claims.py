"""nnlab.lessons.claims: sentences that follow the numbers, including where the usual winner
loses."""

from __future__ import annotations

import math
from types import SimpleNamespace

from nnlab.lessons import claims


def run(cost, status="ok", epochs=300, **metrics):
    return SimpleNamespace(final_cost=cost, status=status, epochs_run=epochs, metrics=metrics)


def test_comparison_ranks_and_marks_the_lowest():
    results = [("gradient descent", run(0.61)), ("Adam", run(0.081)), ("RMSprop", run(0.12))]
    assert claims.comparison(results) == (
        "Final cost: Adam 0.081 (lowest), RMSprop 0.12, gradient descent 0.61.")
    assert claims.best(results) == ["Adam"]


def test_when_the_usual_winner_loses_the_sentence_says_so():
    results = [("Adam", run(0.30)), ("RMSprop", run(0.05))]
    text = claims.comparison(results)
    assert text.startswith("Final cost: RMSprop 0.05 (lowest), Adam 0.3")
    assert not claims.beats(results, ["Adam"], ["RMSprop"])
    assert claims.beats(results, ["RMSprop"], ["Adam"])


def test_ties_have_no_single_winner():
    results = [("a", run(0.100)), ("b", run(0.102)), ("c", run(0.5))]
    assert claims.best(results) == ["a", "b"]
    assert "a 0.1 (lowest, about equal), b 0.102 (lowest, about equal), c 0.5" in (
        claims.comparison(results))
    assert not claims.beats(results, ["a"], ["b"])


def test_diverged_and_stopped_runs_are_named_with_the_tables_count():
    results = [("random ×1", run(math.nan, "diverged", epochs=3)), ("He", run(0.2)),
               ("big", run(0.9, "stopped", epochs=120))]
    text = claims.comparison(results)
    assert text == ("Final cost: He 0.2; random ×1 diverged after 3 epochs, "
                    "big stopped after 120 epochs.")
    assert claims.beats(results, ["He"], ["random ×1"])  # a diverged loser counts as beaten
    assert not claims.beats(results, ["random ×1"], ["He"])
    assert claims.ended(results[0][1]) == "diverged after 3 epochs"
    assert claims.ended(run(1.0, epochs=1), "steps") == "trained 1 step"


def test_accuracy_is_higher_is_better_and_formats_as_percent():
    results = [("L2", run(0.3, dev_accuracy=0.93)), ("none", run(0.1, dev_accuracy=0.915))]
    assert claims.best(results, "dev_accuracy", lower_is_better=False) == ["L2"]
    assert claims.comparison(results, "dev_accuracy", what="dev accuracy",
                             lower_is_better=False, fmt=claims.percent) == (
        "Dev accuracy: L2 93.0% (highest), none 91.5%.")


def test_missing_labels_and_empty_results():
    assert not claims.beats([("a", run(0.1))], ["a"], ["missing"])
    assert claims.comparison([]) == ""
    assert claims.best([]) == []
    assert claims.join(["a", "b", "c"]) == "a, b and c" and claims.join(["a"]) == "a"
    assert claims.number(float("nan")) == "n/a" and claims.number(1.23456e-5) == "1.23e-05"
