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
    allowed = {"st.html(body)"}  # nnlab.app.style.add: a checked <style> sheet only
    hits = [f"{p.relative_to(ROOT)}:{i}" for p in APP_CODE
            for i, line in enumerate(p.read_text().splitlines(), 1)
            if pattern.search(line) and line.strip() not in allowed]
    assert not hits, hits
    from nnlab.app.live_controls import NO_STALE_FADE
    from nnlab.app.style import add

    assert NO_STALE_FADE.startswith("<style>") and "<script" not in NO_STALE_FADE
    for sheet in ("<script>alert(1)</script>", "<style>a{}</style><img src=x onerror=1>",
                  "<style></style><script>x</script><style></style>",
                  "<style>a { background: url(javascript:alert(1)) }</style>"):
        with pytest.raises(ValueError, match="not a plain style sheet"):
            add(sheet)


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


def test_a_visitors_text_is_capped_and_escaped_wherever_it_is_echoed():
    from nnlab.app.softmax_page import parse_logits
    from nnlab.app.widgets import user_text

    link = "[win](https://example.com)"
    shown = user_text(link * 100)
    assert "](" not in shown.replace("\\](", "") and len(shown) < 80
    assert "\n" not in user_text("a\n\n# heading")
    with pytest.raises(ValueError) as err:  # the softmax logits box
        parse_logits(link)
    assert "\\]\\(" in str(err.value) and "](" not in str(err.value).replace("\\](", "")
    with pytest.raises(ValueError, match="at most 200"):
        parse_logits("1," * 5000)


def test_the_softmax_logits_box_echoes_a_link_as_text():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "pages/33_Softmax.py"), default_timeout=120)
    at.query_params["sm_section"] = "Worked example"  # the tab of the logits box
    at.query_params["sm_z"] = "[win](https://example.com) " * 300
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value for e in at.error if e.value.startswith("z:")]
    assert errors and "https\\:" in errors[0] and len(errors[0]) < 300, errors


def test_an_upload_error_quoting_a_cell_is_shown_as_text(monkeypatch):
    """The uploader's messages quote the file's name and cells: both reach the page escaped."""
    from nnlab.app import own_data

    shown = []

    class Upload:
        name = "[prize](https://example.com).csv"
        file_id = "f1"

        def getvalue(self):
            good = "".join(f"{i},1,{i % 2}\n" for i in range(25))
            return f"x1,x2,label\n[a](https://e.com),1,0\n{good}".encode()

    class Expander:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(own_data.st, "expander", lambda *a, **k: Expander())
    monkeypatch.setattr(own_data.st, "caption", lambda *a, **k: None)
    monkeypatch.setattr(own_data.st, "code", lambda *a, **k: None)
    monkeypatch.setattr(own_data.st, "file_uploader", lambda *a, **k: Upload())
    monkeypatch.setattr(own_data.st, "error", lambda body, **k: shown.append(body))
    monkeypatch.setattr(own_data, "current", lambda: None)
    own_data.upload_box("t")
    assert len(shown) == 1
    assert "](" not in shown[0].replace("\\](", ""), shown[0]
    assert "prize" in shown[0] and "line 2" in shown[0]
