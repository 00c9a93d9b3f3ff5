"""Shared pieces of the config widgets: defaults, keys, option lists, parsing typed sizes.

Used by :mod:`nnlab.app.controls` and :mod:`nnlab.app.training_controls` (both re-export what
pages need).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

from nnlab.config import TrainConfig

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
        shown = user_text(token)  # echoed as text, never as Markdown
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


def user_text(text, limit: int = MAX_TOKEN_SHOWN) -> str:
    """A visitor's text (typed, from a link or a file name) for a Markdown message: at most
    ``limit`` characters (then "…") and escaped, so that it shows as typed and never renders
    as a link, emphasis or maths."""
    text = " ".join(str(text).split())  # no line breaks: no Markdown blocks
    return escape_markdown(text if len(text) <= limit else text[:limit] + "…")


def format_hidden_units(units: Sequence[int]) -> str:
    """``(10, 5)`` -> ``"10,5"``."""
    return ",".join(str(n) for n in units)
