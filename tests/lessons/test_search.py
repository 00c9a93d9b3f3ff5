"""Hyperparameter search: scales, grid vs random, zoom, configs and the search runner."""

from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnlab.config import TrainConfig
from nnlab.lessons.search import (
    Choice,
    IntRange,
    Linear,
    LogUniform,
    OneMinusLog,
    PowerOfTwo,
    SearchSpace,
    apply_point,
    best_trial,
    grid_search_points,
    random_search_points,
    run_search,
    zoom,
)

N_SAMPLES = 4000
SHARE_TOL = 0.03  # allowed gap between an observed share of samples and the expected share
TINY = TrainConfig(dataset="moons", n_samples=120, hidden_units=(5,), num_epochs=30,
                   learning_rate=0.3)


def _shares(values, edges):
    counts, _ = np.histogram(values, bins=edges)
    return counts / len(values)


def test_log_uniform_gives_every_decade_the_same_share():
    dim = LogUniform("learning_rate", 1e-4, 1.0)
    values = np.array(dim.sample(np.random.default_rng(0), N_SAMPLES))
    assert values.min() >= 1e-4 and values.max() <= 1.0
    shares = _shares(values, [1e-4, 1e-3, 1e-2, 1e-1, 1.0])
    np.testing.assert_allclose(shares, 0.25, atol=SHARE_TOL)
    # A linear scale would spend ~90% of the trials in the top decade.
    linear = np.array(Linear("learning_rate", 1e-4, 1.0).sample(np.random.default_rng(0),
                                                                N_SAMPLES))
    assert _shares(linear, [1e-4, 1e-1, 1.0])[1] > 0.85


def test_one_minus_log_concentrates_betas_near_one():
    dim = OneMinusLog("beta", 0.9, 0.999)
    betas = np.array(dim.sample(np.random.default_rng(1), N_SAMPLES))
    assert betas.min() >= 0.9 and betas.max() <= 0.999
    # 1 - beta is log-uniform on [1e-3, 1e-1]: half the betas lie in [0.99, 0.999].
    np.testing.assert_allclose(_shares(1 - betas, [1e-3, 1e-2, 1e-1]), 0.5, atol=SHARE_TOL)
    linear = np.array(Linear("beta", 0.9, 0.999).sample(np.random.default_rng(1), N_SAMPLES))
    assert np.mean(linear > 0.99) < 0.15
    assert dim.grid(3) == [0.9, 0.99, 0.999]


def test_integer_dimensions_sample_every_value_equally():
    units = IntRange("units", 1, 4).sample(np.random.default_rng(2), N_SAMPLES)
    assert all(isinstance(u, int) for u in units)
    np.testing.assert_allclose(np.bincount(units, minlength=5)[1:] / N_SAMPLES, 0.25,
                               atol=SHARE_TOL)
    sizes = PowerOfTwo("mini_batch_size", 32, 256).sample(np.random.default_rng(3), N_SAMPLES)
    assert set(sizes) == {32, 64, 128, 256}
    assert all(isinstance(s, int) for s in sizes)
    opts = Choice("optimizer", ("gd", "momentum", "adam")).sample(np.random.default_rng(4), 300)
    assert set(opts) == {"gd", "momentum", "adam"}


def test_grids_are_evenly_spaced_on_each_scale():
    assert LogUniform("lambd", 1e-4, 1.0).grid(5) == [1e-4, 1e-3, 1e-2, 1e-1, 1.0]
    assert Linear("keep_prob", 0.5, 1.0).grid(3) == [0.5, 0.75, 1.0]
    assert IntRange("layers", 1, 3).grid(10) == [1, 2, 3]  # ints are deduplicated
    assert PowerOfTwo("mini_batch_size", 16, 256).grid(5) == [16, 32, 64, 128, 256]
    assert Choice("optimizer", ("gd", "momentum", "adam")).grid(2) == ["gd", "adam"]
    assert Linear("keep_prob", 0.5, 1.0).grid(1) == [0.75]


@settings(max_examples=60, deadline=None)
@given(st.floats(0, 1))
def test_to_unit_and_from_unit_are_inverse(u):
    for dim in (Linear("keep_prob", 0.2, 1.0), LogUniform("learning_rate", 1e-5, 1.0),
                OneMinusLog("beta2", 0.99, 0.9999)):
        value = dim.from_unit(u)
        assert dim.low <= value <= dim.high
        assert dim.to_unit(value) == pytest.approx(u, abs=1e-9)
    for dim in (IntRange("units", 1, 50), PowerOfTwo("mini_batch_size", 8, 1024)):
        value = dim.from_unit(u)
        assert dim.from_unit(dim.to_unit(value)) == value


