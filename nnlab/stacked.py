"""K configs trained as one stack: the arithmetic of ``nnlab.fastpath`` on stacked arrays.

``nnlab.batched.train_batched`` splits its configs into groups and hands each group to
:func:`train_group`. Layer ``l`` of all K configs is one block ``[W_l | b_l]`` of shape
``(K, n_l, n_{l-1} + 1)``: ``Z_l = [W_l | b_l] @ [A_{l-1}; 1]`` is one batched product (the
first layer's input, shared by all configs, broadcast), and ``[dW_l | db_l]`` comes out of one
batched product too. Every block lives in one flat array, so an optimizer step is a few whole-array
operations, each config's scalars (learning rate, betas, lambda...) expanded to one value per
parameter. The sigmoid is fused with its cost and the momentum and Adam averages are kept over
``1 - beta``, as in the fast path; each run equals the same config trained alone to 1e-12.
"""

from __future__ import annotations

import time

import numpy as np

from nnlab.fastnet import dropout_masks, output_and_cost, softplus
from nnlab.fastpath import _augmented, _batches
from nnlab.initializers import initialize_parameters
from nnlab.train import MAX_EVALUATIONS, TrainResult, learning_rate_for_epoch

EVAL_ELEMENTS = 2 ** 18  # per evaluation pass: K * widest layer * columns, at most about this


