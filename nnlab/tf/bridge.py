r"""The optional TensorFlow bridge: nnlab's network trained by TensorFlow, step for step.

TensorFlow is optional. The modules of :mod:`nnlab.tf` import it inside functions only:
``import nnlab`` (and ``import nnlab.tf.bridge``) never imports TensorFlow.
:func:`tensorflow_available` says whether it is installed (``pip install tensorflow-cpu``).

:func:`train_tf` builds the network the way the course's TensorFlow assignment does and feeds
it exactly what nnlab's :func:`nnlab.core.train.train` uses, so the two runs can be compared number
for number. It follows the engine's run protocol: ``run = start_tf(config)`` (a
:class:`TFTraining` at epoch 0), ``run.advance(n)``, ``run.snapshot()`` (a :class:`TFRun`),
``run.done``; ``train_tf(config)`` is ``start_tf(config)`` advanced to the end, and any chunks
give the same numbers bit for bit. Both runs are built alike:

- the parameters are ``tf.Variable`` s (float64) initialised from the *same* values
  (:func:`initial_parameters` draws them as ``train`` does);
- the forward pass uses the course's column convention, ``Z = tf.linalg.matmul(W, A) + b`` with
  ``A`` of shape ``(n, m)``, and returns the logits; the cost is
  ``tf.nn.softmax_cross_entropy_with_logits`` (or the sigmoid one) summed over the examples;
- gradients come from ``tf.GradientTape`` (autodiff) instead of nnlab's hand-written backprop;
- the mini-batches are a ``tf.data.Dataset`` cut from nnlab's own shuffle of every epoch
  (:func:`epoch_batches`), so both runs see the same examples in the same order;
- the update is a Keras optimizer (:func:`nnlab.tf.keras_optimizers.keras_optimizer`) with the
  same hyperparameters.

The differences that are there on purpose (the summed loss, Keras' float32 rate, momentum's
form, Adam's "epsilon hat", RMSprop left out), and why the results still agree, are in
:mod:`nnlab.tf.keras_optimizers`; :mod:`nnlab.tf.parity` compares the two runs.
"""

from __future__ import annotations

import importlib.util
import math
import time
from dataclasses import dataclass

import numpy as np

from nnlab.config import TrainConfig
from nnlab.core.train import learning_rate_for_epoch, make_dataset
from nnlab.data.datasets import one_hot
from nnlab.spec import minibatch
from nnlab.spec.initializers import initialize_parameters
from nnlab.tf.keras_optimizers import keras_optimizer

#: Optimizers the bridge maps onto a Keras optimizer with the same update.
SUPPORTED_OPTIMIZERS = ("gd", "momentum", "adam")


def tensorflow_available() -> bool:
    """Whether TensorFlow can be imported (checked without importing it: that takes seconds)."""
    return importlib.util.find_spec("tensorflow") is not None


def check_supported(config: TrainConfig) -> None:
    """Raise ValueError naming the field when the bridge can't reproduce ``config`` exactly."""
    if not isinstance(config, TrainConfig):
        raise ValueError(f"config must be a TrainConfig, got {type(config).__name__}")
    if config.optimizer not in SUPPORTED_OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {SUPPORTED_OPTIMIZERS} for the TensorFlow "
                         f"bridge, got {config.optimizer!r} (Keras RMSprop puts epsilon inside "
                         "the square root)")
    if config.optimizer == "momentum" and config.schedule != "constant":
        raise ValueError(f"schedule must be 'constant' with momentum, got {config.schedule!r} "
                         "(Keras's momentum matches the course's only at a constant rate)")
    if config.optimizer == "adam" and not config.bias_correction:
        raise ValueError("bias_correction must be True: Keras Adam always corrects the bias")
    if config.keep_prob != 1.0:
        raise ValueError(f"keep_prob must be 1 for the TensorFlow bridge, got {config.keep_prob}")
    if config.batch_norm:
        raise ValueError("batch_norm must be False for the TensorFlow bridge, got True")
    if config.numerics != "stable":
        raise ValueError(f"numerics must be 'stable' for the TensorFlow bridge, got "
                         f"{config.numerics!r}")
    if config.patience is not None:
        raise ValueError(f"patience must be None for the TensorFlow bridge, got {config.patience}")
    if config.dtype != "float64":
        raise ValueError(f"dtype must be 'float64' for the TensorFlow bridge, got {config.dtype!r}")


