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
    learning_rate_for_epoch,
)


def supports(config) -> bool:
    """Whether the fast path covers ``config`` (batch norm runs on the pure path)."""
    return not config.batch_norm


def _flat_blocks(parameters, dims, dtype):
    """One zeroed flat array, per layer a block ``[W.T; b.T]`` of shape (n_prev + 1, n_l) in
    it, and views ``W`` (``block[:-1].T``) and ``b`` keyed like ``parameters``."""
    L = len(dims) - 1
    flat = np.zeros(sum((dims[l - 1] + 1) * dims[l] for l in range(1, L + 1)), dtype)
    blocks, views, k = [None], {}, 0
    for l in range(1, L + 1):
        n = (dims[l - 1] + 1) * dims[l]
        blocks.append(flat[k:k + n].reshape(dims[l - 1] + 1, dims[l]))
        k += n
    for key in parameters:
        l = int(key[1:])
        views[key] = blocks[l][:-1].T if key[0] == "W" else blocks[l][-1:].T
    return flat, blocks, views


def _augment(X):
    """``X`` with a row of ones appended: ``[W b] @ [A; 1]`` is ``W @ A + b`` in one GEMM."""
    return np.concatenate([X, np.ones((1, X.shape[1]), X.dtype)])


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


def _fused_output(Z, sgn, N):
    """``dZ = (AL - Y) / b`` and the summed cross-entropy of a sigmoid output with labels
    0/1, in five operations; ``sgn = 1 - 2Y``, ``N = sgn / b``. With ``S = Z sgn`` the cost of
    a point is ``log(1 + e^S)`` and ``AL - Y = sgn sigmoid(S) = sgn exp(S - log(1 + e^S))``."""
    S = np.multiply(Z, sgn)
    lse = np.logaddexp(0.0, S)
    ce = float(lse.sum())
    np.subtract(S, lse, out=S)
    return np.multiply(np.exp(S, out=S), N, out=S), ce


