"""Glue of the "Batch norm" page: runs with parameter snapshots, pre-activations, test-time
statistics.

:func:`train_snapshots` is ``train_cached`` plus copies of the parameters at a few epochs
(taken from ``train``'s ``on_epoch`` callback), so the page can draw how the hidden
pre-activations evolve. The numbers (pre-activations, tiny-batch predictions) come from
``nnlab.spec.model.forward`` on those parameters; nothing here re-implements the network.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nnlab.app.runs import Work, cached_work, register_run
from nnlab.config import TrainConfig
from nnlab.core.budget import estimate_seconds, expected_train_size
from nnlab.core.train import TrainResult, make_dataset, predict_options, train
from nnlab.lessons import claims
from nnlab.spec import model
from nnlab.spec.initializers import initialize_parameters

#: The deeper network of the page: five hidden layers of 10 ReLU units, mini-batches of 64.
BASE = TrainConfig(dataset="moons", n_samples=300, hidden_units=(10,) * 5, num_epochs=100,
                   mini_batch_size=64, learning_rate=0.1)
DEFAULT_RATES = (0.1, 1.0, 3.0)
RATE_CHOICES = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
EPOCH_CHOICES = (30, 50, 100, 200, 300)
MAX_LAYERS = 8
MAX_UNITS = 32
#: Fractions of the run at which the parameters are kept (0 is before any update).
SNAPSHOT_FRACTIONS = (0.0, 0.1, 0.3, 1.0)
TINY_BATCHES = (1, 2, 4, 8, 16)


def snapshot_epochs(num_epochs: int) -> tuple[int, ...]:
    """Epochs whose end-of-epoch parameters are kept (``-1`` means the initial ones)."""
    out = [-1] + [max(0, int(round(f * num_epochs)) - 1) for f in SNAPSHOT_FRACTIONS[1:]]
    return tuple(dict.fromkeys(out))


def _copy(parameters: dict) -> dict:
    return {k: np.array(v, copy=True) for k, v in parameters.items()}


@cached_work(max_entries=64)
def _train_snapshots(work: Work, config: TrainConfig, _label: str = ""):
    """``(TrainResult, {epoch: parameters})``, with a progress bar."""
    work.require(estimate_seconds(config, expected_train_size(config)))
    work.part(0, 1, _label)
    keep = set(snapshot_epochs(config.num_epochs))
    snaps: dict[int, dict] = {}

    def on_epoch(info: dict) -> bool:
        if info["epoch"] in keep:
            snaps[info["epoch"]] = _copy(info["parameters"])
        return work.on_epoch(info)

    data = make_dataset(config)
    initial = initialize_parameters(config.layer_dims(data.n_x), config.initializer,
                                    scale=config.init_scale,
                                    rng=np.random.default_rng([config.seed, 0]),
                                    batch_norm=config.batch_norm)
    snaps[-1] = _copy(initial)
    result = train(config, data=data, parameters=initial, on_epoch=on_epoch, budget=work.budget)
    return result, snaps


def train_snapshots(config: TrainConfig, label: str) -> tuple[TrainResult, dict]:
    """Train (cached) and register ``config``; returns the result and its snapshots."""
    result, snaps = _train_snapshots(config, _label=label)
    register_run(result, label)
    return result, snaps


def variant_label(lr: float, batch_norm: bool) -> str:
    return f"{'BN' if batch_norm else 'plain'}, α={lr:g}"


def preactivations(config: TrainConfig, parameters: dict, X, layer: int) -> np.ndarray:
    """The input of layer ``layer``'s activation, ``(n_l, m)``: ``Z`` for a plain layer,
    ``gamma * Z_norm + beta`` for a batch-norm layer (normalized with the statistics of
    ``X`` itself, as in a training step)."""
    L = model.num_layers(parameters)
    if not 1 <= layer < L:
        raise ValueError(f"layer must be a hidden layer 1..{L - 1}, got {layer}")
    with np.errstate(all="ignore"):
        _, caches, _ = model.forward(X, parameters, hidden_activation=config.hidden_activation,
                                     output=config.output_activation,
                                     batch_norm=config.batch_norm, mode="train")
    return caches[layer - 1]["Z"]


def tiny_batch_accuracy(result: TrainResult, X, Y, batch_size: int) -> float:
    """Accuracy when every batch of ``batch_size`` consecutive examples is normalized with its
    own mean and variance (``mode="train"``) instead of the running averages."""
    batch_size = int(batch_size)
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    opts = predict_options(result.config, result.bn_state)
    opts.pop("bn_state")
    preds = []
    with np.errstate(all="ignore"):
        for start in range(0, X.shape[1], batch_size):
            AL, _, _ = model.forward(X[:, start:start + batch_size], result.parameters,
                                     mode="train", **opts)
            preds.append((AL > 0.5).astype(float) if AL.shape[0] == 1
                         else np.argmax(AL, 0)[None].astype(float))
    return model.accuracy(np.hstack(preds), Y)


def test_time_rows(result: TrainResult, data, sizes: Sequence[int] = TINY_BATCHES) -> list[dict]:
    """Test accuracy with the running averages, and with each batch's own statistics (rows
    with ``normalized with``, a ``short`` label and ``test accuracy``)."""
    X, Y = data.X_test, data.Y_test
    rows = [{"normalized with": "running averages (μ, σ² from training)",
             "short": "running avg.", "test accuracy": float(result.metrics["test_accuracy"])}]
    for b in sizes:
        rows.append({"normalized with": f"its own batch of {b}", "short": f"batch of {b}",
                     "test accuracy": tiny_batch_accuracy(result, X, Y, b)})
    rows.append({"normalized with": f"the whole test set as one batch ({X.shape[1]})",
                 "short": "whole test set",
                 "test accuracy": tiny_batch_accuracy(result, X, Y, X.shape[1])})
    return rows


def dev_curve(result: TrainResult) -> tuple[np.ndarray, np.ndarray]:
    """``(epochs, dev accuracy)`` at the evaluated epochs."""
    epoch, dev = result.history["epoch"], result.history["dev_accuracy"]
    keep = np.isfinite(dev)
    return epoch[keep], dev[keep]


def gamma_beta(parameters: dict, layer: int) -> tuple[dict, dict]:
    """``{"unit i": gamma_i}`` and ``{"unit i": beta_i}`` of a batch-norm layer."""
    g, b = parameters[f"gamma{layer}"].ravel(), parameters[f"beta{layer}"].ravel()
    return ({f"unit {i + 1}": float(v) for i, v in enumerate(g)},
            {f"unit {i + 1}": float(v) for i, v in enumerate(b)})


# ------------------------------------------------------------------ computed sentences
#: A dev-accuracy difference of at least this (5 points) separates plain from batch norm.
MARGIN = 0.05
#: The spread drifts "further" when its ratio end/start is this many times more extreme.
DRIFT_FACTOR = 1.5
#: ... or when its share below 0 moves by this much more (15 points).
ZERO_SHIFT = 0.15


def _acc(x: float) -> str:
    return "n/a" if not np.isfinite(x) else f"{x:.3f}"


def _side(result) -> str:
    """A run's dev accuracy as the table shows it, and how it ended if it did not finish."""
    text = _acc(float(result.metrics.get("dev_accuracy", np.nan)))
    return f"{text} ({claims.ended(result)})" if result.status in ("diverged", "stopped") else text