def initial_parameters(config: TrainConfig, n_x: int) -> dict:
    """The initial parameters ``train(config)`` starts from (same generator, same draws).

    Returns ``W{l}`` (n_l, n_{l-1}) and ``b{l}`` (n_l, 1) float64 arrays.
    """
    return initialize_parameters(config.layer_dims(n_x), config.initializer,
                                 scale=config.init_scale,
                                 rng=np.random.default_rng([config.seed, 0]),
                                 batch_norm=config.batch_norm)


def epoch_batches(config: TrainConfig, m: int):
    """Yield, for every epoch, the column indices of its mini-batches, in nnlab's order.

    ``train`` shuffles with one ``np.random.default_rng([seed, 1])`` for the whole run and
    draws nothing when a mini-batch holds the whole training set; this does the same.

    Yields
    ------
    list of ndarray of int
        ``ceil(m / mini_batch_size)`` index arrays (the last one may be smaller).
    """
    size = m if config.mini_batch_size is None else min(config.mini_batch_size, m)
    rng = np.random.default_rng([config.seed, 1])
    for _ in range(config.num_epochs):
        if size < m:
            yield minibatch.mini_batch_indices(m, size, rng=rng)
        else:
            yield [np.arange(m)]


def forward_propagation(X, parameters: dict, hidden_activation: str = "relu"):
    """``[LINEAR -> ACT] * (L-1) -> LINEAR``: the logits ``ZL`` (n_L, m) of ``X`` (n_x, m)."""
    import tensorflow as tf

    acts = {"relu": tf.nn.relu, "tanh": tf.math.tanh, "sigmoid": tf.math.sigmoid,
            "leaky_relu": lambda Z: tf.nn.leaky_relu(Z, alpha=0.01), "linear": lambda Z: Z}
    L = sum(1 for key in parameters if key.startswith("W"))
    A = X
    for l in range(1, L + 1):
        Z = tf.math.add(tf.linalg.matmul(parameters[f"W{l}"], A), parameters[f"b{l}"])
        A = acts[hidden_activation](Z) if l < L else Z
    return A


def compute_total_loss(ZL, Y, output: str = "softmax"):
    """Summed cross-entropy of logits ``ZL`` and labels ``Y`` (n_L, m) (one-hot for softmax)."""
    import tensorflow as tf

    if output == "softmax":  # tf.nn wants examples in rows: transpose
        losses = tf.nn.softmax_cross_entropy_with_logits(labels=tf.transpose(Y),
                                                         logits=tf.transpose(ZL))
    else:
        losses = tf.nn.sigmoid_cross_entropy_with_logits(labels=Y, logits=ZL)
    return tf.reduce_sum(losses)


@dataclass(frozen=True, eq=False)
class TFRun:
    """A TensorFlow run so far: ``cost`` per finished epoch (as nnlab's history), the
    ``parameters`` (NumPy copies), ``steps`` taken, ``seconds`` spent training, the TensorFlow
    ``version`` and the ``status``: ``"running"``, ``"ok"`` (all epochs), ``"diverged"`` (a
    non-finite cost) or ``"stopped"`` (``on_epoch`` returned True)."""

    cost: np.ndarray
    parameters: dict
    steps: int
    seconds: float
    version: str
    status: str = "ok"


