"""Hyperparameter search: sample on the right scale, grid or random, then zoom in (coarse to fine).

A *dimension* is one knob and the scale it is searched on; a point is a dict
``{dimension name: value}``. Names are ``TrainConfig`` fields (``learning_rate``, ``beta``,
``lambd``, ``keep_prob``, ``mini_batch_size``, ...) plus ``units`` and ``layers``, which build
``hidden_units = (units,) * layers``. Every dimension maps its values to ``[0, 1]`` on its own
scale (``to_unit`` / ``from_unit``): uniform there is what "sampling at the appropriate scale"
means in the course, and it is the axis to plot trials on and to zoom along.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from dataclasses import dataclass

import numpy as np

from nnlab._validate import check_choice, check_float, check_int

METRICS = ("dev_accuracy", "train_accuracy", "dev_cost", "train_cost", "cost")
# scale name -> (value -> axis on which sampling is uniform, its inverse)
_SCALES = {
    "linear": (lambda v: v, lambda s: s),
    "log10": (np.log10, lambda s: 10.0 ** s),
    "one_minus_log10": (lambda v: -np.log10(1.0 - v), lambda s: 1.0 - 10.0 ** (-s)),
    "log2": (np.log2, lambda s: 2.0 ** s),
}


def _grid_units(k):
    return np.linspace(0.0, 1.0, k) if k > 1 else np.array([0.5])


@dataclass(frozen=True)
class _Numeric:
    """A knob in ``[low, high]`` (inclusive) searched uniformly on the axis ``_SCALES[scale]``."""

    name: str
    low: float
    high: float
    scale = "linear"
    integer = False

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"name must be a non-empty string, got {self.name!r}")
        check = check_int if self.integer else check_float
        low = check(f"{self.name}.low", self.low, low=0 if self.integer else None)
        if not low < check(f"{self.name}.high", self.high):
            raise ValueError(f"{self.name}: low must be < high, got low={self.low!r}, "
                             f"high={self.high!r}")
        if self.scale != "linear" and low <= 0:
            raise ValueError(f"{self.name}.low must be > 0 on a log scale, got {self.low!r}")
        if self.scale == "one_minus_log10" and self.high >= 1:
            raise ValueError(f"{self.name}: the beta range must lie inside (0, 1), got "
                             f"[{self.low!r}, {self.high!r}]")
        for v in (self.low, self.high) if self.scale == "log2" else ():
            if v & (v - 1):
                raise ValueError(f"{self.name}: low and high must be powers of two, got {v!r}")

    def _axis(self, v):
        return _SCALES[self.scale][0](np.asarray(v, dtype=float))

    def _cast(self, v):
        return int(round(float(v))) if self.integer else float(v)

    def to_unit(self, value):
        """Position of ``value`` (scalar or array) in ``[0, 1]`` on this dimension's scale."""
        a, b = self._axis(self.low), self._axis(self.high)
        u = (self._axis(value) - a) / (b - a)
        return float(u) if np.ndim(u) == 0 else u

    def from_unit(self, u):
        """Inverse of ``to_unit``: ``u`` (scalar or array) in ``[0, 1]`` -> value (or list)."""
        arr = np.atleast_1d(np.asarray(u, dtype=float))
        if not np.all((arr >= 0) & (arr <= 1)):
            raise ValueError(f"u must lie in [0, 1], got {u!r}")
        a, b = self._axis(self.low), self._axis(self.high)
        s, inv = a + arr * (b - a), _SCALES[self.scale][1]
        if self.integer:
            vals = inv(np.rint(s))
        else:  # the ends map exactly to low and high (not to 10**log10(low))
            vals = np.where(arr == 0, self.low, np.where(arr == 1, self.high, inv(s)))
            vals = np.clip(vals, self.low, self.high)
        vals = [self._cast(v) for v in vals]
        return vals[0] if np.ndim(u) == 0 else vals

    def sample(self, rng, n):
        """``n`` values uniform on this scale (a list), drawn with ``rng.random(n)`` only."""
        u = rng.random(check_int("n", n, low=1))
        if self.integer:  # every step equally likely (rounding would halve the two ends)
            span = float(self._axis(self.high) - self._axis(self.low))
            u = np.minimum(np.floor(u * (span + 1)), span) / span
        return self.from_unit(u)

    def grid(self, k):
        """``k`` evenly spaced values on this scale, ends included (``k=1``: the middle).
        Integer dimensions drop repeats, so they may return fewer than ``k``."""
        return list(dict.fromkeys(self.from_unit(_grid_units(check_int("k", k, low=1)))))

    def zoomed(self, values, margin):
        """The same kind of dimension cut to the span of ``values`` widened by ``margin`` (a
        fraction of this range, on this scale) on each side, never beyond the current range."""
        u = self.to_unit(np.asarray(values, dtype=float))
        lo, hi = max(0.0, float(np.min(u)) - margin), min(1.0, float(np.max(u)) + margin)
        if not self.integer:
            return dataclasses.replace(self, low=self.from_unit(lo), high=self.from_unit(hi))
        a, b = round(float(self._axis(self.low))), round(float(self._axis(self.high)))
        s_lo, s_hi = math.floor(a + lo * (b - a)), math.ceil(a + hi * (b - a))
        if s_lo == s_hi:  # keep low < high: widen by one step inside the current range
            s_lo, s_hi = (s_lo, s_hi + 1) if s_hi < b else (s_lo - 1, s_hi)
        inv = _SCALES[self.scale][1]
        return dataclasses.replace(self, low=self._cast(inv(s_lo)), high=self._cast(inv(s_hi)))