def separation(plain, norm) -> str:
    """``"batch norm"``, ``"plain"`` or ``"neither"``: which run of a pair is clearly better on
    the dev set (by :data:`MARGIN`, or because only the other one diverged)."""
    p_bad, b_bad = plain.status == "diverged", norm.status == "diverged"
    if p_bad != b_bad:
        return "plain" if b_bad else "batch norm"
    p = float(plain.metrics.get("dev_accuracy", np.nan))
    b = float(norm.metrics.get("dev_accuracy", np.nan))
    if not (np.isfinite(p) and np.isfinite(b)):
        return "neither"
    if b - p >= MARGIN:
        return "batch norm"
    if p - b >= MARGIN:
        return "plain"
    return "neither"


def grid_verdict(pairs) -> str:
    """What the grid shows: ``pairs`` is ``[(α, plain result, BN result), ...]``; the dev
    accuracy of each pair, which one is clearly better, and the lesson only where it holds."""
    tags = {"batch norm": "batch norm better", "plain": "plain better",
            "neither": f"less than {MARGIN * 100:.0f} points apart"}
    parts, better = [], {"batch norm": [], "plain": [], "neither": []}
    for lr, plain, norm in pairs:
        who = separation(plain, norm)
        better[who].append(lr)
        parts.append(f"α = {lr:g}: {_side(plain)} vs {_side(norm)} ({tags[who]})")
    text = "Dev accuracy, plain vs batch norm: " + "; ".join(parts) + "."
    rates = lambda lrs: claims.join([f"{v:g}" for v in lrs])  # noqa: E731
    if better["batch norm"]:
        text += (f" At α = {rates(better['batch norm'])} batch norm ends clearly better (by "
                 f"{MARGIN * 100:.0f} points or more, or it finished where the plain run "
                 "diverged): normalizing every layer keeps a large step from wrecking the "
                 "layers after it.")
    if better["plain"]:
        text += (f" At α = {rates(better['plain'])} the plain network ends clearly better: "
                 "batch norm does not help at every rate.")
    if not better["batch norm"] and not better["plain"]:
        text += (f" No learning rate here separates them by {MARGIN * 100:.0f} points or "
                 "more: try a larger one (3 or 10).")
    return text


