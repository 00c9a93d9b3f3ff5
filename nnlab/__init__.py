"""nnlab: the second course of the Deep Learning Specialization, in readable NumPy.

Use it from a notebook::

    import nnlab
    config = nnlab.TrainConfig(dataset="moons", hidden_units=(5, 2), optimizer="adam",
                               learning_rate=0.0007, mini_batch_size=64, num_epochs=2000)
    result = nnlab.train(config)
    result.status, result.metrics["dev_accuracy"], result.history["cost"][-1]

or step by step (``nnlab.train(config)`` is the same run advanced to the end, bit for bit)::

    run = nnlab.start(config)
    run.advance(50)          # 50 epochs; run.advance_batches(3): 3 mini-batch steps
    run.snapshot()           # a TrainResult so far (status "running" until it ends)
    run.done

The course's notebook functions (``initialize_parameters_he``, ``random_mini_batches``,
``update_parameters_with_adam``, ``update_lr``, ``schedule_lr_decay``, ``gradient_check_n``,
...) are importable from here too, in the course's notation, and accept what the assignments
pass (a positional ``seed``, 1-D labels, ``print_msg``). The update rules themselves are
``gd_step``, ``momentum_step``, ``rmsprop_step`` and ``adam_step``.
"""

from nnlab.config import TrainConfig
from nnlab.core.batched import start_batched, train_batched
from nnlab.core.loop import Run
from nnlab.core.train import TrainResult, start, train
from nnlab.data.datasets import load_dataset, one_hot
from nnlab.spec.gradcheck import (
    check_gradients,
    dictionary_to_vector,
    gradient_check,
    gradient_check_n,
    gradients_to_vector,
    vector_to_dictionary,
)
from nnlab.spec.initializers import (
    initialize_parameters,
    initialize_parameters_he,
    initialize_parameters_random,
    initialize_parameters_zeros,
)
from nnlab.spec.losses import compute_cost_with_regularization
from nnlab.spec.minibatch import random_mini_batches
from nnlab.spec.model import accuracy, backward, compute_cost, forward, predict
from nnlab.spec.optimizers import (
    adam_step,
    gd_step,
    initialize_adam,
    initialize_rmsprop,
    initialize_velocity,
    momentum_step,
    rmsprop_step,
    update_parameters_with_adam,
    update_parameters_with_gd,
    update_parameters_with_momentum,
    update_parameters_with_rmsprop,
)
from nnlab.spec.schedules import schedule_lr_decay, update_lr

__version__ = "0.1.0"

__all__ = [
    "TrainConfig", "TrainResult", "train", "start", "Run", "start_batched", "train_batched",
    "load_dataset", "one_hot", "forward", "backward",
    "compute_cost", "compute_cost_with_regularization", "predict", "accuracy",
    "initialize_parameters", "initialize_parameters_zeros", "initialize_parameters_random",
    "initialize_parameters_he", "random_mini_batches",
    "gd_step", "momentum_step", "rmsprop_step", "adam_step",
    "update_parameters_with_gd", "initialize_velocity", "update_parameters_with_momentum",
    "initialize_rmsprop", "update_parameters_with_rmsprop",
    "initialize_adam", "update_parameters_with_adam", "update_lr", "schedule_lr_decay",
    "check_gradients", "gradient_check", "gradient_check_n",
    "dictionary_to_vector", "vector_to_dictionary", "gradients_to_vector",
]
