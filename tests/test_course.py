"""The course's assignments, reproduced by the engine's general code.

The expected values are the numbers the assignments publish in their notebooks (accuracies
from ``predict``, printed costs, gradient-check differences). The engine computes them from
the recipes in ``nnlab.course``; nothing in ``nnlab`` holds these values.
"""

import json
import subprocess
import sys

import pytest

from nnlab import course

ACC_TOL = 1e-12
COST_RTOL = 1e-9
PUBLISHED_ACCURACY = {  # (train, test)
    "initialization/zeros": (0.5, 0.5),
    "initialization/random": (0.83, 0.86),
    "initialization/he": (0.9933333333333333, 0.96),
    "optimization/gd": (0.7166666666666667, None),
    "optimization/momentum": (0.7166666666666667, None),
    "optimization/adam": (0.9433333333333334, None),
    "decay/gd_update_lr": (0.6533333333333333, None),
    "decay/gd_scheduled": (0.9433333333333334, None),
    "decay/momentum_scheduled": (0.9533333333333334, None),
    "decay/adam_scheduled": (0.94, None),
}
PUBLISHED_COSTS = {
    "initialization/zeros": {"0": 0.6931471805599453, "14000": 0.6931471805599453},
    "initialization/he": {"0": 0.8830537463419761},
}


@pytest.fixture(scope="module")
def report():
    return course.run_all()


@pytest.mark.slow
@pytest.mark.parametrize("name", list(PUBLISHED_ACCURACY))
def test_accuracies_match_the_assignments(report, name):
    got = {e["name"]: e for e in report["experiments"]}[name]
    train, test = PUBLISHED_ACCURACY[name]
    assert got["train_accuracy"] == pytest.approx(train, abs=ACC_TOL)
    if test is None:
        assert got["test_accuracy"] is None
    else:
        assert got["test_accuracy"] == pytest.approx(test, abs=ACC_TOL)
    assert got["status"] == "ok"


@pytest.mark.slow
def test_printed_costs_match(report):
    got = {e["name"]: e["costs"] for e in report["experiments"]}
    for name, costs in PUBLISHED_COSTS.items():
        for it, value in costs.items():
            assert got[name][it] == pytest.approx(value, rel=COST_RTOL)
    assert got["initialization/random"]["0"] == "inf"  # log(0) at the start, as in the course
    assert len(got["initialization/he"]) == 15 and len(got["optimization/adam"]) == 5


def test_gradient_checks_match_the_assignment():
    g = course.run_gradient_checks()
    assert g["one_dimensional"] == pytest.approx(2.919335883291695e-10, rel=1e-6)
    # round-off noise: equal implementations agree to about two significant figures
    assert g["n_dimensional"] == pytest.approx(1.1890913024229996e-07, rel=0.05)
    assert g["n_dimensional_buggy"] == pytest.approx(0.2850931567761623, rel=1e-12)


def test_cli_json_is_strict_json_with_every_experiment():
    out = subprocess.run([sys.executable, "-m", "nnlab.course", "--json", "--only",
                          "optimization/gd"], check=True, capture_output=True, text=True).stdout
    data = json.loads(out)
    assert [e["name"] for e in data["experiments"]] == ["optimization/gd"]
    assert set(data["gradient_check"]) == {"one_dimensional", "n_dimensional",
                                           "n_dimensional_buggy"}


def test_unknown_experiment_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown experiment"):
        course.run_all(["initialization/orthogonal"])
