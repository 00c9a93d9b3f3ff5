"""Exponentially weighted averages page (AppTest) and its charts."""

import math

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from nnlab.data.datasets import make_temperatures
from nnlab.spec.weighted_averages import effective_window, exponentially_weighted_average
from nnlab.viz.averages import ewa_weights_chart, series_with_averages_chart
from tests.app.conftest import open_section, page_path

PAGE = page_path("22_Averages.py")
DISPLAY_TOL = 0.05  # the page prints temperatures to 0.1 °F


def _number(text: str) -> float:
    return float(text.split()[0].replace("−", "-"))


def _metrics(at) -> dict:
    return {m.label: m.value for m in at.metric}


def test_page_renders_and_shows_the_engine_numbers():
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.run()
    assert not at.exception
    _, theta = make_temperatures(np.random.RandomState(0))
    beta = 0.95
    plain = exponentially_weighted_average(theta, beta)
    metrics = _metrics(at)
    assert _number(metrics["Day 1 temperature θ₁"]) == pytest.approx(theta[0], abs=DISPLAY_TOL)
    assert _number(metrics["v₁ = (1 − β) θ₁"]) == pytest.approx(plain[0], abs=DISPLAY_TOL)
    assert _number(metrics["v₁ / (1 − β¹)"]) == pytest.approx(theta[0], abs=DISPLAY_TOL)
    # the start-up bias: without correction day 1 is far below the data
    assert plain[0] < 0.1 * theta[0]
    assert len(at.get("vega_lite_chart")) == 2  # the year, and the open tab's zoom
    open_section(at, "ewa_section", "How far back")
    assert _number(_metrics(at)["Your β: window 1/(1 − β)"]) == pytest.approx(20)
    assert len(at.get("vega_lite_chart")) == 2  # the year, and the open tab's weights


def test_slider_and_toggle():
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.run()
    at.slider(key="ewa_beta").set_value(0.9)
    at.toggle(key="ewa_bias_correction").set_value(True)
    at.run()
    assert not at.exception
    open_section(at, "ewa_section", "How far back")
    metrics = _metrics(at)
    assert _number(metrics["Your β: window 1/(1 − β)"]) == pytest.approx(effective_window(0.9))
    assert float(metrics[r"$\beta^{1/(1 - \beta)}$"]) == pytest.approx(0.9 ** 10, abs=1e-4)
    assert "with bias correction" in str(at.get("vega_lite_chart")[0].proto.spec)
    at.multiselect(key="ewa_betas").set_value([])
    at.slider(key="ewa_beta").set_value(0.0)
    at.run()
    assert not at.exception


def test_charts():
    day, theta = make_temperatures(np.random.RandomState(0))
    v = exponentially_weighted_average(theta, 0.9)
    spec = series_with_averages_chart(day, theta, {"a": v, "b": v}, dashed={"a": True},
                                      x_range=(1, 30)).to_dict()
    data = [d for d in spec["datasets"].values() if d and "series" in d[0]][0]
    assert max(row["x"] for row in data) == 30
    ewa_weights_chart({"β = 0.9": 0.1 * 0.9 ** np.arange(30)}, {"β = 0.9": 10}).to_dict()
    with pytest.raises(ValueError, match="x_range"):
        series_with_averages_chart(day, theta, {"a": v}, x_range=(5, 1))
    with pytest.raises(ValueError, match="windows"):
        ewa_weights_chart({"a": np.ones(3)}, {"b": 2})
    with pytest.raises(ValueError, match="positive"):
        ewa_weights_chart({"a": np.ones(3)}, {"a": -1})
    assert 0.98 ** effective_window(0.98) == pytest.approx(1 / math.e, abs=0.01)
