"""The Vanishing & exploding gradients page and its glue (nnlab.app.vanishing)."""

import numpy as np
import pytest

from nnlab.core.train import make_dataset, train
from nnlab.lessons import layer_stats as diagnostics

pytest.importorskip("streamlit")

from streamlit.testing.v1 import AppTest  # noqa: E402

from nnlab.app import vanishing as van  # noqa: E402
from tests.app.conftest import open_section, page_path, run_page  # noqa: E402

PAGE = page_path("14_Vanishing_gradients.py")
TIMEOUT = 120
REL_TOL = 1e-9  # the page's statistics are the engine's
HE_STEADY = 10.0  # He + ReLU: the last hidden layer's spread within this factor of the first
VANISHED = 1e-10  # weights x0.01: the last hidden layer's spread is below this
EXPLODED = 1e6  # weights x1 (width 32): the last hidden layer's spread is above this
ACC_TOL = 1e-12


def test_labels():
    assert van.init_label("random", 0.01) == "random ×0.01"
    assert van.init_label("random", None) == "random ×10"
    assert van.init_label("he", None) == "He"
    assert van.init_label("he", 0.5) == "He ×0.5"
    assert van.distinct(["He", "He", "Xavier", "He"]) == ["He", "He (2)", "Xavier", "He (3)"]


def test_snapshot_starts_from_the_parameters_train_starts_from():
    config = van.BASE.replace(hidden_units=(8, 8), num_epochs=1, learning_rate=1e-12)
    data = make_dataset(config)
    params = van.initial_parameters(config, data.n_x)
    trained = train(config).parameters  # one step with a negligible rate
    for key, value in params.items():
        np.testing.assert_allclose(trained[key], value, rtol=1e-9, atol=1e-12)


@pytest.fixture(scope="module")
def page():
    return run_page(PAGE, TIMEOUT)


#: The tables of the page, in order: the live runs' metrics, then the open section's (the
#: statistics at initialization, the first section, or after training).
METRICS_TABLE = 0
INIT_TABLE = 1


def _rows(at, index):
    return at.dataframe[index].value.set_index(at.dataframe[index].value.columns[0])


def test_page_renders_and_shows_the_lesson(page):
    assert not page.exception
    assert not page.error
    open_section(page, "van_section", "Linear chain")
    chain = [m.value for m in page.metric if m.label != "Epoch"]  # Epoch: the live toolbar's
    assert chain == [f"{1.5 ** 30:.3g}", "1", f"{0.5 ** 30:.3g}"]
    open_section(page, "van_section", "At initialization")
    init = _rows(page, INIT_TABLE)
    assert list(init.index) == ["random ×0.01", "random ×1", "Xavier", "He"]
    first, last = init["std a[1]"], init["std a[20]"]
    assert 1 / HE_STEADY < last["He"] / first["He"] < HE_STEADY
    assert last["random ×0.01"] < VANISHED
    assert last["random ×1"] > EXPLODED
    trained = _rows(page, METRICS_TABLE)
    assert trained.loc["random ×1", "status"] == "diverged"
    assert trained.loc["He", "train_accuracy"] > trained.loc["random ×0.01", "train_accuracy"]


def test_page_numbers_come_from_the_engine(page):
    open_section(page, "van_section", "At initialization")
    init = _rows(page, INIT_TABLE)
    config = van.BASE.replace(initializer="he", init_scale=None)
    data = make_dataset(config)
    snap = diagnostics.network_snapshot(data.X_train, data.Y_train,
                                        van.initial_parameters(config, data.n_x))
    np.testing.assert_allclose(init.loc["He", "‖dW1‖"], snap["grad_norm"][0], rtol=REL_TOL)
    np.testing.assert_allclose(init.loc["He", "std a[20]"], snap["a_std"][19], rtol=REL_TOL)
    result = train(config)
    trained = _rows(page, METRICS_TABLE)
    assert abs(trained.loc["He", "dev_accuracy"] - result.metrics["dev_accuracy"]) < ACC_TOL


def test_deeper_sigmoid_network_vanishes():
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    at.run()
    at.slider(key="depth").set_value(30)
    at.selectbox(key="activation").set_value("sigmoid")
    at.select_slider(key="t_epochs").set_value(20).run()
    assert not at.exception
    init = _rows(at, INIT_TABLE)
    ratio = init["‖dW1‖ / ‖dW31‖"]
    assert ratio["Xavier"] < 1e-6 and ratio["He"] < 1e-6  # sigmoid: the first layers starve


def test_linear_depth_slider_moves_the_powers():
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    at.run()
    open_section(at, "van_section", "Linear chain")
    at.slider(key="linear_depth").set_value(50).run()
    assert not at.exception
    chain = [m for m in at.metric if m.label != "Epoch"]  # Epoch: the live toolbar's
    assert chain[0].value == f"{1.5 ** 50:.3g}"
    assert chain[2].value == f"{0.5 ** 50:.3g}"


def test_grid_safe_formats_what_the_grid_cannot():
    """The grid shows a float of magnitude >= 2**53 as an error cell with all its digits,
    whatever the column's format: such a column becomes right-aligned text, formatted here."""
    import pandas as pd
    import streamlit as st

    from nnlab.app.compare import MAX_GRID_NUMBER, grid_safe

    config = {"cost": st.column_config.NumberColumn("final cost", format="%.4g", help="h"),
              "acc": st.column_config.NumberColumn("acc.", format="%.3f")}
    frame = pd.DataFrame({"run": ["a", "b", "c"], "cost": [0.69114, 2.759738602962583e192,
                                                           np.nan], "acc": [0.5, 0.25, 1.0]})
    out = grid_safe(frame, config)
    assert list(out["data"]["cost"][:2]) == ["0.6911", "2.76e+192"]
    assert pd.isna(out["data"]["cost"][2])  # missing stays missing
    assert out["column_config"]["cost"]["type_config"]["type"] == "text"
    assert out["column_config"]["cost"]["label"] == "final cost"
    assert out["column_config"]["cost"]["help"] == "h"
    assert out["column_config"]["cost"]["alignment"] == "right"
    assert out["data"]["acc"].dtype.kind == "f" and out["column_config"]["acc"] is config["acc"]
    assert frame["cost"].dtype.kind == "f"  # the caller's frame is left alone
    # an ordinary table is passed through as numbers
    small = grid_safe(frame.assign(cost=[0.1, MAX_GRID_NUMBER / 2, 0.3]), config)
    assert small["data"]["cost"].dtype.kind == "f" and small["column_config"] == config


def test_diverged_cost_is_formatted_and_called_the_last_finite_one(page):
    """random ×1 diverges: its last finite cost (about 1e192) used to show as all its digits."""
    trained = _rows(page, METRICS_TABLE)
    result = train(van.BASE.replace(initializer="random", init_scale=1.0))
    assert result.status == "diverged"
    assert trained.loc["random ×1", "final_cost"] == f"{result.final_cost:.4g}"
    assert "e+" in trained.loc["random ×1", "final_cost"]
    assert trained.loc["He", "final_cost"] == f"{train(van.BASE).final_cost:.4g}"
    warning = next(w.value for w in page.warning if "Diverged" in w.value)
    assert "last finite" in warning
    # its (grey, all-NaN) boundary panel says so in its heading, with the table's epoch count
    epochs = trained.loc["random ×1", "epochs"]
    assert any(m.value == f"**random ×1** · diverged after {epochs} epochs" for m in page.markdown)
