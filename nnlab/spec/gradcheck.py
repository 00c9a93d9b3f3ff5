"""Gradient checking: compare backprop with two-sided finite differences.

``difference = ||grad - gradapprox|| / (||grad|| + ||gradapprox||)``: about ``1e-7`` is fine,
around ``1e-5`` deserves a closer look, ``1e-3`` or more is almost certainly a bug.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnlab._validate import check_float, labels_2d
from nnlab.spec import model

EPSILON = 1e-7
THRESHOLDS = {"fine": 1e-7, "look closer": 1e-5, "bug": 1e-3}
#: ``gradient_check_n(..., print_msg=True)`` reports a mistake above this, as the course does.
COURSE_THRESHOLD = 2e-7
#: The course's gradient-checking network (4 inputs, 5 and 3 relu units, 1 sigmoid), the
#: shapes its ``vector_to_dictionary(theta)`` hard-codes.
COURSE_SHAPES = [("W1", (5, 4)), ("b1", (5, 1)), ("W2", (3, 5)), ("b2", (3, 1)),
                 ("W3", (1, 3)), ("b3", (1, 1))]
_ORDER = ("W", "b", "gamma", "beta")


def parameter_keys(parameters) -> list[str]:
    """Keys in layer order: ``W1, b1, (gamma1, beta1), W2, ...`` (the course's vector order)."""
    L = model.num_layers(parameters)
    return [f"{p}{l}" for l in range(1, L + 1) for p in _ORDER if f"{p}{l}" in parameters]


def dictionary_to_vector(parameters):
    """Stack every parameter (row-major) into one column vector.

    Parameters
    ----------
    parameters : dict ``W1, b1, (gamma1, beta1), W2, ...``

    Returns
    -------
    theta : ndarray (n, 1)
        The parameters in the order of :func:`parameter_keys`, as the course stacks them.
    shapes : list of ``(key, shape)`` pairs, enough to undo it with ``vector_to_dictionary``

    Notes
    -----
    The course's second value, ``keys``, names the parameter of every entry
    (``["W1", "W1", ..., "b3"]``) and its notebook never uses it (``theta, _ = ...``); here
    it is the ``(key, shape)`` list that :func:`vector_to_dictionary` needs for any network.
    """
    keys = parameter_keys(parameters)
    shapes = [(k, np.shape(parameters[k])) for k in keys]
    theta = np.concatenate([np.reshape(parameters[k], (-1, 1)) for k in keys], axis=0)
    return theta, shapes


def vector_to_dictionary(theta, shapes=None, *, like=None):
    """Inverse of ``dictionary_to_vector``: cut ``theta`` back into arrays of the given shapes.

    Parameters
    ----------
    theta : ndarray (n, 1) or (n,)
    shapes : list of ``(key, shape)``, optional
        The second value of ``dictionary_to_vector(parameters)``.
    like : dict, optional
        A parameter dict of the wanted shapes (instead of ``shapes``; not both).

    Returns
    -------
    parameters : dict of new arrays

    Notes
    -----
    With neither ``shapes`` nor ``like`` it cuts the course's gradient-checking network
    (``COURSE_SHAPES``, 47 entries), as the course's ``vector_to_dictionary(theta)`` does;
    any other network needs ``shapes`` or ``like=parameters``.
    """
    if shapes is not None and like is not None:
        raise ValueError("pass shapes or like, not both")
    if like is not None:
        shapes = dictionary_to_vector(like)[1]
    elif shapes is None:
        shapes = COURSE_SHAPES
    theta = np.asarray(theta, dtype=float).reshape(-1)
    total = sum(int(np.prod(s)) for _, s in shapes)
    if theta.size != total:
        hint = (" (the course's 3-layer net: pass shapes or like=parameters)"
                if shapes is COURSE_SHAPES else "")
        raise ValueError(f"theta has {theta.size} entries but the shapes need {total}{hint}")
    out, start = {}, 0
    for key, shape in shapes:
        n = int(np.prod(shape))
        out[key] = theta[start:start + n].reshape(shape).copy()
        start += n
    return out


def gradients_to_vector(grads, parameters=None):
    """Stack ``grads`` in the order of ``dictionary_to_vector(parameters)``.

    Parameters
    ----------
    grads : dict ``dW1, db1, ...`` (other keys, e.g. ``dA1``, are left out)
    parameters : dict, optional
        Whose order to follow; by default the order of the gradients' own keys (``dW1, db1,
        dW2, ...``), so ``gradients_to_vector(gradients)`` works as in the course.

    Returns
    -------
    grad : ndarray (n, 1)
    """
    if parameters is None:
        parameters = {k[1:]: v for k, v in grads.items() if k.startswith("d")}
    return np.concatenate(
        [np.reshape(grads["d" + k], (-1, 1)) for k in parameter_keys(parameters)], axis=0)


def relative_difference(grad, approx) -> float:
    """``||grad - approx|| / (||grad|| + ||approx||)`` (0 when both are 0)."""
    num = np.linalg.norm(np.asarray(grad) - np.asarray(approx))
    den = np.linalg.norm(grad) + np.linalg.norm(approx)
    return float(num / den) if den > 0 else 0.0


def gradient_check(x, theta, epsilon=EPSILON):
    """The course's 1-D check of ``J(theta) = theta * x``: returns the relative difference."""
    epsilon = check_float("epsilon", epsilon, low=0, low_open=True)
    gradapprox = ((theta + epsilon) * x - (theta - epsilon) * x) / (2 * epsilon)
    grad = x
    return relative_difference(grad, gradapprox)


def numerical_gradient(cost, theta, shapes, epsilon=EPSILON):
    """Centered differences ``(J(theta + eps e_i) - J(theta - eps e_i)) / (2 eps)`` for every i.

    ``cost`` takes a parameter dict; ``theta``/``shapes`` come from ``dictionary_to_vector``.
    """
    approx = np.zeros_like(theta)
    for i in range(theta.shape[0]):
        plus, minus = theta.copy(), theta.copy()
        plus[i] += epsilon
        minus[i] -= epsilon
        approx[i] = (cost(vector_to_dictionary(plus, shapes))
                     - cost(vector_to_dictionary(minus, shapes))) / (2 * epsilon)
    return approx


@dataclass(frozen=True)
class GradCheckResult:
    """Outcome of ``check_gradients``: the overall and the per-parameter relative difference."""

    difference: float
    per_parameter: dict
    grad: np.ndarray
    gradapprox: np.ndarray
    verdict: str


def verdict(difference: float) -> str:
    """``"fine"`` below 1e-7 (x10 slack), ``"look closer"`` below 1e-3, else ``"bug"``."""
    if difference < 10 * THRESHOLDS["fine"]:
        return "fine"
    return "look closer" if difference < THRESHOLDS["bug"] else "bug"


def check_gradients(X, Y, parameters, *, hidden_activation="relu", output="sigmoid", lambd=0.0,
                    keep_prob=1.0, fixed_mask=True, mask_seed=0, batch_norm=False,
                    numerics="stable", bug=None, epsilon=EPSILON, make_rng=None):
    """Check ``model.backward`` against centered differences of ``model.compute_cost``.

    Parameters
    ----------
    X : ndarray (n_x, m); Y : ndarray (n_L, m)
    fixed_mask : bool
        With dropout, re-create the mask generator from ``mask_seed`` for every cost evaluation
        (the same units dropped each time). With False the mask changes at every evaluation and
        the check fails: the cost being differentiated is itself random.
    bug : str, optional; one of ``model.BUGS``, injected into backprop.
    make_rng : callable seed -> generator (default ``np.random.default_rng``).

    Returns
    -------
    GradCheckResult
    """
    epsilon = check_float("epsilon", epsilon, low=0, low_open=True)
    make_rng = make_rng or np.random.default_rng
    opts = dict(hidden_activation=hidden_activation, output=output, keep_prob=keep_prob,
                batch_norm=batch_norm, numerics=numerics)
    shared_rng = make_rng(mask_seed)

    def rng():
        return make_rng(mask_seed) if fixed_mask else shared_rng

    def cost(params):
        AL, caches, _ = model.forward(X, params, rng=rng(), **opts)
        return model.compute_cost(AL, caches, Y, params, lambd=lambd, output=output,
                                  numerics=numerics)

    AL, caches, _ = model.forward(X, parameters, rng=rng(), **opts)
    grads = model.backward(AL, Y, caches, parameters, hidden_activation=hidden_activation,
                           lambd=lambd, bug=bug)
    theta, shapes = dictionary_to_vector(parameters)
    grad = gradients_to_vector(grads, parameters)
    approx = numerical_gradient(cost, theta, shapes, epsilon)
    per_param, start = {}, 0
    for key, shape in shapes:
        n = int(np.prod(shape))
        per_param[key] = relative_difference(grad[start:start + n], approx[start:start + n])
        start += n
    diff = relative_difference(grad, approx)
    return GradCheckResult(diff, per_param, grad, approx, verdict(diff))


def gradient_check_n(parameters, gradients, X, Y, epsilon=EPSILON, print_msg=False):
    """The course's ``gradient_check_n``: backprop's ``gradients`` against centered differences.

    Parameters
    ----------
    parameters : dict ``W1, b1, ..., WL, bL`` of a relu network with a sigmoid output (the
        course's 3-layer one, or any depth)
    gradients : dict ``dW1, db1, ...``, the ones to test (e.g. from the course's buggy backprop)
    X : ndarray (n_x, m)
    Y : ndarray (1, m) labels; a 1-D ``(m,)`` is read as ``(1, m)``
    epsilon : float, default 1e-7
        The shift of the centered differences, ``> 0``.
    print_msg : bool, default False
        Print the course's verdict: a mistake when the difference exceeds ``2e-7``
        (``COURSE_THRESHOLD``), else "works perfectly fine" (plain text, no colour codes).

    Returns
    -------
    difference : float
        ``||grad - gradapprox|| / (||grad|| + ||gradapprox||)``.

    Notes
    -----
    The cost is the course's ``1/m * sum`` of cross-entropy with the literal sigmoid.
    """
    epsilon = check_float("epsilon", epsilon, low=0, low_open=True)
    if not isinstance(print_msg, bool | np.bool_):
        raise ValueError(f"print_msg must be a bool, got {print_msg!r}")
    Y = labels_2d(Y)
    theta, shapes = dictionary_to_vector(parameters)
    grad = gradients_to_vector(gradients, parameters)

    def cost(params):
        AL, caches, _ = model.forward(X, params, numerics="course")
        return model.compute_cost(AL, caches, Y, params, numerics="course")

    difference = relative_difference(grad, numerical_gradient(cost, theta, shapes, epsilon))
    if print_msg:
        if difference > COURSE_THRESHOLD:
            print(f"There is a mistake in the backward propagation! difference = {difference}")
        else:
            print(f"Your backward propagation works perfectly fine! difference = {difference}")
    return difference


def epsilon_sweep(X, Y, parameters, epsilons, **kwargs):
    """``check_gradients`` difference for each epsilon: truncation error (large epsilon)
    against round-off error (tiny epsilon). Returns a list of ``(epsilon, difference)``."""
    return [(float(e), check_gradients(X, Y, parameters, epsilon=e, **kwargs).difference)
            for e in epsilons]
