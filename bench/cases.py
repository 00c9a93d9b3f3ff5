"""The benchmark cases. Each returns a dict of timings per unit (median, min, max over the
repeats) for the course-style baseline and each contender, and their ratios to the baseline."""

from __future__ import annotations

import json
import multiprocessing
import os
import platform
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from bench import course_style as cs
from bench import frameworks
from bench.timing import timed
from nnlab.config import TrainConfig
from nnlab.core.batched import train_batched
from nnlab.core.train import train
from nnlab.data.datasets import Dataset
from nnlab.data.toy2d import make_moons

TARGETS = {"A": 0.33, "B": 0.40, "C": 0.70, "C32": 0.35, "D": 0.20}
_EMPTY_X, _EMPTY_Y = np.zeros((2, 0)), np.zeros((1, 0))


def moons(m, seed=0) -> Dataset:
    """``m`` training points of the moons (noise 0.2), no dev or test set: the course's setting."""
    X, Y = make_moons(m, noise=0.2, rng=np.random.RandomState(seed))
    return Dataset("bench-moons", X, Y, _EMPTY_X, _EMPTY_Y, _EMPTY_X, _EMPTY_Y, 2)


def _case(name, title, unit, baseline, contenders, target=None):
    base = baseline["median"]
    out = {"case": name, "title": title, "unit": unit, "course_style": baseline, "contenders": {}}
    for label, t in contenders.items():
        if isinstance(t, dict) and "median" in t:
            out["contenders"][label] = dict(t, ratio=t["median"] / base)
        else:
            out["contenders"][label] = {"skipped": t}
    if target is not None:
        ratio = out["contenders"]["nnlab"]["ratio"]
        out.update(target=target, ratio=ratio, met=bool(ratio <= target))
    return out


def case_a(quick, repeats):
    n = 100 if quick else 2000
    data, dims = moons(300), [2, 20, 3, 1]
    config = TrainConfig(hidden_units=(20, 3), learning_rate=0.1, num_epochs=n)
    baseline = timed(lambda: cs.model(data.X_train, data.Y_train, dims, learning_rate=0.1,
                                      num_epochs=n), repeats, n)
    contenders = {
        "nnlab": timed(lambda: train(config, data=data), repeats, n),
        "nnlab pure loop": timed(lambda: train(config, data=data, fast=False), repeats, n),
    }
    contenders.update(frameworks.time_all(data, dims, "gd", 0.1, None, n, repeats))
    return _case("A", "[2, 20, 3, 1], 300 points, batch GD", "s/iteration", baseline,
                 contenders, TARGETS["A"])


def case_b(quick, repeats):
    epochs, m = (1, 2000) if quick else (3, 10_000)
    data, dims = moons(m), [2, 64, 64, 1]
    config = TrainConfig(hidden_units=(64, 64), optimizer="adam", learning_rate=0.001,
                         mini_batch_size=64, num_epochs=epochs)
    baseline = timed(lambda: cs.model(data.X_train, data.Y_train, dims, optimizer="adam",
                                      learning_rate=0.001, mini_batch_size=64,
                                      num_epochs=epochs), repeats, epochs)
    contenders = {"nnlab": timed(lambda: train(config, data=data, eval_every=epochs), repeats,
                                 epochs)}
    contenders.update(frameworks.time_all(data, dims, "adam", 0.001, 64, epochs, repeats))
    return _case("B", f"[2, 64, 64, 1], {m:,} points, mini-batch 64, Adam", "s/epoch",
                 baseline, contenders, TARGETS["B"])


def case_c(quick, repeats):
    n, m = (2, 2000) if quick else (10, 10_000)
    data, dims = moons(m), [2, 256, 256, 256, 1]
    config = TrainConfig(hidden_units=(256, 256, 256), learning_rate=0.01, num_epochs=n)
    baseline = timed(lambda: cs.model(data.X_train, data.Y_train, dims, learning_rate=0.01,
                                      num_epochs=n), repeats, n)
    # Accuracies evaluated at the first and last iteration only (the default evaluates at
    # most 200 times, i.e. at every one of these few iterations).
    contenders = {
        "nnlab": timed(lambda: train(config, data=data, eval_every=n), repeats, n),
        "nnlab float32": timed(lambda: train(config.replace(dtype="float32"), data=data,
                                             eval_every=n), repeats, n),
    }
    contenders.update(frameworks.time_all(data, dims, "gd", 0.01, None, n, repeats))
    out = _case("C", f"[2, 256, 256, 256, 1], {m:,} points, batch GD", "s/iteration",
                baseline, contenders, TARGETS["C"])
    r32 = out["contenders"]["nnlab float32"]["ratio"]
    out.update(target_float32=TARGETS["C32"], ratio_float32=r32, met_float32=r32 <= TARGETS["C32"])
    return out


def case_d(quick, repeats):
    k, n = (8, 100) if quick else (64, 2000)
    data, dims = moons(300), [2, 20, 3, 1]
    rates = [float(r) for r in np.geomspace(0.003, 0.3, k)]
    configs = [TrainConfig(hidden_units=(20, 3), learning_rate=r, num_epochs=n) for r in rates]

    def course():
        for r in rates:
            cs.model(data.X_train, data.Y_train, dims, learning_rate=r, num_epochs=n)

    baseline = timed(course, repeats)
    contenders = {"nnlab": timed(lambda: train_batched(configs, data=data), repeats),
                  "nnlab one by one": timed(lambda: [train(c, data=data) for c in configs], 1)}
    return _case("D", f"{k} copies of A with {k} learning rates, {n:,} iterations each",
                 "s/job", baseline, contenders, TARGETS["D"])


