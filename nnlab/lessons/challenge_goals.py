"""Challenges: the course's lessons as goals a learner reaches on a live run, checked for them.

A :class:`Challenge` fixes a data set, a seed and every setting of one or a few runs except the
:class:`Knob`\\ s the learner may turn (each with its allowed values and a default that does *not*
solve it). Its budget is the runs' ``num_epochs``: they stop there. Its ``check`` is a pure
function of the runs as they are now, ``[(label, TrainResult), ...]`` (a finished run or a live
snapshot), returning an :class:`Outcome`: met or not, decided or still open, and the figure
against the target ("train cost 0.31 / ≤ 0.35 by epoch 200"). The app calls it on the very
snapshots it draws, after every chunk, so the tick appears mid-run the moment the goal is met.

A check reads only what a run records at the end of every epoch (its history) or at its end
(its final metrics): it gives the same answer whatever the chunks the run was played in.

The challenges themselves are in :mod:`nnlab.lessons.challenge_catalog`. No Streamlit here.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from nnlab.config import TrainConfig
from nnlab.lessons import claims

#: The states of a challenge's check: still open, goal met, budget spent without it.
GOING, MET, FAILED = "going", "met", "failed"


@dataclass(frozen=True)
class Knob:
    """A setting the learner may change: ``name`` (its key in the settings and the URL),
    ``label``, the allowed ``choices`` (values), the ``default`` (one of them, not a
    solution), ``names`` (how each choice is shown; default ``str``) and a ``help`` line."""

    name: str
    label: str
    choices: tuple
    default: object
    names: tuple = ()
    help: str = ""

    def __post_init__(self):
        if self.default not in self.choices:
            raise ValueError(f"knob {self.name!r}: default {self.default!r} is not one of "
                             f"its choices {self.choices!r}")
        if self.names and len(self.names) != len(self.choices):
            raise ValueError(f"knob {self.name!r}: {len(self.names)} names for "
                             f"{len(self.choices)} choices")

    def name_of(self, value) -> str:
        """How ``value`` is shown to the learner."""
        return str(self.names[self.choices.index(value)]) if self.names else str(value)


@dataclass(frozen=True)
class Outcome:
    """What a check says of runs now: ``state`` (:data:`GOING`, :data:`MET`, :data:`FAILED`),
    ``figure`` (the number against the target, one line) and ``epoch`` (the epoch count at
    which the goal was met, None if not)."""

    state: str
    figure: str
    epoch: int | None = None

    @property
    def met(self) -> bool:
        return self.state == MET

    @property
    def decided(self) -> bool:
        return self.state != GOING


@dataclass(frozen=True)
class Challenge:
    """One challenge (see the module's docstring).

    ``variants(settings)`` gives the runs ``[(label, TrainConfig), ...]`` for the learner's
    settings (``{knob name: value}``); ``check(runs, settings)`` an :class:`Outcome`;
    ``saw(runs, settings)`` the "what you just saw" sentence of a solved run, computed from
    it. ``hints`` are given one by one, then ``answer`` (the solution and why). ``solution``
    and ``misses`` are known settings that solve it and that do not (the tests run them).
    ``page`` is the topic page's script; ``predict`` marks a predict-first item (its
    ``prediction`` knob is chosen before Play and locked while the runs go).
    """

    id: str
    week: int
    page: str
    title: str
    lesson: str
    goal: str
    knobs: tuple
    variants: Callable
    check: Callable
    saw: Callable
    hints: tuple
    answer: str
    solution: dict
    misses: tuple
    predict: bool = False
    extra: dict = field(default_factory=dict)

    def knob(self, name: str) -> Knob:
        return next(k for k in self.knobs if k.name == name)

    @property
    def defaults(self) -> dict:
        return {k.name: k.default for k in self.knobs}

    def settings(self, given: dict | None = None) -> dict:
        """The defaults updated with ``given``; a name that is no knob, or a value that is
        not one of the knob's choices, raises ValueError naming both."""
        out = self.defaults
        for name, value in (given or {}).items():
            names = [k.name for k in self.knobs]
            if name not in names:
                raise ValueError(f"challenge {self.id!r} has no knob {name!r} (its knobs: "
                                 f"{', '.join(names)})")
            if value not in self.knob(name).choices:
                raise ValueError(f"challenge {self.id!r}: {name} must be one of "
                                 f"{self.knob(name).choices!r}, got {value!r}")
            out[name] = value
        return out

    def runs(self, given: dict | None = None) -> list[tuple[str, TrainConfig]]:
        """The variants for ``given`` settings (checked, see :meth:`settings`)."""
        return self.variants(self.settings(given))

    def budget(self, given: dict | None = None) -> int:
        """Epochs every run may take (the longest of the variants)."""
        return max(c.num_epochs for _, c in self.runs(given))

    def outcome(self, runs, given: dict | None = None) -> Outcome:
        """The check on ``runs`` (``[(label, TrainResult), ...]``) for ``given`` settings."""
        return self.check(list(runs), self.settings(given))


# ---------------------------------------------------------------- reading a run


def decided(ok: bool, figure: str, epoch: int) -> Outcome:
    """The outcome of a goal judged once its runs have ended: met at ``epoch``, or failed."""
    return Outcome(MET if ok else FAILED, figure, epoch if ok else None)


def ended(result) -> bool:
    """Whether the run has ended (all its epochs, diverged or stopped)."""
    return result.status != "running"


def history(result, column: str) -> list[float]:
    return [float(v) for v in result.history.get(column, ())]


