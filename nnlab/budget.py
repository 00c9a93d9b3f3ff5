"""A compute budget per run, so that one request cannot hold a shared server for minutes.

The work of a run is estimated as multiply-adds: ``3 * num_epochs * m_train * sum_l n_l n_{l-1}``
(forward 1x, backward 2x). The public demo caps it; a learner running nnlab locally can raise
the cap with the environment variable ``NNLAB_MAX_WORK`` (a number, or ``inf`` for none).
"""

from __future__ import annotations

import math
import os

from nnlab.config import TrainConfig

DEFAULT_MAX_WORK = 3e10  # about 10-30 s of NumPy on one core for the small networks here
ENV_VAR = "NNLAB_MAX_WORK"


class BudgetError(ValueError):
    """A run estimated to need more work than the server allows."""


def estimate_work(config: TrainConfig, m_train: int, n_x: int = 2) -> float:
    """Multiply-adds of a whole run: ``3 * epochs * m * sum_l n_l * n_{l-1}``."""
    dims = config.layer_dims(n_x)
    weights = sum(a * b for a, b in zip(dims[:-1], dims[1:], strict=True))
    return 3.0 * config.num_epochs * m_train * weights


def expected_train_size(config: TrainConfig) -> int:
    """Training examples the config's data set will have (as ``nnlab.data.split`` cuts it)."""
    if config.dataset == "football":
        return 211
    m = config.n_samples
    return m - round(config.fractions[1] * m) - round(config.fractions[2] * m)


def max_work(environ=None) -> float:
    """The cap in force: ``NNLAB_MAX_WORK`` if set (``inf`` disables it), else the default."""
    raw = (os.environ if environ is None else environ).get(ENV_VAR, "").strip()
    if not raw:
        return DEFAULT_MAX_WORK
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{ENV_VAR} must be a number or 'inf', got {raw!r}") from None
    if math.isnan(value) or value <= 0:
        raise ValueError(f"{ENV_VAR} must be positive, got {raw!r}")
    return value


def check_budget(config: TrainConfig, m_train: int, n_x: int = 2, limit: float | None = None):
    """Raise ``BudgetError`` with a plain explanation if the run is over the cap."""
    limit = max_work() if limit is None else limit
    work = estimate_work(config, m_train, n_x)
    if work > limit:
        raise BudgetError(
            f"This run needs about {work / 1e9:.1f} billion multiply-adds ({config.num_epochs} "
            f"epochs x {m_train} examples x {work / (3 * config.num_epochs * m_train):,.0f} "
            f"weights x 3); this server allows {limit / 1e9:.1f} billion per run. Use fewer "
            f"epochs, fewer or narrower hidden layers, or fewer examples. Running nnlab "
            f"locally? Set {ENV_VAR}=inf to lift the cap.")
    return work
