"""Sentences computed from results: what a page says is what its numbers show.

A page's caption must never contradict its picture (issue 13). So a caption that compares runs
is built here from the runs themselves, and a lesson the lecture predicts ("Adam ends lowest")
is stated only when these runs show it; otherwise the page says what they do show. Pure
functions over ``(label, result)`` pairs (anything with ``status``, ``epochs_run`` and the
figure asked for); no Streamlit.

The phrases are shared, so a run is described the same way in a caption, a panel heading and
a table: :func:`ended` is "diverged after 3 epochs" where the table says 3 epochs.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

#: Two costs within this relative difference are "about the same" (no winner between them).
TIE = 0.05
#: The same for accuracies (figures named ``*accuracy``): 0.005 is half a point at 100%.
ACCURACY_TIE = 0.005


def default_tie(figure) -> float:
    """:data:`ACCURACY_TIE` for an accuracy, :data:`TIE` for anything else."""
    return ACCURACY_TIE if isinstance(figure, str) and figure.endswith("accuracy") else TIE


@dataclass(frozen=True)
class Outcome:
    """One run's figure for a comparison: ``value`` is NaN when the run has none (it
    diverged before any finite value, or the figure does not apply)."""

    label: str
    value: float
    status: str
    epochs: int

    @property
    def finished(self) -> bool:
        """A run that ended normally with a finite figure: it takes part in the ranking."""
        return self.status not in ("diverged", "stopped") and math.isfinite(self.value)


def figure_of(result, figure: str | Callable) -> float:
    """``figure`` of ``result``: a callable, ``"final_cost"`` (attribute) or a metric name
    (``"train_accuracy"``...); NaN when it has none."""
    if callable(figure):
        value = figure(result)
    elif figure == "final_cost":
        value = result.final_cost
    else:
        value = result.metrics.get(figure, math.nan)
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def outcomes(results: Iterable, figure: str | Callable = "final_cost") -> list[Outcome]:
    """An :class:`Outcome` per ``(label, result)``, in the given order."""
    return [Outcome(str(label), figure_of(r, figure), r.status, int(r.epochs_run))
            for label, r in results]


def ranking(results: Iterable, figure: str | Callable = "final_cost", *,
            lower_is_better: bool = True) -> list[Outcome]:
    """The finished runs, best first (a diverged or stopped run is not ranked)."""
    done = [o for o in outcomes(results, figure) if o.finished]
    return sorted(done, key=lambda o: o.value if lower_is_better else -o.value)


def about_equal(a: float, b: float, tie: float = TIE) -> bool:
    """Whether ``a`` and ``b`` differ by less than ``tie`` of the larger magnitude."""
    return abs(a - b) <= tie * max(abs(a), abs(b), 1e-12)


def best(results: Iterable, figure: str | Callable = "final_cost", *,
         lower_is_better: bool = True, tie: float | None = None) -> list[str]:
    """The labels of the best finished run and of those about equal to it (empty when no run
    finished)."""
    tie = default_tie(figure) if tie is None else tie
    ranked = ranking(results, figure, lower_is_better=lower_is_better)
    if not ranked:
        return []
    top = ranked[0].value
    return [o.label for o in ranked if about_equal(o.value, top, tie)]


def beats(results: Iterable, winners: Sequence[str], losers: Sequence[str],
          figure: str | Callable = "final_cost", *, lower_is_better: bool = True,
          tie: float | None = None) -> bool:
    """Whether every run of ``winners`` finished clearly better (not about equal) than every
    run of ``losers``; a loser that diverged or stopped counts as beaten, a winner that did
    not finish never beats. False when a label is missing."""
    tie = default_tie(figure) if tie is None else tie
    by_label = {o.label: o for o in outcomes(results, figure)}
    if any(label not in by_label for label in (*winners, *losers)):
        return False
    for w in winners:
        ow = by_label[w]
        if not ow.finished:
            return False
        for loser in losers:
            ol = by_label[loser]
            if not ol.finished:
                continue
            better = ow.value < ol.value if lower_is_better else ow.value > ol.value
            if not better or about_equal(ow.value, ol.value, tie):
                return False
    return True


def number(x: float, digits: int = 3) -> str:
    """``x`` with ``digits`` significant digits ("0.0812", "1.2e-05", "12"); "n/a" for NaN."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    return f"{x:.{digits}g}"


def percent(x: float) -> str:
    """An accuracy as a percentage: 0.9123 -> "91.2%"; "n/a" for NaN."""
    return "n/a" if math.isnan(x) else f"{100 * x:.1f}%"


def ended(result, unit: str = "epochs") -> str:
    """How a run ended, counted as the table counts: "diverged after 3 epochs", "stopped after
    120 epochs", "trained 300 epochs"."""
    n = int(result.epochs_run)
    one = unit[:-1] if unit.endswith("s") and n == 1 else unit
    if result.status in ("diverged", "stopped"):
        return f"{result.status} after {n} {one}"
    return f"trained {n} {one}"


def comparison(results: Sequence, figure: str | Callable = "final_cost", *,
               what: str = "final cost", lower_is_better: bool = True,
               fmt: Callable[[float], str] = number, unit: str = "epochs") -> str:
    """One sentence that ranks the runs by ``figure`` and names the ones that did not finish:
    "Final cost: Adam 0.081 (lowest), RMSprop 0.12, momentum 0.55, gradient descent 0.61;
    random ×1 diverged after 3 epochs." Runs about equal to the best are all marked."""
    results = list(results)
    ranked = ranking(results, figure, lower_is_better=lower_is_better)
    leaders = set(best(results, figure, lower_is_better=lower_is_better))
    mark = "lowest" if lower_is_better else "highest"
    parts = []
    for o in ranked:
        tag = ""
        if o.label in leaders and len(ranked) > 1:
            tag = f" ({mark})" if len(leaders) == 1 else f" ({mark}, about equal)"
        parts.append(f"{o.label} {fmt(o.value)}{tag}")
    text = f"{what[:1].upper()}{what[1:]}: " + ", ".join(parts) if parts else ""
    others = [f"{label} {ended(r, unit)}" for label, r in results
              if r.status in ("diverged", "stopped")]
    others += [f"{o.label} has no {what}" for o in outcomes(results, figure)
               if not o.finished and o.status not in ("diverged", "stopped")]
    if others:
        text = (text + "; " if text else "") + ", ".join(others)
    return text + "." if text else ""


def join(labels: Sequence[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    labels = list(labels)
    if len(labels) <= 1:
        return "".join(labels)
    return ", ".join(labels[:-1]) + " and " + labels[-1]
