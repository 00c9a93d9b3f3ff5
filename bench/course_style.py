"""The baseline: an L-layer network written the way the course's assignments write it.

A dict of parameters, a list of caches, helper functions per layer, ``dAL`` from the
cross-entropy formula, ``relu_backward`` by boolean indexing, ``1./m`` in every linear backward,
the cost computed at every iteration, ``random_mini_batches`` with ``list(permutation)``, Adam
with ``v_corrected`` / ``s_corrected`` dicts. No tricks: every figure of ``python -m bench`` is
a ratio against this code, run in the same process on the same data.
"""

from __future__ import annotations

import math

import numpy as np


def initialize_parameters_he(layers_dims, rng):
    parameters = {}
    L = len(layers_dims) - 1
    for l in range(1, L + 1):
        parameters["W" + str(l)] = (rng.standard_normal((layers_dims[l], layers_dims[l - 1]))
                                    * np.sqrt(2.0 / layers_dims[l - 1]))
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters


def sigmoid(Z):
    return 1 / (1 + np.exp(-Z)), Z


def relu(Z):
    return np.maximum(0, Z), Z


def relu_backward(dA, cache):
    Z = cache
    dZ = np.array(dA, copy=True)
    dZ[Z <= 0] = 0
    return dZ


def sigmoid_backward(dA, cache):
    Z = cache
    s = 1 / (1 + np.exp(-Z))
    return dA * s * (1 - s)


def linear_forward(A, W, b):
    Z = np.dot(W, A) + b
    return Z, (A, W, b)


def linear_activation_forward(A_prev, W, b, activation):
    Z, linear_cache = linear_forward(A_prev, W, b)
    A, activation_cache = sigmoid(Z) if activation == "sigmoid" else relu(Z)
    return A, (linear_cache, activation_cache)


def L_model_forward(X, parameters):
    caches = []
    A = X
    L = len(parameters) // 2
    for l in range(1, L):
        A, cache = linear_activation_forward(A, parameters["W" + str(l)],
                                             parameters["b" + str(l)], "relu")
        caches.append(cache)
    AL, cache = linear_activation_forward(A, parameters["W" + str(L)],
                                          parameters["b" + str(L)], "sigmoid")
    caches.append(cache)
    return AL, caches


def compute_cost(AL, Y):
    """The summed cross-entropy (the optimization assignment's ``compute_cost``)."""
    logprobs = np.multiply(-np.log(AL), Y) + np.multiply(-np.log(1 - AL), 1 - Y)
    return np.sum(logprobs)


