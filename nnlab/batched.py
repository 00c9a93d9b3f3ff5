"""Batched runs: K configs that share an architecture, trained together as stacked arrays.

The comparison view and hyperparameter search often train variants that differ only in a
scalar (the learning rate, beta, lambda, a seed...). Here their weights are stacked as
``(K, n_l, n_prev)``; every step is batched matmuls and whole-stack element-wise operations,
each config's scalars broadcast as ``(K, 1, 1)``; the first layer of the whole stack is one
GEMM against the shared input. From 32 configs up, groups of configs train in threads (one
per core, with one BLAS thread):
``train_batched(configs)[k]`` equals ``train(configs[k])`` to 1e-12 (``tests/test_batched.py``).
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import functools
import glob
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from nnlab import losses
from nnlab.config import TrainConfig
from nnlab.initializers import initialize_parameters
from nnlab.train import (
    MAX_EVALUATIONS,
    TrainResult,
    _final_metrics,
    _targets,
    learning_rate_for_epoch,
    make_dataset,
)

# Fields that may differ between batched configs: scalars that change no array's shape.
PER_CONFIG = ("learning_rate", "beta", "beta1", "beta2", "epsilon", "lambd", "schedule",
              "decay_rate", "time_interval", "decay_base", "k", "drop", "epochs_drop",
              "initializer", "init_scale", "seed")
MIN_GROUP, MAX_GROUPS = 16, 4  # configs trained in threads: at least 16 per thread
HIDDEN = ("relu", "tanh", "sigmoid", "leaky_relu", "linear")


def batch_problem(configs) -> str | None:
    """Why ``configs`` cannot be trained as one batch, or None when they can."""
    configs = list(configs)
    if not configs or not all(isinstance(c, TrainConfig) for c in configs):
        return "configs must be a non-empty list of TrainConfig"
    first = configs[0]
    if first.batch_norm or first.patience:
        return "batch norm and early stopping are not batched"
    shared = [f.name for f in dataclasses.fields(TrainConfig) if f.name not in PER_CONFIG]
    for c in configs[1:]:
        for name in shared:
            if getattr(c, name) != getattr(first, name):
                return (f"configs differ in {name!r}: {getattr(first, name)!r} vs "
                        f"{getattr(c, name)!r}")
    shuffled = first.mini_batch_size is not None
    if (shuffled or first.keep_prob < 1) and len({c.seed for c in configs}) > 1:
        return "mini-batches and dropout draw from the seed: configs must share it"
    return None


def can_batch(configs) -> bool:
    """Whether ``configs`` qualify for :func:`train_batched`: the same data, architecture,
    optimizer, mini-batches, dropout, epochs and dtype (seeds too when the run shuffles or
    drops out), differing only in scalars of ``PER_CONFIG``; no batch norm, no early stopping."""
    return batch_problem(configs) is None


def _col(values, dtype=float):
    return np.asarray(values, dtype=dtype).reshape(-1, 1, 1)


def _output(Z, Y, output, numerics):
    """Stacked ``AL`` (K, n_L, b) and each config's summed cross-entropy (K,)."""
    if output == "softmax":
        shifted = Z - Z.max(axis=1, keepdims=True)
        e = np.exp(shifted)
        s = e.sum(axis=1, keepdims=True)
        return e / s, -np.sum(Y * (shifted - np.log(s)), axis=(1, 2))
    if numerics == "course":
        AL = 1.0 / (1.0 + np.exp(-Z))
        logprobs = np.multiply(-np.log(AL), Y) + np.multiply(-np.log(1 - AL), 1 - Y)
        return AL, np.nansum(logprobs, axis=(1, 2))
    e = np.exp(np.copysign(Z, -1.0))
    d = 1.0 + e
    AL = e / d
    np.divide(1.0, d, out=AL, where=Z >= 0)
    return AL, np.sum(np.maximum(Z, 0) - Z * Y + np.log1p(e), axis=(1, 2))