@pytest.mark.parametrize(("make", "match"), [
    (lambda: LogUniform("learning_rate", 0.0, 1.0), "learning_rate.low"),
    (lambda: LogUniform("learning_rate", 1.0, 0.1), "low must be < high"),
    (lambda: Linear("keep_prob", 0.5, 0.5), "low=0.5"),
    (lambda: OneMinusLog("beta", 0.9, 1.0), "inside \\(0, 1\\)"),
    (lambda: IntRange("units", 1.5, 4), "units.low"),
    (lambda: PowerOfTwo("mini_batch_size", 24, 256), "24"),
    (lambda: Choice("optimizer", ()), "optimizer.options"),
    (lambda: SearchSpace((Linear("k", 0, 1), Linear("k", 0, 2))), "distinct"),
])
def test_bad_dimensions_raise_value_error_naming_the_problem(make, match):
    with pytest.raises(ValueError, match=match):
        make()


@pytest.mark.parametrize("budget", [1, 7, 8, 9, 26, 27, 28, 64, 100])
@pytest.mark.parametrize("d", [1, 2, 3])
def test_grid_never_exceeds_the_budget(budget, d):
    dims = tuple(Linear(f"x{i}", 0.0, 1.0) for i in range(d))
    points = grid_search_points(SearchSpace(dims), budget)
    k = int(np.floor(budget ** (1 / d) + 1e-9))
    assert len(points) == k ** d <= budget


def test_random_search_tries_more_distinct_values_of_each_knob_than_grid():
    space = SearchSpace((LogUniform("learning_rate", 1e-4, 1.0), Linear("keep_prob", 0.5, 1.0)))
    budget = 25
    grid = grid_search_points(space, budget)
    rand = random_search_points(space, budget, np.random.default_rng(0))
    assert len(grid) == len(rand) == budget
    assert len({p["learning_rate"] for p in grid}) == 5
    assert len({p["learning_rate"] for p in rand}) == budget
    assert len({p["keep_prob"] for p in rand}) == budget


def test_random_points_are_reproducible_with_random_state():
    space = SearchSpace((LogUniform("learning_rate", 1e-4, 1.0), IntRange("units", 2, 20),
                         Choice("optimizer", ("gd", "adam"))))
    a = random_search_points(space, 10, np.random.RandomState(7))
    b = random_search_points(space, 10, np.random.RandomState(7))
    assert a == b
    assert set(a[0]) == {"learning_rate", "units", "optimizer"}


def _synthetic_records(space, n=60, seed=0):
    """Dev accuracy peaks at learning_rate 1e-2, 8 units, adam."""
    points = random_search_points(space, n, np.random.default_rng(seed))
    records = []
    for p in points:
        acc = (1 - 0.1 * abs(np.log10(p["learning_rate"]) + 2) - 0.01 * abs(p["units"] - 8)
               - 0.05 * (p["optimizer"] != "adam"))
        records.append({**p, "dev_accuracy": acc, "status": "ok"})
    return records


def test_zoom_shrinks_every_range_around_the_best_trial():
    space = SearchSpace((LogUniform("learning_rate", 1e-5, 1.0), IntRange("units", 1, 64),
                         Choice("optimizer", ("gd", "momentum", "adam"))))
    records = _synthetic_records(space)
    best = best_trial(records)
    fine = zoom(space, records, top_k=5, margin=0.05)
    lr, units, opt = fine.dimensions
    assert isinstance(lr, LogUniform) and isinstance(units, IntRange)
    assert np.log10(lr.high / lr.low) < np.log10(1.0 / 1e-5)
    assert lr.low <= best["learning_rate"] <= lr.high
    assert units.high - units.low < 64 - 1 and units.low <= best["units"] <= units.high
    assert best["optimizer"] in opt.options
    # Zooming again keeps shrinking (coarse to fine) and never leaves the current range.
    finer = zoom(fine, records, top_k=2, margin=0.05)
    assert lr.low <= finer.dimensions[0].low < finer.dimensions[0].high <= lr.high


def test_zoom_and_best_trial_skip_diverged_trials_and_check_arguments():
    space = SearchSpace((LogUniform("learning_rate", 1e-4, 1.0),))
    records = [{"learning_rate": 0.5, "dev_accuracy": 0.99, "status": "diverged"},
               {"learning_rate": 1e-3, "dev_accuracy": 0.9, "status": "ok"},
               {"learning_rate": 1e-2, "dev_accuracy": float("nan"), "status": "ok"}]
    assert best_trial(records)["learning_rate"] == 1e-3
    assert zoom(space, records, margin=0.1).dimensions[0].high < 0.5
    assert best_trial([{"cost": 2.0, "status": "ok"}, {"cost": 1.0, "status": "ok"}],
                      "cost")["cost"] == 1.0
    with pytest.raises(ValueError, match="metric"):
        best_trial(records, "accuracy")
    with pytest.raises(ValueError, match="margin"):
        zoom(space, records, margin=0)
    with pytest.raises(ValueError, match="records"):
        best_trial(records[:1])


