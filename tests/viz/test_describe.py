"""Text alternatives computed from what a chart shows (nnlab/viz/describe.py, applied to every
spec by nnlab.app.charts): they state the chart's own numbers."""

from __future__ import annotations

import numpy as np
import pytest

import nnlab.viz as viz
from nnlab.viz.describe import MAX_CHARS, describe_spec, number
from nnlab.viz.phases import phase_diagram_chart

pytest.importorskip("streamlit")
from nnlab.app.charts import _to_vega_lite, accessible, describe  # noqa: E402


def test_curves_state_where_each_curve_ends_and_its_lowest_value():
    adam = np.linspace(0.9, 0.0812, 300)
    gd = np.concatenate([np.linspace(0.9, 0.5, 200), np.linspace(0.5, 0.6123, 100)])
    spec = _to_vega_lite(viz.curves_chart({"Adam": adam, "gradient descent": gd},
                                          y_title="cost", title="Training cost"))
    text = spec["description"]
    assert text.startswith("Chart: Training cost.")
    assert "Adam: cost ends at 0.0812 at epoch 299" in text
    assert "gradient descent: cost ends at 0.6123 at epoch 299, lowest 0.5 at 199" in text


def test_bars_points_and_phases_state_their_numbers():
    bars = _to_vega_lite(viz.bar_chart({"plain": 0.912, "BN": 0.934}, y_title="test accuracy",
                                       title="accuracy"))["description"]
    assert "bars of test accuracy: plain 0.912; BN 0.934" in bars
    X = np.array([[0.0, 1.0, 2.0, 3.0], [1.0, -1.0, 0.5, 2.0]])
    pts = _to_vega_lite(viz.points_chart(X, np.array([[0, 1, 1, 1]]), title="data"))
    assert "4 points, x₁ from 0 to 3, x₂ from -1 to 2" in pts["description"]
    assert "0 1" in pts["description"] and "1 3" in pts["description"]
    labels = np.array([["fast", "fast"], ["oscillates", "diverges"]])
    phases = _to_vega_lite(phase_diagram_chart(labels, [0.1, 1.0], [0.5, 0.9], title="phases"))
    assert "4 cells by phase: fast 2; oscillates 1; diverges 1" in phases["description"]


def test_decision_boundary_states_probabilities_and_class_counts():
    xs, ys = np.linspace(-1, 1, 10), np.linspace(-1, 1, 8)
    probs = np.clip((xs[None, :] + 1) / 2 + 0 * ys[:, None], 0, 1)
    X = np.array([[0.1, -0.5, 0.7], [0.2, 0.3, -0.9]])
    panel = {"label": "He", "xs": xs, "ys": ys, "X": X, "Y": np.array([[1, 0, 1]]),
             "probs": probs}
    text = _to_vega_lite(viz.decision_boundary_chart([panel], columns=1))["description"]
    assert "He" in text
    assert f"80 cells of P(y = 1) from 0 to 1, mean {number(probs.mean())}" in text
    assert "3 points" in text


def test_a_chart_own_description_is_kept_and_text_colours_are_set():
    chart = viz.curves_chart({"a": [1.0, 0.5]}).properties(description="my words")
    spec = accessible(chart)
    assert spec["description"] == "my words"
    assert spec["config"]["axis"]["labelColor"] == "#1f2933"
    assert spec["config"]["legend"]["titleColor"] == "#1f2933"
    assert describe(spec).startswith("Chart: ")  # describe() ignores an existing description


def test_long_descriptions_are_cut_and_empty_charts_say_so():
    many = {f"run {i}": np.linspace(1, 0.1 * (i + 1), 50) for i in range(40)}
    text = _to_vega_lite(viz.curves_chart(many, title="many"))["description"]
    assert len(text) <= MAX_CHARS and "and 32 more" in text
    assert describe_spec({"title": "t", "mark": "line"}, {}) == "Chart: t. (no data drawn)."


def test_a_spec_the_describer_cannot_read_still_gets_its_title():
    from nnlab.app.charts import accessible_spec

    spec = accessible_spec({"title": "odd", "layer": 5, "datasets": {"x": b"not arrow"}})
    assert spec["description"] == "Chart: odd."
