"""Reproduce the numbers of the course's programming assignments with the engine's own code.

``python -m nnlab.course`` prints a table; ``--json`` prints one JSON object. Every number comes
out of ``nnlab.core.train.train`` (or ``nnlab.spec.gradcheck``) driven by legacy ``RandomState``
generators
seeded as the assignments seed them; nothing is typed in. The fine details that decide the last
digit are listed in the docstrings below (and in the design notes).
"""

from __future__ import annotations

import argparse
import json
import sys

import numpy as np

from nnlab.config import TrainConfig
from nnlab.core.train import start
from nnlab.data.datasets import Dataset
from nnlab.data.toy2d import make_circles, make_moons
from nnlab.spec import gradcheck, model
from nnlab.spec.initializers import initialize_parameters

COST_EVERY = 1000
_EMPTY_X, _EMPTY_Y = np.zeros((2, 0)), np.zeros((1, 0))

# ------------------------------------------------------------------ the published numbers
# One place for every number the assignments print and every setting they use; the app's
# reproductions read them from here.

#: The initialization assignment's experiments, in the notebook's order.
INITIALIZATIONS = ("zeros", "random", "he")
#: Iterations of each initialization experiment (batch gradient descent: one step an epoch).
INITIALIZATION_ITERATIONS = 15000
#: What the initialization notebook prints: (train accuracy, test accuracy, cost after
#: iteration 0).
INITIALIZATION_PUBLISHED = {"zeros": (0.5, 0.5, 0.6931471805599453),
                            "random": (0.83, 0.86, float("inf")),
                            "he": (0.9933333333333333, 0.96, 0.8830537463419761)}
#: The "Optimization methods" notebook: name -> (optimizer, learning rate, published train
#: accuracy after :data:`OPTIMIZATION_EPOCHS` epochs).
OPTIMIZATION_EXPERIMENTS = {
    "optimization/gd": ("gd", 0.0007, 0.7167),
    "optimization/momentum": ("momentum", 0.0007, 0.7167),
    "optimization/adam": ("adam", 0.0007, 0.9433),
}
#: The learning-rate decay experiments: name -> (optimizer, alpha0, schedule, published train
#: accuracy).
DECAY_EXPERIMENTS = {
    "decay/gd_update_lr": ("gd", 0.1, "inverse_time", 0.6533),
    "decay/gd_scheduled": ("gd", 0.1, "inverse_time_interval", 0.9433),
    "decay/momentum_scheduled": ("momentum", 0.1, "inverse_time_interval", 0.9533),
    "decay/adam_scheduled": ("adam", 0.01, "inverse_time_interval", 0.94),
}
#: Epochs of the optimization and decay experiments.
OPTIMIZATION_EPOCHS = 5000
#: Agreement asked of a reproduction: the notebooks print accuracies to 4 decimals.
PUBLISHED_TOLERANCE = 5e-5
#: The regularization assignment's training setting (on its football data set).
REGULARIZATION_SETTINGS = {"optimizer": "gd", "learning_rate": 0.3, "num_epochs": 30000,
                           "initializer": "xavier"}
#: The regularization assignment's lambd and keep_prob.
REGULARIZATION_LAMBD = 0.7
REGULARIZATION_KEEP_PROB = 0.86
#: The gradient-checking assignment's printed differences (the correct N-D one is round-off
#: noise: ~1.19e-7 in nnlab, equal to about two significant figures only, see the recipes).
GRADIENT_CHECK_PUBLISHED = {"one_dimensional": 2.919335883291695e-10, "n_dimensional": None,
                            "n_dimensional_buggy": 0.2850931567761623}


def initialization_data() -> Dataset:
    """Circles: train from ``RandomState(1)`` (300, noise .05), test from ``RandomState(2)``
    (100, noise .05)."""
    X, Y = make_circles(300, noise=0.05, rng=np.random.RandomState(1))
    Xt, Yt = make_circles(100, noise=0.05, rng=np.random.RandomState(2))
    return Dataset("course-circles", X, Y, _EMPTY_X, _EMPTY_Y, Xt, Yt, 2)


def optimization_data() -> Dataset:
    """Moons: ``RandomState(3)``, 300 points, noise 0.2; training set only."""
    X, Y = make_moons(300, noise=0.2, rng=np.random.RandomState(3))
    return Dataset("course-moons", X, Y, _EMPTY_X, _EMPTY_Y, _EMPTY_X, _EMPTY_Y, 2)


def course_shuffle(epoch: int):
    """The assignments' ``seed = seed + 1`` before each epoch, starting from 10."""
    return np.random.RandomState(10 + epoch + 1)


