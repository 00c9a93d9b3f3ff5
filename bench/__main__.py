"""``python -m bench [--quick] [--json] [--repeats N] [--cases A B ...]``.

Runs every case in this one process (the App case in a child process, so that Streamlit's
memory is its own), repeats each, and prints a table of ratios to the course-style baseline
measured in the same run (``--json``: one JSON object). For steady numbers, run it on an idle
machine; with an older OpenBLAS tuning set in the environment, unset it for this command only:
``env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python -m bench``.
"""

from __future__ import annotations

import argparse
import json
import sys

from bench.cases import CASES, format_table, run


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes, a smoke run")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--repeats", type=int, default=None, help="repeats per case (3; quick 1)")
    parser.add_argument("--cases", nargs="*", default=None, metavar="CASE",
                        help=f"cases to run, among {', '.join(CASES)} (default: all)")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.cases or ()) - set(CASES))
    if unknown:
        parser.error(f"unknown case(s) {unknown}; known: {', '.join(CASES)}")
    repeats = args.repeats or (1 if args.quick else 3)
    report = run(args.cases or list(CASES), quick=args.quick, repeats=repeats,
                 progress=None if args.json else lambda msg: print(msg, file=sys.stderr))
    print(json.dumps(report, indent=2) if args.json else format_table(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
