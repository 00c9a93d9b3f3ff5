"""Every sentence that states an outcome on the week-1 pages agrees with its numbers (issue 13).

Train/dev/test, Initialization and Regularization are run by AppTest at their defaults and at
settings where the usual lesson does not show (a narrow network, random × 10 ending lowest,
no regularization with the best dev accuracy); each computed sentence is checked against the
table drawn beside it, or against the same engine calls made again here. Mid-run, a sentence
says "So far" or waits for the end.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from nnlab import course
from nnlab.app import bias_variance as bv
from nnlab.app import initialization as init_app
from nnlab.app import initialization_course as init_course
from nnlab.app import regularization as reg
from nnlab.config import TrainConfig
from nnlab.core.train import make_dataset, train
from nnlab.lessons import claims
from nnlab.lessons import fit_diagnosis as diagnosis
from tests.app.conftest import finish, open_section, page_path

TIMEOUT = 300
#: The tie of ``nnlab.lessons.claims`` for costs and accuracies.
COST_TIE, ACCURACY_TIE = claims.TIE, claims.ACCURACY_TIE


def run_page(script: str, params: dict | None = None) -> AppTest:
    at = AppTest.from_file(page_path(script), default_timeout=TIMEOUT)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def sentence(at: AppTest, starts: str) -> str:
    """The one Markdown element that starts with ``starts`` (after a "So far" prefix)."""
    texts = [m.value for m in at.markdown
             if re.sub(r"^\*\*So far \(epoch \d+ of \d+\):\*\* ", "", m.value).startswith(starts)]
    assert len(texts) == 1, [m.value[:80] for m in at.markdown]
    return texts[0]


def marked(text: str, what: str) -> list[str]:
    """The labels marked "(lowest" or "(highest" in the ranking that follows ``what:``."""
    part = text.split(f"{what}: ", 1)[1]
    return re.findall(r"(?:^|, )([^,:;]+?) [-0-9.e+%]+ \((?:lowest|highest)", part)


def live_table(at: AppTest, labels) -> dict:
    """run -> row of the live view's table whose runs are ``labels``."""
    frame = next(d.value for d in at.dataframe if "run" in d.value.columns
                 and list(d.value["run"]) == list(labels))
    return {row["run"]: row for _, row in frame.iterrows()}


def clearly(numbers: dict, winners, losers, *, higher: bool, tie: float) -> bool:
    """Whether every winner is better than every loser by more than ``tie`` (relative)."""
    for w in winners:
        for loser in losers:
            a, b = numbers[w], numbers[loser]
            better = a > b if higher else a < b
            if not better or abs(a - b) <= tie * max(abs(a), abs(b)):
                return False
    return True


# ============================================================== Train/dev/test & bias/variance

TDT = "11_Train_dev_test.py"
TDT_DEFAULT = TrainConfig(dataset="moons", n_samples=300, noise=0.2, hidden_units=(50, 50),
                          optimizer="adam", learning_rate=0.01, num_epochs=1000)
TDT_SETTINGS = {
    "defaults": ({}, TDT_DEFAULT, 0.0),
    "narrow network": ({"tdt_hidden_units": "2"}, TDT_DEFAULT.replace(hidden_units=(2,)), 0.0),
    "Bayes error above the training error": (
        {"tdt_hidden_units": "2", "tdt_bayes": "20"}, TDT_DEFAULT.replace(hidden_units=(2,)),
        0.2),
}


def _pct(x: float) -> str:
    return f"{100 * x:.3g}%"


@pytest.mark.parametrize("name", TDT_SETTINGS)
def test_train_dev_test_diagnosis_follows_the_run(name):
    params, config, bayes = TDT_SETTINGS[name]
    at = run_page(TDT, params)
    r = train(config)
    e_train, e_dev = 1 - r.metrics["train_accuracy"], 1 - r.metrics["dev_accuracy"]
    d = diagnosis.diagnose(e_train, e_dev, bayes)
    text = sentence(at, "Train error")
    assert text.startswith(f"Train error {_pct(e_train)}, dev error {_pct(e_dev)}:")
    assert f"so **{d.verdict}**" in text
    assert (f"the larger gap is the {d.focus}" in text) == (d.focus is not None)
    boxes = [w.body for w in at.warning] + [s.body for s in at.success]
    assert any(f"**Diagnosis: {d.verdict}.**" in b for b in boxes)
    if name == "narrow network":  # not the default's lesson, and the page says so
        assert d.verdict != "high variance"


