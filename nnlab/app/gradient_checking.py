"""Glue of the "Gradient checking" page: a small random problem and cached checks.

Every check is ``nnlab.spec.gradcheck.check_gradients`` on a problem built from the settings alone
(a seed, never a generator), cached with ``st.cache_data`` keyed on those settings and the
engine version.
"""

from __future__ import annotations

import numpy as np

from nnlab import course
from nnlab.app.runs import Work, cached_work
from nnlab.data.datasets import one_hot
from nnlab.spec import gradcheck, model
from nnlab.spec.initializers import initialize_parameters

#: Size of the random problem: inputs, examples, classes (softmax output).
N_X, M, N_CLASSES = 4, 8, 3
#: Spread of the random biases (nonzero, so that no ReLU sits exactly on its kink).
BIAS_SCALE = 0.5
#: Epsilons of the sweep, from round-off dominated (left) to truncation dominated (right).
SWEEP_EPSILONS = tuple(10.0 ** -k for k in range(12, 0, -1))
#: The thresholds drawn on the charts, course wording.
THRESHOLDS = {"fine ≈ 1e-7": 1e-7, "look closer ≈ 1e-5": 1e-5, "bug ≥ 1e-3": 1e-3}
#: Seconds of one cost evaluation of a check: a fixed part and one per layer (the problem has
#: M = 8 examples, so the layers' Python overhead dominates, not their products). Measured on
#: the 2-core development machine, 2026-12-04: 6 hidden layers of 32, 172 µs an evaluation.
EVAL_SECONDS, LAYER_SECONDS = 10e-6, 25e-6
#: The select box's "no bug" choice (a string: a None option breaks URL binding and AppTest).
NO_BUG = "none"
BUG_LABELS = {
    NO_BUG: "none: correct backprop",
    "dW2_doubled": "dW2 doubled",
    "db1_times_4": "db1 times 4",
    "course": "the course's: dW2 × 2 and db1 × 4",
    "sign_error": "sign error: dA¹ flipped on its way down from layer 2",
    "l2_missing": "L2 term left out of dW",
}


def problem(hidden_units: tuple, output: str, seed: int):
    """``X`` (N_X, M) standard normal, labels ``Y`` ((1, M) for sigmoid, one-hot (C, M) for
    softmax), He-initialized weights and random biases ``BIAS_SCALE * N(0, 1)``, all from
    ``default_rng(seed)``.

    Zero biases would be a trap: an example whose layer-1 ReLUs are all off gets
    ``Z2 = b2 = 0`` exactly, on ReLU's kink, and the finite difference of ``b2`` straddles it.
    """
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((N_X, M))
    n_y = 1 if output == "sigmoid" else N_CLASSES
    labels = (rng.random((1, M)) * (2 if n_y == 1 else N_CLASSES)).astype(int)
    Y = labels.astype(float) if n_y == 1 else one_hot(labels, N_CLASSES)
    params = initialize_parameters((N_X, *hidden_units, n_y), "he", rng=rng)
    for key in sorted(params):
        if key.startswith("b"):
            params[key] = BIAS_SCALE * rng.standard_normal(params[key].shape)
    return X, Y, params


def _settings(hidden_units, activation, output, lambd, keep_prob, fixed_mask, bug, seed):
    X, Y, params = problem(tuple(hidden_units), output, seed)
    kwargs = dict(hidden_activation=activation, output=output, lambd=lambd, keep_prob=keep_prob,
                  fixed_mask=fixed_mask, mask_seed=seed, bug=bug)
    return X, Y, params, kwargs


def check_seconds(hidden_units, output: str = "sigmoid", n_epsilons: int = 1) -> float:
    """The estimated seconds of a gradient check (``n_epsilons`` of them for a sweep): two cost
    evaluations per parameter, each :data:`EVAL_SECONDS` plus :data:`LAYER_SECONDS` a layer.
    Charged to the click's budget before the check runs (``Work.spend``)."""
    dims = (N_X, *hidden_units, 1 if output == "sigmoid" else N_CLASSES)
    n_params = sum(dims[l] * dims[l - 1] + dims[l] for l in range(1, len(dims)))
    return n_epsilons * 2 * n_params * (EVAL_SECONDS + LAYER_SECONDS * (len(dims) - 1))


