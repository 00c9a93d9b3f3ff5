"""A compute budget per interaction, so that one visitor cannot hold a shared server.

One click of a learner may start several runs (a comparison, a sweep, a search); together they
get one :class:`Budget` of seconds. The training loop (``nnlab.core.loop.Run``) charges it before
every epoch with the epoch's estimated cost, and ends the run (status ``stopped``) when it is
spent or when its stop token says the page has gone; a caller that knows its runs up front
calls :meth:`Budget.require` first, so that a click too large for the server is refused with a
clear message before anything is computed.

The cost model (:func:`estimate_seconds`) counts, over a run, the mini-batch steps (a fixed
overhead each, plus one per layer: NumPy calls cost microseconds whatever their size), the
multiply-adds of the forward and backward passes, the element-wise work on the activations, the
evaluations, and the readable backend's extra cost per step (batch norm runs on it). Its
coefficients :data:`COST` were fitted on a two-core machine with ``python -m bench.budget
--fit``, which also prints estimate against measured time for every kind of run (all within
2x). A learner running nnlab locally can raise or lift the cap with the environment variable
``NNLAB_MAX_SECONDS`` (a number, or ``inf``).
"""

from __future__ import annotations

import math
import os

from nnlab.config import TrainConfig

DEFAULT_MAX_SECONDS = 30.0  # one click's compute on the shared server
ENV_VAR = "NNLAB_MAX_SECONDS"

#: Seconds per unit of each term of :func:`cost_terms` (``python -m bench.budget --fit``).
COST = {
    "runs": 1.3e-2,             # one run: parameters, buffers, the first and last evaluations
    "steps": 1.25e-5,           # one mini-batch step: the loop's and the optimizer's calls
    "layer_steps": 7.9e-6,      # per layer and step: forward, backward, activation calls
    "stack_layer_steps": 1.6e-5,  # per layer and step of a stack: batched products, row scalars
    "weight_steps": 2e-9,       # per parameter, step and pass of the optimizer's update
    "madds": 5e-11,             # per multiply-add of the forward and backward products
    "elements": 6e-9,           # per activation value and step: element-wise passes
    "dropout_elements": 1.6e-8,  # per hidden activation and step with dropout: draw, mask
    "layer_epochs": 7e-6,       # per layer and epoch: gradient norms, bookkeeping
    "eval_madds": 3e-11,        # per multiply-add of the evaluations
    "ref_layer_steps": 6.4e-5,  # the readable backend (batch norm): per layer and step
    "ref_elements": 2.8e-8,     # the readable backend: per activation value and step
}


#: Whole-array passes of one optimizer step over the flat parameters (``Network.step``).
UPDATE_PASSES = {"gd": 2, "momentum": 4, "rmsprop": 7, "adam": 8}


class BudgetError(ValueError):
    """Work estimated to need more time than the server allows for one interaction."""


def expected_train_size(config: TrainConfig) -> int:
    """Training examples the config's data set will have (as ``nnlab.data.datasets.split``
    cuts it)."""
    if config.dataset == "football":
        return 211
    m = config.n_samples
    return m - round(config.fractions[1] * m) - round(config.fractions[2] * m)


def cost_terms(config: TrainConfig, m_train: int, n_x: int = 2, K: int = 1) -> dict:
    """The model's terms for a run of ``config`` (K configs of its shape as one stack)."""
    dims = config.layer_dims(n_x)
    L = len(dims) - 1
    weights = sum(a * b for a, b in zip(dims[:-1], dims[1:], strict=True))
    units = sum(dims[1:])
    E, m = config.num_epochs, max(int(m_train), 1)
    size = m if config.mini_batch_size is None else min(config.mini_batch_size, m)
    steps = E * math.ceil(m / size)
    m_dev = round(config.fractions[1] * config.n_samples)
    every = max(1, E // 200)
    evals = E if config.patience else math.ceil(E / every) + 1
    reference = config.batch_norm
    return {
        "runs": 1,
        "steps": steps,
        "layer_steps": steps * L,
        "weight_steps": float(steps * (weights + units) * K * UPDATE_PASSES[config.optimizer]),
        "dropout_elements": float(E * m * (units - dims[-1]) * K) if config.keep_prob < 1 else 0.0,
        "madds": 3.0 * E * m * weights * K,
        "elements": float(E * m * units * K),
        "stack_layer_steps": steps * L if K > 1 else 0,
        "layer_epochs": float(E * L),
        "eval_madds": float(evals * (m + m_dev) * weights * K),
        "ref_layer_steps": steps * L if reference else 0,
        "ref_elements": float(E * m * units) if reference else 0.0,
    }


def estimate_seconds(config: TrainConfig, m_train: int, n_x: int = 2, *, K: int = 1) -> float:
    """Estimated wall seconds of a whole run of ``config`` (K: a stack of K such configs)."""
    return sum(COST[name] * value for name, value in cost_terms(config, m_train, n_x, K).items())


def max_seconds(environ=None) -> float:
    """The cap in force: ``NNLAB_MAX_SECONDS`` if set (``inf`` disables it), else the default."""
    raw = (os.environ if environ is None else environ).get(ENV_VAR, "").strip()
    if not raw:
        return DEFAULT_MAX_SECONDS
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{ENV_VAR} must be a number of seconds or 'inf', got {raw!r}") from None
    if math.isnan(value) or value <= 0:
        raise ValueError(f"{ENV_VAR} must be a positive number of seconds, got {raw!r}")
    return value


class Budget:
    """Seconds of compute one interaction may spend, and a stop token.

    Parameters
    ----------
    seconds : float, optional; default :func:`max_seconds`.
    stop : callable() -> bool, optional; True when the work should end now (the learner's page
        has gone). Checked before every epoch of every run charged to this budget.
    """

    def __init__(self, seconds: float | None = None, *, stop=None):
        self.limit = max_seconds() if seconds is None else float(seconds)
        if math.isnan(self.limit) or self.limit <= 0:
            raise ValueError(f"seconds must be positive, got {seconds!r}")
        self.spent, self.stop, self.cancelled = 0.0, stop, False

    def require(self, seconds: float, what: str = "This run") -> None:
        """Raise ``BudgetError`` if ``seconds`` more would overspend the budget."""
        if self.spent + seconds > self.limit:
            raise BudgetError(
                f"{what} needs about {_duration(seconds)} of computing; this server allows "
                f"{_duration(self.limit)} per click. Use fewer epochs, fewer or narrower hidden "
                f"layers, larger mini-batches or fewer examples. Running nnlab on your own "
                f"machine? Set {ENV_VAR}=inf to lift the cap.")

    def require_runs(self, configs, what: str = "These runs") -> float:
        """:meth:`require` the estimate of ``configs`` (each run alone); returns it."""
        total = sum(estimate_seconds(c, expected_train_size(c)) for c in configs)
        self.require(total, what)
        return total

    def charge(self, seconds: float) -> str | None:
        """Spend ``seconds``; the reason to stop now, or None to go on."""
        if self.stop is not None and self.stop():
            self.cancelled = True
            return "the page that asked for this run has gone."
        self.spent += seconds
        return self.spent_reason() if self.spent > self.limit else None

    def spent_reason(self) -> str:
        return (f"this click's compute budget ({_duration(self.limit)}) is spent. Running "
                f"nnlab on your own machine? Set {ENV_VAR}=inf to lift the cap.")


def _duration(seconds: float) -> str:
    if math.isinf(seconds):
        return "unlimited time"
    if seconds < 100:
        return f"{seconds:.1f} s"
    return f"{seconds / 60:.0f} minutes"
