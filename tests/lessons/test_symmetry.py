"""Symmetry breaking: constant starts keep every unit of a layer the same; He breaks it."""

import numpy as np
import pytest

from nnlab.config import TrainConfig
from nnlab.core.train import train
from nnlab.lessons import symmetry


def test_constant_parameters_and_distinct_units():
    p = symmetry.constant_parameters((2, 4, 1), 0.3)
    assert p["W1"].shape == (4, 2) and np.all(p["W1"] == 0.3) and np.all(p["b1"] == 0)
    assert symmetry.distinct_units(p["W1"]) == 1
    assert symmetry.distinct_units(np.arange(8.0).reshape(4, 2)) == 4
    with pytest.raises(ValueError, match="W"):
        symmetry.distinct_units(np.zeros(3))
    with pytest.raises(ValueError, match="value"):
        symmetry.constant_parameters((2, 4, 1), float("nan"))


def test_symmetric_starts_stay_symmetric_and_he_breaks_it():
    config = TrainConfig(dataset="circles", n_samples=100, hidden_units=(6, 4),
                         learning_rate=0.05, num_epochs=40)
    epochs = symmetry.snapshot_epochs(40, 3)
    assert epochs == (0, 20, 40)
    dims = config.layer_dims()
    _, zeros = symmetry.train_with_snapshots(
        config, epochs, parameters=symmetry.constant_parameters(dims, 0.0))
    assert all(np.all(W == 0) for W in zeros.values())  # ReLU: nothing moves
    _, const = symmetry.train_with_snapshots(
        config, epochs, parameters=symmetry.constant_parameters(dims, 0.5), key="W2")
    assert not np.allclose(const[40], const[0])  # the weights move ...
    assert all(symmetry.distinct_units(W) == 1 for W in const.values())  # ... together
    result, he = symmetry.train_with_snapshots(config, epochs)
    assert all(symmetry.distinct_units(W) == 6 for W in he.values())
    np.testing.assert_array_equal(he[40], train(config).parameters["W1"])
    assert result.metrics == train(config).metrics
    with pytest.raises(ValueError, match="epochs"):
        symmetry.train_with_snapshots(config, [41])
    with pytest.raises(ValueError, match="key"):
        symmetry.train_with_snapshots(config, [0], key="W9")
