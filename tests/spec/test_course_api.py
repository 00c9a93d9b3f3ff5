"""The notebook API: the update rules written out as the course writes them, and the calls the
assignments make (positional seed, 1-D labels, print_msg, imports from ``nnlab``)."""

import copy

import numpy as np
import pytest

import nnlab
from nnlab import course
from nnlab.spec import gradcheck, losses, minibatch, model
from nnlab.spec import optimizers as opt

EXACT = 0.0  # same float operations in the same order: bit-identical
REL_TOL = 1e-12  # against decimals worked out by hand
PRINTED_TOL = 1e-10  # against a number the notebook prints with 12 significant digits


def small_problem():
    """A fixed two-parameter dict, its gradients and non-zero optimizer state."""
    params = {"W1": np.array([[1.0, -2.0], [0.5, 3.0]]), "b1": np.array([[0.25], [-1.0]])}
    grads = {"dW1": np.array([[0.1, -0.3], [0.0, 2.0]]), "db1": np.array([[-0.5], [0.2]])}
    v = {"dW1": np.array([[0.5, 0.0], [-0.1, 1.0]]), "db1": np.array([[0.0], [0.3]])}
    s = {"dW1": np.array([[0.04, 0.0], [0.01, 1.0]]), "db1": np.array([[0.09], [0.0]])}
    return params, grads, v, s


def assert_dicts_equal(got, want, rtol=EXACT):
    assert got.keys() == want.keys()
    for key in want:
        np.testing.assert_allclose(got[key], want[key], rtol=rtol, atol=0)


# ---------------------------------------------------------------------------- the rules
def test_gd_step_is_the_course_formula():
    params, grads, _, _ = small_problem()
    lr = 0.1
    new, state = opt.gd_step(params, grads, {}, lr)
    assert state == {}
    assert_dicts_equal(new, {"W1": params["W1"] - lr * grads["dW1"],
                             "b1": params["b1"] - lr * grads["db1"]})
    assert new["W1"][0, 1] == pytest.approx(-2.0 + 0.03, rel=REL_TOL)  # -2 - 0.1 * (-0.3)


def test_momentum_step_is_the_course_formula():
    params, grads, v, _ = small_problem()
    lr, beta = 0.1, 0.9
    new, state = opt.momentum_step(params, grads, {"v": v}, lr, beta=beta)
    want_v = {d: beta * v[d] + (1 - beta) * grads[d] for d in v}
    assert_dicts_equal(state["v"], want_v)
    assert_dicts_equal(new, {k: params[k] - lr * want_v["d" + k] for k in params})
    # v = 0.9 * 1.0 + 0.1 * 2.0 = 1.1; W = 3 - 0.1 * 1.1 = 2.89
    assert state["v"]["dW1"][1, 1] == pytest.approx(1.1, rel=REL_TOL)
    assert new["W1"][1, 1] == pytest.approx(2.89, rel=REL_TOL)


def test_rmsprop_step_is_the_course_formula():
    params, grads, _, s = small_problem()
    lr, beta2, eps = 0.01, 0.9, 1e-8
    new, state = opt.rmsprop_step(params, grads, {"s": s}, lr, beta2=beta2, epsilon=eps)
    want_s = {d: beta2 * s[d] + (1 - beta2) * grads[d] ** 2 for d in s}
    assert_dicts_equal(state["s"], want_s)
    assert_dicts_equal(new, {k: params[k] - lr * grads["d" + k] / (np.sqrt(want_s["d" + k]) + eps)
                             for k in params})
    # s = 0.9 * 1 + 0.1 * 4 = 1.3; W = 3 - 0.01 * 2 / (sqrt(1.3) + 1e-8)
    assert state["s"]["dW1"][1, 1] == pytest.approx(1.3, rel=REL_TOL)
    assert new["W1"][1, 1] == pytest.approx(2.9824588397677055682, rel=REL_TOL)  # 40 digits


