"""Optimizers: golden values worked out by hand, purity, course entry points, validation."""

import copy

import numpy as np
import pytest

from nnlab.spec import optimizers as opt

REL_TOL = 1e-12  # plain float arithmetic, a few roundings apart
ABS_TOL = 1e-15


def scalar(value):
    return {"W": np.array([[value]])}


def run(name, w0, gradients, learning_rate, **hyper):
    params = scalar(w0)
    state = opt.init_optimizer_state(name, params)
    for g in gradients:
        params, state = opt.optimizer_step(name, params, {"dW": np.array([[g]])}, state,
                                           learning_rate, **hyper)
    return params["W"].item(), state


def random_problem(seed=1):
    rng = np.random.RandomState(seed)
    params = {"W1": rng.standard_normal((3, 2)), "b1": rng.standard_normal((3, 1)),
              "W2": rng.standard_normal((1, 3)), "b2": rng.standard_normal((1, 1))}
    grads = {"d" + k: rng.standard_normal(v.shape) for k, v in params.items()}
    return params, grads


def test_gd_golden():
    w, state = run("gd", 1.0, [0.5, -0.25], 0.1)
    assert w == pytest.approx(1.0 - 0.05 + 0.025, rel=REL_TOL)
    assert state == {}


def test_momentum_golden():
    # v1 = 0.1 * 1 = 0.1, W1 = 1 - 0.1 * 0.1 = 0.99; v2 = 0.09 + 0.1 = 0.19, W2 = 0.99 - 0.019
    w, state = run("momentum", 1.0, [1.0, 1.0], 0.1, beta=0.9)
    assert w == pytest.approx(0.971, rel=REL_TOL)
    assert state["v"]["dW"].item() == pytest.approx(0.19, rel=REL_TOL)


def test_rmsprop_golden():
    # s = 0.1 * 2**2 = 0.4; W = 1 - 0.01 * 2 / (sqrt(0.4) + 1e-8)
    w, state = run("rmsprop", 1.0, [2.0], 0.01, beta2=0.9)
    assert state["s"]["dW"].item() == pytest.approx(0.4, rel=REL_TOL)
    assert w == pytest.approx(0.96837722389831625, rel=REL_TOL)  # 40-digit decimals


def test_adam_two_steps_golden():
    # Worked out with 40-digit decimals: step 1 v=0.05 s=0.00025 v_c=0.5 s_c=0.25
    # W1 = 1 - 0.1 * 0.5 / (0.5 + 1e-8); step 2 (g=-0.2) v=0.025 s=0.00028975.
    w1, state1 = run("adam", 1.0, [0.5], 0.1)
    assert w1 == pytest.approx(0.90000000199999996, rel=REL_TOL)
    w2, state2 = run("adam", 1.0, [0.5, -0.2], 0.1)
    assert w2 == pytest.approx(0.86543941811651058536, rel=REL_TOL)
    assert state2["t"] == 2
    assert state2["v"]["dW"].item() == pytest.approx(0.025, rel=REL_TOL)
    assert state2["s"]["dW"].item() == pytest.approx(0.00028975, rel=REL_TOL)


def test_adam_bias_correction_off():
    # Without correction: W = 1 - 0.1 * 0.05 / (sqrt(0.00025) + 1e-8) ~ 1 - sqrt(10) / 10
    w_on, _ = run("adam", 1.0, [0.5], 0.1)
    w_off, _ = run("adam", 1.0, [0.5], 0.1, bias_correction=False)
    assert w_off == pytest.approx(1 - 0.1 * 0.05 / (0.00025**0.5 + 1e-8), rel=REL_TOL)
    assert w_off == pytest.approx(1 - 10**0.5 / 10, rel=1e-6)
    assert abs(w_on - w_off) > 0.2


def test_adam_epsilon_outside_sqrt():
    # A zero-mean tiny gradient: with eps outside the sqrt the step is lr * v_c / (|g| + eps).
    w, _ = run("adam", 0.0, [1e-8], 1.0)
    assert w == pytest.approx(-1e-8 / (1e-8 + 1e-8), rel=REL_TOL)


def test_adam_t_counts_steps():
    _, state = run("adam", 1.0, [0.1] * 7, 0.01)
    assert state["t"] == 7


@pytest.mark.parametrize("name", opt.OPTIMIZERS)
def test_step_is_pure(name):
    params, grads = random_problem()
    state = opt.init_optimizer_state(name, params)
    for _ in range(2):  # second step starts from a non-zero state
        before = copy.deepcopy((params, grads, state))
        new_params, new_state = opt.optimizer_step(name, params, grads, state, 0.01)
        for original, kept in zip(before, (params, grads, state), strict=True):
            assert original.keys() == kept.keys()
        for key in params:
            np.testing.assert_array_equal(params[key], before[0][key])
            assert new_params[key] is not params[key]
            assert new_params[key].shape == params[key].shape
        for key, value in state.items():
            if isinstance(value, dict):
                for dk in value:
                    np.testing.assert_array_equal(value[dk], before[2][key][dk])
        params, state = new_params, new_state


