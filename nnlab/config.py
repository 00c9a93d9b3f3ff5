"""The training configuration: one frozen dataclass of primitives and tuples.

Frozen and made of primitives, a ``TrainConfig`` is hashable (a cache key), printable, and
round-trips through JSON and URL query parameters (``to_dict`` / ``from_dict``).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field

import numpy as np

from nnlab._validate import check_choice, check_float, check_int
from nnlab.spec import activations
from nnlab.spec.initializers import resolve_initializer
from nnlab.spec.model import OUTPUTS

OPTIMIZERS = ("gd", "momentum", "rmsprop", "adam")
SCHEDULES = ("constant", "inverse_time", "inverse_time_interval", "exponential", "inverse_sqrt",
             "staircase")
DTYPES = ("float64", "float32")
DATASET_NAMES = ("circles", "moons", "spiral", "xor", "gaussians", "blobs", "football")
MAX_LAYERS = 100
MAX_UNITS = 4096


@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides a training run (same config -> same history, bit for bit).

    Data: ``dataset``, ``n_samples``, ``noise`` (None: the data set's default), ``n_classes``,
    ``fractions`` (train, dev, test), ``normalize`` inputs with the training statistics,
    ``data_seed``.
    Architecture: ``hidden_units`` (the hidden layer sizes; input and output sizes come from the
    data), ``hidden_activation``, ``output`` ("auto": sigmoid for 2 classes, softmax above).
    Initialization: ``initializer`` (name or alias), ``init_scale`` (None: the initializer's).
    Regularization: ``lambd`` (L2), ``keep_prob`` (dropout), ``dropout_mask`` ("fresh" each
    step, or "fixed": the course's same mask every step), ``batch_norm``, ``bn_momentum``.
    Optimization: ``optimizer``, ``learning_rate``, ``beta`` (momentum), ``beta1``, ``beta2``,
    ``epsilon``, ``bias_correction``, ``mini_batch_size`` (None: the whole training set),
    ``num_epochs``, ``schedule`` with ``decay_rate``, ``time_interval``, ``decay_base``, ``k``,
    ``drop``, ``epochs_drop``.
    Early stopping: ``patience`` epochs without a better dev cost (None: off).
    ``numerics``: "stable" (default) or "course" (literal sigmoid and nansum cost).
    ``seed``: weights, mini-batch shuffles and dropout masks.
    ``custom_data``: with ``dataset="custom"``, the learner's own data as three tuples
    ``(x1 values, x2 values, labels 0..C-1)`` (see ``nnlab.data.upload``); ``n_samples`` is its
    length. Keeping the data in the config keeps a run reproducible from its config alone.
    ``dtype``: "float64" (default; gradient checking needs it) or "float32", which the fast
    network (``nnlab.core.network``) honours; a config it does not cover runs in float64.
    """

    dataset: str = "moons"
    n_samples: int = 300
    noise: float | None = None
    n_classes: int = 2
    fractions: tuple = (0.6, 0.2, 0.2)
    normalize: bool = False
    data_seed: int = 0
    hidden_units: tuple = (10, 5)
    hidden_activation: str = "relu"
    output: str = "auto"
    initializer: str = "he"
    init_scale: float | None = None
    lambd: float = 0.0
    keep_prob: float = 1.0
    dropout_mask: str = "fresh"
    batch_norm: bool = False
    bn_momentum: float = 0.9
    optimizer: str = "gd"
    learning_rate: float = 0.01
    beta: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999
    epsilon: float = 1e-8
    bias_correction: bool = True
    mini_batch_size: int | None = None
    num_epochs: int = 1000
    schedule: str = "constant"
    decay_rate: float = 1.0
    time_interval: int = 1000
    decay_base: float = 0.95
    k: float = 1.0
    drop: float = 0.5
    epochs_drop: int = 100
    patience: int | None = None
    numerics: str = "stable"
    seed: int = 0
    dtype: str = "float64"
    custom_data: tuple | None = field(default=None, repr=False)

    def __post_init__(self):
        # Lists (from JSON or a widget) become tuples so the config stays hashable.
        for name in ("fractions", "hidden_units"):
            if isinstance(getattr(self, name), list):
                object.__setattr__(self, name, tuple(getattr(self, name)))
        if isinstance(self.custom_data, (list, tuple)):
            object.__setattr__(self, "custom_data",
                               tuple(tuple(col) if isinstance(col, (list, tuple)) else col
                                     for col in self.custom_data))
        validate(self)

    def replace(self, **changes) -> TrainConfig:
        """A copy with some fields changed (validated)."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        """Plain JSON-ready dict (tuples become lists)."""
        out = {}
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            out[f.name] = list(v) if isinstance(v, tuple) else v
        return out

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict) -> TrainConfig:
        """Build from ``to_dict`` output; unknown keys raise ValueError naming them."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise ValueError(f"unknown config field(s): {', '.join(unknown)}")
        kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
        return cls(**kwargs)

    @property
    def output_activation(self) -> str:
        if self.output != "auto":
            return self.output
        return "sigmoid" if self.n_classes == 2 else "softmax"

    def layer_dims(self, n_x: int = 2) -> tuple[int, ...]:
        """``(n_x, *hidden_units, n_y)`` with ``n_y`` 1 for sigmoid, ``n_classes`` for softmax."""
        n_y = 1 if self.output_activation == "sigmoid" else self.n_classes
        return (n_x, *self.hidden_units, n_y)