@pytest.mark.parametrize("t", [0, 4])
def test_adam_step_is_the_course_formula(t):
    params, grads, v, s = small_problem()
    lr, beta1, beta2, eps = 0.01, 0.9, 0.999, 1e-8
    new, state = opt.adam_step(params, grads, {"v": v, "s": s, "t": t}, lr, beta1=beta1,
                               beta2=beta2, epsilon=eps)
    t = t + 1
    want_v = {d: beta1 * v[d] + (1 - beta1) * grads[d] for d in v}
    want_s = {d: beta2 * s[d] + (1 - beta2) * np.power(grads[d], 2) for d in s}
    v_corr = {d: want_v[d] / (1 - beta1 ** t) for d in v}
    s_corr = {d: want_s[d] / (1 - beta2 ** t) for d in s}
    assert state["t"] == t
    assert_dicts_equal(state["v"], want_v)
    assert_dicts_equal(state["s"], want_s)
    # epsilon outside the square root
    assert_dicts_equal(new, {k: params[k] - lr * v_corr["d" + k] / (np.sqrt(s_corr["d" + k]) + eps)
                             for k in params})


def test_adam_step_golden_first_step():
    # From zero moments, dW = 2: v = 0.1 * 2 = 0.2, s = 0.001 * 4 = 0.004, v_c = 0.2 / 0.1 = 2,
    # s_c = 0.004 / 0.001 = 4, W = 3 - 0.01 * 2 / (sqrt(4) + 1e-8) = 2.99000000005 (40 digits)
    params, grads, _, _ = small_problem()
    new, state = opt.adam_step(params, grads, opt.init_optimizer_state("adam", params), 0.01)
    assert new["W1"][1, 1] == pytest.approx(2.99000000004999999975, rel=REL_TOL)
    assert state["v"]["dW1"][1, 1] == pytest.approx(0.2, rel=REL_TOL)
    assert state["s"]["dW1"][1, 1] == pytest.approx(0.004, rel=REL_TOL)


@pytest.mark.parametrize("name", opt.OPTIMIZERS)
def test_rules_do_not_mutate_inputs(name):
    params, grads, v, s = small_problem()
    state = {"gd": {}, "momentum": {"v": v}, "rmsprop": {"s": s},
             "adam": {"v": v, "s": s, "t": 3}}[name]
    before = copy.deepcopy((params, grads, state))
    new, new_state = opt.UPDATE_RULES[name](params, grads, state, 0.05)
    for original, kept in zip(before, (params, grads, state), strict=True):
        assert original.keys() == kept.keys()
    for key in params:
        np.testing.assert_array_equal(params[key], before[0][key])
        np.testing.assert_array_equal(grads["d" + key], before[1]["d" + key])
        assert new[key] is not params[key]
    for key, table in state.items():
        if isinstance(table, dict):
            for dk in table:
                np.testing.assert_array_equal(table[dk], before[2][key][dk])
                assert new_state[key][dk] is not table[dk]
    assert state.get("t") == before[2].get("t")


def test_update_rules_names_each_rule():
    assert opt.UPDATE_RULES == {"gd": opt.gd_step, "momentum": opt.momentum_step,
                                "rmsprop": opt.rmsprop_step, "adam": opt.adam_step}
    assert tuple(opt.UPDATE_RULES) == opt.OPTIMIZERS
    assert opt.UPDATE_RULES["adam"].__name__ == "adam_step"


@pytest.mark.parametrize("name", opt.OPTIMIZERS)
def test_optimizer_step_is_the_rule(name):
    params, grads, v, s = small_problem()
    state = {"gd": {}, "momentum": {"v": v}, "rmsprop": {"s": s},
             "adam": {"v": v, "s": s, "t": 2}}[name]
    hyper = {"gd": {}, "momentum": {"beta": 0.8}, "rmsprop": {"beta2": 0.9, "epsilon": 1e-6},
             "adam": {"beta1": 0.8, "beta2": 0.99, "epsilon": 1e-6, "bias_correction": False}}
    got_p, got_s = opt.optimizer_step(name, params, grads, state, 0.05, **hyper[name])
    want_p, want_s = opt.UPDATE_RULES[name](params, grads, state, 0.05, **hyper[name])
    assert_dicts_equal(got_p, want_p)
    for key, table in want_s.items():
        if isinstance(table, dict):
            assert_dicts_equal(got_s[key], table)
        else:
            assert got_s[key] == table


