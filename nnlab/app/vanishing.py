"""Glue of the "Vanishing & exploding gradients" page: the lecture's linear chain, per-layer
statistics of a deep network at initialization and after training, and the activations
compared.

The statistics come from :func:`nnlab.lessons.layer_stats.network_snapshot` (one forward and one
backward pass over the training set, a few milliseconds even at 50 layers); training goes
through :func:`nnlab.app.train_cached`.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from nnlab import viz
from nnlab.app import controls
from nnlab.app.bound import BIND
from nnlab.app.charts import chart_spec
from nnlab.app.compare import grid_safe
from nnlab.app.runs import Work, cached_work
from nnlab.config import TrainConfig
from nnlab.core.train import make_dataset
from nnlab.data.datasets import DATASETS
from nnlab.lessons import layer_stats as diagnostics
from nnlab.spec.initializers import initialize_parameters

#: Binary data sets only: the snapshot's targets are the (1, m) labels of a sigmoid output.
BINARY_DATASETS = tuple(n for n, info in DATASETS.items() if not info.multiclass)
#: A 20-hidden-layer ReLU network of width 32 on normalized moons; 100 epochs of gradient
#: descent take about 0.2 s per variant.
BASE = TrainConfig(dataset="moons", normalize=True, hidden_units=(32,) * 20,
                   hidden_activation="relu", learning_rate=0.05, num_epochs=100)
MAX_DEPTH = 60
WIDTHS = (2, 4, 8, 16, 32, 64, 128)
TRAIN_EPOCHS = (20, 50, 100, 200, 500, 1000)
#: The four initializations compared by default: (initializer, scale or None).
DEFAULT_VARIANTS = (("random", 0.01), ("random", 1.0), ("xavier", None), ("he", None))
#: Each activation with the initialization the lecture recommends for it.
MATCHED_INIT = {"sigmoid": "xavier", "tanh": "xavier", "relu": "he"}
#: Weight factors of the lecture's linear example.
LINEAR_SCALES = (1.5, 1.0, 0.5)

#: Short names (legends are one line): Xavier is W ~ N(0, 1/n), He is W ~ N(0, 2/n).
NAMES = {"random": "random", "xavier": "Xavier", "he": "He", "zeros": "zeros",
         "glorot_uniform": "Glorot uniform", "he_uniform": "He uniform"}


def init_label(initializer: str, scale: float | None) -> str:
    """``"random ×0.01"``, ``"He"``, ``"He ×0.5"`` (a custom scale)."""
    name = NAMES.get(initializer, initializer)
    if scale is None:
        return f"random ×{10:g}" if initializer == "random" else name
    return f"{name} ×{scale:g}"


def distinct(labels: list[str]) -> list[str]:
    """Make repeated labels distinct by numbering the repeats."""
    out, seen = [], {}
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return out


def variant_controls(bind: str | None = BIND) -> list[tuple[str, dict]]:
    """Four columns of initializer + scale; returns ``[(label, partial config), ...]``."""
    parts = []
    for i, (col, (init, scale)) in enumerate(zip(st.columns(4), DEFAULT_VARIANTS, strict=True)):
        with col:
            part = controls.initializer_controls(
                f"v{i + 1}", defaults={"initializer": init, "init_scale": scale}, bind=bind,
                names=list(NAMES))
        parts.append(part)
    labels = distinct([init_label(p["initializer"], p["init_scale"]) for p in parts])
    return list(zip(labels, parts, strict=True))


def initial_parameters(config: TrainConfig, n_x: int) -> dict:
    """The parameters ``nnlab.core.train.train`` starts from for ``config`` (same generator)."""
    return initialize_parameters(config.layer_dims(n_x), config.initializer,
                                 scale=config.init_scale,
                                 rng=np.random.default_rng([config.seed, 0]))


def snapshot(config: TrainConfig, data, parameters: dict | None = None) -> dict:
    """``network_snapshot`` on the training set, at initialization unless ``parameters``.

    Cached (a pure function of its inputs and the engine's code): a warm page does not run
    its deep networks forward and backward again."""
    return _cached_snapshot(config, data.X_train, data.Y_train, parameters)


@cached_work
def _cached_snapshot(work: Work, config: TrainConfig, X, Y, parameters: dict | None) -> dict:
    """:func:`snapshot` on ``(X, Y)``."""
    params = initial_parameters(config, X.shape[0]) if parameters is None else parameters
    return diagnostics.network_snapshot(X, Y, params, hidden_activation=config.hidden_activation,
                                        learning_rate=config.learning_rate)


def stats_table(snaps: dict) -> list[dict]:
    """One row per variant: spread of the first and last hidden layer, first and last
    gradient norm, their ratio, and the share of the last hidden layer's entries where the
    activation's slope is about 0 (sigmoid/tanh saturated, ReLU off)."""
    rows = []
    for label, s in snaps.items():
        L = len(s["layer"])
        last_hidden = max(L - 2, 0)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            ratio = s["grad_norm"][0] / s["grad_norm"][-1]
        rows.append({"variant": label, "std a[1]": s["a_std"][0],
                     f"std a[{last_hidden + 1}]": s["a_std"][last_hidden],
                     "‖dW1‖": s["grad_norm"][0], f"‖dW{L}‖": s["grad_norm"][-1],
                     f"‖dW1‖ / ‖dW{L}‖": ratio,
                     f"g′≈0 in layer {last_hidden + 1}": s["saturation"][last_hidden]})
    return rows


def _fmt_columns(rows: list[dict]) -> dict:
    cols = {}
    for key in rows[0]:
        if key != "variant":
            fmt = "%.0f%%" if key.startswith("g′") else "%.2e"
            cols[key] = st.column_config.NumberColumn(key, format=fmt)
    return cols


def stats_view(snaps: dict, *, when: str) -> None:
    """The two per-layer charts (activation spread, gradient norm; log scale) and the table."""
    bad = [label for label, s in snaps.items()
           if not (np.all(np.isfinite(s["a_std"])) and np.all(np.isfinite(s["grad_norm"])))]
    for label in bad:
        st.warning(f"**{label}**: some values overflowed to infinity (or NaN) {when}; the "
                   "charts leave them out.", icon=":material/warning:")
    left, right = st.columns(2)
    with left:
        hidden = {k: s["a_std"][:-1] if len(s["a_std"]) > 1 else s["a_std"]
                  for k, s in snaps.items()}  # the output layer's a is ŷ, not a hidden signal
        st.vega_lite_chart(chart_spec(
            viz.layer_stats_chart, hidden, y_title="std of a[l] (log scale)",
            title=f"Activation spread per hidden layer, {when}"), width="stretch")
    with right:
        st.vega_lite_chart(chart_spec(
            viz.layer_stats_chart, {k: s["grad_norm"] for k, s in snaps.items()},
            y_title="‖dW[l]‖ (log scale)", title=f"Gradient norm per layer, {when}"),
            width="stretch")
    rows = stats_table(snaps)
    for row in rows:  # the slope-0 column is shown in percent
        key = next(k for k in row if k.startswith("g′"))
        row[key] = 100 * row[key]
    st.dataframe(**grid_safe(rows, _fmt_columns(rows)), hide_index=True)


def linear_chain_section(depth: int) -> dict:
    """The lecture's deep linear network ``W^[l] = s I`` for s in ``LINEAR_SCALES``: the chart
    of the output size per layer, and the values at ``depth``. Returns ``{label: values}``."""
    curves = {f"W = {s:g}·I": diagnostics.linear_chain_output(depth, s) for s in LINEAR_SCALES}
    st.vega_lite_chart(chart_spec(viz.layer_stats_chart, curves, y_title="|a[l]| (log scale)",
                                  title="Deep linear network: size of a[l] per layer"),
                       width="stretch")
    cols = st.columns(len(curves))
    for col, (label, values) in zip(cols, curves.items(), strict=True):
        col.metric(f"{label}: ŷ after {depth} layers", f"{values[-1]:.3g}")
    return curves


def dataset(config: TrainConfig):
    """The config's data set (cheap to draw again: no cache needed)."""
    return make_dataset(config)


def activations_section(base: TrainConfig, data) -> dict:
    """Gradient norm per layer at initialization for sigmoid, tanh and ReLU, each with the
    initialization the lecture recommends for it (``MATCHED_INIT``). Returns the snapshots."""
    depth = len(base.hidden_units)
    snaps = {}
    for act, init in MATCHED_INIT.items():
        config = base.replace(hidden_activation=act, initializer=init, init_scale=None)
        snaps[f"{act} + {NAMES[init]}"] = snapshot(config, data)
    st.vega_lite_chart(chart_spec(
        viz.layer_stats_chart, {k: s["grad_norm"] for k, s in snaps.items()},
        y_title="‖dW[l]‖ (log scale)",
        title=f"Gradient norm per layer at initialization, {depth} hidden layers"),
        width="stretch")
    return snaps
