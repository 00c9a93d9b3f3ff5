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
        rows.append({"inputs": case, "λ_min": s["lambda_min"], "λ_max": s["lambda_max"],
                     "λ_max / λ_min": s["lambda_max"] / s["lambda_min"],
                     "largest stable α = 2/λ_max": s["alpha_max"], "α used": s["alpha"],
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
            out[f"{case}, {f:g} × 2/λ_max"] = (np.arange(gap.size), gap)
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
