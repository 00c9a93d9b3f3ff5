"""TensorFlow source code for a training config, as text (this module never imports TensorFlow).

:func:`tensorflow_code` writes the low-level script that :func:`nnlab.tf.bridge.train_tf` runs
(``tf.Variable``, ``tf.GradientTape``, a Keras optimizer, ``tf.data`` mini-batches in nnlab's
order) as a standalone program a learner can download and run next to nnlab.
:func:`keras_sequential_code` writes the same network the high-level way, ``tf.keras.Sequential``
plus ``model.fit``, with comments on what Keras does differently.
"""

from __future__ import annotations

import dataclasses

from nnlab.config import TrainConfig

#: Hidden activations in TensorFlow (nnlab's leaky ReLU has slope 0.01).
TF_ACTIVATIONS = {"relu": "tf.nn.relu({Z})", "tanh": "tf.math.tanh({Z})",
                  "sigmoid": "tf.math.sigmoid({Z})",
                  "leaky_relu": "tf.nn.leaky_relu({Z}, alpha=0.01)", "linear": "{Z}"}
#: Keras's names of nnlab's hidden activations (``Dense(activation=...)``).
KERAS_ACTIVATIONS = {"relu": "relu", "tanh": "tanh", "sigmoid": "sigmoid",
                     "leaky_relu": "leaky_relu", "linear": "linear"}


def config_source(config: TrainConfig) -> str:
    """``TrainConfig(...)`` with the fields that differ from the defaults, as Python source."""
    if not isinstance(config, TrainConfig):
        raise ValueError(f"config must be a TrainConfig, got {type(config).__name__}")
    changed = [f"{f.name}={getattr(config, f.name)!r}" for f in dataclasses.fields(config)
               if getattr(config, f.name) != f.default]
    lines, line = [], "config = TrainConfig("
    for part in changed:
        if len(line) + len(part) > 94:
            lines.append(line.rstrip())
            line = " " * len("config = TrainConfig(")
        line += part + ", "
    return "\n".join(lines + [line.rstrip(", ") + ")"])


def _forward_source(config: TrainConfig, L: int) -> str:
    act = TF_ACTIVATIONS[config.hidden_activation]
    names = " -> ".join([f"LINEAR -> {config.hidden_activation.upper()}"] * (L - 1) + ["LINEAR"])
    body, A = [], "X"
    for l in range(1, L + 1):
        body.append(f'    Z{l} = tf.math.add(tf.linalg.matmul(parameters["W{l}"], {A}), '
                    f'parameters["b{l}"])')
        if l < L:
            body.append(f"    A{l} = {act.format(Z=f'Z{l}')}")
            A = f"A{l}"
    return (f'def forward_propagation(X, parameters):\n    """{names}.\n\n    Returns the '
            f'logits Z{L}: the loss applies the output activation.\n    """\n' + "\n".join(body)
            + f"\n    return Z{L}\n")


def _optimizer_source(config: TrainConfig, exact: bool) -> str:
    scale = f"(1 - {config.beta!r}) * " if config.optimizer == "momentum" else ""
    if exact:
        out = ("# Keras rounds Python floats to float32 (0.9 -> 0.89999998); a callable rate and\n"
               "# NumPy float64 scalars keep float64.\n")
        lr = f"lambda: tf.constant({scale}learning_rate, tf.float64)"
        f = "np.float64({!r})".format
    else:
        out, lr, f = "", f"{scale}learning_rate", repr
    if config.optimizer == "adam":
        return out + (f"optimizer = tf.keras.optimizers.Adam(learning_rate={lr},\n"
                      f"                                     beta_1={f(config.beta1)}, "
                      f"beta_2={f(config.beta2)}, epsilon={config.epsilon!r})\n")
    if config.optimizer == "momentum":
        return out + ("# Keras: u = beta*u - lr'*dW; W += u. With lr' = (1 - beta)*lr this is the\n"
                      "# course's v = beta*v + (1 - beta)*dW; W -= lr*v (u = -lr*v).\n"
                      f"optimizer = tf.keras.optimizers.SGD(learning_rate={lr},\n"
                      f"                                    momentum={f(config.beta)})\n")
    return out + f"optimizer = tf.keras.optimizers.SGD(learning_rate={lr})\n"


