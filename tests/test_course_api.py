"""The notebook API: the update rules written out as the course writes them, and the calls the
assignments make (positional seed, 1-D labels, print_msg, imports from ``nnlab``)."""

import copy

import numpy as np
import pytest

from nnlab import optimizers as opt

EXACT = 0.0  # same float operations in the same order: bit-identical
REL_TOL = 1e-12  # against decimals worked out by hand


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
