"""The "Hyperparameter search" page's knobs, tables, charts and sentences.

The knobs a learner can search, each on the scale the course samples it on; the trials
table and the scatter charts of the trials; the sentences under them, each computed from the
trials shown. Running the trials (cached), coarse to fine and the panda model are
``nnlab.app.search_trials``.
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

from nnlab.config import TrainConfig
from nnlab.lessons import claims, search
from nnlab.viz import scatter_trials_chart

#: The knobs a learner can search, each on the scale the course samples it on.
KNOBS = {
    "learning_rate": search.LogUniform("learning_rate", 1e-3, 10.0),
    "beta": search.OneMinusLog("beta", 0.9, 0.999),
    "units": search.IntRange("units", 2, 32),
    "layers": search.IntRange("layers", 1, 4),
    "keep_prob": search.Linear("keep_prob", 0.5, 1.0),
    "lambd": search.LogUniform("lambd", 1e-4, 1e-1),
    "mini_batch_size": search.PowerOfTwo("mini_batch_size", 16, 256),
}
KNOB_LABELS = {
    "learning_rate": "learning rate α (log scale)",
    "beta": "momentum β (1 − β on a log scale)",
    "units": "hidden units per layer (integer)",
    "layers": "hidden layers (integer)",
    "keep_prob": "dropout keep_prob (linear)",
    "lambd": "L2 λ (log scale)",
    "mini_batch_size": "mini-batch size (powers of two)",
}
#: Short names of the knobs in sentences and on chart axes.
SHORT = {"learning_rate": "α", "beta": "β", "units": "hidden units", "layers": "hidden layers",
         "keep_prob": "keep_prob", "lambd": "λ", "mini_batch_size": "mini-batch size",
         "1 - beta": "1 − β"}
#: Axis titles of the trials charts.
AXIS_TITLES = {"learning_rate": "learning rate α", "1 - beta": "1 − β (momentum)",
               "units": "hidden units", "layers": "hidden layers", "keep_prob": "keep_prob",
               "lambd": "L2 λ", "mini_batch_size": "mini-batch size",
               "dev_accuracy": "dev accuracy"}
SCALE_TEXT = {
    "log10": "log-uniform: r uniform on [log₁₀ low, log₁₀ high], value 10ʳ",
    "one_minus_log10": "1 − β log-uniform: r uniform on [−log₁₀(1 − low), −log₁₀(1 − high)], "
                       "β = 1 − 10⁻ʳ",
    "linear": "uniform",
    "log2": "power of two: 2ᵉ, e uniform on the integers",
}
#: A knob "matters much more" than another when it moves the grid's mean dev accuracy by at
#: least this many times as much.
DOMINANT = 3.0
DEFAULT_KNOBS = ("learning_rate", "lambd")
BUDGETS = (4, 9, 16, 25, 36, 49, 64)
DEFAULT_BUDGET = 9
EPOCH_CHOICES = (50, 100, 150, 300)
DATASETS = ("moons", "circles", "xor")
#: The network every trial starts from (the search changes only the chosen knobs).
BASE = TrainConfig(dataset="moons", n_samples=400, hidden_units=(8,), num_epochs=150,
                   learning_rate=0.01)
MAX_ZOOM = 3
ZOOM_TOP = 0.25  # zoom keeps the range of the best quarter of the trials
PANDA_SEGMENT = 50  # epochs per "day" of the hand-tended model
PANDA_MAX_DAYS = 10
PANDA_RATES = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
#: The α of the panda's first day, and of its slider: one default for both (the slider once
#: showed 0.3 beside a first day trained at 0.01).
PANDA_START = 0.3


# ------------------------------------------------------------- the knobs, tables and charts


def make_space(knobs: Sequence[str]) -> search.SearchSpace:
    """The search space of the chosen knobs (in :data:`KNOBS` order)."""
    unknown = [k for k in knobs if k not in KNOBS]
    if unknown or not knobs:
        raise ValueError(f"knobs must be a non-empty subset of {tuple(KNOBS)}, got {knobs!r}")
    return search.SearchSpace(tuple(KNOBS[k] for k in KNOBS if k in knobs))


def base_config(dataset: str, num_epochs: int, knobs: Sequence[str]) -> TrainConfig:
    """The base network; searching ``beta`` switches the optimizer to momentum (plain
    gradient descent has no beta)."""
    return BASE.replace(dataset=dataset, num_epochs=int(num_epochs),
                        optimizer="momentum" if "beta" in knobs else "gd")


def space_frame(space: search.SearchSpace) -> pd.DataFrame:
    """One row per dimension: knob, how it is sampled, and its range."""
    rows = []
    for d in space.dimensions:
        rows.append({"knob": d.name, "sampled": SCALE_TEXT.get(d.scale, d.scale),
                     "low": d.low, "high": d.high})
    return pd.DataFrame(rows)


def records_frame(records: Sequence[dict], knobs: Sequence[str]) -> pd.DataFrame:
    """The results table: one row per trial (no cost histories)."""
    cols = ["method", "trial", *knobs, "dev_accuracy", "train_accuracy", "dev_cost", "cost",
            "epochs", "seconds", "status"]
    return pd.DataFrame([{c: r.get(c) for c in cols} for r in records], columns=cols)


def plot_records(records: Sequence[dict]) -> list[dict]:
    """Records for the scatter chart: scalars only, plus ``1 - beta`` when beta is searched."""
    out = []
    for r in records:
        row = {k: v for k, v in r.items() if k not in ("costs", "message")}
        if "beta" in row:
            row["1 - beta"] = 1.0 - row["beta"]
        out.append(row)
    return out


def trials_chart(records: Sequence[dict], x: str, y: str, *, log_x: bool, log_y: bool,
                 title: str, domain: tuple[float, float] | None = None, shape: bool = False):
    """``viz.scatter_trials_chart`` of the records, with a colour scale fixed to ``domain``
    (so that side-by-side charts share it) and, when ``shape``, one marker shape per
    ``method`` (the rounds of coarse to fine)."""
    chart = scatter_trials_chart(plot_records(records), x, y, "dev_accuracy", log_x=log_x,
                                 log_y=log_y, title=title, x_title=AXIS_TITLES.get(x, x),
                                 y_title=AXIS_TITLES.get(y, y))
    if domain is not None:
        chart = chart.encode(color=alt.Color(
            "dev_accuracy:Q", title="dev accuracy",
            scale=alt.Scale(scheme="viridis", domain=list(domain))))
    if shape:  # circles have one shape: draw filled points instead
        chart = chart.mark_point(filled=True, size=80, opacity=0.9).encode(
            shape=alt.Shape("method:N", title="round", legend=alt.Legend(orient="bottom")))
    return chart


def accuracy_domain(records: Sequence[dict]) -> tuple[float, float] | None:
    """``(min, max)`` of the finite dev accuracies (None when there is none)."""
    acc = [r["dev_accuracy"] for r in records if np.isfinite(r.get("dev_accuracy", np.nan))]
    if not acc:
        return None
    lo, hi = min(acc), max(acc)
    return (lo, hi) if hi > lo else (lo - 0.01, hi + 0.01)


def axis_of(knob: str) -> tuple[str, bool]:
    """Column name and log flag of a knob on the scatter chart."""
    if knob == "beta":
        return "1 - beta", True
    return knob, KNOBS[knob].scale != "linear"


def best_row(records: Sequence[dict]) -> dict | None:
    """The best record by dev accuracy, or None when no trial is usable."""
    try:
        return search.best_trial(records)
    except ValueError:
        return None


def distinct_values(records: Sequence[dict], knob: str) -> int:
    """How many different values of ``knob`` the records tried."""
    return len({round(float(r[knob]), 12) for r in records if knob in r})


# ----------------------------------------------------------------------------- sentences


def _value(knob: str, value) -> str:
    return f"{SHORT.get(knob, knob)} = {claims.number(float(value), 3)}"


def _ok(records: Sequence[dict]) -> list[dict]:
    return [r for r in records if r.get("status") != "diverged"
            and np.isfinite(r.get("dev_accuracy", np.nan))]


def best_at(records: Sequence[dict], knob: str) -> str:
    """Where the best dev accuracy of ``records`` was found: "best at α = 10", or with ties
    "best (tied, 3 trials) at α = 10, 3.16 and 1"; "" when no trial is usable."""
    ok = _ok(records)
    if not ok:
        return ""
    top = max(r["dev_accuracy"] for r in ok)
    tied = [r for r in ok if r["dev_accuracy"] == top]
    values = list(dict.fromkeys(claims.number(float(r[knob]), 3) for r in tied))
    where = f"{SHORT.get(knob, knob)} = {claims.join(values)}"
    return f"best at {where}" if len(tied) == 1 else f"best (tied, {len(tied)} trials) at {where}"


def knob_effects(grid: Sequence[dict], knobs: Sequence[str]) -> dict:
    """For each knob with at least two grid values: how far the grid's mean dev accuracy moves
    across its values (max − min of the means over the other knobs)."""
    ok, out = _ok(grid), {}
    for knob in knobs:
        levels = {}
        for r in ok:
            levels.setdefault(round(float(r[knob]), 12), []).append(r["dev_accuracy"])
        if len(levels) >= 2:
            means = [float(np.mean(v)) for v in levels.values()]
            out[knob] = max(means) - min(means)
    return out


def grid_random_verdict(grid: Sequence[dict], random: Sequence[dict],
                        knobs: Sequence[str]) -> str:
    """Grid vs random, from the trials shown: which best dev accuracy is higher, how many
    values of the first knob each tried, which knob moves the grid's accuracy most, and the
    lecture's argument only where these trials show it."""
    best_grid, best_random = best_row(grid), best_row(random)
    if best_grid is None or best_random is None:
        return ""
    first, name = knobs[0], SHORT.get(knobs[0], knobs[0])
    g, r = best_grid["dev_accuracy"], best_random["dev_accuracy"]
    if claims.about_equal(g, r, claims.ACCURACY_TIE):
        winner = "both found about equally good models"
    elif r > g:
        winner = "random search found the better model"
    else:
        winner = "grid search found the better model this time"
    dg, dr = distinct_values(grid, first), distinct_values(random, first)
    text = (f"With **{len(grid)}** grid trials and **{len(random)}** random trials, {winner} "
            f"(best dev accuracy {r:.3f} random, {g:.3f} grid). Grid search tried {dg} "
            f"values of {name}, random search {dr}.")
    effects = knob_effects(grid, knobs)
    dominant = first in effects and len(effects) > 1 and all(
        effects[first] >= DOMINANT * max(v, 1e-12) for k, v in effects.items() if k != first)
    if len(effects) > 1:
        text += (" Across the grid's values, the mean dev accuracy moves by "
                 + ", ".join(f"{claims.number(v, 2)} with {SHORT.get(k, k)}"
                             for k, v in effects.items()) + ".")
    if winner.startswith("random") and dominant and dr > dg:
        text += (f" {name} matters much more than the other knobs here, so the extra values "
                 f"of {name} that random search tries are what counts, as the lecture argues.")
    elif winner.startswith("grid"):
        text += (f" Here the grid's {dg} values of {name} happen to include a better one: "
                 "random search wins on average over many draws, not in every one (try "
                 "another seed).")
    elif winner.startswith("random") and dr > dg:
        text += (f" Random search tried {dr - dg} more values of {name}; here no knob clearly "
                 "dominates the others.")
    return text


