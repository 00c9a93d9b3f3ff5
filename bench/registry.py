"""The run registry at its bound, and a rerun of "Compare runs" there.

``python -m bench.registry`` fills one session's registry (``nnlab.app.runs.register_run``) with
the worst runs the app makes: :data:`MAX_RUNS` runs of a 51-layer network (50 hidden layers, the
app's limit, so 57 history columns) with histories of ``--epochs`` epochs (10,000 by default).
One real 51-layer run gives the config, metrics and columns; its history is stretched to
``--epochs`` epochs as the training loop writes it (accuracies and dev cost evaluated 200 times,
NaN between), so that no run has to train for minutes. It prints:

- the registry at the bound: runs kept and dropped, the bytes it is counted for
  (``entry_bytes``), and the bytes ``tracemalloc`` saw it hold;
- the time of an ``AppTest`` rerun of ``pages/90_Compare_runs.py`` at the bound (the first
  render, then the median of ``--repeats`` reruns);
- what a click on "Histories (CSV)" then costs: the seconds to build the file and its size.

``--sessions N`` also fills N more sessions to their bound and prints the process-wide account
(``held_bytes``) against ``MAX_TOTAL_BYTES``.

This is a benchmark: nothing here is asserted by the test suite. Run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # python bench/registry.py
    sys.path.insert(0, str(ROOT))

COMPARE_PAGE = "pages/90_Compare_runs.py"
#: Hidden layers of the worst run (the app's limit, ``nnlab.app.widgets.APP_MAX_LAYERS``).
HIDDEN_LAYERS = 50
#: Evaluations of a run (``nnlab.core.loop.MAX_EVALUATIONS``).
EVALUATIONS = 200
MB = 2**20


def worst_run(epochs: int):
    """A real 51-layer run whose history is stretched to ``epochs`` epochs."""
    from nnlab.config import TrainConfig
    from nnlab.core.train import train

    config = TrainConfig(hidden_units=(8,) * HIDDEN_LAYERS, num_epochs=50, n_samples=200)
    result = train(config)
    n = len(result.history["epoch"])
    where = np.linspace(0, n - 1, epochs)
    evaluated = np.zeros(epochs, dtype=bool)
    evaluated[::max(1, epochs // EVALUATIONS)] = evaluated[-1] = True
    history = {}
    for column, values in result.history.items():
        values = np.asarray(values, dtype=float)
        finite = np.flatnonzero(np.isfinite(values))
        stretched = np.interp(where, finite, values[finite]) if finite.size else \
            np.full(epochs, np.nan)
        if column in ("train_accuracy", "dev_accuracy", "dev_cost"):
            stretched[~evaluated] = np.nan
        history[column] = stretched
    history["epoch"] = np.arange(epochs, dtype=float)
    return dataclasses.replace(result, history=history, epochs_run=epochs)


def fill(result, store: dict, count: int, prefix: str = "run") -> None:
    from nnlab.app import runs

    for i in range(count):
        runs.register_run(result, f"{prefix} {i}", "Vanishing gradients", store=store)


def time_compare_page(store: dict, repeats: int, timeout: float = 120) -> dict:
    """First render and median rerun of the Compare runs page with ``store`` as the session."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=timeout).run()
    for key, value in store.items():
        at.session_state[key] = value
    start = time.perf_counter()
    at.switch_page(COMPARE_PAGE).run()
    first = time.perf_counter() - start
    reruns = []
    for _ in range(repeats):
        start = time.perf_counter()
        at.run()
        reruns.append(time.perf_counter() - start)
    errors = [str(e.value)[:200] for e in at.exception]
    return {"first_render_s": round(first, 3),
            "rerun_median_s": round(statistics.median(reruns), 3),
            "rerun_max_s": round(max(reruns), 3), "errors": errors,
            "downloads": len(at.get("download_button"))}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.registry", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=10_000, help="epochs of every run")
    parser.add_argument("--repeats", type=int, default=5, help="reruns of Compare runs timed")
    parser.add_argument("--sessions", type=int, default=0,
                        help="also fill this many more sessions (the process-wide bound)")
    parser.add_argument("--json", action="store_true", help="one JSON object")
    args = parser.parse_args(argv)

    from nnlab.app import runs

    result = worst_run(args.epochs)
    entry = runs.run_entry(result, "one")
    store: dict = {}
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    fill(result, store, runs.MAX_RUNS)
    traced = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    kept = runs.list_runs(store)
    out = {
        "epochs": args.epochs, "columns": len(entry["history"]),
        "entry_rows": len(entry["history"]["epoch"]), "entry_stride": entry["stride"],
        "entry_bytes": runs.entry_bytes(entry),
        "unthinned_run_bytes": sum(v.nbytes for v in result.history.values()),
        "max_runs": runs.MAX_RUNS, "max_session_bytes": runs.MAX_SESSION_BYTES,
        "runs_kept": len(kept), "runs_dropped": runs.dropped_runs(store),
        "registry_bytes": runs.registry_bytes(store), "registry_traced_bytes": traced,
    }
    out.update(time_compare_page(store, args.repeats))
    start = time.perf_counter()
    csv = runs.histories_csv(kept)
    out["csv_build_s"] = round(time.perf_counter() - start, 3)
    out["csv_bytes"] = len(csv.encode())
    out["json_bytes"] = len(runs.configs_json(kept).encode())
    del csv

    if args.sessions:
        others = [{} for _ in range(args.sessions)]
        for i, other in enumerate(others):
            fill(result, other, runs.MAX_RUNS, prefix=f"s{i}")
        out.update(sessions=1 + args.sessions, max_total_bytes=runs.MAX_TOTAL_BYTES,
                   held_bytes=runs.held_bytes(),
                   runs_per_session=[len(runs.list_runs(s)) for s in [store, *others]])

    if args.json:
        print(json.dumps(out))
        return 0
    print(f"worst run: {HIDDEN_LAYERS + 1} layers, {out['columns']} columns, {args.epochs} epochs "
          f"= {out['unthinned_run_bytes'] / MB:.2f} MB of history; registered as "
          f"{out['entry_rows']} rows (stride {out['entry_stride']}), "
          f"{out['entry_bytes'] / MB:.2f} MB")
    print(f"registry at the bound: {out['runs_kept']} runs kept, {out['runs_dropped']} dropped; "
          f"{out['registry_bytes'] / MB:.2f} MB counted (bound "
          f"{runs.MAX_SESSION_BYTES / MB:.0f} MB), {traced / MB:.2f} MB traced")
    print(f"Compare runs: first render {out['first_render_s']:.2f} s, rerun median "
          f"{out['rerun_median_s']:.2f} s (max {out['rerun_max_s']:.2f} s, {args.repeats} reruns)"
          f"{'; errors: ' + str(out['errors']) if out['errors'] else ''}")
    print(f"download on click: CSV {out['csv_bytes'] / MB:.1f} MB built in "
          f"{out['csv_build_s']:.2f} s; JSON {out['json_bytes'] / 1024:.0f} KB")
    if args.sessions:
        print(f"{out['sessions']} sessions: {out['held_bytes'] / MB:.1f} MB held in all "
              f"(bound {runs.MAX_TOTAL_BYTES / MB:.0f} MB); runs per session "
              f"{out['runs_per_session']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
