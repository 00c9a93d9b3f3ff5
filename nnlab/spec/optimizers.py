"""Optimizers of course 2, week 2: gradient descent, momentum, RMSprop and Adam.

Every rule is generic over *any* parameter dict: the network's ``{"W1", "b1", ...}`` as well as
a point on a 2-D surface ``{"theta": array}``. The gradients use the same keys with a ``d``
prefix (``grads["dW1"]``, ``grads["dtheta"]``), and so does the optimizer state
(``state["v"]["dW1"]``), exactly as in the course's notebook.

Each rule is written once, as one public function with one signature (CS231n's optimizer
rules): ``gd_step``, ``momentum_step``, ``rmsprop_step``, ``adam_step``, each
``(parameters, grads, state, learning_rate, **hyperparameters) -> (new_parameters, new_state)``.
``UPDATE_RULES`` maps the optimizer's name to its rule; ``optimizer_step`` dispatches by name,
and the course's notebook entry points at the end are thin wrappers. All functions are pure.
"""

import math
import numbers

import numpy as np

OPTIMIZERS = ("gd", "momentum", "rmsprop", "adam")


# ---------------------------------------------------------------------------- validation
def _check_name(name):
    if name not in OPTIMIZERS:
        raise ValueError(f"name must be one of {OPTIMIZERS}, got {name!r}")