class _Stack:
    def __init__(self, configs, dims, dtype):
        c0, K, self.L = configs[0], len(configs), len(dims) - 1
        self.c, self.K, self.dims = c0, K, dims
        inits = [initialize_parameters(dims, c.initializer, scale=c.init_scale,
                                       rng=np.random.default_rng([c.seed, 0])) for c in configs]
        self.P = {k: np.stack([p[k] for p in inits]).astype(dtype) for k in inits[0]}
        self.opt = {name: {k: np.zeros_like(v) for k, v in self.P.items()} for name in (
            {"momentum": ("v",), "rmsprop": ("s",), "adam": ("v", "s")}.get(c0.optimizer, ()))}
        self.t = 0
        h = {name: _col([getattr(c, name) for c in configs]) for name in (
            "beta", "beta1", "beta2", "epsilon")}
        self.h = h | {"1-beta": _col([1 - c.beta for c in configs]),
                      "1-beta1": _col([1 - c.beta1 for c in configs]),
                      "1-beta2": _col([1 - c.beta2 for c in configs])}
        self.lambd = np.array([c.lambd for c in configs])
        from nnlab.activations import get_activation
        self.act, self.act_backward = get_activation(c0.hidden_activation)

    def forward(self, Xa, masks):
        """Stacked ``Z_L`` and per layer ``(A_prev, Z or, for relu, max(0, Z) in place)``."""
        A, caches, relu = Xa, [], self.c.hidden_activation == "relu"
        for l in range(1, self.L + 1):
            W, b = self.P[f"W{l}"], self.P[f"b{l}"]
            if A.ndim == 2:  # the shared input: one GEMM for the whole stack (same bits)
                Z = (W.reshape(-1, W.shape[2]) @ A).reshape(self.K, W.shape[1], A.shape[1])
            else:
                Z = np.matmul(W, A)
            Z += b
            if l < self.L:
                # relu in place: max(0, Z) > 0 exactly where Z > 0 (the backward mask).
                H = np.maximum(Z, 0.0, out=Z) if relu else self.act(Z)
                caches.append((A, Z))
                A = H if masks is None else H * masks[l] / self.c.keep_prob
            else:
                caches.append((A, Z))
        return Z, caches

    def backward(self, dZ, caches, masks, m):
        """Gradients from ``dZ_L = (AL - Y) / b`` (``[dW1 db1]``: one GEMM)."""
        grads, dA = {}, None
        relu = self.c.hidden_activation == "relu"
        for l in range(self.L, 0, -1):
            A_prev, Z = caches[l - 1]
            if l < self.L:
                if masks is not None:
                    dA = dA * masks[l] / self.c.keep_prob
                dZ = np.multiply(dA, Z > 0, out=dA) if relu else self.act_backward(dA, Z)
            if A_prev.ndim == 2:  # the shared input: one GEMM for the whole stack
                dW = (dZ.reshape(-1, dZ.shape[2]) @ A_prev.T).reshape(self.K, dZ.shape[1], -1)
            else:
                dW = np.matmul(dZ, np.swapaxes(A_prev, -1, -2))
            grads[f"db{l}"] = np.sum(dZ, axis=2, keepdims=True)
            if l > 1:
                dA = np.matmul(np.swapaxes(self.P[f"W{l}"], 1, 2), dZ)
            if self.lambd.any():
                dW = dW + _col(self.lambd / m) * self.P[f"W{l}"]
            grads[f"dW{l}"] = dW
        return grads

    def step(self, grads, lr):
        name, h, o = self.c.optimizer, self.h, self.opt
        if name == "adam":
            self.t += 1
            c1 = _col([float(1 - np.power(b, self.t)) for b in h["beta1"].ravel()])
            c2 = _col([float(1 - np.power(b, self.t)) for b in h["beta2"].ravel()])
        for key, W in self.P.items():
            g = grads["d" + key]
            if name == "gd":
                upd = lr * g
            elif name == "momentum":
                o["v"][key] = h["beta"] * o["v"][key] + h["1-beta"] * g
                upd = lr * o["v"][key]
            else:
                o["s"][key] = h["beta2"] * o["s"][key] + h["1-beta2"] * np.power(g, 2)
                if name == "rmsprop":
                    upd = lr * g / (np.sqrt(o["s"][key]) + h["epsilon"])
                else:
                    o["v"][key] = h["beta1"] * o["v"][key] + h["1-beta1"] * g
                    v, s = o["v"][key], o["s"][key]
                    if self.c.bias_correction:
                        v, s = v / c1, s / c2
                    upd = lr * v / (np.sqrt(s) + h["epsilon"])
            self.P[key] = W - upd


