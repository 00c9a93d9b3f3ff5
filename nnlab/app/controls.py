"""Composable config widgets: each draws a few widgets and returns a partial config dict.

A page combines them and builds the config with :func:`make_config`::

    from nnlab.app import controls

    with st.sidebar:
        data = controls.dataset_controls("d", bind="query-params")
    left, right = st.columns(2)
    with left:
        a = controls.optimizer_controls("a", defaults={"optimizer": "gd"})
    with right:
        b = controls.optimizer_controls("b", defaults={"optimizer": "adam"})
    config_a = controls.make_config(data, a, base=BASE)
    config_b = controls.make_config(data, b, base=BASE)
    if config_a is None or config_b is None:
        st.stop()

Conventions shared by every ``*_controls`` function:

- ``key``: a prefix for the widget keys (``"a"`` gives ``"a_learning_rate"``), so that a page
  can show several variants of the same widgets. With ``key=""`` the keys are the field names.
- ``defaults``: a ``TrainConfig`` or a dict of ``TrainConfig`` fields; anything not given takes
  the ``TrainConfig`` default.
- ``bind="query-params"``: bind every widget to the URL (the widget key is the query
  parameter's name), so that a link reproduces the view. A value equal to the default is
  left out of the URL.
- The result maps ``TrainConfig`` field names to values. Only the fields of the widgets shown
  are returned: fields of hidden widgets (e.g. ``beta`` when the optimizer is Adam) come from
  the base config given to :func:`make_config`.
- Choices are shown and put in the URL under their ``TrainConfig`` names (``adam``,
  ``inverse_time``, ``he``); the widget's help explains each one.
- Nothing raises on bad input: a bad value is shown with ``st.error`` and replaced by its
  default.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

import streamlit as st

from nnlab.activations import HIDDEN_ACTIVATIONS
from nnlab.app import own_data
from nnlab.config import DATASET_NAMES, MAX_UNITS, OPTIMIZERS, SCHEDULES, TrainConfig
from nnlab.data import DATASETS
from nnlab.datasets2d import MAX_CLASSES
from nnlab.initializers import INITIALIZERS

#: Bounds of the architecture text box (the engine allows more; a web demo should not).
APP_MAX_LAYERS = 50
APP_MAX_UNITS = 512

OPTIMIZER_LABELS = {"gd": "(mini-batch) gradient descent", "momentum": "gradient descent with "
                    "momentum", "rmsprop": "RMSprop", "adam": "Adam: momentum + RMSprop, with "
                    "bias correction"}
SCHEDULE_LABELS = {
    "constant": "constant",
    "inverse_time": "1 / (1 + decay_rate · epoch)",
    "inverse_time_interval": "1 / (1 + decay_rate · ⌊epoch / time_interval⌋)",
    "exponential": "base^epoch · α₀ (exponential)",
    "inverse_sqrt": "k / √epoch",
    "staircase": "staircase (discrete drops)",
}
INITIALIZER_LABELS = {
    "zeros": "zeros",
    "random": "large random (× 10)",
    "xavier": "Xavier: √(1/n[l-1])",
    "he": "He: √(2/n[l-1])",
    "glorot_uniform": "Glorot uniform",
    "he_uniform": "He uniform",
}
LEARNING_RATES = (1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
LAMBDAS = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 0.7, 1.0, 3.0, 10.0)
EPSILONS = (1e-8, 1e-6, 1e-4, 1e-2, 1e-1)
EPOCHS = (10, 20, 50, 100, 200, 300, 500, 1000, 1500, 2000, 3000, 5000, 10000)
MINI_BATCH_SIZES = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, None)  # None: full batch


# ------------------------------------------------------------------------------ helpers


def default(defaults: TrainConfig | Mapping | None, name: str):
    """The default of field ``name``: from ``defaults`` (a config or dict), else TrainConfig's."""
    if isinstance(defaults, TrainConfig):
        return getattr(defaults, name)
    if defaults and name in defaults:
        return defaults[name]
    return _FIELD_DEFAULTS[name]


_FIELD_DEFAULTS = {f.name: f.default for f in dataclasses.fields(TrainConfig)}


def widget_key(key: str, name: str) -> str:
    """The widget key of field ``name`` under prefix ``key`` (also the query parameter)."""
    return f"{key}_{name}" if key else name


