"""The "Regularization" page's sections on dropout masks (fresh vs the course's fixed mask)
and early stopping, about the runs of the page's live view (:mod:`nnlab.app.regularization`)."""

from __future__ import annotations

import numpy as np
import streamlit as st

from nnlab import viz
from nnlab.app import bound
from nnlab.app.charts import chart_spec
from nnlab.app.compare import METRIC_COLUMNS, comparison_view, grid_safe, metrics_frame
from nnlab.app.regularization import (
    DEFAULT_PATIENCE,
    GAP_THRESHOLD,
    points,
    train_dev_gap,
    train_variants,
    waiting,
)
from nnlab.app.runs import Work, cached_work, train_cached
from nnlab.config import TrainConfig
from nnlab.core.train import TrainResult
from nnlab.lessons import claims
from nnlab.lessons import dropout_replay as regularization
from nnlab.viz.regularization import dropout_mask_chart

#: Gradient steps drawn in the dropout-mask picture.
MASK_STEPS = 40
#: A cost curve this many times as jumpy as another (mean |change| per epoch) is "noisier".
NOISE_FACTOR = 2.0
#: Two accuracy curves ending closer than this (one point) are drawn one over the other.
OVERLAP = 0.01


def masks_tab(results: list[tuple[str, TrainResult]], data) -> None:
    """The section "Dropout masks": why the course's mask is not dropout, then (with
    keep_prob < 1) :func:`dropout_mask_section` on the page's dropout variant."""
    st.markdown(
        "Dropout should draw a **new random mask at every step**: each step trains a different "
        "thinned network, so no unit can rely on any other one. The course's notebook resets "
        "NumPy's random seed to 1 inside `forward_propagation_with_dropout`, which runs at "
        "every iteration, so every iteration draws **the same mask**: each example always "
        "loses the same units. That trains one fixed, smaller sub-network per example. It still "
        "regularizes somewhat, but it is not dropout's averaging over many networks.")
    config = results[2][1].config
    if config.keep_prob < 1:
        dropout_mask_section(config, data)
    else:
        st.info("Set keep_prob below 1 to compare the two kinds of masks.",
                icon=":material/info:")


def early_stopping_tab(results: list[tuple[str, TrainResult]], data) -> None:
    """The section "Early stopping": its patience and :func:`early_stopping_section` on the
    unregularized run."""
    patience = int(bound.number_input(
        "Patience (epochs without a better dev cost)", 1, 10_000, DEFAULT_PATIENCE, step=10,
        key="reg_patience",
        help="Training stops when the dev cost has not improved for this many epochs, and keeps "
             "the parameters of the best epoch."))
    early_stopping_section(results[0], patience, data)
    st.caption("Early stopping keeps the weights of the best dev cost. It mixes two jobs (fit "
               "the data, don't overfit) in one knob, which is why the course prefers L2 and "
               "training longer.")


@cached_work(max_entries=16)
def example_masks(work: Work, hidden_units: tuple, m: int, keep_prob: float, steps: int,
                  seed: int, example: int) -> tuple:
    """The layer-1 masks ``(steps, n_1)`` of one training example, with fresh masks and with
    the course's fixed mask (cached: replaying every layer's draws of a deep, wide network,
    as the training loop makes them, takes seconds, and the page reruns on every widget)."""
    return tuple(regularization.dropout_masks(hidden_units, m, keep_prob, steps,
                                              dropout_mask=mode, seed=seed)[:, :, example].copy()
                 for mode in ("fresh", "fixed"))


def dropout_mask_section(config: TrainConfig, data, *, example: int = 0,
                         steps: int = MASK_STEPS) -> list[tuple[str, TrainResult]]:
    """Fresh vs the course's fixed mask: the masks of one example, and both runs compared.

    ``config`` is the dropout variant (``keep_prob < 1``). Returns the two runs (none when the
    network has no hidden layer: dropout has no unit to drop, and the page says so).
    """
    if not config.hidden_units:
        st.info("Dropout drops hidden units, and this network has none (the hidden-units box "
                "is empty: logistic regression). Add a hidden layer to see the masks.",
                icon=":material/info:")
        return []
    m = data.X_train.shape[1]
    masks = {name: mask for name, mask in zip(
        ("fresh mask every step (true dropout)", "the course's fixed mask (re-seeded every step)"),
        example_masks(tuple(config.hidden_units), m, float(config.keep_prob), int(steps),
                      int(config.seed), int(example)), strict=True)}
    with st.container(horizontal=True, wrap=False):  # scrolls in its box on a phone
        st.vega_lite_chart(chart_spec(dropout_mask_chart, masks,
                                      title=f"Layer-1 units kept for training example "
                                            f"{example + 1}, step by step"), width="content")
    st.markdown(mask_text(*masks.values()))
    runs = [("fresh mask", config.replace(dropout_mask="fresh")),
            ("fixed mask (course)", config.replace(dropout_mask="fixed"))]
    results = train_variants(runs)
    comparison_view(results, data, columns=2)
    st.markdown(mask_runs_text(results))
    return results