class TFTraining:
    """A TensorFlow run in progress: make it with :func:`start_tf`, then ``advance`` it.

    It holds the ``tf.Variable`` s, the Keras optimizer, the compiled train step, the cost of
    every finished epoch, the step counter and the mini-batch order (the :func:`epoch_batches`
    generator and the current epoch's ``tf.data`` iterator), so that any chunks continue one
    another exactly: ``advance`` in chunks of 1, 3 or 7 epochs (or ``advance_batches``) gives
    the same numbers, bit for bit, as :func:`train_tf`.
    """

    def __init__(self, config: TrainConfig, *, data=None, parameters=None, exact: bool = True):
        check_supported(config)
        import tensorflow as tf

        begin = time.perf_counter()
        self.config, self.exact, self.version = config, exact, tf.__version__
        data = make_dataset(config) if data is None else data
        init = initial_parameters(config, data.n_x) if parameters is None else parameters
        softmax = config.output_activation == "softmax"
        self._X = data.X_train.astype(np.float64)
        self._Y = (one_hot(data.Y_train, config.n_classes) if softmax
                   else data.Y_train).astype(np.float64)
        m, L = self._X.shape[1], len(config.layer_dims(data.n_x)) - 1
        self.m = m
        self._keys = list(init)
        params = {key: tf.Variable(value, dtype=tf.float64, name=key)
                  for key, value in init.items()}
        weights = [params[f"W{l}"] for l in range(1, L + 1)]
        variables = [params[f"{p}{l}"] for l in range(1, L + 1) for p in "Wb"]
        optimizer, self._set_rate = keras_optimizer(config, exact=exact)
        optimizer.build(variables)
        output = "softmax" if softmax else "sigmoid"

        @tf.function  # one graph per mini-batch size: the eager loop is about ten times slower
        def train_step(minibatch_X, minibatch_Y):
            m_b = tf.cast(tf.shape(minibatch_X)[0], tf.float64)
            with tf.GradientTape() as tape:
                ZL = forward_propagation(tf.transpose(minibatch_X), params,
                                         config.hidden_activation)
                total_loss = compute_total_loss(ZL, tf.transpose(minibatch_Y), output)
                l2 = config.lambd / (2 * m) * tf.add_n([tf.reduce_sum(tf.square(W))
                                                        for W in weights])
                minibatch_cost = total_loss / m_b + l2
            grads = tape.gradient(minibatch_cost, variables)
            optimizer.apply_gradients(zip(grads, variables, strict=True))
            return total_loss, l2

        self._tf, self._params, self.optimizer, self._train_step = tf, params, optimizer, train_step
        self._epochs = epoch_batches(config, m)  # the shuffle of every epoch, drawn as needed
        self._batches = None  # the current epoch's mini-batches (an iterator), None between
        self._left = 0  # mini-batches of the current epoch still to take
        self._ce_total = self._l2_total = 0.0
        self._n_batches = 0
        self.costs: list[float] = []
        self.steps = 0
        self.status = "running"
        self.seconds = time.perf_counter() - begin

    @property
    def epoch(self) -> int:
        """Epochs finished so far."""
        return len(self.costs)

    @property
    def done(self) -> bool:
        """True once every epoch ran, the cost became non-finite or ``on_epoch`` stopped it."""
        return self.status != "running"

    def _step(self, on_epoch=None) -> bool:
        """One mini-batch step (the run's only loop body); True when it finished an epoch.

        The epoch cost is ``(sum of the mini-batches' summed losses) / m + L2 term``, each
        mini-batch's loss taken before its update, as nnlab records it.
        """
        config, m = self.config, self.m
        if self._batches is None:  # a new epoch: its rate and its shuffle
            batches = next(self._epochs)
            self._set_rate(learning_rate_for_epoch(self.config, self.epoch))
            order = np.concatenate(batches)
            dataset = self._tf.data.Dataset.from_tensor_slices(
                (self._X.T[order], self._Y.T[order])).batch(len(batches[0]))
            self._batches, self._left, self._n_batches = iter(dataset), len(batches), len(batches)
            self._ce_total = self._l2_total = 0.0
        minibatch_X, minibatch_Y = next(self._batches)
        self.steps += 1
        if self.exact and config.optimizer == "adam":  # the course's epsilon as "epsilon hat"
            t = self.steps
            self.optimizer.epsilon.assign(config.epsilon * math.sqrt(1 - config.beta2 ** t))
        total_loss, l2 = self._train_step(minibatch_X, minibatch_Y)
        self._ce_total += float(total_loss)
        self._l2_total += int(minibatch_X.shape[0]) / m * float(l2)
        self._left -= 1
        if self._left:
            return False
        self._batches = None
        ce_total = self._ce_total
        cost = ((1.0 / m) * ce_total if self._n_batches == 1 else ce_total / m) + self._l2_total
        self.costs.append(cost)
        if not np.isfinite(cost):
            self.status = "diverged"
        elif on_epoch is not None and on_epoch(self.epoch - 1, config.num_epochs, cost):
            self.status = "stopped"
        elif self.epoch == config.num_epochs:
            self.status = "ok"
        return True

    def _run(self, n, *, epochs: bool, on_epoch) -> TFTraining:
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
            raise ValueError(f"n must be an int >= 0, got {n!r}")
        begin = time.perf_counter()
        taken = 0
        while taken < n and not self.done:
            ended = self._step(on_epoch)
            taken += ended if epochs else 1
        self.seconds += time.perf_counter() - begin
        return self

    def advance(self, n: int, *, on_epoch=None) -> TFTraining:
        """Up to ``n`` more epochs (fewer if the run ends); returns self. After
        :meth:`advance_batches` stopped mid-epoch, finishing that epoch counts as the first.

        on_epoch : callable(epoch, num_epochs, cost) -> bool, optional; True stops the run
            (``status`` "stopped", ``done``).
        """
        return self._run(n, epochs=True, on_epoch=on_epoch)

    def advance_batches(self, n: int, *, on_epoch=None) -> TFTraining:
        """Up to ``n`` more mini-batch steps (fewer if the run ends); returns self.
        ``cost`` gets an epoch's entry when its last mini-batch is taken."""
        return self._run(n, epochs=False, on_epoch=on_epoch)

    def snapshot(self) -> TFRun:
        """The run so far as a :class:`TFRun` (copies: training on changes nothing in it)."""
        parameters = {key: np.array(self._params[key].numpy(), copy=True) for key in self._keys}
        return TFRun(np.asarray(self.costs, dtype=np.float64), parameters, self.steps,
                     self.seconds, self.version, self.status)


