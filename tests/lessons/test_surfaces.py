"""2-D surfaces: analytic gradients vs finite differences, paths, the momentum phase diagram."""

import numpy as np
import pytest

from nnlab.lessons import surfaces as sf
from nnlab.spec import optimizers as opt

FD_STEP = 1e-6
FD_REL_TOL = 1e-6  # central differences of smooth functions at h = 1e-6
FD_ABS_TOL = 1e-5
MINIMUM_GRAD_TOL = 1e-9


def central_difference(surface, x, y):
    gx = (surface.f(x + FD_STEP, y) - surface.f(x - FD_STEP, y)) / (2 * FD_STEP)
    gy = (surface.f(x, y + FD_STEP) - surface.f(x, y - FD_STEP)) / (2 * FD_STEP)
    return gx, gy


ALL = [*sf.SURFACES.values(), sf.Bowl(condition=50.0)]


@pytest.mark.parametrize("surface", ALL, ids=lambda s: repr(s))
def test_gradient_matches_finite_differences(surface):
    rng = np.random.RandomState(0)
    (x0, x1), (y0, y1) = surface.domain
    x = x0 + (x1 - x0) * rng.random(50)
    y = y0 + (y1 - y0) * rng.random(50)
    gx, gy = surface.grad(x, y)  # vectorised over the 50 points
    nx, ny = central_difference(surface, x, y)
    np.testing.assert_allclose(gx, nx, rtol=FD_REL_TOL, atol=FD_ABS_TOL)
    np.testing.assert_allclose(gy, ny, rtol=FD_REL_TOL, atol=FD_ABS_TOL)


@pytest.mark.parametrize("surface", ALL, ids=lambda s: repr(s))
def test_metadata_and_minima(surface):
    (x0, x1), (y0, y1) = surface.domain
    assert x0 < x1 and y0 < y1
    assert x0 <= surface.start[0] <= x1 and y0 <= surface.start[1] <= y1
    assert surface.minima
    for mx, my in surface.minima:
        gx, gy = surface.grad(mx, my)
        assert abs(gx) < MINIMUM_GRAD_TOL and abs(gy) < MINIMUM_GRAD_TOL
        around = surface.f(mx + np.array([1e-3, -1e-3, 0, 0]), my + np.array([0, 0, 1e-3, -1e-3]))
        assert np.all(around > surface.f(mx, my))
    for sx, sy in surface.saddles:
        assert np.allclose(surface.grad(sx, sy), 0.0)


def test_contour_grid_is_vectorised():
    xs, ys = np.meshgrid(np.linspace(-2, 2, 7), np.linspace(-1, 3, 5))
    z = sf.SURFACES["rosenbrock"].f(xs, ys)
    assert z.shape == (5, 7)
    assert z[0, 0] == pytest.approx(sf.SURFACES["rosenbrock"].f(-2.0, -1.0))
    assert sf.SURFACES["rosenbrock"].f(1.0, 1.0) == 0.0


def test_path_runs_the_same_optimizer_step():
    result = sf.optimize_path("rosenbrock", (-1.0, 1.5), "adam", 0.02, 5, beta1=0.8)
    params = {"theta": np.array([[-1.0], [1.5]])}
    state = opt.init_optimizer_state("adam", params)
    surface = sf.SURFACES["rosenbrock"]
    for step in range(1, 6):
        gx, gy = surface.grad(*params["theta"][:, 0])
        params, state = opt.optimizer_step("adam", params, {"dtheta": np.array([[gx], [gy]])},
                                           state, 0.02, beta1=0.8)
        np.testing.assert_array_equal(result["path"][step], params["theta"][:, 0])
    assert result["path"].shape == (6, 2) and result["values"].shape == (6,)
    assert result["status"] == "ok" and result["steps"] == 5
    np.testing.assert_array_equal(result["values"], surface.f(*result["path"].T))


def test_path_converges_on_bowl():
    result = sf.optimize_path(sf.Bowl(), None, "momentum", 0.1, 300, beta=0.9)
    assert result["status"] == "ok"
    assert np.linalg.norm(result["path"][-1]) < 1e-3
    np.testing.assert_array_equal(result["path"][0], sf.Bowl.start)


def test_gd_with_too_large_learning_rate_diverges_on_bowl():
    # Curvature 10 along y: GD multiplies y by 1 - 10 * lr = -1.5 each step.
    result = sf.optimize_path(sf.Bowl(condition=10.0), None, "gd", 0.25, 1000)
    assert result["status"] == "diverged"
    assert "diverged" in result["message"]
    assert result["steps"] < 1000
    assert np.all(np.isfinite(result["path"])) and np.all(np.isfinite(result["values"]))
    assert len(result["path"]) == result["steps"] + 1


