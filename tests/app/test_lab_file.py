"""Runs that survive a reload: save the whole lab in one file, load it back (from the cache).

A reload starts a new session with an empty registry: here a fresh AppTest is that new session.
"""

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import nnlab
from nnlab.app import lab_file, runs
from nnlab.config import TrainConfig

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "pages" / "90_Compare_runs.py")
CONFIGS = [TrainConfig(dataset="moons", hidden_units=(4,), num_epochs=20, seed=s) for s in (1, 2)]


def lab_bytes(store: dict | None = None) -> bytes:
    """A lab file as the page saves it (``runs.configs_json`` of a registry)."""
    if store is None:
        store = {}
        for config in CONFIGS:
            runs.register_run(nnlab.train(config), f"seed {config.seed}", "Initialization",
                              store=store)
    return runs.configs_json(runs.list_runs(store)).encode()


def test_a_saved_lab_parses_back_to_the_same_runs():
    lab = lab_file.parse_lab(lab_bytes())
    assert [(r.label, r.page, r.config) for r in lab] == [
        (f"seed {c.seed}", "Initialization", c) for c in CONFIGS]
    starts = [i + 1 for i, line in enumerate(lab_bytes().decode().split("\n")) if line == "  {"]
    assert [r.line for r in lab] == starts and len(starts) == 2


def _problems(data: bytes) -> list[str]:
    with pytest.raises(lab_file.LabFileError) as err:
        lab_file.parse_lab(data)
    return err.value.problems


def test_a_bad_lab_file_names_the_line_and_the_field():
    good = json.loads(lab_bytes())
    text = lab_bytes().decode()
    assert "line 3, column" in _problems(text.replace('"id"', 'id', 1).encode())[0]
    assert "not the list of runs" in _problems(b'{"runs": []}')[0]
    assert "no runs" in _problems(b"[]")[0]
    assert "not UTF-8" in _problems(b"\xff\xfe[")[0]
    assert "at most" in _problems(b" " * (lab_file.MAX_BYTES + 1))[0]
    too_many = json.dumps([good[0]] * (lab_file.MAX_RUNS + 1)).encode()
    assert f"{lab_file.MAX_RUNS + 1} runs" in _problems(too_many)[0]
    # the second run: a bad field value, a missing config, a wrong type; each named
    bad = [dict(good[0]), dict(good[1], config=dict(good[1]["config"], learning_rate=-1.0))]
    found = _problems(json.dumps(bad, indent=2).encode())
    assert len(found) == 1 and found[0].startswith("line ") and "(run 2)" in found[0]
    assert "'config'" in found[0] and "learning_rate" in found[0]
    bad[1] = {"label": "x"}
    assert "'config' is missing" in _problems(json.dumps(bad).encode())[0]
    bad[1] = dict(good[1], label=3)
    assert "field 'label'" in _problems(json.dumps(bad).encode())[0]
    bad[1] = dict(good[1], config=dict(good[1]["config"], colour="red"))
    assert "colour" in _problems(json.dumps(bad).encode())[0]
    assert "nested" in _problems(b"[" * 100_000)[0] or "line 1" in _problems(b"[" * 100_000)[0]


def _page(store: dict | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    for key, value in (store or {}).items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _load(at: AppTest, data: bytes, name: str = "nnlab_lab.json") -> AppTest:
    at.file_uploader(key=lab_file.UPLOAD_KEY).set_value((name, data, "application/json"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_save_reload_load_gives_the_runs_back_from_the_cache(monkeypatch):
    calls = []
    real_train = runs.train

    def counting_train(config, **kwargs):
        calls.append(config)
        return real_train(config, **kwargs)

    monkeypatch.setattr(runs, "train", counting_train)
    data = lab_bytes()
    first = _load(_page(), data)  # after a reload the page is empty: the loader is there
    assert any("2 runs, 0 of them already here" in m.value for m in first.markdown)
    first.button(key=lab_file.LOAD_KEY).click().run()
    assert not first.exception, [e.value for e in first.exception]
    assert len(calls) == 2  # recomputed once
    assert any("Loaded 2 runs" in s.value for s in first.success)
    loaded = runs.list_runs(first.session_state)
    assert [(e["label"], e["page"], e["config"]) for e in loaded] == [
        (f"seed {c.seed}", "Initialization", c) for c in CONFIGS]
    # the page saves what it loaded: the same file
    assert json.loads(runs.configs_json(loaded))[0]["config"] == json.loads(data)[0]["config"]

    # a reload: a new session with one run of its own; loading keeps it and hits the cache
    store: dict = {}
    other = TrainConfig(dataset="circles", hidden_units=(3,), num_epochs=10)
    runs.register_run(nnlab.train(other), "mine", "Regularization", store=store)
    again = _load(_page(store), data)
    again.button(key=lab_file.LOAD_KEY).click().run()
    assert not again.exception, [e.value for e in again.exception]
    assert len(calls) == 2  # no training: every run came from the cache
    configs = [e["config"] for e in runs.list_runs(again.session_state)]
    assert configs == [other, *CONFIGS]
    # loading the same file again adds nothing
    again.run()
    assert again.button(key=lab_file.LOAD_KEY).disabled


def test_a_bad_lab_file_loads_nothing_and_says_why():
    store: dict = {}
    runs.register_run(nnlab.train(CONFIGS[0]), "mine", "Initialization", store=store)
    at = _load(_page(store), b'[{"label": "x", "config": {"learning_rate": "fast"}}]',
               name="[evil](https://example.com).json")
    errors = [e.value.replace("\\", "") for e in at.error]  # shown as escaped text
    assert errors and "line 1 (run 1)" in errors[0] and "learning_rate" in errors[0]
    assert "nothing changed" in errors[0] and r"\]\(https" in at.error[0].value  # as text
    assert not [b for b in at.button if b.key == lab_file.LOAD_KEY]
    assert [e["label"] for e in runs.list_runs(at.session_state)] == ["mine"]