@pytest.mark.parametrize(("rule", "kwargs", "arg"), [
    ("gd", {"learning_rate": -1.0}, "learning_rate"),
    ("momentum", {"beta": 1.0}, "beta"),
    ("rmsprop", {"beta2": -0.5}, "beta2"),
    ("rmsprop", {"epsilon": 0.0}, "epsilon"),
    ("adam", {"beta1": 1.2}, "beta1"),
    ("adam", {"bias_correction": 1}, "bias_correction"),
])
def test_rules_validate_and_name_the_argument(rule, kwargs, arg):
    params, grads, v, s = small_problem()
    state = {"gd": {}, "momentum": {"v": v}, "rmsprop": {"s": s},
             "adam": {"v": v, "s": s, "t": 0}}[rule]
    lr = kwargs.pop("learning_rate", 0.1)
    with pytest.raises(ValueError, match=arg):
        opt.UPDATE_RULES[rule](params, grads, state, lr, **kwargs)


def test_rules_check_their_state():
    params, grads, v, _ = small_problem()
    with pytest.raises(ValueError, match="'s'"):
        opt.rmsprop_step(params, grads, {"v": v}, 0.1)
    with pytest.raises(ValueError, match="t"):
        opt.adam_step(params, grads, {"v": v, "s": v, "t": -1}, 0.1)
    with pytest.raises(TypeError):  # a rule takes only its own hyperparameters
        opt.adam_step(params, grads, {"v": v, "s": v, "t": 0}, 0.1, beta=0.9)


# ---------------------------------------------------------------------------- imports from nnlab
COURSE_NAMES = {
    "compute_cost_with_regularization": losses, "dictionary_to_vector": gradcheck,
    "vector_to_dictionary": gradcheck, "gradients_to_vector": gradcheck,
    "initialize_rmsprop": opt, "update_parameters_with_rmsprop": opt, "gd_step": opt,
    "momentum_step": opt, "rmsprop_step": opt, "adam_step": opt,
}


def test_importable_from_nnlab():
    from nnlab import (  # the notebook's import line
        adam_step,
        compute_cost_with_regularization,
        dictionary_to_vector,
        gd_step,
        gradients_to_vector,
        initialize_rmsprop,
        momentum_step,
        rmsprop_step,
        update_parameters_with_rmsprop,
        vector_to_dictionary,
    )
    imported = [adam_step, compute_cost_with_regularization, dictionary_to_vector, gd_step,
                gradients_to_vector, initialize_rmsprop, momentum_step, rmsprop_step,
                update_parameters_with_rmsprop, vector_to_dictionary]
    assert sorted(f.__name__ for f in imported) == sorted(COURSE_NAMES)
    for function in imported:
        assert function is getattr(COURSE_NAMES[function.__name__], function.__name__)
        assert function.__name__ in nnlab.__all__
        assert function.__doc__


def test_everything_in_all_exists():
    assert all(hasattr(nnlab, name) for name in nnlab.__all__)
    assert len(set(nnlab.__all__)) == len(nnlab.__all__)


# ---------------------------------------------------------------------------- random_mini_batches
def batch_data(m=148, seed=1):
    rng = np.random.RandomState(seed)
    return rng.standard_normal((3, m)), (rng.standard_normal((1, m)) < 0.5).astype(float)


def assert_same_batches(got, want):
    assert len(got) == len(want)
    for (xb, yb), (xw, yw) in zip(got, want, strict=True):
        np.testing.assert_array_equal(xb, xw)
        np.testing.assert_array_equal(yb, yw)


def permutation_batches(X, Y, size, seed):
    """The course's partition: ``np.random.seed(seed); np.random.permutation(m)``, then slices."""
    perm = np.random.RandomState(seed).permutation(X.shape[1])
    return [(X[:, perm[k:k + size]], Y[:, perm[k:k + size]]) for k in range(0, X.shape[1], size)]


@pytest.mark.parametrize("seed", [0, 3, 10])
def test_positional_seed_is_the_course_partition(seed):
    X, Y = batch_data()
    want = permutation_batches(X, Y, 64, seed)
    assert_same_batches(nnlab.random_mini_batches(X, Y, 64, seed), want)
    assert_same_batches(nnlab.random_mini_batches(X, Y, mini_batch_size=64, seed=seed), want)
    assert_same_batches(nnlab.random_mini_batches(X, Y, 64, rng=np.random.RandomState(seed)),
                        want)
    assert [xb.shape[1] for xb, _ in want] == [64, 64, 20]


