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
    for K in (4, 64):
        for b in (32, None):
            rows.append((f"stack K={K} b={b or 'm'} (20, 3)",
                         [BASE.replace(hidden_units=(20, 3), mini_batch_size=b,
                                       learning_rate=0.001 * (i + 1)) for i in range(K)]))
    return rows[::3] if quick else rows


def measure(configs, target=0.4):
    """Seconds of a run of ``configs`` at their ``num_epochs`` (scaled up from a few epochs)."""
    c = configs[0]
    est_epoch = budget.estimate_seconds(c, budget.expected_train_size(c), K=len(configs))
    est_epoch /= c.num_epochs
    epochs = int(min(2000, max(2, target / max(est_epoch, 1e-7))))
    trial = [ck.replace(num_epochs=epochs) for ck in configs]
    data = make_dataset(trial[0])
    start = time.perf_counter()
    if len(trial) > 1:
        train_batched(trial, data=data)
    else:
        train(trial[0], data=data)
    seconds = time.perf_counter() - start
    estimate = budget.estimate_seconds(trial[0], data.m_train, data.n_x, K=len(trial))
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
    for name, configs in calibration_configs(args.quick):
        epochs, seconds, estimate = measure(configs, 0.15 if args.quick else 0.4)
        rows.append({"run": name, "epochs": epochs, "measured": seconds, "estimate": estimate,
                     "ratio": estimate / seconds,
                     "terms": features(configs[0].replace(num_epochs=epochs), len(configs))})
    worst = max(max(r["ratio"], 1 / r["ratio"]) for r in rows)
    report = {"rows": rows, "worst_factor": worst, "within_2x": worst <= 2.0}
    if args.fit:
        names = sorted(rows[0]["terms"])
        A = np.array([[r["terms"][n] / r["measured"] for n in names] for r in rows])
        coef, *_ = np.linalg.lstsq(A, np.ones(len(rows)), rcond=None)
        report["fit"] = dict(zip(names, (float(x) for x in coef), strict=True))
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
    return 0 if math.isfinite(worst) else 1


if __name__ == "__main__":
    sys.exit(main())
