"""Security checks of the app's own code (see SECURITY.md)."""

import re
import tomllib
from pathlib import Path

import pytest

from nnlab.app.controls import escape_markdown, parse_hidden_units

ROOT = Path(__file__).resolve().parents[2]
APP_CODE = [p for p in [*ROOT.glob("nnlab/**/*.py"), *ROOT.glob("pages/*.py"),
                        ROOT / "streamlit_app.py"]]


def test_no_unsafe_html_eval_exec_or_pickle_in_the_app():
    pattern = re.compile(r"unsafe_allow_html\s*=\s*True|\beval\(|\bexec\(|pickle\.loads?\(|"
                         r"st\.html\(|components\.v1\.html|\bos\.system\(|shell=True")
    # the one exception: a constant style sheet, no user text (nnlab/app/live_controls.py)
    allowed = {"st.html(NO_STALE_FADE)"}
    hits = [f"{p.relative_to(ROOT)}:{i}" for p in APP_CODE
            for i, line in enumerate(p.read_text().splitlines(), 1)
            if pattern.search(line) and line.strip() not in allowed]
    assert not hits, hits
    from nnlab.app.live_controls import NO_STALE_FADE

    assert NO_STALE_FADE.startswith("<style>") and "<script" not in NO_STALE_FADE


def test_server_config_keeps_xsrf_on_and_limits_uploads():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["enableXsrfProtection"] is True
    assert config["server"]["maxUploadSize"] <= 5
    assert config["browser"]["gatherUsageStats"] is False


def test_typed_text_is_echoed_as_text_not_markdown():
    assert escape_markdown("**x** [a](javascript:alert(1)) <b>") == (
        r"\*\*x\*\* \[a\]\(javascript\:alert\(1\)\) \<b\>")
    with pytest.raises(ValueError) as err:
        parse_hidden_units("[a](b)", max_layers=5, max_units=10)
    assert r"\[a\]\(b\)" in str(err.value)


def test_huge_repeat_is_rejected_before_any_list_is_built():
    # Before the fix this built a list of 10**12 entries (MemoryError or a hung server).
    with pytest.raises(ValueError, match="at most 50 hidden layers"):
        parse_hidden_units("1*999999999999", max_layers=50, max_units=512)


def test_runtime_dependencies_are_bounded():
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            assert ">=" in line and "<" in line, line
