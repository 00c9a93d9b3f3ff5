"""AppTest of the softmax page, plus its glue helpers and its chart builder."""



import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from nnlab.app import softmax_page as sm
from nnlab.config import TrainConfig
from nnlab.core.train import make_dataset, train
from nnlab.spec import activations
from nnlab.viz.softmax import regions_with_point_chart
from tests.app.conftest import finish, open_section, page_path

PAGE = page_path("33_Softmax.py")
TIMEOUT = 120
#: The page's default configs (pages/33_Softmax.py BASE with the default widgets).
DEEP = TrainConfig(dataset="spiral", n_classes=3, hidden_units=(20, 10), optimizer="adam",
                   learning_rate=0.01, num_epochs=1000)
LINEAR = DEEP.replace(hidden_units=())
#: The lecture prints the worked example to 3 decimals.
LECTURE_DECIMALS = 3


def _page() -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, at.exception
    return at


def _metrics(at):
    return at.dataframe[0].value.set_index("run")


def test_worked_example_is_the_lecture_answer():
    table = sm.softmax_table(sm.WORKED_Z)
    np.testing.assert_allclose(table["a = t / Σt"], sm.WORKED_A, atol=0.5e-3)
    np.testing.assert_allclose(table["t = e^z"], np.exp(sm.WORKED_Z))
    assert table["a = t / Σt"].sum() == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("text, message", [("", "2 to 10"), ("1", "2 to 10"), ("a, 2", "not a"),
                                           ("1, nan", "between"), ("1, 99", "between"),
                                           (",".join(["1"] * 11), "2 to 10")])
def test_parse_logits_rejects_bad_text(text, message):
    with pytest.raises(ValueError, match=message):
        sm.parse_logits(text)


def test_parse_logits_accepts_spaces_and_semicolons():
    assert sm.parse_logits(" 5; 2, -1 ,3 ") == sm.WORKED_Z


def test_confusion_counts_sum_to_the_dev_set_and_match_accuracy():
    result = train(DEEP.replace(num_epochs=50))
    data = make_dataset(DEEP)
    counts = sm.confusion_counts(result, data.X_dev, data.Y_dev, 3)
    assert counts.shape == (3, 3) and counts.sum() == data.m_dev
    np.testing.assert_array_equal(counts.sum(axis=1), np.bincount(data.Y_dev.ravel().astype(int),
                                                                  minlength=3))
    assert np.trace(counts) / data.m_dev == pytest.approx(result.metrics["dev_accuracy"])


def test_regions_with_point_chart_marks_every_panel():
    panel = {"label": "a", "xs": np.linspace(-1, 1, 5), "ys": np.linspace(-1, 1, 5),
             "classes": np.zeros((5, 5)), "X": np.zeros((2, 3)), "Y": np.array([[0, 1, 2]])}
    spec = regions_with_point_chart([panel, dict(panel, label="b")], (0.2, -0.3)).to_dict()
    assert len(spec["concat"]) == 2
    for sub in spec["concat"]:
        assert sub["layer"][-1]["mark"]["shape"] == "cross"
    with pytest.raises(ValueError, match="point"):
        regions_with_point_chart([panel], (0.2, np.nan))


def test_page_renders_linear_and_hidden_side_by_side_with_engine_numbers():
    at = _page()
    table = _metrics(at)
    assert list(table.index) == ["no hidden layer", "hidden layers 20,10"]
    lin, deep = train(LINEAR), train(DEEP)
    assert table.loc["no hidden layer", "dev_accuracy"] == pytest.approx(
        lin.metrics["dev_accuracy"])
    assert table.loc["hidden layers 20,10", "dev_accuracy"] == pytest.approx(
        deep.metrics["dev_accuracy"])
    # the lesson: on the spiral, straight borders can't separate the arms; bent ones can
    assert deep.metrics["dev_accuracy"] > lin.metrics["dev_accuracy"] + 0.3
    # the worked example's table comes from nnlab.spec.activations.softmax
    open_section(at, "sm_section", "Worked example")
    example = at.dataframe[1].value
    np.testing.assert_allclose(example["a = t / Σt"],
                               activations.softmax(np.array(sm.WORKED_Z)[:, None]).ravel())
    assert np.round(example["a = t / Σt"], LECTURE_DECIMALS).tolist() == list(sm.WORKED_A)


def test_more_classes_give_more_regions_and_bars():
    at = _page()
    at.slider(key="sm_n_classes").set_value(5).run()
    assert not at.exception
    finish(at, "sm_live")
    texts = " ".join(m.value for m in at.markdown)  # a result sentence: Markdown, not caption
    assert "Predicted: **class" in texts
    result = train(DEEP.replace(n_classes=5))
    assert _metrics(at).loc["hidden layers 20,10", "train_accuracy"] == pytest.approx(
        result.metrics["train_accuracy"])
    assert any(h.value.startswith("5 classes") for h in at.header)
    # how many regions each network draws is counted, not assumed (it was "5 regions")
    data = make_dataset(DEEP.replace(n_classes=5))
    verdict = next(m.value for m in at.markdown if m.value.startswith("Dev accuracy:"))
    assert f"(of 5): no hidden layer {sm.regions(train(LINEAR.replace(n_classes=5)), data)}, " \
           f"hidden layers 20,10 {sm.regions(result, data)}." in verdict


def test_moving_the_point_changes_the_prediction():
    at = _page()
    before = [m.value for m in at.markdown if m.value.startswith("Predicted")]
    x1 = next(s for s in at.slider if s.key.startswith("sm_point_x1"))
    x2 = next(s for s in at.slider if s.key.startswith("sm_point_x2"))
    x1.set_value(1.0)
    x2.set_value(-1.0).run()
    assert not at.exception
    after = [m.value for m in at.markdown if m.value.startswith("Predicted")]
    assert len(after) == 2 and after != before
    # the page's number is the engine's: P(predicted class) at (1, -1) of the hidden network
    probs = train(DEEP).predict_proba(np.array([[1.0], [-1.0]])).ravel()
    assert f"{probs.max():.3f}" in after[1]


def test_bad_logits_and_no_hidden_layer_are_handled():
    at = open_section(_page(), "sm_section", "Worked example")
    at.text_input(key="sm_z").input("5, two").run()
    assert not at.exception
    assert any("not a number" in e.value for e in at.error)
    at.text_input(key="sm_z").input("1, 1, 1").run()
    assert np.allclose(at.dataframe[1].value["a = t / Σt"], 1 / 3)
    at.text_input(key="sm_hidden_units").input("").run()
    assert not at.exception
    assert any("Type hidden layer sizes" in i.value for i in at.info)
