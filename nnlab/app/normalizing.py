"""Glue of the "Normalizing inputs" page: cached surfaces, cached runs on rescaled data.

The engine is :mod:`nnlab.lessons.input_scaling` (least-squares cost in two weights, descent paths,
the largest
stable learning rate, rescaling a data set, normalizing a dev set three ways). Training on a
data set with a scaled feature can't be said with a ``TrainConfig`` alone, so
:func:`train_scaled` caches ``train(config, data=...)`` keyed by the config and the scales.
"""

from __future__ import annotations

import numpy as np

from nnlab.app.compare import result_grid
from nnlab.app.runs import Work, cached_work, register_run
from nnlab.config import TrainConfig
from nnlab.core.budget import estimate_seconds
from nnlab.core.train import TrainResult, make_dataset, train
from nnlab.lessons import claims
from nnlab.lessons import input_scaling as inputs
from nnlab.spec import model

#: Points per axis of the cost grid.
SURFACE_GRID = 60
#: The descent starts at ``w* + START_OFFSET`` in both cases; the box is ``w* +- BOX_HALF``.
START_OFFSET = (-2.0, 1.5)
BOX_HALF = 2.5
#: Multiples of ``2 / lambda_max`` run to show the stability limit.
STABILITY_FACTORS = (0.98, 1.02)
STABILITY_STEPS = 200
CASES = ("unnormalized", "normalized")
DEV_LABELS = {"train": "training μ, σ² (right)", "own": "the dev set's own μ, σ² (wrong)",
              "none": "not normalized (wrong)"}
#: The dev set choices of section 4; the shifted one is the default: drawn from the whole
#: split, a dev set has about the training set's μ and σ², and the wrong recipe can score as
#: well as the right one (1.000 both on xor), which shows nothing.
DEV_CHOICES = ("shifted: the 30% of dev examples with the largest x₁", "the whole dev split")
SHIFTED_FRACTION = 0.3
#: Names of the curvatures (plain text: chart titles and table headers can't show LaTeX).
LMIN, LMAX = "λₘᵢₙ", "λₘₐₓ"
#: A cost surface is "elongated" when its curvature ratio is above this.
ELONGATED = 10.0
#: Two features "spread alike" when their stds are within this factor.
SPREAD = 2.0


def scaled_data(config: TrainConfig, scale: float):
    """The config's data set with ``x2`` times ``scale``, normalized iff ``config.normalize``
    (with the training statistics)."""
    raw = make_dataset(config.replace(normalize=False))
    return inputs.rescale(raw, (1.0, float(scale)), normalize=config.normalize)


@cached_work(max_entries=64)
def _surfaces(work: Work, config: TrainConfig, scale: float, fraction: float, steps: int
              ) -> dict:
    """For each case (unnormalized, normalized): the cost grid around ``w*``, the descent path
    at ``fraction * 2/lambda_max``, the curvatures, and the J - J* curves just below and just
    above the stability limit."""
    out = {}
    for i, case in enumerate(CASES):
        work.progress(i / len(CASES), f"Cost surface, {case} inputs")
        data = scaled_data(config.replace(normalize=case == "normalized"), scale)
        X, y = data.X_train, data.Y_train
        w_star = inputs.minimizer(X, y)
        J_star = inputs.least_squares_cost(w_star, X, y)
        w1s = np.linspace(w_star[0] - BOX_HALF, w_star[0] + BOX_HALF, SURFACE_GRID)
        w2s = np.linspace(w_star[1] - BOX_HALF, w_star[1] + BOX_HALF, SURFACE_GRID)
        lo, hi = inputs.curvatures(X)
        alpha_max = inputs.max_stable_learning_rate(X)
        w0 = w_star + np.asarray(START_OFFSET)
        path = inputs.descent_path(X, y, w0, fraction * alpha_max, steps)
        stability = {f: inputs.descent_path(X, y, w0, f * alpha_max, STABILITY_STEPS)
                     for f in STABILITY_FACTORS}
        out[case] = {"w1s": w1s, "w2s": w2s, "Z": inputs.cost_grid(X, y, w1s, w2s),
                     "w_star": w_star, "J_star": J_star, "lambda_min": lo, "lambda_max": hi,
                     "alpha_max": alpha_max, "alpha": fraction * alpha_max, "path": path,
                     "stability": stability, "X": X}
    return out


def surfaces(config: TrainConfig, scale: float, fraction: float, steps: int) -> dict:
    """Cached :func:`_surfaces` (keyed by the arguments and the engine version)."""
    return _surfaces(config, float(scale), float(fraction), int(steps))


