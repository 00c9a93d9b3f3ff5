"""The bias/variance diagnosis and the learning and capacity curves."""

import numpy as np
import pytest

from nnlab.config import TrainConfig
from nnlab.core.train import make_dataset, train
from nnlab.lessons import fit_diagnosis as diagnosis

EXACT = 1e-12
FAST = TrainConfig(dataset="moons", n_samples=100, hidden_units=(8,), optimizer="adam",
                   learning_rate=0.01, num_epochs=60)


@pytest.mark.parametrize("train_error,dev_error,verdict", diagnosis.LECTURE_CASES)
def test_the_lectures_four_cases(train_error, dev_error, verdict):
    d = diagnosis.diagnose(train_error, dev_error, 0.0)
    assert d.verdict == verdict
    assert d.avoidable_bias == pytest.approx(train_error, abs=EXACT)
    assert d.variance == pytest.approx(dev_error - train_error, abs=EXACT)


def test_lecture_case_values():
    assert [(t, d) for t, d, _ in diagnosis.LECTURE_CASES] == [
        (0.01, 0.11), (0.15, 0.16), (0.15, 0.30), (0.005, 0.01)]


def test_remedies_follow_the_verdict():
    bias = diagnosis.diagnose(0.15, 0.16)
    assert bias.remedies == diagnosis.BIAS_REMEDIES and bias.focus == "bias"
    assert any("Bigger network" in r for r in bias.remedies)
    var = diagnosis.diagnose(0.01, 0.11)
    assert var.remedies == diagnosis.VARIANCE_REMEDIES and var.focus == "variance"
    assert any("More training data" in r for r in var.remedies)
    both = diagnosis.diagnose(0.15, 0.30)
    assert set(both.remedies) == set(diagnosis.BIAS_REMEDIES) | set(diagnosis.VARIANCE_REMEDIES)
    assert len(both.remedies) == len(set(both.remedies))  # "better architecture" once
    assert diagnosis.diagnose(0.005, 0.01).remedies == ()
    assert diagnosis.diagnose(0.005, 0.01).focus is None


def test_human_level_error_changes_the_focus():
    # The lecture's human-level example: train 8 %, dev 10 %.
    assert diagnosis.diagnose(0.08, 0.10, 0.01).focus == "bias"  # avoidable bias 7 %
    d = diagnosis.diagnose(0.08, 0.10, 0.075)  # avoidable bias 0.5 %, variance 2 %
    assert d.focus == "variance" and d.high_variance and not d.high_bias


def test_negative_gaps_are_never_high():
    d = diagnosis.diagnose(0.05, 0.03, 0.10)
    assert d.avoidable_bias < 0 and d.variance < 0
    assert d.verdict == "low bias and low variance"


def test_diagnose_accuracies_is_one_minus():
    a = diagnosis.diagnose_accuracies(0.99, 0.89)
    b = diagnosis.diagnose(0.01, 0.11)
    assert a.verdict == b.verdict
    assert a.variance == pytest.approx(b.variance, abs=EXACT)


@pytest.mark.parametrize("kwargs,name", [
    (dict(train_error=-0.1, dev_error=0.1), "train_error"),
    (dict(train_error=0.1, dev_error=1.5), "dev_error"),
    (dict(train_error=0.1, dev_error=float("nan")), "dev_error"),
    (dict(train_error="a", dev_error=0.1), "train_error"),
    (dict(train_error=0.1, dev_error=0.1, bayes_error=2.0), "bayes_error"),
    (dict(train_error=0.1, dev_error=0.1, threshold=0.0), "threshold")])
def test_bad_input_raises_naming_the_argument(kwargs, name):
    with pytest.raises(ValueError, match=name):
        diagnosis.diagnose(**kwargs)


def test_learning_curve_sizes():
    assert diagnosis.learning_curve_sizes(180, 7) == (10, 16, 26, 42, 69, 111, 180)
    assert diagnosis.learning_curve_sizes(5, 4)[-1] == 5
    with pytest.raises(ValueError, match="m_train"):
        diagnosis.learning_curve_sizes(0)


def test_train_subset_keeps_dev_and_test():
    data = make_dataset(FAST)
    sub = diagnosis.train_subset(data, 7)
    assert sub.X_train.shape == (2, 7) and sub.Y_train.shape == (1, 7)
    np.testing.assert_array_equal(sub.X_train, data.X_train[:, :7])
    assert sub.X_dev is data.X_dev and sub.X_test is data.X_test
    with pytest.raises(ValueError, match="m"):
        diagnosis.train_subset(data, data.m_train + 1)


def test_learning_curve_matches_single_runs():
    data = make_dataset(FAST)
    calls = []
    out = diagnosis.learning_curve(FAST, (10, data.m_train), data=data,
                                   progress=lambda i, n: calls.append((i, n)))
    assert calls == [(0, 2), (1, 2), (2, 2)]
    for k, m in enumerate((10, data.m_train)):
        r = train(FAST, data=diagnosis.train_subset(data, m))
        assert out["train_error"][k] == pytest.approx(1 - r.metrics["train_accuracy"], abs=EXACT)
        assert out["dev_error"][k] == pytest.approx(1 - r.metrics["dev_accuracy"], abs=EXACT)
    with pytest.raises(ValueError, match="sizes"):
        diagnosis.learning_curve(FAST, [], data=data)


def test_capacity_curve_keeps_the_depth():
    config = FAST.replace(hidden_units=(8, 8))
    out = diagnosis.capacity_curve(config, (2, 6))
    r = train(config.replace(hidden_units=(6, 6)))
    assert list(out["x"]) == [2, 6]
    assert out["dev_error"][1] == pytest.approx(1 - r.metrics["dev_accuracy"], abs=EXACT)
    with pytest.raises(ValueError, match="widths"):
        diagnosis.capacity_curve(config, (0,))
