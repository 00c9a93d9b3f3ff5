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
from nnlab.app.compare import curve_series, grid_safe
from nnlab.app.runs import Work, cached_work
from nnlab.config import TrainConfig
from nnlab.core.train import make_dataset
from nnlab.data.datasets import DATASETS
from nnlab.lessons import claims
from nnlab.lessons import layer_stats as diagnostics
from nnlab.lessons.vanishing_claims import (  # noqa: F401 - re-exported for the page
    activations_verdict,
    gradient_change,
    init_verdict,
    largest_weight,
    linear_chain_sentence,
    spread_change,
    trend,
)
from nnlab.spec.initializers import initialize_parameters
from nnlab.viz._common import series_frame
from nnlab.viz.curves import off_scale

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

#: A first layer whose weights moved by less than this share of their size during training
#: "stayed at its random start".
STILL = 1e-3

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
    """Initializer + scale of each variant, each in a box of its own (narrow enough for the
    sidebar); returns ``[(label, partial config), ...]``."""
    parts = []
    for i, (init, scale) in enumerate(DEFAULT_VARIANTS):
        with st.container(border=True):
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
    """The two per-layer charts (activation spread, gradient norm; log scale) and the table.

    A label whose snapshot is None (a diverged run) keeps its place in the charts' legend,
    marked "left out", without a line, so that every run keeps its colour and dash on every
    chart of the page; the table leaves it out."""
    shown = {label: s for label, s in snaps.items() if s is not None}
    for label, s in shown.items():
        if not (np.all(np.isfinite(s["a_std"])) and np.all(np.isfinite(s["grad_norm"]))):
            st.warning(f"**{label}**: some of its values overflowed to infinity (or NaN) {when}; "
                       "the charts leave them out, the table shows them.",
                       icon=":material/warning:")
    hidden, grads = {}, {}
    for label, s in snaps.items():
        if s is None:
            hidden[f"{label} (left out)"] = grads[f"{label} (left out)"] = [np.nan]
        else:  # the output layer's a is ŷ, not a hidden signal
            hidden[label] = s["a_std"][:-1] if len(s["a_std"]) > 1 else s["a_std"]
            grads[label] = s["grad_norm"]
    left, right = st.columns(2)
    with left:
        st.vega_lite_chart(chart_spec(
            viz.layer_stats_chart, hidden, y_title="activation std (log scale)",
            title=f"Activation spread, {when}"), width="stretch")
    with right:
        st.vega_lite_chart(chart_spec(
            viz.layer_stats_chart, grads, y_title="‖dW‖ (log scale)",
            title=f"Gradient norm, {when}"), width="stretch")
    rows = stats_table(shown)
    for row in rows:  # the slope-0 column is shown in percent
        key = next(k for k in row if k.startswith("g′"))
        row[key] = 100 * row[key]
    if rows:
        st.dataframe(**grid_safe(rows, _fmt_columns(rows)), hide_index=True)


# ------------------------------------------------------------------ sentences from the numbers


def _initial_w1(result) -> np.ndarray:
    return initial_parameters(result.config, result.parameters["W1"].shape[1])["W1"]


def first_layer_moved(result) -> float:
    """How far the first layer's weights moved from their start: ‖W1 − W1₀‖ / ‖W1₀‖ (NaN when
    it overflows)."""
    w0 = _initial_w1(result)
    with np.errstate(over="ignore", invalid="ignore"):
        moved = np.linalg.norm(result.parameters["W1"] - w0) / np.linalg.norm(w0)
    return float(moved) if np.isfinite(moved) else float("nan")


def leaves_chart(results, *, log_y: bool) -> list[str]:
    """The runs whose cost curve the live chart draws leaving at the top: the chart's own rule
    (``nnlab.viz.curves.off_scale``) on the curves it draws, and a value above the top."""
    series = curve_series(results, "cost")
    if not any(len(y) for _, y in series.values()):
        return []
    rule = off_scale(series_frame(series, log_y))
    return [k for k in rule["off"] if np.max(series[k][1]) > rule["top"]]


