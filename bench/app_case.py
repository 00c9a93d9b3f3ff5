"""The App case, run as ``python -m bench.app_case`` in its own process (the server's memory).

Discovers ``streamlit_app.py`` and ``pages/*.py`` at run time (pages still being written are
simply not there yet) and, for each, times the first render with Streamlit's ``AppTest``: cold
(``st.cache_data``/``st.cache_resource`` cleared) and then warm (a fresh session, caches kept).
Then reads this process's resident memory after every page was visited. Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COLD_TARGET_S, WARM_TARGET_S, MEMORY_TARGET_MB = 3.0, 0.3, 400


def discover(root=ROOT) -> list[Path]:
    entry = [root / "streamlit_app.py"] if (root / "streamlit_app.py").exists() else []
    return entry + sorted(p for p in (root / "pages").glob("*.py") if not p.name.startswith("_"))


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _render(path, timeout):
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_file(str(path), default_timeout=timeout)
    start = time.perf_counter()
    at.run()
    seconds = time.perf_counter() - start
    errors = [str(e.value)[:200] for e in at.exception]
    return seconds, errors


def measure(paths, timeout=120) -> dict:
    import streamlit as st
    pages = []
    for path in paths:
        st.cache_data.clear()
        st.cache_resource.clear()
        cold, errors = _render(path, timeout)
        warm, _ = _render(path, timeout)
        pages.append({"page": str(path.relative_to(ROOT)), "cold_s": cold, "warm_s": warm,
                      "errors": errors})
    memory = rss_mb()
    ok = [p for p in pages if not p["errors"]]
    lines = [f"{p['page']:40} cold {p['cold_s']:6.2f} s  warm {p['warm_s']:6.3f} s"
             + (f"  ERROR {p['errors'][0][:60]}" if p["errors"] else "") for p in pages]
    lines.append(f"memory after every page: {memory:.0f} MB (target < {MEMORY_TARGET_MB}); "
                 f"tensorflow loaded: {'tensorflow' in sys.modules}")
    return {
        "case": "App", "pages": pages, "memory_mb": memory,
        "tensorflow_loaded": "tensorflow" in sys.modules,
        "max_cold_s": max((p["cold_s"] for p in ok), default=None),
        "max_warm_s": max((p["warm_s"] for p in ok), default=None),
        "met": bool(ok) and all(p["cold_s"] < COLD_TARGET_S and p["warm_s"] < WARM_TARGET_S
                                for p in ok) and memory < MEMORY_TARGET_MB
               and len(ok) == len(pages),
        "targets": {"cold_s": COLD_TARGET_S, "warm_s": WARM_TARGET_S,
                    "memory_mb": MEMORY_TARGET_MB},
        "lines": lines,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.app_case", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="only the entry page")
    args = parser.parse_args(argv)
    paths = discover()
    if args.quick:
        paths = paths[:1]
    try:
        import streamlit  # noqa: F401
    except ImportError:
        print(json.dumps({"case": "App", "skipped": "streamlit is not installed"}))
        return 0
    if not paths:
        print(json.dumps({"case": "App", "skipped": "no streamlit_app.py or pages/*.py yet"}))
        return 0
    print(json.dumps(measure(paths)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
