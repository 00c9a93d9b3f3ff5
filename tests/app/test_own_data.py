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