def _with(options: Sequence, value) -> list:
    """``options`` plus ``value`` if missing (sorted when numeric), so the default is valid."""
    options = list(options)
    if value not in options:
        options.append(value)
        if all(isinstance(o, (int, float)) for o in options):
            options.sort()
    return options


def _describe(names: Sequence[str], labels: Mapping[str, str]) -> str:
    """Markdown list ``- **name**: label`` for a widget's help."""
    return "\n".join(f"- **{n}**: {labels.get(n, n)}" for n in names)


def _g(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def parse_hidden_units(text: str, *, max_layers: int = APP_MAX_LAYERS,
                       max_units: int = APP_MAX_UNITS) -> tuple[int, ...]:
    """``"10, 5"`` -> ``(10, 5)``; ``"16*4"`` -> four layers of 16; ``""`` -> ``()`` (no hidden
    layer: logistic or softmax regression).

    Raises ValueError with a message for the learner on anything else.
    """
    units: list[int] = []
    for raw in str(text).replace(";", ",").split(","):
        token = raw.strip()
        shown = escape_markdown(token[:MAX_TOKEN_SHOWN])  # echoed as text, never as Markdown
        if not token:
            continue
        size, _, times = token.partition("*")
        try:
            n, k = int(size), int(times) if times else 1
        except ValueError:
            raise ValueError(
                f"'{shown}' is not a layer size: write positive whole numbers separated by "
                "commas, e.g. 10,5 (or 16*4 for four layers of 16 units)") from None
        if n < 1 or k < 1:
            raise ValueError(f"'{shown}': layer sizes and repeats must be at least 1")
        if n > max_units:
            raise ValueError(f"'{shown}': at most {max_units} units per layer here")
        if len(units) + k > max_layers:  # checked before building the list: "1*10**12"
            raise ValueError(f"at most {max_layers} hidden layers here, got {len(units) + k}")
        units.extend([n] * k)
    return tuple(units)


#: Characters of a learner's token echoed back in an error message.
MAX_TOKEN_SHOWN = 24
_MARKDOWN_SPECIAL = set("\\`*_{}[]()<>#+-.!|~$:")


def escape_markdown(text: str) -> str:
    """Backslash-escape Markdown so that typed text is shown as typed, never rendered."""
    return "".join("\\" + c if c in _MARKDOWN_SPECIAL else c for c in str(text))


def format_hidden_units(units: Sequence[int]) -> str:
    """``(10, 5)`` -> ``"10,5"``."""
    return ",".join(str(n) for n in units)


# ------------------------------------------------------------------------------ data


def _reset_noise(dataset_key: str, noise_key: str) -> None:
    """On a new data set, move the noise slider to that data set's default noise."""
    name = st.session_state.get(dataset_key)
    if name in DATASETS:
        st.session_state[noise_key] = float(DATASETS[name].default_noise)


def dataset_controls(key: str = "", *, defaults=None, names: Sequence[str] = DATASET_NAMES,
                     bind: str | None = None, n_samples: bool = True, noise: bool = True,
                     data_seed: bool = True, upload: bool = True) -> dict:
    """Data set, number of examples, noise, number of classes (multiclass sets only) and the
    data seed. Returns ``dataset``, ``n_classes`` and the fields of the widgets shown.

    ``names`` restricts the data sets offered. Choosing another data set moves the noise slider
    to that set's default noise. The "football" set has a fixed size (its slider is disabled).
    With ``upload`` the learner can also upload a CSV (``nnlab.app.own_data``); once loaded,
    "custom" joins the data sets (on pages offering only binary sets, only for 2 classes).
    """
    names = list(names)
    own = own_data.current() if upload else None
    binary_only = all(n in DATASETS and not DATASETS[n].multiclass for n in names)
    if own is not None and not (binary_only and own["n_classes"] > 2):
        names.append(own_data.CUSTOM)
    first = default(defaults, "dataset")
    if first not in names:
        first = names[0]
    k_data, k_noise = widget_key(key, "dataset"), widget_key(key, "noise")
    out = {"dataset": st.selectbox(
        "Data set", names, index=names.index(first), key=k_data, bind=bind,
        on_change=_reset_noise if noise else None, args=(k_data, k_noise) if noise else None,
        help=_describe(names, {n: i.description for n, i in DATASETS.items()}))}
    if upload:
        own_data.upload_box(widget_key(key, "own"))
        if own is not None and own_data.CUSTOM not in names:
            st.caption(f"Your data has {own['n_classes']} classes; this page needs 2.")
    if out["dataset"] == own_data.CUSTOM:
        out.update(own_data.config_part())
        if data_seed:
            out["data_seed"] = int(st.number_input(
                "Split seed", 0, 1_000_000, int(default(defaults, "data_seed")), step=1,
                key=widget_key(key, "data_seed"), help="Shuffles your rows into train, dev "
                "and test differently."))
        return out
    info = DATASETS.get(out["dataset"])
    if info is not None:
        st.caption(info.description)
    if n_samples:
        out["n_samples"] = st.slider(
            "Examples", 50, 2000, int(default(defaults, "n_samples")), step=50,
            key=widget_key(key, "n_samples"), bind=bind, disabled=out["dataset"] == "football",
            help="Total number of examples before the train/dev/test split.")
    if noise:
        noise0 = default(defaults, "noise")
        if noise0 is None:  # the chosen data set's own default
            noise0 = info.default_noise if info is not None else 0.2
        out["noise"] = st.slider("Noise", 0.0, 1.0, float(noise0), step=0.01, key=k_noise,
                                 bind=bind, help="Standard deviation of the noise added to "
                                 "the points (each data set has its own default).")
    out["n_classes"] = 2
    if info is not None and info.multiclass:
        n0 = int(default(defaults, "n_classes"))
        out["n_classes"] = st.slider("Classes", 3, MAX_CLASSES, max(3, n0),
                                     key=widget_key(key, "n_classes"), bind=bind)
    if data_seed:
        out["data_seed"] = int(st.number_input(
            "Data seed", 0, 1_000_000, int(default(defaults, "data_seed")), step=1,
            key=widget_key(key, "data_seed"), bind=bind,
            help="Draws a different sample of the same data set."))
    return out


# ------------------------------------------------------------------------------ model


def architecture_controls(key: str = "", *, defaults=None, bind: str | None = None,
                          activation: bool = True, max_layers: int = APP_MAX_LAYERS,
                          max_units: int = APP_MAX_UNITS) -> dict:
    """Hidden layer sizes as text (``"10,5"``) and the hidden activation.

    Returns ``hidden_units`` (a tuple) and ``hidden_activation``. Bad text shows ``st.error``
    and falls back to the default sizes.
    """
    units0 = tuple(default(defaults, "hidden_units"))
    text = st.text_input(
        "Hidden units", format_hidden_units(units0), key=widget_key(key, "hidden_units"),
        bind=bind, max_chars=200,
        help="Sizes of the hidden layers, comma separated: `10,5` is two hidden layers of 10 "
        "and 5 units; `16*4` is four layers of 16; empty is no hidden layer.")
    try:
        units = parse_hidden_units(text, max_layers=max_layers,
                                   max_units=min(max_units, MAX_UNITS))
    except ValueError as exc:
        st.error(f"Hidden units: {exc}. Using {format_hidden_units(units0) or 'none'}.")
        units = units0
    out = {"hidden_units": units}
    if activation:
        acts = list(HIDDEN_ACTIVATIONS)
        out["hidden_activation"] = st.selectbox(
            "Hidden activation", acts, index=acts.index(default(defaults, "hidden_activation")),
            key=widget_key(key, "hidden_activation"), bind=bind)
    return out


def initializer_controls(key: str = "", *, defaults=None, bind: str | None = None,
                         scale: bool = True, names: Sequence[str] = INITIALIZERS) -> dict:
    """Initializer and an optional scale (empty: the initializer's own).

    Returns ``initializer`` and, when ``scale``, ``init_scale`` (a float or None).
    """
    names = list(names)
    init0 = default(defaults, "initializer")
    out = {"initializer": st.selectbox(
        "Initialization", names, index=names.index(init0) if init0 in names else 0,
        key=widget_key(key, "initializer"), bind=bind, help=_describe(names, INITIALIZER_LABELS))}
    if scale:
        scale0 = default(defaults, "init_scale")
        out["init_scale"] = st.number_input(
            "Scale (empty: the initializer's)", min_value=0.0, max_value=1000.0,
            value=None if scale0 is None else float(scale0), step=0.1, format="%g",
            placeholder="default", key=widget_key(key, "init_scale"), bind=bind,
            help="Standard deviation (normal) or limit (uniform) of the initial weights. "
                 "For 'large random' it is the course's multiplier, 10.")
    return out


def regularization_controls(key: str = "", *, defaults=None, bind: str | None = None,
                            l2: bool = True, dropout: bool = True) -> dict:
    """L2 strength ``lambd`` and dropout ``keep_prob`` (1 means no dropout)."""
    out = {}
    if l2:
        lambd0 = float(default(defaults, "lambd"))
        out["lambd"] = float(st.select_slider(
            "L2 λ (lambd)", _with(LAMBDAS, lambd0), value=lambd0, format_func=_g,
            key=widget_key(key, "lambd"), bind=bind,
            help="Adds λ/(2m) · Σ‖W‖² to the cost: larger λ, smaller weights, smoother "
                 "boundary."))
    if dropout:
        out["keep_prob"] = float(st.slider(
            "Dropout keep_prob", 0.3, 1.0, float(default(defaults, "keep_prob")), step=0.05,
            key=widget_key(key, "keep_prob"), bind=bind,
            help="Probability of keeping each hidden unit during training (inverted dropout); "
                 "1 turns dropout off."))
    return out


# ------------------------------------------------------------------------------ optimization


def learning_rate_control(key: str = "", *, defaults=None, bind: str | None = None,
                          label: str = "Learning rate α", rates: Sequence[float] = LEARNING_RATES
                          ) -> float:
    """A learning rate on a log grid (the default is added to the grid if missing)."""
    lr0 = float(default(defaults, "learning_rate"))
    return float(st.select_slider(label, _with(rates, lr0), value=lr0, format_func=_g,
                                  key=widget_key(key, "learning_rate"), bind=bind))


def optimizer_controls(key: str = "", *, defaults=None, bind: str | None = None,
                       names: Sequence[str] = OPTIMIZERS, learning_rate: bool = True,
                       hyperparameters: bool = True) -> dict:
    """Optimizer, learning rate and the chosen optimizer's own hyperparameters.

    Momentum: ``beta``; RMSprop: ``beta2``, ``epsilon``; Adam: ``beta1``, ``beta2``,
    ``epsilon``, ``bias_correction``. Returns ``optimizer`` and the fields shown.
    """
    names = list(names)
    opt0 = default(defaults, "optimizer")
    out = {"optimizer": st.selectbox(
        "Optimizer", names, index=names.index(opt0) if opt0 in names else 0,
        key=widget_key(key, "optimizer"), bind=bind, help=_describe(names, OPTIMIZER_LABELS))}
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
        out["epsilon"] = float(st.select_slider(
            "ε (added outside the square root)", _with(EPSILONS, eps0), value=eps0,
            format_func=_g, key=widget_key(key, "epsilon"), bind=bind))
    if opt == "adam":
        out["bias_correction"] = st.checkbox(
            "Bias correction", bool(default(defaults, "bias_correction")),
            key=widget_key(key, "bias_correction"), bind=bind,
            help="Divide v by 1 - β₁^t and s by 1 - β₂^t: both start at 0, so without it "
                 "the early averages are biased towards 0 (and since s is biased more, the "
                 "first steps come out too large, not too small).")
    return out


def _beta_slider(key, name, label, defaults, bind) -> float:
    return float(st.slider(label, 0.0, 0.999, float(default(defaults, name)), step=0.001,
                           format="%.3f", key=widget_key(key, name), bind=bind))


def schedule_controls(key: str = "", *, defaults=None, bind: str | None = None,
                      names: Sequence[str] = SCHEDULES) -> dict:
    """Learning-rate schedule and its parameters (only those the chosen schedule uses)."""
    names = list(names)
    s0 = default(defaults, "schedule")
    out = {"schedule": st.selectbox(
        "Learning-rate schedule", names, index=names.index(s0) if s0 in names else 0,
        key=widget_key(key, "schedule"), bind=bind, help=_describe(names, SCHEDULE_LABELS))}
    s = out["schedule"]
    if s in ("inverse_time", "inverse_time_interval"):
        out["decay_rate"] = float(st.number_input(
            "decay_rate", 0.0, 100.0, float(default(defaults, "decay_rate")), step=0.1,
            format="%g", key=widget_key(key, "decay_rate"), bind=bind))
    if s == "inverse_time_interval":
        out["time_interval"] = int(st.number_input(
            "time_interval (epochs)", 1, 100_000, int(default(defaults, "time_interval")),
            step=10, key=widget_key(key, "time_interval"), bind=bind))
    if s == "exponential":
        out["decay_base"] = float(st.slider(
            "Base (α = base^epoch · α₀)", 0.5, 1.0, float(default(defaults, "decay_base")),
            step=0.005, format="%.3f", key=widget_key(key, "decay_base"), bind=bind))
    if s == "inverse_sqrt":
        out["k"] = float(st.number_input(
            "k", 0.01, 100.0, float(default(defaults, "k")), step=0.1, format="%g",
            key=widget_key(key, "k"), bind=bind))
    if s == "staircase":
        out["drop"] = float(st.slider(
            "Drop factor", 0.05, 1.0, float(default(defaults, "drop")), step=0.05,
            key=widget_key(key, "drop"), bind=bind))
        out["epochs_drop"] = int(st.number_input(
            "Epochs between drops", 1, 100_000, int(default(defaults, "epochs_drop")), step=10,
            key=widget_key(key, "epochs_drop"), bind=bind))
    return out


def mini_batch_controls(key: str = "", *, defaults=None, bind: str | None = None,
                        sizes: Sequence[int | None] = MINI_BATCH_SIZES) -> dict:
    """Mini-batch size: powers of two, or the full batch (``mini_batch_size=None``)."""
    size0 = default(defaults, "mini_batch_size")
    numbers = sorted({s for s in (*sizes, size0) if s is not None})
    options = numbers + [None]  # full batch last: the largest "size"
    size = st.select_slider(
        "Mini-batch size", options, value=size0,
        format_func=lambda s: "full batch" if s is None else str(s),
        key=widget_key(key, "mini_batch_size"), bind=bind,
        help="Examples per gradient step; 'full batch' is batch gradient descent, 1 is "
             "stochastic gradient descent.")
    return {"mini_batch_size": size}


def epochs_control(key: str = "", *, defaults=None, bind: str | None = None,
                   choices: Sequence[int] = EPOCHS) -> dict:
    """Number of epochs (``num_epochs``) on a rough log grid."""
    n0 = int(default(defaults, "num_epochs"))
    return {"num_epochs": int(st.select_slider(
        "Epochs", _with(choices, n0), value=n0, key=widget_key(key, "num_epochs"), bind=bind))}


def seed_control(key: str = "", *, defaults=None, bind: str | None = None) -> dict:
    """The run's seed (initial weights, mini-batch shuffles, dropout masks)."""
    return {"seed": int(st.number_input(
        "Seed", 0, 1_000_000, int(default(defaults, "seed")), step=1,
        key=widget_key(key, "seed"), bind=bind,
        help="Same seed, same config: the same run, bit for bit."))}


# ------------------------------------------------------------------------------ building


def make_config(*parts: Mapping, base: TrainConfig | Mapping | None = None,
                **changes) -> TrainConfig | None:
    """Merge partial dicts (later wins) and keyword changes into ``base``; build the config.

    Returns None after showing ``st.error`` if the combination is invalid (the engine's
    ``ValueError`` names the field and the value); a page then calls ``st.stop()`` or skips
    that variant.
    """
    merged = (base.to_dict() if isinstance(base, TrainConfig) else dict(base or {}))
    for part in parts:
        merged.update(part or {})
    merged.update(changes)
    try:
        return TrainConfig.from_dict(merged)
    except (TypeError, ValueError) as exc:
        st.error(f"This configuration can't be trained: {exc}")
        return None


SECTIONS = ("data", "architecture", "initializer", "regularization", "optimizer", "schedule",
            "mini_batch", "epochs", "seed")
_SECTION_FUNCS = {
    "data": dataset_controls, "architecture": architecture_controls,
    "initializer": initializer_controls, "regularization": regularization_controls,
    "optimizer": optimizer_controls, "schedule": schedule_controls,
    "mini_batch": mini_batch_controls, "epochs": epochs_control, "seed": seed_control,
}


def config_controls(key: str = "", *, base: TrainConfig | None = None,
                    sections: Sequence[str] = SECTIONS, bind: str | None = None
                    ) -> TrainConfig | None:
    """All the widgets of ``sections`` (in that order), built into a config over ``base``.

    Returns None (after an ``st.error``) when the combination is invalid.
    """
    base = base or TrainConfig()
    unknown = [s for s in sections if s not in _SECTION_FUNCS]
    if unknown:
        raise ValueError(f"unknown sections {unknown}; choose from {SECTIONS}")
    parts = [_SECTION_FUNCS[s](key, defaults=base, bind=bind) for s in sections]
    return make_config(*parts, base=base)