def columns_sentence(grid: Sequence[dict], random: Sequence[dict], knob: str) -> str:
    """How the dots of the two charts line up along the horizontal axis (from the trials)."""
    return (f"Look along the horizontal axis: the grid's dots stand on "
            f"{distinct_values(grid, knob)} columns of {SHORT.get(knob, knob)}, the random "
            f"search's on {distinct_values(random, knob)}.")


def diverged_sentence(records: Sequence[dict], knobs: Sequence[str]) -> str:
    """The diverged trials, each as the table counts it; "" when none diverged."""
    bad = [r for r in records if r.get("status") == "diverged"]
    if not bad:
        return ""
    shown = [f"{r['method']} trial {r['trial']} ("
             + ", ".join(_value(k, r[k]) for k in knobs) + f") diverged after {r['epochs']} "
             f"epoch{'s' if r['epochs'] != 1 else ''}" for r in bad[:6]]
    more = f" and {len(bad) - 6} more" if len(bad) > 6 else ""
    return ("; ".join(shown) + more + ". They count as failed trials and are left out of "
            "the best.")


def zoom_sentence(stages: Sequence) -> str:
    """Coarse to fine, from the rounds shown: each round's range of the first knob and best
    dev accuracy, and whether zooming found a better model."""
    if len(stages) < 2:
        return ""
    parts, bests = [], []
    for s, (sp, rs) in enumerate(stages):
        d = sp.dimensions[0]
        best = best_row(rs)
        bests.append(None if best is None else best["dev_accuracy"])
        acc = "no usable trial" if best is None else f"best {best['dev_accuracy']:.3f}"
        parts.append(f"{'coarse' if s == 0 else f'zoom {s}'}: {SHORT.get(d.name, d.name)} in "
                     f"[{claims.number(d.low, 3)}, {claims.number(d.high, 3)}], {acc}")
    text = "; ".join(parts) + "."
    text = text[:1].upper() + text[1:]
    coarse, last = bests[0], bests[-1]
    if coarse is None or last is None:
        return text
    if last > coarse + claims.ACCURACY_TIE:
        return text + " Zooming in found a better model than the coarse search."
    if last < coarse - claims.ACCURACY_TIE:
        return text + (" The last round's best is lower than the coarse search's: the narrower "
                       "range holds the best trials' region, and this round's draws missed "
                       "their peak.")
    return text + (" Zooming in did not improve on the coarse search's best: near its peak, "
                   "the accuracy is already about flat.")


