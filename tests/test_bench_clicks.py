"""Smoke test of ``python -m bench.clicks``: it knows every page, picks the largest accepted
settings from the cost model, and reports each click's outcome (no timing is asserted)."""

import json
from pathlib import Path

from bench import click_table, clicks
from nnlab.core import budget

ROOT = Path(__file__).resolve().parents[1]


def test_every_page_with_work_has_its_clicks():
    scripts = {p.name for p in (ROOT / "pages").glob("*.py")} - {"90_Compare_runs.py"}
    table = click_table.pages(budget.DEFAULT_MAX_SECONDS)
    assert set(table) == scripts
    for script, page in table.items():
        assert page[0].name == "open" and page[0].action is None, script
        assert len(page) >= 2, script


def test_largest_under_picks_the_most_expensive_setting_that_fits():
    cost = {"a": 1.0, "b": 20.0, "c": 26.0, "d": 40.0}
    assert click_table.largest_under(30, list(cost), cost.get) == ("c", 26.0)
    assert click_table.largest_under(0.5, list(cost), cost.get) == ("a", 1.0)  # none fits: smallest


def test_near_cap_settings_are_under_the_cap_the_app_enforces():
    cap = budget.DEFAULT_MAX_SECONDS
    for pick in (click_table.near_cap_curves, click_table.near_cap_regularization,
                 click_table.near_cap_symmetry, click_table.near_cap_tf,
                 click_table.near_cap_minibatch):
        _, estimate = pick(cap)
        assert cap / 4 < estimate <= click_table.NEAR_CAP * cap, pick.__name__


def test_one_page_runs_and_reports_json(monkeypatch, capsys):
    monkeypatch.setenv(budget.ENV_VAR, "30")
    clicks.main(["--pages", "22_Averages", "--json", "--max-seconds", "20"])
    report = json.loads(capsys.readouterr().out)
    assert report["cap_s"] == 20 and report["slack"] == clicks.SLACK and report["skipped"] == 0
    assert [r["click"] for r in report["rows"]] == ["open", "knobs to max"]
    for row in report["rows"]:  # the figures are the bench's to judge, not the test's
        assert row["outcome"] == "done" and row["verdict"] in ("under", "OVER")
        assert row["cpu_s"] >= 0 and row["wall_s"] >= 0 and row["cap_s"] == 20
