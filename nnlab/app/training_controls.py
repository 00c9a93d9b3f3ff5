"""Config widgets for optimization: optimizer and its hyperparameters, learning rate, decay
schedule, mini-batch size, epochs and seed. Each returns a partial dict of ``TrainConfig`` fields
(see :mod:`nnlab.app.controls` for the conventions shared by every control)."""

from __future__ import annotations

from collections.abc import Sequence

from nnlab.app import bound
from nnlab.app.bound import BIND
from nnlab.app.widgets import (
    EPOCHS,
    EPSILONS,
    LEARNING_RATES,
    MINI_BATCH_SIZES,
    OPTIMIZER_LABELS,
    SCHEDULE_LABELS,
    _describe,
    _g,
    _with,
    default,
    widget_key,
)
from nnlab.config import OPTIMIZERS, SCHEDULES


def choice_control(label: str, field: str, names: Sequence[str], labels, key: str = "", *,
                   defaults=None, bind: str | None = BIND) -> str:
    """A select box for the config field ``field`` among ``names`` (described by ``labels``),
    starting at the default's value (the first name if the default is not among them)."""
    names = list(names)
    first = default(defaults, field)
    return bound.selectbox(label, names, index=names.index(first) if first in names else 0,
                        key=widget_key(key, field), bind=bind, help=_describe(names, labels))


def learning_rate_control(key: str = "", *, defaults=None, bind: str | None = BIND,
                          label: str = "Learning rate α", rates: Sequence[float] = LEARNING_RATES
                          ) -> float:
    """A learning rate on a log grid (the default is added to the grid if missing)."""
    lr0 = float(default(defaults, "learning_rate"))
    return float(bound.select_slider(label, _with(rates, lr0), value=lr0, format_func=_g,
                                  key=widget_key(key, "learning_rate"), bind=bind))


def optimizer_controls(key: str = "", *, defaults=None, bind: str | None = BIND,
                       names: Sequence[str] = OPTIMIZERS, learning_rate: bool = True,
                       hyperparameters: bool = True) -> dict:
    """Optimizer, learning rate and the chosen optimizer's own hyperparameters.

    Momentum: ``beta``; RMSprop: ``beta2``, ``epsilon``; Adam: ``beta1``, ``beta2``,
    ``epsilon``, ``bias_correction``. Returns ``optimizer`` and the fields shown.
    """
    out = {"optimizer": choice_control("Optimizer", "optimizer", names, OPTIMIZER_LABELS, key,
                                       defaults=defaults, bind=bind)}
    if learning_rate:
        out["learning_rate"] = learning_rate_control(key, defaults=defaults, bind=bind)
    if not hyperparameters:
        return out
    opt = out["optimizer"]
    if opt == "momentum":
        out["beta"] = _beta_slider(key, "beta", "Momentum β", defaults, bind)
    if opt == "adam":
        out["beta1"] = _beta_slider(key, "beta1", "β₁ (first moment)", defaults, bind)
    if opt in ("rmsprop", "adam"):
        out["beta2"] = _beta_slider(key, "beta2", "β₂ (second moment)", defaults, bind)
        eps0 = float(default(defaults, "epsilon"))
        out["epsilon"] = float(bound.select_slider(
            "ε (added outside the square root)", _with(EPSILONS, eps0), value=eps0,
            format_func=_g, key=widget_key(key, "epsilon"), bind=bind))
    if opt == "adam":
        out["bias_correction"] = bound.checkbox(
            "Bias correction", bool(default(defaults, "bias_correction")),
            key=widget_key(key, "bias_correction"), bind=bind,
            help="Divide v by 1 - β₁^t and s by 1 - β₂^t: both start at 0, so without it "
                 "the early averages are biased towards 0 (and since s is biased more, the "
                 "first steps come out too large, not too small).")
    return out


def _beta_slider(key, name, label, defaults, bind) -> float:
    return float(bound.slider(label, 0.0, 0.999, float(default(defaults, name)), step=0.001,
                           format="%.3f", key=widget_key(key, name), bind=bind))


def schedule_controls(key: str = "", *, defaults=None, bind: str | None = BIND,
                      names: Sequence[str] = SCHEDULES) -> dict:
    """Learning-rate schedule and its parameters (only those the chosen schedule uses)."""
    out = {"schedule": choice_control("Learning-rate schedule", "schedule", names,
                                      SCHEDULE_LABELS, key, defaults=defaults, bind=bind)}
    s = out["schedule"]
    if s in ("inverse_time", "inverse_time_interval"):
        out["decay_rate"] = float(bound.number_input(
            "decay_rate", 0.0, 100.0, float(default(defaults, "decay_rate")), step=0.1,
            format="%g", key=widget_key(key, "decay_rate"), bind=bind))
    if s == "inverse_time_interval":
        out["time_interval"] = int(bound.number_input(
            "time_interval (epochs)", 1, 100_000, int(default(defaults, "time_interval")),
            step=10, key=widget_key(key, "time_interval"), bind=bind))
    if s == "exponential":
        out["decay_base"] = float(bound.slider(
            "Base (α = base^epoch · α₀)", 0.5, 1.0, float(default(defaults, "decay_base")),
            step=0.005, format="%.3f", key=widget_key(key, "decay_base"), bind=bind))
    if s == "inverse_sqrt":
        out["k"] = float(bound.number_input(
            "k", 0.01, 100.0, float(default(defaults, "k")), step=0.1, format="%g",
            key=widget_key(key, "k"), bind=bind))
    if s == "staircase":
        out["drop"] = float(bound.slider(
            "Drop factor", 0.05, 1.0, float(default(defaults, "drop")), step=0.05,
            key=widget_key(key, "drop"), bind=bind))
        out["epochs_drop"] = int(bound.number_input(
            "Epochs between drops", 1, 100_000, int(default(defaults, "epochs_drop")), step=10,
            key=widget_key(key, "epochs_drop"), bind=bind))
    return out


def mini_batch_controls(key: str = "", *, defaults=None, bind: str | None = BIND,
                        sizes: Sequence[int | None] = MINI_BATCH_SIZES) -> dict:
    """Mini-batch size: powers of two, or the full batch (``mini_batch_size=None``)."""
    size0 = default(defaults, "mini_batch_size")
    numbers = sorted({s for s in (*sizes, size0) if s is not None})
    options = numbers + [None]  # full batch last: the largest "size"
    size = bound.select_slider(
        "Mini-batch size", options, value=size0,
        format_func=lambda s: "full batch" if s is None else str(s),
        key=widget_key(key, "mini_batch_size"), bind=bind,
        help="Examples per gradient step; 'full batch' is batch gradient descent, 1 is "
             "stochastic gradient descent.")
    return {"mini_batch_size": size}


def epochs_control(key: str = "", *, defaults=None, bind: str | None = BIND,
                   choices: Sequence[int] = EPOCHS) -> dict:
    """Number of epochs (``num_epochs``) on a rough log grid."""
    n0 = int(default(defaults, "num_epochs"))
    return {"num_epochs": int(bound.select_slider(
        "Epochs", _with(choices, n0), value=n0, key=widget_key(key, "num_epochs"), bind=bind))}


def seed_control(key: str = "", *, defaults=None, bind: str | None = BIND) -> dict:
    """The run's seed (initial weights, mini-batch shuffles, dropout masks)."""
    return {"seed": int(bound.number_input(
        "Seed", 0, 1_000_000, int(default(defaults, "seed")), step=1,
        key=widget_key(key, "seed"), bind=bind,
        help="Same seed, same config: the same run, bit for bit."))}
