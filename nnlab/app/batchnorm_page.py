"""Glue of the "Batch norm" page: runs with parameter snapshots, pre-activations, test-time
statistics.

:func:`train_snapshots` is ``train_cached`` plus copies of the parameters at a few epochs
(taken from ``train``'s ``on_epoch`` callback), so the page can draw how the hidden
pre-activations evolve. The numbers (pre-activations, tiny-batch predictions) come from
``nnlab.spec.model.forward`` on those parameters; nothing here re-implements the network.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nnlab.app.runs import Work, cached_work, register_run
from nnlab.config import TrainConfig
from nnlab.core.budget import estimate_seconds, expected_train_size
from nnlab.core.train import TrainResult, make_dataset, predict_options, train
from nnlab.spec import model
from nnlab.spec.initializers import initialize_parameters

#: The deeper network of the page: five hidden layers of 10 ReLU units, mini-batches of 64.
BASE = TrainConfig(dataset="moons", n_samples=300, hidden_units=(10,) * 5, num_epochs=100,
                   mini_batch_size=64, learning_rate=0.1)
DEFAULT_RATES = (0.1, 1.0, 3.0)
RATE_CHOICES = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
EPOCH_CHOICES = (30, 50, 100, 200, 300)
MAX_LAYERS = 8
MAX_UNITS = 32
#: Fractions of the run at which the parameters are kept (0 is before any update).
SNAPSHOT_FRACTIONS = (0.0, 0.1, 0.3, 1.0)
TINY_BATCHES = (1, 2, 4, 8, 16)


def snapshot_epochs(num_epochs: int) -> tuple[int, ...]:
    """Epochs whose end-of-epoch parameters are kept (``-1`` means the initial ones)."""
    out = [-1] + [max(0, int(round(f * num_epochs)) - 1) for f in SNAPSHOT_FRACTIONS[1:]]
    return tuple(dict.fromkeys(out))


def _copy(parameters: dict) -> dict:
    return {k: np.array(v, copy=True) for k, v in parameters.items()}


@cached_work(max_entries=64)
def _train_snapshots(work: Work, config: TrainConfig, _label: str = ""):
    """``(TrainResult, {epoch: parameters})``, with a progress bar."""
    work.require(estimate_seconds(config, expected_train_size(config)))
    work.part(0, 1, _label)
    keep = set(snapshot_epochs(config.num_epochs))
    snaps: dict[int, dict] = {}

    def on_epoch(info: dict) -> bool:
        if info["epoch"] in keep:
            snaps[info["epoch"]] = _copy(info["parameters"])
        return work.on_epoch(info)

    data = make_dataset(config)
    initial = initialize_parameters(config.layer_dims(data.n_x), config.initializer,
                                    scale=config.init_scale,
                                    rng=np.random.default_rng([config.seed, 0]),
                                    batch_norm=config.batch_norm)
    snaps[-1] = _copy(initial)
    result = train(config, data=data, parameters=initial, on_epoch=on_epoch, budget=work.budget)
    return result, snaps


def train_snapshots(config: TrainConfig, label: str) -> tuple[TrainResult, dict]:
    """Train (cached) and register ``config``; returns the result and its snapshots."""
    result, snaps = _train_snapshots(config, _label=label)
    register_run(result, label)
    return result, snaps


def variant_label(lr: float, batch_norm: bool) -> str:
    return f"{'BN' if batch_norm else 'plain'}, α={lr:g}"


def preactivations(config: TrainConfig, parameters: dict, X, layer: int) -> np.ndarray:
    """The input of layer ``layer``'s activation, ``(n_l, m)``: ``Z`` for a plain layer,
    ``gamma * Z_norm + beta`` for a batch-norm layer (normalized with the statistics of
    ``X`` itself, as in a training step)."""
    L = model.num_layers(parameters)
    if not 1 <= layer < L:
        raise ValueError(f"layer must be a hidden layer 1..{L - 1}, got {layer}")
    with np.errstate(all="ignore"):
        _, caches, _ = model.forward(X, parameters, hidden_activation=config.hidden_activation,
                                     output=config.output_activation,
                                     batch_norm=config.batch_norm, mode="train")
    return caches[layer - 1]["Z"]


def tiny_batch_accuracy(result: TrainResult, X, Y, batch_size: int) -> float:
    """Accuracy when every batch of ``batch_size`` consecutive examples is normalized with its
    own mean and variance (``mode="train"``) instead of the running averages."""
    batch_size = int(batch_size)
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    opts = predict_options(result.config, result.bn_state)
    opts.pop("bn_state")
    preds = []
    with np.errstate(all="ignore"):
        for start in range(0, X.shape[1], batch_size):
            AL, _, _ = model.forward(X[:, start:start + batch_size], result.parameters,
                                     mode="train", **opts)
            preds.append((AL > 0.5).astype(float) if AL.shape[0] == 1
                         else np.argmax(AL, 0)[None].astype(float))
    return model.accuracy(np.hstack(preds), Y)


def test_time_rows(result: TrainResult, data, sizes: Sequence[int] = TINY_BATCHES) -> list[dict]:
    """Test accuracy with the running averages, and with each batch's own statistics (rows
    with ``normalized with``, a ``short`` label and ``test accuracy``)."""
    X, Y = data.X_test, data.Y_test
    rows = [{"normalized with": "running averages (μ, σ² from training)",
             "short": "running avg.", "test accuracy": float(result.metrics["test_accuracy"])}]
    for b in sizes:
        rows.append({"normalized with": f"its own batch of {b}", "short": f"batch of {b}",
                     "test accuracy": tiny_batch_accuracy(result, X, Y, b)})
    rows.append({"normalized with": f"the whole test set as one batch ({X.shape[1]})",
                 "short": "whole test set",
                 "test accuracy": tiny_batch_accuracy(result, X, Y, X.shape[1])})
    return rows


def dev_curve(result: TrainResult) -> tuple[np.ndarray, np.ndarray]:
    """``(epochs, dev accuracy)`` at the evaluated epochs."""
    epoch, dev = result.history["epoch"], result.history["dev_accuracy"]
    keep = np.isfinite(dev)
    return epoch[keep], dev[keep]


def gamma_beta(parameters: dict, layer: int) -> tuple[dict, dict]:
    """``{"unit i": gamma_i}`` and ``{"unit i": beta_i}`` of a batch-norm layer."""
    g, b = parameters[f"gamma{layer}"].ravel(), parameters[f"beta{layer}"].ravel()
    return ({f"unit {i + 1}": float(v) for i, v in enumerate(g)},
            {f"unit {i + 1}": float(v) for i, v in enumerate(b)})
