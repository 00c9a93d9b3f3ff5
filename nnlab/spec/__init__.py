"""The course in its own notation: the specification of every computation and the notebook API.

Activations, layers (``forward -> (out, cache)`` / ``backward``), losses, initializers, the
L-layer model, the update rules (``gd_step``, ``momentum_step``, ``rmsprop_step``,
``adam_step``), learning-rate schedules, mini-batches, exponentially weighted averages and
gradient checking, written as a clean solution of the assignments. The fast core
(``nnlab.core``) is tested equal to these functions.
"""