def mask_text(fresh: np.ndarray, fixed: np.ndarray) -> str:
    """What the two mask pictures show (``(steps, units)`` booleans, True = kept): at how many
    steps each mask differs from the step before."""
    def changes(mask):
        return int(np.sum(np.any(mask[1:] != mask[:-1], axis=1)))

    n = fresh.shape[0] - 1
    text = (f"Above: the fresh mask differs from the step before at {changes(fresh)} of the "
            f"{n} steps after the first (left)")
    if changes(fixed) == 0:
        text += ("; the course's mask drops the same units at every step (horizontal stripes, "
                 "right).")
    else:
        text += f"; the course's mask at {changes(fixed)} of them (right)."
    return text


def _jumpiness(result) -> float:
    """Mean |change| of the training cost per epoch over the run's second half."""
    c = result.history["cost"]
    c = c[np.isfinite(c)][len(c) // 2:]
    return float(np.mean(np.abs(np.diff(c)))) if c.size > 1 else float("nan")


def mask_runs_text(results) -> str:
    """The fresh-mask and fixed-mask runs compared, from their numbers: final training cost,
    how jumpy their cost curves are, their train-dev gaps and dev accuracies."""
    (fresh_label, fresh), (fixed_label, fixed) = results
    parts = ["Below: both runs with the same keep_prob. "
             + claims.comparison(results, what="final training cost")]
    jf, jx = _jumpiness(fresh), _jumpiness(fixed)
    if np.isfinite(jf) and np.isfinite(jx) and jf > NOISE_FACTOR * jx:
        parts.append(f"The fresh mask's cost jumps {jf / jx:.3g} times as much from epoch to "
                     "epoch: every step trains a different thinned network.")
    elif np.isfinite(jf) and np.isfinite(jx) and jx > NOISE_FACTOR * jf:
        parts.append(f"Here the fixed mask's cost jumps {jx / jf:.3g} times as much from epoch "
                     "to epoch as the fresh mask's.")
    if claims.beats(results, [fixed_label], [fresh_label]):
        parts.append("The fixed mask trains one ordinary, smaller network per example, and its "
                     "cost falls lower.")
    gf, gx = train_dev_gap(fresh), train_dev_gap(fixed)
    if np.isfinite(gf) and np.isfinite(gx):
        gaps = f"Train − dev gap: {fresh_label} {points(gf)}, {fixed_label} {points(gx)}"
        if gx - gf >= GAP_THRESHOLD:
            gaps += ": the fixed mask fits the noise of the training set more."
        elif gf - gx >= GAP_THRESHOLD:
            gaps += ": here the fresh mask leaves the larger gap."
        else:
            gaps += ": about the same here."
        parts.append(gaps)
    dev = [claims.figure_of(r, "dev_accuracy") for _, r in results]
    if all(np.isfinite(dev)) and abs(dev[0] - dev[1]) < OVERLAP:
        parts.append(f"Their dev accuracies end less than a point apart ({claims.percent(dev[0])} "
                     f"and {claims.percent(dev[1])}), one curve over the other in the chart: "
                     "click a name in its legend to see one alone.")
    return " ".join(parts)


def overfit_text(label: str, full: TrainResult) -> str:
    """What the unregularized run's two cost curves show, from its history: where the dev cost
    is lowest, where it ends, and what the training cost does meanwhile."""
    h = full.history
    keep = np.isfinite(h["dev_cost"]) & np.isfinite(h["cost"])
    if not keep.any():
        return ""
    epochs, train, dev = h["epoch"][keep], h["cost"][keep], h["dev_cost"][keep]
    i = int(np.argmin(dev))
    step = np.diff(epochs)
    every = (f" (computed every {int(step[0])} epochs)" if step.size and step[0] > 1
             and np.all(step[:-1] == step[0]) else "")
    text = (f"{label}: the dev cost{every} is lowest, {claims.number(dev[i])}, at epoch "
            f"{int(epochs[i])}, and ends at {claims.number(dev[-1])}")
    falls = train[-1] < train[i] and not claims.about_equal(train[-1], train[i])
    rises = dev[-1] > dev[i] and not claims.about_equal(dev[-1], dev[i])
    if rises and falls:
        text += (f", while the training cost keeps falling (from {claims.number(train[i])} to "
                 f"{claims.number(train[-1])}): from epoch {int(epochs[i])} on the network "
                 "learns the noise of its training set.")
    elif rises:
        text += ": the dev cost turns up after its best epoch."
    else:
        text += (": the dev cost does not turn up here, so early stopping has little to gain. "
                 "More epochs or a larger network: does it then?")
    return text


def early_stopping_section(plain: tuple[str, TrainResult], patience: int, data
                           ) -> TrainResult | None:
    """Dev cost of the unregularized run with the early-stopping point marked; the metrics of
    the run stopped by ``patience`` next to the one trained to the end. Returns the stopped
    run (None while the live run has not reached its end: the comparison needs it)."""
    label, full = plain
    if waiting([plain], "the early-stopping comparison"):
        return None
    if full.status == "running":
        st.info(f"The comparison needs {label} trained to the end (it is at epoch "
                f"{full.epochs_run} of {full.config.num_epochs}): press Finish, or Play.",
                icon=":material/pause_circle:")
        return None
    stopped = train_cached(full.config.replace(patience=patience), f"{label}, early stopping")
    h = full.history
    keep = np.isfinite(h["dev_cost"])
    series = {"training cost": (h["epoch"], h["cost"]),
              "dev cost": (h["epoch"][keep], h["dev_cost"][keep])}
    marks = {}
    if stopped.best_epoch is not None:
        marks[f"early stopping keeps epoch {stopped.best_epoch}"] = stopped.best_epoch
    st.vega_lite_chart(chart_spec(viz.curves_chart, series, y_title="cost", marks=marks or None,
                                  title=f"{label}: training and dev cost"), width="stretch")
    st.markdown(overfit_text(label, full))
    if stopped.status == "stopped":
        st.markdown(early_stop_text(stopped, patience))
    else:
        st.markdown(f"The dev cost kept improving (or never went {patience} epochs without "
                    "improving): early stopping did not trigger.")
    columns = dict(METRIC_COLUMNS, epochs=st.column_config.NumberColumn(
        "epochs", help=f"Epochs trained, counted from 1. The chart's epoch axis counts from 0: "
                       f"{stopped.epochs_run} epochs end at epoch {stopped.epochs_run - 1}."))
    st.dataframe(**grid_safe(metrics_frame([("trained to the end", full),
                                           ("early stopping", stopped)]), columns),
                 hide_index=True)
    return stopped


def early_stop_text(stopped: TrainResult, patience: int) -> str:
    """Why the early-stopped run ended, in the table's convention (epochs run, counted from
    1) with the chart's epoch numbers (counted from 0, as in the history) in brackets.

    The engine's message says "at epoch 308" (the index of the last epoch) while the table
    counts 309 epochs; this text says both, so they can't be read as disagreeing."""
    h = stopped.history
    last = int(h["epoch"][-1])
    text = (f"Early stopping ended the run after **{stopped.epochs_run} epochs** (at epoch "
            f"{last} on the chart, which counts from 0): the dev cost had not improved for "
            f"{patience} epochs.")
    best = stopped.best_epoch
    if best is not None:
        at = np.flatnonzero(h["epoch"] == best)
        dev = float(h["dev_cost"][at[0]]) if at.size else float("nan")
        text += (f" It kept the parameters of epoch {best} (the dashed vertical line, dev cost "
                 f"{dev:.4f}; early stopping checks the dev cost every epoch, so its best "
                 "epoch may fall between two points of the dev curve drawn above): "
                 f"its accuracies in the table are those of epoch {best}, its final "
                 f"cost is the training cost of epoch {last}.")
    return text