def test_course_sanity_check_with_the_default_seed():
    # The notebook's test case: np.random.seed(1); X (12288, 148); Y (1, 148) < 0.5; size 64;
    # it prints "mini batch sanity check: [ 0.90085595 -0.7612069   0.2344157 ]".
    legacy = np.random.RandomState(1)
    X = legacy.randn(12288, 148)
    Y = legacy.randn(1, 148) < 0.5
    batches = nnlab.random_mini_batches(X, Y, 64)
    assert [xb.shape for xb, _ in batches] == [(12288, 64), (12288, 64), (12288, 20)]
    assert [yb.shape for _, yb in batches] == [(1, 64), (1, 64), (1, 20)]
    np.testing.assert_allclose(batches[0][0][0][0:3], [0.90085595, -0.7612069, 0.2344157],
                               rtol=1e-7)
    assert_same_batches(batches, nnlab.random_mini_batches(X, Y, 64, 0))


def test_seed_and_rng_together_is_an_error():
    X, Y = batch_data()
    with pytest.raises(ValueError, match="seed"):
        nnlab.random_mini_batches(X, Y, 64, 0, rng=np.random.default_rng(0))


@pytest.mark.parametrize("seed", [-1, 2.5, True, "0", 2**32])
def test_bad_seed_names_seed(seed):
    X, Y = batch_data()
    with pytest.raises(ValueError, match="seed"):
        nnlab.random_mini_batches(X, Y, 64, seed)


def test_rng_keyword_calls_keep_working():
    X, Y = batch_data(m=10)
    batches = minibatch.random_mini_batches(X, Y, 4, rng=np.random.default_rng(0))
    perm = np.random.default_rng(0).permutation(10)
    np.testing.assert_array_equal(batches[0][0], X[:, perm[:4]])
    kept = minibatch.random_mini_batches(X, Y, 4, rng=np.random.default_rng(0), shuffle=False)
    np.testing.assert_array_equal(kept[0][0], X[:, :4])


def test_one_dimensional_labels_in_mini_batches():
    X, Y = batch_data()
    assert_same_batches(nnlab.random_mini_batches(X, Y[0], 64, 2),
                        nnlab.random_mini_batches(X, Y, 64, 2))


# ---------------------------------------------------------------------------- 1-D labels
def course_net():
    """The gradient-checking net of the course, its forward pass and correct gradients."""
    x, y, params = course.course_gradient_check_parameters()
    AL, caches, _ = model.forward(x, params, numerics="course")
    return x, y, params, AL, caches


def test_one_dimensional_labels_in_costs_and_backward():
    x, y, params, AL, caches = course_net()
    y1 = y.reshape(-1)
    assert y1.shape == (3,)
    assert nnlab.compute_cost(AL, caches, y1, params) == nnlab.compute_cost(AL, caches, y, params)
    assert (nnlab.compute_cost(AL, caches, y1, params, lambd=0.7, numerics="course")
            == nnlab.compute_cost(AL, caches, y, params, lambd=0.7, numerics="course"))
    assert (nnlab.compute_cost_with_regularization(AL, y1, params, 0.7)
            == nnlab.compute_cost_with_regularization(AL, y, params, 0.7))
    assert losses.binary_cross_entropy(AL, y1) == losses.binary_cross_entropy(AL, y)
    g1 = nnlab.backward(AL, y1, caches, params, lambd=0.7)
    g2 = nnlab.backward(AL, y, caches, params, lambd=0.7)
    assert_dicts_equal(g1, g2)


def test_one_dimensional_labels_in_accuracy():
    pred = np.array([[1.0, 0.0, 1.0, 1.0]])
    labels = np.array([1.0, 1.0, 1.0, 0.0])
    assert nnlab.accuracy(pred, labels) == 0.5
    assert nnlab.accuracy(pred[0], labels) == nnlab.accuracy(pred, labels[None, :]) == 0.5
    with pytest.raises(ValueError, match="shape"):  # still no silent broadcasting
        nnlab.accuracy(pred, labels[:3])


def test_one_dimensional_labels_of_the_wrong_length_still_fail():
    x, y, params, AL, caches = course_net()
    with pytest.raises(ValueError, match="Y"):
        nnlab.backward(AL, np.ones(4), caches, params)
    with pytest.raises(ValueError, match="Y"):
        nnlab.compute_cost_with_regularization(AL, np.ones(2), params, 0.1)


