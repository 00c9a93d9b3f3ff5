"""Composable config widgets: each draws a few widgets and returns a partial config dict.

A page combines them and builds the config with :func:`make_config`::

    from nnlab.app import controls

    with st.sidebar:
        data = controls.dataset_controls("d")
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
- ``bind``: every widget is bound to the URL by default (``nnlab.app.bound.BIND``; the widget
  key is the query parameter's name), so that a link reproduces the view. A value equal to
  the default is left out of the URL. ``bind=None`` keeps the widgets out of it.
- The result maps ``TrainConfig`` field names to values. Only the fields of the widgets shown
  are returned: fields of hidden widgets (e.g. ``beta`` when the optimizer is Adam) come from
  the base config given to :func:`make_config`.
- Choices are shown and put in the URL under their ``TrainConfig`` names (``adam``,
  ``inverse_time``, ``he``); the widget's help explains each one.
- Nothing raises on bad input: a bad value is shown with ``st.error`` and replaced by its
  default.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import streamlit as st

from nnlab.app import bound, own_data
from nnlab.app.bound import BIND
from nnlab.app.training_controls import (  # noqa: F401 - re-exported for pages
    choice_control,
    epochs_control,
    learning_rate_control,
    mini_batch_controls,
    optimizer_controls,
    schedule_controls,
    seed_control,
)
from nnlab.app.widgets import (  # noqa: F401 - used here and by pages
    APP_MAX_LAYERS,
    APP_MAX_UNITS,
    EPOCHS,
    EPSILONS,
    INITIALIZER_LABELS,
    LAMBDAS,
    LEARNING_RATES,
    MINI_BATCH_SIZES,
    OPTIMIZER_LABELS,
    SCHEDULE_LABELS,
    _describe,
    _g,
    _with,
    default,
    escape_markdown,
    format_hidden_units,
    parse_hidden_units,
    widget_key,
)
from nnlab.config import DATASET_NAMES, MAX_UNITS, TrainConfig
from nnlab.data.datasets import DATASETS
from nnlab.data.toy2d import MAX_CLASSES
from nnlab.spec.activations import HIDDEN_ACTIVATIONS
from nnlab.spec.initializers import INITIALIZERS

# ------------------------------------------------------------------------------ data


def _reset_noise(dataset_key: str, noise_key: str) -> None:
    """On a new data set, move the noise slider to that data set's default noise."""
    name = st.session_state.get(dataset_key)
    if name in DATASETS:
        st.session_state[noise_key] = float(DATASETS[name].default_noise)