@cached_work
def _check(work: Work, hidden_units, activation, output, lambd, keep_prob, fixed_mask, bug,
           seed, epsilon) -> dict:
    work.spend(check_seconds(hidden_units, output), "This gradient check")
    X, Y, params, kwargs = _settings(hidden_units, activation, output, lambd, keep_prob,
                                     fixed_mask, bug, seed)
    r = gradcheck.check_gradients(X, Y, params, epsilon=epsilon, **kwargs)
    return {"difference": r.difference, "per_parameter": dict(r.per_parameter),
            "verdict": r.verdict}


def check(hidden_units, activation="relu", output="sigmoid", lambd=0.0, keep_prob=1.0,
          fixed_mask=True, bug=None, seed=0, epsilon=gradcheck.EPSILON) -> dict:
    """Cached check: ``difference``, ``per_parameter`` (key -> difference), ``verdict``."""
    return _check(tuple(hidden_units), activation, output, float(lambd), float(keep_prob),
                  bool(fixed_mask), bug, int(seed), float(epsilon))


@cached_work(max_entries=64)
def _sweep(work: Work, hidden_units, activation, output, lambd, keep_prob, fixed_mask, bug,
           seed, epsilons) -> list:
    work.spend(check_seconds(hidden_units, output, len(epsilons)), "The epsilon sweep")
    X, Y, params, kwargs = _settings(hidden_units, activation, output, lambd, keep_prob,
                                     fixed_mask, bug, seed)
    out = []
    for i, eps in enumerate(epsilons):
        out += gradcheck.epsilon_sweep(X, Y, params, [eps], **kwargs)
        work.progress((i + 1) / len(epsilons), f"epsilon sweep: {eps:.0e}")
    return out


def sweep(hidden_units, activation="relu", output="sigmoid", lambd=0.0, keep_prob=1.0,
          fixed_mask=True, bug=None, seed=0, epsilons=SWEEP_EPSILONS) -> list:
    """Cached ``gradcheck.epsilon_sweep``: a list of ``(epsilon, difference)``."""
    return _sweep(tuple(hidden_units), activation, output, float(lambd), float(keep_prob),
                  bool(fixed_mask), bug, int(seed), tuple(float(e) for e in epsilons))


def bug_applies(bug, hidden_units) -> bool:
    """Whether ``bug`` touches this network: dW2 and the sign error need a second layer (one
    hidden layer at least). The L2 bug also needs ``lambd > 0`` (checked by the page)."""
    return not (bug in ("dW2_doubled", "sign_error") and len(hidden_units) == 0)


def bug_table(hidden_units, activation, output, lambd, seed) -> list[dict]:
    """Every bug of ``model.BUGS`` on this model: overall difference, verdict, and the
    parameters whose own difference is above the bug threshold."""
    rows = []
    for bug in (None, *model.BUGS):
        r = check(hidden_units, activation, output, lambd, bug=bug, seed=seed)
        flagged = [k for k, v in r["per_parameter"].items() if v > gradcheck.THRESHOLDS["bug"]]
        rows.append({"bug injected": BUG_LABELS[bug or NO_BUG], "difference": r["difference"],
                     "verdict": r["verdict"], "parameters above 1e-3": ", ".join(flagged) or "—"})
    return rows


def dropout_table(hidden_units, activation, output, lambd, keep_prob, seed) -> list[dict]:
    """No dropout, dropout with the mask fixed, dropout with a fresh mask per evaluation."""
    cases = [("no dropout (keep_prob = 1)", 1.0, True),
             (f"keep_prob = {keep_prob:g}, same mask every evaluation", keep_prob, True),
             (f"keep_prob = {keep_prob:g}, new mask every evaluation", keep_prob, False)]
    rows = []
    for label, kp, fixed in cases:
        r = check(hidden_units, activation, output, lambd, kp, fixed, None, seed)
        rows.append({"dropout": label, "difference": r["difference"], "verdict": r["verdict"]})
    return rows


@cached_work(max_entries=1)
def _course(work: Work) -> dict:
    return course.run_gradient_checks()


def course_rows() -> list[dict]:
    """The course's 1-D and N-D checks next to the published numbers."""
    got = _course()
    names = {"one_dimensional": "1-D: J(θ) = θx, x = 2, θ = 4",
             "n_dimensional": "N-D: 3-layer net, correct backprop",
             "n_dimensional_buggy": "N-D: 3-layer net, buggy backprop (dW2 × 2, db1 × 4)"}
    published = course.GRADIENT_CHECK_PUBLISHED
    return [{"check": names[k], "nnlab": got[k],
             "published": published[k] if published[k] is not None else float("nan"),
             "verdict": gradcheck.verdict(got[k])} for k in names]
