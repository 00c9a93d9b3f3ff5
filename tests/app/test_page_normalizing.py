"""AppTest of pages/15_Normalizing_inputs.py."""


import numpy as np
import pytest

from nnlab.app.normalizing import LMAX, LMIN
from nnlab.config import TrainConfig
from nnlab.core.train import train
from nnlab.lessons import input_scaling as inputs
from nnlab.spec import model
from tests.app.conftest import open_section, page_path, run_page

PAGE = page_path("15_Normalizing_inputs.py")
REL = 1e-9


def _frame(at, column):
    return next(df.value for df in at.dataframe if column in df.value.columns)


def _scaled(config, scale):
    from nnlab.app.normalizing import scaled_data

    return scaled_data(config, scale)


@pytest.fixture
def at():
    return run_page(PAGE, 120)


def test_renders_and_shows_engine_numbers(at):
    scale = at.select_slider(key="n_scale").value
    base = TrainConfig(dataset="xor", hidden_units=(10, 5), learning_rate=0.3, num_epochs=300)
    # the surface table: 2 / lambda_max of each case
    table = _frame(at, f"{LMAX} / {LMIN}").set_index("inputs")
    for case, normalize in (("unnormalized", False), ("normalized", True)):
        X = _scaled(base.replace(normalize=normalize), scale).X_train
        assert table.loc[case, f"largest stable α = 2 / {LMAX}"] == pytest.approx(
            inputs.max_stable_learning_rate(X), rel=REL)
    kappa = table[f"{LMAX} / {LMIN}"]
    assert kappa["unnormalized"] > 50 * kappa["normalized"]
    # the networks: recompute both runs with the engine
    open_section(at, "n_section", "Network and dev set")
    metrics = _frame(at, "train_accuracy").set_index("run")
    for label, normalize in ((f"raw (x₂ × {scale})", False), ("normalized", True)):
        config = base.replace(normalize=normalize)
        result = train(config, data=_scaled(config, scale))
        assert metrics.loc[label, "final_cost"] == pytest.approx(result.final_cost, rel=REL)
        assert metrics.loc[label, "dev_accuracy"] == pytest.approx(
            result.metrics["dev_accuracy"], rel=REL)
    assert metrics.loc["normalized", "final_cost"] < metrics.loc[f"raw (x₂ × {scale})",
                                                                 "final_cost"]
    # dev normalized with training statistics beats raw dev inputs
    dev = _frame(at, "dev accuracy")["dev accuracy"].to_numpy()
    assert dev[0] > dev[2]


def test_scale_one_makes_both_cases_alike(at):
    at.select_slider(key="n_scale").set_value(1).run()
    assert not at.exception
    kappa = _frame(at, f"{LMAX} / {LMIN}").set_index("inputs")[f"{LMAX} / {LMIN}"]
    assert kappa["unnormalized"] < 1.1 and kappa["normalized"] < 1.1


def test_shifted_dev_set_hurts_own_statistics(at):
    """The default dev set is the shifted one: there the wrong recipe shows (issue 13; on the
    whole split both recipes scored 1.000 and the lesson showed nothing)."""
    open_section(at, "n_section", "Network and dev set")
    assert at.radio(key="n_dev").value.startswith("shifted")
    frame = _frame(at, "dev accuracy")
    right, own, raw = frame["dev accuracy"].to_numpy()
    assert frame["dev examples"].iloc[0] == 18
    assert right > own and right > raw
    # recompute the "right" accuracy with the engine
    base = TrainConfig(dataset="xor", hidden_units=(10, 5), learning_rate=0.3, num_epochs=300,
                       normalize=True)
    scale = at.select_slider(key="n_scale").value
    data = _scaled(base, scale)
    result = train(base, data=data)
    raw_dev = _scaled(base.replace(normalize=False), scale)
    Xs, Ys = inputs.shifted_subset(raw_dev.X_dev, raw_dev.Y_dev, 0.3)
    Xp = inputs.normalize_dev(Xs, data.mu, data.sigma2, "train")
    assert right == pytest.approx(model.accuracy(result.predict(Xp), Ys), rel=REL)
    assert np.isfinite(own)
