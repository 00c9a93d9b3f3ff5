"""Learning-rate schedules of course 2, week 2 ("learning rate decay").

Our ``epoch`` is 0-based, as the course's training loop counts it (``for i in range(num_epochs)``).
The lecture writes its formulas with ``epoch_num`` counted from 1; where a formula would divide
by zero at ``epoch = 0`` (``inverse_sqrt``) we use ``epoch_num = epoch + 1``. The other formulas
take ``epoch`` as is, which is what the assignment's ``update_lr`` and ``schedule_lr_decay`` do.
"""

import math
import numbers

import numpy as np

SCHEDULES = ("constant", "inverse_time", "inverse_time_interval", "exponential", "inverse_sqrt",
             "staircase")


def _check_real(arg, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{arg} must be a real number, got {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{arg} must be finite, got {value!r}")


def _check_positive(arg, value):
    _check_real(arg, value)
    if value <= 0:
        raise ValueError(f"{arg} must be > 0, got {value!r}")


def _check_int(arg, value, minimum):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{arg} must be an integer >= {minimum}, got {value!r}")


def _check_fraction(arg, value):
    _check_real(arg, value)
    if not 0 < value <= 1:
        raise ValueError(f"{arg} must satisfy 0 < {arg} <= 1, got {value!r}")


def _check_course_args(learning_rate0, epoch_num, decay_rate):
    """The arguments the course's two decay functions share."""
    _check_positive("learning_rate0", learning_rate0)
    _check_int("epoch_num", epoch_num, 0)
    _check_real("decay_rate", decay_rate)
    if decay_rate < 0:
        raise ValueError(f"decay_rate must be >= 0, got {decay_rate!r}")


def update_lr(learning_rate0, epoch_num, decay_rate):
    """Course entry point: inverse-time decay, ``1 / (1 + decay_rate * epoch_num) * lr0``.

    Written in the course's operation order (``1 / (...) * lr0``), which can differ from
    ``lr0 / (...)`` in the last bit. Same as ``learning_rate_at("inverse_time", ...)``.

    Parameters
    ----------
    learning_rate0 : float
        Initial learning rate, ``> 0``.
    epoch_num : int
        Epoch number, ``>= 0``.
    decay_rate : float
        ``>= 0``.

    Returns
    -------
    learning_rate : float
    """
    _check_course_args(learning_rate0, epoch_num, decay_rate)
    return 1 / (1 + decay_rate * epoch_num) * learning_rate0


def schedule_lr_decay(learning_rate0, epoch_num, decay_rate, time_interval=1000):
    """Course entry point: fixed-interval scheduling.

    ``1 / (1 + decay_rate * floor(epoch_num / time_interval)) * lr0``: the rate changes only
    every ``time_interval`` epochs. Same as ``learning_rate_at("inverse_time_interval", ...)``.

    Parameters
    ----------
    learning_rate0 : float
        ``> 0``.
    epoch_num : int
        ``>= 0``.
    decay_rate : float
        ``>= 0``.
    time_interval : int, default 1000
        ``>= 1``.

    Returns
    -------
    learning_rate : float
    """
    _check_course_args(learning_rate0, epoch_num, decay_rate)
    _check_int("time_interval", time_interval, 1)
    return 1 / (1 + decay_rate * np.floor(epoch_num / time_interval)) * learning_rate0


def learning_rate_at(name, learning_rate0, epoch, *, decay_rate=1.0, time_interval=1000,
                     base=0.95, k=None, drop=0.5, epochs_drop=10):
    """Learning rate of schedule ``name`` at 0-based ``epoch``.

    Parameters
    ----------
    name : str
        One of :data:`SCHEDULES`.
    learning_rate0 : float
        ``alpha0 > 0``, the rate of epoch 0.
    epoch : int
        0-based epoch, ``>= 0``.
    decay_rate : float, default 1.0
        ``>= 0`` (inverse_time, inverse_time_interval).
    time_interval : int, default 1000
        ``>= 1`` (inverse_time_interval).
    base : float, default 0.95
        ``0 < base <= 1`` (exponential).
    k : float or None, default None
        ``> 0`` (inverse_sqrt); None means 1.0.
    drop : float, default 0.5
        ``0 < drop <= 1`` (staircase).
    epochs_drop : int, default 10
        ``>= 1`` (staircase).

    Returns
    -------
    learning_rate : float

    Notes
    -----
    With ``e = epoch`` (0-based):

    - constant: ``alpha0``
    - inverse_time: ``1 / (1 + decay_rate * e) * alpha0`` (course ``update_lr``)
    - inverse_time_interval: ``1 / (1 + decay_rate * floor(e / time_interval)) * alpha0``
      (course ``schedule_lr_decay``)
    - exponential: ``base**e * alpha0`` (lecture: ``0.95**epoch_num * alpha0``)
    - inverse_sqrt: ``k / sqrt(e + 1) * alpha0``; the lecture's ``k / sqrt(epoch_num) * alpha0``
      with ``epoch_num = e + 1`` counted from 1, so epoch 0 runs with ``k * alpha0``
    - staircase: ``alpha0 * drop**floor(e / epochs_drop)`` (lecture: "discrete staircase")

    See also
    --------
    Keras ``InverseTimeDecay(alpha0, decay_steps=1, decay_rate)`` is inverse_time, and with
    ``decay_steps=time_interval, staircase=True`` it is inverse_time_interval.
    Keras ``ExponentialDecay(alpha0, decay_steps=1, decay_rate=base)`` is exponential, and
    ``ExponentialDecay(alpha0, epochs_drop, drop, staircase=True)`` is staircase; Keras
    ``PiecewiseConstantDecay`` gives any staircase by explicit boundaries. PyTorch:
    ``ExponentialLR(gamma=base)``, ``StepLR(step_size=epochs_drop, gamma=drop)``.
    Keras and PyTorch count optimizer *steps*; here (as in the course) we count epochs.
    """
    if name not in SCHEDULES:
        raise ValueError(f"name must be one of {SCHEDULES}, got {name!r}")
    _check_positive("learning_rate0", learning_rate0)
    _check_int("epoch", epoch, 0)
    if name == "constant":
        return float(learning_rate0)
    if name == "inverse_time":
        return float(update_lr(learning_rate0, epoch, decay_rate))
    if name == "inverse_time_interval":
        return float(schedule_lr_decay(learning_rate0, epoch, decay_rate, time_interval))
    if name == "exponential":
        _check_fraction("base", base)
        return float(base**epoch * learning_rate0)
    if name == "inverse_sqrt":
        k = 1.0 if k is None else k
        _check_positive("k", k)
        return float(k / math.sqrt(epoch + 1) * learning_rate0)
    _check_fraction("drop", drop)
    _check_int("epochs_drop", epochs_drop, 1)
    return float(learning_rate0 * drop ** (epoch // epochs_drop))


def schedule_curve(name, learning_rate0, num_epochs, **kwargs):
    """Learning rate at epochs ``0 .. num_epochs - 1``, for plotting a schedule.

    Parameters
    ----------
    name : str
        One of :data:`SCHEDULES`.
    learning_rate0 : float
        ``> 0``.
    num_epochs : int
        ``>= 1``.
    **kwargs
        Hyperparameters of :func:`learning_rate_at`.

    Returns
    -------
    rates : ndarray of shape (num_epochs,)
        ``rates[e] == learning_rate_at(name, learning_rate0, e, **kwargs)``.
    """
    _check_int("num_epochs", num_epochs, 1)
    allowed = {"decay_rate", "time_interval", "base", "k", "drop", "epochs_drop"}
    unknown = sorted(set(kwargs) - allowed)
    if unknown:
        raise ValueError(f"kwargs must be among {sorted(allowed)}, got {unknown}")
    return np.array([learning_rate_at(name, learning_rate0, e, **kwargs)
                     for e in range(num_epochs)], dtype=float)
