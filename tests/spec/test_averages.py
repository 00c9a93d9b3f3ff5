"""Exponentially weighted averages against a naive loop and hand values."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nnlab.spec import weighted_averages as avg

REL_TOL = 1e-12
ABS_TOL = 1e-12


def naive(theta, beta, correct):
    out, v = [], 0.0
    for t, x in enumerate(theta, start=1):
        v = beta * v + (1 - beta) * x
        out.append(v / (1 - beta**t) if correct else v)
    return out


def test_hand_values():
    # v1 = 0.5 * 4 = 2, v2 = 0.5 * 2 + 0.5 * 8 = 5; corrected: 2 / 0.5 = 4, 5 / 0.75
    v = avg.exponentially_weighted_average([4.0, 8.0], 0.5)
    np.testing.assert_allclose(v, [2.0, 5.0], rtol=REL_TOL)
    vc = avg.exponentially_weighted_average([4.0, 8.0], 0.5, bias_correction=True)
    np.testing.assert_allclose(vc, [4.0, 5.0 / 0.75], rtol=REL_TOL)


@given(st.lists(st.floats(-100, 100), min_size=1, max_size=60), st.floats(0, 0.999),
       st.booleans())
def test_matches_naive_loop(theta, beta, correct):
    got = avg.exponentially_weighted_average(theta, beta, bias_correction=correct)
    np.testing.assert_allclose(got, naive(theta, beta, correct), rtol=REL_TOL, atol=ABS_TOL)


def test_bias_correction_fixes_the_start():
    theta = np.full(5, 10.0)
    assert avg.exponentially_weighted_average(theta, 0.98)[0] == pytest.approx(0.2)
    np.testing.assert_allclose(avg.exponentially_weighted_average(theta, 0.98,
                                                                  bias_correction=True), 10.0)


def test_weights_unroll_the_average():
    rng = np.random.RandomState(0)
    theta = rng.standard_normal(30)
    w = avg.ewa_weights(0.9, 30)
    assert w[0] == pytest.approx(0.1) and w[1] == pytest.approx(0.09)
    v_last = avg.exponentially_weighted_average(theta, 0.9)[-1]
    assert v_last == pytest.approx(np.dot(w, theta[::-1]), rel=1e-10)
    assert w.sum() == pytest.approx(1 - 0.9**30, rel=REL_TOL)


def test_effective_window():
    assert avg.effective_window(0.9) == pytest.approx(10.0)
    assert avg.effective_window(0.98) == pytest.approx(50.0)
    assert avg.effective_window(0.0) == 1.0


def test_input_unchanged():
    theta = np.array([1.0, 2.0, 3.0])
    avg.exponentially_weighted_average(theta, 0.5, bias_correction=True)
    np.testing.assert_array_equal(theta, [1.0, 2.0, 3.0])


@pytest.mark.parametrize(("call", "arg"), [
    (lambda: avg.exponentially_weighted_average([1.0], 1.0), "beta"),
    (lambda: avg.exponentially_weighted_average([1.0], -0.1), "beta"),
    (lambda: avg.exponentially_weighted_average([[1.0]], 0.5), "theta"),
    (lambda: avg.exponentially_weighted_average([1.0, np.nan], 0.5), "theta"),
    (lambda: avg.ewa_weights(0.5, 0), "n"),
    (lambda: avg.effective_window(1.0), "beta"),
])
def test_validation(call, arg):
    with pytest.raises(ValueError, match=arg):
        call()