def _check_real(arg, value, low, high, *, low_open=False):
    """``value`` must be a finite real in ``[low, high)`` (``(low, high)`` if ``low_open``)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f"{arg} must be a finite real number, got {value!r}")
    if value < low or (low_open and value == low) or value >= high:
        bounds = f"{low} {'<' if low_open else '<='} {arg} < {high}"
        raise ValueError(f"{arg} must satisfy {bounds}, got {value!r}")


def _check_parameters(parameters):
    if not isinstance(parameters, dict) or not parameters:
        raise ValueError(f"parameters must be a non-empty dict of arrays, got {parameters!r}")


def _check_step(name, parameters, grads, state, learning_rate):
    """The arguments every rule shares: parameters, matching grads and state, learning_rate."""
    _check_parameters(parameters)
    _check_like("grads", grads, parameters)
    _check_state(name, state, parameters)
    _check_real("learning_rate", learning_rate, 0, math.inf, low_open=True)


def _check_decay(arg, value):
    _check_real(arg, value, 0, 1)


def _check_epsilon(epsilon):
    _check_real("epsilon", epsilon, 0, math.inf, low_open=True)


def _check_bool(arg, value):
    if not isinstance(value, bool | np.bool_):
        raise ValueError(f"{arg} must be a bool, got {value!r}")


def _check_like(arg, table, parameters):
    """``table`` must hold ``"d" + key`` with the shape of ``parameters[key]`` for every key."""
    if not isinstance(table, dict):
        raise ValueError(f"{arg} must be a dict, got {type(table).__name__}")
    for key, value in parameters.items():
        dkey = "d" + key
        if dkey not in table:
            raise ValueError(f"{arg} must have key {dkey!r} (for parameter {key!r}), "
                             f"got keys {sorted(table)}")
        if np.shape(table[dkey]) != np.shape(value):
            raise ValueError(f"{arg}[{dkey!r}] must have shape {np.shape(value)}, "
                             f"got {np.shape(table[dkey])}")


def _zeros_like(parameters):
    return {"d" + key: np.zeros(np.shape(value)) for key, value in parameters.items()}


def _check_state(name, state, parameters):
    if not isinstance(state, dict):
        raise ValueError(f"state must be a dict, got {type(state).__name__}")
    needed = {"gd": (), "momentum": ("v",), "rmsprop": ("s",), "adam": ("v", "s", "t")}[name]
    for key in needed:
        if key not in state:
            raise ValueError(f"state for {name!r} must have key {key!r}, got keys {sorted(state)}")
        if key != "t":
            _check_like(f"state[{key!r}]", state[key], parameters)
    if name == "adam":
        t = state["t"]
        if isinstance(t, bool) or not isinstance(t, numbers.Integral) or t < 0:
            raise ValueError(f"state['t'] must be an integer >= 0, got {t!r}")


# ---------------------------------------------------------------------------- general API
def init_optimizer_state(name, parameters):
    """Create the initial state of optimizer ``name`` for ``parameters``.

    Parameters
    ----------
    name : {"gd", "momentum", "rmsprop", "adam"}
    parameters : dict of str -> ndarray
        Any parameter dict, e.g. ``{"W1": (n_1, n_0), "b1": (n_1, 1), ...}``.

    Returns
    -------
    state : dict
        ``{}`` for gd; ``{"v": v}`` for momentum; ``{"s": s}`` for rmsprop;
        ``{"v": v, "s": s, "t": 0}`` for adam, where ``v`` and ``s`` map ``"d" + key`` to
        zeros of the shape of ``parameters[key]`` and ``t`` counts the Adam steps taken.
    """
    _check_name(name)
    _check_parameters(parameters)
    if name == "gd":
        return {}
    if name == "momentum":
        return {"v": _zeros_like(parameters)}
    if name == "rmsprop":
        return {"s": _zeros_like(parameters)}
    return {"v": _zeros_like(parameters), "s": _zeros_like(parameters), "t": 0}


# ---------------------------------------------------------------------------- the update rules
# Operation order in every formula is the course's: it decides the last digit of the published
# numbers (``tests/test_course.py``), so keep each expression exactly as written.
def gd_step(parameters, grads, state, learning_rate):
    """One step of gradient descent: ``W = W - learning_rate * dW`` for every parameter.

    Parameters
    ----------
    parameters : dict of str -> ndarray
        Any parameter dict, e.g. ``{"W1": (n_1, n_0), "b1": (n_1, 1), ...}``.
    grads : dict of str -> ndarray
        ``grads["d" + key]`` has the shape of ``parameters[key]``.
    state : dict
        ``{}`` (gradient descent keeps no state; taken so every rule has one signature).
    learning_rate : float
        ``alpha > 0``.

    Returns
    -------
    new_parameters : dict
        New arrays; the inputs are not changed.
    new_state : dict
        ``{}``.
    """
    _check_step("gd", parameters, grads, state, learning_rate)
    return {k: W - learning_rate * grads["d" + k] for k, W in parameters.items()}, {}


def momentum_step(parameters, grads, state, learning_rate, *, beta=0.9):
    """One step of gradient descent with momentum.

    Parameters
    ----------
    parameters, grads, learning_rate
        As in :func:`gd_step`.
    state : dict
        ``{"v": v}``, ``v["d" + key]`` the velocity of ``parameters[key]`` (zeros at first:
        ``init_optimizer_state("momentum", parameters)``).
    beta : float, default 0.9
        ``0 <= beta < 1``; ``beta = 0`` is plain gradient descent.

    Returns
    -------
    new_parameters : dict
    new_state : dict
        ``{"v": new_v}``.

    Notes
    -----
    ``v = beta * v + (1 - beta) * dW``; ``W = W - learning_rate * v``.
    Keras and PyTorch leave out the ``(1 - beta)``: see :func:`optimizer_step`.
    """
    _check_step("momentum", parameters, grads, state, learning_rate)
    _check_decay("beta", beta)
    v, new_p = {}, {}
    for key, W in parameters.items():
        d = "d" + key
        v[d] = beta * state["v"][d] + (1 - beta) * grads[d]
        new_p[key] = W - learning_rate * v[d]
    return new_p, {"v": v}


def rmsprop_step(parameters, grads, state, learning_rate, *, beta2=0.999, epsilon=1e-8):
    """One RMSprop step.

    Parameters
    ----------
    parameters, grads, learning_rate
        As in :func:`gd_step`.
    state : dict
        ``{"s": s}``, ``s["d" + key]`` the running mean of ``dW**2`` (zeros at first).
    beta2 : float, default 0.999
        ``0 <= beta2 < 1``; Keras calls it ``rho`` (default 0.9), PyTorch ``alpha`` (0.99).
    epsilon : float, default 1e-8
        ``> 0``, added outside the square root.

    Returns
    -------
    new_parameters : dict
    new_state : dict
        ``{"s": new_s}``.

    Notes
    -----
    ``s = beta2 * s + (1 - beta2) * dW**2``; ``W = W - learning_rate * dW / (sqrt(s) + epsilon)``.
    """
    _check_step("rmsprop", parameters, grads, state, learning_rate)
    _check_decay("beta2", beta2)
    _check_epsilon(epsilon)
    s, new_p = {}, {}
    for key, W in parameters.items():
        d = "d" + key
        s[d] = beta2 * state["s"][d] + (1 - beta2) * np.power(grads[d], 2)
        new_p[key] = W - learning_rate * grads[d] / (np.sqrt(s[d]) + epsilon)
    return new_p, {"s": s}


def _check_adam(beta1, beta2, epsilon, bias_correction):
    _check_decay("beta1", beta1)
    _check_decay("beta2", beta2)
    _check_epsilon(epsilon)
    _check_bool("bias_correction", bias_correction)


def _adam(parameters, grads, v, s, t, learning_rate, beta1, beta2, epsilon, bias_correction):
    """Adam's formula, once, for :func:`adam_step` and :func:`update_parameters_with_adam`
    (which also returns the corrected moments). ``t`` is the number of this step, ``>= 1``."""
    new_p, new_v, new_s, v_corr, s_corr = {}, {}, {}, {}, {}
    for key, W in parameters.items():
        d = "d" + key
        g = grads[d]
        # Operation order is the course's: it decides the last digit of the published numbers.
        new_v[d] = beta1 * v[d] + (1 - beta1) * g
        new_s[d] = beta2 * s[d] + (1 - beta2) * np.power(g, 2)
        if bias_correction:
            v_corr[d] = new_v[d] / (1 - np.power(beta1, t))
            s_corr[d] = new_s[d] / (1 - np.power(beta2, t))
        else:
            v_corr[d], s_corr[d] = new_v[d], new_s[d]
        new_p[key] = W - learning_rate * v_corr[d] / (np.sqrt(s_corr[d]) + epsilon)
    return new_p, new_v, new_s, v_corr, s_corr


def adam_step(parameters, grads, state, learning_rate, *, beta1=0.9, beta2=0.999, epsilon=1e-8,
              bias_correction=True):
    """One Adam step, with bias correction and ``epsilon`` outside the square root.

    Parameters
    ----------
    parameters, grads, learning_rate
        As in :func:`gd_step`.
    state : dict
        ``{"v": v, "s": s, "t": t}``: first and second moments keyed ``"d" + key`` (zeros at
        first) and ``t``, the number of steps already taken (0 at first).
    beta1 : float, default 0.9
        Decay of the first moment ``v``, ``0 <= beta1 < 1``.
    beta2 : float, default 0.999
        Decay of the second moment ``s``, ``0 <= beta2 < 1``.
    epsilon : float, default 1e-8
        ``> 0``.
    bias_correction : bool, default True
        Divide ``v`` and ``s`` by ``1 - beta1**t`` and ``1 - beta2**t``.

    Returns
    -------
    new_parameters : dict
    new_state : dict
        ``{"v": new_v, "s": new_s, "t": t + 1}``: ``t`` counts every step, never reset.

    Notes
    -----
    ``t = t + 1``; ``v = beta1 * v + (1 - beta1) * dW``; ``v_c = v / (1 - beta1**t)``;
    ``s = beta2 * s + (1 - beta2) * dW**2``; ``s_c = s / (1 - beta2**t)``;
    ``W = W - learning_rate * v_c / (sqrt(s_c) + epsilon)``.
    The course's :func:`update_parameters_with_adam` takes the already incremented ``t``.
    """
    _check_step("adam", parameters, grads, state, learning_rate)
    _check_adam(beta1, beta2, epsilon, bias_correction)
    t = state["t"] + 1
    new_p, v, s, _, _ = _adam(parameters, grads, state["v"], state["s"], t, learning_rate,
                              beta1, beta2, epsilon, bias_correction)
    return new_p, {"v": v, "s": s, "t": t}


#: The rule each optimizer name runs: ``UPDATE_RULES[config.optimizer].__name__`` names it.
UPDATE_RULES = {"gd": gd_step, "momentum": momentum_step, "rmsprop": rmsprop_step,
                "adam": adam_step}
#: The hyperparameters each rule takes (``optimizer_step`` passes these and checks the rest).
_HYPERPARAMETERS = {"gd": (), "momentum": ("beta",), "rmsprop": ("beta2", "epsilon"),
                    "adam": ("beta1", "beta2", "epsilon", "bias_correction")}


def optimizer_step(name, parameters, grads, state, learning_rate, *, beta=0.9, beta1=0.9,
                   beta2=0.999, epsilon=1e-8, bias_correction=True):
    """Take one step of optimizer ``name``: ``UPDATE_RULES[name]`` with its hyperparameters.

    Parameters
    ----------
    name : {"gd", "momentum", "rmsprop", "adam"}
    parameters : dict of str -> ndarray
        Any parameter dict; each value keeps its shape.
    grads : dict of str -> ndarray
        ``grads["d" + key]`` has the shape of ``parameters[key]``.
    state : dict
        As returned by :func:`init_optimizer_state` or by the previous step.
    learning_rate : float
        ``alpha > 0``.
    beta : float, default 0.9
        Momentum's decay, ``0 <= beta < 1`` (``beta = 0`` is plain gradient descent).
    beta1 : float, default 0.9
        Adam's decay of the first moment ``v``.
    beta2 : float, default 0.999
        Decay of the second moment ``s`` for Adam *and for RMSprop*.
    epsilon : float, default 1e-8
        Added *outside* the square root, ``> 0``.
    bias_correction : bool, default True
        Adam only: divide ``v`` and ``s`` by ``1 - beta1**t`` and ``1 - beta2**t``.

    Returns
    -------
    new_parameters : dict
    new_state : dict
        For adam, ``t`` is incremented by one: it counts every step of the run, never reset.

    Raises
    ------
    ValueError
        Unknown ``name``, a missing or misshapen gradient or state entry, or a hyperparameter
        out of range (also one that ``name`` does not use); the message names the argument and
        the value received.

    Notes
    -----
    For every parameter ``W`` with gradient ``dW`` (each rule's docstring has the details):

    - gd, :func:`gd_step`: ``W = W - alpha * dW``
    - momentum, :func:`momentum_step`: ``v = beta * v + (1 - beta) * dW``; ``W = W - alpha * v``
    - rmsprop, :func:`rmsprop_step`: ``s = beta2 * s + (1 - beta2) * dW**2``;
      ``W = W - alpha * dW / (sqrt(s) + eps)``
    - adam, :func:`adam_step`: ``v``, ``s`` as above (``beta1`` for ``v``), bias-corrected by
      ``1 - beta**t``; ``W = W - alpha * v_c / (sqrt(s_c) + eps)``

    See also
    --------
    Keras ``SGD(momentum=m)`` uses ``v = m * v - alpha * dW; W = W + v`` and PyTorch
    ``torch.optim.SGD(momentum=m)`` uses ``v = m * v + dW; W = W - alpha * v``: neither has the
    course's ``(1 - beta)``, so their learning rate is ``1 / (1 - beta)`` times smaller for the
    same step. Keras ``RMSprop`` calls ``beta2`` ``rho`` (default 0.9), PyTorch calls it
    ``alpha`` (default 0.99). PyTorch ``Adam`` matches these formulas; Keras ``Adam`` folds the
    bias correction into the learning rate, which moves ``epsilon`` ("epsilon hat").
    """
    _check_name(name)
    for arg, value in (("beta", beta), ("beta1", beta1), ("beta2", beta2)):
        _check_decay(arg, value)
    _check_epsilon(epsilon)
    _check_bool("bias_correction", bias_correction)
    hyper = {"beta": beta, "beta1": beta1, "beta2": beta2, "epsilon": epsilon,
             "bias_correction": bias_correction}
    return UPDATE_RULES[name](parameters, grads, state, learning_rate,
                              **{k: hyper[k] for k in _HYPERPARAMETERS[name]})


# ---------------------------------------------------------------------------- course entry points
def update_parameters_with_gd(parameters, grads, learning_rate):
    """Course entry point: one step of gradient descent, ``W = W - alpha * dW``.

    Same as ``gd_step(parameters, grads, {}, learning_rate)[0]``.
    """
    return gd_step(parameters, grads, {}, learning_rate)[0]


def initialize_velocity(parameters):
    """Course entry point: ``v["d" + key]`` = zeros for every key (course: "dW1".."dbL").

    Same as ``init_optimizer_state("momentum", parameters)["v"]``.
    """
    return init_optimizer_state("momentum", parameters)["v"]


def update_parameters_with_momentum(parameters, grads, v, beta, learning_rate):
    """Course entry point: one momentum step, returns ``(parameters, v)``.

    ``v = beta * v + (1 - beta) * dW``; ``W = W - learning_rate * v``.
    Same as :func:`momentum_step` with ``state = {"v": v}``.
    """
    new_p, state = momentum_step(parameters, grads, {"v": v}, learning_rate, beta=beta)
    return new_p, state["v"]


def initialize_rmsprop(parameters):
    """Entry point in the course's style: ``s["d" + key]`` = zeros for every key.

    Same as ``init_optimizer_state("rmsprop", parameters)["s"]``.
    """
    return init_optimizer_state("rmsprop", parameters)["s"]


def update_parameters_with_rmsprop(parameters, grads, s, learning_rate, beta2=0.999,
                                   epsilon=1e-8):
    """One RMSprop step in the course's style, returns ``(parameters, s)``.

    ``s = beta2 * s + (1 - beta2) * dW**2``; ``W = W - learning_rate * dW / (sqrt(s) + epsilon)``.
    Keras calls ``beta2`` ``rho``. Same as :func:`rmsprop_step` with ``state = {"s": s}``.
    """
    new_p, state = rmsprop_step(parameters, grads, {"s": s}, learning_rate, beta2=beta2,
                                epsilon=epsilon)
    return new_p, state["s"]


def initialize_adam(parameters):
    """Course entry point: returns ``(v, s)``, zeros keyed ``"d" + key``."""
    state = init_optimizer_state("adam", parameters)
    return state["v"], state["s"]


def update_parameters_with_adam(parameters, grads, v, s, t, learning_rate=0.01, beta1=0.9,
                                beta2=0.999, epsilon=1e-8):
    """Course entry point: one Adam step.

    Parameters
    ----------
    t : int
        The number of *this* step, ``t >= 1``: as in the course, the caller increments its
        counter before the call (``t = t + 1``).

    Returns
    -------
    parameters, v, s, v_corrected, s_corrected : dict
        As the course's function. The step is :func:`adam_step`'s (same formula, same code),
        which keeps ``t`` in its state and increments it itself.
    """
    if isinstance(t, bool) or not isinstance(t, numbers.Integral) or t < 1:
        raise ValueError(f"t must be an integer >= 1 (the number of this step), got {t!r}")
    _check_step("adam", parameters, grads, {"v": v, "s": s, "t": t - 1}, learning_rate)
    _check_adam(beta1, beta2, epsilon, True)
    return _adam(parameters, grads, v, s, t, learning_rate, beta1, beta2, epsilon, True)
