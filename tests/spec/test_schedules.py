"""Learning-rate schedules: literal golden values, course entry points, validation."""

import math

import numpy as np
import pytest

from nnlab.spec import schedules as sch

REL_TOL = 1e-12


def test_course_update_lr():
    # The notebook's own check: lr0 = 0.5, epoch_num = 2, decay_rate = 1 -> 0.5 / 3
    assert sch.update_lr(0.5, 2, 1) == pytest.approx(0.16666666666666666, rel=REL_TOL)
    assert sch.update_lr(0.5, 0, 1) == 0.5


def test_course_schedule_lr_decay():
    # The notebook's own check: lr0 = 0.5, decay_rate = 0.3, time_interval = 100
    assert sch.schedule_lr_decay(0.5, 10, 0.3, 100) == pytest.approx(0.5, rel=REL_TOL)
    assert sch.schedule_lr_decay(0.5, 100, 0.3, 100) == pytest.approx(0.3846153846153846,
                                                                      rel=REL_TOL)
    assert sch.schedule_lr_decay(0.5, 999, 1.0) == 0.5  # default time_interval = 1000
    assert sch.schedule_lr_decay(0.5, 1000, 1.0) == pytest.approx(0.25, rel=REL_TOL)


@pytest.mark.parametrize(("name", "epoch", "kwargs", "expected"), [
    ("constant", 0, {}, 0.2),
    ("constant", 57, {}, 0.2),
    ("inverse_time", 0, {"decay_rate": 1.0}, 0.2),
    ("inverse_time", 4, {"decay_rate": 1.0}, 0.04),
    ("inverse_time", 3, {"decay_rate": 0.5}, 0.08),
    ("inverse_time_interval", 9, {"decay_rate": 1.0, "time_interval": 10}, 0.2),
    ("inverse_time_interval", 10, {"decay_rate": 1.0, "time_interval": 10}, 0.1),
    ("inverse_time_interval", 25, {"decay_rate": 1.0, "time_interval": 10}, 0.2 / 3),
    ("exponential", 0, {}, 0.2),
    ("exponential", 2, {}, 0.1805),
    ("exponential", 3, {"base": 0.5}, 0.025),
    ("inverse_sqrt", 0, {}, 0.2),
    ("inverse_sqrt", 3, {}, 0.1),
    ("inverse_sqrt", 8, {"k": 3.0}, 0.2),
    ("staircase", 9, {}, 0.2),
    ("staircase", 10, {}, 0.1),
    ("staircase", 25, {"drop": 0.5, "epochs_drop": 10}, 0.05),
    ("staircase", 4, {"drop": 0.1, "epochs_drop": 2}, 0.002),
])
def test_golden(name, epoch, kwargs, expected):
    assert sch.learning_rate_at(name, 0.2, epoch, **kwargs) == pytest.approx(expected,
                                                                             rel=REL_TOL)


def test_entry_points_equal_general():
    for epoch in range(0, 3000, 37):
        assert sch.learning_rate_at("inverse_time", 0.3, epoch, decay_rate=0.7) == \
            sch.update_lr(0.3, epoch, 0.7)
        assert sch.learning_rate_at("inverse_time_interval", 0.3, epoch, decay_rate=0.7,
                                    time_interval=100) == \
            sch.schedule_lr_decay(0.3, epoch, 0.7, 100)


@pytest.mark.parametrize("name", sch.SCHEDULES)
def test_curve(name):
    curve = sch.schedule_curve(name, 0.1, 50, time_interval=7)
    assert curve.shape == (50,)
    assert curve[0] == pytest.approx(0.1, rel=REL_TOL)  # epoch 0 runs with lr0, finite
    assert np.all(np.isfinite(curve)) and np.all(curve > 0)
    assert np.all(np.diff(curve) <= 0)  # every schedule decays or stays
    assert curve[17] == sch.learning_rate_at(name, 0.1, 17, time_interval=7)


@pytest.mark.parametrize(("call", "arg"), [
    (lambda: sch.learning_rate_at("cosine", 0.1, 0), "name"),
    (lambda: sch.learning_rate_at("constant", -0.1, 0), "learning_rate0"),
    (lambda: sch.learning_rate_at("constant", math.inf, 0), "learning_rate0"),
    (lambda: sch.learning_rate_at("constant", 0.1, -1), "epoch"),
    (lambda: sch.learning_rate_at("constant", 0.1, 1.5), "epoch"),
    (lambda: sch.learning_rate_at("inverse_time", 0.1, 1, decay_rate=-1), "decay_rate"),
    (lambda: sch.learning_rate_at("inverse_time_interval", 0.1, 1, time_interval=0),
     "time_interval"),
    (lambda: sch.learning_rate_at("exponential", 0.1, 1, base=1.5), "base"),
    (lambda: sch.learning_rate_at("inverse_sqrt", 0.1, 1, k=0), "k"),
    (lambda: sch.learning_rate_at("staircase", 0.1, 1, drop=0), "drop"),
    (lambda: sch.learning_rate_at("staircase", 0.1, 1, epochs_drop=0), "epochs_drop"),
    (lambda: sch.schedule_curve("constant", 0.1, 0), "num_epochs"),
    (lambda: sch.schedule_curve("constant", 0.1, 5, decay=1), "kwargs"),
    (lambda: sch.update_lr(0.1, -2, 1), "epoch_num"),
])
def test_validation(call, arg):
    with pytest.raises(ValueError, match=arg):
        call()