def test_train_dev_test_mid_run_says_so_far_or_waits():
    at = run_page(TDT)
    at.button(key="tdt_live_reset").click().run()
    at.button(key="tdt_live_step").click().run()
    assert not at.exception, [e.value for e in at.exception]
    row = live_table(at, ["your network"])["your network"]
    assert row["epochs"] == 1
    e_train, e_dev = 1 - row["train_accuracy"], 1 - row["dev_accuracy"]
    d = diagnosis.diagnose(e_train, e_dev)
    text = sentence(at, "Train error")
    assert text.startswith(f"**So far (epoch 1 of {TDT_DEFAULT.num_epochs}):** Train error "
                           f"{_pct(e_train)}, dev error {_pct(e_dev)}")
    boxes = [w.body for w in at.warning] + [s.body for s in at.success]
    assert any(b.startswith(f"**So far (epoch 1 of {TDT_DEFAULT.num_epochs}): Diagnosis: "
                            f"{d.verdict}.**") for b in boxes), boxes
    at.button_group(key="tdt_live_mode").set_value("Play").run()
    assert not at.exception, [e.value for e in at.exception]
    boxes = [w.body for w in at.warning] + [s.body for s in at.success]
    assert not any("Diagnosis:" in b for b in boxes)  # a frame behind the picture: it waits
    assert any(i.value.startswith("Training: the sentence under the picture") for i in at.info)


def test_train_dev_test_curve_sentences_are_the_curves():
    at = run_page(TDT, {"tdt_hidden_units": "8", "tdt_num_epochs": "100"})
    open_section(at, "tdt_section", "Learning curves")
    at.checkbox(key="tdt_curves").check().run()
    assert not at.exception, [e.value for e in at.exception]
    config = TDT_DEFAULT.replace(hidden_units=(8,), num_epochs=100)
    data = make_dataset(config)
    sizes = diagnosis.learning_curve_sizes(data.m_train, bv.LEARNING_CURVE_POINTS)
    learning = diagnosis.learning_curve(config, sizes, data=data)
    capacity = diagnosis.capacity_curve(config, bv.CAPACITY_WIDTHS, data=data)
    shown = [m.value for m in at.markdown]
    assert bv.learning_curve_text(learning, 0.0) in shown
    assert bv.capacity_curve_text(capacity, 0.0) in shown
    best = int(np.argmin(capacity["dev_error"]))
    assert (f"The dev error is lowest with {capacity['x'][best]} unit"
            in bv.capacity_curve_text(capacity, 0.0))


@pytest.mark.parametrize("train_error, dev_error, closes, open_", [
    ((0.0, 0.02), (0.3, 0.05), True, True),     # narrows by 25 points, 3 left open
    ((0.0, 0.0), (0.3, 0.01), True, False),     # closes
    ((0.0, 0.0), (0.3, 0.29), False, True),     # stays open
    ((0.2, 0.2), (0.21, 0.21), False, False),   # no gap, high bias
])
def test_learning_curve_sentence_branches(train_error, dev_error, closes, open_):
    curve = {"x": np.array([10, 100]), "train_error": np.array(train_error),
             "dev_error": np.array(dev_error)}
    text = bv.learning_curve_text(curve, 0.0)
    assert ("narrows as m grows but is still open" in text) == (closes and open_)
    assert ("The gap closes as m grows" in text) == (closes and not open_)
    assert ("barely narrows" in text) == (open_ and not closes)
    assert ("avoidable bias" in text) == (train_error[-1] >= diagnosis.DEFAULT_THRESHOLD)


# ============================================================== Initialization

INIT = "12_Initialization.py"
INIT_BASE = TrainConfig(dataset="circles", n_samples=300, noise=0.05, hidden_units=(10, 5),
                        optimizer="gd", learning_rate=0.1, num_epochs=1500)
INIT_SETTINGS = {
    "defaults": ({}, INIT_BASE, 10.0),
    "random × 10 ends lowest": ({"init_learning_rate": "0.03"},
                                INIT_BASE.replace(learning_rate=0.03), 10.0),
    "too few epochs": ({"init_num_epochs": "100"}, INIT_BASE.replace(num_epochs=100), 10.0),
    "random × 1 about equal to He": ({"init_random_scale": "1"}, INIT_BASE, 1.0),
}


