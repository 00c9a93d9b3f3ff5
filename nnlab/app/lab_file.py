"""The whole lab in one file: save every run's config, load them back after a reload.

A session's runs live in its ``st.session_state``: a reload of the tab starts a new, empty
session. "Save the lab" on the Compare runs page downloads the configs of all the registry's
runs (``nnlab.app.exports.configs_json``: a JSON list of ``{"label", "page", "config", ...}``);
loading that file recomputes each run through ``nnlab.app.runs.train_cached``, the cached and
budgeted path every page trains through, so a run still in the server's cache comes back at
once. The file is checked at the door: a problem is named with its line and field, and a file
with any problem loads nothing (the runs already here are never touched).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import streamlit as st

from nnlab.app import registry, runs
from nnlab.app.widgets import escape_markdown, user_text
from nnlab.config import TrainConfig

#: The largest lab file read (the server's upload limit is 1 MB too).
MAX_BYTES = 1_000_000
#: At most this many runs in one file (the registry keeps no more).
MAX_RUNS = registry.MAX_RUNS
#: Characters of a label or page name kept.
MAX_NAME = 200
#: At most this many problems are listed.
MAX_PROBLEMS = 8
UPLOAD_KEY, LOAD_KEY, DONE_KEY = "lab_upload", "lab_load", "_nnlab_lab_loaded"


@dataclass(frozen=True)
class LabRun:
    """One run of a lab file: its label, page and config, and the line where it starts."""

    label: str
    page: str
    config: TrainConfig
    line: int


class LabFileError(ValueError):
    """A lab file that cannot be loaded; ``problems`` names each one (line and field)."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def _items(text: str) -> list[tuple[int, object]]:
    """The top-level list's items, each with the line where it starts."""
    decoder = json.JSONDecoder()
    start = len(text) - len(text.lstrip())
    if not text[start:start + 1] == "[":
        value = json.loads(text)  # a JSONDecodeError names the line; else not a list
        raise LabFileError([f"line {text.count(chr(10), 0, start) + 1}: the file is a JSON "
                            f"{type(value).__name__}, not the list of runs that 'Save the "
                            "lab' writes"])
    json.loads(text)  # the whole file first: a syntax error anywhere names its line
    out, i = [], start + 1
    while True:
        while i < len(text) and text[i] in " \t\r\n,":
            i += 1
        if i >= len(text) or text[i] == "]":
            return out
        value, end = decoder.raw_decode(text, i)
        out.append((text.count("\n", 0, i) + 1, value))
        i = end


def _run(line: int, n: int, item) -> LabRun:
    where = f"line {line} (run {n})"
    if not isinstance(item, dict):
        raise LabFileError([f"{where}: a run is an object with a 'config', not a "
                            f"{type(item).__name__}"])
    if "config" not in item:
        raise LabFileError([f"{where}: the field 'config' is missing"])
    config = item["config"]
    if not isinstance(config, dict):
        raise LabFileError([f"{where}, field 'config': an object of the config's fields, not a "
                            f"{type(config).__name__}"])
    names = {}
    for field in ("label", "page"):
        value = item.get(field, "")
        if not isinstance(value, str):
            raise LabFileError([f"{where}, field '{field}': text, not a "
                                f"{type(value).__name__}"])
        names[field] = value[:MAX_NAME]
    try:
        built = TrainConfig.from_dict(config)
    except (TypeError, ValueError) as err:
        raise LabFileError([f"{where}, field 'config': {err}"]) from None
    return LabRun(names["label"] or runs.describe(built), names["page"], built, line)


def parse_lab(data: bytes) -> list[LabRun]:
    """The runs of a lab file. Raises :class:`LabFileError` naming every problem found (its
    line and field); nothing is loaded from a file with a problem."""
    if len(data) > MAX_BYTES:
        raise LabFileError([f"the file has {len(data):,} bytes; a lab file has at most "
                            f"{MAX_BYTES:,}"])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise LabFileError([f"byte {err.start}: not UTF-8 text (a lab file is the JSON that "
                            "'Save the lab' writes)"]) from None
    try:
        items = _items(text)
    except json.JSONDecodeError as err:
        raise LabFileError([f"line {err.lineno}, column {err.colno}: not valid JSON "
                            f"({err.msg})"]) from None
    except RecursionError:
        raise LabFileError(["the JSON is nested too deeply to be a lab file"]) from None
    if not items:
        raise LabFileError(["the file lists no runs"])
    if len(items) > MAX_RUNS:
        raise LabFileError([f"the file lists {len(items)} runs; a lab holds at most {MAX_RUNS}"])
    out, problems = [], []
    for n, (line, item) in enumerate(items, start=1):
        try:
            out.append(_run(line, n, item))
        except LabFileError as err:
            problems.extend(err.problems)
    if problems:
        raise LabFileError(problems)
    return out


def load_runs(lab: list[LabRun]) -> int:
    """Recompute each run (cached, budgeted: ``train_cached``) and register it under its label
    and page; a run already in the registry stays as it is. Returns how many were added."""
    before = {e["id"] for e in runs.list_runs()}
    for run in lab:
        runs.train_cached(run.config, run.label, page=run.page)
    return len({e["id"] for e in runs.list_runs()} - before)


def save_button(all_runs: list[dict]) -> None:
    """One click: every run's config in one JSON file (built only when clicked)."""
    st.download_button(
        "Save the lab (JSON)", lambda: runs.configs_json(all_runs),
        file_name="nnlab_lab.json", mime="application/json", on_click="ignore",
        icon=":material/save:", key="download_configs", type="primary",
        help="Every run's label, page and config (`TrainConfig.from_dict(item['config'])`). "
             "Load it back here, after a reload too: the runs are recomputed (from the "
             "server's cache when they are still in it).")


def load_section() -> None:
    """The lab-file uploader: a checked summary, then one click loads the runs."""
    done = st.session_state.pop(DONE_KEY, None)
    if done is not None:
        st.success(done, icon=":material/check_circle:")
    file = st.file_uploader("Load a saved lab (JSON)", type=["json"], key=UPLOAD_KEY,
                            help="A file saved with **Save the lab**: its runs are added to "
                                 "this session's (the runs here are kept).")
    if file is None:
        return
    name = user_text(file.name, 40)
    try:
        lab = parse_lab(file.getvalue())
    except LabFileError as err:
        shown = err.problems[:MAX_PROBLEMS]
        more = len(err.problems) - len(shown)
        st.error(f"{name} was not loaded, nothing changed:\n\n"
                 + "\n".join(f"- {escape_markdown(p)}" for p in shown)
                 + (f"\n- … and {more} more" if more else ""), icon=":material/error:")
        return
    here = {(e["page"], e["label"], e["config"]) for e in runs.list_runs()}
    new = [r for r in lab if (r.page, r.label, r.config) not in here]
    st.markdown(f"**{name}**: {len(lab)} run{'s' if len(lab) != 1 else ''}, "
                f"{len(lab) - len(new)} of them already here.")
    if st.button(f"Load {len(new)} run{'s' if len(new) != 1 else ''}", key=LOAD_KEY,
                 icon=":material/upload:", disabled=not new,
                 help="Each run is recomputed through the page's cached training: a run "
                      "the server still holds comes back at once. If a click's compute "
                      "budget runs out, the runs loaded so far stay: press it again for "
                      "the rest."):
        added = load_runs(new)
        st.session_state[DONE_KEY] = (f"Loaded {added} run{'s' if added != 1 else ''} from "
                                      f"{name}.")
        st.rerun()