def test_apply_point_builds_valid_configs():
    base = TrainConfig(hidden_units=(10, 5))
    c = apply_point(base, {"learning_rate": 0.05, "beta": 0.95, "mini_batch_size": 64,
                           "optimizer": "momentum", "units": 7, "layers": 3})
    assert c.hidden_units == (7, 7, 7) and c.learning_rate == 0.05 and c.mini_batch_size == 64
    assert apply_point(base, {"units": 4}).hidden_units == (4, 4)
    assert apply_point(base, {"layers": 1}).hidden_units == (10,)
    assert apply_point(base, {"layers": 0}).hidden_units == ()
    c = apply_point(base, {"lambd": np.float64(0.1), "num_epochs": np.int64(5)})
    assert type(c.lambd) is float and type(c.num_epochs) is int
    assert base.hidden_units == (10, 5)  # the base is untouched


@pytest.mark.parametrize(("point", "match"), [
    ({"learning_rat": 0.1}, "learning_rat"),
    ({"keep_prob": 1.5}, "keep_prob"),
    ({"units": 0}, "units"),
    ({"units": 3, "hidden_units": (3,)}, "hidden_units"),
])
def test_apply_point_rejects_bad_points(point, match):
    with pytest.raises(ValueError, match=match):
        apply_point(TrainConfig(), point)


def _points():
    space = SearchSpace((LogUniform("learning_rate", 1e-2, 3.0), IntRange("units", 2, 6)))
    return random_search_points(space, 4, np.random.default_rng(0))


def _without_seconds(records):
    return [{k: v for k, v in r.items() if k != "seconds"} for r in records]


def test_run_search_returns_one_finite_record_per_point():
    points = _points()
    records = run_search(TINY, points)
    assert len(records) == records.planned == 4 and not records.stopped
    for i, (r, p) in enumerate(zip(records, points, strict=True)):
        assert r["trial"] == i and r["learning_rate"] == p["learning_rate"]
        assert r["status"] == "ok" and r["epochs"] == 30 and len(r["costs"]) == 30
        assert 0 <= r["train_accuracy"] <= 1 and 0 <= r["dev_accuracy"] <= 1
        assert np.isfinite(r["cost"]) and r["seconds"] >= 0


@pytest.mark.parametrize("pool", [ThreadPoolExecutor, ProcessPoolExecutor])
def test_executor_gives_the_same_records_as_sequential(pool):
    points = _points()
    with pool(max_workers=2) as executor:
        parallel = run_search(TINY, points, executor=executor)
    assert _without_seconds(parallel) == _without_seconds(run_search(TINY, points))


def test_on_trial_can_stop_the_search_early():
    seen = []

    def on_trial(i, n, record):
        seen.append((i, n, record["trial"]))
        return i == 1

    records = run_search(TINY, _points(), on_trial=on_trial)
    assert seen == [(0, 4, 0), (1, 4, 1)]
    assert len(records) == 2 and records.stopped and records.planned == 4
    with ThreadPoolExecutor(max_workers=2) as executor:
        records = run_search(TINY, _points(), executor=executor, on_trial=on_trial)
    assert len(records) == 2 and records.stopped


def test_diverged_trial_is_a_record_not_an_exception():
    records = run_search(TINY, [{"learning_rate": 1e12}, {"learning_rate": 0.1}])
    assert [r["status"] for r in records] == ["diverged", "ok"]
    assert "Diverged" in records[0]["message"]
    assert best_trial(records)["learning_rate"] == 0.1


def test_run_search_validates_every_point_before_training():
    calls = []
    with pytest.raises(ValueError, match="nope"):
        run_search(TINY, [{"learning_rate": 0.1}, {"nope": 1}],
                   on_trial=lambda *a: calls.append(a))
    assert calls == []


def test_batched_search_equals_one_trial_at_a_time():
    from nnlab.config import TrainConfig
    from nnlab.lessons.search import run_search

    base = TrainConfig(dataset="moons", n_samples=120, hidden_units=(6,), num_epochs=40)
    points = [{"learning_rate": lr, "lambd": lam} for lr in (0.05, 0.3, 1.0)
              for lam in (0.0, 0.5)] + [{"learning_rate": 0.1, "units": 3}]
    alone = run_search(base, points)
    together = run_search(base, points, batched=True)
    assert [r["trial"] for r in together] == list(range(len(points)))
    for a, b in zip(alone, together, strict=True):
        assert a["status"] == b["status"]
        assert b["dev_accuracy"] == a["dev_accuracy"]
        np.testing.assert_allclose(b["costs"], a["costs"], rtol=0, atol=1e-12)
