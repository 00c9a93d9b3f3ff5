"""The readable backend of the training loop: one step is the course-notation functions.

``nnlab.core.loop.Run`` drives either this or the fast ``nnlab.core.network.Network``; both answer
the
same few calls (``batches``, ``train_batch``, ``evaluate``, ...). Here each mini-batch runs
``model.forward``, ``model.cross_entropy_sum``, ``losses.l2_penalty``, ``model.backward`` and
``optimizers.optimizer_step`` on the course's dicts, exactly as a notebook would. It is the
specification the fast network is tested against, and it is what batch norm runs on.
"""

from __future__ import annotations

import numpy as np

from nnlab.data import datasets as datamod
from nnlab.spec import losses, minibatch, model, optimizers


def targets(Y, config):
    """One-hot targets for a softmax output, the labels themselves for a sigmoid."""
    return datamod.one_hot(Y, config.n_classes) if config.output_activation == "softmax" else Y


def predict_options(config, bn_state) -> dict:
    """The keyword arguments of ``model.predict`` for ``config``'s network."""
    return dict(hidden_activation=config.hidden_activation, output=config.output_activation,
                batch_norm=config.batch_norm, bn_state=bn_state)


def evaluate(parameters, bn_state, X, Y, config):
    """(accuracy, cost without L2) on a whole set in test mode (no dropout); NaN for a
    batch-norm network that has no running statistics yet (no step taken)."""
    if config.batch_norm and not bn_state:
        return np.nan, np.nan
    opts = predict_options(config, bn_state)
    mode = "test" if config.batch_norm else "train"  # no dropout: keep_prob stays 1 here
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        AL, caches, _ = model.forward(X, parameters, mode=mode, numerics=config.numerics, **opts)
        cost = model.cross_entropy_sum(AL, caches, targets(Y, config),
                                       output=config.output_activation,
                                       numerics=config.numerics) / Y.shape[1]
    pred = (AL > 0.5).astype(float) if AL.shape[0] == 1 else np.argmax(AL, 0)[None].astype(float)
    return model.accuracy(pred, Y), cost


class Reference:
    """One config's parameters, optimizer state and running batch-norm statistics, stepped by
    the course-notation functions. The parameters are never modified in place (the functions
    are pure), so keeping a dict keeps those values."""

    stacked = False

    def __init__(self, config, parameters, data):
        self.c = c = config
        self.data = data
        self.X, self.T = data.X_train, targets(data.Y_train, c)
        self.m = m = self.X.shape[1]
        self.size = m if c.mini_batch_size is None else min(c.mini_batch_size, m)
        self.parameters, self.bn_state = parameters, {}
        self.L = model.num_layers(parameters)
        self.opt_state = optimizers.init_optimizer_state(c.optimizer, parameters)
        self.fwd = dict(hidden_activation=c.hidden_activation, output=c.output_activation,
                        keep_prob=c.keep_prob, batch_norm=c.batch_norm,
                        bn_momentum=c.bn_momentum, numerics=c.numerics)
        self.hyper = dict(beta=c.beta, beta1=c.beta1, beta2=c.beta2, epsilon=c.epsilon,
                          bias_correction=c.bias_correction)
        self.prev, self.grads = (parameters, {}), None

    def batches(self, rng):
        """The epoch's mini-batches ``(X_b, Y_b)`` (``rng`` None: the whole set in order)."""
        if rng is None:
            return [(self.X, self.T)]
        return minibatch.random_mini_batches(self.X, self.T, self.size, rng=rng)

    def train_batch(self, batch, lr, mask_rng):
        """One step; returns the summed cross-entropy and the L2 cost before the step."""
        Xb, Yb = batch
        c, L = self.c, self.L
        rng = np.random.default_rng([c.seed, 2]) if c.dropout_mask == "fixed" else mask_rng
        AL, caches, self.bn_state = model.forward(Xb, self.parameters, rng=rng,
                                                  bn_state=self.bn_state, **self.fwd)
        ce = model.cross_entropy_sum(AL, caches, Yb, output=self.fwd["output"],
                                     numerics=c.numerics)
        l2 = losses.l2_penalty(self.parameters, c.lambd, self.m, L) if c.lambd else 0.0
        self.grads = model.backward(AL, Yb, caches, self.parameters, lambd=c.lambd,
                                    l2_m=self.m, hidden_activation=c.hidden_activation)
        self.parameters, self.opt_state = optimizers.optimizer_step(
            c.optimizer, self.parameters, self.grads, self.opt_state, lr, **self.hyper)
        return ce, l2

    def begin_epoch(self):
        self.prev = (self.parameters, self.bn_state)

    def grad_norms(self):
        return [float(np.linalg.norm(self.grads[f"dW{l}"])) for l in range(1, self.L + 1)]

    def all_finite(self):
        return all(np.all(np.isfinite(v)) for v in self.parameters.values())

    def evaluate(self, part):
        X, Y = getattr(self.data, f"X_{part}"), getattr(self.data, f"Y_{part}")
        return evaluate(self.parameters, self.bn_state, X, Y, self.c)

    def state(self, k=0, prev=False):
        """``(parameters, bn_state)`` now, or as at the start of the epoch."""
        return self.prev if prev else (self.parameters, self.bn_state)

    def restore(self, state, k=0):
        """Go back to a ``(parameters, bn_state)`` pair kept by :meth:`state`."""
        self.parameters, self.bn_state = state
