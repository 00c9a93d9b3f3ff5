"""Every page's heaviest clicks at their worst settings: CPU seconds per click against the cap.

``python -m bench.clicks`` drives every page with Streamlit's ``AppTest`` in this process: it
opens the page, turns its knobs to their maxima (most epochs, most examples, batch size 1, the
deepest and widest network, the most trials) and presses its heavy buttons (Finish, "Train the
curves", "Reproduce the assignment", "Run search", ...), then the same at the largest setting
the cost model accepts (just under the cap: there the estimate's error is what counts). Every
script run is one click; for each it prints the CPU seconds of the whole process (NumPy's BLAS
threads included), the wall seconds, and what the app did: ``done``, ``refused`` (a run
estimated over what is left of the budget was not started, and the page said so: a correct
outcome, cheap when it comes first) or ``stopped`` (the budget ran out in the loop). A click is
``OVER`` when it took more than :data:`SLACK` times the cap in CPU seconds.

``--max-seconds S`` sets ``NNLAB_MAX_SECONDS`` (the cap of one click; 30 s by default) before
nnlab is imported: ``--max-seconds 5`` is a quicker run of the same clicks. ``--pages 11 31``
runs only the pages whose file name contains one of the words; ``--json`` prints one object.
Run it on an idle machine (see bench/README.md).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from bench.click_table import pages  # the clicks, page by page

ROOT = Path(__file__).resolve().parents[1]
#: A click may take this many times the cap (the cap bounds the estimate, which errs).
SLACK = 1.5


# ------------------------------------------------------------------------------ measuring


def outcome(at) -> str:
    """What the app did in the last script run, from what it shows."""
    if at.exception:
        return "error: " + str(at.exception[0].value).splitlines()[0][:60]
    texts = [e.value if hasattr(e, "value") else e.body
             for kind in ("error", "warning", "info") for e in at.get(kind)]
    if any(t.startswith("Hidden units:") for t in texts):
        return "bad input"  # the settings were not taken: fix the bench's click
    if any("this server allows" in t for t in texts):
        return "refused"
    if any("compute budget" in t or "stopped before its end" in t or "Paused after" in t
           for t in texts):
        return "stopped"
    return "done"


def measure_page(script: str, clicks: list, cap: float, timeout: float, log) -> list[dict]:
    """Run ``clicks`` on a fresh session of ``pages/<script>``, caches cleared first."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "pages" / script), default_timeout=timeout)
    rows = []
    for click in clicks:
        try:
            if click.action is not None:
                click.action(at)
        except KeyError as exc:  # a widget the page does not show (e.g. stopped above it)
            rows.append(_row(script, click, None, None, cap, f"skipped: {exc}"))
            log(format_row(rows[-1]))
            continue
        cpu, wall = time.process_time(), time.perf_counter()
        try:
            at.run()
            what = outcome(at)
        except Exception as exc:  # noqa: BLE001 - a timeout is a finding, not a crash
            what = f"error: {type(exc).__name__}: {str(exc)[:60]}"
        row = _row(script, click, time.process_time() - cpu, time.perf_counter() - wall, cap,
                   what)
        rows.append(row)
        log(format_row(row))
    return rows


def _row(script, click, cpu, wall, cap, what) -> dict:
    """One line of the table (``cpu`` None: the click could not be made)."""
    verdict = "" if cpu is None else ("under" if cpu <= SLACK * cap else "OVER")
    return {"page": script.removesuffix(".py"), "click": click.name, "settings": click.settings,
            "cpu_s": cpu, "wall_s": wall, "cap_s": cap, "outcome": what, "verdict": verdict}


HEADER = (f"{'page':26} {'click':26} {'settings':58} {'CPU s':>7} {'wall s':>7} {'cap':>5} "
          f"{'outcome':9} verdict")


def format_row(r: dict) -> str:
    """A row of the table as printed."""
    cpu = "" if r["cpu_s"] is None else f"{r['cpu_s']:.2f}"
    wall = "" if r["wall_s"] is None else f"{r['wall_s']:.2f}"
    return (f"{r['page'][:26]:26} {r['click'][:26]:26} {r['settings'][:58]:58} {cpu:>7} "
            f"{wall:>7} {r['cap_s']:>5g} {r['outcome']:9} {r['verdict']}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.clicks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--max-seconds", type=float, default=None,
                        help="the cap of one click (sets NNLAB_MAX_SECONDS; default: the "
                             "environment's, else 30)")
    parser.add_argument("--pages", nargs="*", default=None, metavar="WORD",
                        help="only the pages whose file name contains one of these")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    if args.max_seconds is not None:
        os.environ["NNLAB_MAX_SECONDS"] = repr(args.max_seconds)  # read by every new Budget
    from nnlab.core.budget import max_seconds

    cap = max_seconds()
    timeout = min(3600.0, max(120.0, 20 * cap))
    log = (lambda line: None) if args.json else print
    log(HEADER)
    rows = []
    for script, clicks in pages(cap).items():
        if args.pages and not any(word in script for word in args.pages):
            continue
        rows += measure_page(script, clicks, cap, timeout, log)
    over = [r for r in rows if r["verdict"] == "OVER" or r["outcome"].startswith("error")]
    # a click whose control was not on the page measured nothing: say so, it is not "under"
    skipped = [r for r in rows if r["outcome"].startswith("skipped")]
    if args.json:
        print(json.dumps({"cap_s": cap, "slack": SLACK, "rows": rows, "over": len(over),
                          "skipped": len(skipped)}, indent=2))
    else:
        print(f"{len(rows)} clicks, cap {cap:g} s, {len(over)} over {SLACK:g}x the cap or "
              "failed" + (": " + ", ".join(f"{r['page']} {r['click']}" for r in over)
                          if over else "") + f"; {len(skipped)} skipped (control not shown)"
              + (": " + ", ".join(f"{r['page']} {r['click']}" for r in skipped)
                 if skipped else ""))
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
