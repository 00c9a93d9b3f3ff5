"""The one fast network: what ``model.forward``, ``model.backward`` and the optimizers of
``nnlab.spec.optimizers`` compute, in fewer and fused NumPy calls on buffers allocated once, for one
config or for K configs of the same shape trained as one stack.

``nnlab.core.loop.Run`` drives it; ``tests/test_network.py`` proves every option equal to the
course-notation functions (the specification) to 1e-12. What it saves:

- All parameters live in one flat array per config and all gradients in another: an optimizer
  step is a handful of whole-array operations, and the momentum and Adam averages are kept
  divided by ``1 - beta`` (one operation fewer each; see :meth:`Network.step`).
- The bias is folded into the weights: ``[W | b] @ [A; 1]`` is ``W A + b`` in one product, and
  ``[dW | db]`` comes out of one product too.
- The sigmoid and its cross-entropy are fused: the softplus of ``S * Z`` gives the cost, and
  ``dZ = sigmoid(Z) - Y`` follows from it (see :meth:`Network.output`).
- A relu layer of ``PARALLEL_MIN`` values or more runs as two halves in two threads, with one
  BLAS thread each (``nnlab.core._blas``).
- ``dtype="float32"`` runs in single precision (float64 is the reference).

One config (``stacked=False``) keeps the 2-D arithmetic (``np.dot`` on ``(n_l, b)`` arrays),
whose few microseconds per call decide the speed of small networks. K configs
(``stacked=True``) add a leading axis: ``(K, n_l, b)`` activations, batched ``np.matmul``
products (the first layer's input, shared by all configs, broadcast) and per-config scalars
(learning rate, betas, lambda, epsilon) as ``(K, 1)`` columns against the ``(K, P)`` flat arrays.
"""

from __future__ import annotations

import functools
import math
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from nnlab.core.fused import augmented, dropout_masks, output_and_cost, softplus
from nnlab.spec import activations
from nnlab.spec.model import num_layers

PARALLEL_MIN = 1 << 20  # a relu layer this large (units x batch) is split over two threads
EVAL_CHUNK = 2048  # columns per evaluation pass (one config) when its mini-batches are smaller
EVAL_ELEMENTS = 2 ** 18  # per evaluation pass of a stack: K * widest layer * columns, about
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


def _matmul(a, b, out):
    return np.matmul(a, b, out=out)