def tensorflow_code(config: TrainConfig, *, exact: bool = True) -> str:
    """A runnable script: ``config``'s network trained with TensorFlow, then compared with nnlab.

    ``exact`` as in :func:`nnlab.tf.keras_optimizers.keras_optimizer`. The script needs nnlab
    (for the data, the initial values and the mini-batch order) and TensorFlow.
    """
    from nnlab.tf.bridge import check_supported

    check_supported(config)
    L = len(config.hidden_units) + 1
    softmax = config.output_activation == "softmax"
    names = ", ".join(f'"{p}{l}"' for l in range(1, L + 1) for p in "Wb")
    labels = (f"one_hot(data.Y_train, {config.n_classes})  # (C, m) one-hot" if softmax
              else "data.Y_train  # (1, m) labels 0 or 1")
    loss = ("tf.nn.softmax_cross_entropy_with_logits(\n"
            "        labels=tf.transpose(labels), logits=tf.transpose(logits)))" if softmax else
            "tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits))")
    size = "m" if config.mini_batch_size is None else f"min({config.mini_batch_size}, m)"
    l2 = "            l2 = 0.0  # no L2 regularization (lambd = 0)\n"
    if config.lambd:
        l2 = (f"            l2 = {config.lambd!r} / (2 * m) * tf.add_n(\n"
              f"                [tf.reduce_sum(tf.square(parameters[f\"W{{l}}\"])) "
              f"for l in range(1, {L + 1})])\n")
    schedule = ""
    if config.schedule != "constant":
        schedule = "    learning_rate = learning_rate_for_epoch(config, epoch)  # the schedule\n"
        if not exact:
            scale = f"(1 - {config.beta!r}) * " if config.optimizer == "momentum" else ""
            schedule += f"    optimizer.learning_rate = {scale}learning_rate\n"
    epsilon = ""
    if exact and config.optimizer == "adam":
        epsilon = (f"        # the course's epsilon, as Keras's \"epsilon hat\" of step t\n"
                   f"        optimizer.epsilon = {config.epsilon!r} * math.sqrt(1 - "
                   f"{config.beta2!r} ** t)\n")
    return f'''"""{config.optimizer} on {config.dataset} with TensorFlow, next to nnlab.

Generated by nnlab.tf.code.tensorflow_code. nnlab provides the data, the initial values and
the order of the mini-batches; TensorFlow computes the gradients (tf.GradientTape) and the
updates (a Keras optimizer). float64 throughout, so the two runs can be compared exactly.
"""
import math

import numpy as np
import tensorflow as tf

from nnlab import TrainConfig, one_hot, train
from nnlab.tf.bridge import epoch_batches, initial_parameters
from nnlab.core.train import learning_rate_for_epoch, make_dataset

{config_source(config)}
data = make_dataset(config)
X_train = data.X_train  # (n_x, m): examples are columns
Y_train = {labels}
m = X_train.shape[1]

# The parameters: tf.Variables initialised from the values nnlab.core.train starts from.
initial = initial_parameters(config, X_train.shape[0])
parameters = {{name: tf.Variable(value, dtype=tf.float64, name=name)
              for name, value in initial.items()}}
trainable_variables = [parameters[name] for name in ({names})]


{_forward_source(config, L)}

def compute_total_loss(logits, labels):
    """Cross-entropy summed over the examples (tf.nn wants examples in rows: transpose)."""
    return tf.reduce_sum({loss}


learning_rate = learning_rate_for_epoch(config, 0)
{_optimizer_source(config, exact)}
costs, t = [], 0
for epoch, batches in enumerate(epoch_batches(config, m)):
{schedule}    order = np.concatenate(batches)  # nnlab's shuffle of this epoch
    minibatches = tf.data.Dataset.from_tensor_slices((X_train.T[order], Y_train.T[order]))
    minibatches = minibatches.batch({size})  # tf.data puts examples in rows
    epoch_total_loss = epoch_l2 = 0.0
    for minibatch_X, minibatch_Y in minibatches:
        m_b = minibatch_X.shape[0]
        with tf.GradientTape() as tape:
            Z{L} = forward_propagation(tf.transpose(minibatch_X), parameters)
            minibatch_total_loss = compute_total_loss(Z{L}, tf.transpose(minibatch_Y))
{l2}\
            # averaged over this mini-batch, as nnlab does (the course's TF notebook
            # differentiates the sum: its learning rate is then m_b times larger)
            minibatch_cost = minibatch_total_loss / m_b + l2
        grads = tape.gradient(minibatch_cost, trainable_variables)
        t += 1
{epsilon}\
        optimizer.apply_gradients(zip(grads, trainable_variables))
        epoch_total_loss += float(minibatch_total_loss)
        epoch_l2 += m_b / m * float(l2)
    costs.append(epoch_total_loss / m + epoch_l2)
    if epoch % max(1, config.num_epochs // 10) == 0:
        print(f"epoch {{epoch}}: cost {{costs[-1]:.6f}}")

result = train(config)  # the same run in nnlab, with hand-written backprop
print("largest cost difference:", np.max(np.abs(np.array(costs) - result.history["cost"])))
print("largest parameter difference:", max(
    np.max(np.abs(parameters[name].numpy() - result.parameters[name])) for name in parameters))
'''


