"""Property-based tests: any config the controls can produce trains to a status, never raises."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnlab.config import OPTIMIZERS, SCHEDULES, TrainConfig
from nnlab.core.train import train
from nnlab.spec import model
from nnlab.spec.initializers import INITIALIZERS

STATUSES = {"ok", "diverged", "stopped"}
FUZZ_EXAMPLES = 60

configs = st.builds(
    TrainConfig,
    dataset=st.sampled_from(["circles", "moons", "xor", "gaussians", "football"]),
    n_samples=st.integers(20, 120),
    noise=st.one_of(st.none(), st.floats(0, 1)),
    hidden_units=st.lists(st.integers(1, 12), min_size=0, max_size=4).map(tuple),
    hidden_activation=st.sampled_from(["relu", "tanh", "sigmoid", "leaky_relu", "linear"]),
    initializer=st.sampled_from(INITIALIZERS),
    init_scale=st.one_of(st.none(), st.floats(0, 50)),
    lambd=st.floats(0, 10),
    keep_prob=st.floats(0.05, 1),
    dropout_mask=st.sampled_from(["fresh", "fixed"]),
    batch_norm=st.booleans(),
    optimizer=st.sampled_from(OPTIMIZERS),
    learning_rate=st.floats(1e-6, 1e3),
    beta=st.floats(0, 0.999),
    beta1=st.floats(0, 0.999),
    beta2=st.floats(0, 0.9999),
    bias_correction=st.booleans(),
    mini_batch_size=st.one_of(st.none(), st.integers(1, 200)),
    num_epochs=st.integers(1, 12),
    schedule=st.sampled_from(SCHEDULES),
    patience=st.one_of(st.none(), st.integers(1, 5)),
    seed=st.integers(0, 2**16),
)


@settings(max_examples=FUZZ_EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(configs)
def test_any_valid_config_trains_to_a_status(config):
    result = train(config)
    assert result.status in STATUSES
    assert result.message
    assert result.epochs_run >= 1
    assert len(result.history["cost"]) == result.epochs_run
    if result.status == "ok":
        assert all(np.all(np.isfinite(v)) for v in result.parameters.values())


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(
    st.sampled_from(["learning_rate", "keep_prob", "num_epochs", "mini_batch_size", "beta",
                     "lambd", "n_samples", "seed", "hidden_units", "optimizer"]),
    st.one_of(st.floats(allow_nan=True), st.integers(-5, 0), st.text(max_size=3),
              st.just(()), st.just((0,)), st.none()),
    min_size=1, max_size=3))
def test_invalid_configs_raise_value_error_naming_a_field(changes):
    try:
        TrainConfig(**changes)
    except ValueError as err:
        assert any(name.split("_")[0] in str(err) for name in changes)
    # some draws are valid (e.g. hidden_units=() or mini_batch_size=None): then nothing to check


@pytest.mark.parametrize("X,match", [
    (np.ones((3, 4)), "X must have shape"),
    (np.ones(4), "X must have shape"),
])
def test_forward_rejects_wrong_shapes(X, match):
    params = {"W1": np.ones((2, 2)), "b1": np.zeros((2, 1))}
    with pytest.raises(ValueError, match=match):
        model.forward(X, params)