@dataclass(frozen=True)
class Linear(_Numeric):
    """Uniform on ``[low, high]`` (e.g. ``keep_prob``)."""


@dataclass(frozen=True)
class LogUniform(_Numeric):
    """``r ~ U[log10 low, log10 high]``, value ``10**r`` (``learning_rate``, ``lambd``): each
    decade gets the same share of trials. Needs ``low > 0``."""

    scale = "log10"


@dataclass(frozen=True)
class OneMinusLog(_Numeric):
    """A momentum-like ``beta`` with ``0 < low < high < 1``, sampled so that ``1 - beta`` is
    log-uniform: ``beta in [0.9, 0.999]`` -> ``1 - beta in [1e-3, 1e-1]``. ``beta`` averages over
    about ``1/(1 - beta)`` steps, so 0.999 -> 0.9995 matters as much as 0.9 -> 0.95."""

    scale = "one_minus_log10"


@dataclass(frozen=True)
class IntRange(_Numeric):
    """An integer uniform on ``low..high`` inclusive, ``low >= 0`` (``units``, ``layers``)."""

    low: int
    high: int
    integer = True


@dataclass(frozen=True)
class PowerOfTwo(_Numeric):
    """``2**e`` with ``e`` uniform on ``log2 low..log2 high`` (``mini_batch_size``: 32..512)."""

    low: int
    high: int
    scale = "log2"
    integer = True


@dataclass(frozen=True)
class Choice:
    """One of ``options`` (a non-empty tuple), each equally likely (``optimizer``, ...)."""

    name: str
    options: tuple

    def __post_init__(self):
        if not isinstance(self.options, tuple) or not self.options:
            raise ValueError(f"{self.name}.options must be a non-empty tuple, got {self.options!r}")

    def to_unit(self, value):
        n = len(self.options)
        return self.options.index(check_choice(self.name, value, self.options)) / max(n - 1, 1)

    def from_unit(self, u):
        return self.options[round(check_float("u", u, low=0, high=1) * (len(self.options) - 1))]

    def sample(self, rng, n):
        u = rng.random(check_int("n", n, low=1))
        return [self.options[min(int(x * len(self.options)), len(self.options) - 1)] for x in u]

    def grid(self, k):
        """``k`` options evenly spread through ``options`` (all of them when ``k >= len``)."""
        return list(dict.fromkeys(self.from_unit(u) for u in _grid_units(check_int("k", k, low=1))))

    def zoomed(self, values, margin):
        """Keep the options that ``values`` use (``margin`` is ignored)."""
        return Choice(self.name, tuple(o for o in self.options if o in values))


