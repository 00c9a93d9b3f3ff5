"""The training loop: ``train(config) -> TrainResult``.

One loop serves the playground, the notebook API and the course's reproductions. Each epoch
shuffles the training set into mini-batches, and each mini-batch runs forward, cost, backward and
one optimizer step. A cost that becomes NaN (or infinite, outside the course's numerics) ends
the run as ``diverged``; it never raises.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from nnlab import data as datamod
from nnlab import losses, minibatch, model, optimizers, schedules
from nnlab.config import TrainConfig
from nnlab.initializers import initialize_parameters

MAX_EVALUATIONS = 200  # accuracies are evaluated at most this many times per run


@dataclass(frozen=True, eq=False)
class TrainResult:
    """What a run returns: the config, final parameters, history, status and timing.

    ``history`` maps a column name to a 1-D array with one entry per epoch run: ``epoch``,
    ``cost``, ``learning_rate``, ``grad_norm_{l}`` (Frobenius norm of ``dW_l`` at the epoch's
    last step), and ``train_accuracy``, ``dev_accuracy``, ``dev_cost`` (NaN between
    evaluations). ``status`` is ``ok``, ``diverged`` or ``stopped``, explained by ``message``.
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


def predict_options(config: TrainConfig, bn_state) -> dict:
    return dict(hidden_activation=config.hidden_activation, output=config.output_activation,
                batch_norm=config.batch_norm, bn_state=bn_state)


def make_dataset(config: TrainConfig):
    """The config's data set, drawn (or, for ``"custom"``, split) with
    ``RandomState(config.data_seed)``."""
    if config.dataset == "custom":
        X = np.array(config.custom_data[:2], dtype=float)
        Y = np.array(config.custom_data[2:], dtype=float)
        return datamod.dataset_from_arrays(X, Y, name="custom", fractions=config.fractions,
                                           normalize=config.normalize,
                                           rng=np.random.RandomState(config.data_seed))
    return datamod.load_dataset(
        config.dataset, n_samples=config.n_samples, noise=config.noise,
        n_classes=config.n_classes, fractions=config.fractions, normalize=config.normalize,
        rng=np.random.RandomState(config.data_seed))


def learning_rate_for_epoch(config: TrainConfig, epoch: int) -> float:
    """Epoch 0 runs with ``learning_rate``; after epoch i the rate becomes ``decay(lr0, i)``."""
    if config.schedule == "constant" or epoch == 0:
        return config.learning_rate
    return schedules.learning_rate_at(
        config.schedule, config.learning_rate, epoch - 1, decay_rate=config.decay_rate,
        time_interval=config.time_interval, base=config.decay_base, k=config.k,
        drop=config.drop, epochs_drop=config.epochs_drop)


def _targets(Y, config):
    return datamod.one_hot(Y, config.n_classes) if config.output_activation == "softmax" else Y


def _evaluate(parameters, bn_state, X, Y, config):
    """(accuracy, cost without L2) on a whole set in test mode."""
    opts = predict_options(config, bn_state)
    mode = "test" if config.batch_norm else "train"  # no dropout: keep_prob stays 1 here
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        AL, caches, _ = model.forward(X, parameters, mode=mode, numerics=config.numerics, **opts)
        cost = model.cross_entropy_sum(AL, caches, _targets(Y, config),
                                       output=config.output_activation,
                                       numerics=config.numerics) / Y.shape[1]
    pred = (AL > 0.5).astype(float) if AL.shape[0] == 1 else np.argmax(AL, 0)[None].astype(float)
    return model.accuracy(pred, Y), cost


def _finite(parameters):
    return all(np.all(np.isfinite(v)) for v in parameters.values())


def early_stop_message(epoch: int, patience: int, best) -> str:
    """Why an early-stopped run ended; ``best`` is ``(dev cost, epoch, parameters)``."""
    return (f"Early stopping at epoch {epoch}: the dev cost has not improved for {patience} "
            f"epochs; kept the parameters of epoch {best[1]} (dev cost {best[0]:.4f}).")


