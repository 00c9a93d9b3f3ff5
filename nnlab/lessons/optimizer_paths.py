"""Small optimizer experiments behind the "Optimizers" and "Loss landscapes" pages.

Each one runs the very same :func:`nnlab.spec.optimizers.optimizer_step` that trains the networks:
Adam's step size in its first steps (with and without bias correction), momentum on a 1-D
quadratic (the path behind one cell of :func:`nnlab.lessons.surfaces.momentum_phase_diagram`) and
several optimizers racing from one start on a 2-D surface.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np

from nnlab.core.result import TrainResult
from nnlab.lessons.surfaces import optimize_path
from nnlab.spec.optimizers import OPTIMIZERS, init_optimizer_state, optimizer_step


def _check_real(arg, value, low, high, *, low_open=False):
    ok = (not isinstance(value, bool) and isinstance(value, numbers.Real)
          and math.isfinite(value) and (low < value if low_open else low <= value) and value < high)
    if not ok:
        raise ValueError(f"{arg} must satisfy {low} {'<' if low_open else '<='} {arg} < {high}, "
                         f"got {value!r}")


def _check_steps(num_steps):
    if isinstance(num_steps, bool) or not isinstance(num_steps, numbers.Integral) or num_steps < 1:
        raise ValueError(f"num_steps must be an integer >= 1, got {num_steps!r}")


def adam_step_sizes(num_steps, *, beta1=0.9, beta2=0.999, epsilon=1e-8, bias_correction=True,
                    gradient=1.0):
    """Adam's step length ``|theta_t - theta_{t-1}| / alpha`` for a constant gradient.

    Parameters
    ----------
    num_steps : int ``T >= 1``
    beta1, beta2 : float in ``[0, 1)``; epsilon : float ``> 0``; bias_correction : bool
    gradient : float ``g != 0``, the same gradient at every step

    Returns
    -------
    sizes : ndarray, shape (T,)
        ``sizes[t - 1]`` is the length of step ``t`` divided by the learning rate.

    Notes
    -----
    With a constant ``g``: ``v_t = (1 - beta1**t) g`` and ``s_t = (1 - beta2**t) g**2``. With
    bias correction both are divided back to ``g`` and ``g**2``: every step has length about
    ``alpha`` (``alpha |g| / (|g| + epsilon)``). Without it the step is
    ``alpha (1 - beta1**t) / sqrt(1 - beta2**t)``: for the defaults 0.9 / 0.999 that is
    ``0.1 / sqrt(0.001) = 3.2`` times too long at ``t = 1``, about 6.5 times near ``t = 10``,
    and it only settles to 1 after a few thousand steps (``1 / (1 - beta2)``).
    """
    _check_steps(num_steps)
    _check_real("beta1", beta1, 0, 1)
    _check_real("beta2", beta2, 0, 1)
    _check_real("epsilon", epsilon, 0, math.inf, low_open=True)
    _check_real("gradient", gradient, -math.inf, math.inf)
    if gradient == 0:
        raise ValueError(f"gradient must be non-zero, got {gradient!r}")
    params = {"theta": np.zeros((1, 1))}
    grads = {"dtheta": np.full((1, 1), float(gradient))}
    state = init_optimizer_state("adam", params)
    sizes = np.empty(num_steps)
    for t in range(num_steps):
        new, state = optimizer_step("adam", params, grads, state, 1.0, beta1=beta1, beta2=beta2,
                                    epsilon=epsilon, bias_correction=bool(bias_correction))
        sizes[t] = abs(float(new["theta"][0, 0] - params["theta"][0, 0]))
        params = new
    return sizes


def momentum_bound(beta, curvature=1.0):
    """The largest stable learning rate of the course's momentum on ``f = c x**2 / 2``.

    ``lr_max = 2 (1 + beta) / ((1 - beta) c)``; below it the iteration converges, above it it
    diverges (see :func:`nnlab.lessons.surfaces.momentum_phase_diagram`). ``beta`` may be an array.
    """
    b = np.asarray(beta, dtype=float)
    if not np.all((b >= 0) & (b < 1)):
        raise ValueError(f"beta must be in [0, 1), got {beta!r}")
    _check_real("curvature", curvature, 0, math.inf, low_open=True)
    out = 2 * (1 + b) / ((1 - b) * curvature)
    return float(out) if out.ndim == 0 else out


def quadratic_momentum_path(learning_rate, beta, *, curvature=1.0, num_steps=100, blowup=1e6):
    """Momentum on ``f(x) = c x**2 / 2`` from ``x_0 = 1``: one cell of the phase diagram.

    Parameters
    ----------
    learning_rate : float ``> 0``; beta : float in ``[0, 1)``; curvature : float ``c > 0``
    num_steps : int ``T >= 1``; blowup : float ``> 1``, the run stops once ``|x| > blowup``

    Returns
    -------
    x : ndarray, shape (k + 1,)
        ``x_0 = 1`` then every iterate, ``k <= T``; the first iterate beyond ``blowup`` (or not
        finite) is the last one kept, so a diverging path ends high.

    Notes
    -----
    ``v = beta v + (1 - beta) c x``; ``x = x - lr v``: :func:`nnlab.spec.optimizers.optimizer_step`
    on ``{"theta": [[x]]}``, in the order of ``momentum_phase_diagram``.
    """
    _check_real("learning_rate", learning_rate, 0, math.inf, low_open=True)
    _check_real("beta", beta, 0, 1)
    _check_real("curvature", curvature, 0, math.inf, low_open=True)
    _check_steps(num_steps)
    _check_real("blowup", blowup, 1, math.inf, low_open=True)
    params = {"theta": np.ones((1, 1))}
    state = init_optimizer_state("momentum", params)
    xs = [1.0]
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(num_steps):
            grads = {"dtheta": curvature * params["theta"]}
            params, state = optimizer_step("momentum", params, grads, state,
                                           float(learning_rate), beta=float(beta))
            x = float(params["theta"][0, 0])
            xs.append(x)
            if not math.isfinite(x) or abs(x) > blowup:
                break
    return np.array(xs)


def race(surface, start, runs, num_steps=100):
    """Several optimizers from the same ``start`` on one surface.

    Parameters
    ----------
    surface : Surface or str, as for :func:`nnlab.lessons.surfaces.optimize_path`
    start : (float, float)
    runs : dict label -> dict with ``optimizer``, ``learning_rate`` and optional
        ``beta``, ``beta1``, ``beta2``, ``epsilon``, ``bias_correction``
    num_steps : int ``>= 1``

    Returns
    -------
    dict label -> the ``optimize_path`` result (``path`` (k + 1, 2), ``values``, ``steps``,
    ``status``, ``message``).
    """
    if not isinstance(runs, dict) or not runs:
        raise ValueError(f"runs must be a non-empty dict of label -> settings, got {runs!r}")
    _check_steps(num_steps)
    out = {}
    for label, spec in runs.items():
        spec = dict(spec)
        optimizer = spec.pop("optimizer", None)
        if optimizer not in OPTIMIZERS:
            raise ValueError(f"runs[{label!r}]['optimizer'] must be one of {OPTIMIZERS}, "
                             f"got {optimizer!r}")
        if "learning_rate" not in spec:
            raise ValueError(f"runs[{label!r}] needs a learning_rate, got {sorted(spec)}")
        lr = spec.pop("learning_rate")
        out[label] = optimize_path(surface, start, optimizer, lr, num_steps, **spec)
    return out


@dataclass(frozen=True)
class PathConfig:
    """One racer on a 2-D surface, hashable like a ``TrainConfig``: the surface's name, the
    start, the optimizer with its learning rate and hyperparameters (``hyper``: sorted
    ``(name, value)`` pairs) and the number of steps (``num_epochs``: one step counts as one
    epoch, so that a live page steps it like a training run)."""

    surface: str
    start: tuple
    optimizer: str
    learning_rate: float
    hyper: tuple = ()
    num_epochs: int = 100

    @classmethod
    def from_spec(cls, surface: str, start, spec: dict, num_steps: int) -> PathConfig:
        """From a :func:`race` entry ``{"optimizer", "learning_rate", **hyper}``."""
        spec = dict(spec)
        optimizer, lr = spec.pop("optimizer"), float(spec.pop("learning_rate"))
        return cls(surface, tuple(float(v) for v in start), optimizer, lr,
                   tuple(sorted(spec.items())), int(num_steps))


class PathRun:
    """A racer's path revealed step by step, with the protocol of ``nnlab.core.loop.Run``
    (``advance``, ``advance_batches``, ``snapshot``, ``done``), so that the live page's Play,
    Step and timeline drive it as they drive a network. The whole path is computed at once by
    :func:`nnlab.lessons.surfaces.optimize_path` (a few hundred 2-D steps take milliseconds);
    stepping moves through it, so a path played live is the path computed in one go."""

    steps_per_epoch = 1

    def __init__(self, config: PathConfig):
        self.config = config
        self.path = optimize_path(config.surface, config.start, config.optimizer,
                                  config.learning_rate, config.num_epochs, **dict(config.hyper))
        self.epoch = 0

    @property
    def last(self) -> int:
        return self.path["steps"]  # fewer than num_epochs when the path diverged

    @property
    def done(self) -> bool:
        return self.epoch >= self.last

    @property
    def steps(self) -> int:
        return self.epoch

    def advance(self, n: int | None = None) -> PathRun:
        """Up to ``n`` more steps (None: to the end)."""
        self.epoch = self.last if n is None else min(self.last, self.epoch + int(n))
        return self

    advance_batches = advance

    def epoch_seconds_estimate(self) -> float:
        return 0.0  # computed already: a step costs nothing more

    def snapshot(self) -> TrainResult:
        """The path so far as a ``TrainResult``: ``parameters["theta"]`` the point reached,
        ``history`` per step taken: ``epoch``, ``cost`` (f at the point), ``x``, ``y``."""
        n, path, values = self.epoch, self.path["path"], self.path["values"]
        ended = self.done
        status = (self.path["status"] if ended else "running")
        message = self.path["message"] if ended else f"Step {n} of {self.config.num_epochs}"
        history = {"epoch": np.arange(n, dtype=float), "cost": values[1:n + 1].copy(),
                   "x": path[1:n + 1, 0].copy(), "y": path[1:n + 1, 1].copy()}
        return TrainResult(self.config, {"theta": path[n].reshape(2, 1).copy()}, {}, history,
                           status, message, 0.0, n, None, {"f": float(values[n])},
                           update_rule=f"nnlab.spec.optimizers.{self.config.optimizer}_step")


def start_path(config: PathConfig) -> PathRun:
    """A racer at its start (the live page's ``starter``)."""
    return PathRun(config)