def dataset_controls(key: str = "", *, defaults=None, names: Sequence[str] = DATASET_NAMES,
                     bind: str | None = BIND, n_samples: bool = True, noise: bool = True,
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
    if upload and bind is not None:  # a link made with someone's upload: say it isn't here
        own_data.custom_link_notice(k_data, first)
    out = {"dataset": bound.selectbox(
        "Data set", names, index=names.index(first), key=k_data, bind=bind,
        on_change=_reset_noise if noise else None, args=(k_data, k_noise) if noise else None,
        help=_describe(names, {n: i.description for n, i in DATASETS.items()}))}
    if upload:
        if own is not None:  # what is loaded and how to use it, where the learner looks
            own_data.status(own, in_use=out["dataset"] == own_data.CUSTOM,
                            offered=own_data.CUSTOM in names)
        own_data.upload_box(widget_key(key, "own"), dataset_key=k_data,
                            offers=lambda n: not (binary_only and n > 2))
    if out["dataset"] == own_data.CUSTOM:
        out.update(own_data.config_part())
        if data_seed:
            out["data_seed"] = int(bound.number_input(
                "Split seed", 0, 1_000_000, int(default(defaults, "data_seed")), step=1,
                key=widget_key(key, "data_seed"), help="Shuffles your rows into train, dev "
                "and test differently."))
        return out
    info = DATASETS.get(out["dataset"])
    if info is not None:
        st.caption(info.description)
    if n_samples:
        out["n_samples"] = bound.slider(
            "Examples", 50, 2000, int(default(defaults, "n_samples")), step=50,
            key=widget_key(key, "n_samples"), bind=bind, disabled=out["dataset"] == "football",
            help="Total number of examples before the train/dev/test split.")
    if noise:
        noise0 = default(defaults, "noise")
        if noise0 is None:  # the chosen data set's own default
            noise0 = info.default_noise if info is not None else 0.2
        out["noise"] = bound.slider("Noise", 0.0, 1.0, float(noise0), step=0.01, key=k_noise,
                                 bind=bind, help="Standard deviation of the noise added to "
                                 "the points (each data set has its own default).")
    out["n_classes"] = 2
    if info is not None and info.multiclass:
        n0 = int(default(defaults, "n_classes"))
        out["n_classes"] = bound.slider("Classes", 3, MAX_CLASSES, max(3, n0),
                                     key=widget_key(key, "n_classes"), bind=bind)
    if data_seed:
        out["data_seed"] = int(bound.number_input(
            "Data seed", 0, 1_000_000, int(default(defaults, "data_seed")), step=1,
            key=widget_key(key, "data_seed"), bind=bind,
            help="Draws a different sample of the same data set."))
    return out


# ------------------------------------------------------------------------------ model


def architecture_controls(key: str = "", *, defaults=None, bind: str | None = BIND,
                          activation: bool = True, max_layers: int = APP_MAX_LAYERS,
                          max_units: int = APP_MAX_UNITS) -> dict:
    """Hidden layer sizes as text (``"10,5"``) and the hidden activation.

    Returns ``hidden_units`` (a tuple) and ``hidden_activation``. Bad text shows ``st.error``
    and falls back to the default sizes.
    """
    units0 = tuple(default(defaults, "hidden_units"))
    text = bound.text_input(
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
        out["hidden_activation"] = bound.selectbox(
            "Hidden activation", acts, index=acts.index(default(defaults, "hidden_activation")),
            key=widget_key(key, "hidden_activation"), bind=bind)
    return out


def initializer_controls(key: str = "", *, defaults=None, bind: str | None = BIND,
                         scale: bool = True, names: Sequence[str] = INITIALIZERS) -> dict:
    """Initializer and an optional scale (empty: the initializer's own).

    Returns ``initializer`` and, when ``scale``, ``init_scale`` (a float or None).
    """
    out = {"initializer": choice_control("Initialization", "initializer", names,
                                         INITIALIZER_LABELS, key, defaults=defaults, bind=bind)}
    if scale:
        scale0 = default(defaults, "init_scale")
        out["init_scale"] = bound.number_input(
            "Scale (empty: the initializer's)", min_value=0.0, max_value=1000.0,
            value=None if scale0 is None else float(scale0), step=0.1, format="%g",
            placeholder="default", key=widget_key(key, "init_scale"), bind=bind,
            help="Standard deviation (normal) or limit (uniform) of the initial weights. "
                 "For 'large random' it is the course's multiplier, 10.")
    return out


def regularization_controls(key: str = "", *, defaults=None, bind: str | None = BIND,
                            l2: bool = True, dropout: bool = True) -> dict:
    """L2 strength ``lambd`` and dropout ``keep_prob`` (1 means no dropout)."""
    out = {}
    if l2:
        lambd0 = float(default(defaults, "lambd"))
        out["lambd"] = float(bound.select_slider(
            "L2 λ (lambd)", _with(LAMBDAS, lambd0), value=lambd0, format_func=_g,
            key=widget_key(key, "lambd"), bind=bind,
            help="Adds λ/(2m) · Σ‖W‖² to the cost: larger λ, smaller weights, smoother "
                 "boundary."))
    if dropout:
        out["keep_prob"] = float(bound.slider(
            "Dropout keep_prob", 0.3, 1.0, float(default(defaults, "keep_prob")), step=0.05,
            key=widget_key(key, "keep_prob"), bind=bind,
            help="Probability of keeping each hidden unit during training (inverted dropout); "
                 "1 turns dropout off."))
    return out


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
                    sections: Sequence[str] = SECTIONS, bind: str | None = BIND
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