def _pad_eval(hist):
    for key in ("train_accuracy", "dev_accuracy", "dev_cost"):
        hist[key].append(np.nan)


def _final_metrics(parameters, bn_state, data, config) -> dict:
    """Train/dev/test accuracy (NaN for an empty set) and train cost of the final parameters."""
    out = {}
    for part in ("train", "dev", "test"):
        X, Y = getattr(data, f"X_{part}"), getattr(data, f"Y_{part}")
        acc, cost = (_evaluate(parameters, bn_state, X, Y, config) if X.shape[1]
                     else (np.nan, np.nan))
        out[f"{part}_accuracy"], out[f"{part}_cost"] = float(acc), float(cost)
    return out


def train(config: TrainConfig, *, data=None, parameters=None, shuffle_rng=None, on_epoch=None,
          eval_every=None, fast=True) -> TrainResult:
    """Train a network as ``config`` says.

    Parameters
    ----------
    config : TrainConfig
    data : nnlab.data.Dataset, optional; default ``make_dataset(config)``.
    parameters : dict, optional; initial parameters (default: drawn by ``config.initializer``
        from ``np.random.default_rng([seed, 0])``).
    shuffle_rng : callable epoch -> generator, optional; the generator that shuffles epoch i
        (the course re-seeds ``RandomState(10 + i + 1)`` every epoch). Default: one generator
        from ``[seed, 1]`` for the whole run.
    on_epoch : callable(dict) -> bool, optional
        Called after every epoch with ``epoch``, ``num_epochs``, ``cost``, ``learning_rate``,
        ``parameters`` (the current ones: read, don't modify) and the accuracies when evaluated.
        Returning True stops the run (status ``stopped``).
    eval_every : int, optional; evaluate accuracies every this many epochs (default: at most
        ``MAX_EVALUATIONS`` times), and always at the last epoch.
    fast : bool, default True; hand the run to ``nnlab.fastpath`` when it covers the config
        (the same history to 1e-12, in fewer and fused NumPy operations). False forces this
        loop, the readable reference.

    Returns
    -------
    TrainResult
    """
    if not isinstance(config, TrainConfig):
        raise ValueError(f"config must be a TrainConfig, got {type(config).__name__}")
    start = time.perf_counter()
    data = make_dataset(config) if data is None else data
    dims = config.layer_dims(data.n_x)
    if parameters is None:
        parameters = initialize_parameters(dims, config.initializer, scale=config.init_scale,
                                           rng=np.random.default_rng([config.seed, 0]),
                                           batch_norm=config.batch_norm)
    from nnlab import fastpath  # imports this module: import it late
    if fast and fastpath.supports(config):
        return fastpath.train_fast(config, data, parameters, shuffle_rng=shuffle_rng,
                                   on_epoch=on_epoch, eval_every=eval_every, start=start)
    X, Y = data.X_train, data.Y_train
    T = _targets(Y, config)
    m = X.shape[1]
    size = m if config.mini_batch_size is None else min(config.mini_batch_size, m)
    L = model.num_layers(parameters)
    persistent_shuffle = np.random.default_rng([config.seed, 1])
    mask_rng = np.random.default_rng([config.seed, 2])
    every = eval_every or max(1, config.num_epochs // MAX_EVALUATIONS)
    fwd = dict(hidden_activation=config.hidden_activation, output=config.output_activation,
               keep_prob=config.keep_prob, batch_norm=config.batch_norm,
               bn_momentum=config.bn_momentum, numerics=config.numerics)
    hyper = dict(beta=config.beta, beta1=config.beta1, beta2=config.beta2,
                 epsilon=config.epsilon, bias_correction=config.bias_correction)
    state = optimizers.init_optimizer_state(config.optimizer, parameters)
    bn_state, good = {}, (parameters, {})
    cols = ["epoch", "cost", "learning_rate", "train_accuracy", "dev_accuracy", "dev_cost"]
    hist = {c: [] for c in cols + [f"grad_norm_{l}" for l in range(1, L + 1)]}
    status, message, best = "ok", "", (np.inf, None, None)
    # Overflow is an outcome here (a diverging run), detected below and reported, not a warning.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        for epoch in range(config.num_epochs):
            lr = learning_rate_for_epoch(config, epoch)
            rng = shuffle_rng(epoch) if shuffle_rng else persistent_shuffle
            batches = (minibatch.random_mini_batches(X, T, size, rng=rng) if size < m
                       else [(X, T)])
            ce_total = l2_total = 0.0
            for Xb, Yb in batches:
                masks_rng = np.random.default_rng([config.seed, 2]) if (
                    config.dropout_mask == "fixed") else mask_rng
                AL, caches, bn_state = model.forward(Xb, parameters, rng=masks_rng,
                                                     bn_state=bn_state, **fwd)
                ce_total += model.cross_entropy_sum(AL, caches, Yb, output=fwd["output"],
                                                    numerics=config.numerics)
                if config.lambd:
                    l2_total += Xb.shape[1] / m * losses.l2_penalty(parameters, config.lambd, m, L)
                grads = model.backward(AL, Yb, caches, parameters, lambd=config.lambd, l2_m=m,
                                       hidden_activation=config.hidden_activation)
                parameters, state = optimizers.optimizer_step(
                    config.optimizer, parameters, grads, state, lr, **hyper)
            # The course averages one batch as (1/m) * sum and an epoch's total as total / m.
            cost = ((1.0 / m) * ce_total if len(batches) == 1 else ce_total / m) + l2_total
            hist["epoch"].append(epoch)
            hist["cost"].append(cost)
            hist["learning_rate"].append(lr)
            for l in range(1, L + 1):
                hist[f"grad_norm_{l}"].append(float(np.linalg.norm(grads[f"dW{l}"])))
            bad_cost = np.isnan(cost) or (np.isinf(cost) and config.numerics != "course")
            if bad_cost or not _finite(parameters):
                what = f"the cost became {cost}" if bad_cost else "the parameters overflowed"
                status = "diverged"
                message = (f"Diverged at epoch {epoch}: {what}. Try a smaller learning rate "
                           f"(it was {lr:g}).")
                _pad_eval(hist)
                break
            good = (parameters, bn_state)
            info = {"epoch": epoch, "num_epochs": config.num_epochs, "cost": cost,
                    "learning_rate": lr, "parameters": parameters}
            last = epoch == config.num_epochs - 1
            if epoch % every == 0 or last or config.patience:
                tr_acc, _ = _evaluate(parameters, bn_state, X, Y, config)
                dev_acc, dev_cost = (_evaluate(parameters, bn_state, data.X_dev, data.Y_dev, config)
                                     if data.m_dev else (np.nan, np.nan))
                hist["train_accuracy"].append(tr_acc)
                hist["dev_accuracy"].append(dev_acc)
                hist["dev_cost"].append(dev_cost)
                info.update(train_accuracy=tr_acc, dev_accuracy=dev_acc, dev_cost=dev_cost)
                if config.patience and dev_cost < best[0]:
                    best = (dev_cost, epoch, good)
            else:
                _pad_eval(hist)
            if config.patience and best[1] is not None and epoch - best[1] >= config.patience:
                status, message = "stopped", early_stop_message(epoch, config.patience, best)
                good = best[2]
                break
            if on_epoch is not None and on_epoch(info):
                status, message = "stopped", f"Stopped at epoch {epoch} by request."
                break
    parameters, bn_state = good
    history = {k: np.asarray(v, dtype=float) for k, v in hist.items()}
    metrics = _final_metrics(parameters, bn_state, data, config)
    if status == "ok":
        message = (f"Trained {config.num_epochs} epochs: train accuracy "
                   f"{metrics['train_accuracy']:.3f}, dev accuracy {metrics['dev_accuracy']:.3f}.")
    return TrainResult(config, parameters, bn_state, history, status, message,
                       time.perf_counter() - start, len(history["epoch"]), best[1], metrics)
