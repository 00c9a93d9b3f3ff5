"""The L-layer network: forward and backward at any depth, with L2, dropout and batch norm.

``forward`` returns the output ``AL`` and one cache per layer; ``backward`` turns them into a
``grads`` dict with the parameters' keys prefixed by ``d``. Hidden layers use one activation
(relu, tanh, sigmoid, leaky_relu or linear); the output is sigmoid (binary, ``Y`` is ``(1, m)``)
or softmax (``Y`` is one-hot ``(C, m)``). The number of layers is ``len(layer_dims) - 1``, read
here from the weights ``W1..WL`` present in ``parameters``.
"""

from __future__ import annotations

import numpy as np

from nnlab._validate import check_choice, check_float, labels_2d
from nnlab.spec import activations, layers, losses

OUTPUTS = ("sigmoid", "softmax")
NUMERICS = ("stable", "course")
BUGS = ("dW2_doubled", "db1_times_4", "course", "sign_error", "l2_missing")


def num_layers(parameters) -> int:
    """``L``: the number of consecutive weight matrices ``W1..WL`` in ``parameters``."""
    L = 0
    while f"W{L + 1}" in parameters:
        L += 1
    if L == 0:
        raise ValueError("parameters has no 'W1': expected keys W1..WL (and b1..bL)")
    return L


def forward(X, parameters, *, hidden_activation="relu", output="sigmoid", keep_prob=1.0,
            rng=None, masks=None, batch_norm=False, bn_state=None, mode="train",
            bn_momentum=layers.BN_MOMENTUM, numerics="stable"):
    """Forward propagation ``[LINEAR -> (BATCHNORM) -> ACT -> (DROPOUT)] * (L-1) -> LINEAR -> OUT``.

    Parameters
    ----------
    X : ndarray (n_x, m)
    parameters : dict with ``W{l}`` (n_l, n_{l-1}) and ``b{l}`` (n_l, 1), or ``gamma{l}``,
        ``beta{l}`` (n_l, 1) for batch-norm hidden layers.
    keep_prob : float in (0, 1]
        Dropout on hidden activations in train mode; never at test time.
    rng : random generator for the dropout masks (a generator re-made from the same seed at
        every step gives the course's fixed mask).
    masks : dict l -> bool mask, optional; fixes the dropout masks (gradient checking).
    batch_norm : bool
    bn_state : dict ``mean{l}``, ``var{l}`` of running statistics, or None.
    mode : "train" or "test"
    numerics : "stable" (overflow-free sigmoid) or "course" (the course's literal sigmoid).

    Returns
    -------
    AL : ndarray (n_L, m) output probabilities
    caches : list of L dicts (keys ``linear``, ``Z``, ``bn``, ``dropout``, ``A``)
    bn_state : dict, the updated running statistics (empty without batch norm)
    """
    check_choice("output", output, OUTPUTS)
    check_choice("mode", mode, ("train", "test"))
    check_choice("numerics", numerics, NUMERICS)
    act, _ = activations.get_activation(hidden_activation)
    L = num_layers(parameters)
    if X.ndim != 2 or X.shape[0] != parameters["W1"].shape[1]:
        raise ValueError(
            f"X must have shape (n_x={parameters['W1'].shape[1]}, m), got {np.shape(X)}")
    bn_state = dict(bn_state or {})
    caches, A = [], X
    for l in range(1, L + 1):
        W = parameters[f"W{l}"]
        use_bn = batch_norm and l < L
        Z, lin = layers.linear_forward(A, W, None if use_bn else parameters[f"b{l}"])
        cache = {"linear": lin, "bn": None, "dropout": (None, 1.0)}
        if use_bn:
            Z, cache["bn"], (mean, var) = layers.batchnorm_forward(
                Z, parameters[f"gamma{l}"], parameters[f"beta{l}"], mode=mode,
                running_mean=bn_state.get(f"mean{l}"), running_var=bn_state.get(f"var{l}"),
                momentum=bn_momentum)
            bn_state[f"mean{l}"], bn_state[f"var{l}"] = mean, var
        cache["Z"] = Z
        if l < L:
            A = act(Z)
            if mode == "train" and keep_prob < 1.0:
                mask = None if masks is None else masks.get(l)
                A, cache["dropout"] = layers.dropout_forward(A, keep_prob, rng, mask)
        elif output == "softmax":
            A = activations.softmax(Z)
        else:
            A = activations.sigmoid_plain(Z) if numerics == "course" else activations.sigmoid(Z)
        cache["A"] = A
        caches.append(cache)
    return A, caches, bn_state


def cross_entropy_sum(AL, caches, Y, *, output="sigmoid", numerics="stable"):
    """Summed (not averaged) cross-entropy of a forward pass; see ``nnlab.spec.losses``."""
    if output == "softmax":
        return losses.softmax_cross_entropy_from_logits_sum(caches[-1]["Z"], Y)
    if numerics == "course":
        return losses.binary_cross_entropy_sum_course(AL, Y)
    return losses.binary_cross_entropy_from_logits_sum(caches[-1]["Z"], Y)