def keras_sequential_code(config: TrainConfig) -> str:
    """The same network with ``tf.keras.Sequential`` and ``model.fit``, as a runnable script."""
    from nnlab.tf.bridge import check_supported

    check_supported(config)
    L = len(config.hidden_units) + 1
    softmax = config.output_activation == "softmax"
    act = KERAS_ACTIVATIONS[config.hidden_activation]
    reg = (", kernel_regularizer=l2" if config.lambd else "")
    layers = [f'    tf.keras.layers.Dense({n}, activation="{act}"{reg}),'
              for n in config.hidden_units]
    n_y = config.n_classes if softmax else 1
    layers.append(f"    tf.keras.layers.Dense({n_y}{reg}),  # logits: the loss applies "
                  f"the {'softmax' if softmax else 'sigmoid'}")
    loss = ("tf.keras.losses.CategoricalCrossentropy(from_logits=True)" if softmax
            else "tf.keras.losses.BinaryCrossentropy(from_logits=True)")
    labels = (f"one_hot(data.Y_train, {config.n_classes}).T" if softmax else "data.Y_train.T")
    dev = (f"one_hot(data.Y_dev, {config.n_classes}).T" if softmax else "data.Y_dev.T")
    if config.optimizer == "adam":
        opt = (f"tf.keras.optimizers.Adam(learning_rate={config.learning_rate!r}, "
               f"beta_1={config.beta1!r}, beta_2={config.beta2!r},\n"
               f"                                     epsilon={config.epsilon!r})"
               "  # Keras's epsilon is \"epsilon hat\"")
    elif config.optimizer == "momentum":
        opt = (f"tf.keras.optimizers.SGD(learning_rate=(1 - {config.beta!r}) * "
               f"{config.learning_rate!r}, momentum={config.beta!r})")
    else:
        opt = f"tf.keras.optimizers.SGD(learning_rate={config.learning_rate!r})"
    batch = "X_train.shape[0]" if config.mini_batch_size is None else str(config.mini_batch_size)
    l2_def = ""
    if config.lambd:
        l2_def = (f"# Keras adds l2 * sum(W**2) to each mini-batch's mean loss; the course adds"
                  f"\n# lambd/(2m) * sum(W**2).\nl2 = tf.keras.regularizers.L2("
                  f"{config.lambd!r} / (2 * X_train.shape[0]))\n")
    note = ""
    if config.schedule != "constant":
        note = (f"# nnlab's learning-rate schedule ({config.schedule}) is left out: in Keras, "
                "use a LearningRateScheduler callback.\n")
    weights = "\n".join(f'    initial["W{l}"].T, initial["b{l}"].ravel(),' for l in range(1, L + 1))
    return f'''"""The same network the Keras way: Sequential, compile, fit.

Generated by nnlab.tf.code.keras_sequential_code. Keras puts examples in rows (X is (m, n_x))
and stores W[l] transposed, as the kernel of shape (n_{{l-1}}, n_l).
"""
import tensorflow as tf

from nnlab import TrainConfig, one_hot
from nnlab.tf.bridge import initial_parameters
from nnlab.core.train import make_dataset

{config_source(config)}
data = make_dataset(config)
X_train, Y_train = data.X_train.T, {labels}
X_dev, Y_dev = data.X_dev.T, {dev}

{l2_def}model = tf.keras.Sequential([
    tf.keras.Input(shape=(X_train.shape[1],)),
{chr(10).join(layers)}
])
initial = initial_parameters(config, X_train.shape[1])  # start from nnlab's initial values
model.set_weights([
{weights}
])
optimizer = {opt}
model.compile(optimizer=optimizer, metrics=["accuracy"],
              loss={loss})
# Keras shuffles with its own generator (not nnlab's order) and reports the mean of the
# mini-batch losses, so this curve is close to nnlab's, not equal to it.
{note}history = model.fit(X_train, Y_train, batch_size={batch}, epochs=config.num_epochs,
                    shuffle=True, validation_data=(X_dev, Y_dev), verbose=0)
print("final loss", history.history["loss"][-1], "dev accuracy",
      history.history["val_accuracy"][-1])
'''
