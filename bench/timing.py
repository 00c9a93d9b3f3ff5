"""Timing a function: the one helper the engine benchmarks (``cases``, ``frameworks``) share."""

from __future__ import annotations

import statistics
import time


def timed(fn, repeats, per=1):
    """Run ``fn`` ``repeats`` times; seconds per unit (``per`` units a run): median, min, max."""
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - start) / per)
    return {"median": statistics.median(runs), "min": min(runs), "max": max(runs)}