def caviar_sentence(random: Sequence[dict], knob: str) -> str:
    """Which of the caviar's trials it keeps (the best dev accuracy)."""
    best = best_row(random)
    if best is None:
        return ""
    return (f"Caviar keeps trial {best['trial']} ({_value(knob, best[knob])}): dev accuracy "
            f"{best['dev_accuracy']:.3f} of {len(random)} trials.")


def panda_sentence(panda: dict, rates: Sequence[float]) -> str:
    """The panda model, from its run: epochs, dev accuracy, the rates used, and what the last
    day did to the cost."""
    days = panda["days"]
    used = " → ".join(f"{r:g}" for r in rates[:days])
    if panda["status"] == "diverged":
        n = panda["last_day_epochs"]
        return (f"Day {days} (α = {rates[days - 1]:g}) diverged after {n} "
                f"epoch{'s' if n != 1 else ''}: the cost became NaN. Learning rates so far "
                f"{used}. Start over with a smaller α.")
    costs = np.asarray(panda["costs"], dtype=float)
    text = (f"After {costs.size} epochs: dev accuracy **{panda['metrics']['dev_accuracy']:.3f}**,"
            f" learning rates so far {used}.")
    if days > 1:
        start, end = costs[-PANDA_SEGMENT - 1], costs[-1]
        change = "lowered" if end < start else "raised" if end > start else "kept"
        text += (f" Day {days} (α = {rates[days - 1]:g}) {change} the cost from "
                 f"{claims.number(start, 3)} to {claims.number(end, 3)}.")
    else:
        text += (f" The first day took the cost from {claims.number(costs[0], 3)} to "
                 f"{claims.number(costs[-1], 3)}.")
    return text
