"""The network of the fast path (``nnlab.fastpath``): what ``model.forward``, ``model.backward``
and ``optimizers.optimizer_step`` compute, in fewer and fused NumPy calls on buffers allocated
once. See :class:`Net` for the layout, :meth:`Net.output` for the fused sigmoid and cost,
:meth:`Net.step` for the optimizers, and :func:`by_rows` for the two-thread split of large
relu layers.
"""

from __future__ import annotations

import functools
import math
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from nnlab import activations
from nnlab.model import num_layers

PARALLEL_MIN = 1 << 20  # a relu layer this large (units x batch) is split over two threads
_POOL = {"lock": threading.Lock(), "pool": None}


def by_rows(fn, n_rows):
    """``fn(0, half)`` here and ``fn(half, n_rows)`` in a second thread, at the same time."""
    with _POOL["lock"]:
        if _POOL["pool"] is None:
            _POOL["pool"] = ThreadPoolExecutor(2, thread_name_prefix="nnlab-rows")
    half = n_rows // 2
    other = _POOL["pool"].submit(fn, half, n_rows)
    fn(0, half)
    other.result()


def _relu_rows(W, A, H, a, b):
    """Rows ``a:b`` of ``H = relu(W A)`` (half the units of a layer)."""
    np.maximum(np.dot(W[a:b], A, H[a:b]), 0.0, out=H[a:b])


def _dot_rows(A, B, out, a, b):
    """Rows ``a:b`` of ``out = A B``."""
    np.dot(A[a:b], B, out[a:b])


def _relu_back_rows(WT, dZ, dA, H, pos, a, b):
    """Rows ``a:b`` of ``dZ_{l-1} = (W_l^T dZ_l) * (H_{l-1} > 0)``, written into ``dA``."""
    if dZ.shape[0] == 1:  # one output unit: W^T dZ is an outer product, faster as a multiply
        np.multiply(WT[a:b], dZ, out=dA[a:b])
    else:
        np.dot(WT[a:b], dZ, dA[a:b])
    np.multiply(dA[a:b], np.greater(H[a:b], 0, out=pos[a:b]), out=dA[a:b])


def softplus(u, out, tmp):
    """``log(1 + e^u)`` computed stably as ``max(u, 0) + log1p(e^-|u|)`` into ``out`` (``tmp``:
    scratch of the same shape; ``out`` may be ``u``). Five element-wise passes: from a few hundred
    values on, faster than ``np.logaddexp(0, u)`` (five times faster at 10,000)."""
    if u.size <= 128:  # for a few values, np.logaddexp's one call is the faster
        return np.logaddexp(0.0, u, out=out)
    np.log1p(np.exp(np.negative(np.abs(u, out=tmp), out=tmp), out=tmp), out=tmp)
    return np.add(np.maximum(u, 0.0, out=out), tmp, out=out)


def output_and_cost(Z, Y, output, numerics, *, stacked=False):
    """``AL`` and the summed cross-entropy, with the operations of ``activations``/``losses``
    (softmax, and the course's sigmoid form; the stable sigmoid is fused in ``Net.output``).
    ``stacked``: ``Z`` is ``(K, n_L, b)`` (``nnlab.stacked``) and the cost one sum per config."""
    axis, sums = (1, (1, 2)) if stacked else (0, None)
    if output == "softmax":
        shifted = Z - Z.max(axis=axis, keepdims=True)
        e = np.exp(shifted)
        s = e.sum(axis=axis, keepdims=True)
        cost = -np.sum(Y * (shifted - np.log(s)), axis=sums)
        return e / s, cost if stacked else float(cost)
    AL = 1.0 / (1.0 + np.exp(-Z))
    logprobs = np.multiply(-np.log(AL), Y) + np.multiply(-np.log(1 - AL), 1 - Y)
    cost = np.nansum(logprobs, axis=sums)
    return AL, cost if stacked else float(cost)


def dropout_masks(config, dims, b, rng, fixed_cache):
    """Dropout masks ``rng.random((n_l, b)) < keep_prob`` for l = 1..L-1 (None: no dropout).
    ``dropout_mask="fixed"`` re-makes the same generator at every step, as the course does: the
    masks are the same every time, so they are drawn once per batch size into ``fixed_cache``."""
    kp = config.keep_prob
    if kp == 1.0:
        return None
    if config.dropout_mask == "fixed":
        if b not in fixed_cache:
            fresh = np.random.default_rng([config.seed, 2])
            fixed_cache[b] = [None] + [fresh.random((n, b)) < kp for n in dims[1:-1]]
        return fixed_cache[b]
    return [None] + [rng.random((n, b)) < kp for n in dims[1:-1]]


