"""Smoke test of ``python -m bench``: it runs and reports every case's structure (no timings
are asserted: timings live in bench/, never in tests)."""

import json
import subprocess
import sys
from pathlib import Path

from bench import app_case
from bench.cases import CASES, TARGETS, format_table

ROOT = Path(__file__).resolve().parents[1]


def test_quick_json_run_reports_ratios_for_every_timed_case():
    proc = subprocess.run([sys.executable, "-m", "bench", "--quick", "--json", "--cases",
                           "A", "B", "C", "D"], capture_output=True, text=True, cwd=ROOT,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["quick"] is True and report["repeats"] == 1
    assert report["machine"]["numpy"]
    cases = {c["case"]: c for c in report["cases"]}
    assert list(cases) == ["A", "B", "C", "D"]
    for name, case in cases.items():
        assert set(case["course_style"]) == {"median", "min", "max"}
        nnlab = case["contenders"]["nnlab"]
        assert nnlab["ratio"] > 0 and nnlab["min"] <= nnlab["median"] <= nnlab["max"]
        assert case["target"] == TARGETS[name] and isinstance(case["met"], bool)
        for label in ("pytorch eager", "jax jit"):
            if name != "D":
                assert label in case["contenders"]  # timed, or the reason it was skipped
    assert cases["C"]["contenders"]["nnlab float32"]["ratio"] > 0
    assert "A" in format_table(report)


def test_table_shows_search_and_app_records():
    t = {"median": 2.0, "min": 1.0, "max": 3.0}
    report = {"repeats": 1, "machine": {"numpy": "2", "cpus": 2, "load_average": [0.1],
                                        "load_average_after": [0.2]},
              "cases": [{"case": "Search", "in_process": t, "one_worker": t, "two_workers": t,
                         "speedup": 1.0, "met": False},
                        {"case": "App", "lines": ["streamlit_app.py  cold 1 s  warm 0.1 s"]},
                        {"case": "App", "skipped": "no pages"}]}
    table = format_table(report)
    assert "speedup 2 vs 1 worker: 1.00x" in table and "cold 1 s" in table
    assert "skipped: no pages" in table
    assert set(CASES) == {"A", "B", "C", "D", "Search", "App"}


def test_app_case_discovers_entry_and_pages(tmp_path):
    assert app_case.discover(tmp_path) == []
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "2_b.py").write_text("")
    (tmp_path / "pages" / "1_a.py").write_text("")
    (tmp_path / "streamlit_app.py").write_text("")
    names = [p.name for p in app_case.discover(tmp_path)]
    assert names == ["streamlit_app.py", "1_a.py", "2_b.py"]
