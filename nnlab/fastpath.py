"""The training loop's fast path: the pure loop's arithmetic without its overheads.

``nnlab.train.train`` hands a run to :func:`train_fast` when :func:`supports` says the config is
covered (everything but batch norm). It performs the *same* floating-point operations in the
same order as ``model.forward``, ``model.backward`` and ``optimizers.optimizer_step``, so a run
gives the same history bit for bit (``tests/test_fastpath.py`` proves it). What it saves:

- All parameters live in one flat array and all gradients in another: an optimizer step is a
  handful of whole-array operations instead of a few per parameter.
- Hidden-layer intermediates go into buffers allocated once (``out=``); nothing is validated
  again at every step (the config was validated once).
- The parameters alternate between two flat arrays: the first step of an epoch writes into the
  other one, which then still holds the last good parameters (a diverging run) with no copy.
- The last evaluation of a run doubles as its final metrics (same parameters, same operations).
- ``dtype="float32"`` runs in single precision (float64 is the reference).
"""

from __future__ import annotations

import math
import time

import numpy as np

from nnlab import activations, losses
from nnlab.model import num_layers
from nnlab.train import (
    MAX_EVALUATIONS,
    TrainResult,
    _final_metrics,
    _pad_eval,
    _targets,
    early_stop_message,
    learning_rate_for_epoch,
)


def supports(config) -> bool:
    """Whether the fast path covers ``config`` (batch norm runs on the pure path)."""
    return not config.batch_norm


def _flat_views(parameters, dtype, prefix=""):
    """One zeroed flat array and views of it keyed and shaped like ``parameters``."""
    flat = np.zeros(sum(np.size(v) for v in parameters.values()), dtype)
    views, k = {}, 0
    for key, v in parameters.items():
        views[prefix + key] = flat[k:k + np.size(v)].reshape(np.shape(v))
        k += np.size(v)
    return flat, views


def _output(Z, Y, output, numerics):
    """``AL`` and the summed cross-entropy, with the operations of ``activations``/``losses``."""
    if output == "softmax":
        shifted = Z - Z.max(axis=0, keepdims=True)
        e = np.exp(shifted)
        s = e.sum(axis=0, keepdims=True)
        return e / s, float(-np.sum(Y * (shifted - np.log(s))))
    if numerics == "course":
        AL = 1.0 / (1.0 + np.exp(-Z))
        logprobs = np.multiply(-np.log(AL), Y) + np.multiply(-np.log(1 - AL), 1 - Y)
        return AL, float(np.nansum(logprobs))
    e = np.exp(np.copysign(Z, -1.0))  # exp(-|Z|), shared by the sigmoid and the cost
    d = 1.0 + e
    AL = e / d
    np.divide(1.0, d, out=AL, where=Z >= 0)
    return AL, float((np.maximum(Z, 0) - Z * Y + np.log1p(e)).sum())


