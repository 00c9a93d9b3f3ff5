"""Cost per iteration: the training loop of ``nnlab.train`` with a record of every mini-batch.

``nnlab.train.train`` keeps one cost per *epoch* (a pass over the training set). The lecture's
mini-batch picture plots the cost of every *iteration* (one mini-batch, one update): smooth for
batch gradient descent, noisy for mini-batches, very noisy for stochastic gradient descent.
:func:`record_iterations` runs the same steps as ``train``'s loop, with the same generators drawn
from the config's seed, so its per-epoch costs equal ``train(config).history["cost"]``; it also
keeps the cost of each mini-batch and the seconds each epoch took.

Counting, with ``m`` training examples and mini-batch size ``b``: one epoch is
``ceil(m / b)`` iterations (the last mini-batch holds ``m % b`` examples when that is not 0), and
``num_epochs`` epochs are ``num_epochs * ceil(m / b)`` iterations.
"""

from __future__ import annotations

import time

import numpy as np

from nnlab import losses, minibatch, model, optimizers
from nnlab.config import TrainConfig
from nnlab.initializers import initialize_parameters
from nnlab.train import _targets, learning_rate_for_epoch, make_dataset


def iteration_counts(m, mini_batch_size, num_epochs):
    """Plain counts of a run: mini-batches per epoch, the last one's size, iterations in all.

    Parameters
    ----------
    m : int
        Training examples, ``>= 1``.
    mini_batch_size : int or None
        ``>= 1``; None (or ``>= m``) is the whole training set (batch gradient descent).
    num_epochs : int
        ``>= 1``.

    Returns
    -------
    dict
        ``m``, ``mini_batch_size`` (the size actually used, at most ``m``), ``per_epoch``
        (``ceil(m / b)`` updates per epoch), ``full`` (complete mini-batches per epoch),
        ``last_size`` (examples in the last mini-batch), ``num_epochs`` and ``iterations``
        (``num_epochs * per_epoch``).
    """
    if isinstance(num_epochs, bool) or not isinstance(num_epochs, (int, np.integer)) or (
            num_epochs < 1):
        raise ValueError(f"num_epochs must be an integer >= 1, got {num_epochs!r}")
    if mini_batch_size is None:
        mini_batch_size = m
    per_epoch = minibatch.num_mini_batches(m, mini_batch_size)  # validates m and the size
    size = min(int(mini_batch_size), int(m))
    return {"m": int(m), "mini_batch_size": size, "per_epoch": per_epoch,
            "full": int(m) // size, "last_size": int(m) - (per_epoch - 1) * size,
            "num_epochs": int(num_epochs), "iterations": int(num_epochs) * per_epoch}