class Net:
    """Flat parameters, flat gradients, optimizer state, scratch per batch size.

    Layer ``l`` is one block of the flat array, shaped ``(n_{l-1} + 1, n_l)``: its first rows
    are ``W_l`` transposed and its last row is ``b_l``, so that ``[W_l | b_l] = block.T`` and
    ``Z_l = block.T @ [A_{l-1}; 1]`` folds the bias into the product. Each layer's output
    buffer keeps a last row of ones for the next product, and ``dW_l`` and ``db_l`` come out
    of one product ``[A_{l-1}; 1] @ dZ_l.T`` written straight into the gradient block.
    """

    def __init__(self, config, parameters, dtype, m):
        self.c, self.dtype, self.m = config, dtype, m
        self.L = L = num_layers(parameters)
        self.dims = d = [parameters["W1"].shape[1]] + [parameters[f"W{l}"].shape[0]
                                                       for l in range(1, L + 1)]
        self.offsets = np.cumsum([0] + [(d[l - 1] + 1) * d[l] for l in range(1, L + 1)])
        size = int(self.offsets[-1])
        # the parameters, and a copy of them at the start of the epoch (a diverging run's last
        # good parameters); one flat array each, so an optimizer step is a few operations
        self.flat, self.prev, self.gflat = (np.zeros(size, dtype) for _ in range(3))
        self.blocks, self.gblocks = self._blocks(self.flat), self._blocks(self.gflat)
        # per layer: [W_l | b_l] (n_l, n_{l-1} + 1) and W_l transposed (n_{l-1}, n_l), views
        self.Wb = [None] + [blk.T for blk in self.blocks[1:]]
        self.WT = [None] + [blk[:-1] for blk in self.blocks[1:]]
        self.load(parameters)
        # the dW_l part of the gradient, contiguous (for its norm); lambd/m on weights, 0 on biases
        self.dW = [None] + [g[:-1].reshape(-1) for g in self.gblocks[1:]]
        l2 = np.zeros(size, dtype)
        for block in self._blocks(l2)[1:]:
            block[:-1] = config.lambd / m
        self.l2coef = l2 if config.lambd else None
        self.v = np.zeros(size, dtype) if config.optimizer in ("momentum", "adam") else None
        self.s = np.zeros(size, dtype) if config.optimizer in ("rmsprop", "adam") else None
        self.t1, self.t2, self.t = np.empty(size, dtype), np.empty(size, dtype), 0
        self.g1t = np.empty((d[1], d[0] + 1), dtype)
        self.act, self.act_backward = activations.get_activation(config.hidden_activation)
        self.relu = config.hidden_activation == "relu"
        self.fused = config.output_activation == "sigmoid" and config.numerics != "course"
        self.can_split = (self.relu and config.keep_prob == 1 and L > 1
                          and (os.cpu_count() or 1) >= 2)
        self.scratch, self.fixed_masks = {}, {}

    def _blocks(self, flat):
        d, o = self.dims, self.offsets
        return [None] + [flat[o[l - 1]:o[l]].reshape(d[l - 1] + 1, d[l])
                         for l in range(1, self.L + 1)]

    def split(self, b):
        """Whether a batch of ``b`` runs each relu layer as two halves in two threads (a layer
        of at least ``PARALLEL_MIN`` values; BLAS then runs one thread per call)."""
        return self.can_split and max(self.dims[1:-1]) * b >= PARALLEL_MIN

    def buffers(self, b):
        """Per layer ``Z`` (n_l, b; the output layer's only, with relu), output ``A`` with a last
        row of ones (n_l + 1, b) and ``H``, its first n_l rows, ``dA`` and the relu mask
        (n_l, b); ``U``, ``SP``, ``E`` for the fused sigmoid and cost."""
        if b not in self.scratch:
            dt, d = self.dtype, self.dims
            A = [None] + [np.ones((n + 1, b), dt) for n in d[1:-1]]
            hidden = d[1:-1] if not self.relu else []  # relu's Z lives in H
            self.scratch[b] = {"Z": [None] + [np.empty((n, b), dt) for n in hidden]
                               + [np.empty((d[-1], b), dt)], "A": A,
                               "H": [None] + [a[:-1] for a in A[1:]],
                               "dA": [None] + [np.empty((n, b), dt) for n in d[1:-1]],
                               "pos": [None] + [np.empty((n, b), bool) for n in d[1:-1]],
                               "U": np.empty((1, b), dt), "SP": np.empty((1, b), dt),
                               "E": np.empty((1, b), dt)}
        return self.scratch[b]

    def masks(self, b, rng):
        """Dropout masks for a batch of ``b`` (see :func:`dropout_masks`)."""
        return dropout_masks(self.c, self.dims, b, rng, self.fixed_masks)

    def forward(self, Xa, masks):
        """``Z_L`` of ``[LINEAR -> ACT -> (DROPOUT)] * (L-1) -> LINEAR``; ``Xa`` is ``[X; 1]``."""
        buf, Wb, A = self.buffers(Xa.shape[1]), self.Wb, Xa
        Zs, As, Hs = buf["Z"], buf["A"], buf["H"]
        split = self.split(Xa.shape[1])
        for l in range(1, self.L):
            H = Hs[l]
            if split:  # the same, each half of the units in its own thread
                by_rows(functools.partial(_relu_rows, Wb[l], A, H), H.shape[0])
            elif self.relu:  # Z = W A + b in one product, then relu in place (the backward
                np.maximum(np.dot(Wb[l], A, H), 0.0, out=H)  # mask: H > 0 where Z > 0)
            else:
                Z = np.dot(Wb[l], A, Zs[l])
                H[...] = self.act(Z)
            if masks is not None:
                np.multiply(H, masks[l], out=H)
                np.divide(H, self.c.keep_prob, out=H)
            A = As[l]
        return np.dot(Wb[self.L], A, Zs[-1])

    def output(self, Z, T, S, Sm):
        """(summed cross-entropy, ``dZ_L``) of the batch whose ``Z_L`` is ``Z``.

        Fused sigmoid (``S = 1 - 2Y``, ``Sm = S / b``): with ``u = S * z``, the loss is
        ``log(1 + e^u)`` and ``dL/dz = sigmoid(z) - y = S * sigmoid(u)``, computed as
        ``S * exp(u - log(1 + e^u))``.
        """
        if self.fused:
            buf = self.buffers(Z.shape[1])
            u = np.multiply(Z, S, out=buf["U"])
            sp = softplus(u, buf["SP"], buf["E"])
            ce = float(np.add.reduce(sp, axis=None))
            np.exp(np.subtract(u, sp, out=u), out=u)
            return ce, np.multiply(u, Sm, out=u)
        AL, ce = output_and_cost(Z, T, self.c.output_activation, self.c.numerics)
        return ce, (AL - T) / T.shape[1]

    def backward(self, Xa, dZ, masks):
        """Fill the flat gradients from the buffers of the forward pass just run."""
        buf, WT, g = self.buffers(Xa.shape[1]), self.WT, self.gblocks
        As, dAs, Zs, Hs, pos = buf["A"], buf["dA"], buf["Z"], buf["H"], buf["pos"]
        split = self.split(Xa.shape[1])
        for l in range(self.L, 1, -1):
            if split:  # as below, each half of the rows in its own thread
                by_rows(functools.partial(_dot_rows, As[l - 1], dZ.T, g[l]), g[l].shape[0])
                dA = dAs[l - 1]
                by_rows(functools.partial(_relu_back_rows, WT[l], dZ, dA, Hs[l - 1],
                                          pos[l - 1]), dA.shape[0])
                dZ = dA
                continue
            np.dot(As[l - 1], dZ.T, g[l])  # [dW_l | db_l] transposed, in one product
            if dZ.shape[0] == 1 and dZ.shape[1] >= 1024:  # an outer product: as a multiply,
                dA = np.multiply(WT[l], dZ, out=dAs[l - 1])  # faster for long rows
            else:
                dA = np.dot(WT[l], dZ, dAs[l - 1])
            if masks is not None:
                np.multiply(dA, masks[l - 1], out=dA)
                np.divide(dA, self.c.keep_prob, out=dA)
            if self.relu:
                dZ = np.multiply(dA, np.greater(Hs[l - 1], 0, out=pos[l - 1]), out=dA)
            else:
                dZ = self.act_backward(dA, Zs[l - 1])
        if split:  # [dW_1 | db_1] as dZ_1 [X; 1]^T, each half of the units in its own thread
            g1t = self.g1t
            by_rows(functools.partial(_dot_rows, dZ, Xa.T, g1t), g1t.shape[0])
            np.copyto(g[1], g1t.T)
        else:
            np.dot(Xa, dZ.T, g[1])

    def l2(self):
        """The L2 cost ``lambd/(2m) sum W**2``; adds ``(lambd/m) W`` to the gradients."""
        flat = self.flat
        t = np.multiply(flat, self.l2coef, out=self.t1)
        penalty = 0.5 * float(np.dot(t, flat))
        np.add(self.gflat, t, out=self.gflat)
        return penalty

    def step(self, lr):
        """One optimizer step on the flat arrays.

        The averages are kept divided by ``1 - beta``: ``u = beta u + g`` is the course's
        ``v = beta v + (1 - beta) g`` over ``1 - beta``, one operation fewer per step, and the
        factors move into the learning rate and epsilon (so do Adam's bias corrections:
        ``lr v/c1 / (sqrt(s/c2) + eps) = lr sqrt(c2)/c1 * v / (sqrt(s) + eps sqrt(c2))``).
        """
        c, G, t1, t2 = self.c, self.gflat, self.t1, self.t2
        if c.optimizer == "gd":
            np.multiply(G, lr, out=t1)
        else:
            num = G
            if c.optimizer in ("momentum", "adam"):
                beta = c.beta if c.optimizer == "momentum" else c.beta1
                num = np.add(np.multiply(self.v, beta, out=self.v), G, out=self.v)
                lr *= 1 - beta
            if c.optimizer == "momentum":
                np.multiply(num, lr, out=t1)
            else:
                s = np.add(np.multiply(self.s, c.beta2, out=self.s), np.multiply(G, G, out=t2),
                           out=self.s)
                root, eps = math.sqrt(1 - c.beta2), c.epsilon  # sqrt(s) = root * sqrt(u_s)
                if c.optimizer == "adam":
                    self.t += 1
                    if c.bias_correction:
                        root_c2 = math.sqrt(1 - c.beta2 ** self.t)
                        lr, eps = lr * root_c2 / (1 - c.beta1 ** self.t), eps * root_c2
                np.multiply(num, lr / root, out=t1)
                np.divide(t1, np.add(np.sqrt(s, out=t2), eps / root, out=t2), out=t1)
        np.subtract(self.flat, t1, out=self.flat)

    def evaluate(self, Xa, Y, T, S, chunk):
        """(accuracy, cost without L2) on a whole set, as ``nnlab.train._evaluate``, ``chunk``
        columns at a time (buffers that stay in cache, allocated once)."""
        correct, ce = 0, 0.0
        for k in range(0, Xa.shape[1], chunk):
            part = slice(k, k + chunk)
            Z = self.forward(Xa[:, part], None)
            if self.fused:  # sigmoid(z) > 0.5 exactly when z > 0
                u = Z * S[:, part]
                ce += float(np.add.reduce(softplus(u, u, np.empty_like(u)), axis=None))
                pred = Z > 0
            else:
                AL, ce_part = output_and_cost(Z, T[:, part], self.c.output_activation,
                                              self.c.numerics)
                ce += ce_part
                pred = AL > 0.5 if AL.shape[0] == 1 else np.argmax(AL, 0)[None]
            correct += np.count_nonzero(pred == Y[:, part])
        return correct / Y.shape[1], ce / Y.shape[1]

    def copy(self, prev=False):
        """The parameters (``prev``: at the start of the epoch) as the course's dict of ``W{l}``
        (n_l, n_{l-1}) and ``b{l}`` (n_l, 1)."""
        blocks, out = self._blocks(self.prev) if prev else self.blocks, {}
        for l in range(1, self.L + 1):
            out[f"W{l}"], out[f"b{l}"] = blocks[l][:-1].T.copy(), blocks[l][-1:].T.copy()
        return out

    def load(self, parameters):
        """Set the parameters from the course's dict."""
        for l in range(1, self.L + 1):
            self.blocks[l][:-1] = parameters[f"W{l}"].T
            self.blocks[l][-1] = parameters[f"b{l}"][:, 0]
