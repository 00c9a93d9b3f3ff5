"""The "Batch norm" page: BN trains where plain breaks, tiny test batches, gamma/beta."""

import json

import numpy as np
import pytest

pytest.importorskip("streamlit")

from streamlit.testing.v1 import AppTest  # noqa: E402

from nnlab.app import batchnorm_page as bnp  # noqa: E402
from nnlab.core.train import make_dataset, train  # noqa: E402
from nnlab.viz.batchnorm import snapshot_histograms_chart  # noqa: E402
from tests.app.conftest import open_section, page_path  # noqa: E402

PAGE = page_path("32_Batch_norm.py")
TIMEOUT = 120
ACC_TOL = 1e-12
#: How much better BN must be than plain at the largest default rate.
LESSON_MARGIN = 0.2


def _page():
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    at.run()
    assert not at.exception
    return at


def test_bn_trains_at_a_rate_that_breaks_the_plain_network():
    at = _page()
    table = at.dataframe[0].value
    top = table[table["α"] == max(bnp.DEFAULT_RATES)].iloc[0]
    assert top["BN dev acc."] - top["plain dev acc."] > LESSON_MARGIN
    # the numbers are the engine's
    config = bnp.BASE.replace(learning_rate=max(bnp.DEFAULT_RATES), batch_norm=True)
    assert abs(train(config).metrics["dev_accuracy"] - top["BN dev acc."]) < ACC_TOL
    plain = train(config.replace(batch_norm=False))
    assert abs(plain.metrics["dev_accuracy"] - top["plain dev acc."]) < ACC_TOL


def test_tiny_test_batches_collapse_and_momentum_matters():
    at = open_section(_page(), "bn_section", "Test time")
    tt = at.dataframe[-1].value
    running = tt["test accuracy"].iloc[0]
    batch_of_one = tt["test accuracy"].iloc[1]
    assert running > batch_of_one + LESSON_MARGIN
    at.select_slider(key="bn_momentum").set_value(0.999).run()
    assert not at.exception
    stale = at.dataframe[-1].value["test accuracy"].iloc[0]
    assert stale < running  # running averages that remember the first mini-batches


def test_batch_of_one_predicts_one_class():
    config = bnp.BASE.replace(learning_rate=1.0, batch_norm=True, num_epochs=20)
    result, data = train(config), make_dataset(config)
    acc = bnp.tiny_batch_accuracy(result, data.X_test, data.Y_test, 1)
    share = float(np.mean(data.Y_test))
    assert min(abs(acc - share), abs(acc - (1 - share))) < ACC_TOL
    whole = bnp.tiny_batch_accuracy(result, data.X_test, data.Y_test, data.X_test.shape[1])
    assert whole > acc
    with pytest.raises(ValueError, match="batch_size"):
        bnp.tiny_batch_accuracy(result, data.X_test, data.Y_test, 0)


def test_preactivations_of_a_bn_layer_have_mean_beta_and_std_gamma():
    config = bnp.BASE.replace(learning_rate=1.0, batch_norm=True, num_epochs=10)
    result, data = train(config), make_dataset(config)
    Z = bnp.preactivations(config, result.parameters, data.X_train, 2)
    assert np.allclose(Z.mean(axis=1, keepdims=True), result.parameters["beta2"], atol=1e-9)
    # std is |gamma| * sqrt(var / (var + eps)), |gamma| up to eps
    assert np.allclose(Z.std(axis=1, keepdims=True), np.abs(result.parameters["gamma2"]),
                       rtol=1e-3)
    with pytest.raises(ValueError, match="layer"):
        bnp.preactivations(config, result.parameters, data.X_train, 6)


def test_layer_slider_and_rates_change_the_view():
    at = _page()
    at.multiselect(key="bn_rates").set_value([0.1, 10.0]).run()
    assert not at.exception
    assert list(at.dataframe[0].value["α"]) == [0.1, 10.0]
    open_section(at, "bn_section", "γ and β")
    at.slider(key="bn_layer").set_value(1).run()
    assert not at.exception
    assert any("layer 1" in h.value for h in at.header)


def test_snapshot_histograms_chart_shares_and_checks():
    chart = snapshot_histograms_chart({"a": np.arange(10.0), "b": [np.nan, 1.0, 2.0]}, bins=5)
    rows = chart.to_dict()["data"]["values"] if "values" in chart.to_dict().get("data", {}) \
        else next(iter(chart.to_dict()["datasets"].values()))
    a_share = sum(r["share"] for r in rows if r["snapshot"] == "a")
    assert abs(a_share - 1.0) < ACC_TOL
    assert {r["dropped"] for r in rows if r["snapshot"] == "b"} == {1}
    with pytest.raises(ValueError, match="bins"):
        snapshot_histograms_chart({"a": [1.0]}, bins=0)


def test_snapshot_histograms_are_stacked_panels_that_can_stretch():
    """A facet can't be sized to its column (Streamlit draws it at its fixed size: the grids
    overflowed their half-page columns); a vconcat of single views is stretched by Streamlit
    to the column's width, panel by panel."""
    labels = ["initial", "after epoch 10", "after epoch 100"]
    rng = np.random.default_rng(0)
    spec = snapshot_histograms_chart({k: rng.standard_normal(200) * (i + 1)
                                      for i, k in enumerate(labels)}, title="t").to_dict()
    assert "facet" not in spec and len(spec["vconcat"]) == len(labels)
    panels = spec["vconcat"]
    assert [p["title"]["text"] for p in panels] == labels
    for i, panel in enumerate(panels):
        assert "mark" in panel  # a single view: Streamlit sets its width to the column's
        x = panel["encoding"]["x"]
        assert x["scale"]["domain"] == panels[0]["encoding"]["x"]["scale"]["domain"]
        assert panel["encoding"]["y"]["scale"] == panels[0]["encoding"]["y"]["scale"]
        last = i == len(panels) - 1
        assert x.get("axis", {}).get("labels", True) is last  # tick labels once, at the bottom


def test_page_histograms_and_table_fit():
    at = open_section(_page(), "bn_section", "Pre-activations")
    grids = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    grids = [g for g in grids if "vconcat" in g]
    assert len(grids) == 2  # plain and BN, each a stack of snapshot panels
    assert all("facet" not in g for g in grids)
    table = at.dataframe[0]
    assert table.value["plain final cost"].dtype.kind == "f"  # ordinary costs stay numbers