@pytest.mark.parametrize("name", INIT_SETTINGS)
def test_initialization_verdict_follows_the_table(name):
    params, base, scale = INIT_SETTINGS[name]
    at = run_page(INIT, params)
    variants = init_app.variants(base, scale)
    labels = [label for label, _ in variants]
    rows = live_table(at, labels)
    costs = {k: float(v["final_cost"]) for k, v in rows.items()}
    text = sentence(at, "Final cost:")
    lowest = marked(text, "Final cost")
    best = min(costs.values())
    assert set(lowest) == {k for k, c in costs.items() if abs(c - best) <= COST_TIE * c}
    for label, c in costs.items():
        assert f"{label} {claims.number(c)}" in text
    scaled, others = ["Xavier", "He"], [labels[0], labels[1]]
    assert ("as the lecture predicts" in text) == clearly(costs, scaled, others, higher=False,
                                                         tie=COST_TIE)
    assert ("ends lowest, not Xavier and He" in text) == (not set(lowest) & set(scaled))
    # who predicts one class, and whose start is much costlier, from the same runs again
    data = make_dataset(base)
    runs = {label: train(config) for label, config in variants}
    single = [label for label, r in runs.items()
              if np.unique(r.predict(data.X_train)).size == 1]
    said = text.lower()  # a sentence that starts with a run's name capitalises it
    if single:
        verb = "predicts" if len(single) == 1 else "predict"
        assert f"{claims.join(single)} {verb} one class".lower() in said
    else:
        assert "one class" not in said
    firsts = {label: float(r.history["cost"][0]) for label, r in runs.items()}
    much = firsts[labels[1]] > init_app.START_FACTOR * max(firsts["Xavier"], firsts["He"])
    assert (f"{labels[1]} starts at" in said) == much
    if name == "random × 10 ends lowest":  # the usual winner loses, and the page says so
        assert lowest == ["random × 10"]
        assert "as the lecture predicts" not in text


def test_initialization_reproduction_sentence_follows_its_runs():
    at = open_section(run_page(INIT), "init_section", "Reproduce the assignment")
    at.button(key="init_reproduce").click().run()
    assert not at.exception, [e.value for e in at.exception]
    labels = [init_course.COURSE_LABELS[i] for i in course.INITIALIZATIONS]
    rows = live_table(at, labels)
    acc = {k: float(v["train_accuracy"]) for k, v in rows.items()}
    text = sentence(at, "Train accuracy:")
    for label, a in acc.items():
        assert f"{label} {claims.percent(a)}" in text
    top = max(acc.values())
    assert set(marked(text, "Train accuracy")) == {
        k for k, a in acc.items() if abs(a - top) <= ACCURACY_TIE * a}
    assert ("He trains best" in text) == clearly(acc, ["He"], ["zeros", labels[1]],
                                                 higher=True, tie=ACCURACY_TIE)
    published = {init: course.INITIALIZATION_PUBLISHED[init][0] for init in course.INITIALIZATIONS}
    ours = {init: acc[init_course.COURSE_LABELS[init]] for init in course.INITIALIZATIONS}
    assert any("matches the notebook" in s.body for s in at.success) == all(
        math.isclose(ours[i], published[i], abs_tol=1e-9) for i in ours)


# ============================================================== Regularization

REG = "13_Regularization.py"
REG_SETTINGS = {
    "defaults": ({}, reg.BASE, course.REGULARIZATION_LAMBD, course.REGULARIZATION_KEEP_PROB),
    "none has the best dev accuracy": ({"e_num_epochs": "100"}, reg.BASE.replace(num_epochs=100),
                                       course.REGULARIZATION_LAMBD,
                                       course.REGULARIZATION_KEEP_PROB),
    "a weak L2": ({"r_lambd": "0.01", "r_keep_prob": "0.95"}, reg.BASE, 0.01, 0.95),
}


