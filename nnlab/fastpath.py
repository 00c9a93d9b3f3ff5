"""The training loop's fast path: the pure loop's arithmetic with fewer, fused operations.

``nnlab.train.train`` hands a run to :func:`train_fast` when :func:`supports` says the config is
covered (everything but batch norm). It computes what ``model.forward``, ``model.backward`` and
``optimizers.optimizer_step`` compute, rearranged so that a step takes fewer NumPy calls; a run
gives the readable loop's history to round-off (1e-12; ``tests/test_fastpath.py`` checks every
option). What it saves:

The network itself is ``nnlab.fastnet.Net``.

- All parameters live in one flat array and all gradients in another: an optimizer step is a
  handful of whole-array operations instead of a few per parameter, and the momentum and Adam
  averages are kept divided by ``1 - beta`` (one operation fewer each; see ``Net.step``).
- The bias is folded into the weights: ``[W | b] @ [A; 1]`` is ``W A + b`` in one product, and
  ``[dW | db]`` comes out of one product too (see ``Net``).
- The sigmoid and its cross-entropy are fused: the softplus of ``S * Z`` gives the cost, and
  ``dZ = sigmoid(Z) - Y`` follows from it (see ``Net.output``).
- Hidden-layer intermediates go into buffers allocated once (``out=``); nothing is validated
  again at every step (the config was validated once).
- A full batch's evaluation doubles as the next epoch's forward pass, and a run's last
  evaluation as its final metrics (same parameters, same inputs).
- A relu layer of ``fastnet.PARALLEL_MIN`` values or more runs as two halves in two threads,
  with one BLAS thread each (``nnlab._blas``).
- ``dtype="float32"`` runs in single precision (float64 is the reference).
"""

from __future__ import annotations

import contextlib
import math
import time

import numpy as np

from nnlab._blas import one_blas_thread
from nnlab.fastnet import Net
from nnlab.train import (
    MAX_EVALUATIONS,
    TrainResult,
    _pad_eval,
    _targets,
    early_stop_message,
    learning_rate_for_epoch,
)

EVAL_CHUNK = 2048  # columns per evaluation pass when training on smaller mini-batches


def supports(config) -> bool:
    """Whether the fast path covers ``config`` (batch norm runs on the pure path)."""
    return not config.batch_norm


def _augmented(X, T, config, dt):
    """``[X; 1]`` (the row of ones that multiplies the biases), targets, ``S = 1 - 2T``."""
    Xa = np.ones((X.shape[0] + 1, X.shape[1]), dt)
    Xa[:-1] = X
    T = np.asarray(_targets(T, config), dt)
    return Xa, T, 1.0 - 2.0 * T


def _batches(Xa, T, S, size, order):
    """The epoch's mini-batches ``(Xa, T, S, S / b)``, shuffled by ``order`` (None: in order)."""
    m = Xa.shape[1]
    if order is not None:
        Xa, T, S = Xa[:, order], T[:, order], S[:, order]
    Sm = np.multiply(S, 1.0 / size)
    if m % size:
        np.multiply(S[:, m - m % size:], 1.0 / (m % size), out=Sm[:, m - m % size:])
    return [(Xa[:, k:k + size], T[:, k:k + size], S[:, k:k + size], Sm[:, k:k + size])
            for k in range(0, m, size)]


