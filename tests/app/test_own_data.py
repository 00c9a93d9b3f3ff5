"""Your own data: upload a CSV on a page, train on it, and see bad files rejected."""

from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

from nnlab.app import own_data
from nnlab.config import TrainConfig
from nnlab.core.train import train
from tests.app.conftest import finish

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "11_Train_dev_test.py")


def _csv(n=120, bad_line=None):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, 2))
    rows = ["x1,x2,label"] + [f"{a:.5f},{b:.5f},{int(a * b > 0)}" for a, b in X]
    if bad_line is not None:
        rows[bad_line - 1] = "1.0,oops,1"
    return ("\n".join(rows) + "\n").encode()


def _upload(at, content, name="mine.csv"):
    at.file_uploader[0].set_value((name, content, "text/csv"))
    return at.run()


def test_upload_then_train_on_it():
    at = AppTest.from_file(PAGE, default_timeout=120).run()
    assert not at.exception
    _upload(at, _csv())
    assert not at.exception
    stored = at.session_state[own_data.SESSION_KEY]
    assert stored["rows"] == 120 and stored["n_classes"] == 2
    box = next(s for s in at.selectbox if s.label == "Data set")
    assert own_data.CUSTOM in box.options
    box.set_value(own_data.CUSTOM)
    at.run()
    assert not at.exception
    finish(at, "tdt_live")  # the new data's run starts live; Finish trains it to the end
    runs = at.session_state["nnlab_runs"]
    custom = [r for r in runs if r["config"].dataset == "custom"]
    assert custom, "the page trained on the uploaded data"
    config = custom[-1]["config"]
    again = train(config)  # the same config (data inside) gives the same numbers
    assert again.metrics["dev_accuracy"] == custom[-1]["metrics"]["dev_accuracy"]


def test_bad_upload_says_which_line_and_keeps_the_previous_data():
    at = AppTest.from_file(PAGE, default_timeout=120).run()
    _upload(at, _csv())
    first = at.session_state[own_data.SESSION_KEY]
    _upload(at, _csv(bad_line=7), name="broken.csv")
    assert not at.exception
    # the file name is escaped Markdown (a name can look like a link): shown as "broken.csv"
    assert any(r"broken\.csv was not loaded" in e.value and "line 7" in e.value
               for e in at.error)
    assert at.session_state[own_data.SESSION_KEY]["custom_data"] == first["custom_data"]


def test_custom_config_requires_matching_data():
    cfg = TrainConfig(dataset="custom", n_samples=20, custom_data=(
        tuple(range(20)), tuple(range(20)), tuple([0, 1] * 10)))
    assert cfg.n_samples == 20
    for bad in ({"n_samples": 21}, {"n_classes": 3, "custom_data": (
            tuple(range(20)), tuple(range(20)), tuple([0, 5] * 10))}):
        try:
            cfg.replace(**bad)
        except ValueError as err:
            assert "custom_data" in str(err) or "n_samples" in str(err)
        else:
            raise AssertionError(f"{bad} should be rejected")


def _inside_expander(at, element) -> bool:
    """Whether ``element`` is drawn inside an expander (collapsed by default: not seen)."""
    def walk(node, inside):
        if node is element:
            return inside
        is_exp = getattr(node, "type", None) == "expandable"
        for child in getattr(node, "children", {}).values():
            found = walk(child, inside or is_exp)
            if found is not None:
                return found
        return None

    return bool(walk(at._tree, False))


def test_a_link_with_custom_data_says_the_data_is_not_here(monkeypatch):
    monkeypatch.setenv("NNLAB_MAX_SECONDS", "2")
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.query_params["tdt_dataset"] = own_data.CUSTOM
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    notices = [w.value for w in at.warning if "uploaded" in w.value]
    assert len(notices) == 1, [w.value for w in at.warning]
    assert "not here" in notices[0] and "Use your own data" in notices[0]
    assert not [w.value for w in at.warning if "not one of the choices" in w.value]
    assert [w for w in at.main.warning if "uploaded" in w.value]  # under the title
    assert any("not here" in t.value for t in at.toast)  # where a phone user looks too
    box = next(s for s in at.selectbox if s.label == "Data set")
    assert box.value != own_data.CUSTOM and box.value in notices[0]
    upload_box = next(e for e in at.expander if "own data" in e.label)
    assert upload_box.proto.expanded  # the uploader is open, not hidden
    # the CSV the link's author used, uploaded here: picked at once
    _upload(at, _csv())
    assert not at.exception, [e.value for e in at.exception]
    box = next(s for s in at.selectbox if s.label == "Data set")
    assert box.value == own_data.CUSTOM


def test_an_upload_is_confirmed_where_the_learner_looks(monkeypatch):
    monkeypatch.setenv("NNLAB_MAX_SECONDS", "2")
    at = AppTest.from_file(PAGE, default_timeout=120).run()
    _upload(at, _csv(n=100))
    assert not at.exception, [e.value for e in at.exception]
    assert any("mine" in t.value and "100 rows" in t.value for t in at.toast)
    box = next(s for s in at.selectbox if s.label == "Data set")
    assert box.value == own_data.CUSTOM  # no instruction to find: it is in use
    stored = at.session_state[own_data.SESSION_KEY]
    status = [s for s in at.success if "Training on your data" in s.value]
    assert status and "100 rows" in status[0].value and "2 classes" in status[0].value
    assert f"0: {stored['counts'][0]}" in status[0].value
    assert not _inside_expander(at, status[0])
    shown = next(d for d in at.sidebar.dataframe if "label" in d.value.columns)
    assert not _inside_expander(at, shown)  # the preview in the open, once
    preview = shown.value
    assert list(preview.columns) == ["x1", "x2", "label"]
    assert len(preview) == own_data.PREVIEW_ROWS
    # the share link cannot carry the data: the popover says so
    from tests.app.test_url_complete import share_link

    assert "tdt_dataset=custom" in share_link(at)
    assert any("your uploaded data" in w.value for w in at.sidebar.warning)
    # another data set chosen: how to come back is said outside the expander
    box.set_value("moons").run()
    hint = [i for i in at.info if "Pick **custom**" in i.value]
    assert hint and not _inside_expander(at, hint[0])
