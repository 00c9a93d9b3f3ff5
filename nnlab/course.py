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
from nnlab.core.train import train
from nnlab.data.datasets import Dataset
from nnlab.data.toy2d import make_circles, make_moons
from nnlab.spec import gradcheck, model
from nnlab.spec.initializers import initialize_parameters

COST_EVERY = 1000
_EMPTY_X, _EMPTY_Y = np.zeros((2, 0)), np.zeros((1, 0))


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


def _record(name, result, every=COST_EVERY):
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


def run_initialization(init: str, *, num_iterations=15000, on_epoch=None, budget=None) -> dict:
    """[2, 10, 5, 1] relu/relu/sigmoid, batch GD at 0.01; weights from ``RandomState(3)``.
    ``on_epoch`` and ``budget`` are passed to ``train``."""
    config = TrainConfig(dataset="circles", hidden_units=(10, 5), optimizer="gd",
                         learning_rate=0.01, num_epochs=num_iterations, numerics="course",
                         initializer=init)
    params = initialize_parameters((2, 10, 5, 1), init, rng=np.random.RandomState(3))
    return _record(f"initialization/{init}",
                   train(config, data=initialization_data(), parameters=params,
                         on_epoch=on_epoch, budget=budget))


def run_optimization(name: str, optimizer: str, learning_rate: float, *, schedule="constant",
                     num_epochs=5000, on_epoch=None, budget=None) -> dict:
    """[2, 5, 2, 1] on moons, He weights from ``RandomState(3)``, mini-batches of 64 re-shuffled
    with ``RandomState(10 + i + 1)`` before epoch i; beta 0.9, Adam 0.9/0.999/1e-8; decay rate 1
    and time interval 1000 for the schedules. ``on_epoch`` (progress bars, full cost curves)
    and ``budget`` are passed to ``train``."""
    config = TrainConfig(dataset="moons", hidden_units=(5, 2), optimizer=optimizer,
                         learning_rate=learning_rate, beta=0.9, beta1=0.9, beta2=0.999,
                         epsilon=1e-8, mini_batch_size=64, num_epochs=num_epochs,
                         numerics="course", schedule=schedule, decay_rate=1.0,
                         time_interval=1000)
    params = initialize_parameters((2, 5, 2, 1), "he", rng=np.random.RandomState(3))
    return _record(name, train(config, data=optimization_data(), parameters=params,
                               shuffle_rng=course_shuffle, on_epoch=on_epoch, budget=budget))


EXPERIMENTS = {
    "initialization/zeros": lambda: run_initialization("zeros"),
    "initialization/random": lambda: run_initialization("random"),
    "initialization/he": lambda: run_initialization("he"),
    "optimization/gd": lambda: run_optimization("optimization/gd", "gd", 0.0007),
    "optimization/momentum": lambda: run_optimization("optimization/momentum", "momentum", 0.0007),
    "optimization/adam": lambda: run_optimization("optimization/adam", "adam", 0.0007),
    "decay/gd_update_lr": lambda: run_optimization("decay/gd_update_lr", "gd", 0.1,
                                                   schedule="inverse_time"),
    "decay/gd_scheduled": lambda: run_optimization("decay/gd_scheduled", "gd", 0.1,
                                                   schedule="inverse_time_interval"),
    "decay/momentum_scheduled": lambda: run_optimization("decay/momentum_scheduled", "momentum",
                                                         0.1, schedule="inverse_time_interval"),
    "decay/adam_scheduled": lambda: run_optimization("decay/adam_scheduled", "adam", 0.01,
                                                     schedule="inverse_time_interval"),
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