def test_compute_cost_with_regularization_course_test_case():
    # The notebook's test case; it prints "cost = 1.78648594516".
    legacy = np.random.RandomState(1)
    Y = np.array([[1, 1, 0, 1, 0]])
    params = {}
    for key, shape in [("W1", (2, 3)), ("b1", (2, 1)), ("W2", (3, 2)), ("b2", (3, 1)),
                       ("W3", (1, 3)), ("b3", (1, 1))]:
        params[key] = legacy.randn(*shape)
    a3 = np.array([[0.40682402, 0.01629284, 0.16722898, 0.10118111, 0.40682402]])
    cost = nnlab.compute_cost_with_regularization(a3, Y, params, lambd=0.1)
    assert cost == pytest.approx(1.78648594516, rel=PRINTED_TOL)
    assert nnlab.compute_cost_with_regularization(a3, Y[0], params, 0.1) == cost


# ---------------------------------------------------------------------------- gradient checking
def test_gradient_check_n_as_the_assignment_calls_it(capsys):
    x, y, params, AL, caches = course_net()
    good = model.backward(AL, y, caches, params)
    buggy = model.backward(AL, y, caches, params, bug="course")

    difference = nnlab.gradient_check_n(params, buggy, x, y, 1e-7, True)
    out = capsys.readouterr().out
    assert difference == pytest.approx(0.2850931567761623, rel=REL_TOL)  # the course's number
    assert "There is a mistake in the backward propagation! difference = " in out
    assert str(difference) in out

    difference = nnlab.gradient_check_n(params, good, x, y, epsilon=1e-7, print_msg=True)
    out = capsys.readouterr().out
    assert difference < gradcheck.COURSE_THRESHOLD
    assert f"Your backward propagation works perfectly fine! difference = {difference}" in out

    assert nnlab.gradient_check_n(params, good, x, y) == difference  # defaults: 1e-7, silent
    assert capsys.readouterr().out == ""
    assert nnlab.gradient_check_n(params, good, x, y.reshape(-1)) == difference  # 1-D Y
    assert nnlab.gradient_check_n(params, good, x, y, 1e-4) != difference


@pytest.mark.parametrize(("kwargs", "arg"), [({"epsilon": 0.0}, "epsilon"),
                                             ({"epsilon": "small"}, "epsilon"),
                                             ({"print_msg": "yes"}, "print_msg")])
def test_gradient_check_n_validates(kwargs, arg):
    x, y, params, AL, caches = course_net()
    grads = model.backward(AL, y, caches, params)
    with pytest.raises(ValueError, match=arg):
        nnlab.gradient_check_n(params, grads, x, y, **kwargs)


def test_dictionary_vector_round_trips_as_in_the_course():
    x, y, params, AL, caches = course_net()
    theta, keys = nnlab.dictionary_to_vector(params)
    assert theta.shape == (47, 1)
    assert [k for k, _ in keys] == ["W1", "b1", "W2", "b2", "W3", "b3"]
    np.testing.assert_array_equal(theta[:4, 0], params["W1"][0])  # row-major, W1 first
    for back in (nnlab.vector_to_dictionary(theta),  # the course's call: its fixed 3-layer net
                 nnlab.vector_to_dictionary(theta, like=params),
                 nnlab.vector_to_dictionary(theta, keys)):
        assert_dicts_equal(back, params)
        assert all(back[k] is not params[k] for k in params)

    grads = model.backward(AL, y, caches, params)
    grad = nnlab.gradients_to_vector(grads)  # the course's call, one argument
    np.testing.assert_array_equal(grad, nnlab.gradients_to_vector(grads, params))
    np.testing.assert_array_equal(grad[:4, 0], grads["dW1"][0])
    assert grad.shape == theta.shape


def test_vector_to_dictionary_other_nets_need_the_shapes():
    params = {"W1": np.ones((2, 2)), "b1": np.zeros((2, 1))}
    theta, shapes = nnlab.dictionary_to_vector(params)
    assert_dicts_equal(nnlab.vector_to_dictionary(theta, like=params), params)
    with pytest.raises(ValueError, match="like"):
        nnlab.vector_to_dictionary(theta)
    with pytest.raises(ValueError, match="not both"):
        nnlab.vector_to_dictionary(theta, shapes, like=params)
