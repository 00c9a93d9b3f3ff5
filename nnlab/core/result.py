"""What a training run returns: :class:`TrainResult`, a plain result object."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nnlab.config import TrainConfig
from nnlab.core.reference import predict_options
from nnlab.spec import model


@dataclass(frozen=True, eq=False)
class TrainResult:
    """What a run returns: the config, final parameters, history, status and timing.

    ``history`` maps a column name to a 1-D array with one entry per epoch run: ``epoch``,
    ``cost``, ``learning_rate``, ``grad_norm_{l}`` (Frobenius norm of ``dW_l`` at the epoch's
    last step), and ``train_accuracy``, ``dev_accuracy``, ``dev_cost`` (NaN between
    evaluations). ``status`` is ``ok``, ``diverged`` or ``stopped`` (``running`` in a snapshot
    of a run still going), explained by ``message``. ``update_rule`` names the function whose
    formula every step applied (e.g. ``"nnlab.spec.optimizers.adam_step"``), ``backend`` the
    class that computed the steps (``"nnlab.core.network.Network"``, the fast network, or
    ``"nnlab.core.reference.Reference"``, the course-notation functions).
    """

    config: TrainConfig
    parameters: dict
    bn_state: dict
    history: dict
    status: str
    message: str
    seconds: float
    epochs_run: int
    best_epoch: int | None = None
    metrics: dict = field(default_factory=dict)
    update_rule: str = ""
    backend: str = ""

    @property
    def final_cost(self) -> float:
        costs = self.history["cost"]
        finite = costs[np.isfinite(costs)]
        return float(finite[-1]) if finite.size else float("nan")

    def predict(self, X):
        """Labels ``(1, m)`` for inputs ``X`` ``(n_x, m)`` with the final parameters."""
        return model.predict(X, self.parameters, **predict_options(self.config, self.bn_state))

    def predict_proba(self, X):
        """Output probabilities ``(n_y, m)`` with the final parameters."""
        return model.predict_proba(X, self.parameters,
                                   **predict_options(self.config, self.bn_state))
