"""Glue of the "Regularization" page: the four variants, weight sizes, dropout masks and early
stopping, each trained with :func:`nnlab.app.train_cached`.

The default setting (Adam, α = 0.01, 2,000 epochs on the football lookalike with a
[2, 20, 3, 1] network) overfits in a fraction of a second per run; the assignment's own
setting (gradient descent, α = 0.3, 30,000 epochs) is offered behind a checkbox.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from nnlab import viz
from nnlab.app.charts import chart_spec
from nnlab.app.compare import METRIC_COLUMNS, comparison_view, grid_safe, metrics_frame
from nnlab.app.runs import Work, cached_work, train_cached, train_many
from nnlab.config import TrainConfig
from nnlab.core.train import TrainResult
from nnlab.lessons import dropout_replay as regularization
from nnlab.viz.regularization import accuracy_gap_chart, dropout_mask_chart

#: The page's base config: overfits the football lookalike in about 0.2 s per run.
BASE = TrainConfig(dataset="football", hidden_units=(20, 3), optimizer="adam",
                   learning_rate=0.01, num_epochs=2000)
#: Gradient steps drawn in the dropout-mask picture.
MASK_STEPS = 40
DEFAULT_PATIENCE = 100

NONE, L2, BOTH = "none", "L2", "L2 + dropout"


def variants(base: TrainConfig, lambd: float, keep_prob: float) -> list[tuple[str, TrainConfig]]:
    """The four variants: none, L2 (``lambd``), dropout (``keep_prob``, fresh masks), both.

    Labels stay short (``"none"``, ``"L2 λ=0.7"``, ``"keep_prob=0.86"``, ``"L2 + dropout"``) so
    that the charts' one-line legends show them whole."""
    plain = base.replace(lambd=0.0, keep_prob=1.0, dropout_mask="fresh", patience=None)
    return [
        (NONE, plain),
        (f"{L2} λ={lambd:g}", plain.replace(lambd=lambd)),
        (f"keep_prob={keep_prob:g}", plain.replace(keep_prob=keep_prob)),
        (BOTH, plain.replace(lambd=lambd, keep_prob=keep_prob)),
    ]


def train_variants(configs: list[tuple[str, TrainConfig]]) -> list[tuple[str, TrainResult]]:
    """Train (or fetch) every variant, in order."""
    return train_many(configs)


def gap_rows(results: list[tuple[str, TrainResult]]) -> dict:
    """Variant label -> (train accuracy, dev accuracy)."""
    return {label: (r.metrics["train_accuracy"], r.metrics["dev_accuracy"])
            for label, r in results}


def gap_section(results: list[tuple[str, TrainResult]]) -> None:
    """Bars of train vs dev accuracy with the gap, and what to look for."""
    st.vega_lite_chart(chart_spec(accuracy_gap_chart, gap_rows(results),
                                  title="Train vs dev accuracy"), width="stretch")
    plain = results[0][1].metrics
    gap = plain["train_accuracy"] - plain["dev_accuracy"]
    others = [r.metrics["train_accuracy"] - r.metrics["dev_accuracy"] for _, r in results[1:]]
    if np.isfinite(gap) and gap > 0.02:
        closed = np.nanmean(others) < gap / 2
        st.caption(f"Without regularization the network fits the training set "
                   f"{100 * gap:.1f} points better than the dev set: high variance. " + (
                       "The regularized variants give up a little training accuracy and close "
                       "most of that gap." if closed else
                       "Here the regularized variants barely close it: try a larger λ or a "
                       "smaller keep_prob."))
    else:
        st.caption("Here the unregularized network does not overfit much (small train-dev "
                   "gap): regularization has little to fix. More epochs, a larger network or "
                   "fewer examples make it overfit.")


def weights_section(results: list[tuple[str, TrainResult]]) -> None:
    """Histograms of every weight per variant, and ``||W^[l]||`` per layer."""
    values = {label: regularization.weight_values(r.parameters) for label, r in results}
    st.vega_lite_chart(chart_spec(viz.histograms_chart, values,
                                  title="All weights W^[l] after training"), width="content")
    rows = []
    for label, r in results:
        norms = regularization.weight_norms(r.parameters)
        row = {"variant": label, "Σ W² (all layers)": float(np.sum(norms ** 2))}
        row.update({f"‖W{l}‖": float(n) for l, n in enumerate(norms, start=1)})
        rows.append(row)
    st.dataframe(rows, hide_index=True)
    st.caption("L2 adds λ/(2m)·Σ‖W‖² to the cost, so every step also pulls each weight towards "
               "0 (\"weight decay\"): the L2 histograms are narrow and Σ W² is much smaller. "
               "Small weights keep z small, where each unit is nearly linear, so the network "
               "can't bend its boundary around single noisy points.")


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
    st.vega_lite_chart(chart_spec(dropout_mask_chart, masks,
                                  title=f"Layer-1 units kept for training example "
                                        f"{example + 1}, step by step"), width="content")
    runs = [("fresh mask", config.replace(dropout_mask="fresh")),
            ("fixed mask (course)", config.replace(dropout_mask="fixed"))]
    results = train_variants(runs)
    comparison_view(results, data, columns=2)
    return results


def early_stopping_section(plain: tuple[str, TrainResult], patience: int, data
                           ) -> TrainResult:
    """Dev cost of the unregularized run with the early-stopping point marked; the metrics of
    the run stopped by ``patience`` next to the one trained to the end. Returns the stopped
    run."""
    label, full = plain
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
    if stopped.status == "stopped":
        st.caption(early_stop_text(stopped, patience))
    else:
        st.caption(f"The dev cost kept improving (or never went {patience} epochs without "
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
        text += (f" It kept the parameters of epoch {best} (the dashed line, dev cost "
                 f"{dev:.4f}): its accuracies in the table are those of epoch {best}, its final "
                 f"cost is the training cost of epoch {last}.")
    return text