def _check_optional(name, value, checker, **kw):
    return None if value is None else checker(name, value, **kw)


MIN_CUSTOM_ROWS = 20


def _validate_custom_data(c: TrainConfig) -> None:
    if c.dataset != "custom":
        if c.custom_data is not None:
            raise ValueError(f"custom_data is only used with dataset='custom', got dataset="
                             f"{c.dataset!r}")
        return
    d = c.custom_data
    if not isinstance(d, tuple) or len(d) != 3 or not all(isinstance(col, tuple) for col in d):
        raise ValueError("custom_data must be three tuples (x1 values, x2 values, labels) "
                         "when dataset='custom'")
    m = len(d[0])
    if len(d[1]) != m or len(d[2]) != m:
        raise ValueError(f"custom_data columns must have equal lengths, got "
                         f"{[len(col) for col in d]}")
    if m < MIN_CUSTOM_ROWS:
        raise ValueError(f"custom_data needs at least {MIN_CUSTOM_ROWS} rows, got {m}")
    if c.n_samples != m:
        raise ValueError(f"n_samples must equal the {m} rows of custom_data, got {c.n_samples}")
    try:
        X = np.array(d[:2], dtype=float)
        y = np.array(d[2], dtype=float)
    except (TypeError, ValueError):
        raise ValueError("custom_data must hold numbers only") from None
    if not (np.all(np.isfinite(X)) and np.all(np.isfinite(y))):
        raise ValueError("custom_data must hold finite numbers only (no NaN or infinity)")
    labels = set(np.unique(y).tolist())
    if not labels <= set(range(c.n_classes)) or len(labels) < 2:
        raise ValueError(f"custom_data labels must be 0..{c.n_classes - 1} (n_classes="
                         f"{c.n_classes}) with at least 2 present, got {sorted(labels)[:12]}")


def validate(c: TrainConfig) -> None:
    """Raise ValueError naming the first bad field and the value received."""
    check_choice("dataset", c.dataset, DATASET_NAMES + ("custom",))
    _validate_custom_data(c)
    check_int("n_samples", c.n_samples, low=4, high=1_000_000)
    _check_optional("noise", c.noise, check_float, low=0, high=10)
    check_int("n_classes", c.n_classes, low=2, high=10)
    if not isinstance(c.fractions, tuple) or len(c.fractions) != 3:
        raise ValueError(f"fractions must be a tuple (train, dev, test), got {c.fractions!r}")
    for name, v in zip(("train", "dev", "test"), c.fractions, strict=True):
        check_float(f"fractions[{name}]", v, low=0, high=1)
    if c.fractions[0] <= 0 or abs(sum(c.fractions) - 1) > 1e-9:
        raise ValueError(f"fractions must be positive for train and sum to 1, got {c.fractions!r}")
    check_int("data_seed", c.data_seed, low=0)
    if not isinstance(c.hidden_units, tuple):
        raise ValueError(f"hidden_units must be a tuple of positive integers, got "
                         f"{c.hidden_units!r}")
    if len(c.hidden_units) > MAX_LAYERS:
        raise ValueError(f"hidden_units has {len(c.hidden_units)} layers; at most {MAX_LAYERS}")
    for i, n in enumerate(c.hidden_units):
        check_int(f"hidden_units[{i}]", n, low=1, high=MAX_UNITS)
    check_choice("hidden_activation", c.hidden_activation, activations.HIDDEN_ACTIVATIONS)
    check_choice("output", c.output, ("auto",) + OUTPUTS)
    if c.output == "sigmoid" and c.n_classes != 2:
        raise ValueError(f"output 'sigmoid' needs n_classes=2, got n_classes={c.n_classes}")
    resolve_initializer(c.initializer)
    _check_optional("init_scale", c.init_scale, check_float, low=0)
    check_float("lambd", c.lambd, low=0)
    check_float("keep_prob", c.keep_prob, low=0, high=1, low_open=True)
    check_choice("dropout_mask", c.dropout_mask, ("fresh", "fixed"))
    check_float("bn_momentum", c.bn_momentum, low=0, high=1, high_open=True)
    check_choice("optimizer", c.optimizer, OPTIMIZERS)
    check_float("learning_rate", c.learning_rate, low=0, low_open=True)
    for name in ("beta", "beta1", "beta2"):
        check_float(name, getattr(c, name), low=0, high=1, high_open=True)
    check_float("epsilon", c.epsilon, low=0, low_open=True)
    _check_optional("mini_batch_size", c.mini_batch_size, check_int, low=1)
    check_int("num_epochs", c.num_epochs, low=1, high=1_000_000)
    check_choice("schedule", c.schedule, SCHEDULES)
    check_float("decay_rate", c.decay_rate, low=0)
    check_int("time_interval", c.time_interval, low=1)
    check_float("decay_base", c.decay_base, low=0, high=1, low_open=True)
    check_float("k", c.k, low=0, low_open=True)
    check_float("drop", c.drop, low=0, high=1, low_open=True)
    check_int("epochs_drop", c.epochs_drop, low=1)
    _check_optional("patience", c.patience, check_int, low=1)
    check_choice("numerics", c.numerics, ("stable", "course"))
    check_int("seed", c.seed, low=0)
    check_choice("dtype", c.dtype, DTYPES)
    for name in ("normalize", "batch_norm", "bias_correction"):
        if not isinstance(getattr(c, name), bool):
            raise ValueError(f"{name} must be True or False, got {getattr(c, name)!r}")