class Network:
    """Flat parameters, flat gradients, optimizer state and scratch buffers of one config or a
    stack of K configs, with the training, dev and test sets in the network's layout.

    Parameters
    ----------
    configs : list of TrainConfig
        One config, or K configs that differ only in per-config scalars
        (``nnlab.core.batched.PER_CONFIG``).
    parameters : list of dict
        Each config's initial parameters, the course's ``W{l}`` (n_l, n_{l-1}) and ``b{l}``
        (n_l, 1); copied, never modified.
    data : nnlab.data.datasets.Dataset
    stacked : bool
        Whether to train K configs with a leading axis (else exactly one config, 2-D).

    Notes
    -----
    Layer ``l`` of config ``k`` is one block of row ``k`` of the flat ``(K, P)`` array, shaped
    ``(n_{l-1} + 1, n_l)``: its first rows are ``W_l`` transposed and its last row is ``b_l``,
    so that ``[W_l | b_l] = block.T`` and ``Z_l = block.T @ [A_{l-1}; 1]`` folds the bias into
    the product. Each layer's output buffer keeps a last row of ones for the next product, and
    ``[dW_l | db_l]`` comes out of one product ``[A_{l-1}; 1] @ dZ_l.T`` written straight into
    the gradient block.
    """

    def __init__(self, configs, parameters, data, *, stacked=False):
        c = self.c = configs[0]
        self.dtype = dt = np.dtype(c.dtype)
        self.stacked = stacked
        self.K = K = len(configs)
        if not stacked and K != 1:
            raise ValueError(f"an unstacked network trains one config, got {K}")
        self.L = L = num_layers(parameters[0])
        d = self.dims = [parameters[0]["W1"].shape[1]] + [parameters[0][f"W{l}"].shape[0]
                                                          for l in range(1, L + 1)]
        self.sets = {}
        for part in ("train", "dev", "test"):
            Y = getattr(data, f"Y_{part}")
            Xa, T, S = augmented(np.asarray(getattr(data, f"X_{part}"), dt), Y, c, dt)
            self.sets[part] = (Xa, Y, T, S)
        self.m = m = data.X_train.shape[1]
        self.size = m if c.mini_batch_size is None else min(c.mini_batch_size, m)
        self.offsets = o = np.cumsum([0] + [(d[l - 1] + 1) * d[l] for l in range(1, L + 1)])
        P = int(o[-1])
        # the parameters, and a copy of them at the start of the epoch (a diverging run's last
        # good parameters); one flat array each, so an optimizer step is a few operations
        self.flat, self.prev, self.gflat = (np.zeros((K, P), dt) for _ in range(3))
        self.blocks, self.gblocks = self._blocks(self.flat), self._blocks(self.gflat)
        # one config: the dW_l part of each gradient block, contiguous (for its norm)
        self.dW = [] if stacked else [g[:-1].reshape(-1) for g in self.gblocks[1:]]
        # per layer: [W_l | b_l] (.., n_l, n_{l-1} + 1) and W_l transposed (.., n_{l-1}, n_l)
        self.Wb = [None] + [blk.mT for blk in self.blocks[1:]]
        self.WT = [None] + [blk[..., :-1, :] for blk in self.blocks[1:]]
        for k, p in enumerate(parameters):
            self.load(p, k)
        self.mm = _matmul if stacked else np.dot
        self.sums = (1, 2) if stacked else None
        self._scalars(configs)
        self.v = np.zeros_like(self.flat) if c.optimizer in ("momentum", "adam") else None
        self.s = np.zeros_like(self.flat) if c.optimizer in ("rmsprop", "adam") else None
        self.t1, self.t2, self.t = np.empty_like(self.flat), np.empty_like(self.flat), 0
        self.g1t = np.empty((d[1], d[0] + 1), dt)
        self.act, self.act_backward = activations.get_activation(c.hidden_activation)
        self.relu = c.hidden_activation == "relu"
        self.fused = c.output_activation == "sigmoid" and c.numerics != "course"
        self.dropout = c.keep_prob < 1
        self.can_split = (not stacked and self.relu and c.keep_prob == 1 and L > 1
                          and (os.cpu_count() or 1) >= 2)
        self.chunk = (max(self.size, EVAL_ELEMENTS // (K * max(d[1:]))) if stacked
                      else max(self.size, EVAL_CHUNK))
        self.scratch, self.fixed_masks, self._full = {}, {}, None
        self.fresh = False  # whether the buffers hold the next training forward pass

    def _scalars(self, configs):
        """Per-config scalars: floats for one config, ``(K, 1)`` columns for a stack."""
        def col(name):
            values = [getattr(ck, name) for ck in configs]
            return values[0] if not self.stacked else np.array(values, float)[:, None]
        c = self.c
        self.beta1 = col("beta" if c.optimizer == "momentum" else "beta1")
        self.beta2, self.epsilon = col("beta2"), col("epsilon")
        lambd = col("lambd")
        self.l2coef = None
        if np.any(lambd):  # lambd_k / m on weights, 0 on biases
            self.l2coef = np.zeros_like(self.flat)
            for block in self._blocks(self.l2coef)[1:]:
                block[..., :-1, :] = np.asarray(lambd / self.m, self.dtype)[..., None]
        self.sqrt = np.sqrt if self.stacked else math.sqrt
        self._cast = ((lambda x: np.asarray(x, self.dtype)) if self.stacked
                      else (lambda x: x))

    def _blocks(self, flat):
        d, o = self.dims, self.offsets
        if self.stacked:
            return [None] + [flat[:, o[l - 1]:o[l]].reshape(self.K, d[l - 1] + 1, d[l])
                             for l in range(1, self.L + 1)]
        return [None] + [flat[0, o[l - 1]:o[l]].reshape(d[l - 1] + 1, d[l])
                         for l in range(1, self.L + 1)]

    def split(self, b):
        """Whether a batch of ``b`` runs each relu layer as two halves in two threads (a layer
        of at least ``PARALLEL_MIN`` values; BLAS then runs one thread per call)."""
        return self.can_split and max(self.dims[1:-1]) * b >= PARALLEL_MIN

    def buffers(self, b):
        """Per layer ``Z`` (.., n_l, b; the output layer's only, with relu), output ``A`` with a
        last row of ones (.., n_l + 1, b) and ``H``, its first n_l rows, ``dA`` and the relu
        mask (.., n_l, b); ``U``, ``SP``, ``E`` for the fused sigmoid and cost."""
        if b not in self.scratch:
            dt, d = self.dtype, self.dims
            lead = (self.K,) if self.stacked else ()
            A = [None] + [np.ones(lead + (n + 1, b), dt) for n in d[1:-1]]
            hidden = d[1:-1] if not self.relu else []  # relu's Z lives in H
            self.scratch[b] = {
                "Z": [None] + [np.empty(lead + (n, b), dt) for n in hidden]
                     + [np.empty(lead + (d[-1], b), dt)],
                "A": A, "H": [None] + [a[..., :-1, :] for a in A[1:]],
                "dA": [None] + [np.empty(lead + (n, b), dt) for n in d[1:-1]],
                "pos": [None] + [np.empty(lead + (n, b), bool) for n in d[1:-1]],
                "U": np.empty(lead + (1, b), dt), "SP": np.empty(lead + (1, b), dt),
                "E": np.empty(lead + (1, b), dt)}
        return self.scratch[b]

    # ------------------------------------------------------------------ one training step

    def batches(self, rng):
        """The epoch's mini-batches ``(Xa, T, S, S / b)``, shuffled by ``rng.permutation(m)``
        (None: the whole training set in order)."""
        Xa, _, T, S = self.sets["train"]
        m, size = self.m, self.size
        if rng is not None:
            order = rng.permutation(m)
            Xa, T, S = Xa[:, order], T[:, order], S[:, order]
        elif self._full is not None:
            return self._full
        Sm = np.multiply(S, 1.0 / size)
        if m % size:
            np.multiply(S[:, m - m % size:], 1.0 / (m % size), out=Sm[:, m - m % size:])
        out = [(Xa[:, k:k + size], T[:, k:k + size], S[:, k:k + size], Sm[:, k:k + size])
               for k in range(0, m, size)]
        if rng is None:
            self._full = out
        return out

    def train_batch(self, batch, lr, mask_rng):
        """Forward, cost, backward and one optimizer step on ``batch``; returns the summed
        cross-entropy and the L2 cost ``lambd/(2m) sum W**2`` before the step."""
        Xb, Tb, Sb, Smb = batch
        masks = (dropout_masks(self.c, self.dims, Xb.shape[1], mask_rng, self.fixed_masks)
                 if self.dropout else None)
        # after an evaluation of the training set, a full batch's buffers already hold this
        # forward pass (same parameters, same inputs, no dropout)
        Z = self.buffers(self.m)["Z"][-1] if self.fresh else self.forward(Xb, masks)
        self.fresh = False
        ce, dZ = self.output(Z, Tb, Sb, Smb)
        self.backward(Xb, dZ, masks)
        l2 = self.l2() if self.l2coef is not None else 0.0
        self.step(lr)
        return ce, l2

    def forward(self, Xa, masks):
        """``Z_L`` of ``[LINEAR -> ACT -> (DROPOUT)] * (L-1) -> LINEAR``; ``Xa`` is ``[X; 1]``."""
        buf, Wb, A, mm = self.buffers(Xa.shape[1]), self.Wb, Xa, self.mm
        Zs, As, Hs = buf["Z"], buf["A"], buf["H"]
        split = self.split(Xa.shape[1])
        for l in range(1, self.L):
            H = Hs[l]
            if split:  # the same, each half of the units in its own thread
                by_rows(functools.partial(_relu_rows, Wb[l], A, H), H.shape[0])
            elif self.relu:  # Z = W A + b in one product, then relu in place (the backward
                np.maximum(mm(Wb[l], A, H), 0.0, out=H)  # mask: H > 0 where Z > 0)
            else:
                H[...] = self.act(mm(Wb[l], A, Zs[l]))
            if masks is not None:
                np.multiply(H, masks[l], out=H)
                np.divide(H, self.c.keep_prob, out=H)
            A = As[l]
        return mm(Wb[self.L], A, Zs[-1])

    def output(self, Z, T, S, Sm):
        """(summed cross-entropy, ``dZ_L``) of the batch whose ``Z_L`` is ``Z``; one sum per
        config in a stack.

        Fused sigmoid (``S = 1 - 2Y``, ``Sm = S / b``): with ``u = S * z``, the loss is
        ``log(1 + e^u)`` and ``dL/dz = sigmoid(z) - y = S * sigmoid(u)``, computed as
        ``S * exp(u - log(1 + e^u))``.
        """
        if self.fused:
            buf = self.buffers(Z.shape[-1])
            u = np.multiply(Z, S, out=buf["U"])
            sp = softplus(u, buf["SP"], buf["E"])
            ce = np.add.reduce(sp, axis=self.sums)
            np.exp(np.subtract(u, sp, out=u), out=u)
            return (ce if self.stacked else float(ce)), np.multiply(u, Sm, out=u)
        AL, ce = output_and_cost(Z, T, self.c.output_activation, self.c.numerics, self.sums)
        return ce, (AL - T) / T.shape[1]

    def backward(self, Xa, dZ, masks):
        """Fill the flat gradients from the buffers of the forward pass just run."""
        buf, WT, g, mm = self.buffers(Xa.shape[1]), self.WT, self.gblocks, self.mm
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
            mm(As[l - 1], dZ.mT, g[l])  # [dW_l | db_l] transposed, in one product
            if dZ.shape[-2] == 1 and dZ.shape[-1] >= 1024:  # an outer product: as a multiply,
                dA = np.multiply(WT[l], dZ, out=dAs[l - 1])  # faster for long rows
            else:
                dA = mm(WT[l], dZ, dAs[l - 1])
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
            mm(Xa, dZ.mT, g[1])  # a stack's shared input [X; 1], broadcast

    def l2(self):
        """The L2 cost ``lambd/(2m) sum W**2`` (one per config in a stack); adds
        ``(lambd/m) W`` to the gradients."""
        flat = self.flat
        t = np.multiply(flat, self.l2coef, out=self.t1)
        if self.stacked:
            penalty = 0.5 * np.einsum("kp,kp->k", t, flat)
        else:
            penalty = 0.5 * float(np.dot(t[0], flat[0]))
        np.add(self.gflat, t, out=self.gflat)
        return penalty

    def step(self, lr):
        """One optimizer step on the flat arrays (``lr``: a float, or (K,) in a stack).

        The course's rules are ``nnlab.spec.optimizers``; this is the same arithmetic rearranged.
        The averages are kept divided by ``1 - beta``: ``u = beta u + g`` is the course's
        ``v = beta v + (1 - beta) g`` over ``1 - beta``, one operation fewer per step, and the
        factors move into the learning rate and epsilon (so do Adam's bias corrections:
        ``lr v/c1 / (sqrt(s/c2) + eps) = lr sqrt(c2)/c1 * v / (sqrt(s) + eps sqrt(c2))``).
        """
        c, G, t1, t2, cast = self.c, self.gflat, self.t1, self.t2, self._cast
        if not self.stacked and c.optimizer == "gd":  # the common case, without a call more
            np.subtract(self.flat, np.multiply(G, lr, out=t1), out=self.flat)
            return
        if self.stacked:
            lr = np.asarray(lr, float)[:, None]
        if c.optimizer == "gd":
            np.multiply(G, cast(lr), out=t1)
        else:
            num = G
            if c.optimizer in ("momentum", "adam"):
                num = np.add(np.multiply(self.v, cast(self.beta1), out=self.v), G, out=self.v)
                lr = lr * (1 - self.beta1)
            if c.optimizer == "momentum":
                np.multiply(num, cast(lr), out=t1)
            else:
                s = np.add(np.multiply(self.s, cast(self.beta2), out=self.s),
                           np.multiply(G, G, out=t2), out=self.s)
                # sqrt(s) = root * sqrt(u_s)
                root, eps = self.sqrt(1 - self.beta2), self.epsilon
                if c.optimizer == "adam":
                    self.t += 1
                    if c.bias_correction:
                        root_c2 = self.sqrt(1 - self.beta2 ** self.t)
                        lr, eps = lr * root_c2 / (1 - self.beta1 ** self.t), eps * root_c2
                np.multiply(num, cast(lr / root), out=t1)
                np.divide(t1, np.add(np.sqrt(s, out=t2), cast(eps / root), out=t2), out=t1)
        np.subtract(self.flat, t1, out=self.flat)

    # ------------------------------------------------------------------ per-epoch checks

    def begin_epoch(self):
        """Keep the parameters as they are at the start of the epoch."""
        np.copyto(self.prev, self.flat)

    def grad_norms(self):
        """``||dW_l||`` of the last step, per layer (a float, or (K,) in a stack)."""
        if self.stacked:
            return [np.sqrt(np.einsum("kij,kij->k", g[:, :-1], g[:, :-1]))
                    for g in self.gblocks[1:]]
        return [math.sqrt(dW.dot(dW)) for dW in self.dW]

    def all_finite(self):
        """Whether every parameter is finite (one sum tells, in the usual case)."""
        flat = self.flat
        return math.isfinite(np.add.reduce(flat, axis=None)) or bool(np.all(np.isfinite(flat)))

    def rows_finite(self):
        """(K,) whether each config's parameters are all finite."""
        ok = np.isfinite(self.flat.sum(axis=1))
        for k in np.flatnonzero(~ok):  # inf - inf or nan: look closer
            ok[k] = bool(np.all(np.isfinite(self.flat[k])))
        return ok

    def evaluate(self, part):
        """(accuracy, cost without L2) of every config on the set ``part`` ("train", "dev",
        "test"), as ``nnlab.core.train.evaluate``, ``chunk`` columns at a time. Evaluating the whole
        training set in one pass leaves the next full-batch forward pass in the buffers."""
        Xa, Y, T, S = self.sets[part]
        correct, ce, chunk = 0, 0.0, self.chunk
        self.fresh = False
        for k in range(0, Xa.shape[1], chunk):
            cols = slice(k, k + chunk)
            Z = self.forward(Xa[:, cols], None)
            if self.fused:  # sigmoid(z) > 0.5 exactly when z > 0
                u = Z * S[:, cols]
                ce = ce + np.add.reduce(softplus(u, u, np.empty_like(u)), axis=self.sums)
                pred = Z > 0
            else:
                AL, ce_part = output_and_cost(Z, T[:, cols], self.c.output_activation,
                                              self.c.numerics, self.sums)
                ce = ce + ce_part
                pred = AL > 0.5 if AL.shape[-2] == 1 else np.argmax(AL, -2)[..., None, :]
            correct = correct + np.count_nonzero(pred == Y[:, cols], axis=self.sums)
        m = Y.shape[1]
        if part == "train" and chunk >= m and self.size == m and self.c.keep_prob == 1:
            self.fresh = True
        if self.stacked:
            return correct / m, ce / m
        return correct / m, float(ce) / m

    # ------------------------------------------------------------------ parameters in and out

    def state(self, k=0, prev=False):
        """Config ``k``'s ``(parameters, bn_state)`` (``prev``: as at the start of the epoch),
        the parameters as the course's dict of ``W{l}`` (n_l, n_{l-1}) and ``b{l}`` (n_l, 1)."""
        blocks = self._blocks(self.prev) if prev else self.blocks
        out = {}
        for l in range(1, self.L + 1):
            blk = blocks[l][k] if self.stacked else blocks[l]
            out[f"W{l}"], out[f"b{l}"] = blk[:-1].T.copy(), blk[-1:].T.copy()
        return out, {}

    def restore(self, state, k=0):
        """Go back to config ``k``'s ``(parameters, bn_state)`` kept by :meth:`state`."""
        self.load(state[0], k)

    def load(self, parameters, k=0):
        """Set config ``k``'s parameters from the course's dict."""
        self.fresh = False
        for l in range(1, self.L + 1):
            blk = self.blocks[l][k] if self.stacked else self.blocks[l]
            blk[:-1] = parameters[f"W{l}"].T
            blk[-1] = parameters[f"b{l}"][:, 0]