def first_epoch(result, column: str, threshold: float, *, at_least: bool) -> int | None:
    """The epoch count (1 = after the first epoch) at which ``column`` of the history first
    reached ``threshold`` (``>=`` with ``at_least``, else ``<=``); None if never."""
    for i, v in enumerate(history(result, column)):
        if math.isfinite(v) and (v >= threshold if at_least else v <= threshold):
            return i + 1
    return None


def latest(result, column: str) -> float:
    """The last finite value of ``column`` in the history (NaN if none)."""
    finite = [v for v in history(result, column) if math.isfinite(v)]
    return finite[-1] if finite else math.nan


def fmt(column: str, value: float) -> str:
    """An accuracy as a percentage, anything else as a number of 3 digits."""
    return claims.percent(value) if column.endswith("accuracy") else claims.number(value)


WHAT = {"cost": "train cost", "train_accuracy": "train accuracy",
        "dev_accuracy": "dev accuracy"}


def stop_reason(result) -> str:
    """" (diverged after 3 epochs)" for a run that ended early, else ""."""
    if result.status in ("diverged", "stopped"):
        return f" ({claims.ended(result)})"
    return ""


def reach(result, column: str, threshold: float, *, at_least: bool) -> Outcome:
    """Goal: ``column`` reaches ``threshold`` within the run's budget (met the moment it
    does). The figure: "train accuracy 87.2% / ≥ 90.0% by epoch 150"."""
    budget = result.config.num_epochs
    sign = "≥" if at_least else "≤"
    target = f"{sign} {fmt(column, threshold)} by epoch {budget}"
    at = first_epoch(result, column, threshold, at_least=at_least)
    what = WHAT.get(column, column)
    if at is not None:
        value = history(result, column)[at - 1]
        return Outcome(MET, f"{what} {fmt(column, value)} at epoch {at} / {target}", at)
    now = latest(result, column)
    figure = f"{what} {fmt(column, now)} / {target}{stop_reason(result)}"
    return Outcome(FAILED if ended(result) else GOING, figure)


def gap_points(result) -> float:
    """Train minus dev accuracy of the run's final metrics, in points (NaN if missing)."""
    m = result.metrics
    return 100 * (m.get("train_accuracy", math.nan) - m.get("dev_accuracy", math.nan))


def lowest(runs) -> list[str]:
    """Labels of the runs that end with the lowest final cost (ties within claims.TIE;
    diverged or stopped runs never win)."""
    return claims.best(runs)


def all_ended(runs) -> bool:
    return all(ended(r) for _, r in runs)


def predicted_lowest(runs, settings) -> Outcome:
    """Predict-first: the learner's ``prediction`` is right when that run ends lowest; decided
    when every run has ended. The figure ranks the final costs."""
    guess = settings["prediction"]
    if not all_ended(runs):
        going = max(r.epochs_run for _, r in runs)
        return Outcome(GOING, f"your prediction: {guess} · the runs are at epoch {going}")
    winners = lowest(runs)
    ranking = claims.comparison(runs)
    if guess in winners:
        return Outcome(MET, f"your prediction {guess} ends lowest · {ranking}",
                       max(r.epochs_run for _, r in runs))
    who = claims.join(winners) if winners else "no run"
    return Outcome(FAILED, f"your prediction {guess}; {who} ends lowest · {ranking}")


def by_label(runs) -> dict:
    return {label: r for label, r in runs}


def grad_ratio(result, epoch: int = 0) -> float:
    """Gradient norm of the first layer over the last's at ``epoch`` (0-based; NaN if none)."""
    L = len(result.config.hidden_units) + 1
    first, last = history(result, "grad_norm_1"), history(result, f"grad_norm_{L}")
    if len(first) <= epoch or not last[epoch]:
        return math.nan
    return first[epoch] / last[epoch]


def band(result, last: int) -> float:
    """Max minus min of the cost over the last ``last`` epochs (NaN before that many)."""
    costs = history(result, "cost")[-last:]
    if len(costs) < last or not all(math.isfinite(c) for c in costs):
        return math.nan
    return max(costs) - min(costs)


# ---------------------------------------------------------------- check builders


def one_run(runs):
    """The result of a one-run challenge."""
    return runs[0][1]


def reach_check(column, threshold, at_least):
    """A one-run check: ``column`` reaches ``threshold`` within the budget."""
    return lambda runs, s: reach(one_run(runs), column, threshold, at_least=at_least)


def saw_reach(column, threshold, at_least, tail=""):
    """"He reached a train cost of 0.35 at epoch 37 and ended at 0.031." + ``tail(run)``."""
    def saw(runs, settings):
        label, r = runs[0]
        at = first_epoch(r, column, threshold, at_least=at_least)
        what = {"cost": "a train cost", "train_accuracy": "a train accuracy"}[column]
        if at is None:
            return ""
        value = history(r, column)[at - 1]
        now = (f"ended at {fmt(column, latest(r, column))}" if ended(r) else
               f"is at {fmt(column, latest(r, column))} now (epoch {r.epochs_run})")
        text = (f"{label} reached {what} of {fmt(column, value)} at epoch {at} of "
                f"{r.config.num_epochs} and {now}.")
        return text + (" " + tail(r) if tail else "")
    return saw


def ratio_words(r) -> str:
    ratio = grad_ratio(r)
    if not math.isfinite(ratio):
        return ""
    how = ("the gradient reached the first layer" if ratio >= 0.01
           else "the first layer barely moved")
    return (f"In its first epoch the first layer's gradient was {claims.number(ratio)} times "
            f"the last layer's: {how}.")
