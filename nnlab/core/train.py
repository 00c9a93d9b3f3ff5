"""Training entry points: ``start(config) -> Run`` and ``train(config) -> TrainResult``.

``train(config)`` is ``start(config).advance().snapshot()``: one loop (``nnlab.core.loop.Run``)
serves the playground, the notebook API and the course's reproductions. See ``nnlab.core.loop``
for the protocol and ``nnlab.core.network`` / ``nnlab.core.reference`` for what one step computes.
"""

from __future__ import annotations

import time

import numpy as np

from nnlab.config import TrainConfig
from nnlab.core.loop import (  # noqa: F401  (the public names of the training loop, re-exported)
    MAX_EVALUATIONS,
    Run,
    early_stop_message,
    learning_rate_for_epoch,
    make_dataset,
)
from nnlab.core.network import Network
from nnlab.core.reference import Reference, evaluate, predict_options  # noqa: F401
from nnlab.core.result import TrainResult  # noqa: F401
from nnlab.spec.initializers import initialize_parameters


def initial_parameters(config: TrainConfig, n_x: int = 2) -> dict:
    """The parameters a run of ``config`` starts from: ``config.initializer`` drawn from
    ``np.random.default_rng([seed, 0])``."""
    return initialize_parameters(config.layer_dims(n_x), config.initializer,
                                 scale=config.init_scale,
                                 rng=np.random.default_rng([config.seed, 0]),
                                 batch_norm=config.batch_norm)


def update_rule(config: TrainConfig) -> str:
    """The course-notation function whose formula every step of ``config`` applies."""
    return f"nnlab.spec.optimizers.{config.optimizer}_step"


def start(config: TrainConfig, *, data=None, parameters=None, shuffle_rng=None, on_epoch=None,
          on_batch=None, eval_every=None, fast=True, budget=None) -> Run:
    """A run of ``config`` at epoch 0, ready to ``advance``.

    Parameters
    ----------
    config : TrainConfig
    data : nnlab.data.datasets.Dataset, optional; default ``make_dataset(config)``.
    parameters : dict, optional; initial parameters (default :func:`initial_parameters`);
        copied or kept, never modified.
    shuffle_rng : callable epoch -> generator, optional; the generator that shuffles epoch i
        (the course re-seeds ``RandomState(10 + i + 1)`` every epoch). Default: one generator
        from ``[seed, 1]`` for the whole run.
    on_epoch : callable(dict) -> bool, optional
        Called after every epoch with ``epoch``, ``num_epochs``, ``cost``, ``learning_rate``,
        ``parameters`` (a copy) and the accuracies when evaluated. True stops the run
        (status ``stopped``).
    on_batch : callable(dict), optional
        Called after every mini-batch step with ``epoch``, ``batch`` (its index in the epoch),
        ``size``, ``cost`` (that mini-batch's cost before its update, with the L2 term) and
        ``learning_rate``.
    eval_every : int, optional; evaluate accuracies every this many epochs (default: at most
        ``MAX_EVALUATIONS`` times), and always at the last epoch.
    fast : bool, default True; step with ``nnlab.core.network.Network`` (fused NumPy operations;
        the same history to 1e-12) where it covers the config (all but batch norm). False
        steps with ``nnlab.core.reference.Reference``, the course-notation functions.
    budget : nnlab.core.budget.Budget, optional; charged before every epoch, and the run stops
        (status ``stopped``) when it is spent or its stop token says so.

    Returns
    -------
    nnlab.core.loop.Run
    """
    started = time.perf_counter()
    if not isinstance(config, TrainConfig):
        raise ValueError(f"config must be a TrainConfig, got {type(config).__name__}")
    data = make_dataset(config) if data is None else data
    if parameters is None:
        parameters = initial_parameters(config, data.n_x)
    if fast and not config.batch_norm:
        net = Network([config], [parameters], data)
    else:
        net = Reference(config, parameters, data)
    net.rule = update_rule(config)
    return Run([config], data, net, shuffle_rng=shuffle_rng, eval_every=eval_every,
               on_epoch=on_epoch, on_batch=on_batch, budget=budget, started=started)


def train(config: TrainConfig, *, data=None, parameters=None, shuffle_rng=None, on_epoch=None,
          on_batch=None, eval_every=None, fast=True, budget=None) -> TrainResult:
    """Train a network as ``config`` says: :func:`start` (same arguments) advanced to the end.

    Returns
    -------
    TrainResult
        A diverged run is a result (``status == "diverged"``, the last good parameters), not an
        exception.
    """
    run = start(config, data=data, parameters=parameters, shuffle_rng=shuffle_rng,
                on_epoch=on_epoch, on_batch=on_batch, eval_every=eval_every, fast=fast,
                budget=budget)
    return run.advance().snapshot()
