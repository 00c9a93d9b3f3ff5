"""Glue of the "Regularization" page: the four variants, weight sizes, dropout masks and early
stopping, each trained with :func:`nnlab.app.train_cached`.

The default setting (Adam, α = 0.01, 2,000 epochs on the football lookalike with a
[2, 20, 3, 1] network) overfits in a fraction of a second per run; the assignment's own
setting (gradient descent, α = 0.3, 30,000 epochs) is offered behind a checkbox.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import streamlit as st

from nnlab import viz
from nnlab.app.charts import chart_spec
from nnlab.app.compare import METRIC_COLUMNS, comparison_view, grid_safe, metrics_frame
from nnlab.app.live import mode_key
from nnlab.app.runs import Work, cached_work, train_cached, train_many
from nnlab.config import TrainConfig
from nnlab.core.train import TrainResult
from nnlab.lessons import claims
from nnlab.lessons import dropout_replay as regularization
from nnlab.lessons.fit_diagnosis import DEFAULT_THRESHOLD
from nnlab.viz.regularization import accuracy_gap_chart, cost_panels_chart, dropout_mask_chart

#: The page's base config: overfits the football lookalike in about 0.2 s per run.
BASE = TrainConfig(dataset="football", hidden_units=(20, 3), optimizer="adam",
                   learning_rate=0.01, num_epochs=2000)
#: Gradient steps drawn in the dropout-mask picture.
MASK_STEPS = 40
DEFAULT_PATIENCE = 100

NONE, L2, BOTH = "none", "L2", "L2 + dropout"
#: The page's live view (its key), whose runs the sections below the picture describe.
LIVE_KEY = "reg_live"
#: A train-dev gap at least this large is high variance (the diagnosis page's threshold).
GAP_THRESHOLD = DEFAULT_THRESHOLD
#: A cost curve this many times as jumpy as another (mean |change| per epoch) is "noisier".
NOISE_FACTOR = 2.0
#: Two accuracy curves ending closer than this (one point) are drawn one over the other.
OVERLAP = 0.01


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


def _gap(result) -> float:
    return float(result.metrics["train_accuracy"] - result.metrics["dev_accuracy"])


def _points(x: float) -> str:
    return f"{100 * x:+.1f} points"


def so_far(results) -> str:
    """"So far (epoch e of n): " while a run is still going, else ""."""
    going = [r for _, r in results if r.status == "running"]
    if not going:
        return ""
    return (f"So far (epoch {min(int(r.epochs_run) for r in going)} of "
            f"{max(int(r.config.num_epochs) for r in going)}): ")


def waiting(results, what: str, *, key: str = LIVE_KEY) -> bool:
    """While the live view plays, the sections below its picture would be a frame behind it:
    say so (naming ``what`` waits) and return True; else False."""
    playing = st.session_state.get(mode_key(SimpleNamespace(key=key))) == "Play"
    if not (playing and so_far(results)):
        return False
    st.info(f"Training: {what} appear(s) here when the runs end, or for the epoch reached when "
            "you pause. The sentence under the picture follows them meanwhile.",
            icon=":material/hourglass_top:")
    return True


def verdict(results: list[tuple[str, TrainResult]]) -> str:
    """What the four variants show, from their numbers (the live view's ``verdict``): the
    ranking by dev accuracy, every train-dev gap, and the lecture's lesson (regularization
    closes the gap of an overfitting network and raises its dev accuracy) only as far as
    these runs show it."""
    results = list(results)
    (plain_label, plain), others = results[0], results[1:]
    parts = [claims.comparison(results, "dev_accuracy", what="dev accuracy",
                               lower_is_better=False, fmt=claims.percent),
             "Train − dev gap: " + ", ".join(f"{label} {_points(_gap(r))}"
                                             for label, r in results) + "."]
    g0 = _gap(plain)
    if not np.isfinite(g0) or not others:
        return " ".join(parts)
    if g0 < GAP_THRESHOLD:
        parts.append(f"Here {plain_label}'s train − dev gap is only {_points(g0)}: little "
                     "variance for regularization to fix. More epochs, a larger network or "
                     "fewer examples: does it overfit then?")
        return " ".join(parts)
    text = (f"Without regularization the network fits the training set {100 * g0:.1f} points "
            "better than the dev set: high variance.")
    closers = [label for label, r in others if np.isfinite(_gap(r)) and _gap(r) < g0 / 2]
    if not closers:
        parts.append(text + " Here no regularized variant closes even half of that gap: try a "
                     "larger λ or a smaller keep_prob.")
        return " ".join(parts)
    text += f" {claims.join(closers)} close{'s' if len(closers) == 1 else ''} at least half of it"
    higher = claims.beats(results, closers, [plain_label], "dev_accuracy",
                          lower_is_better=False)
    gave_up = claims.beats(results, [plain_label], closers, "train_accuracy",
                           lower_is_better=False)
    if higher and gave_up:
        text += (", giving up some training accuracy for a clearly higher dev accuracy: what "
                 "regularization is for.")
    elif higher:
        text += " and end with a clearly higher dev accuracy."
    else:
        text += (f", but without a clearly higher dev accuracy than {plain_label}: a smaller "
                 "gap alone is not a better model.")
    rest = [label for label, _ in others if label not in closers]
    if rest:
        text += (f" {claims.join(rest)} {'does' if len(rest) == 1 else 'do'} not: try a larger "
                 "λ or a smaller keep_prob.")
    parts.append(text)
    return " ".join(parts)


def cost_curves(results) -> dict:
    """Variant label -> ``{"training cost": (x, y), "dev cost": (x, y)}`` (finite points)."""
    out = {}
    for label, r in results:
        h = r.history
        out[label] = {name: (h["epoch"][np.isfinite(h[column])], h[column][np.isfinite(h[column])])
                      for name, column in (("training cost", "cost"), ("dev cost", "dev_cost"))}
    return out


def gap_section(results: list[tuple[str, TrainResult]]) -> None:
    """Bars of train vs dev accuracy with the gap, and each variant's training and dev cost in
    a panel of its own (in the live chart above, the dropout runs' noisy training cost hides
    L2's curve). The sentence about them is the live view's :func:`verdict`."""
    if waiting(results, "the accuracy bars and the cost panels"):
        return
    left, right = st.columns(2)
    with left:
        rows = gap_rows(results)
        st.vega_lite_chart(chart_spec(accuracy_gap_chart, rows, title="Train vs dev accuracy"),
                           width="stretch", alt="Train and dev accuracy per variant: " + "; ".join(
                               f"{k} {v[0]:.3f} and {v[1]:.3f}" for k, v in rows.items()) + ".")
    with right:
        curves = cost_curves(results)
        with st.container(horizontal=True, wrap=False):  # scrolls in its box on a phone
            st.vega_lite_chart(chart_spec(cost_panels_chart, curves,
                                          title="Training and dev cost, one panel each"),
                               alt="Training and dev cost per epoch, one panel per variant: "
                                   + "; ".join(f"{label} ends at {claims.number(r.final_cost)} "
                                               "(training) and "
                                               f"{claims.number(r.metrics['dev_cost'])}"
                                               " (dev)" for label, r in results) + ".")


def sum_of_squares(result) -> float:
    """Σ W² over every layer of ``result``'s parameters."""
    return float(np.sum(regularization.weight_norms(result.parameters) ** 2))


def weights_text(results) -> str:
    """Σ W² of every variant, and whether the L2 variants end with clearly smaller weights."""
    text = claims.comparison(results, sum_of_squares, what="Σ W²", fmt=claims.number)
    l2 = [label for label, r in results if r.config.lambd > 0]
    plain = [label for label, r in results if r.config.lambd == 0]
    if not (l2 and plain):
        return text
    if claims.beats(results, l2, plain, sum_of_squares):
        ratio = (min(sum_of_squares(r) for label, r in results if label in plain)
                 / max(sum_of_squares(r) for label, r in results if label in l2))
        return (f"{text} {claims.join(l2)} end with a Σ W² at least {ratio:.2g} times smaller "
                f"than {claims.join(plain)}: small weights keep z small, where each unit is "
                "nearly linear, so the network can't bend its boundary around single noisy "
                "points.")
    return (f"{text} Here L2 does not leave clearly smaller weights than "
            f"{claims.join(plain)}: a larger λ pulls harder.")


def weights_section(results: list[tuple[str, TrainResult]]) -> None:
    """Histograms of every weight per variant, ``||W^[l]||`` per layer and what they show."""
    if waiting(results, "the weights"):
        return
    prefix = so_far(results)
    going = [int(r.epochs_run) for _, r in results if r.status == "running"]
    when = f"at epoch {min(going)}" if going else "after training"
    values = {label: regularization.weight_values(r.parameters) for label, r in results}
    with st.container(horizontal=True, wrap=False):  # scrolls in its box on a phone
        st.vega_lite_chart(chart_spec(viz.histograms_chart, values,
                                      title=f"All weights W^[l] {when}"), width="content")
    rows = []
    for label, r in results:
        norms = regularization.weight_norms(r.parameters)
        row = {"variant": label, "Σ W² (all layers)": float(np.sum(norms ** 2))}
        row.update({f"‖W{l}‖": float(n) for l, n in enumerate(norms, start=1)})
        rows.append(row)
    st.dataframe(rows, hide_index=True)
    st.caption("L2 adds λ/(2m)·Σ‖W‖² to the cost, so every step also pulls each weight towards "
               "0 (\"weight decay\").")
    st.markdown((f"**{prefix.strip()}** " if prefix else "") + weights_text(results))


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
    gf, gx = _gap(fresh), _gap(fixed)
    if np.isfinite(gf) and np.isfinite(gx):
        gaps = f"Train − dev gap: {fresh_label} {_points(gf)}, {fixed_label} {_points(gx)}"
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
                 f"{dev:.4f}): its accuracies in the table are those of epoch {best}, its final "
                 f"cost is the training cost of epoch {last}.")
    return text