@pytest.mark.parametrize("name", REG_SETTINGS)
def test_regularization_sentences_follow_the_tables(name):
    params, base, lambd, keep_prob = REG_SETTINGS[name]
    at = run_page(REG, params)
    variants = reg.variants(base, lambd, keep_prob)
    labels = [label for label, _ in variants]
    rows = live_table(at, labels)
    dev = {k: float(v["dev_accuracy"]) for k, v in rows.items()}
    gap = {k: float(v["train_accuracy"] - v["dev_accuracy"]) for k, v in rows.items()}
    text = sentence(at, "Dev accuracy:")
    top = max(dev.values())
    assert set(marked(text, "Dev accuracy")) == {
        k for k, a in dev.items() if abs(a - top) <= ACCURACY_TIE * a}
    for label in labels:
        assert f"{label} {100 * gap[label]:+.1f} points" in text
    plain, others = labels[0], labels[1:]
    overfits = gap[plain] >= reg.GAP_THRESHOLD
    assert ("high variance" in text) == overfits
    closers = [k for k in others if gap[k] < gap[plain] / 2]
    assert ("what regularization is for" in text) == (
        overfits and bool(closers)
        and clearly(dev, closers, [plain], higher=True, tie=ACCURACY_TIE)
        and clearly({k: float(rows[k]["train_accuracy"]) for k in labels}, [plain], closers,
                    higher=True, tie=ACCURACY_TIE))
    if name == "none has the best dev accuracy":  # the usual winner loses, and it is said
        assert marked(text, "Dev accuracy") == [plain]
        assert "what regularization is for" not in text

    # the weights: the smallest Σ W² named is the table's, L2's pull claimed only when shown
    open_section(at, "reg_section", "Weights")
    weights = next(d.value for d in at.dataframe if "variant" in d.value.columns)
    ssq = dict(zip(weights["variant"], weights["Σ W² (all layers)"], strict=True))
    wtext = sentence(at, "Σ W²:")
    low = min(ssq.values())
    assert set(marked(wtext, "Σ W²")) == {k for k, v in ssq.items() if v - low <= COST_TIE * v}
    l2 = [k for k, (_, c) in zip(labels, variants, strict=True) if c.lambd > 0]
    assert ("times smaller" in wtext) == clearly(ssq, l2, [k for k in labels if k not in l2],
                                                 higher=False, tie=COST_TIE)

    # fresh vs fixed mask: "falls lower" only when the fixed mask's final cost is lower
    open_section(at, "reg_section", "Dropout masks")
    masks = live_table(at, ["fresh mask", "fixed mask (course)"])
    mcost = {k: float(v["final_cost"]) for k, v in masks.items()}
    mtext = sentence(at, "Below: both runs")
    assert ("its cost falls lower" in mtext) == clearly(mcost, ["fixed mask (course)"],
                                                        ["fresh mask"], higher=False,
                                                        tie=COST_TIE)

    # early stopping: the dev cost's lowest point is that of the unregularized run's history
    open_section(at, "reg_section", "Early stopping")
    full = train(variants[0][1])
    h = full.history
    keep = np.isfinite(h["dev_cost"])
    i = int(np.argmin(h["dev_cost"][keep]))
    otext = sentence(at, f"{plain}: the dev cost")
    assert (f"is lowest, {claims.number(h['dev_cost'][keep][i])}, at epoch "
            f"{int(h['epoch'][keep][i])}") in otext
    rises = not claims.about_equal(h["dev_cost"][keep][-1], h["dev_cost"][keep][i])
    assert ("learns the noise" in otext or "turns up" in otext) == rises


def test_regularization_mid_run_says_so_far_or_waits():
    at = run_page(REG)
    at.button(key="reg_live_reset").click().run()
    at.button(key="reg_live_step").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert sentence(at, "Dev accuracy:").startswith(
        f"**So far (epoch 1 of {reg.BASE.num_epochs}):**")
    open_section(at, "reg_section", "Weights")
    assert sentence(at, "Σ W²:").startswith(f"**So far (epoch 1 of {reg.BASE.num_epochs}):**")
    open_section(at, "reg_section", "Early stopping")
    assert any("trained to the end (it is at epoch 1" in i.value for i in at.info)
    at.button_group(key="reg_live_mode").set_value("Play").run()
    assert not at.exception, [e.value for e in at.exception]
    waits = []  # each section waits in its tab: the bars and cost panels, early stopping, weights
    for label in ("Train vs dev", "Early stopping", "Weights"):
        open_section(at, "reg_section", label)
        waits += [i.value for i in at.info if i.value.startswith("Training:")]
    assert len(waits) == 3, waits
    assert not [m.value for m in at.markdown if m.value.startswith("Σ W²")]
    finish(at, "reg_live")
    assert not [i.value for i in at.info if i.value.startswith("Training:")]
