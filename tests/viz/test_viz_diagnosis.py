"""Specs of the bias/variance charts."""

import numpy as np
import pytest

from nnlab.viz.diagnosis import LABEL_EDGE, error_curves_chart, error_ladder_chart


def test_error_ladder_segments_are_the_gaps():
    chart = error_ladder_chart(0.01, 0.08, 0.10)
    bars = chart.layer[0].data
    assert list(bars["part"]) == ["Bayes error", "avoidable bias", "variance"]
    np.testing.assert_allclose(bars["size"], [1.0, 7.0, 2.0])
    np.testing.assert_allclose(bars["end"], [1.0, 8.0, 10.0])
    spec = chart.to_dict()
    assert spec["layer"][0]["mark"]["type"] == "bar"


def test_error_ladder_negative_gap_is_empty_segment():
    bars = error_ladder_chart(0.10, 0.05, 0.07).layer[0].data
    row = bars[bars["part"] == "avoidable bias"].iloc[0]
    assert row["end"] == row["start"] and row["size"] == pytest.approx(-5.0)


def test_error_ladder_rejects_nan():
    with pytest.raises(ValueError, match="dev_error"):
        error_ladder_chart(0.0, 0.1, float("nan"))


def test_error_curves_in_percent_with_bayes_rule():
    chart = error_curves_chart([10, 20, np.nan], [0.0, 0.1, 0.2], [0.2, 0.15, 0.1],
                               bayes_error=0.05, log_x=False)
    lines = chart.layer[1].data
    assert len(lines) == 4  # the non-finite x is dropped: 2 points x 2 series
    assert set(lines["series"]) == {"train error", "dev error"}
    assert lines[lines["series"] == "dev error"]["error"].tolist() == pytest.approx([20, 15])
    assert chart.layer[2].data["y"].tolist() == pytest.approx([5.0])
    chart.to_dict()


def test_train_dev_curves_reject_bad_input():
    with pytest.raises(ValueError, match="equal length"):
        error_curves_chart([1, 2], [0.1], [0.1, 0.2])
    with pytest.raises(ValueError, match="positive"):
        error_curves_chart([0, 2], [0.1, 0.1], [0.1, 0.2], log_x=True)


def _ladder_texts(spec):
    return [layer for layer in spec["layer"] if layer["mark"]["type"] == "text"]


@pytest.mark.parametrize("errors", [(0.0, 0.0, 0.05), (0.01, 0.08, 0.10), (0.05, 0.05, 0.05)],
                         ids=["variance", "bias_and_variance", "all_equal"])
def test_ladder_labels_stay_inside_the_plot(errors):
    """The labels were cut at the top and "train 0%" sat on the "0.0" tick label: now a hidden
    0-1 y scale puts the bar in the middle and every label above or below it inside the plot,
    and a label at an end of the x axis is aligned inwards."""
    spec = error_ladder_chart(*errors).to_dict()
    texts = _ladder_texts(spec)
    assert len(texts) == 3
    top = spec["layer"][0]["encoding"]["x"]["scale"]["domain"][1]
    assert spec["layer"][0]["encoding"]["x"]["scale"]["nice"] is False  # no empty ticks beyond
    bar = spec["datasets"][spec["layer"][0]["data"]["name"]][0]
    for layer in texts:
        y = layer["encoding"]["y"]
        assert y["scale"]["domain"] == [0, 1] and y["axis"] is None
        (row,) = spec["datasets"][layer["data"]["name"]]
        assert 0 < row["y"] < 1
        if row["above"]:
            assert layer["mark"]["baseline"] == "bottom" and row["y"] >= bar["y2"]
        else:
            assert layer["mark"]["baseline"] == "top" and row["y"] <= bar["y"]
        where = row["error"] / top
        expected = ("left" if where < LABEL_EDGE else "right" if where > 1 - LABEL_EDGE
                    else "center")
        assert layer["mark"]["align"] == expected, (row["name"], where)
    names = [spec["datasets"][t["data"]["name"]][0]["name"] for t in texts]
    assert names == [f"Bayes {100 * errors[0]:.3g}%", f"train {100 * errors[1]:.3g}%",
                     f"dev {100 * errors[2]:.3g}%"]