def start_tf(config: TrainConfig, *, data=None, parameters=None,
             exact: bool = True) -> TFTraining:
    """A TensorFlow run of ``config`` at epoch 0, mirroring ``nnlab.start``.

    Parameters
    ----------
    config : TrainConfig; see :func:`check_supported` for what the bridge covers.
    data : nnlab.data.datasets.Dataset, optional; default ``make_dataset(config)``.
    parameters : dict, optional; initial values (default :func:`initial_parameters`).
    exact : bool, default True; see :func:`nnlab.tf.keras_optimizers.keras_optimizer`.
    """
    return TFTraining(config, data=data, parameters=parameters, exact=exact)


def train_tf(config: TrainConfig, *, data=None, parameters=None, on_epoch=None,
             exact: bool = True) -> TFRun:
    """Train ``config``'s network with TensorFlow, mirroring ``nnlab.core.train.train``:
    :func:`start_tf` advanced to the end.

    Parameters
    ----------
    config, data, parameters, exact : see :func:`start_tf`.
    on_epoch : callable(epoch, num_epochs, cost) -> bool, optional; True stops the run.

    Returns
    -------
    TFRun
        The epoch cost is ``(sum of the mini-batches' summed losses) / m + L2 term``, each
        mini-batch's loss taken before its update, as nnlab records it. A non-finite cost ends
        the run.
    """
    run = start_tf(config, data=data, parameters=parameters, exact=exact)
    return run.advance(config.num_epochs, on_epoch=on_epoch).snapshot()
