"""Glue of the "Regularization" page: the four variants, their verdict, the train-dev gap and
the weight sizes, each trained with :func:`nnlab.app.train_cached` (the dropout masks and
early stopping: :mod:`nnlab.app.regularization_sections`).

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
from nnlab.app.live import mode_key
from nnlab.app.runs import train_many
from nnlab.config import TrainConfig
from nnlab.core.train import TrainResult
from nnlab.lessons import claims
from nnlab.lessons import dropout_replay as regularization
from nnlab.lessons.fit_diagnosis import DEFAULT_THRESHOLD
from nnlab.viz.regularization import accuracy_gap_chart, cost_panels_chart

#: The page's base config: overfits the football lookalike in about 0.2 s per run.
BASE = TrainConfig(dataset="football", hidden_units=(20, 3), optimizer="adam",
                   learning_rate=0.01, num_epochs=2000)
DEFAULT_PATIENCE = 100

NONE, L2, BOTH = "none", "L2", "L2 + dropout"
#: The page's live view (its key), whose runs the sections below the picture describe.
LIVE_KEY = "reg_live"
#: A train-dev gap at least this large is high variance (the diagnosis page's threshold).
GAP_THRESHOLD = DEFAULT_THRESHOLD


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


def train_dev_gap(result) -> float:
    return float(result.metrics["train_accuracy"] - result.metrics["dev_accuracy"])


def points(x: float) -> str:
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
             "Train − dev gap: " + ", ".join(f"{label} {points(train_dev_gap(r))}"
                                             for label, r in results) + "."]
    g0 = train_dev_gap(plain)
    if not np.isfinite(g0) or not others:
        return " ".join(parts)
    if g0 < GAP_THRESHOLD:
        parts.append(f"Here {plain_label}'s train − dev gap is only {points(g0)}: little "
                     "variance for regularization to fix. More epochs, a larger network or "
                     "fewer examples: does it overfit then?")
        return " ".join(parts)
    text = (f"Without regularization the network fits the training set {100 * g0:.1f} points "
            "better than the dev set: high variance.")
    closers = [label for label, r in others
               if np.isfinite(train_dev_gap(r)) and train_dev_gap(r) < g0 / 2]
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
        # the chart's own description (not alt=, which Streamlit warns about, with a stack,
        # over a spec that has one): each variant's two bars, not their sum
        spec = chart_spec(accuracy_gap_chart, rows, title="Train vs dev accuracy")
        spec["description"] = "Train and dev accuracy per variant: " + "; ".join(
            f"{k} {v[0]:.3f} and {v[1]:.3f}" for k, v in rows.items()) + "."
        st.vega_lite_chart(spec, width="stretch")
    with right:
        curves = cost_curves(results)
        with st.container(horizontal=True, wrap=False):  # scrolls in its box on a phone
            spec = chart_spec(cost_panels_chart, curves,
                              title="Training and dev cost, one panel each")
            spec["description"] = (
                "Training and dev cost per epoch, one panel per variant: "
                + "; ".join(f"{label} ends at {claims.number(r.final_cost)} (training) and "
                            f"{claims.number(r.metrics['dev_cost'])} (dev)"
                            for label, r in results) + ".")
            st.vega_lite_chart(spec)


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
                                      title=f"Every weight, {when}"), width="content")
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
