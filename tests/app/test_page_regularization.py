"""The Regularization page, its engine helpers (nnlab.lessons.dropout_replay) and its charts."""

import numpy as np
import pytest

from nnlab import course
from nnlab.core.train import train
from nnlab.lessons.dropout_replay import dropout_masks, weight_norms, weight_values
from nnlab.spec import model
from nnlab.spec.initializers import initialize_parameters

pytest.importorskip("streamlit")

from streamlit.testing.v1 import AppTest  # noqa: E402

from nnlab.app import regularization as reg  # noqa: E402
from nnlab.viz.regularization import (  # noqa: E402
    MAX_CURVE_POINTS,
    accuracy_gap_chart,
    cost_panels_chart,
    dropout_mask_chart,
)
from tests.app.conftest import finish, open_section, page_path, run_page  # noqa: E402

PAGE = page_path("13_Regularization.py")
TIMEOUT = 120
KEEP_FRACTION_TOL = 0.03  # share of kept units vs keep_prob over 20 x 211 x 40 draws
ACC_TOL = 1e-12  # the page's accuracies are the engine's, exactly
MIN_GAP = 0.05  # unregularized train-dev gap on the default football set
GAP_CLOSED = 0.03  # L2 and dropout leave at most this train-dev gap


# ---------------------------------------------------------------- engine: dropout masks


@pytest.mark.parametrize("mode", ["fresh", "fixed"])
def test_dropout_masks_are_the_masks_forward_draws(mode):
    params = initialize_parameters((2, 6, 4, 1), "he", rng=np.random.default_rng(0))
    X = np.random.default_rng(1).standard_normal((2, 9))
    got = dropout_masks((6, 4), 9, 0.7, 4, dropout_mask=mode, seed=3, layer=2)
    rng = np.random.default_rng([3, 2])
    for step in range(4):
        if mode == "fixed":
            rng = np.random.default_rng([3, 2])
        _, caches, _ = model.forward(X, params, keep_prob=0.7, rng=rng)
        np.testing.assert_array_equal(caches[1]["dropout"][0], got[step])


def test_fixed_masks_repeat_and_fresh_masks_change():
    fixed = dropout_masks((20, 3), 211, 0.8, 40, dropout_mask="fixed")
    fresh = dropout_masks((20, 3), 211, 0.8, 40, dropout_mask="fresh")
    assert fixed.shape == fresh.shape == (40, 20, 211)
    assert all(np.array_equal(fixed[0], fixed[s]) for s in range(40))
    assert not np.array_equal(fresh[0], fresh[1])
    assert abs(fresh.mean() - 0.8) < KEEP_FRACTION_TOL
    assert dropout_masks((5,), 7, 1.0, 3).all()


@pytest.mark.parametrize("kwargs", [
    dict(hidden_units=(), m=5, keep_prob=0.5, num_steps=2),
    dict(hidden_units=(3,), m=0, keep_prob=0.5, num_steps=2),
    dict(hidden_units=(3,), m=5, keep_prob=0.0, num_steps=2),
    dict(hidden_units=(3,), m=5, keep_prob=0.5, num_steps=0),
    dict(hidden_units=(3,), m=5, keep_prob=0.5, num_steps=2, dropout_mask="course"),
    dict(hidden_units=(3,), m=5, keep_prob=0.5, num_steps=2, layer=2),
])
def test_dropout_masks_reject_bad_input(kwargs):
    with pytest.raises(ValueError):
        dropout_masks(**kwargs)


def test_weight_values_and_norms():
    params = {"W1": np.array([[3.0, 4.0]]), "b1": np.ones((1, 1)), "W2": np.array([[1.0]]),
              "b2": np.zeros((1, 1))}
    np.testing.assert_array_equal(weight_values(params), [3.0, 4.0, 1.0])
    np.testing.assert_allclose(weight_norms(params), [5.0, 1.0])
    with pytest.raises(ValueError):
        weight_norms({"b1": np.ones((1, 1))})


# ---------------------------------------------------------------- charts


def test_accuracy_gap_chart_has_two_bars_per_variant_and_the_gap():
    spec = accuracy_gap_chart({"none": (0.97, 0.87), "L2": (0.92, 0.915),
                               "broken": (np.nan, 0.5)}).to_dict()
    rows = spec["datasets"][spec["layer"][0]["data"]["name"]]
    assert len(rows) == 4  # the non-finite variant is dropped
    gaps = spec["datasets"][spec["layer"][1]["data"]["name"]]
    assert [g["gap"] for g in gaps] == ["gap +10.0 pts", "gap +0.5 pts"]
    with pytest.raises(ValueError):
        accuracy_gap_chart({"x": 0.5})
    with pytest.raises(ValueError):
        accuracy_gap_chart({})


def test_cost_panels_give_every_variant_its_own_panel_dev_cost_on_top():
    long = np.arange(3000)
    curves = {"none": {"training cost": (long, np.linspace(1, 0, 3000)),
                       "dev cost": (long[::10], np.linspace(1, 2, 300))},
              "L2": {"training cost": ([0, 1, 2], [1.0, np.nan, 0.5])}}
    spec = cost_panels_chart(curves).to_dict()
    assert spec["facet"]["field"] == "variant"
    assert spec["facet"]["sort"] == ["none", "L2"]
    layers = spec["spec"]["layer"]  # the dev cost is the last layer: drawn over the other
    assert [la["transform"][0]["filter"] for la in layers] == [
        "(datum.curve === 'training cost')", "(datum.curve === 'dev cost')"]
    rows = spec["datasets"][spec["data"]["name"]]
    by = {(v, c): [r for r in rows if r["variant"] == v and r["curve"] == c]
          for v in ("none", "L2") for c in ("training cost", "dev cost")}
    assert len(by["none", "training cost"]) == MAX_CURVE_POINTS  # thinned
    assert by["none", "training cost"][-1]["epoch"] == 2999  # the last point kept
    assert len(by["L2", "training cost"]) == 2  # the NaN dropped
    with pytest.raises(ValueError):
        cost_panels_chart({"x": {"test cost": ([0], [1])}})