def steps_to_reach(path, w_star, tol) -> int | None:
    """First step at which ``||w - w*|| <= tol * ||w0 - w*||``, or None if never.

    The distance, not the cost: along a flat direction the cost is almost at J* long before
    w gets there, which would hide the slow walk along the valley."""
    w = np.asarray(path, dtype=float).reshape(-1, 2)
    dist = np.linalg.norm(w - np.asarray(w_star, dtype=float).reshape(1, 2), axis=1)
    hit = np.nonzero(dist <= tol * dist[0])[0]
    return int(hit[0]) if hit.size else None


def surface_table(surf: dict, tol: float = 1e-3):
    """One row per case: curvatures, condition number, 2/lambda_max, steps to converge."""
    import pandas as pd

    rows = []
    for case, s in surf.items():
        rows.append({"inputs": case, LMIN: s["lambda_min"], LMAX: s["lambda_max"],
                     f"{LMAX} / {LMIN}": s["lambda_max"] / s["lambda_min"],
                     f"largest stable α = 2 / {LMAX}": s["alpha_max"], "α used": s["alpha"],
                     f"steps to ‖w − w*‖ ≤ {tol:g}·‖w₀ − w*‖": _steps_text(
                         s["path"], s["w_star"], tol)})
    return pd.DataFrame(rows)


def _steps_text(path: dict, w_star, tol: float) -> str:
    n = steps_to_reach(path["path"], w_star, tol)
    if n is not None:
        return str(n)
    done = len(path["cost"]) - 1
    return f"diverged after {done}" if path["status"] == "diverged" else f"more than {done}"


def stability_series(surf: dict) -> dict:
    """``{label: (steps, J - J*)}`` for each case and factor (for a log-y curves chart)."""
    out = {}
    for case, s in surf.items():
        for f, p in s["stability"].items():
            gap = p["cost"] - s["J_star"]
            out[f"{case}, α = {f:g} × 2 / {LMAX}"] = (np.arange(gap.size), gap)
    return out


@cached_work
def _train_scaled(work: Work, config: TrainConfig, scale: float, _label: str = ""
                  ) -> TrainResult:
    data = scaled_data(config, scale)
    work.require(estimate_seconds(config, data.m_train, data.n_x))
    work.part(0, 1, _label)
    return train(config, data=data, on_epoch=work.on_epoch, budget=work.budget)


def train_scaled(config: TrainConfig, scale: float, label: str) -> TrainResult:
    """Train on the config's data with ``x2 * scale`` (normalized iff ``config.normalize``),
    cached on ``(config, scale)``, and register the run under ``label``."""
    result = _train_scaled(config, float(scale), _label=label)
    register_run(result, label)
    return result


def dev_check(result: TrainResult, config: TrainConfig, scale: float, shifted: float | None):
    """Dev accuracy of a network trained on normalized inputs, with the dev inputs prepared
    each way of ``inputs.DEV_NORMALIZATIONS``.

    ``shifted``: keep only that fraction of dev examples with the largest ``x1`` (None: all).
    Returns ``(rows, prepared)``: table rows and ``{how: (X_dev_prepared, Y_dev)}``.
    """
    raw = scaled_data(config.replace(normalize=False), scale)
    X_dev, Y_dev = raw.X_dev, raw.Y_dev
    if shifted is not None:
        X_dev, Y_dev = inputs.shifted_subset(X_dev, Y_dev, shifted, feature=0)
    train_data = scaled_data(config, scale)
    rows, prepared = [], {}
    for how in inputs.DEV_NORMALIZATIONS:
        Xp = inputs.normalize_dev(X_dev, train_data.mu, train_data.sigma2, how)
        prepared[how] = (Xp, Y_dev)
        rows.append({"dev inputs normalized with": DEV_LABELS[how], "dev examples": Y_dev.shape[1],
                     "dev accuracy": model.accuracy(result.predict(Xp), Y_dev)})
    return rows, prepared


def dev_panels(result: TrainResult, train_X, prepared: dict) -> list[dict]:
    """Boundary panels (normalized input space) with the dev points placed each way."""
    panels = []
    for how in ("train", "own"):
        Xp, Y = prepared[how]
        panel = result_grid(result, np.hstack([train_X, Xp]))
        panel.update(label=f"dev with {DEV_LABELS[how]}", X=Xp, Y=Y)
        panels.append(panel)
    return panels


# ------------------------------------------------------------------ sentences from the numbers


