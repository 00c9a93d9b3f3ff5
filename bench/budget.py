"""Calibrate the compute budget's cost model: estimated vs measured seconds per run.

``python -m bench.budget`` trains a spread of configs (batch size 1..m, depth 1..60, width
1..256, every optimizer, batch norm, dropout, early stopping, stacks of K) for a few epochs each,
and prints ``nnlab.core.budget.estimate_seconds`` beside the measured wall time, with their ratio.
The target: every row within 2x. ``--fit`` also prints the least-squares coefficients of the
model's terms (relative error), which is how ``nnlab.core.budget.COST`` was set on a two-core
machine; ``--json`` prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time

import numpy as np

from nnlab.config import TrainConfig
from nnlab.core import budget
from nnlab.core.batched import train_batched
from nnlab.core.train import make_dataset, train

BASE = TrainConfig(dataset="moons", n_samples=1000, learning_rate=0.01)


def calibration_configs(quick=False):
    """(name, configs) pairs: one config, or a stack of K."""
    rows = []
    for b in (1, 8, 64, None):
        for depth, width in ((1, 4), (3, 32), (10, 16), (2, 256)):
            rows.append((f"b={b or 'm'} depth={depth} width={width}",
                         [BASE.replace(hidden_units=(width,) * depth, mini_batch_size=b)]))
    for depth in (30, 60):
        for b in (32, None):
            rows.append((f"b={b or 'm'} depth={depth} width=8",
                         [BASE.replace(hidden_units=(8,) * depth, mini_batch_size=b)]))
    for width in (1, 128, 256):
        rows.append((f"b=m depth=3 width={width}", [BASE.replace(hidden_units=(width,) * 3)]))
    for opt in ("momentum", "rmsprop", "adam"):
        rows.append((f"{opt} b=32 (20, 10)", [BASE.replace(optimizer=opt, mini_batch_size=32,
                                                          hidden_units=(20, 10))]))
    rows.append(("dropout b=64 (64, 64)", [BASE.replace(keep_prob=0.8, mini_batch_size=64,
                                                        hidden_units=(64, 64))]))
    rows.append(("patience b=m (32, 16)", [BASE.replace(patience=10_000,
                                                        hidden_units=(32, 16))]))
    for b in (16, None):
        rows.append((f"batch norm b={b or 'm'} (16, 8)",
                     [BASE.replace(batch_norm=True, mini_batch_size=b, hidden_units=(16, 8))]))
        rows.append((f"batch norm b={b or 'm'} depth=10 width=32",
                     [BASE.replace(batch_norm=True, mini_batch_size=b, hidden_units=(32,) * 10)]))
    big = BASE.replace(n_samples=10_000)  # 6,000 training points: the products dominate
    for width, b in ((256, None), (64, 256), (256, 1024)):
        rows.append((f"m=6000 b={b or 'm'} depth=3 width={width}",
                     [big.replace(hidden_units=(width,) * 3, mini_batch_size=b)]))
    rows.append(("m=6000 stack K=8 b=m (64, 64)",
                 [big.replace(hidden_units=(64, 64), learning_rate=0.01 * (i + 1))
                  for i in range(8)]))
    for K in (4, 64):
        for b in (32, None):
            rows.append((f"stack K={K} b={b or 'm'} (20, 3)",
                         [BASE.replace(hidden_units=(20, 3), mini_batch_size=b,
                                       learning_rate=0.001 * (i + 1)) for i in range(K)]))
    return rows[::3] if quick else rows


def _timed_run(configs, epochs, data):
    trial = [ck.replace(num_epochs=epochs) for ck in configs]
    start = time.perf_counter()
    if len(trial) > 1:
        train_batched(trial, data=data)
    else:
        train(trial[0], data=data)
    return time.perf_counter() - start, trial[0]


def measure(configs, target=0.4):
    """(epochs, measured seconds, estimated seconds) of a run of ``configs`` sized to take about
    ``target`` seconds (from a timed trial of 3 epochs)."""
    data = make_dataset(configs[0])
    trial_seconds, _ = _timed_run(configs, 3, data)
    epochs = int(min(5000, max(3, 3 * target / max(trial_seconds, 1e-6))))
    seconds, config = _timed_run(configs, epochs, data)
    estimate = budget.estimate_seconds(config, data.m_train, data.n_x, K=len(configs))
    return epochs, seconds, estimate


def features(config, K):
    return budget.cost_terms(config, budget.expected_train_size(config), 2, K)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.budget", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a third of the rows, shorter runs")
    parser.add_argument("--fit", action="store_true", help="print least-squares coefficients")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    rows = []
    # each kind of run at two lengths, so that a run's fixed cost and its per-epoch cost
    # cannot stand in for each other
    targets = (0.05, 0.2) if args.quick else (0.1, 0.5)
    for name, configs in calibration_configs(args.quick):
        for target in targets:
            epochs, seconds, estimate = measure(configs, target)
            rows.append({"run": name, "epochs": epochs, "measured": seconds,
                         "estimate": estimate, "ratio": estimate / seconds,
                         "terms": features(configs[0].replace(num_epochs=epochs),
                                           len(configs))})
    worst = max(max(r["ratio"], 1 / r["ratio"]) for r in rows)
    report = {"rows": rows, "worst_factor": worst, "within_2x": worst <= 2.0}
    if args.fit:
        names = sorted(rows[0]["terms"])
        from scipy.optimize import nnls  # a dev dependency (scikit-learn brings it)

        # relative error: each row's terms over its measured seconds, against 1
        A = np.array([[r["terms"][n] / r["measured"] for n in names] for r in rows])
        coef, _ = nnls(A, np.ones(len(rows)))
        report["fit"] = dict(zip(names, (float(x) for x in coef), strict=True))
        fitted = A @ coef  # each row's fitted estimate over its measured seconds
        report["fit_ratios"] = [float(x) for x in fitted]
        report["fit_worst_factor"] = float(max(max(x, 1 / x) for x in fitted))
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"{'run':42} {'epochs':>7} {'measured':>10} {'estimate':>10} {'est/meas':>9}")
    for r in rows:
        print(f"{r['run']:42} {r['epochs']:>7} {r['measured']:>9.3f}s {r['estimate']:>9.3f}s "
              f"{r['ratio']:>9.2f}")
    print(f"worst factor {worst:.2f} ({'within' if worst <= 2 else 'NOT within'} 2x)")
    if args.fit:
        print("fit:", ", ".join(f"{k}={v:.3g}" for k, v in report["fit"].items()))
        print("with the fit:", " ".join(f"{x:.2f}" for x in report["fit_ratios"]),
              f"(worst factor {report['fit_worst_factor']:.2f})")
    return 0 if math.isfinite(worst) else 1


if __name__ == "__main__":
    sys.exit(main())
