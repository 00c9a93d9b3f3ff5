"""Server memory while 500 distinct small configs go through the cached training path.

``python -m bench.cache_memory`` (or ``python bench/cache_memory.py``) starts a real
``streamlit run`` on a free loopback port, with the project's ``.streamlit/config.toml``
(``server.maxCacheDataSize``), serving a tiny page (written to a temporary directory) that
trains a batch of configs through ``nnlab.app.train_cached`` (``st.cache_data``, bounded by
``CACHE_MAX_ENTRIES`` in ``nnlab/app/runs.py``). Debian's Chromium, driven by Playwright, opens
the page once per batch (``?start=..&count=..``). After every batch the server's resident
memory (``VmRSS`` in ``/proc/<pid>/status``) is printed. The configs differ by their seed only,
so every one is a new cache entry; past ``CACHE_MAX_ENTRIES`` the least recently used entries
are evicted and memory should level off.

The page also prints Streamlit's own count of the cache's bytes. The verdict checks that the
cache stops growing once full, compares the server's growth per batch while the cache fills
with its growth over the last two batches, and the peak with the stated bound: the memory
after the warm-up, plus what the full cache holds (``min(CACHE_MAX_ENTRIES * entry size,
server.maxCacheDataSize)``, the entry size measured here by pickling one result as
``st.cache_data`` does), plus a fixed allowance for the interpreter, the sessions and the
allocator. Exit status 0 when the cache and the server stay under the bound.

Measured (2 CPUs, Streamlit 1.67, 64-64 network, 43 KB entries): the cache stops at 10.9 MB
once 256 entries are in; with ``--malloc-arena-max 1`` the server then stays flat (175 MB from
config 300 to 500); with glibc's default arenas it rises another ~2 MB per 50 configs and
levels off near 187 MB by config 700 (``--configs 1000``): freed entries' memory sits in the
per-thread arena of the script run that made it until the arenas fill.

This is a benchmark: nothing here is asserted by the test suite. Run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import os
import pickle
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # python bench/cache_memory.py
    sys.path.insert(0, str(ROOT))

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-dev-shm-usage"]
#: Memory beyond the cache that the server may take while the configs go through (MB):
#: interpreter arenas, the sessions' messages, allocator fragmentation.
ALLOWANCE_MB = 96
#: After the cache is full, a batch may still add this much (MB) and count as level.
LEVEL_MB_PER_BATCH = 3.0
BATCH_TIMEOUT = 600

APP = '''"""cache_memory bench page: train configs start .. start+count-1 through train_cached."""
import streamlit as st

from nnlab.app import train_cached
from nnlab.config import TrainConfig

q = st.query_params
start, count = int(q.get("start", 0)), int(q.get("count", 0))
hidden = tuple(int(u) for u in q.get("hidden", "64,64").split(","))
for seed in range(start, start + count):
    train_cached(TrainConfig(dataset="moons", n_samples=int(q.get("n", 200)),
                             hidden_units=hidden, num_epochs=int(q.get("epochs", 100)),
                             optimizer="adam", learning_rate=0.01, seed=seed),
                 label=f"bench {seed}", register=False)

from streamlit.runtime.caching.cache_data_api import get_data_cache_stats_provider  # noqa: E402

stats = [s for family in get_data_cache_stats_provider().get_stats().values() for s in family
         if "_train_cached" in s.cache_name]
st.text(f"CACHE BYTES {sum(s.byte_length for s in stats)}")
st.text(f"BATCH DONE {start} {count}")
'''


def config(seed: int, hidden: tuple, epochs: int, n: int):
    from nnlab.config import TrainConfig

    return TrainConfig(dataset="moons", n_samples=n, hidden_units=hidden, num_epochs=epochs,
                       optimizer="adam", learning_rate=0.01, seed=seed)


def rss_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process, in MB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0]) / 1024
    return fields["VmRSS"], fields["VmHWM"]


def max_cache_data_mb() -> float | None:
    """``server.maxCacheDataSize`` of the project's config.toml, in MB (None: unset)."""
    path = ROOT / ".streamlit" / "config.toml"
    if not path.exists():
        return None
    value = tomllib.loads(path.read_text()).get("server", {}).get("maxCacheDataSize")
    if value is None:
        return None
    text = str(value).strip().lower()
    units = {"kb": 1 / 1024, "mb": 1, "gb": 1024, "b": 1 / 1024 ** 2}
    for unit, factor in units.items():
        if text.endswith(unit):
            return float(text[: -len(unit)]) * factor
    return float(text) / 1024 ** 2


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(script: Path, log, arena_max: int | None = None
                 ) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    if arena_max:
        env["MALLOC_ARENA_MAX"] = str(arena_max)
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1",
         "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false",
         "--logger.level", "info"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while True:
        try:
            with urllib.request.urlopen(base + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc, base
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                proc.kill()
                raise RuntimeError("the streamlit server did not start") from None
            time.sleep(0.3)


def run_batch(page, base: str, start: int, count: int, args) -> float:
    t = time.perf_counter()
    page.goto(f"{base}/?start={start}&count={count}&hidden={args.hidden}&epochs={args.epochs}"
              f"&n={args.samples}")
    page.get_by_text(f"BATCH DONE {start} {count}").first.wait_for(
        timeout=BATCH_TIMEOUT * 1000)
    seconds = time.perf_counter() - t
    size = page.get_by_text("CACHE BYTES ").first.inner_text().split()[-1]
    return seconds, int(size) / 1024 ** 2


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cache_memory",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--configs", type=int, default=500, help="distinct configs (500)")
    parser.add_argument("--every", type=int, default=50, help="configs per batch (50)")
    parser.add_argument("--hidden", default="64,64", help="hidden units (64,64)")
    parser.add_argument("--epochs", type=int, default=100, help="epochs per config (100)")
    parser.add_argument("--samples", type=int, default=200, help="examples per data set (200)")
    parser.add_argument("--malloc-arena-max", type=int, default=None, metavar="N",
                        help="start the server with MALLOC_ARENA_MAX=N (glibc)")
    args = parser.parse_args(argv)
    if not os.path.exists(CHROMIUM):
        print(f"needs Debian's chromium ({CHROMIUM}) and playwright", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    from nnlab.app.runs import CACHE_MAX_ENTRIES
    from nnlab.core.train import train

    hidden = tuple(int(u) for u in args.hidden.split(","))
    entry_kb = len(pickle.dumps(train(config(0, hidden, args.epochs, args.samples)))) / 1024
    cap_mb = max_cache_data_mb()
    cache_mb = CACHE_MAX_ENTRIES * entry_kb / 1024
    if cap_mb is not None:
        cache_mb = min(cache_mb, cap_mb)
    print(f"{args.configs} configs: moons, m = {args.samples}, hidden {hidden}, adam, "
          f"{args.epochs} epochs, seeds 0..{args.configs - 1}; one cache entry "
          f"~{entry_kb:.0f} KB (pickled)")
    print(f"cache bound: CACHE_MAX_ENTRIES = {CACHE_MAX_ENTRIES} entries, "
          f"server.maxCacheDataSize = {cap_mb if cap_mb is not None else 'unset'} MB "
          f"-> at most ~{cache_mb:.1f} MB of cached runs")

    with tempfile.TemporaryDirectory(prefix="nnlab-cache-bench-") as tmp:
        script = Path(tmp) / "cache_bench_app.py"
        script.write_text(APP)
        log = open(Path(tmp) / "server.log", "w")
        proc, base = start_server(script, log, args.malloc_arena_max)
        rows = []
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                            args=CHROMIUM_ARGS)
                page = browser.new_page()
                run_batch(page, base, 0, 0, args)  # warm-up: imports, first session
                baseline, _ = rss_mb(proc.pid)
                print(f"\n{'configs':>8} {'VmRSS MB':>9} {'+MB':>7} {'cache MB':>9} "
                      f"{'batch s':>8}")
                print(f"{0:>8} {baseline:>9.1f} {0:>7.1f} {0:>9.1f}")
                done = 0
                while done < args.configs:
                    count = min(args.every, args.configs - done)
                    seconds, cached = run_batch(page, base, done, count, args)
                    done += count
                    rss, hwm = rss_mb(proc.pid)
                    rows.append((done, rss, hwm, seconds, None, cached))
                    print(f"{done:>8} {rss:>9.1f} {rss - baseline:>+7.1f} {cached:>9.1f} "
                          f"{seconds:>8.1f}", flush=True)
                browser.close()
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
            log.close()
        trained = (Path(tmp) / "server.log").read_text().count("nnlab training run")

    peak = max(r[2] for r in rows)
    bound = baseline + cache_mb + ALLOWANCE_MB
    filling = [r for r in rows if r[0] <= CACHE_MAX_ENTRIES]
    full = [r for r in rows if r[0] >= CACHE_MAX_ENTRIES + args.every]
    before = ((filling[-1][1] - baseline) / len(filling)) if filling else float("nan")
    after = ((full[-1][1] - full[0][1]) / (len(full) - 1)) if len(full) > 1 else float("nan")
    tail = rows[-3:] if len(full) >= 3 else full  # the last two batches
    last = ((tail[-1][1] - tail[0][1]) / (len(tail) - 1)) if len(tail) > 1 else float("nan")
    print(f"\nreal trainings logged by the server: {trained} (expected {args.configs})")
    print("cached runs (Streamlit's own count of the cache's bytes): "
          + ", ".join(f"{r[5]:.1f} MB at {r[0]}" for r in (rows[0], *full[:1], rows[-1])))
    if len(full) > 1:
        print(f"server RSS growth per batch of {args.every}: {before:+.1f} MB while the cache "
              f"fills, {after:+.1f} MB once it is full ({CACHE_MAX_ENTRIES} entries), "
              f"{last:+.1f} MB over the last {len(tail) - 1} batches")
    print(f"peak VmHWM {peak:.1f} MB; stated bound {bound:.1f} MB = warm-up {baseline:.1f} "
          f"+ cache {cache_mb:.1f} + allowance {ALLOWANCE_MB}")
    if len(full) < 2:
        print(f"VERDICT: too few configs to fill the cache ({CACHE_MAX_ENTRIES} entries) and "
              "watch it: use --configs 500 or more.")
        return 1
    cache_level = full[-1][5] <= full[0][5] + 2 * entry_kb / 1024
    rss_level = last <= max(0.5, 0.25 * before)
    under = peak <= bound
    if not (cache_level and under):
        why = ([] if cache_level else ["the cache kept growing once full"]) + \
              ([] if under else [f"peak {peak:.0f} MB over the bound {bound:.0f} MB"])
        print("VERDICT: NOT bounded: " + "; ".join(why))
        return 1
    if rss_level:
        print(f"VERDICT: memory levels off under the bound of {bound:.0f} MB: the cache stays "
              f"at {full[-1][5]:.1f} MB, the server at {rows[-1][1]:.0f} MB "
              f"({last:+.1f} MB per {args.every} configs at the end).")
    else:
        print(f"VERDICT: bounded (the cache stays at {full[-1][5]:.1f} MB; peak {peak:.0f} MB "
              f"under the bound of {bound:.0f} MB), but the server's RSS still rose "
              f"{last:+.1f} MB per {args.every} configs at the end "
              "while the cache stayed flat: glibc's per-thread malloc arenas (every script run "
              "is a new thread) fill up first; run --configs 1000 to see them level off, or "
              "--malloc-arena-max 1 to see the server flat once the cache is full.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