def test_dropout_mask_chart_one_cell_per_step_and_unit():
    masks = {"fresh": np.ones((5, 4), bool), "fixed": np.zeros((5, 4), bool)}
    spec = dropout_mask_chart(masks).to_dict()
    rows = spec["datasets"][spec["data"]["name"]]
    assert len(rows) == 2 * 5 * 4
    assert {r["state"] for r in rows if r["panel"] == "fixed"} == {"dropped"}
    with pytest.raises(ValueError):
        dropout_mask_chart({"a": np.ones(3)})


# ---------------------------------------------------------------- the page


def _table(at, index):
    return at.dataframe[index].value.set_index("run")


@pytest.fixture(scope="module")
def page():
    return run_page(PAGE, TIMEOUT)


def test_page_renders_and_shows_the_lesson(page):
    assert not page.exception
    assert not page.error
    table = _table(page, 0)
    assert list(table.index) == ["none", "L2 λ=0.7", "keep_prob=0.86", "L2 + dropout"]
    gap = table["train_accuracy"] - table["dev_accuracy"]
    assert gap["none"] > MIN_GAP
    for label in table.index[1:]:
        assert gap[label] < GAP_CLOSED, (label, gap[label])
    open_section(page, "reg_section", "Weights")
    weights = page.dataframe[1].value.set_index("variant")
    assert weights.loc["L2 λ=0.7", "Σ W² (all layers)"] < weights.loc["none", "Σ W² (all layers)"]
    # early stopping: the stopped run keeps an earlier epoch and a better dev accuracy
    open_section(page, "reg_section", "Early stopping")
    early = _table(page, 1)
    assert early.loc["early stopping", "status"] == "stopped"
    assert early.loc["early stopping", "dev_accuracy"] > early.loc["trained to the end",
                                                                   "dev_accuracy"]


def test_early_stopping_text_and_table_count_epochs_alike(page):
    """The engine's message says "at epoch 308" (an index from 0) while the table counts 309
    epochs: the page's text gives the count the table shows and the chart's index beside it."""
    stopped = train(reg.BASE.replace(patience=reg.DEFAULT_PATIENCE))
    assert stopped.status == "stopped"
    n, last = stopped.epochs_run, int(stopped.history["epoch"][-1])
    assert last == n - 1
    open_section(page, "reg_section", "Early stopping")
    early = _table(page, 1)
    assert early.loc["early stopping", "epochs"] == n
    text = next(m.value for m in page.markdown if m.value.startswith("Early stopping ended"))
    assert f"after **{n} epochs** (at epoch {last} on the chart, which counts from 0)" in text
    assert f"parameters of epoch {stopped.best_epoch}" in text
    assert stopped.message not in text  # not the engine's "at epoch 308" alone


def test_page_numbers_come_from_the_engine(page):
    table = _table(page, 0)
    none, l2 = reg.variants(reg.BASE, course.REGULARIZATION_LAMBD,
                            course.REGULARIZATION_KEEP_PROB)[:2]
    for label, config in (none, l2):
        result = train(config)
        for col in ("train_accuracy", "dev_accuracy"):
            assert abs(table.loc[label, col] - result.metrics[col]) < ACC_TOL
    fixed = train(reg.BASE.replace(keep_prob=course.REGULARIZATION_KEEP_PROB, dropout_mask="fixed"))
    open_section(page, "reg_section", "Dropout masks")
    masks = _table(page, 1)
    assert abs(masks.loc["fixed mask (course)", "train_accuracy"]
               - fixed.metrics["train_accuracy"]) < ACC_TOL


def test_stronger_l2_shrinks_the_weights_more():
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    at.run()
    open_section(at, "reg_section", "Weights")
    before = at.dataframe[1].value.set_index("variant")["Σ W² (all layers)"].iloc[1]
    at.select_slider(key="r_lambd").set_value(3.0).run()
    assert not at.exception
    finish(at, "reg_live")
    weights = at.dataframe[1].value.set_index("variant")
    assert "L2 λ=3" in weights.index
    assert weights.loc["L2 λ=3", "Σ W² (all layers)"] < before
    result = train(reg.variants(reg.BASE, 3.0, course.REGULARIZATION_KEEP_PROB)[1][1])
    assert abs(_table(at, 0).loc["L2 λ=3", "dev_accuracy"]
               - result.metrics["dev_accuracy"]) < ACC_TOL


def test_keep_prob_one_turns_the_mask_section_off():
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    at.run()
    at.slider(key="r_keep_prob").set_value(1.0).run()
    assert not at.exception
    open_section(at, "reg_section", "Dropout masks")
    assert any("keep_prob below 1" in i.value for i in at.info)


def test_the_assignments_setting_plays_live():
    """The assignment's setting (30,000 epochs) starts the four variants at epoch 0 and plays
    them in the live view; the sections that describe them wait for the end meanwhile."""
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    at.run()
    at.checkbox(key="reg_course").check().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.button_group(key="reg_live_mode").value == "Play"
    live = _table(at, 0)
    assert (live["status"] == "running").all()
    assert (live["epochs"] < course.REGULARIZATION_SETTINGS["num_epochs"]).all()
    open_section(at, "reg_section", "Early stopping")
    assert any(i.value.startswith("Training: the early-stopping comparison") for i in at.info)