def record_iterations(config: TrainConfig, *, data=None, on_epoch=None) -> dict:
    """Train as ``nnlab.train.train`` does and record the cost of every mini-batch.

    Parameters
    ----------
    config : TrainConfig
        Early stopping (``patience``) is ignored: every epoch runs unless the cost diverges.
    data : nnlab.data.Dataset, optional
        Default ``make_dataset(config)``.
    on_epoch : callable(dict) -> bool, optional
        Called after every epoch with ``epoch``, ``num_epochs`` and ``cost``; returning True
        stops the run (status ``stopped``).

    Returns
    -------
    dict of plain values and 1-D float arrays
        ``cost`` (n_iter,): the cost of each mini-batch in its own forward pass, before its
        update, ``J_t = (1/b_t) sum_{i in batch t} L(a_i, y_i) + lambd/(2m) sum_l ||W_l||^2``;
        ``epoch`` (n_iter,): the epoch of each iteration; ``batch_size`` (n_iter,): ``b_t``;
        ``epoch_cost`` (n_epochs,): as ``train``'s history, the weighted mean
        ``sum_t (b_t / m) J_t`` over the epoch's iterations; ``epoch_seconds`` (n_epochs,): wall
        time of each epoch's loop; ``counts`` (:func:`iteration_counts`); ``status`` ("ok",
        "diverged" or "stopped") and ``message``.

    Notes
    -----
    Same generators as ``train``'s readable loop: weights from ``default_rng([seed, 0])``,
    shuffles from one ``default_rng([seed, 1])``, dropout masks from ``default_rng([seed, 2])``
    (re-made at every step when ``dropout_mask == "fixed"``). A run whose cost becomes NaN (or
    infinite outside the course's numerics) stops after that epoch, reported as ``diverged``.
    """
    if not isinstance(config, TrainConfig):
        raise ValueError(f"config must be a TrainConfig, got {type(config).__name__}")
    data = make_dataset(config) if data is None else data
    X, T = data.X_train, _targets(data.Y_train, config)
    m = X.shape[1]
    size = m if config.mini_batch_size is None else min(config.mini_batch_size, m)
    parameters = initialize_parameters(config.layer_dims(data.n_x), config.initializer,
                                       scale=config.init_scale,
                                       rng=np.random.default_rng([config.seed, 0]),
                                       batch_norm=config.batch_norm)
    L = model.num_layers(parameters)
    shuffle_rng = np.random.default_rng([config.seed, 1])
    mask_rng = np.random.default_rng([config.seed, 2])
    fwd = dict(hidden_activation=config.hidden_activation, output=config.output_activation,
               keep_prob=config.keep_prob, batch_norm=config.batch_norm,
               bn_momentum=config.bn_momentum, numerics=config.numerics)
    hyper = dict(beta=config.beta, beta1=config.beta1, beta2=config.beta2,
                 epsilon=config.epsilon, bias_correction=config.bias_correction)
    state = optimizers.init_optimizer_state(config.optimizer, parameters)
    bn_state = {}
    rec = {"cost": [], "epoch": [], "batch_size": [], "epoch_cost": [], "epoch_seconds": []}
    status, message = "ok", f"Trained {config.num_epochs} epochs."
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        for epoch in range(config.num_epochs):
            start = time.perf_counter()
            lr = learning_rate_for_epoch(config, epoch)
            batches = (minibatch.random_mini_batches(X, T, size, rng=shuffle_rng) if size < m
                       else [(X, T)])
            ce_total = l2_total = 0.0
            for Xb, Yb in batches:
                rng = (np.random.default_rng([config.seed, 2]) if config.dropout_mask == "fixed"
                       else mask_rng)
                AL, caches, bn_state = model.forward(Xb, parameters, rng=rng, bn_state=bn_state,
                                                     **fwd)
                ce = model.cross_entropy_sum(AL, caches, Yb, output=fwd["output"],
                                             numerics=config.numerics)
                l2 = losses.l2_penalty(parameters, config.lambd, m, L) if config.lambd else 0.0
                b = Xb.shape[1]
                ce_total += ce
                l2_total += b / m * l2
                rec["cost"].append(ce / b + l2)
                rec["epoch"].append(epoch)
                rec["batch_size"].append(b)
                grads = model.backward(AL, Yb, caches, parameters, lambd=config.lambd, l2_m=m,
                                       hidden_activation=config.hidden_activation)
                parameters, state = optimizers.optimizer_step(
                    config.optimizer, parameters, grads, state, lr, **hyper)
            # The same two forms as train: (1/m) * sum for one batch, total / m for several.
            cost = ((1.0 / m) * ce_total if len(batches) == 1 else ce_total / m) + l2_total
            rec["epoch_cost"].append(cost)
            rec["epoch_seconds"].append(time.perf_counter() - start)
            finite = all(np.all(np.isfinite(v)) for v in parameters.values())
            if np.isnan(cost) or (np.isinf(cost) and config.numerics != "course") or not finite:
                status = "diverged"
                message = (f"Diverged at epoch {epoch}: the cost became {cost}. Try a smaller "
                           f"learning rate (it was {lr:g}).")
                break
            if on_epoch is not None and on_epoch(
                    {"epoch": epoch, "num_epochs": config.num_epochs, "cost": cost}):
                status, message = "stopped", f"Stopped at epoch {epoch} by request."
                break
    out = {k: np.asarray(v, dtype=float) for k, v in rec.items()}
    out.update(counts=iteration_counts(m, size, config.num_epochs), status=status,
               message=message)
    return out