@dataclass(frozen=True)
class SearchSpace:
    """A non-empty tuple of dimensions with distinct names."""

    dimensions: tuple

    def __post_init__(self):
        if not isinstance(self.dimensions, tuple) or not self.dimensions:
            raise ValueError(f"dimensions must be a non-empty tuple, got {self.dimensions!r}")
        if len(set(self.names)) != len(self.names):
            raise ValueError(f"dimension names must be distinct, got {self.names}")

    @property
    def names(self) -> tuple:
        """The dimensions' names, in order."""
        return tuple(d.name for d in self.dimensions)


def grid_search_points(space: SearchSpace, budget: int) -> list[dict]:
    """Every combination of ``k = floor(budget ** (1/d))`` grid values per dimension.

    At most ``budget`` points, but each knob gets only ``k`` distinct values: with 25 trials
    and 2 knobs, grid tries 5 learning rates where random search tries 25. That is the course's
    argument for random search when some knobs matter much more than others.
    """
    budget = check_int("budget", budget, low=1)
    d = len(space.dimensions)
    k = max(1, int(round(budget ** (1.0 / d))))
    while k ** d > budget:  # guard the float root in both directions
        k -= 1
    while (k + 1) ** d <= budget:
        k += 1
    grids = [dim.grid(k) for dim in space.dimensions]
    return [dict(zip(space.names, combo, strict=True)) for combo in itertools.product(*grids)]


def random_search_points(space: SearchSpace, budget: int, rng) -> list[dict]:
    """``budget`` points, each dimension sampled independently on its own scale (in order)."""
    budget = check_int("budget", budget, low=1)
    columns = [dim.sample(rng, budget) for dim in space.dimensions]
    return [dict(zip(space.names, row, strict=True)) for row in zip(*columns, strict=True)]


def _ranked(records, metric):
    """Records with a finite ``metric`` that did not diverge, best first (stable for ties)."""
    sign = -1.0 if "accuracy" in check_choice("metric", metric, METRICS) else 1.0
    ok = [r for r in records
          if r.get("status") != "diverged" and np.isfinite(r.get(metric, np.nan))]
    if not ok:
        raise ValueError(f"records has no trial with a finite {metric!r} that did not diverge")
    return sorted(ok, key=lambda r: sign * r[metric])


def best_trial(records, metric: str = "dev_accuracy") -> dict:
    """The record with the best ``metric`` (highest accuracy, lowest cost) among those that did
    not diverge; the earliest wins ties."""
    return _ranked(records, metric)[0]


def zoom(space: SearchSpace, records, *, metric: str = "dev_accuracy", top: float = 0.2,
         top_k: int | None = None, margin: float = 0.1) -> SearchSpace:
    """Coarse to fine: a smaller space around the best trials.

    Takes the best ``top_k`` trials (default: the best fraction ``top``, at least one) and cuts
    each dimension to the range they span on its own scale, widened by ``margin`` (a fraction
    of the current range) on each side. Choices keep only the options those trials used.
    """
    top = check_float("top", top, low=0, high=1, low_open=True)
    margin = check_float("margin", margin, low=0, high=1, low_open=True)
    ranked = _ranked(records, metric)
    n = max(1, math.ceil(top * len(ranked))) if top_k is None else check_int("top_k", top_k, low=1)
    best = ranked[:n]
    return SearchSpace(tuple(d.zoomed([r[d.name] for r in best], margin)
                             for d in space.dimensions))


# Running trials lives in nnlab.lessons.search_runs; re-exported so ``nnlab.lessons.search`` is the
# one entry point.
from nnlab.lessons.search_runs import (  # noqa: E402
    SPECIAL_NAMES,
    SearchRecords,
    apply_point,
    run_search,
    run_trial,
)

__all__ = [
    "Linear", "LogUniform", "OneMinusLog", "IntRange", "PowerOfTwo", "Choice", "SearchSpace",
    "grid_search_points", "random_search_points", "best_trial", "zoom", "METRICS",
    "SPECIAL_NAMES", "SearchRecords", "apply_point", "run_search", "run_trial",
]