def _masks(st, rng, b, fixed_cache):
    """Per-layer dropout masks ``(n_l, b)``, broadcast over the stack (one shared seed)."""
    kp = st.c.keep_prob
    if kp == 1.0:
        return None
    if st.c.dropout_mask == "fresh":
        return [None] + [rng.random((n, b)) < kp for n in st.dims[1:-1]]
    if b not in fixed_cache:  # the same generator re-made at every step: the same masks
        fresh = np.random.default_rng([st.c.seed, 2])
        fixed_cache[b] = [None] + [fresh.random((n, b)) < kp for n in st.dims[1:-1]]
    return fixed_cache[b]


def train_batched(configs, *, data=None) -> list[TrainResult]:
    """Train ``configs`` together; one ``TrainResult`` per config, each equal to its lone run.

    Parameters
    ----------
    configs : list of TrainConfig satisfying :func:`can_batch`.
    data : nnlab.data.Dataset, optional; default ``make_dataset(configs[0])``.

    Returns
    -------
    list of TrainResult, in the order of ``configs``; each ``seconds`` is the whole batch's
    wall time. A config that diverges stops its own history (status ``diverged``, its last
    good parameters) while the others go on.
    """
    configs = list(configs)
    problem = batch_problem(configs)
    if problem:
        raise ValueError(f"configs cannot be batched: {problem}")
    start = time.perf_counter()
    data = make_dataset(configs[0]) if data is None else data
    n = min(os.cpu_count() or 1, len(configs) // MIN_GROUP, MAX_GROUPS)
    if n < 2:
        return _train_group(configs, data, start)
    # Large element-wise operations release the GIL: a thread per core, a group per thread.
    bounds = np.linspace(0, len(configs), n + 1).astype(int)
    with _one_blas_thread(), ThreadPoolExecutor(n) as pool:
        groups = pool.map(lambda ab: _train_group(configs[ab[0]:ab[1]], data, start),
                          zip(bounds[:-1], bounds[1:], strict=True))
        return [r for group in groups for r in group]


@functools.cache
def _blas_api():
    """``(get, set)`` thread counts of the OpenBLAS bundled in NumPy's wheel (ctypes), or None."""
    names = [("scipy_openblas_get_num_threads64_", "scipy_openblas_set_num_threads64_"),
             ("openblas_get_num_threads", "openblas_set_num_threads")]
    for path in glob.glob(os.path.dirname(np.__file__) + ".libs/*openblas*"):
        with contextlib.suppress(OSError):
            lib = ctypes.CDLL(path)
            for get, set_ in names:
                if hasattr(lib, get) and hasattr(lib, set_):
                    return getattr(lib, get), getattr(lib, set_)
    return None


_BLAS = {"lock": threading.Lock(), "users": 0, "saved": None}


@contextlib.contextmanager
def _one_blas_thread():
    """One OpenBLAS thread while groups train in threads (else they wait on each other)."""
    api = _blas_api()
    if api is not None:
        with _BLAS["lock"]:
            if _BLAS["users"] == 0:
                _BLAS["saved"] = api[0]()
                api[1](1)
            _BLAS["users"] += 1
    try:
        yield
    finally:
        if api is not None:
            with _BLAS["lock"]:
                _BLAS["users"] -= 1
                if _BLAS["users"] == 0:
                    api[1](_BLAS["saved"])


def _train_group(configs, data, start):
    c0, K = configs[0], len(configs)
    dt = np.dtype(c0.dtype)
    dims = c0.layer_dims(data.n_x)
    st = _Stack(configs, dims, dt)
    X, Y, Xd, Yd = (np.asarray(data.X_train, dt), data.Y_train, np.asarray(data.X_dev, dt),
                    data.Y_dev)
    T, Td = np.asarray(_targets(Y, c0), dt), np.asarray(_targets(Yd, c0), dt)
    m, L, E = X.shape[1], st.L, c0.num_epochs
    size = m if c0.mini_batch_size is None else min(c0.mini_batch_size, m)
    shuffle = np.random.default_rng([c0.seed, 1])
    mask_rng, fixed = np.random.default_rng([c0.seed, 2]), {}
    every = max(1, E // MAX_EVALUATIONS)
    cols = ["cost", "learning_rate", "train_accuracy", "dev_accuracy", "dev_cost"]
    hist = {c: np.full((K, E), np.nan) for c in cols + [f"grad_norm_{l}" for l in range(1, L + 1)]}
    alive, epochs_run = np.ones(K, bool), np.full(K, E)
    good, messages = [None] * K, [""] * K

    def evaluate(Xe, Ye, Te):
        Z, _ = st.forward(Xe, None)
        AL, ce = _output(Z, Te, c0.output_activation, c0.numerics)
        pred = AL > 0.5 if AL.shape[1] == 1 else np.argmax(AL, 1)[:, None]
        return np.count_nonzero(pred == Ye, axis=(1, 2)) / Ye.shape[1], ce / Ye.shape[1]

    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        for epoch in range(E):
            lrs = [learning_rate_for_epoch(c, epoch) for c in configs]
            lr = _col(lrs)
            if size < m:
                order = shuffle.permutation(m)
                Xs, Ts = X[:, order], T[:, order]
                batches = [(Xs[:, k:k + size], Ts[:, k:k + size]) for k in range(0, m, size)]
            else:
                batches = [(X, T)]
            ce_total, l2_total = np.zeros(K), np.zeros(K)
            before = dict(st.P)
            for Xb, Tb in batches:
                masks = _masks(st, mask_rng, Xb.shape[1], fixed)
                Z, caches = st.forward(Xb, masks)
                AL, ce = _output(Z, Tb, c0.output_activation, c0.numerics)
                dZ = (AL - Tb) / Tb.shape[-1]
                ce_total += ce
                for k in np.flatnonzero(st.lambd):
                    Pk = {f"W{l}": st.P[f"W{l}"][k] for l in range(1, L + 1)}
                    l2_total[k] += Xb.shape[1] / m * losses.l2_penalty(Pk, st.lambd[k], m, L)
                grads = st.backward(dZ, caches, masks, m)
                st.step(grads, lr)
            cost = ((1.0 / m) * ce_total if len(batches) == 1 else ce_total / m) + l2_total
            now = alive.copy()
            hist["cost"][now, epoch] = cost[now]
            hist["learning_rate"][now, epoch] = np.array(lrs)[now]
            for l in range(1, L + 1):
                g = grads[f"dW{l}"].reshape(K, -1)
                hist[f"grad_norm_{l}"][now, epoch] = np.sqrt(np.einsum("ki,ki->k", g, g))[now]
            finite = np.all([np.isfinite(p.reshape(K, -1)).all(axis=1) for p in st.P.values()], 0)
            bad = np.isnan(cost) | (np.isinf(cost) & (c0.numerics != "course"))
            for k in np.flatnonzero(now & (bad | ~finite)):
                what = f"the cost became {cost[k]}" if bad[k] else "the parameters overflowed"
                messages[k] = (f"Diverged at epoch {epoch}: {what}. Try a smaller learning rate "
                               f"(it was {lrs[k]:g}).")
                good[k] = {key: v[k].copy() for key, v in before.items()}
                alive[k], epochs_run[k] = False, epoch + 1
            if not alive.any():
                break
            if epoch % every == 0 or epoch == E - 1:
                ok = alive
                hist["train_accuracy"][ok, epoch] = evaluate(X, Y, T)[0][ok]
                if data.m_dev:
                    acc, dcost = evaluate(Xd, Yd, Td)
                    hist["dev_accuracy"][ok, epoch] = acc[ok]
                    hist["dev_cost"][ok, epoch] = dcost[ok]
    results = []
    for k, c in enumerate(configs):
        n = epochs_run[k]
        params = good[k] or {key: v[k].copy() for key, v in st.P.items()}
        history = {"epoch": np.arange(n, dtype=float)} | {
            key: hist[key][k, :n].copy() for key in hist}
        metrics = _final_metrics(params, {}, data, c)
        status = "ok" if good[k] is None else "diverged"
        message = messages[k] or (f"Trained {c.num_epochs} epochs: train accuracy "
                                  f"{metrics['train_accuracy']:.3f}, dev accuracy "
                                  f"{metrics['dev_accuracy']:.3f}.")
        results.append(TrainResult(c, params, {}, history, status, message,
                                   time.perf_counter() - start, int(n), None, metrics))
    return results