def linear_backward(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    dW = 1. / m * np.dot(dZ, A_prev.T)
    db = 1. / m * np.sum(dZ, axis=1, keepdims=True)
    dA_prev = np.dot(W.T, dZ)
    return dA_prev, dW, db


def linear_activation_backward(dA, cache, activation):
    linear_cache, activation_cache = cache
    if activation == "relu":
        dZ = relu_backward(dA, activation_cache)
    else:
        dZ = sigmoid_backward(dA, activation_cache)
    return linear_backward(dZ, linear_cache)


def L_model_backward(AL, Y, caches):
    grads = {}
    L = len(caches)
    Y = Y.reshape(AL.shape)
    dAL = - (np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
    current_cache = caches[L - 1]
    grads["dA" + str(L - 1)], grads["dW" + str(L)], grads["db" + str(L)] = (
        linear_activation_backward(dAL, current_cache, "sigmoid"))
    for l in reversed(range(L - 1)):
        current_cache = caches[l]
        dA_prev_temp, dW_temp, db_temp = linear_activation_backward(
            grads["dA" + str(l + 1)], current_cache, "relu")
        grads["dA" + str(l)] = dA_prev_temp
        grads["dW" + str(l + 1)] = dW_temp
        grads["db" + str(l + 1)] = db_temp
    return grads


def update_parameters(parameters, grads, learning_rate):
    L = len(parameters) // 2
    for l in range(L):
        parameters["W" + str(l + 1)] = (parameters["W" + str(l + 1)]
                                        - learning_rate * grads["dW" + str(l + 1)])
        parameters["b" + str(l + 1)] = (parameters["b" + str(l + 1)]
                                        - learning_rate * grads["db" + str(l + 1)])
    return parameters


def random_mini_batches(X, Y, mini_batch_size, rng):
    m = X.shape[1]
    mini_batches = []
    permutation = list(rng.permutation(m))
    shuffled_X = X[:, permutation]
    shuffled_Y = Y[:, permutation].reshape((1, m))
    num_complete_minibatches = math.floor(m / mini_batch_size)
    for k in range(0, num_complete_minibatches):
        mini_batch_X = shuffled_X[:, k * mini_batch_size:(k + 1) * mini_batch_size]
        mini_batch_Y = shuffled_Y[:, k * mini_batch_size:(k + 1) * mini_batch_size]
        mini_batches.append((mini_batch_X, mini_batch_Y))
    if m % mini_batch_size != 0:
        mini_batch_X = shuffled_X[:, num_complete_minibatches * mini_batch_size:]
        mini_batch_Y = shuffled_Y[:, num_complete_minibatches * mini_batch_size:]
        mini_batches.append((mini_batch_X, mini_batch_Y))
    return mini_batches


def initialize_adam(parameters):
    L = len(parameters) // 2
    v, s = {}, {}
    for l in range(L):
        for p in ("W", "b"):
            v["d" + p + str(l + 1)] = np.zeros(parameters[p + str(l + 1)].shape)
            s["d" + p + str(l + 1)] = np.zeros(parameters[p + str(l + 1)].shape)
    return v, s


def update_parameters_with_adam(parameters, grads, v, s, t, learning_rate=0.01, beta1=0.9,
                                beta2=0.999, epsilon=1e-8):
    L = len(parameters) // 2
    v_corrected, s_corrected = {}, {}
    for l in range(L):
        for p in ("W", "b"):
            key, d = p + str(l + 1), "d" + p + str(l + 1)
            v[d] = beta1 * v[d] + (1 - beta1) * grads[d]
            v_corrected[d] = v[d] / (1 - np.power(beta1, t))
            s[d] = beta2 * s[d] + (1 - beta2) * np.power(grads[d], 2)
            s_corrected[d] = s[d] / (1 - np.power(beta2, t))
            parameters[key] = (parameters[key]
                               - learning_rate * v_corrected[d] / (np.sqrt(s_corrected[d])
                                                                   + epsilon))
    return parameters, v, s, v_corrected, s_corrected


def model(X, Y, layers_dims, *, optimizer="gd", learning_rate=0.0007, mini_batch_size=None,
          num_epochs=1000, seed=0):
    """Train as the assignments do; returns ``(parameters, costs)`` (one cost per epoch)."""
    rng = np.random.RandomState(seed)
    parameters = initialize_parameters_he(layers_dims, rng)
    v, s = initialize_adam(parameters) if optimizer == "adam" else (None, None)
    t, m, costs = 0, X.shape[1], []
    for _ in range(num_epochs):
        if mini_batch_size is None:
            minibatches = [(X, Y)]
        else:
            minibatches = random_mini_batches(X, Y, mini_batch_size, rng)
        cost_total = 0
        for minibatch_X, minibatch_Y in minibatches:
            AL, caches = L_model_forward(minibatch_X, parameters)
            cost_total += compute_cost(AL, minibatch_Y)
            grads = L_model_backward(AL, minibatch_Y, caches)
            if optimizer == "adam":
                t = t + 1
                parameters, v, s, _, _ = update_parameters_with_adam(
                    parameters, grads, v, s, t, learning_rate)
            else:
                parameters = update_parameters(parameters, grads, learning_rate)
        costs.append(cost_total / m)
    return parameters, costs