def _json_number(x):
    """A float, or the string "inf"/"nan" (strict JSON has no infinity: the course's
    large-random-weights run starts at an infinite cost)."""
    x = float(x)
    return x if np.isfinite(x) else str(x)


def record(name, result, every=COST_EVERY):
    """What the notebooks print of ``result``: the train and test accuracy (None without a
    test set), the cost every ``every`` iterations, the status and the seconds."""
    costs = result.history["cost"]
    return {
        "name": name,
        "train_accuracy": result.metrics["train_accuracy"],
        "test_accuracy": (None if np.isnan(result.metrics["test_accuracy"])
                          else result.metrics["test_accuracy"]),
        "costs": {str(i): _json_number(costs[i]) for i in range(0, len(costs), every)},
        "status": result.status,
        "seconds": round(result.seconds, 3),
    }


_record = record  # the name the decay page's tests use


def run_initialization(init: str, *, num_iterations=INITIALIZATION_ITERATIONS, on_epoch=None,
                       budget=None) -> dict:
    """The record (see :func:`record`) of :func:`initialization_run`."""
    return record(f"initialization/{init}",
                  initialization_run(init, num_iterations=num_iterations, on_epoch=on_epoch,
                                     budget=budget))


def initialization_config(init: str, *, num_iterations: int | None = None) -> TrainConfig:
    """The config of an initialization experiment: [2, 10, 5, 1] relu/relu/sigmoid on circles,
    batch gradient descent at 0.01 for :data:`INITIALIZATION_ITERATIONS` iterations (unless
    ``num_iterations``), the course's numerics; ``initializer`` names the start."""
    return TrainConfig(dataset="circles", hidden_units=(10, 5), optimizer="gd",
                       learning_rate=0.01, numerics="course", initializer=init,
                       num_epochs=(INITIALIZATION_ITERATIONS if num_iterations is None
                                   else num_iterations))


def initialization_run(init: str, *, num_iterations: int | None = None, on_epoch=None,
                       budget=None):
    """The ``TrainResult`` of :func:`initialization_config`: :func:`start_initialization`
    played to the end. ``on_epoch`` (progress bars) and ``budget`` are passed to the run."""
    config = initialization_config(init, num_iterations=num_iterations)
    return start_initialization(config, on_epoch=on_epoch, budget=budget).advance().snapshot()


def start_initialization(config: TrainConfig, *, on_epoch=None, budget=None):
    """A run of an :func:`initialization_config` at epoch 0, as the course starts it (weights
    of ``config.initializer`` drawn from ``RandomState(3)``, :func:`initialization_data`):
    played to the end it is :func:`initialization_run` (the page's "reproduce" section plays
    it live)."""
    params = initialize_parameters(config.layer_dims(2), config.initializer,
                                   rng=np.random.RandomState(3))
    return start(config, data=initialization_data(), parameters=params, on_epoch=on_epoch,
                 budget=budget)


def optimization_config(optimizer: str, learning_rate: float, schedule: str = "constant", *,
                        num_epochs: int | None = None) -> TrainConfig:
    """The config of the optimization and decay experiments: [2, 5, 2, 1] on moons,
    mini-batches of 64, :data:`OPTIMIZATION_EPOCHS` epochs (unless ``num_epochs``), the
    course's numerics, beta 0.9, Adam 0.9/0.999/1e-8, decay rate 1 and time interval 1000."""
    return TrainConfig(dataset="moons", hidden_units=(5, 2), optimizer=optimizer,
                       learning_rate=learning_rate, beta=0.9, beta1=0.9, beta2=0.999,
                       epsilon=1e-8, mini_batch_size=64,
                       num_epochs=OPTIMIZATION_EPOCHS if num_epochs is None else num_epochs,
                       numerics="course", schedule=schedule, decay_rate=1.0,
                       time_interval=1000)


def optimization_run(optimizer: str, learning_rate: float, schedule: str = "constant", *,
                     num_epochs: int | None = None, on_epoch=None, budget=None):
    """The ``TrainResult`` of :func:`optimization_config`: He weights from ``RandomState(3)``,
    mini-batches re-shuffled with ``RandomState(10 + i + 1)`` before epoch i. ``on_epoch``
    (progress bars, full cost curves) and ``budget`` are passed to ``train``."""
    config = optimization_config(optimizer, learning_rate, schedule, num_epochs=num_epochs)
    return start_optimization(config, on_epoch=on_epoch, budget=budget).advance().snapshot()


def start_optimization(config: TrainConfig, *, on_epoch=None, budget=None):
    """A run of an :func:`optimization_config` at epoch 0, as the course starts it (He weights
    from ``RandomState(3)``, :func:`course_shuffle`, :func:`optimization_data`): played to the
    end it is :func:`optimization_run` (the "reproduce" sections play it live)."""
    params = initialize_parameters((2, 5, 2, 1), "he", rng=np.random.RandomState(3))
    return start(config, data=optimization_data(), parameters=params,
                 shuffle_rng=course_shuffle, on_epoch=on_epoch, budget=budget)


