"""AppTest of the "Train/dev/test & bias/variance" page."""

import pytest

from nnlab.config import TrainConfig
from nnlab.core.train import train
from nnlab.lessons import fit_diagnosis as diagnosis
from tests.app.conftest import finish, open_section, page_path, run_page

PAGE = page_path("11_Train_dev_test.py")
#: The page's default run, built by hand (noise: the moons' default 0.2 from the slider).
DEFAULT = TrainConfig(dataset="moons", n_samples=300, noise=0.2, hidden_units=(50, 50),
                      optimizer="adam", learning_rate=0.01, num_epochs=1000)


def _pct(x):
    return f"{100 * x:.3g}%"


@pytest.fixture
def at():
    return run_page(PAGE, 120)


def _metrics(app):
    return {m.label: m.value for m in app.metric}


def _charts(app):
    return len(app.get("vega_lite_chart"))


def test_default_errors_come_from_the_engine(at):
    r = train(DEFAULT)
    shown = _metrics(at)
    for part, label in (("train", "Train error"), ("dev", "Dev error"), ("test", "Test error")):
        assert shown[label] == _pct(1 - r.metrics[f"{part}_accuracy"])
    d = diagnosis.diagnose_accuracies(r.metrics["train_accuracy"], r.metrics["dev_accuracy"])
    verdicts = [w.body for w in at.warning] + [s.body for s in at.success]
    assert any(f"Diagnosis: {d.verdict}." in v for v in verdicts)
    assert d.verdict == "high variance"  # the default shows the overfitting big network


def test_narrow_network_is_high_bias_and_bayes_moves_the_gap(at):
    at.text_input(key="tdt_hidden_units").set_value("2").run()
    assert not at.exception
    finish(at, "tdt_live")
    r = train(DEFAULT.replace(hidden_units=(2,)))
    assert _metrics(at)["Train error"] == _pct(1 - r.metrics["train_accuracy"])
    assert any("Diagnosis: high bias" in w.body for w in at.warning)
    assert any(diagnosis.BIAS_REMEDIES[0] in m.value for m in at.markdown)
    # a human-level error at the training error leaves no avoidable bias
    at.number_input(key="tdt_bayes").set_value(100 * (1 - r.metrics["train_accuracy"])).run()
    assert not any("high bias" in w.body.split(".")[0] for w in at.warning)


def test_bad_input_shows_an_error_and_keeps_the_page(at):
    at.text_input(key="tdt_hidden_units").set_value("ten").run()
    assert not at.exception
    assert any("Hidden units" in e.body for e in at.error)
    at.slider(key="tdt_train_pct").set_value(90).run()
    at.slider(key="tdt_dev_pct").set_value(30).run()
    assert not at.exception
    assert any("more than 100%" in e.body for e in at.error)
    assert _metrics(at)["Dev error"]  # still shows the (fallback) run


def test_curves_train_behind_the_checkbox(at):
    at.text_input(key="tdt_hidden_units").set_value("8").run()
    at.select_slider(key="tdt_num_epochs").set_value(100).run()
    open_section(at, "tdt_section", "Learning curves")
    before = _charts(at)
    at.checkbox(key="tdt_curves").check().run()
    assert not at.exception
    assert _charts(at) == before + 2


def test_quiz_gives_feedback(at):
    open_section(at, "tdt_section", "Quiz")
    at.radio(key="quiz_0").set_value("high variance").run()
    assert any(s.body.startswith("Right: high variance") for s in at.success)
    at.radio(key="quiz_1").set_value("high variance").run()
    assert any(e.body.startswith("Not quite: it is high bias.") for e in at.error)


def test_error_ladder_on_the_page_keeps_its_labels_inside(at):
    """The ladder's labels (Bayes, train, dev) are placed on its hidden 0-1 y scale, inside
    the plot: they were drawn above the view (cut) and on the x axis's tick labels."""
    import json

    from nnlab.viz.diagnosis import LADDER_HEIGHT
    from nnlab.viz.network import SELECTION

    def network_drawing(spec):  # the live view's drawing has a text layer too ("+40 more")
        return any(p.get("name") == SELECTION for p in spec.get("params", []))

    spec = next(s for s in (json.loads(c.proto.spec) for c in at.get("vega_lite_chart"))
                if any(layer["mark"]["type"] == "text" for layer in s.get("layer", []))
                and not network_drawing(s))
    assert spec["height"] == LADDER_HEIGHT
    texts = [layer for layer in spec["layer"] if layer["mark"]["type"] == "text"]
    assert len(texts) == 3
    assert all(t["encoding"]["y"]["scale"]["domain"] == [0, 1] for t in texts)