def compute_cost(AL, caches, Y, parameters, *, lambd=0.0, output="sigmoid", numerics="stable"):
    """``J = (1/m) * cross_entropy + lambd/(2m) * sum_l ||W_l||^2`` for one forward pass.

    ``Y`` is ``(n_L, m)``; a 1-D label array ``(m,)`` is read as ``(1, m)``.
    """
    Y = labels_2d(Y)
    m = Y.shape[1]
    ce = cross_entropy_sum(AL, caches, Y, output=output, numerics=numerics)
    # (1/m) * sum, not sum / m: the course's form, which decides the last digit.
    return (1.0 / m) * ce + losses.l2_penalty(parameters, lambd, m, len(caches))


def backward(AL, Y, caches, parameters, *, hidden_activation="relu", lambd=0.0, bug=None,
             l2_m=None):
    """Backward propagation for the network that ``forward`` ran.

    Parameters
    ----------
    AL : ndarray (n_L, m) output of ``forward``
    Y : ndarray (n_L, m) labels (one-hot for softmax); a 1-D ``(m,)`` is read as ``(1, m)``
    caches : list from ``forward``
    lambd : float, L2 strength (adds ``lambd/m * W`` to each ``dW``)
    l2_m : int, optional; the ``m`` of the L2 term (default: this batch's ``m``). A mini-batch
        loop passes the whole training set's ``m`` so that the batch cost
        ``CE_b/m_b + lambd/(2m) sum W**2`` is an unbiased estimate of the full cost.
    bug : str, optional
        Inject a known mistake for the gradient-checking demo: one of ``BUGS``.

    Returns
    -------
    grads : dict ``dW{l}``, ``db{l}`` (or ``dgamma{l}``, ``dbeta{l}``) with the parameters' shapes.

    Notes
    -----
    Sigmoid with binary cross-entropy and softmax with categorical cross-entropy share the
    output gradient ``dZ_L = (A_L - Y) / m``; the ``1/m`` rides along in every ``dZ`` below it.
    """
    Y = labels_2d(Y)
    if AL.shape != Y.shape:
        raise ValueError(f"AL has shape {AL.shape} but Y has shape {Y.shape}; they must match")
    if bug is not None:
        check_choice("bug", bug, BUGS)
    lambd = check_float("lambd", lambd, low=0)
    _, act_backward = activations.get_activation(hidden_activation)
    L, m = len(caches), Y.shape[1]
    grads, dA = {}, None
    dZ = (AL - Y) / m
    for l in range(L, 0, -1):
        cache = caches[l - 1]
        if l < L:
            dA = layers.dropout_backward(dA, cache["dropout"])
            dZ = act_backward(dA, cache["Z"])
            if cache["bn"] is not None:
                dZ, grads[f"dgamma{l}"], grads[f"dbeta{l}"] = layers.batchnorm_backward(
                    dZ, cache["bn"])
        dA, dW, db = layers.linear_backward(dZ, cache["linear"])
        if lambd and bug != "l2_missing":
            dW = dW + (lambd / (l2_m or m)) * parameters[f"W{l}"]
        grads[f"dW{l}"] = dW
        if db is not None:
            grads[f"db{l}"] = db
        if bug == "sign_error" and l == 2:
            dA = -dA
    if bug in ("dW2_doubled", "course") and "dW2" in grads:
        grads["dW2"] = grads["dW2"] * 2
    if bug in ("db1_times_4", "course") and "db1" in grads:
        grads["db1"] = grads["db1"] * 4
    return grads


def predict_proba(X, parameters, *, hidden_activation="relu", output="sigmoid",
                  batch_norm=False, bn_state=None):
    """Output probabilities ``(n_L, m)`` in test mode (no dropout, running batch-norm stats)."""
    AL, _, _ = forward(X, parameters, hidden_activation=hidden_activation, output=output,
                       batch_norm=batch_norm, bn_state=bn_state,
                       mode="test" if batch_norm else "train")
    return AL


def predict(X, parameters, **kwargs):
    """Predicted labels ``(1, m)``: ``a > 0.5`` for sigmoid, the arg-max class for softmax."""
    AL = predict_proba(X, parameters, **kwargs)
    if AL.shape[0] == 1:
        return (AL > 0.5).astype(float)
    return np.argmax(AL, axis=0).reshape(1, -1).astype(float)


def accuracy(predictions, labels) -> float:
    """Fraction of columns where ``predictions == labels`` (both ``(1, m)`` label arrays).

    A 1-D ``(m,)`` array (either one) is read as ``(1, m)``; other shapes must match exactly.
    """
    predictions, labels = labels_2d(predictions), labels_2d(labels)
    if predictions.shape != labels.shape:
        raise ValueError(
            f"predictions has shape {predictions.shape} but labels has shape {labels.shape}")
    return float(np.mean(predictions == labels))