class _Net:
    """Flat parameters (two copies), flat gradients and optimizer state, scratch per batch size."""

    def __init__(self, config, parameters, dtype):
        self.c, self.dtype = config, dtype
        self.L = L = num_layers(parameters)
        self.dims = [parameters["W1"].shape[1]] + [parameters[f"W{l}"].shape[0]
                                                   for l in range(1, L + 1)]
        (f0, v0), (f1, v1) = _flat_views(parameters, dtype), _flat_views(parameters, dtype)
        for key, value in parameters.items():
            v0[key][...] = value
        self.flats, self.views, self.cur = [f0, f1], [v0, v1], 0
        self.gflat, self.g = _flat_views(parameters, dtype, "d")
        self.v = np.zeros_like(f0) if config.optimizer in ("momentum", "adam") else None
        self.s = np.zeros_like(f0) if config.optimizer in ("rmsprop", "adam") else None
        self.t1, self.t2, self.t = np.empty_like(f0), np.empty_like(f0), 0
        self.act, self.act_backward = activations.get_activation(config.hidden_activation)
        self.scratch, self.fixed_masks = {}, {}

    @property
    def P(self):
        return self.views[self.cur]

    def buffers(self, b):
        """Per-layer ``Z`` (relu: activated in place), ``A`` after dropout, ``dA``: (n_l, b);
        ``H`` and ``out`` point at each layer's activation before and after dropout."""
        if b not in self.scratch:
            new = lambda: [None] + [np.empty((n, b), self.dtype) for n in self.dims[1:]]  # noqa: E731
            self.scratch[b] = {"Z": new(), "A": new(), "dA": new(), "H": [None] * (self.L + 1),
                               "out": [None] * (self.L + 1)}
        return self.scratch[b]

    def masks(self, b, rng):
        """Dropout masks ``rng.random((n_l, b)) < keep_prob`` for l = 1..L-1 (None: none)."""
        kp = self.c.keep_prob
        if kp == 1.0:
            return None
        if self.c.dropout_mask == "fixed":  # the same generator re-made every step: cache them
            if b not in self.fixed_masks:
                fresh = np.random.default_rng([self.c.seed, 2])
                self.fixed_masks[b] = [None] + [fresh.random((n, b)) < kp
                                                for n in self.dims[1:-1]]
            return self.fixed_masks[b]
        return [None] + [rng.random((n, b)) < kp for n in self.dims[1:-1]]

    def forward(self, X, masks):
        """Pre-activation ``Z_L`` of ``[LINEAR -> ACT -> (DROPOUT)] * (L-1) -> LINEAR``."""
        buf, P, A = self.buffers(X.shape[1]), self.P, X
        relu = self.c.hidden_activation == "relu"
        for l in range(1, self.L + 1):
            Z = buf["Z"][l]
            np.matmul(P[f"W{l}"], A, out=Z)
            np.add(Z, P[f"b{l}"], out=Z)
            if l == self.L:
                return Z
            # relu in place: max(0, Z) > 0 exactly where Z > 0, so the backward mask survives.
            H = np.maximum(0.0, Z, out=Z) if relu else self.act(Z)
            buf["H"][l] = H
            if masks is None:
                A = H
            else:
                A = np.multiply(H, masks[l], out=buf["A"][l])
                np.divide(A, self.c.keep_prob, out=A)
            buf["out"][l] = A  # the layer's output, the next layer's input

    def backward(self, X, AL, Y, masks):
        """Fill the flat gradients from the buffers of the forward pass just run."""
        buf, P, g, c = self.buffers(X.shape[1]), self.P, self.g, self.c
        dZ = (AL - Y) / Y.shape[1]
        for l in range(self.L, 0, -1):
            if l < self.L:
                dA = buf["dA"][l]
                if masks is not None:
                    np.multiply(dA, masks[l], out=dA)
                    np.divide(dA, c.keep_prob, out=dA)
                if c.hidden_activation == "relu":
                    dZ = np.multiply(dA, np.greater(buf["H"][l], 0), out=dA)
                else:
                    dZ = self.act_backward(dA, buf["Z"][l])
            A_prev = X if l == 1 else buf["out"][l - 1]
            dW = np.matmul(dZ, A_prev.T, out=g[f"dW{l}"])
            np.add.reduce(dZ, axis=1, keepdims=True, out=g[f"db{l}"])  # np.sum's own loop
            if l > 1:
                np.matmul(P[f"W{l}"].T, dZ, out=buf["dA"][l - 1])
            if c.lambd:
                np.add(dW, (c.lambd / self.m) * P[f"W{l}"], out=dW)

    def step(self, lr, first):
        """One optimizer step on the flat arrays (the first of an epoch into the other copy)."""
        c, G, t1, t2 = self.c, self.gflat, self.t1, self.t2
        src = self.flats[self.cur]
        dst = self.flats[1 - self.cur] if first else src
        if c.optimizer == "momentum":
            v = np.multiply(self.v, c.beta, out=self.v)
            np.add(v, np.multiply(G, 1 - c.beta, out=t1), out=v)
            np.multiply(v, lr, out=t1)
        elif c.optimizer in ("rmsprop", "adam"):
            s = np.multiply(self.s, c.beta2, out=self.s)
            np.add(s, np.multiply(np.power(G, 2, out=t1), 1 - c.beta2, out=t1), out=s)
            if c.optimizer == "rmsprop":
                num = np.multiply(G, lr, out=t1)
            else:
                self.t += 1
                v = np.multiply(self.v, c.beta1, out=self.v)
                np.add(v, np.multiply(G, 1 - c.beta1, out=t1), out=v)
                if c.bias_correction:
                    v = np.divide(v, float(1 - np.power(c.beta1, self.t)), out=t1)
                    s = np.divide(s, float(1 - np.power(c.beta2, self.t)), out=t2)
                num = np.multiply(v, lr, out=t1)
            den = np.add(np.sqrt(s, out=t2), c.epsilon, out=t2)
            np.divide(num, den, out=t1)
        else:
            np.multiply(G, lr, out=t1)
        np.subtract(src, t1, out=dst)
        if first:
            self.cur = 1 - self.cur

    def evaluate(self, X, Y, T):
        """(accuracy, cost without L2) on a whole set, as ``nnlab.train._evaluate``."""
        AL, ce = _output(self.forward(X, None), T, self.c.output_activation, self.c.numerics)
        pred = AL > 0.5 if AL.shape[0] == 1 else np.argmax(AL, 0)[None]
        return np.count_nonzero(pred == Y) / Y.shape[1], ce / Y.shape[1]

    def copy(self, which=None):
        views = self.views[self.cur if which is None else which]
        return {k: v.copy() for k, v in views.items()}


