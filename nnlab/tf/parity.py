"""nnlab and TensorFlow trained on the same config, compared: :func:`compare` gives a
:class:`Parity` (both cost curves and the largest differences of the costs and parameters).
TensorFlow is imported by :mod:`nnlab.tf.bridge` inside its functions only."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnlab.config import TrainConfig
from nnlab.core.train import make_dataset, train
from nnlab.tf.bridge import TFRun, check_supported, initial_parameters, train_tf

#: Largest |nnlab - TensorFlow| of the costs and of the parameters with ``exact=True``: the two
#: do the same float64 arithmetic in another order, so only round-off is left (measured: about
#: 1e-15 after a few hundred steps).
PARITY_TOLERANCE = 1e-12
#: Largest cost difference with ``exact=False`` (Keras as a learner writes it) on runs of a few
#: hundred steps: float32 hyperparameters (about 3e-8 relative) give about 1e-8, Adam's
#: "epsilon hat" about 5e-6. Parameters whose gradient is almost 0 differ far more under Adam
#: (1e-3 was seen): there ``epsilon`` is as large as ``sqrt(s)`` and decides the step.
AS_WRITTEN_COST_TOLERANCE = 1e-5


@dataclass(frozen=True, eq=False)
class Parity:
    """nnlab and TensorFlow trained on the same config: both ``cost`` curves (per epoch), the
    largest ``|difference|`` of each parameter (``param_diff``), of all parameters
    (``max_param_diff``) and of the costs (``max_cost_diff``), and both runs."""

    config: TrainConfig
    nnlab_cost: np.ndarray
    tf_cost: np.ndarray
    param_diff: dict
    max_param_diff: float
    max_cost_diff: float
    nnlab: object
    tf: TFRun

    exact: bool = True

    @property
    def tolerance(self) -> float:
        return PARITY_TOLERANCE if self.exact else AS_WRITTEN_COST_TOLERANCE

    @property
    def agree(self) -> bool:
        """Same number of epochs and costs within :attr:`tolerance`; with ``exact`` the
        parameters too (without it, Adam's parameters can differ more: see the notes)."""
        worst = max(self.max_cost_diff, self.max_param_diff if self.exact else 0.0)
        return len(self.nnlab_cost) == len(self.tf_cost) and worst <= self.tolerance


def compare(config: TrainConfig, *, on_epoch=None, exact: bool = True, budget=None) -> Parity:
    """Train ``config`` with nnlab (:func:`nnlab.core.train.train`) and with TensorFlow
    (:func:`nnlab.tf.bridge.train_tf`) from the same data, initial values and mini-batch
    order; compare.
    ``budget`` (``nnlab.core.budget.Budget``) is charged by nnlab's run; the TensorFlow run's
    ``on_epoch`` can stop it."""
    check_supported(config)
    data = make_dataset(config)
    ours = train(config, data=data, parameters=initial_parameters(config, data.n_x),
                 budget=budget)
    theirs = train_tf(config, data=data, on_epoch=on_epoch, exact=exact)
    n = min(len(ours.history["cost"]), len(theirs.cost))
    a, b = ours.history["cost"][:n], theirs.cost[:n]
    cost_diff = float(np.max(np.abs(a - b))) if n else float("nan")
    diff = {key: float(np.max(np.abs(ours.parameters[key] - theirs.parameters[key])))
            for key in ours.parameters}
    return Parity(config, ours.history["cost"], theirs.cost, diff, max(diff.values()),
                  cost_diff, ours, theirs, exact)