def test_overflowing_run_reports_diverged_without_warning():
    result = sf.optimize_path("rosenbrock", (-2.0, 3.0), "gd", 10.0, 50, box_scale=1e300)
    assert result["status"] == "diverged"


def test_zero_steps():
    result = sf.optimize_path("himmelblau", None, "gd", 0.01, 0)
    assert result["path"].shape == (1, 2) and result["status"] == "ok"


@pytest.mark.parametrize(("kwargs", "arg"), [
    ({"surface": "moon"}, "surface"),
    ({"optimizer": "nesterov"}, "optimizer"),
    ({"start": (1.0, np.nan)}, "start"),
    ({"num_steps": -1}, "num_steps"),
    ({"learning_rate": -1.0}, "learning_rate"),
    ({"momentum": 0.9}, "hyper"),
])
def test_path_validation(kwargs, arg):
    call = {"surface": "bowl", "start": None, "optimizer": "gd", "learning_rate": 0.1,
            "num_steps": 3, **kwargs}
    with pytest.raises(ValueError, match=arg):
        sf.optimize_path(**call)


def test_bowl_condition_validated():
    with pytest.raises(ValueError, match="condition"):
        sf.Bowl(condition=0.5)


def test_phase_diagram_known_cells():
    lrs = [0.01, 0.5, 1.5, 2.5, 10.0, 50.0]
    betas = [0.0, 0.9]
    result = sf.momentum_phase_diagram(lrs, betas, curvature=1.0, num_steps=100, tol=1e-3)
    labels = result["labels"]
    assert labels.shape == (6, 2) and result["final_distance"].shape == (6, 2)
    # Plain GD (beta = 0): x_t = (1 - lr)^t.
    assert labels[0, 0] == "slow"        # 0.99**100 ~ 0.37
    assert labels[1, 0] == "fast"        # 0.5**100
    assert labels[2, 0] == "oscillates"  # (-0.5)**t
    assert labels[3, 0] == "diverges"    # |1 - 2.5| > 1: lr > 2 (1 + 0) / c
    # Course momentum, beta = 0.9: diverges iff lr > 2 (1 + beta) / ((1 - beta) c) = 38.
    assert labels[5, 1] == "diverges"
    assert labels[4, 1] != "diverges"    # above the heavy-ball bound 3.8, below 38
    assert result["final_distance"][5, 1] == np.inf
    assert set(np.unique(labels)) <= set(sf.PHASES)


def test_phase_diagram_matches_optimizer_step():
    lr, beta, c = 3.0, 0.7, 2.0
    result = sf.momentum_phase_diagram([lr], [beta], curvature=c, num_steps=40)
    params = {"theta": np.array([[1.0]])}
    state = opt.init_optimizer_state("momentum", params)
    for _ in range(40):
        params, state = opt.optimizer_step("momentum", params,
                                           {"dtheta": c * params["theta"]}, state, lr, beta=beta)
    assert result["final_distance"][0, 0] == abs(params["theta"].item())


@pytest.mark.parametrize(("kwargs", "arg"), [
    ({"learning_rates": [0.0]}, "learning_rates"),
    ({"betas": [1.0]}, "betas"),
    ({"curvature": 0.0}, "curvature"),
    ({"tol": 2.0}, "tol"),
    ({"num_steps": 2.5}, "num_steps"),
])
def test_phase_diagram_validation(kwargs, arg):
    call = {"learning_rates": [0.1], "betas": [0.5], **kwargs}
    with pytest.raises(ValueError, match=arg):
        sf.momentum_phase_diagram(call.pop("learning_rates"), call.pop("betas"), **call)


def test_a_path_played_in_chunks_is_the_path_computed_at_once():
    from nnlab.lessons.optimizer_paths import PathConfig, start_path

    for spec in ({"optimizer": "adam", "learning_rate": 0.05},
                 {"optimizer": "gd", "learning_rate": 2.0},  # diverges: ends early
                 {"optimizer": "momentum", "learning_rate": 0.01, "beta": 0.8}):
        config = PathConfig.from_spec("saddle", (-2.5, 0.01), spec, 60)
        run = start_path(config)
        for n in (0, 1, 7, 3, 100):
            run.advance(n)
        whole = sf.optimize_path("saddle", (-2.5, 0.01), spec["optimizer"],
                              spec["learning_rate"], 60,
                              **{k: v for k, v in spec.items()
                                 if k not in ("optimizer", "learning_rate")})
        snap = run.snapshot()
        assert run.done and snap.epochs_run == whole["steps"]
        assert snap.status == whole["status"]
        np.testing.assert_array_equal(np.c_[snap.history["x"], snap.history["y"]],
                                      whole["path"][1:])
        np.testing.assert_array_equal(snap.history["cost"], whole["values"][1:])
        np.testing.assert_array_equal(snap.parameters["theta"].ravel(), whole["path"][-1])