def train_fast(config, data, parameters, *, shuffle_rng=None, on_epoch=None, eval_every=None,
               start=None):
    """Train as ``nnlab.train.train`` does (same arguments, same ``TrainResult``), faster.

    ``data`` and the initial ``parameters`` are required here (``train`` makes them); they are
    copied, never modified.
    """
    start = time.perf_counter() if start is None else start
    dt = np.dtype(config.dtype)
    net = _Net(config, parameters, dt)
    X, Y = np.asarray(data.X_train, dt), data.Y_train
    T = np.asarray(_targets(Y, config), dt)
    Xd, Yd = np.asarray(data.X_dev, dt), data.Y_dev
    Td = np.asarray(_targets(Yd, config), dt)
    net.m = m = X.shape[1]
    size = m if config.mini_batch_size is None else min(config.mini_batch_size, m)
    L, lambd, out_name = net.L, config.lambd, config.output_activation
    persistent_shuffle = np.random.default_rng([config.seed, 1])
    mask_rng = np.random.default_rng([config.seed, 2])
    every = eval_every or max(1, config.num_epochs // MAX_EVALUATIONS)
    cols = ["epoch", "cost", "learning_rate", "train_accuracy", "dev_accuracy", "dev_cost"]
    hist = {c: [] for c in cols + [f"grad_norm_{l}" for l in range(1, L + 1)]}
    norms = [(hist[f"grad_norm_{l}"], net.g[f"dW{l}"].reshape(-1)) for l in range(1, L + 1)]
    h_epoch, h_cost, h_lr = hist["epoch"], hist["cost"], hist["learning_rate"]
    dropout, stable = config.keep_prob < 1, config.numerics != "course"
    status, message, best, good, last = "ok", "", (np.inf, None, None), None, None
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        for epoch in range(config.num_epochs):
            lr = learning_rate_for_epoch(config, epoch)
            if size < m:
                order = (shuffle_rng(epoch) if shuffle_rng else persistent_shuffle).permutation(m)
                Xs, Ts = X[:, order], T[:, order]
                batches = [(Xs[:, k:k + size], Ts[:, k:k + size]) for k in range(0, m, size)]
            else:
                batches = [(X, T)]
            ce_total = l2_total = 0.0
            for i, (Xb, Tb) in enumerate(batches):
                masks = net.masks(Xb.shape[1], mask_rng) if dropout else None
                AL, ce = _output(net.forward(Xb, masks), Tb, out_name, config.numerics)
                ce_total += ce
                if lambd:
                    l2_total += Xb.shape[1] / m * losses.l2_penalty(net.P, lambd, m, L)
                net.backward(Xb, AL, Tb, masks)
                net.step(lr, first=i == 0)
            cost = ((1.0 / m) * ce_total if len(batches) == 1 else ce_total / m) + l2_total
            h_epoch.append(epoch)
            h_cost.append(cost)
            h_lr.append(lr)
            for h, gl in norms:
                h.append(math.sqrt(gl.dot(gl)))
            flat = net.flats[net.cur]
            finite = math.isfinite(flat.sum()) or bool(np.all(np.isfinite(flat)))
            bad_cost = math.isnan(cost) or (math.isinf(cost) and stable)
            if bad_cost or not finite:
                what = f"the cost became {cost}" if bad_cost else "the parameters overflowed"
                status = "diverged"
                message = (f"Diverged at epoch {epoch}: {what}. Try a smaller learning rate "
                           f"(it was {lr:g}).")
                _pad_eval(hist)
                good = net.copy(1 - net.cur)  # the other copy: the start of this epoch
                break
            info = {"epoch": epoch, "num_epochs": config.num_epochs, "cost": cost,
                    "learning_rate": lr}
            if on_epoch is not None:
                info["parameters"] = net.copy()
            if epoch % every == 0 or epoch == config.num_epochs - 1 or config.patience:
                tr_acc, tr_cost = net.evaluate(X, Y, T)
                dev_acc, dev_cost = net.evaluate(Xd, Yd, Td) if data.m_dev else (np.nan, np.nan)
                last = (epoch, tr_acc, tr_cost, dev_acc, dev_cost)
                hist["train_accuracy"].append(tr_acc)
                hist["dev_accuracy"].append(dev_acc)
                hist["dev_cost"].append(dev_cost)
                info.update(train_accuracy=tr_acc, dev_accuracy=dev_acc, dev_cost=dev_cost)
                if config.patience and dev_cost < best[0]:
                    best = (dev_cost, epoch, net.copy())
            else:
                _pad_eval(hist)
            if config.patience and best[1] is not None and epoch - best[1] >= config.patience:
                status, message = "stopped", early_stop_message(epoch, config.patience, best)
                good = best[2]
                break
            if on_epoch is not None and on_epoch(info):
                status, message = "stopped", f"Stopped at epoch {epoch} by request."
                break
    parameters = net.copy() if good is None else good
    history = {k: np.asarray(v, dtype=float) for k, v in hist.items()}
    if good is None and last and last[0] == h_epoch[-1] and dt == np.float64 and stable:
        # the last evaluation saw these parameters, with the same operations: reuse it
        Xt, Yt = np.asarray(data.X_test, dt), data.Y_test
        test = (net.evaluate(Xt, Yt, np.asarray(_targets(Yt, config), dt)) if Xt.shape[1]
                else (np.nan, np.nan))
        keys = [f"{p}_{w}" for p in ("train", "dev", "test") for w in ("accuracy", "cost")]
        metrics = dict(zip(keys, map(float, last[1:] + test), strict=True))
    else:
        metrics = _final_metrics(parameters, {}, data, config)
    if status == "ok":
        message = (f"Trained {config.num_epochs} epochs: train accuracy "
                   f"{metrics['train_accuracy']:.3f}, dev accuracy {metrics['dev_accuracy']:.3f}.")
    return TrainResult(config, parameters, {}, history, status, message,
                              time.perf_counter() - start, len(history["epoch"]), best[1], metrics)
