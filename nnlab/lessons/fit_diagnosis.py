r"""Bias and variance: the lecture's diagnosis of a trained model, and the curves behind it.

The course compares three error rates (fractions in [0, 1]):

- Bayes error (or human-level error as its proxy): the best any classifier can do;
- training error;
- dev error.

*Avoidable bias* is how far the training error is above the Bayes error; *variance* is how far
the dev error is above the training error:

.. math::

    \text{avoidable bias} = E_{train} - E_{Bayes}, \qquad
    \text{variance} = E_{dev} - E_{train}.

Each gap is called *high* when it reaches ``threshold``; the larger one is where to focus. The
lecture's remedies: for high bias, a bigger network, training longer (or a better optimizer),
a better architecture; for high variance, more data, regularization, a better architecture.

:func:`learning_curve` (errors against the training-set size, dev set fixed) and
:func:`capacity_curve` (errors against the hidden-layer width) train real networks with
:func:`nnlab.core.train.train`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from nnlab._validate import check_float, check_int
from nnlab.config import MAX_UNITS, TrainConfig
from nnlab.core.train import make_dataset, train
from nnlab.data.datasets import Dataset

#: A gap (avoidable bias or variance) at least this large is "high" (2 percentage points).
DEFAULT_THRESHOLD = 0.02
#: Floating-point slack when comparing a gap with the threshold (0.10 - 0.08 > 0.02 in floats).
GAP_TOLERANCE = 1e-9

BIAS_REMEDIES = (
    "Bigger network: more hidden units or more layers",
    "Train longer, or use a better optimization algorithm (momentum, RMSprop, Adam)",
    "Try a better neural network architecture",
)
VARIANCE_REMEDIES = (
    "More training data (or data augmentation)",
    "Regularization: L2 (lambd), dropout (keep_prob), early stopping",
    "Try a better neural network architecture",
)
VERDICTS = ("high variance", "high bias", "high bias and high variance",
            "low bias and low variance")

#: The lecture's four cases as (train error, dev error, verdict), with Bayes error about 0.
LECTURE_CASES = (
    (0.01, 0.11, "high variance"),
    (0.15, 0.16, "high bias"),
    (0.15, 0.30, "high bias and high variance"),
    (0.005, 0.01, "low bias and low variance"),
)


@dataclass(frozen=True)
class Diagnosis:
    """The result of :func:`diagnose`: the errors, both gaps, the verdict and the remedies.

    ``focus`` is ``"bias"``, ``"variance"`` or ``None`` (neither gap is high): the larger gap
    when at least one is high. ``remedies`` lists the course's remedies for each high gap,
    bias first.
    """

    train_error: float
    dev_error: float
    bayes_error: float
    avoidable_bias: float
    variance: float
    high_bias: bool
    high_variance: bool
    verdict: str
    focus: str | None
    remedies: tuple


def _error(name: str, value) -> float:
    """A finite rate in [0, 1] (NumPy floats welcome), or ValueError naming ``name``."""
    return check_float(name, value, low=0, high=1)


def diagnose(train_error, dev_error, bayes_error=0.0, *,
             threshold: float = DEFAULT_THRESHOLD) -> Diagnosis:
    """Diagnose bias and variance from error rates (fractions, e.g. 0.11 for 11 %).

    Parameters
    ----------
    train_error, dev_error : float in [0, 1]
        Error rates of the trained model on the training and dev sets (``1 - accuracy``).
    bayes_error : float in [0, 1], default 0
        Bayes error, or human-level error as its proxy.
    threshold : float in (0, 1], default 0.02
        A gap at least this large counts as high.

    Returns
    -------
    Diagnosis

    Notes
    -----
    ``avoidable_bias = train_error - bayes_error`` and ``variance = dev_error - train_error``.
    Either can be negative (a training error below the stated Bayes error says the Bayes
    estimate is too high; a dev error below the training error is luck of a small dev set):
    a negative gap is never high.
    """
    e_train = _error("train_error", train_error)
    e_dev = _error("dev_error", dev_error)
    e_bayes = _error("bayes_error", bayes_error)
    threshold = check_float("threshold", threshold, low=0, high=1, low_open=True)
    bias, variance = e_train - e_bayes, e_dev - e_train
    high_bias = bias >= threshold - GAP_TOLERANCE
    high_variance = variance >= threshold - GAP_TOLERANCE
    verdict = {(False, True): VERDICTS[0], (True, False): VERDICTS[1],
               (True, True): VERDICTS[2], (False, False): VERDICTS[3]}[(high_bias, high_variance)]
    focus = None
    if high_bias or high_variance:
        focus = "bias" if bias >= variance else "variance"
    remedies = (BIAS_REMEDIES if high_bias else ()) + (VARIANCE_REMEDIES if high_variance
                                                       else ())
    return Diagnosis(e_train, e_dev, e_bayes, bias, variance, bool(high_bias),
                     bool(high_variance), verdict, focus, tuple(dict.fromkeys(remedies)))


def diagnose_accuracies(train_accuracy, dev_accuracy, bayes_error=0.0, *,
                        threshold: float = DEFAULT_THRESHOLD) -> Diagnosis:
    """:func:`diagnose` from accuracies (``TrainResult.metrics``): error = 1 - accuracy."""
    tr = _error("train_accuracy", train_accuracy)
    dv = _error("dev_accuracy", dev_accuracy)
    return diagnose(1.0 - tr, 1.0 - dv, bayes_error, threshold=threshold)


def train_subset(data: Dataset, m: int) -> Dataset:
    """The same data set with only the first ``m`` training examples (dev and test unchanged).

    The training set is already shuffled by the split, so its first ``m`` columns are a random
    sample of it. Shapes: ``X_train`` (n_x, m), ``Y_train`` (1, m).
    """
    m = check_int("m", m, low=1, high=data.m_train)
    return Dataset(data.name, data.X_train[:, :m], data.Y_train[:, :m], data.X_dev, data.Y_dev,
                   data.X_test, data.Y_test, data.n_classes, data.mu, data.sigma2)


def learning_curve_sizes(m_train: int, n_points: int = 8, *, smallest: int = 10
                         ) -> tuple[int, ...]:
    """About ``n_points`` training-set sizes spread geometrically from ``smallest`` to
    ``m_train`` (distinct, increasing, always ending at ``m_train``)."""
    m_train = check_int("m_train", m_train, low=1)
    n_points = check_int("n_points", n_points, low=1)
    smallest = min(check_int("smallest", smallest, low=1), m_train)
    sizes = np.unique(np.round(np.geomspace(smallest, m_train, n_points)).astype(int))
    return tuple(int(s) for s in sizes)


def _errors(result) -> tuple[float, float]:
    m = result.metrics
    return 1.0 - m["train_accuracy"], 1.0 - m["dev_accuracy"]


def learning_curve(config: TrainConfig, sizes: Sequence[int], *, data: Dataset | None = None,
                   progress: Callable[[int, int], None] | None = None, on_epoch=None,
                   budget=None) -> dict:
    """Train ``config`` on the first ``m`` training examples for each ``m`` in ``sizes``.

    The dev set stays the same, so the dev errors compare. High variance shows as a wide gap
    between the curves that narrows as ``m`` grows (more data helps); high bias as two curves
    that meet early, well above the Bayes error (more data does not help).

    Parameters
    ----------
    config : TrainConfig
    sizes : sequence of int
        Training-set sizes, each in ``[1, m_train]``.
    data : Dataset, optional; default ``make_dataset(config)``.
    progress : callable(i, n), optional; called before run ``i`` of ``n`` and once with
        ``(n, n)`` at the end.
    on_epoch, budget : optional; passed to every run's ``nnlab.core.train.train``: one
        ``nnlab.core.budget.Budget`` for the whole sweep. Once it is spent (or its stop token
        says the page has gone) the runs left are not started: their errors are NaN and their
        status ``"stopped"``.

    Returns
    -------
    dict
        ``x`` (sizes, int array), ``train_error`` and ``dev_error`` (float arrays; a diverged
        run reports its last finite parameters) and ``status`` (list of str).
    """
    data = make_dataset(config) if data is None else data
    sizes = [check_int(f"sizes[{i}]", s, low=1, high=data.m_train) for i, s in enumerate(sizes)]
    if not sizes:
        raise ValueError("sizes must hold at least one training-set size, got []")
    runs = [(config, train_subset(data, m)) for m in sizes]
    return _sweep(sizes, runs, progress, on_epoch, budget)


def capacity_curve(config: TrainConfig, widths: Sequence[int], *, data: Dataset | None = None,
                   progress: Callable[[int, int], None] | None = None, on_epoch=None,
                   budget=None) -> dict:
    """Train ``config`` with every hidden layer ``w`` units wide, for each ``w`` in ``widths``.

    The depth stays ``len(config.hidden_units)`` (at least one hidden layer). Small widths show
    high bias (both errors high); large ones drive the training error down and can open a gap
    to the dev error (variance). Returns the dict of :func:`learning_curve` with ``x`` the
    widths.
    """
    data = make_dataset(config) if data is None else data
    widths = [check_int(f"widths[{i}]", w, low=1, high=MAX_UNITS) for i, w in enumerate(widths)]
    if not widths:
        raise ValueError("widths must hold at least one width, got []")
    runs = [(c, data) for c in capacity_configs(config, widths)]
    return _sweep(widths, runs, progress, on_epoch, budget)


def capacity_configs(config: TrainConfig, widths: Sequence[int]) -> list[TrainConfig]:
    """The configs :func:`capacity_curve` trains: every hidden layer ``w`` units wide."""
    depth = max(1, len(config.hidden_units))
    return [config.replace(hidden_units=(w,) * depth) for w in widths]


def _sweep(xs, runs, progress, on_epoch=None, budget=None) -> dict:
    """Train every run in turn, all charged to ``budget``; once it is spent or its page has
    gone, the remaining runs are not started (NaN errors, status ``"stopped"``)."""
    train_err, dev_err, status = [], [], []
    for i, (config, data) in enumerate(runs):
        if budget is not None and (budget.cancelled or budget.spent > budget.limit):
            train_err.append(np.nan)
            dev_err.append(np.nan)
            status.append("stopped")
            continue
        if progress is not None:
            progress(i, len(runs))
        result = train(config, data=data, on_epoch=on_epoch, budget=budget)
        e_train, e_dev = _errors(result)  # a diverged run reports its last good parameters
        train_err.append(e_train)
        dev_err.append(e_dev)
        status.append(result.status)
    if progress is not None:
        progress(len(runs), len(runs))
    return {"x": np.asarray(xs, dtype=int), "train_error": np.asarray(train_err, dtype=float),
            "dev_error": np.asarray(dev_err, dtype=float), "status": status}