def features_sentence(raw_X, normed_X) -> str:
    """Section 1, from the training set shown: how much wider x₂ spreads than x₁, before and
    after normalizing."""
    sd, sd_n = raw_X.std(axis=1), normed_X.std(axis=1)
    mean_n = normed_X.mean(axis=1)
    ratio = spread_ratio(raw_X)
    text = (f"On the training set x₂ spreads {claims.number(ratio, 3)}× as wide as x₁ (std "
            f"{claims.number(sd[1], 3)} against {claims.number(sd[0], 3)})")
    text += ("; the left chart's axes are not equal, look at their numbers." if
             not 1 / SPREAD < ratio < SPREAD else ".")

    def tidy(x):  # 1e-17 is 0 in float arithmetic
        return claims.number(round(float(x), 9) + 0.0, 3)

    means, sds = [tidy(m) for m in mean_n], [tidy(v) for v in sd_n]
    if means[0] == means[1] and sds[0] == sds[1]:
        return text + f" After normalizing, both means are {means[0]} and both stds {sds[0]}."
    return text + (f" After normalizing, the means are {means[0]} and {means[1]} and the stds "
                   f"{sds[0]} and {sds[1]}.")


def spread_ratio(raw_X) -> float:
    """std of x₂ over std of x₁ on the (raw) training set."""
    sd = np.asarray(raw_X, dtype=float).std(axis=1)
    return float(sd[1] / sd[0])


def _narrow_axis(X) -> str:
    """The weight across which the valley is narrow: the largest component of the Hessian's
    top eigenvector."""
    H = X @ X.T / X.shape[1]
    _, vecs = np.linalg.eigh(H)
    return "w₂" if abs(vecs[1, -1]) > abs(vecs[0, -1]) else "w₁"


def surface_sentence(surf: dict, tol: float = 1e-3) -> str:
    """Section 2, from the surfaces and paths shown: each bowl's curvature ratio, the α it
    allows and the steps gradient descent took; the lecture's point only where they show it."""
    parts, steps = [], {}
    for case, s in surf.items():
        kappa = s["lambda_max"] / s["lambda_min"]
        steps[case] = steps_to_reach(s["path"]["path"], s["w_star"], tol)
        if steps[case] is not None:
            took = f"reached w* (within {tol:g} of the start's distance) in {steps[case]} steps"
        elif s["path"]["status"] == "diverged":
            took = f"{_steps_text(s['path'], s['w_star'], tol)} steps"
        else:
            took = f"took {_steps_text(s['path'], s['w_star'], tol)} steps without reaching w*"
        shape = (f"the contours are {claims.number(np.sqrt(kappa), 2)}× longer than wide"
                 if np.sqrt(kappa) >= 1.2 else "the contours are about round")
        parts.append(f"{case}, {LMAX} / {LMIN} = {claims.number(kappa, 3)}, so {shape}, and "
                     f"gradient descent at α = {claims.number(s['alpha'], 3)} {took}")
    text = "Here: " + "; ".join(parts) + "."
    raw, normed = surf["unnormalized"], surf["normalized"]
    k_raw = raw["lambda_max"] / raw["lambda_min"]
    k_norm = normed["lambda_max"] / normed["lambda_min"]
    slower = steps["unnormalized"] is None or (
        steps["normalized"] is not None and steps["unnormalized"] > steps["normalized"])
    if k_raw > ELONGATED and k_raw > 2 * k_norm and slower:
        return text + (f" Unnormalized, the valley is narrow across {_narrow_axis(raw['X'])}: α "
                       f"must stay below 2 / {LMAX} not to bounce out of it, and with that small "
                       "α the walk along the flat direction takes many steps. Normalizing makes "
                       "the bowl round, and a large α safe.")
    if k_raw <= ELONGATED:
        return text + (" At this scale the unnormalized bowl is not much elongated: raise the "
                       "scale of x₂ to see the valley.")
    return text + (" Here normalizing does not make gradient descent faster: compare the "
                   "steps with another learning-rate fraction.")


