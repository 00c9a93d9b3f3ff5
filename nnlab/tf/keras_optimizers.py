r"""The Keras optimizer that makes the course's update, step for step (used by
:mod:`nnlab.tf.bridge`). TensorFlow is imported inside :func:`keras_optimizer` only.

Differences that are there on purpose, and why the results still agree:

- The course's TF notebook differentiates the *summed* mini-batch loss. nnlab (and the course's
  NumPy assignments) average each mini-batch's gradient over its own size, so here the tape
  differentiates ``total_loss / m_b``: the same learning rate then means the same step.
- Keras stores a float learning rate in a float32 variable (0.01 becomes 0.009999999776...). A
  zero-argument callable that returns a float64 tensor is a documented Keras alternative: it
  gives Keras exactly the rate nnlab uses.
- Momentum: Keras ``SGD(momentum=beta)`` runs ``u = beta u - lr' dW; W = W + u``. With
  ``lr' = (1 - beta) lr`` this is the course's ``v = beta v + (1 - beta) dW; W = W - lr v``
  exactly (``u = -lr v``), as long as the rate is constant.
- Adam: Keras folds the bias correction into the learning rate,
  ``W -= lr sqrt(1 - beta2^t) / (1 - beta1^t) m / (sqrt(v) + epsilon)``, so its ``epsilon`` is
  the paper's "epsilon hat". The course's update is the same with ``epsilon`` replaced by
  ``epsilon / sqrt(1 - beta2^t)`` (32 times larger at t = 1, tending to ``epsilon``). Both get the
  same ``epsilon``; with 1e-8 against gradients of about 1e-3 the gap is a relative 1e-5 of a
  step at the very first steps and shrinks after: :data:`nnlab.tf.parity.PARITY_TOLERANCE`
  says how close.
- RMSprop is left out: Keras puts ``epsilon`` *inside* the square root, ``sqrt(s + epsilon)``.
"""

from __future__ import annotations

import numpy as np

from nnlab.config import TrainConfig


def keras_optimizer(config: TrainConfig, *, exact: bool = True):
    """The Keras optimizer that makes the course's update of ``config.optimizer``.

    Parameters
    ----------
    config : TrainConfig
    exact : bool, default True
        False: the optimizer as a learner writes it, e.g. ``Adam(learning_rate, beta_1, beta_2,
        epsilon)``: Keras keeps the rate in a float32 variable and turns ``beta``, ``beta1`` and
        ``beta2`` into float32 tensors (0.9 becomes 0.89999998), and uses ``epsilon`` as "epsilon
        hat". True: the rate is a float64 variable, the betas are NumPy float64 scalars (Keras
        only casts them, and a cast keeps their precision), and Adam's
        ``epsilon`` is a variable that :func:`nnlab.tf.bridge.train_tf` sets before every
        step t to the course's ``epsilon * sqrt(1 - beta2^t)``: only round-off is left.

    Returns
    -------
    optimizer, set_rate
        ``set_rate(learning_rate)`` sets nnlab's rate of the coming steps (momentum gets
        ``(1 - beta)`` times it, see the module notes).
    """
    import tensorflow as tf

    scale = 1 - config.beta if config.optimizer == "momentum" else 1.0
    if exact:
        rate = tf.Variable(scale * config.learning_rate, dtype=tf.float64, trainable=False)
        kwargs = {"learning_rate": lambda: rate}  # a callable: Keras does not round it

        def set_rate(learning_rate):
            rate.assign(scale * learning_rate)
    else:
        kwargs = {"learning_rate": scale * config.learning_rate}

        def set_rate(learning_rate):
            opt.learning_rate = scale * learning_rate

    # NumPy float64 scalars stay float64 where Keras casts them; Python floats become float32.
    f = np.float64 if exact else float
    if config.optimizer == "adam":
        opt = tf.keras.optimizers.Adam(beta_1=f(config.beta1), beta_2=f(config.beta2),
                                       epsilon=config.epsilon, **kwargs)
        if exact:
            opt.epsilon = tf.Variable(config.epsilon, dtype=tf.float64, trainable=False)
    elif config.optimizer == "momentum":
        opt = tf.keras.optimizers.SGD(momentum=f(config.beta), **kwargs)
    else:
        opt = tf.keras.optimizers.SGD(**kwargs)
    return opt, set_rate
