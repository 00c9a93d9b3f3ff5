"""Mini-batches: the course's partition, sizes, purity, validation."""

import math

import numpy as np
import pytest

from nnlab.spec import minibatch as mb


def course_random_mini_batches(X, Y, mini_batch_size, seed):
    """A literal re-implementation of the course's function (global seed replaced by a
    RandomState, which is what np.random.seed seeds)."""
    legacy = np.random.RandomState(seed)
    m = X.shape[1]
    mini_batches = []
    permutation = list(legacy.permutation(m))
    shuffled_X = X[:, permutation]
    shuffled_Y = Y[:, permutation].reshape((Y.shape[0], m))
    num_complete_minibatches = math.floor(m / mini_batch_size)
    for k in range(0, num_complete_minibatches):
        mini_batch_X = shuffled_X[:, k * mini_batch_size:(k + 1) * mini_batch_size]
        mini_batch_Y = shuffled_Y[:, k * mini_batch_size:(k + 1) * mini_batch_size]
        mini_batches.append((mini_batch_X, mini_batch_Y))
    if m % mini_batch_size != 0:
        mini_batch_X = shuffled_X[:, num_complete_minibatches * mini_batch_size:m]
        mini_batch_Y = shuffled_Y[:, num_complete_minibatches * mini_batch_size:m]
        mini_batches.append((mini_batch_X, mini_batch_Y))
    return mini_batches


def data(n_x=2, m=300, classes=1, seed=0):
    rng = np.random.RandomState(seed)
    return rng.standard_normal((n_x, m)), rng.standard_normal((classes, m))


@pytest.mark.parametrize(("m", "size", "seed", "classes"), [
    (300, 64, 0, 1), (300, 64, 9, 1), (148, 64, 1, 3), (10, 3, 5, 2), (64, 64, 2, 1),
])
def test_course_parity(m, size, seed, classes):
    X, Y = data(m=m, classes=classes)
    ours = mb.random_mini_batches(X, Y, size, rng=np.random.RandomState(seed))
    theirs = course_random_mini_batches(X, Y, size, seed)
    assert len(ours) == len(theirs)
    for (xb, yb), (xc, yc) in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(xb, xc)
        np.testing.assert_array_equal(yb, yc)


def test_course_sizes_300_by_64():
    X, Y = data()
    batches = mb.random_mini_batches(X, Y, 64, rng=np.random.default_rng(0))
    sizes = [xb.shape[1] for xb, _ in batches]
    assert sizes == [64, 64, 64, 64, 44]  # the last smaller mini-batch is kept
    assert mb.num_mini_batches(300, 64) == 5


def test_stochastic_and_batch_extremes():
    X, Y = data(m=7)
    assert len(mb.random_mini_batches(X, Y, 1, rng=np.random.default_rng(1))) == 7
    (xb, yb), = mb.random_mini_batches(X, Y, 100, rng=np.random.default_rng(1))
    assert xb.shape == (2, 7) and yb.shape == (1, 7)
    assert mb.num_mini_batches(7, 7) == 1 and mb.num_mini_batches(7, 100) == 1


def test_partition_covers_every_example_once():
    idx = mb.mini_batch_indices(103, 10, rng=np.random.default_rng(3))
    assert [len(i) for i in idx] == [10] * 10 + [3]
    np.testing.assert_array_equal(np.sort(np.concatenate(idx)), np.arange(103))


def test_no_shuffle_keeps_order_and_draws_nothing():
    X, Y = data(m=10)

    class NoDraw:
        def permutation(self, m):
            raise AssertionError("drew from rng")

    batches = mb.random_mini_batches(X, Y, 4, rng=NoDraw(), shuffle=False)
    np.testing.assert_array_equal(np.concatenate([xb for xb, _ in batches], axis=1), X)


def test_pure_and_new_arrays():
    X, Y = data(m=20)
    X0, Y0 = X.copy(), Y.copy()
    batches = mb.random_mini_batches(X, Y, 8, rng=np.random.default_rng(0), shuffle=False)
    batches[0][0][:] = 99.0
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(Y, Y0)


@pytest.mark.parametrize("size", [0, -3, 2.5, True, "64"])
def test_bad_size(size):
    X, Y = data(m=10)
    with pytest.raises(ValueError, match="mini_batch_size"):
        mb.random_mini_batches(X, Y, size, rng=np.random.default_rng(0))


def test_bad_shapes():
    X, Y = data(m=10)
    with pytest.raises(ValueError, match="Y"):
        mb.random_mini_batches(X, Y[:, :9], 4, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="Y"):  # 1-D labels are read as (1, m): wrong m
        mb.random_mini_batches(X, Y[0, :9], 4, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="Y"):
        mb.random_mini_batches(X, Y[None], 4, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="X"):
        mb.random_mini_batches(X[0], Y, 4, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="m"):
        mb.num_mini_batches(0, 4)