def stability_sentence(surf: dict) -> str:
    """The stability chart, from its curves: each run's gap J − J* at the start and at the end,
    and the rule α < 2 / λₘₐₓ stated as these runs show it."""
    verdicts, parts = {}, []
    for case, s in surf.items():
        for f, p in s["stability"].items():
            gap = p["cost"] - s["J_star"]
            verdicts[(case, f)] = "converges" if gap[-1] < gap[0] else "diverges"
            parts.append(f"{case} at {f:g} × 2 / {LMAX} {verdicts[(case, f)]} "
                         f"({claims.number(gap[0], 2)} → {claims.number(gap[-1], 2)} in "
                         f"{gap.size - 1} steps)")
    text = "; ".join(parts) + "."
    text = text[:1].upper() + text[1:]
    below = [v for (_, f), v in verdicts.items() if f < 1]
    above = [v for (_, f), v in verdicts.items() if f > 1]
    ratio = surf["normalized"]["alpha_max"] / surf["unnormalized"]["alpha_max"]
    if all(v == "converges" for v in below) and all(v == "diverges" for v in above):
        text += (f" Both cases obey the same rule: gradient descent multiplies the error along "
                 f"each eigenvector by (1 − αλ) every step, which shrinks it in every direction "
                 f"exactly when α < 2 / {LMAX}.")
    if ratio > 1.5:
        text += f" Normalizing makes 2 / {LMAX} {claims.number(ratio, 2)}× larger."
    elif ratio < 1 / 1.5:
        text += f" Here normalizing makes 2 / {LMAX} {claims.number(1 / ratio, 2)}× smaller."
    else:
        text += f" At this scale normalizing leaves 2 / {LMAX} about where it was."
    return text


def network_verdict(results, raw_X) -> str:
    """Section 3, from the two runs (raw first, normalized second) and the raw training
    inputs: final cost and dev accuracy, which one ends lower, and why only where the
    features' spreads differ."""
    text = claims.comparison(results, what="final cost")
    text += " " + claims.comparison(results, "dev_accuracy", what="dev accuracy",
                                    lower_is_better=False, fmt=claims.percent)
    labels = [label for label, _ in results]
    raw, normed = labels[0], labels[1]
    ratio = spread_ratio(raw_X)
    if claims.beats(results, [normed], [raw]) and not 1 / SPREAD < ratio < SPREAD:
        text += (f" Normalized inputs end with the lower cost: with x₂ "
                 f"{claims.number(ratio, 3)}× as wide as x₁, one learning rate can't suit "
                 "every weight of the raw run.")
    elif claims.beats(results, [normed], [raw]):
        sd = np.asarray(raw_X, dtype=float).std(axis=1)
        text += (f" Normalized inputs end lower here although x₁ and x₂ spread alike: "
                 f"normalizing also brings both stds to 1 (from {claims.number(sd[0], 2)} and "
                 f"{claims.number(sd[1], 2)}), which changes what one step of α does.")
    elif claims.beats(results, [raw], [normed]):
        text += " Here the raw run ends lower: at this scale and learning rate it is not hurt."
    else:
        text += " Here both runs end about the same: raise the scale of x₂ to see them part."
    return text


def dev_sentence(rows: list[dict], prepared: dict, train_mu, train_sigma2) -> str:
    """Section 4, from the table shown: each recipe's dev accuracy, how far the wrong recipe
    moved the points, and the lesson only where the accuracies show it (else what hides it)."""
    acc = {row["dev inputs normalized with"]: row["dev accuracy"] for row in rows}
    right, own = acc[DEV_LABELS["train"]], acc[DEV_LABELS["own"]]
    none = acc[DEV_LABELS["none"]]
    n = rows[0]["dev examples"]
    moved = np.linalg.norm(prepared["own"][0] - prepared["train"][0], axis=0).mean()
    X_dev_raw = prepared["none"][0]
    shift = np.abs(X_dev_raw.mean(axis=1, keepdims=True) - train_mu) / np.sqrt(train_sigma2)
    text = (f"On these {n} dev examples: the training μ and σ² give "
            f"{claims.percent(right)}, the dev set's own {claims.percent(own)}, raw inputs "
            f"{claims.percent(none)}. The dev set's own statistics moved its points by "
            f"{claims.number(moved, 2)} on average (normalized units): its mean is "
            f"{claims.number(float(shift.max()), 2)} training σ away from the training mean.")
    tie = claims.ACCURACY_TIE
    if right > own + tie:
        text += (f" Normalized with its own statistics, the dev set is re-centred onto the "
                 f"training cloud and its points land in the wrong place: "
                 f"{100 * (right - own):.1f} points of accuracy lost. Compute μ and σ² once, "
                 "on the training set, and reuse them everywhere.")
    elif own > right + tie:
        text += (" Here the dev set's own statistics happen to score higher: that is luck of "
                 "this split, not a recipe (the test set would get other statistics again).")
    else:
        text += (" Here both recipes score the same: this dev set has about the training set's "
                 "μ and σ², so the wrong recipe barely moves it. A dev set unlike the training "
                 "set (the shifted one) shows the difference.")
    if right > none + tie:
        text += (" Raw dev inputs are not normalized at all: the network sees them in other "
                 "units than it was trained on.")
    return text