def _metrics(net, data, config, dt, chunk, good, last):
    """Final train/dev/test accuracy and cost (NaN for an empty set) of the kept parameters
    (``good``, else the last ones); ``last``: the run's last evaluation, if it saw them."""
    if good is not None:
        net.load(good)
    sets = [("train", data.Y_train), ("dev", data.Y_dev), ("test", data.Y_test)]
    values = list(last) if last is not None else []
    for part, Y in sets[len(values) // 2:]:
        X = np.asarray(getattr(data, f"X_{part}"), dt)
        Xa, T, S = _augmented(X, Y, config, dt)
        values += net.evaluate(Xa, Y, T, S, chunk) if Y.shape[1] else (np.nan, np.nan)
    keys = [f"{p}_{w}" for p, _ in sets for w in ("accuracy", "cost")]
    return dict(zip(keys, map(float, values), strict=True))


def train_fast(config, data, parameters, *, shuffle_rng=None, on_epoch=None, eval_every=None,
               start=None):
    """Train as ``nnlab.train.train`` does (same arguments, same ``TrainResult``), faster.

    ``data`` and the initial ``parameters`` are required here (``train`` makes them); they are
    copied, never modified.
    """
    start = time.perf_counter() if start is None else start
    dt = np.dtype(config.dtype)
    Y, Yd = data.Y_train, data.Y_dev
    Xa, T, S = _augmented(np.asarray(data.X_train, dt), Y, config, dt)
    Xda, Td, Sd = _augmented(np.asarray(data.X_dev, dt), Yd, config, dt)
    m = Xa.shape[1]
    net = Net(config, parameters, dt, m)
    size = m if config.mini_batch_size is None else min(config.mini_batch_size, m)
    L, lambd = net.L, config.lambd
    persistent_shuffle = np.random.default_rng([config.seed, 1])
    mask_rng = np.random.default_rng([config.seed, 2])
    every = eval_every or max(1, config.num_epochs // MAX_EVALUATIONS)
    cols = ["epoch", "cost", "learning_rate", "train_accuracy", "dev_accuracy", "dev_cost"]
    hist = {c: [] for c in cols + [f"grad_norm_{l}" for l in range(1, L + 1)]}
    norms = [(hist[f"grad_norm_{l}"], net.dW[l]) for l in range(1, L + 1)]
    h_epoch, h_cost, h_lr = hist["epoch"], hist["cost"], hist["learning_rate"]
    dropout, stable = config.keep_prob < 1, config.numerics != "course"
    status, message, best, good, last = "ok", "", (np.inf, None, None), None, None
    reuse = False  # whether the last evaluation left this epoch's forward pass in the buffers
    full = _batches(Xa, T, S, size, None) if size == m else None
    chunk = max(size, EVAL_CHUNK)  # evaluation: the training buffers, or chunks of 2048
    E, patience, lr = config.num_epochs, config.patience, config.learning_rate
    # a split layer's halves call BLAS from two threads: one BLAS thread each meanwhile
    blas = one_blas_thread if net.split(size) or net.split(chunk) else contextlib.nullcontext
    with blas(), np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        for epoch in range(E):
            if config.schedule != "constant":
                lr = learning_rate_for_epoch(config, epoch)
            if full is None:
                order = (shuffle_rng(epoch) if shuffle_rng else persistent_shuffle).permutation(m)
                batches = _batches(Xa, T, S, size, order)
            else:
                batches = full
            ce_total = l2_total = 0.0
            np.copyto(net.prev, net.flat)
            fresh, reuse = reuse, False
            for Xb, Tb, Sb, Smb in batches:
                masks = net.masks(Xb.shape[1], mask_rng) if dropout else None
                # after an evaluation of the training set, a full batch's buffers already
                # hold this forward pass (same parameters, same inputs, no dropout)
                Z = net.buffers(m)["Z"][-1] if fresh else net.forward(Xb, masks)
                ce, dZ = net.output(Z, Tb, Sb, Smb)
                ce_total += ce
                net.backward(Xb, dZ, masks)
                if lambd:
                    l2_total += Xb.shape[1] / m * net.l2()
                net.step(lr)
            cost = ((1.0 / m) * ce_total if len(batches) == 1 else ce_total / m) + l2_total
            h_epoch.append(epoch)
            h_cost.append(cost)
            h_lr.append(lr)
            for h, gl in norms:
                h.append(math.sqrt(gl.dot(gl)))
            flat = net.flat
            finite = math.isfinite(flat.sum()) or bool(np.all(np.isfinite(flat)))
            bad_cost = math.isnan(cost) or (math.isinf(cost) and stable)
            if bad_cost or not finite:
                what = f"the cost became {cost}" if bad_cost else "the parameters overflowed"
                status = "diverged"
                message = (f"Diverged at epoch {epoch}: {what}. Try a smaller learning rate "
                           f"(it was {lr:g}).")
                _pad_eval(hist)
                good = net.copy(prev=True)  # as at the start of this epoch
                break
            info = {} if on_epoch is None else {
                "epoch": epoch, "num_epochs": E, "cost": cost,
                "learning_rate": lr, "parameters": net.copy()}
            if epoch % every == 0 or epoch == E - 1 or patience:
                dev_acc, dev_cost = (net.evaluate(Xda, Yd, Td, Sd, chunk) if data.m_dev
                                     else (np.nan, np.nan))
                tr_acc, tr_cost = net.evaluate(Xa, Y, T, S, chunk)
                reuse = full is not None and not dropout  # chunk >= m: one pass, m columns
                last = (epoch, tr_acc, tr_cost, dev_acc, dev_cost)
                hist["train_accuracy"].append(tr_acc)
                hist["dev_accuracy"].append(dev_acc)
                hist["dev_cost"].append(dev_cost)
                info.update(train_accuracy=tr_acc, dev_accuracy=dev_acc, dev_cost=dev_cost)
                if patience and dev_cost < best[0]:
                    best = (dev_cost, epoch, net.copy())
            else:
                _pad_eval(hist)
            if patience and best[1] is not None and epoch - best[1] >= patience:
                status, message = "stopped", early_stop_message(epoch, patience, best)
                good = best[2]
                break
            if on_epoch is not None and on_epoch(info):
                status, message = "stopped", f"Stopped at epoch {epoch} by request."
                break
    parameters = net.copy() if good is None else good
    history = {k: np.asarray(v, dtype=float) for k, v in hist.items()}
    with blas(), np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        metrics = _metrics(net, data, config, dt, chunk, good,
                           last[1:] if good is None and last and last[0] == h_epoch[-1] else None)
    if status == "ok":
        message = (f"Trained {config.num_epochs} epochs: train accuracy "
                   f"{metrics['train_accuracy']:.3f}, dev accuracy {metrics['dev_accuracy']:.3f}.")
    return TrainResult(config, parameters, {}, history, status, message,
                              time.perf_counter() - start, len(history["epoch"]), best[1], metrics)