def _output_overflows(result, data) -> bool:
    snap = snapshot(result.config, data, result.parameters)
    return not np.isfinite(snap["a_std"][-1])


def train_verdict(results, *, data, init: dict | None = None) -> str:
    """What the live runs show, from their numbers: the ranking by final cost; each diverged
    run as the table counts it (``claims.ended``), where its curve went and why its panel is
    grey; and the first layer that stayed at its random start, only where it did."""
    results = list(results)
    text = claims.comparison(results, what="final cost")
    off_chart = leaves_chart(results, log_y=True)
    for label, r in results:
        if r.status != "diverged":
            continue
        cost = np.asarray(r.history["cost"], dtype=float)
        finite = cost[np.isfinite(cost)]
        went = (f" {label}'s cost went from {claims.number(float(finite[0]), 2)} to "
                f"{claims.number(float(finite[-1]), 2)} before it became NaN"
                if finite.size > 1 else f" {label}'s cost was never finite")
        text += went
        if label in off_chart:
            text += (": the cost chart keeps to the others' range, and its curve leaves it at "
                     "the top (▲)")
        text += "."
        if _output_overflows(r, data):
            text += (" Its boundary panel is grey: with weights this large the network's output "
                     "overflows, so it has no boundary to draw.")
    moved = {label: first_layer_moved(r) for label, r in results if r.status != "diverged"}
    still = [k for k, v in moved.items() if np.isfinite(v) and v < STILL]
    if moved:
        text += (" The first layer's weights moved from their random start by "
                 + ", ".join(f"{k} {claims.number(100 * v, 2)}%" for k, v in moved.items())
                 + ".")
    if still:
        grads = ""
        if init and all(k in init for k in still):
            grads = " (‖dW1‖ at the start: " + ", ".join(
                f"{k} {claims.number(float(init[k]['grad_norm'][0]), 2)}" for k in still) + ")"
        text += (f" {claims.join(still)} barely moved{grads}: a gradient this small leaves "
                 "the first layers at their random start.")
    return text


def trained_stats_view(results, data) -> None:
    """The per-layer statistics of the trained runs: a diverged run is left out of the charts
    and the table, and the page says so with the table's epoch count."""
    shown = {label: r for label, r in results if r.status != "diverged"}
    left = [(label, r) for label, r in results if r.status == "diverged"]
    if left:
        st.markdown(" ".join(f"**{label}** {claims.ended(r)}, its largest weight at "
                             f"{claims.number(largest_weight(r), 2)}: left out of the "
                             "statistics below, which would only measure its overflow."
                             for label, r in left))
    if not shown:
        return
    reached = sorted({r.epochs_run for r in shown.values()})
    when = (f"after {reached[0]} epochs" if len(reached) == 1
            else f"after {reached[0]} to {reached[-1]} epochs")
    stats_view({label: snapshot(r.config, data, r.parameters) if label in shown else None
                for label, r in results}, when=when)


def linear_chain_section(depth: int) -> dict:
    """The lecture's deep linear network ``W^[l] = s I`` for s in ``LINEAR_SCALES``: the chart
    of the output size per layer, and the values at ``depth``. Returns ``{label: values}``."""
    curves = {f"W = {s:g}·I": diagnostics.linear_chain_output(depth, s) for s in LINEAR_SCALES}
    st.vega_lite_chart(chart_spec(viz.layer_stats_chart, curves,
                                  y_title="size of the output (log scale)",
                                  title="Deep linear network: size after each layer"),
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
        y_title="gradient norm ‖dW‖ (log scale)",
        title=f"Gradient norm at initialization, {depth} hidden layers"),
        width="stretch")
    st.markdown(activations_verdict(snaps))
    return snaps
