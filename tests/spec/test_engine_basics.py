"""Initializers, losses, config validation, and the engine's import boundary."""

import json
import subprocess
import sys

import numpy as np
import pytest

from nnlab.config import TrainConfig
from nnlab.spec import initializers, losses


def test_course_he_and_random_weights_are_drawn_in_final_shape_in_order():
    p = initializers.initialize_parameters_he([2, 4, 1])
    rs = np.random.RandomState(3)
    np.testing.assert_array_equal(p["W1"], rs.randn(4, 2) * np.sqrt(2.0 / 2))
    np.testing.assert_array_equal(p["W2"], rs.randn(1, 4) * np.sqrt(2.0 / 4))
    assert np.all(p["b1"] == 0) and p["b1"].shape == (4, 1)
    r = initializers.initialize_parameters_random([3, 2, 1])
    np.testing.assert_array_equal(r["W1"], np.random.RandomState(3).randn(2, 3) * 10)
    z = initializers.initialize_parameters_zeros([3, 2, 1])
    assert all(np.all(v == 0) for v in z.values())


@pytest.mark.parametrize("name,std", [("xavier", np.sqrt(1 / 400)), ("he", np.sqrt(2 / 400)),
                                      ("glorot_uniform", np.sqrt(6 / 800) / np.sqrt(3)),
                                      ("he_uniform", np.sqrt(6 / 400) / np.sqrt(3))])
def test_initializer_scales(name, std):
    W = initializers.initialize_weight(name, 400, 400, np.random.default_rng(0))
    assert abs(W.std() / std - 1) < 0.02


def test_initializer_aliases_and_errors():
    assert initializers.resolve_initializer("Kaiming-Normal") == "he"
    assert initializers.resolve_initializer("lecun") == "xavier"
    with pytest.raises(ValueError, match="initializer"):
        initializers.resolve_initializer("orthogonal")
    with pytest.raises(ValueError, match=r"layer_dims\[1\]"):
        initializers.initialize_parameters([2, 0, 1], rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="layer_dims"):
        initializers.initialize_parameters([2], rng=np.random.default_rng(0))


def test_batch_norm_parameters_replace_hidden_biases():
    p = initializers.initialize_parameters([2, 3, 3, 1], rng=np.random.default_rng(0),
                                           batch_norm=True)
    assert set(p) == {"W1", "gamma1", "beta1", "W2", "gamma2", "beta2", "W3", "b3"}


def test_losses_match_hand_values():
    AL = np.array([[0.8, 0.1, 0.6]])
    Y = np.array([[1.0, 0.0, 1.0]])
    expected = -(np.log(0.8) + np.log(0.9) + np.log(0.6)) / 3
    assert losses.binary_cross_entropy(AL, Y) == pytest.approx(expected, rel=1e-14)
    Z = np.log(AL / (1 - AL))
    assert losses.binary_cross_entropy_from_logits_sum(Z, Y) / 3 == pytest.approx(expected)
    # confident and wrong: the course's form is inf, the logit form stays finite
    assert np.isinf(losses.binary_cross_entropy_sum_course(np.array([[0.0]]), np.array([[1.0]])))
    assert losses.binary_cross_entropy_from_logits_sum(np.array([[-800.0]]),
                                                       np.array([[1.0]])) == pytest.approx(800)
    Zs = np.array([[2.0, 0.0], [1.0, 0.0], [0.1, 3.0]])
    Ys = np.array([[1.0, 0.0], [0.0, 0.0], [0.0, 1.0]])
    P = np.exp(Zs) / np.exp(Zs).sum(0)
    assert losses.softmax_cross_entropy_from_logits_sum(Zs, Ys) == pytest.approx(
        -np.log(P[0, 0]) - np.log(P[2, 1]))
    params = {"W1": np.ones((2, 2)), "b1": np.ones((2, 1)) * 100, "W2": np.full((1, 2), 2.0)}
    assert losses.l2_penalty(params, 0.5, 4) == pytest.approx(0.5 / 8 * (4 + 8))
    with pytest.raises(ValueError, match="shape"):
        losses.binary_cross_entropy(AL, Y[:, :2])


def test_config_round_trips_and_is_hashable():
    c = TrainConfig(hidden_units=(4, 3), optimizer="adam", mini_batch_size=32)
    assert TrainConfig.from_dict(json.loads(c.to_json())) == c
    assert hash(c) == hash(TrainConfig(hidden_units=[4, 3], optimizer="adam", mini_batch_size=32))
    assert c.layer_dims(2) == (2, 4, 3, 1)
    assert TrainConfig(dataset="spiral", n_classes=4).layer_dims(2) == (2, 10, 5, 4)
    assert c.replace(learning_rate=0.5).learning_rate == 0.5


@pytest.mark.parametrize("field,value", [
    ("learning_rate", -0.1), ("learning_rate", 0), ("keep_prob", 0.0), ("keep_prob", 1.5),
    ("hidden_units", (3, 0)), ("mini_batch_size", 0), ("optimizer", "sgd2"),
    ("initializer", "nope"), ("num_epochs", 0), ("beta", 1.0), ("lambd", -1),
    ("fractions", (0.5, 0.6, 0.1)), ("dataset", "mnist"), ("n_classes", 11),
    ("hidden_activation", "swish"), ("patience", 0), ("learning_rate", float("nan")),
    ("batch_norm", "yes"),
])
def test_bad_config_names_the_field_and_value(field, value):
    with pytest.raises(ValueError, match=field.split("_")[0]) as err:
        TrainConfig(**{field: value})
    assert field in str(err.value)


def test_config_from_dict_rejects_unknown_fields():
    with pytest.raises(ValueError, match="unknown config field"):
        TrainConfig.from_dict({"learning_rat": 0.1})


def test_mini_batch_above_m_is_fine():
    assert TrainConfig(mini_batch_size=10_000).mini_batch_size == 10_000


def test_engine_imports_no_ui_libraries():
    code = ("import sys, nnlab, nnlab.core.train, nnlab.course, nnlab.spec.gradcheck, "
            "nnlab.data.datasets, nnlab.lessons.surfaces, nnlab.spec.weighted_averages, "
            "nnlab.spec.schedules, nnlab.spec.optimizers; "
            "bad = [m for m in ('streamlit', 'altair', 'pandas') if m in sys.modules]; "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)