class _Net:
    """Flat parameters (two copies), flat gradients and optimizer state, scratch per batch size."""

    def __init__(self, config, parameters, dtype):
        self.c, self.dtype = config, dtype
        self.L = L = num_layers(parameters)
        self.dims = dims = [parameters["W1"].shape[1]] + [parameters[f"W{l}"].shape[0]
                                                          for l in range(1, L + 1)]
        (f0, b0, v0), (f1, b1, v1) = (_flat_blocks(parameters, dims, dtype) for _ in range(2))
        for key, value in parameters.items():
            v0[key][...] = value
        self.flats, self.blocks, self.views, self.cur = [f0, f1], [b0, b1], [v0, v1], 0
        self.gflat, self.gblocks, _ = _flat_blocks(parameters, dims, dtype)
        self.v = np.zeros_like(f0) if config.optimizer in ("momentum", "adam") else None
        self.s = np.zeros_like(f0) if config.optimizer in ("rmsprop", "adam") else None
        self.t1, self.t2, self.t = np.empty_like(f0), np.empty_like(f0), 0
        self.act, self.act_backward = activations.get_activation(config.hidden_activation)
        self.scratch, self.fixed_masks = {}, {}

    @property
    def P(self):
        return self.views[self.cur]

    def buffers(self, b):
        """Per hidden layer ``Z`` and ``A`` (n_l + 1, b) whose last row is ones (relu: ``Z``
        activated in place is the output), ``dA`` (n_l, b); ``H`` and ``out`` point at each
        layer's activation before and after dropout (``out`` with its row of ones)."""
        if b not in self.scratch:
            new = lambda extra: [None] + [np.empty((n + extra, b), self.dtype)  # noqa: E731
                                          for n in self.dims[1:]]
            Z, A = new(1), new(1)
            for l in range(1, self.L):
                Z[l][-1] = A[l][-1] = 1.0
            Z[-1] = np.empty((self.dims[-1], b), self.dtype)
            self.scratch[b] = {"Z": Z, "A": A, "dA": new(0), "H": [None] * (self.L + 1),
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

    def forward(self, Xa, masks):
        """Pre-activation ``Z_L`` of ``[LINEAR -> ACT -> (DROPOUT)] * (L-1) -> LINEAR``, from
        ``Xa``, the input with a row of ones."""
        buf, B, A = self.buffers(Xa.shape[1]), self.blocks[self.cur], Xa
        relu = self.c.hidden_activation == "relu"
        for l in range(1, self.L + 1):
            Zb = buf["Z"][l]
            Z = Zb if l == self.L else Zb[:-1]
            np.matmul(B[l].T, A, out=Z)
            if l == self.L:
                return Z
            # relu in place: max(0, Z) > 0 exactly where Z > 0, so the backward mask survives.
            if relu:
                A = np.maximum(Zb, 0.0, out=Zb)  # the row of ones stays
                H = Z
            else:
                A, H = buf["A"][l], self.act(Z)
                np.copyto(A[:-1], H)
            if masks is not None:
                out = buf["A"][l]
                np.multiply(H, masks[l], out=out[:-1])
                np.divide(out[:-1], self.c.keep_prob, out=out[:-1])
                A = out
            buf["H"][l], buf["out"][l] = H, A  # A: the next layer's input, with its ones

    def backward(self, Xa, dZ, masks):
        """Fill the flat gradients from ``dZ_L`` and the buffers of the forward pass just run;
        each layer's ``[dW db].T`` is one GEMM against its input's row of ones."""
        buf, B, G, c = self.buffers(Xa.shape[1]), self.blocks[self.cur], self.gblocks, self.c
        for l in range(self.L, 0, -1):
            if l < self.L:
                dA = buf["dA"][l]
                if masks is not None:
                    np.multiply(dA, masks[l], out=dA)
                    np.divide(dA, c.keep_prob, out=dA)
                if c.hidden_activation == "relu":
                    dZ = np.multiply(dA, np.greater(buf["H"][l], 0), out=dA)
                else:
                    dZ = self.act_backward(dA, buf["Z"][l][:-1])
            A_prev = Xa if l == 1 else buf["out"][l - 1]
            np.matmul(A_prev, dZ.T, out=G[l])
            if l > 1:
                np.matmul(B[l][:-1], dZ, out=buf["dA"][l - 1])
            if c.lambd:
                dWt = G[l][:-1]
                np.add(dWt, (c.lambd / self.m) * B[l][:-1], out=dWt)

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
    X, Y = _augment(np.asarray(data.X_train, dt)), data.Y_train
    T = np.asarray(_targets(Y, config), dt)
    Xd, Yd = _augment(np.asarray(data.X_dev, dt)), data.Y_dev
    Td = np.asarray(_targets(Yd, config), dt)
    net.m = m = X.shape[1]
    size = m if config.mini_batch_size is None else min(config.mini_batch_size, m)
    L, lambd, out_name = net.L, config.lambd, config.output_activation
    fused = (out_name == "sigmoid" and config.numerics != "course"
             and bool(np.all((T == 0) | (T == 1))))
    sgn = 1 - 2 * T  # labels 0/1 as signs +1/-1 (used only when fused)
    whole = [(X, T, sgn, sgn / m)]
    persistent_shuffle = np.random.default_rng([config.seed, 1])
    mask_rng = np.random.default_rng([config.seed, 2])
    every = eval_every or max(1, config.num_epochs // MAX_EVALUATIONS)
    cols = ["epoch", "cost", "learning_rate", "train_accuracy", "dev_accuracy", "dev_cost"]
    hist = {c: [] for c in cols + [f"grad_norm_{l}" for l in range(1, L + 1)]}
    grad_flat = [net.gblocks[l][:-1].reshape(-1) for l in range(1, L + 1)]  # dW.T, contiguous
    status, message, best, good = "ok", "", (np.inf, None, None), None
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        for epoch in range(config.num_epochs):
            lr = learning_rate_for_epoch(config, epoch)
            if size < m:
                order = (shuffle_rng(epoch) if shuffle_rng else persistent_shuffle).permutation(m)
                Xs, Ts, Ss = X[:, order], T[:, order], sgn[:, order]
                batches = [(Xs[:, k:k + size], Ts[:, k:k + size], Ss[:, k:k + size],
                            Ss[:, k:k + size] / Ss[:, k:k + size].shape[1] if fused else None)
                           for k in range(0, m, size)]
            else:
                batches = whole
            ce_total = l2_total = 0.0
            for i, (Xb, Tb, Sb, Nb) in enumerate(batches):
                masks = net.masks(Xb.shape[1], mask_rng)
                Z = net.forward(Xb, masks)
                if fused:
                    dZ, ce = _fused_output(Z, Sb, Nb)
                    if not math.isfinite(ce):  # diverging: the pure path's exact inf or nan
                        ce = _output(Z, Tb, out_name, config.numerics)[1]
                else:
                    AL, ce = _output(Z, Tb, out_name, config.numerics)
                    dZ = (AL - Tb) / Tb.shape[1]
                ce_total += ce
                if lambd:
                    l2_total += Xb.shape[1] / m * losses.l2_penalty(net.P, lambd, m, L)
                net.backward(Xb, dZ, masks)
                net.step(lr, first=i == 0)
            cost = ((1.0 / m) * ce_total if len(batches) == 1 else ce_total / m) + l2_total
            hist["epoch"].append(epoch)
            hist["cost"].append(cost)
            hist["learning_rate"].append(lr)
            for l, gl in enumerate(grad_flat, 1):
                hist[f"grad_norm_{l}"].append(float(math.sqrt(gl.dot(gl))))
            flat = net.flats[net.cur]
            finite = math.isfinite(flat.sum()) or bool(np.all(np.isfinite(flat)))
            bad_cost = math.isnan(cost) or (math.isinf(cost) and config.numerics != "course")
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
                tr_acc, _ = net.evaluate(X, Y, T)
                dev_acc, dev_cost = net.evaluate(Xd, Yd, Td) if data.m_dev else (np.nan, np.nan)
                hist["train_accuracy"].append(tr_acc)
                hist["dev_accuracy"].append(dev_acc)
                hist["dev_cost"].append(dev_cost)
                info.update(train_accuracy=tr_acc, dev_accuracy=dev_acc, dev_cost=dev_cost)
                if config.patience and dev_cost < best[0]:
                    best = (dev_cost, epoch, net.copy())
            else:
                _pad_eval(hist)
            if config.patience and best[1] is not None and epoch - best[1] >= config.patience:
                status = "stopped"
                message = (f"Early stopping at epoch {epoch}: the dev cost has not improved for "
                           f"{config.patience} epochs; kept the parameters of epoch {best[1]} "
                           f"(dev cost {best[0]:.4f}).")
                good = best[2]
                break
            if on_epoch is not None and on_epoch(info):
                status, message = "stopped", f"Stopped at epoch {epoch} by request."
                break
    parameters = net.copy() if good is None else good
    history = {k: np.asarray(v, dtype=float) for k, v in hist.items()}
    metrics = _final_metrics(parameters, {}, data, config)
    if status == "ok":
        message = (f"Trained {config.num_epochs} epochs: train accuracy "
                   f"{metrics['train_accuracy']:.3f}, dev accuracy {metrics['dev_accuracy']:.3f}.")
    return TrainResult(config, parameters, {}, history, status, message,
                              time.perf_counter() - start, len(history["epoch"]), best[1], metrics)