class _Stack:
    """The K configs' parameters, gradients, optimizer state and buffers."""

    def __init__(self, configs, dims, dtype, m):
        c = self.c = configs[0]
        K, L, d = len(configs), len(dims) - 1, dims
        self.K, self.L, self.dims, self.dtype = K, L, d, dtype
        sizes = [K * d[l] * (d[l - 1] + 1) for l in range(1, L + 1)]
        o = self.offsets = np.cumsum([0] + sizes)
        self.flat, self.prev, self.gflat = (np.zeros(o[-1], dtype) for _ in range(3))
        self.Wb, self.gWb = self._blocks(self.flat), self._blocks(self.gflat)
        self.WT = [None] + [np.swapaxes(w[:, :, :-1], 1, 2) for w in self.Wb[1:]]
        # which config each parameter belongs to: a (K,) vector of scalars -> one per parameter
        self.kidx = np.concatenate([np.repeat(np.arange(K), s // K) for s in sizes])
        for k, ck in enumerate(configs):
            p = initialize_parameters(dims, ck.initializer, scale=ck.init_scale,
                                      rng=np.random.default_rng([ck.seed, 0]))
            self.load(k, p)
        lambd = np.array([ck.lambd for ck in configs], float)
        self.lambd = lambd if lambd.any() else None
        if self.lambd is not None:  # lambd_k / m on weights, 0 on biases
            self.l2coef = self.expand(lambd / m)
            for block in self._blocks(self.l2coef)[1:]:
                block[:, :, -1] = 0
        self.h = {name: np.array([getattr(ck, name) for ck in configs])
                     for name in ("beta", "beta1", "beta2", "epsilon")}
        self.v = np.zeros_like(self.flat) if c.optimizer in ("momentum", "adam") else None
        self.s = np.zeros_like(self.flat) if c.optimizer in ("rmsprop", "adam") else None
        if c.optimizer != "gd":
            self.b1 = self.expand(self.h["beta" if c.optimizer == "momentum" else "beta1"])
            self.b2 = self.expand(self.h["beta2"])
        self.t1, self.t2, self.t = np.empty_like(self.flat), np.empty_like(self.flat), 0
        from nnlab.activations import get_activation
        self.act, self.act_backward = get_activation(c.hidden_activation)
        self.relu = c.hidden_activation == "relu"
        self.fused = c.output_activation == "sigmoid" and c.numerics != "course"
        self.scratch, self._lr = {}, (None, None)

    def _blocks(self, flat):
        d, o, K = self.dims, self.offsets, self.K
        return [None] + [flat[o[l - 1]:o[l]].reshape(K, d[l], d[l - 1] + 1)
                         for l in range(1, self.L + 1)]

    def expand(self, values):
        """A (K,) vector of per-config scalars, one value per parameter."""
        return np.asarray(values, self.dtype)[self.kidx]

    def load(self, k, parameters):
        for l in range(1, self.L + 1):
            self.Wb[l][k, :, :-1] = parameters[f"W{l}"]
            self.Wb[l][k, :, -1] = parameters[f"b{l}"][:, 0]

    def copy(self, k, prev=False):
        blocks = self._blocks(self.prev) if prev else self.Wb
        out = {}
        for l in range(1, self.L + 1):
            out[f"W{l}"], out[f"b{l}"] = blocks[l][k, :, :-1].copy(), blocks[l][k, :, -1:].copy()
        return out

    def buffers(self, b):
        if b not in self.scratch:
            dt, K, d = self.dtype, self.K, self.dims
            A = [None] + [np.ones((K, n + 1, b), dt) for n in d[1:-1]]
            hidden = [None] * (len(d) - 2) if self.relu else [np.empty((K, n, b), dt)
                                                              for n in d[1:-1]]
            self.scratch[b] = {"Z": [None] + hidden + [np.empty((K, d[-1], b), dt)], "A": A,
                               "H": [None] + [a[:, :-1] for a in A[1:]],
                               "dA": [None] + [np.empty((K, n, b), dt) for n in d[1:-1]],
                               "pos": [None] + [np.empty((K, n, b), bool) for n in d[1:-1]],
                               "U": np.empty((K, 1, b), dt), "SP": np.empty((K, 1, b), dt),
                               "E": np.empty((K, 1, b), dt)}
        return self.scratch[b]

    def forward(self, Xa, masks):
        """Stacked ``Z_L`` (K, n_L, b); ``Xa`` is the shared ``[X; 1]``."""
        buf, A = self.buffers(Xa.shape[1]), Xa
        for l in range(1, self.L):
            H = buf["H"][l]
            if self.relu:  # Z = [W | b] [A; 1], then relu in place (mask: H > 0 where Z > 0)
                np.maximum(np.matmul(self.Wb[l], A, out=H), 0.0, out=H)
            else:
                H[...] = self.act(np.matmul(self.Wb[l], A, out=buf["Z"][l]))
            if masks is not None:
                np.multiply(H, masks[l], out=H)
                np.divide(H, self.c.keep_prob, out=H)
            A = buf["A"][l]
        return np.matmul(self.Wb[self.L], A, out=buf["Z"][-1])

    def output(self, Z, T, S, Sm):
        """Each config's summed cross-entropy (K,) and the stacked ``dZ_L``."""
        if self.fused:  # as nnlab.fastnet.Net.output
            buf = self.buffers(Z.shape[2])
            u = np.multiply(Z, S, out=buf["U"])
            sp = softplus(u, buf["SP"], buf["E"])
            ce = np.add.reduce(sp, axis=(1, 2))
            np.exp(np.subtract(u, sp, out=u), out=u)
            return ce, np.multiply(u, Sm, out=u)
        AL, ce = output_and_cost(Z, T, self.c.output_activation, self.c.numerics,
                                  stacked=True)
        return ce, (AL - T) / T.shape[-1]

    def backward(self, Xa, dZ, masks):
        buf = self.buffers(Xa.shape[1])
        for l in range(self.L, 1, -1):
            np.matmul(dZ, np.swapaxes(buf["A"][l - 1], 1, 2), out=self.gWb[l])
            dA = np.matmul(self.WT[l], dZ, out=buf["dA"][l - 1])
            Z = buf["Z"][l - 1]  # None with relu
            if masks is not None:
                np.multiply(dA, masks[l - 1], out=dA)
                np.divide(dA, self.c.keep_prob, out=dA)
            if self.relu:
                H = buf["H"][l - 1]
                dZ = np.multiply(dA, np.greater(H, 0, out=buf["pos"][l - 1]), out=dA)
            else:
                dZ = self.act_backward(dA, Z)
        np.matmul(dZ, Xa.T, out=self.gWb[1])  # the shared input [X; 1], broadcast

    def l2(self):
        """Each config's L2 cost (K,); adds ``(lambd/m) W`` to the gradients."""
        t = np.multiply(self.flat, self.l2coef, out=self.t1)
        sq = self.t2
        np.multiply(t, self.flat, out=sq)
        penalty = sum(block.sum(axis=(1, 2)) for block in self._blocks(sq)[1:])
        np.add(self.gflat, t, out=self.gflat)
        return 0.5 * penalty

    def step(self, lr):
        """One step of every config (``lr``: (K,)), as ``nnlab.fastnet.Net.step``."""
        c, G, t1, t2 = self.c, self.gflat, self.t1, self.t2
        if c.optimizer == "gd":
            if lr is not self._lr[0]:  # one learning rate per config and epoch: expand once
                self._lr = lr, self.expand(lr)
            np.multiply(G, self._lr[1], out=t1)
        else:
            num = G
            if c.optimizer in ("momentum", "adam"):
                beta = self.h["beta" if c.optimizer == "momentum" else "beta1"]
                num = np.add(np.multiply(self.v, self.b1, out=self.v), G, out=self.v)
                lr = lr * (1 - beta)
            if c.optimizer == "momentum":
                np.multiply(num, self.expand(lr), out=t1)
            else:
                s = np.add(np.multiply(self.s, self.b2, out=self.s), np.multiply(G, G, out=t2),
                           out=self.s)
                b2, eps = self.h["beta2"], self.h["epsilon"]
                root = np.sqrt(1 - b2)
                if c.optimizer == "adam":
                    self.t += 1
                    if c.bias_correction:
                        root_c2 = np.sqrt(1 - b2 ** self.t)
                        lr = lr * root_c2 / (1 - self.h["beta1"] ** self.t)
                        eps = eps * root_c2
                np.multiply(num, self.expand(lr / root), out=t1)
                np.divide(t1, np.add(np.sqrt(s, out=t2), self.expand(eps / root), out=t2),
                          out=t1)
        np.subtract(self.flat, t1, out=self.flat)

    def finite(self):
        """(K,) whether each config's parameters are all finite."""
        sums = sum(block.sum(axis=(1, 2)) for block in self.Wb[1:])
        ok = np.isfinite(sums)
        for k in np.flatnonzero(~ok):  # inf - inf or nan: look closer
            ok[k] = all(np.isfinite(block[k]).all() for block in self.Wb[1:])
        return ok

    def grad_norms(self):
        return [np.sqrt(np.einsum("kij,kij->k", g[:, :, :-1], g[:, :, :-1]))
                for g in self.gWb[1:]]

    def evaluate(self, Xa, Y, T, S, chunk):
        """Each config's (accuracy, cost without L2) on a whole set, ``chunk`` columns a pass."""
        correct, ce = np.zeros(self.K), np.zeros(self.K)
        for k in range(0, Xa.shape[1], chunk):
            part = slice(k, k + chunk)
            Z = self.forward(Xa[:, part], None)
            if self.fused:
                u = Z * S[:, part]
                ce += np.add.reduce(softplus(u, u, np.empty_like(u)), axis=(1, 2))
                pred = Z > 0
            else:
                AL, ce_part = output_and_cost(Z, T[:, part], self.c.output_activation,
                                              self.c.numerics, stacked=True)
                ce += ce_part
                pred = AL > 0.5 if AL.shape[1] == 1 else np.argmax(AL, 1)[:, None]
            correct += np.count_nonzero(pred == Y[:, part], axis=(1, 2))
        return correct / Y.shape[1], ce / Y.shape[1]


def train_group(configs, data, start):
    """Train ``configs`` (which satisfy ``nnlab.batched.can_batch``) as one stack."""
    c0, K = configs[0], len(configs)
    dt = np.dtype(c0.dtype)
    dims = c0.layer_dims(data.n_x)
    Xa, T, S = _augmented(np.asarray(data.X_train, dt), data.Y_train, c0, dt)
    m, L, E = Xa.shape[1], len(dims) - 1, c0.num_epochs
    st = _Stack(configs, dims, dt, m)
    size = m if c0.mini_batch_size is None else min(c0.mini_batch_size, m)
    chunk = max(size, EVAL_ELEMENTS // (K * max(dims[1:])))
    shuffle = np.random.default_rng([c0.seed, 1])
    mask_rng, fixed = np.random.default_rng([c0.seed, 2]), {}
    every = max(1, E // MAX_EVALUATIONS)
    cols = ["cost", "learning_rate", "train_accuracy", "dev_accuracy", "dev_cost"]
    hist = {c: np.full((K, E), np.nan) for c in cols + [f"grad_norm_{l}" for l in range(1, L + 1)]}
    alive, epochs_run = np.ones(K, bool), np.full(K, E)
    good, messages, last = [None] * K, [""] * K, None
    sets = {part: (_augmented(np.asarray(getattr(data, f"X_{part}"), dt), Y, c0, dt), Y)
            for part, Y in (("dev", data.Y_dev), ("test", data.Y_test))}
    full = _batches(Xa, T, S, size, None) if size == m else None
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        constant = all(c.schedule == "constant" for c in configs)
        lrs = np.array([c.learning_rate for c in configs])
        for epoch in range(E):
            if not constant:
                lrs = np.array([learning_rate_for_epoch(c, epoch) for c in configs])
            batches = full or _batches(Xa, T, S, size, shuffle.permutation(m))
            ce_total, l2_total = np.zeros(K), np.zeros(K)
            np.copyto(st.prev, st.flat)
            for Xb, Tb, Sb, Smb in batches:
                masks = dropout_masks(c0, dims, Xb.shape[1], mask_rng, fixed)
                ce, dZ = st.output(st.forward(Xb, masks), Tb, Sb, Smb)
                ce_total += ce
                st.backward(Xb, dZ, masks)
                if st.lambd is not None:
                    l2_total += Xb.shape[1] / m * st.l2()
                st.step(lrs)
            cost = ((1.0 / m) * ce_total if len(batches) == 1 else ce_total / m) + l2_total
            # every config's column (a stopped config's later epochs are cut off at the end)
            hist["cost"][:, epoch], hist["learning_rate"][:, epoch] = cost, lrs
            for l, norm in enumerate(st.grad_norms(), start=1):
                hist[f"grad_norm_{l}"][:, epoch] = norm
            bad = np.isnan(cost) | (np.isinf(cost) & (c0.numerics != "course"))
            if np.isfinite(cost.sum()) and np.isfinite(np.add.reduce(st.flat)):
                stopping = ()  # every cost and every parameter finite: two sums tell
            else:
                stopping = np.flatnonzero(alive & (bad | ~st.finite()))
            for k in stopping:
                what = f"the cost became {cost[k]}" if bad[k] else "the parameters overflowed"
                messages[k] = (f"Diverged at epoch {epoch}: {what}. Try a smaller learning rate "
                               f"(it was {lrs[k]:g}).")
                good[k] = st.copy(k, prev=True)
                alive[k], epochs_run[k] = False, epoch + 1
            if not alive.any():
                break
            if epoch % every == 0 or epoch == E - 1:
                ok = alive
                last = epoch, st.evaluate(Xa, data.Y_train, T, S, chunk)
                hist["train_accuracy"][ok, epoch] = last[1][0][ok]
                if data.m_dev:
                    (Xda, Td, Sd), Yd = sets["dev"]
                    acc, dcost = st.evaluate(Xda, Yd, Td, Sd, chunk)
                    hist["dev_accuracy"][ok, epoch] = acc[ok]
                    hist["dev_cost"][ok, epoch] = dcost[ok]
        metrics = _metrics(st, data, sets, T, S, Xa, chunk, good, last, epoch)
    results = []
    for k, c in enumerate(configs):
        n = epochs_run[k]
        params = good[k] or st.copy(k)
        history = {"epoch": np.arange(n, dtype=float)} | {
            key: hist[key][k, :n].copy() for key in hist}
        status = "ok" if good[k] is None else "diverged"
        message = messages[k] or (f"Trained {c.num_epochs} epochs: train accuracy "
                                  f"{metrics[k]['train_accuracy']:.3f}, dev accuracy "
                                  f"{metrics[k]['dev_accuracy']:.3f}.")
        results.append(TrainResult(c, params, {}, history, status, message,
                                   time.perf_counter() - start, int(n), None, metrics[k]))
    return results


def _metrics(st, data, sets, T, S, Xa, chunk, good, last, epoch):
    """Each config's final train/dev/test accuracy and cost (its kept parameters)."""
    for k, params in enumerate(good):
        if params is not None:
            st.load(k, params)
    out = {}
    if last is None or last[0] != epoch or any(g is not None for g in good):
        out["train"] = st.evaluate(Xa, data.Y_train, T, S, chunk)
    else:
        out["train"] = last[1]
    for part, ((Xp, Tp, Sp), Yp) in sets.items():
        nan = np.full(st.K, np.nan)
        out[part] = st.evaluate(Xp, Yp, Tp, Sp, chunk) if Yp.shape[1] else (nan, nan)
    return [{f"{p}_{w}": float(out[p][i][k]) for p in ("train", "dev", "test")
             for i, w in enumerate(("accuracy", "cost"))} for k in range(st.K)]