def run_optimization(name: str, optimizer: str, learning_rate: float, *, schedule="constant",
                     num_epochs=None, on_epoch=None, budget=None) -> dict:
    """The record (see :func:`record`) of :func:`optimization_run`."""
    return record(name, optimization_run(optimizer, learning_rate, schedule,
                                          num_epochs=num_epochs, on_epoch=on_epoch,
                                          budget=budget))


def run_decay(name: str, *, on_epoch=None, budget=None):
    """One of :data:`DECAY_EXPERIMENTS` with its full ``TrainResult`` (``EXPERIMENTS[name]``
    keeps only a summary of the same run)."""
    if name not in DECAY_EXPERIMENTS:
        raise ValueError(f"name must be one of {list(DECAY_EXPERIMENTS)}, got {name!r}")
    optimizer, lr, schedule, _ = DECAY_EXPERIMENTS[name]
    return optimization_run(optimizer, lr, schedule, on_epoch=on_epoch, budget=budget)


EXPERIMENTS = {
    **{f"initialization/{init}": (lambda init=init: run_initialization(init))
       for init in INITIALIZATIONS},
    **{name: (lambda name=name, opt=opt, lr=lr: run_optimization(name, opt, lr))
       for name, (opt, lr, _) in OPTIMIZATION_EXPERIMENTS.items()},
    **{name: (lambda name=name, opt=opt, lr=lr, s=s: run_optimization(name, opt, lr,
                                                                      schedule=s))
       for name, (opt, lr, s, _) in DECAY_EXPERIMENTS.items()},
}


def course_gradient_check_parameters():
    """x (4, 3), then W1, b1, W2, b2, W3, b3 from ``RandomState(1)``; y = [[1, 1, 0]]."""
    rng = np.random.RandomState(1)
    x = rng.standard_normal((4, 3))
    params = {k: rng.standard_normal(s) for k, s in gradcheck.COURSE_SHAPES}
    return x, np.array([[1.0, 1.0, 0.0]]), params


def run_gradient_checks() -> dict:
    """The 1-D check (J = theta x at x=2, theta=4) and the N-D check, correct and buggy."""
    x, y, params = course_gradient_check_parameters()
    AL, caches, _ = model.forward(x, params, numerics="course")
    good = model.backward(AL, y, caches, params)
    buggy = model.backward(AL, y, caches, params, bug="course")
    return {
        "one_dimensional": gradcheck.gradient_check(2.0, 4.0),
        "n_dimensional": gradcheck.gradient_check_n(params, good, x, y),
        "n_dimensional_buggy": gradcheck.gradient_check_n(params, buggy, x, y),
    }


def run_all(names=None, progress=None) -> dict:
    """Run the experiments (all, or those named) and the gradient checks."""
    names = list(EXPERIMENTS) if names is None else list(names)
    unknown = [n for n in names if n not in EXPERIMENTS]
    if unknown:
        raise ValueError(f"unknown experiment(s) {unknown}; known: {', '.join(EXPERIMENTS)}")
    out = []
    for i, name in enumerate(names):
        if progress:
            progress(i, len(names), name)
        out.append(EXPERIMENTS[name]())
    return {"experiments": out, "gradient_check": run_gradient_checks()}


def format_table(report: dict) -> str:
    """A plain-text table of the report."""
    lines = [f"{'experiment':28} {'train acc':>10} {'test acc':>10} {'cost@0':>12} "
             f"{'last cost':>12} {'seconds':>8}"]
    for e in report["experiments"]:
        costs = [float(c) for c in e["costs"].values()]
        test = "-" if e["test_accuracy"] is None else f"{e['test_accuracy']:.4f}"
        lines.append(f"{e['name']:28} {e['train_accuracy']:10.4f} {test:>10} "
                     f"{costs[0]:12.6g} {costs[-1]:12.6g} {e['seconds']:8.2f}")
    g = report["gradient_check"]
    lines.append("")
    lines.append(f"gradient check 1-D difference:          {g['one_dimensional']:.6e}")
    lines.append(f"gradient check N-D difference (correct): {g['n_dimensional']:.6e}")
    lines.append(f"gradient check N-D difference (buggy):   {g['n_dimensional_buggy']:.16g}")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nnlab.course", description=__doc__)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--only", nargs="*", metavar="NAME", help="run only these experiments")
    args = parser.parse_args(argv)
    report = run_all(args.only)
    if args.json:
        print(json.dumps(report, indent=2, allow_nan=False))
    else:
        print(format_table(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