def test_works_on_surface_point():
    params = {"theta": np.array([[1.0], [2.0]])}
    state = opt.init_optimizer_state("adam", params)
    new, state = opt.optimizer_step("adam", params, {"dtheta": np.array([[1.0], [-1.0]])},
                                    state, 0.1)
    np.testing.assert_allclose(new["theta"], [[0.9], [2.1]], rtol=1e-6)


def test_init_state_shapes():
    params, _ = random_problem()
    state = opt.init_optimizer_state("adam", params)
    assert state["t"] == 0
    assert set(state["v"]) == {"dW1", "db1", "dW2", "db2"}
    assert all(np.all(state["s"][k] == 0) for k in state["s"])
    assert opt.init_optimizer_state("gd", params) == {}


def test_course_entry_points_equal_general():
    params, grads = random_problem(3)
    np.testing.assert_array_equal(
        opt.update_parameters_with_gd(params, grads, 0.05)["W1"],
        opt.optimizer_step("gd", params, grads, {}, 0.05)[0]["W1"])

    v = opt.initialize_velocity(params)
    p_course, v_course = opt.update_parameters_with_momentum(params, grads, v, 0.8, 0.05)
    p_gen, s_gen = opt.optimizer_step("momentum", params, grads, {"v": v}, 0.05, beta=0.8)
    for key in params:
        np.testing.assert_array_equal(p_course[key], p_gen[key])
        np.testing.assert_array_equal(v_course["d" + key], s_gen["v"]["d" + key])

    s = opt.initialize_rmsprop(params)
    p_course, s_course = opt.update_parameters_with_rmsprop(params, grads, s, 0.05, beta2=0.9)
    p_gen, st = opt.optimizer_step("rmsprop", params, grads, {"s": s}, 0.05, beta2=0.9)
    np.testing.assert_array_equal(p_course["b1"], p_gen["b1"])
    np.testing.assert_array_equal(s_course["db1"], st["s"]["db1"])

    v, s = opt.initialize_adam(params)
    state = {"v": v, "s": s, "t": 0}
    for t in (1, 2, 3):  # the course increments t before calling
        p_course, v, s, v_corr, s_corr = opt.update_parameters_with_adam(params, grads, v, s, t,
                                                                         0.02)
        p_gen, state = opt.optimizer_step("adam", params, grads, state, 0.02)
        for key in params:
            np.testing.assert_array_equal(p_course[key], p_gen[key])
            np.testing.assert_array_equal(v["d" + key], state["v"]["d" + key])
        np.testing.assert_array_equal(v_corr["dW2"], v["dW2"] / (1 - 0.9**t))
        np.testing.assert_array_equal(s_corr["dW2"], s["dW2"] / (1 - 0.999**t))
        params = p_course


@pytest.mark.parametrize(("kwargs", "arg"), [
    ({"name": "sgd"}, "name"),
    ({"learning_rate": 0.0}, "learning_rate"),
    ({"learning_rate": float("nan")}, "learning_rate"),
    ({"beta": 1.0}, "beta"),
    ({"beta1": -0.1}, "beta1"),
    ({"beta2": 1.5}, "beta2"),
    ({"epsilon": 0.0}, "epsilon"),
    ({"bias_correction": "yes"}, "bias_correction"),
])
def test_validation_names_argument(kwargs, arg):
    params, grads = random_problem()
    call = {"name": "adam", "learning_rate": 0.1, **kwargs}
    state = opt.init_optimizer_state("adam", params)
    name, lr = call.pop("name"), call.pop("learning_rate")
    with pytest.raises(ValueError, match=arg):
        opt.optimizer_step(name, params, grads, state, lr, **call)


def test_missing_or_misshapen_gradient():
    params, grads = random_problem()
    with pytest.raises(ValueError, match="dW2"):
        opt.optimizer_step("gd", params, {k: v for k, v in grads.items() if k != "dW2"}, {}, 0.1)
    with pytest.raises(ValueError, match="shape"):
        opt.optimizer_step("gd", params, {**grads, "db1": np.zeros((1, 1))}, {}, 0.1)
    with pytest.raises(ValueError, match="state"):
        opt.optimizer_step("momentum", params, grads, {}, 0.1)
    with pytest.raises(ValueError, match="t"):
        opt.update_parameters_with_adam(params, grads, *opt.initialize_adam(params), 0)
