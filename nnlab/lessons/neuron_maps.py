"""What each neuron computes over the input plane, and the gradient of every weight.

TensorFlow Playground draws, in every node of its network, the node's output over the input
plane; the learner sees the first layer cut the plane with lines and later layers combine them.
:func:`unit_maps` computes those maps for a run of nnlab (test mode: no dropout; batch norm with
its running statistics), :func:`weight_gradients` the full-batch ``dW[l]`` of the training set,
which the network drawing shows instead of the weights on request. Course notation throughout:
both go through ``nnlab.spec.model``.
"""

from __future__ import annotations

import numpy as np

from nnlab.core.reference import predict_options, targets
from nnlab.spec import model


def plane(box, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``xs`` (size,), ``ys`` (size,) over ``box = (x0, x1, y0, y1)`` and the grid's points as
    ``X`` (2, size*size); entry ``[i, j]`` of a map is at ``(xs[j], ys[i])``."""
    size = int(size)
    if size < 2:
        raise ValueError(f"size must be at least 2, got {size}")
    x0, x1, y0, y1 = (float(v) for v in box)
    xs, ys = np.linspace(x0, x1, size), np.linspace(y0, y1, size)
    gx, gy = np.meshgrid(xs, ys)
    return xs, ys, np.vstack([gx.ravel(), gy.ravel()])


def unit_maps(config, parameters: dict, bn_state, box, *, size: int = 24) -> list[np.ndarray]:
    """Every unit's output over the plane ``box``: a list of L+1 arrays, entry ``l`` of shape
    ``(n_l, size, size)`` (``l = 0``: the inputs x1, x2 themselves; ``l = L``: the output
    probabilities). Non-finite values (a diverged run) stay as they are.

    A batch-norm network that has taken no step has no running statistics: its maps are then
    those of batch norm in train mode over the plane's own points.
    """
    _, _, X = plane(box, size)
    opts = predict_options(config, bn_state)
    mode = "test" if (config.batch_norm and bn_state) else "train"
    with np.errstate(all="ignore"):
        _, caches, _ = model.forward(X, parameters, mode=mode, numerics=config.numerics, **opts)
    maps = [X.reshape(2, size, size)]
    maps += [np.asarray(c["A"]).reshape(-1, size, size) for c in caches]
    return maps


def weight_gradients(config, parameters: dict, bn_state, X, Y) -> list[np.ndarray]:
    """``[dW1, ..., dWL]`` of the cost on ``(X, Y)`` (the whole set at once, no dropout, with
    ``config.lambd``'s L2 term): where each weight is being pushed now."""
    opts = predict_options(config, bn_state)
    with np.errstate(all="ignore"):
        AL, caches, _ = model.forward(X, parameters, mode="train", numerics=config.numerics,
                                      **opts)
        grads = model.backward(AL, targets(Y, config), caches, parameters,
                               hidden_activation=config.hidden_activation, lambd=config.lambd)
    L = model.num_layers(parameters)
    return [grads[f"dW{l}"] for l in range(1, L + 1)]