def live_verdict(results) -> str:
    """The side-by-side runs ranked by dev accuracy (as the table under them shows it)."""
    return claims.comparison(results, "dev_accuracy", what="dev accuracy",
                             lower_is_better=False, fmt=_acc)


def spread(values) -> tuple[float, float]:
    """Standard deviation and share ``<= 0`` (where ReLU outputs 0) of the finite values;
    NaN when there are none."""
    a = np.asarray(values, float).ravel()
    a = a[np.isfinite(a)]
    if not a.size:
        return float("nan"), float("nan")
    return float(a.std()), float(np.mean(a <= 0))


def _ends(snapshots: dict) -> tuple[tuple[float, float], tuple[float, float]]:
    values = list(snapshots.values())
    return spread(values[0]), spread(values[-1])


def _drift(snapshots: dict) -> float:
    """How far the spread moves from the first panel to the last: |log10(std_last/std_0)|
    (the numbers the sentence shows)."""
    (s0, _), (s1, _) = _ends(snapshots)
    if not (np.isfinite(s0) and np.isfinite(s1) and s0 > 0 and s1 > 0):
        return float("inf")
    return float(abs(np.log10(s1 / s0)))


def histogram_verdict(plain: dict, norm: dict) -> str:
    """What the two stacks of histograms show (``{snapshot: values}`` of each network): the
    spread and the share below 0 at the first and last snapshot, and which one drifts."""
    def line(name, snaps):
        first, last = list(snaps.values())[0], list(snaps.values())[-1]
        (s0, z0), (s1, z1) = spread(first), spread(last)
        if not np.isfinite(s1):
            return f"{name} no finite values at the end"
        return (f"{name} {claims.number(s0)} → {claims.number(s1)} "
                f"(share ≤ 0: {claims.percent(z0)} → {claims.percent(z1)})")

    text = ("Standard deviation of the values, first → last panel: "
            f"{line('plain', plain)}; {line('batch norm', norm)}.")
    dp, db = _drift(plain), _drift(norm)
    zp, zb = _zero_shift(plain), _zero_shift(norm)
    lf = np.log10(DRIFT_FACTOR)
    # name the measure that moves (a sentence saying "spread, or share below 0" read as both
    # where only one moved, next to numbers showing the other moving the other way)
    plain_more = [m for m, more in (("spread", dp > db + lf),
                                    ("share below 0", zp > zb + ZERO_SHIFT)) if more]
    norm_more = [m for m, more in (("spread", db > dp + lf),
                                   ("share below 0", zb > zp + ZERO_SHIFT)) if more]
    if plain_more:
        text += (" Without batch norm the values drift further from where they started (their "
                 + " and their ".join(plain_more)
                 + (", where ReLU outputs 0" if "share below 0" in plain_more else "")
                 + "); with it each unit stays normalized to mean β and standard deviation γ.")
        if norm_more:
            text += (f" Batch norm's {' and '.join(norm_more)} moves more: γ and β are learned "
                     "and may move it.")
    elif norm_more:
        text += (" Here batch norm's values move more than the plain network's: γ and β are "
                 "learned and may move them.")
    else:
        text += (" Here both stay about where they started. Pick a larger rate to see the "
                 "plain network's values drift.")
    return text


def _zero_shift(snapshots: dict) -> float:
    """How far the share below 0 moves from the first panel to the last."""
    (_, z0), (_, z1) = _ends(snapshots)
    return float(abs(z1 - z0)) if np.isfinite(z0) and np.isfinite(z1) else 1.0


def inference_verdict(rows: list[dict], Y) -> str:
    """What the test-time table shows: the running averages against the batches normalized
    with their own statistics, and whether a batch of one predicts one class for all."""
    acc = {r["short"]: float(r["test accuracy"]) for r in rows}
    running = acc["running avg."]
    others = {k: v for k, v in acc.items() if k != "running avg."}
    best_other = max(others, key=others.get)
    if claims.about_equal(running, others[best_other], claims.ACCURACY_TIE):
        rank = f"about equal to the best other row ({best_other}, {others[best_other]:.3f})"
    elif running > others[best_other]:
        rank = "the highest of the table"
    else:
        rank = f"below {best_other} ({others[best_other]:.3f})"
    text = f"Here the running averages give test accuracy {running:.3f}, {rank}."
    one = acc.get("batch of 1")
    if one is not None:
        y = np.asarray(Y).ravel()
        shares = {int(c): float(np.mean(y == c)) for c in np.unique(y)}
        match = [c for c, s in shares.items() if abs(s - one) < 1e-9]
        if match:
            text += (f" A batch of one gives {one:.3f}, the share of class {match[0]} in the test "
                     "set: every example got the same prediction.")
        else:
            text += f" A batch of one gives {one:.3f}."
    return text
