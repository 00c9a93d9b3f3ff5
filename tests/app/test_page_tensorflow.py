"""AppTest of the TensorFlow page, with TensorFlow available and with it made unavailable."""

import importlib.util
import subprocess
import sys

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from nnlab.config import TrainConfig
from nnlab.core.train import train
from nnlab.tf import bridge as tf_bridge
from nnlab.tf import parity as tf_parity
from tests.app.conftest import page_path

PAGE = page_path("34_TensorFlow.py")
TIMEOUT = 180
HAS_TF = importlib.util.find_spec("tensorflow") is not None
#: The page's default config (pages/34_TensorFlow.py BASE, default widgets).
DEFAULT = TrainConfig(dataset="moons", hidden_units=(10, 5), optimizer="adam",
                      learning_rate=0.01, mini_batch_size=64, num_epochs=50)


def _page(monkeypatch=None, available=None) -> AppTest:
    if monkeypatch is not None and available is not None:
        monkeypatch.setattr(tf_bridge, "tensorflow_available", lambda: available)
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, at.exception
    return at


def _all_code(at) -> str:
    return "\n".join(c.value for c in at.code)


def test_page_without_tensorflow_shows_code_and_how_to_install(monkeypatch):
    at = _page(monkeypatch, available=False)
    assert not [b for b in at.button if b.key == "tf_run"]
    assert any("pip install tensorflow-cpu" in i.value for i in at.info)
    code = _all_code(at)
    assert "tf.GradientTape()" in code and "tf.keras.Sequential" in code
    assert "optimizer='adam'" in code or "optimizer = tf.keras.optimizers.Adam" in code
    # changing the optimizer regenerates the code
    at.selectbox(key="tf_optimizer").set_value("momentum").run()
    assert not at.exception
    assert "tf.keras.optimizers.SGD(learning_rate=" in _all_code(at)
    assert "momentum=np.float64(0.9)" in _all_code(at)


def test_first_render_does_not_import_tensorflow():
    # In a fresh interpreter: other tests in this process may have imported TensorFlow.
    code = (
        "import sys\n"
        "from streamlit.testing.v1 import AppTest\n"
        "from nnlab.tf import bridge as tf_bridge\n"
        "tf_bridge.tensorflow_available = lambda: True\n"
        f"at = AppTest.from_file({PAGE!r}, default_timeout={TIMEOUT}).run()\n"
        "assert not at.exception, at.exception\n"
        "assert 'tensorflow' not in sys.modules, 'the first render imported tensorflow'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=TIMEOUT)


def test_unsupported_optimizer_is_an_error_not_a_crash(monkeypatch):
    at = _page(monkeypatch, available=False)
    at.text_input(key="tf_hidden_units").input("abc").run()
    assert not at.exception
    assert at.error  # bad hidden units: st.error, defaults kept
    assert "Z3 = forward_propagation" in _all_code(at)


@pytest.mark.skipif(not HAS_TF, reason="tensorflow is not installed (pip install "
                    "tensorflow-cpu)")
def test_live_run_traces_the_same_cost_curve(monkeypatch):
    at = _page(monkeypatch, available=True)
    at.selectbox(key="tf_dataset").set_value("moons")
    at.select_slider(key="tf_num_epochs").set_value(10).run()
    assert not at.exception
    assert not at.metric  # nothing measured before the button
    at.button(key="tf_run").click().run()
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert float(metrics["Largest cost difference"]) <= tf_parity.PARITY_TOLERANCE
    assert float(metrics["Largest parameter difference"]) <= tf_parity.PARITY_TOLERANCE
    assert metrics["Gradient steps"] == str(10 * 3)  # 180 training examples, batches of 64
    assert any("Same cost curve" in s.value for s in at.success)
    # the numbers come from the engine: the page's run equals nnlab.core.train on the same config
    parity = at.session_state["tf_page_runs"][(DEFAULT.replace(num_epochs=10), True)]
    expected = train(DEFAULT.replace(num_epochs=10)).history["cost"]
    np.testing.assert_array_equal(parity.nnlab_cost, expected)
    # the run stays on screen on the next rerun (no new click)
    at.run()
    assert any("Same cost curve" in s.value for s in at.success)
    # Keras as written: close, not exact, and the page says why
    at.toggle(key="tf_exact").set_value(False).run()
    at.button(key="tf_run").click().run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert float(metrics["Largest cost difference"]) > tf_parity.PARITY_TOLERANCE
    assert any("epsilon hat" in i.value for i in at.info)
    assert any("Same cost curve" in s.value for s in at.success)  # within the looser tolerance


def test_training_with_tensorflow_is_budgeted(monkeypatch):
    """The TensorFlow run had no budget (about 1.5 ms a step: 90,000 steps took 130-160 s):
    both runs' estimates are required before anything trains."""
    from nnlab.app import tensorflow_page as tp

    long = DEFAULT.replace(num_epochs=2000, mini_batch_size=1)
    assert tp.tf_seconds(long, 180) > 100 * tp.tf_seconds(DEFAULT, 180)
    monkeypatch.setenv("NNLAB_MAX_SECONDS", str(tp.tf_seconds(DEFAULT, 180) / 2))
    at = _page(monkeypatch, available=True)
    at.selectbox(key="tf_dataset").set_value("moons").run()
    at.button(key="tf_run").click().run()
    assert not at.exception, at.exception
    assert any("Training with nnlab and TensorFlow needs about" in e.value for e in at.error), (
        [e.value for e in at.error])
    assert not at.metric  # nothing was trained
