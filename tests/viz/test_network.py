"""Tests of nnlab.viz.network: the layout, the tidy frames and the Altair drawing."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from nnlab.viz import network as nw
from tests.viz.test_viz import walk

#: size = |w| / max|w| is computed in floating point; compare to this.
SIZE_TOL = 1e-12


def random_matrices(dims, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=(dims[l], dims[l - 1])) for l in range(1, len(dims))]




# --- layout and names -------------------------------------------------------


@pytest.mark.parametrize("dims", [[2, 3, 1], [2, 12, 10, 11, 3], [2, 1]])
def test_layout_draws_at_most_max_units_per_layer(dims):
    geo = nw.layout(dims)
    pos = geo["pos"]
    assert len(pos) == sum(min(n, nw.MAX_UNITS) for n in dims)
    for l, n in enumerate(dims):
        assert sorted(i for (k, i) in pos if k == l) == list(range(min(n, nw.MAX_UNITS)))
        xs = {pos[(l, i)][0] for i in range(min(n, nw.MAX_UNITS))}
        assert len(xs) == 1  # a layer is a column
    for (_, _), (x, y) in pos.items():
        assert 0 < x < geo["width"] and 0 < y < geo["height"]
    assert geo["height"] == max(min(n, nw.MAX_UNITS) for n in dims) * nw.UNIT_GAP


def test_layout_centres_a_short_layer_and_keeps_unit_order():
    pos = nw.layout([2, 4, 1])["pos"]
    ys4 = [pos[(1, i)][1] for i in range(4)]
    assert ys4 == sorted(ys4) and np.allclose(np.diff(ys4), nw.UNIT_GAP)
    assert pos[(2, 0)][1] == pytest.approx(np.mean(ys4))
    assert pos[(0, 0)][0] < pos[(1, 0)][0] < pos[(2, 0)][0]


@pytest.mark.parametrize("l, i", [(0, 0), (3, 12), (10, 0)])
def test_parse_node_round_trips_node_id(l, i):
    assert nw.parse_node(nw.node_id(l, i)) == (l, i)


@pytest.mark.parametrize("junk", ["", "a:b", None, "1", "1:2:3", "x:1", 3, [1, 2]])
def test_parse_node_returns_none_for_junk(junk):
    assert nw.parse_node(junk) is None


def test_node_names_and_columns():
    assert nw.node_name(0, 1, 3) == "input x2"
    assert nw.node_name(2, 0, 3) == "layer 2, unit 1"
    assert nw.node_name(3, 0, 3) == "output"
    assert nw.node_name(3, 2, 3) == "output 3"
    assert nw.columns([2] * nw.MAX_LAYERS) == list(range(nw.MAX_LAYERS))
    deep = nw.columns([2] * 22)  # Vanishing gradients' default: 21 layers
    assert len(deep) == nw.MAX_LAYERS and deep.count(None) == 1
    assert deep == [0, 1, 2, 3, None, 18, 19, 20, 21]


def test_a_deep_network_draws_its_first_and_last_layers_and_counts_the_gap():
    dims = [2] + [5] * 20 + [1]
    geo = nw.layout(dims)
    layers = nw.drawn_layers(dims)
    assert layers == [0, 1, 2, 3, 18, 19, 20, 21]
    assert {l for l, _ in geo["pos"]} == set(layers)
    assert geo["width"] == (nw.MAX_LAYERS - 1) * nw.LAYER_GAP + 2 * nw.NODE
    edges, nodes, more = nw.network_frames(dims, random_matrices(dims))
    # edges only between consecutive drawn layers: 0-1, 1-2, 2-3 and 18-19, 19-20, 20-21
    assert len(edges) == 2 * 5 + 5 * 5 + 5 * 5 + 5 * 5 + 5 * 5 + 5 * 1
    gap_x = geo["gap"][0]
    assert not ((edges["x"] < gap_x) & (edges["x2"] > gap_x)).any()  # nothing crosses the gap
    assert list(more["text"]) == ["⋯ 14 layers ⋯"]
    assert len(nodes) == 2 + 5 * 6 + 1
    chart = nw.network_chart(dims, random_matrices(dims))
    assert "⋯ 14 layers ⋯" in json.dumps(chart.to_dict(), ensure_ascii=False)


# --- frames -----------------------------------------------------------------


def test_network_frames_edges_sizes_and_signs():
    dims = [2, 3, 1]
    mats = [np.array([[1.0, -2.0], [0.5, 0.0], [-4.0, 3.0]]), np.array([[2.0, -1.0, 0.25]])]
    edges, nodes, more = nw.network_frames(dims, mats)
    assert len(edges) == 2 * 3 + 3 * 1
    assert more is None
    assert len(nodes) == sum(dims)
    values = np.concatenate([M.ravel() for M in mats])  # row-major: (i, j) in frame order
    biggest = np.max(np.abs(values))
    np.testing.assert_allclose(edges["size"], np.abs(values) / biggest, atol=SIZE_TOL)
    assert edges["size"].between(0.0, 1.0).all() and edges["size"].max() == 1.0
    assert list(edges["sign"]) == ["negative" if v < 0 else "positive" for v in values]
    assert set(edges["sign"]) == {"positive", "negative"}
    assert edges["label"].iloc[1] == "weight W1[1,2] = -2"
    # every edge runs from a unit of layer l-1 to one of layer l
    pos = nw.layout(dims)["pos"]
    first = edges.iloc[0]
    assert (first["x"], first["y"]) == pos[(0, 0)] and (first["x2"], first["y2"]) == pos[(1, 0)]


def test_network_frames_nodes_carry_images_and_selection():
    dims = [2, 3, 1]
    images = {(1, 2): "data:image/png;base64,AAAA"}
    _, nodes, _ = nw.network_frames(dims, random_matrices(dims), images=images,
                                    selected=nw.node_id(1, 2), what="gradient")
    row = nodes.set_index("node").loc["1:2"]
    assert row["url"] == images[(1, 2)] and bool(row["picked"])
    assert nodes["picked"].sum() == 1
    assert (nodes.set_index("node").drop("1:2")["url"] == "").all()
    assert set(nodes["name"]) >= {"input x1", "layer 1, unit 3", "output"}
    edges, _, _ = nw.network_frames(dims, random_matrices(dims), what="gradient")
    assert edges["label"].str.startswith("gradient W").all()


def test_network_frames_wide_layer_says_how_many_more():
    dims = [2, nw.MAX_UNITS + 3, 1]
    edges, nodes, more = nw.network_frames(dims, random_matrices(dims))
    assert len(edges) == 2 * nw.MAX_UNITS + nw.MAX_UNITS * 1
    assert len(nodes) == 2 + nw.MAX_UNITS + 1
    assert more is not None and list(more["text"]) == ["+3 more"]
    assert more["y"].iloc[0] > nodes["y"].max()


def test_network_frames_all_zero_and_non_finite_weights():
    dims = [2, 2, 1]
    edges, _, _ = nw.network_frames(dims, [np.zeros((2, 2)), np.zeros((1, 2))])
    assert (edges["size"] == 0.0).all()
    edges, _, _ = nw.network_frames(dims, [np.array([[np.nan, 2.0], [1.0, np.inf]]),
                                           np.array([[-1.0, 0.5]])])
    assert edges["size"].between(0.0, 1.0).all()
    assert edges["size"].iloc[0] == 0.0


@pytest.mark.parametrize("bad, shape", [(np.zeros((2, 3)), "(2, 3)"), (np.zeros(6), "(6,)")])
def test_network_frames_wrong_shape_names_it(bad, shape):
    dims = [2, 3, 1]
    with pytest.raises(ValueError, match=re.escape(shape)) as err:
        nw.network_frames(dims, [bad, np.zeros((1, 3))])
    assert "(3, 2)" in str(err.value)  # and the shape it should have


def test_network_frames_wrong_number_of_matrices():
    with pytest.raises(ValueError, match="2 arrays"):
        nw.network_frames([2, 3, 1], [np.zeros((3, 2))])


# --- chart ------------------------------------------------------------------


def normalised(spec: dict) -> dict:
    """The spec without its data sets, data names replaced by their order of appearance."""
    spec = {k: v for k, v in spec.items() if k != "datasets"}
    text = json.dumps(spec, sort_keys=True)
    names = {}
    for name in re.findall(r"data-[0-9a-f]+", text):
        names.setdefault(name, f"data-{len(names)}")
    return json.loads(re.sub(r"data-[0-9a-f]+", lambda m: names[m.group(0)], text))


def test_network_chart_validates_and_has_the_selection():
    dims = [2, 4, 3, 1]
    spec = nw.network_chart(dims, random_matrices(dims), title="weights").to_dict()
    json.dumps(spec, allow_nan=False)
    params = [p for d in walk(spec) for p in d.get("params", [])]
    picks = [p for p in params if p.get("name") == nw.SELECTION]
    assert len(picks) == 1
    assert picks[0]["select"]["type"] == "point"
    assert picks[0]["select"]["fields"] == ["node"]
    assert spec["title"] == "weights"
    marks = [d["mark"]["type"] if isinstance(d["mark"], dict) else d["mark"]
             for d in walk(spec) if "mark" in d]
    assert {"rule", "image", "square"} <= set(marks)


def test_network_chart_spec_changes_only_in_its_data():
    dims = [2, 5, 3, 1]
    first = nw.network_chart(dims, random_matrices(dims, seed=1), selected="1:0").to_dict()
    nw.network_chart([2, 7, 1], random_matrices([2, 7, 1]))  # another chart in between
    second = nw.network_chart(dims, random_matrices(dims, seed=2), selected="2:1",
                              images={(0, 0): "data:image/png;base64,AAAA"}).to_dict()
    assert first["datasets"] != second["datasets"]
    assert normalised(first) == normalised(second)


def test_network_chart_with_a_wide_layer_adds_the_more_labels():
    dims = [2, nw.MAX_UNITS + 1, 1]
    spec = nw.network_chart(dims, random_matrices(dims)).to_dict()
    assert any("+1 more" in json.dumps(rows) for rows in spec["datasets"].values())
    marks = [d["mark"]["type"] if isinstance(d["mark"], dict) else d["mark"]
             for d in walk(spec) if "mark" in d]
    assert "text" in marks
