"""The same training in PyTorch eager (CPU, autograd) and JAX (jit), when they are importable.

Neither is a dependency of nnlab: a missing one is reported as skipped. Both train in float64
with the course's layout turned into theirs (examples as rows) and read the cost at every
step, as the course does.
"""

from __future__ import annotations

import functools
import importlib.util
import time

import numpy as np

from bench.timing import timed


def _torch_train(X, Y, dims, optimizer, lr, mini_batch_size, epochs):
    import torch
    torch.manual_seed(0)
    Xt, Yt = torch.tensor(X.T), torch.tensor(Y.T)
    layers = [torch.nn.Linear(a, b, dtype=torch.float64)
              for a, b in zip(dims, dims[1:], strict=False)]
    params = [p for layer in layers for p in layer.parameters()]
    opt = (torch.optim.Adam(params, lr) if optimizer == "adam" else torch.optim.SGD(params, lr))
    loss_fn = torch.nn.BCEWithLogitsLoss()
    m = Xt.shape[0]
    for _ in range(epochs):
        batches = ([(Xt, Yt)] if mini_batch_size is None else
                   [(Xt[i], Yt[i]) for i in torch.randperm(m).split(mini_batch_size)])
        for xb, yb in batches:
            a = xb
            for layer in layers[:-1]:
                a = torch.relu(layer(a))
            loss = loss_fn(layers[-1](a), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            loss.item()


@functools.cache
def _jax_step(optimizer, lr):
    """The jitted training step, built once per (optimizer, rate): the warm-up run compiles
    it, and the timed runs reuse the compiled code (as a training script would)."""
    import jax
    import jax.numpy as jnp
    jax.config.update("jax_enable_x64", True)

    def loss(params, x, y):
        a = x
        for W, b in params[:-1]:
            a = jax.nn.relu(W @ a + b)
        z = params[-1][0] @ a + params[-1][1]
        return jnp.mean(jnp.maximum(z, 0) - z * y + jnp.log1p(jnp.exp(-jnp.abs(z))))

    @jax.jit
    def step(params, state, x, y):
        cost, grads = jax.value_and_grad(loss)(params, x, y)
        if optimizer != "adam":
            return jax.tree.map(lambda p, g: p - lr * g, params, grads), state, cost
        t, v, s = state
        t = t + 1
        v = jax.tree.map(lambda v, g: 0.9 * v + 0.1 * g, v, grads)
        s = jax.tree.map(lambda s, g: 0.999 * s + 0.001 * g * g, s, grads)
        new = jax.tree.map(lambda p, v, s: p - lr * (v / (1 - 0.9 ** t))
                           / (jnp.sqrt(s / (1 - 0.999 ** t)) + 1e-8), params, v, s)
        return new, (t, v, s), cost

    return step


def _jax_train(X, Y, dims, optimizer, lr, mini_batch_size, epochs):
    import jax
    import jax.numpy as jnp
    step = _jax_step(optimizer, lr)
    rng = np.random.default_rng(0)
    params = [(jnp.asarray(rng.standard_normal((b, a)) * np.sqrt(2 / a)), jnp.zeros((b, 1)))
              for a, b in zip(dims, dims[1:], strict=False)]

    zeros = jax.tree.map(jnp.zeros_like, params)
    state = (jnp.zeros((), jnp.int64), zeros, zeros)
    Xj, Yj, m = jnp.asarray(X), jnp.asarray(Y), X.shape[1]
    for _ in range(epochs):
        if mini_batch_size is None:
            batches = [(Xj, Yj)]
        else:
            order = rng.permutation(m)
            batches = [(Xj[:, order[k:k + mini_batch_size]], Yj[:, order[k:k + mini_batch_size]])
                       for k in range(0, m, mini_batch_size)]
        for xb, yb in batches:
            params, state, cost = step(params, state, xb, yb)
            float(cost)


def time_all(data, dims, optimizer, lr, mini_batch_size, epochs, repeats) -> dict:
    """Timings per epoch of each framework, or the reason it was skipped."""
    out = {}
    X, Y = data.X_train, data.Y_train
    for label, module, fn in (("pytorch eager", "torch", _torch_train),
                              ("jax jit", "jax", _jax_train)):
        if importlib.util.find_spec(module) is None:
            out[label] = f"{module} is not installed"
            continue
        try:
            start = time.perf_counter()
            fn(X, Y, dims, optimizer, lr, mini_batch_size, 1)  # warm-up (and jit compile)
            out[label + " warm-up"] = f"{time.perf_counter() - start:.2f} s for one epoch"
            out[label] = timed(lambda f=fn: f(X, Y, dims, optimizer, lr, mini_batch_size,
                                               epochs), repeats, epochs)
        except Exception as exc:  # a broken install is a skipped contender, not a failed bench
            out[label] = f"failed: {type(exc).__name__}: {exc}"
    return out
