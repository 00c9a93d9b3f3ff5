"""Weight initializers: zeros, large random, Xavier, He, and the Glorot/He uniform variants.

Weights are drawn directly in their final shape ``(n_l, n_prev)`` in the order W1, W2, ... from
the ``rng`` given (the course draws them this way; drawing the transpose changes every result).
Biases start at zero. With batch norm, hidden layers get ``gamma`` (ones) and ``beta`` (zeros)
instead of a bias, since the normalization's mean subtraction cancels any bias.
"""

from __future__ import annotations

import numpy as np

from nnlab._validate import check_choice, check_float, check_int

RANDOM_SCALE = 10.0  # the course's "large random" initialization


# name -> (distribution, default scale as a function of n_prev, n_l)
_INITIALIZERS = {
    "zeros": ("zeros", lambda n_prev, n_l: 0.0),
    "random": ("normal", lambda n_prev, n_l: RANDOM_SCALE),
    "xavier": ("normal", lambda n_prev, n_l: np.sqrt(1.0 / n_prev)),
    "he": ("normal", lambda n_prev, n_l: np.sqrt(2.0 / n_prev)),
    "glorot_uniform": ("uniform", lambda n_prev, n_l: np.sqrt(6.0 / (n_prev + n_l))),
    "he_uniform": ("uniform", lambda n_prev, n_l: np.sqrt(6.0 / n_prev)),
}
ALIASES = {
    "zero": "zeros",
    "large_random": "random",
    "normal": "random",
    "lecun": "xavier",
    "lecun_normal": "xavier",
    "glorot": "xavier",
    "he_normal": "he",
    "kaiming": "he",
    "kaiming_normal": "he",
    "xavier_uniform": "glorot_uniform",
    "kaiming_uniform": "he_uniform",
}
INITIALIZERS = tuple(_INITIALIZERS)


def resolve_initializer(name: str) -> str:
    """Return the canonical initializer name for ``name`` or one of its aliases.

    Examples: ``"he_normal"`` and ``"kaiming"`` -> ``"he"``; ``"lecun"`` -> ``"xavier"``.
    """
    if not isinstance(name, str):
        raise ValueError(f"initializer must be a string, got {name!r}")
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    key = ALIASES.get(key, key)
    check_choice("initializer", key, INITIALIZERS + tuple(ALIASES))
    return key


def check_layer_dims(layer_dims) -> tuple[int, ...]:
    """Validate ``layer_dims = (n_0, n_1, ..., n_L)``: at least two positive integers."""
    if isinstance(layer_dims, (str, bytes)) or not hasattr(layer_dims, "__len__"):
        raise ValueError(f"layer_dims must be a sequence of positive integers, got {layer_dims!r}")
    if len(layer_dims) < 2:
        raise ValueError(f"layer_dims needs an input and an output size, got {tuple(layer_dims)!r}")
    for i, n in enumerate(layer_dims):
        check_int(f"layer_dims[{i}]", n, low=1)
    return tuple(int(n) for n in layer_dims)


def initialize_weight(name: str, n_l: int, n_prev: int, rng, scale: float | None = None):
    """Draw one weight matrix ``W`` of shape ``(n_l, n_prev)``.

    Parameters
    ----------
    name : str
        Initializer name or alias (see ``INITIALIZERS``).
    scale : float, optional
        Overrides the initializer's standard deviation (normal) or limit (uniform). For
        ``"random"`` this is the course's multiplier (default 10).

    Notes
    -----
    Normal initializers: ``W = rng.standard_normal((n_l, n_prev)) * scale`` with scale 10
    (random), ``sqrt(1/n_prev)`` (Xavier, the course's form, a.k.a. LeCun normal) or
    ``sqrt(2/n_prev)`` (He). Uniform: ``W = (2 * rng.random(shape) - 1) * limit`` with limit
    ``sqrt(6/(n_prev+n_l))`` (Glorot uniform) or ``sqrt(6/n_prev)`` (He uniform).

    See also Keras ``GlorotNormal`` (which uses ``2/(n_in+n_out)``, not the course's ``1/n_in``),
    ``HeNormal`` (truncated), PyTorch ``kaiming_normal_``.
    """
    name = resolve_initializer(name)
    dist, default = _INITIALIZERS[name]
    s = default(n_prev, n_l) if scale is None else check_float("scale", scale, low=0)
    if dist == "zeros":
        return np.zeros((n_l, n_prev))
    if dist == "normal":
        return rng.standard_normal((n_l, n_prev)) * s
    return (2.0 * rng.random((n_l, n_prev)) - 1.0) * s


def initialize_parameters(layer_dims, initializer="he", *, rng, scale=None, batch_norm=False):
    """Initialize an L-layer network.

    Parameters
    ----------
    layer_dims : sequence of int
        ``(n_0, n_1, ..., n_L)``; the network has ``L = len(layer_dims) - 1`` layers.
    initializer : str
        Name or alias, see ``INITIALIZERS``.
    rng : np.random.Generator or np.random.RandomState
        Source of randomness (a ``RandomState(3)`` reproduces the course's weights).
    scale : float, optional
        Override of the initializer's scale (the "random x scale" slider).
    batch_norm : bool
        If true, hidden layers ``1..L-1`` get ``gamma{l}`` (ones, ``(n_l, 1)``) and ``beta{l}``
        (zeros) instead of ``b{l}``; the output layer keeps its bias.

    Returns
    -------
    parameters : dict
        ``W{l}`` of shape ``(n_l, n_{l-1})`` and ``b{l}`` of shape ``(n_l, 1)`` (or gamma/beta).
    """
    dims = check_layer_dims(layer_dims)
    name = resolve_initializer(initializer)
    L = len(dims) - 1
    parameters = {}
    for l in range(1, L + 1):
        parameters[f"W{l}"] = initialize_weight(name, dims[l], dims[l - 1], rng, scale)
        if batch_norm and l < L:
            parameters[f"gamma{l}"] = np.ones((dims[l], 1))
            parameters[f"beta{l}"] = np.zeros((dims[l], 1))
        else:
            parameters[f"b{l}"] = np.zeros((dims[l], 1))
    return parameters


def initialize_parameters_zeros(layers_dims):
    """The course's ``initialize_parameters_zeros``: every weight and bias is 0."""
    return initialize_parameters(layers_dims, "zeros", rng=np.random.RandomState(0))


def initialize_parameters_random(layers_dims, rng=None):
    """The course's ``initialize_parameters_random``: ``randn * 10`` from ``RandomState(3)``."""
    rng = np.random.RandomState(3) if rng is None else rng
    return initialize_parameters(layers_dims, "random", rng=rng)


def initialize_parameters_he(layers_dims, rng=None):
    """The course's ``initialize_parameters_he``: ``randn * sqrt(2/n_prev)``, ``RandomState(3)``."""
    rng = np.random.RandomState(3) if rng is None else rng
    return initialize_parameters(layers_dims, "he", rng=rng)
