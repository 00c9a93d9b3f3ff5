"""nnlab.app.charts: a cached chart spec draws the same element as ``st.altair_chart``."""

import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from nnlab.app import charts


def _both_ways():
    import numpy as np
    import streamlit as st

    from nnlab import viz
    from nnlab.app.charts import chart_spec

    xs = np.linspace(-1, 1, 12)
    panel = {"label": "a", "xs": xs, "ys": xs, "probs": np.add.outer(xs, xs) / 4 + 0.5,
             "X": np.array([[0.1, -0.3], [0.2, 0.5]]), "Y": np.array([[0, 1]])}
    series = {"cost": (np.arange(5), np.array([1.0, 0.5, 0.3, 0.2, 0.1]))}
    st.altair_chart(viz.decision_boundary_chart([panel], columns=1, height=200))
    st.vega_lite_chart(chart_spec(viz.decision_boundary_chart, [panel], columns=1, height=200))
    st.altair_chart(viz.curves_chart(series, y_title="cost"), width="stretch")
    st.vega_lite_chart(chart_spec(viz.curves_chart, series, y_title="cost"), width="stretch")
    st.vega_lite_chart(chart_spec(viz.curves_chart, series, y_title="cost"), width="stretch")


def test_cached_spec_draws_what_altair_chart_draws():
    at = AppTest.from_function(_both_ways).run()
    assert not at.exception
    protos = [c.proto for c in at.get("vega_lite_chart")]
    assert len(protos) == 5
    for direct, cached in ((protos[0], protos[1]), (protos[2], protos[3]), (protos[2], protos[4])):
        # The same spec, plus the accessible text (charts.accessible_spec): a description from
        # the data and the text colours in its config.
        ours = json.loads(cached.spec)
        assert ours.pop("description").startswith("Chart: ")
        assert ours.pop("config") == charts.accessible_spec({"description": "-"})["config"]
        assert ours == json.loads(direct.spec)
        assert [(d.name, d.data.data) for d in cached.datasets] == \
               [(d.name, d.data.data) for d in direct.datasets]
        assert cached.use_container_width == direct.use_container_width
    assert at.get("vega_lite_chart")[1].proto.datasets  # the data travels as Arrow


def test_a_cache_hit_returns_a_fresh_copy():
    from nnlab import viz

    series = {"cost": (np.arange(3), np.array([1.0, 0.5, 0.3]))}
    first = charts.chart_spec(viz.curves_chart, series, y_title="cost")
    first.clear()
    assert charts.chart_spec(viz.curves_chart, series, y_title="cost")


def test_the_key_holds_the_arguments():
    from nnlab import viz

    a = charts.chart_spec(viz.curves_chart, {"c": (np.arange(3), np.array([1.0, 0.5, 0.3]))})
    b = charts.chart_spec(viz.curves_chart, {"c": (np.arange(3), np.array([1.0, 0.5, 0.2]))})
    assert a["datasets"] != b["datasets"]


def test_only_module_level_builders():
    def local_builder():
        return None

    with pytest.raises(ValueError, match="module-level"):
        charts.chart_spec(local_builder)
    assert charts.VIZ_VERSION.startswith("nnlab-viz-")


def test_result_grid_is_decision_grid_of_the_run():
    from nnlab.app import compare
    from nnlab.config import TrainConfig
    from nnlab.core.train import make_dataset, train

    config = TrainConfig(dataset="moons", hidden_units=(4,), num_epochs=20)
    result, data = train(config), make_dataset(config)
    box = compare.all_points(data)
    direct = compare.decision_grid(result.predict_proba, box, size=12)
    for _ in range(2):  # computed, then a cache hit
        cached = compare.result_grid(result, box, size=12)
        assert set(cached) == set(direct)
        for key in direct:
            np.testing.assert_array_equal(cached[key], direct[key])
    other = train(config.replace(seed=config.seed + 1))
    assert not np.array_equal(compare.result_grid(other, box, size=12)["probs"],
                              direct["probs"])