def _one_blas_thread():
    """Pool initializer: one BLAS thread per worker process (two workers on two cores)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    global _LIMIT
    _LIMIT = threadpool_limits(1)  # kept referenced: the limit lasts while the worker lives


def case_search(quick, repeats):
    """A search of 8 trials over ProcessPoolExecutor(2) against ProcessPoolExecutor(1)."""
    try:
        from nnlab.lessons.search import run_search
    except ImportError as exc:
        return {"case": "Search", "skipped": f"nnlab.lessons.search.run_search unavailable ({exc})"}
    epochs = 300 if quick else 3000
    base = TrainConfig(hidden_units=(32, 32), n_samples=600, num_epochs=epochs)
    points = [{"learning_rate": float(r)} for r in np.geomspace(0.01, 0.5, 8)]

    # JAX and PyTorch (timed by the cases before) start threads; forking a process that
    # runs them can deadlock, so the workers then start from a fork server instead
    threaded = {"jax", "torch"} & set(sys.modules)
    context = multiprocessing.get_context("forkserver") if threaded else None

    def search(workers):
        with ProcessPoolExecutor(workers, mp_context=context,
                                 initializer=_one_blas_thread) as pool:
            run_search(base, points, executor=pool)

    one = timed(lambda: search(1), repeats)
    two = timed(lambda: search(2), repeats)
    serial = timed(lambda: run_search(base, points), repeats)
    return {"case": "Search", "title": f"8 trials of {epochs:,} epochs, [2, 32, 32, 1]",
            "unit": "s/search", "one_worker": one, "two_workers": two, "in_process": serial,
            "speedup": one["median"] / two["median"], "target": 1.7,
            "met": one["median"] / two["median"] >= 1.7, "cores": os.cpu_count()}


def case_app(quick, repeats):
    """Time to first render of every page, cold and warm, in a child process (bench.app_case)."""
    cmd = [sys.executable, "-m", "bench.app_case"] + (["--quick"] if quick else [])
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=1200)
    if proc.returncode != 0:
        return {"case": "App", "skipped": f"bench.app_case failed: {proc.stderr[-400:]}"}
    return json.loads(proc.stdout)


CASES = {"A": case_a, "B": case_b, "C": case_c, "D": case_d, "Search": case_search,
         "App": case_app}


def machine() -> dict:
    info = {"python": platform.python_version(), "numpy": np.__version__,
            "cpus": os.cpu_count(), "load_average": list(os.getloadavg()),
            "openblas_env": {k: v for k, v in os.environ.items() if k.startswith("OPENBLAS")}}
    try:
        from threadpoolctl import threadpool_info
        info["blas"] = [{k: d.get(k) for k in ("internal_api", "version", "architecture",
                                               "num_threads")} for d in threadpool_info()]
    except ImportError:
        pass
    return info


def run(names, *, quick=False, repeats=3, progress=None) -> dict:
    """Run the cases ``names``; a JSON-ready report."""
    report = {"quick": quick, "repeats": repeats, "machine": machine(), "cases": []}
    for name in names:
        if progress:
            progress(f"running case {name} ...")
        report["cases"].append(CASES[name](quick, repeats))
    report["machine"]["load_average_after"] = list(os.getloadavg())
    return report


def _fmt(seconds):
    for unit, scale in (("s", 1), ("ms", 1e-3), ("us", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds * 1e9:.3g} ns"


def format_table(report) -> str:
    """Plain-text table: per case, the baseline and each contender with its ratio."""
    lines = [f"{'case':7} {'contender':18} {'median':>10} {'min':>10} {'max':>10} {'ratio':>7}"
             f"  target"]
    for case in report["cases"]:
        name = case["case"]
        if "skipped" in case:
            lines.append(f"{name:7} skipped: {case['skipped']}")
            continue
        if name == "Search":
            for label in ("in_process", "one_worker", "two_workers"):
                t = case[label]
                lines.append(f"{name:7} {label:18} {_fmt(t['median']):>10} {_fmt(t['min']):>10} "
                             f"{_fmt(t['max']):>10}")
            lines.append(f"{name:7} speedup 2 vs 1 worker: {case['speedup']:.2f}x (target 1.7x, "
                         f"{'met' if case['met'] else 'NOT met'})")
            continue
        if name == "App":
            lines.extend(f"App     {line}" for line in case.get("lines", []))
            continue
        t = case["course_style"]
        lines.append(f"{name:7} {'course style':18} {_fmt(t['median']):>10} {_fmt(t['min']):>10} "
                     f"{_fmt(t['max']):>10} {1:7.2f}  ({case['unit']}; {case['title']})")
        for label, t in case["contenders"].items():
            if "skipped" in t:
                lines.append(f"{name:7} {label:18} skipped: {t['skipped']}")
                continue
            target = ""
            if label == "nnlab":
                target = f"<= {case['target']:.2f} {'met' if case['met'] else 'NOT met'}"
            if label == "nnlab float32":
                target = (f"<= {case['target_float32']:.2f} "
                          f"{'met' if case['met_float32'] else 'NOT met'}")
            lines.append(f"{name:7} {label:18} {_fmt(t['median']):>10} {_fmt(t['min']):>10} "
                         f"{_fmt(t['max']):>10} {t['ratio']:7.2f}  {target}")
    m = report["machine"]
    lines.append(f"\nnumpy {m['numpy']}, {m['cpus']} CPUs, load average {m['load_average'][0]:.2f}"
                 f" -> {m['load_average_after'][0]:.2f}; ratios are medians over "
                 f"{report['repeats']} repeat(s)")
    return "\n".join(lines)
