"""Glue of the "Optimizers" page: four optimizers on one budget, Adam's bias correction, and
the course's optimization experiments.

Widget keys (and query parameters) are ``<optimizer>_<field>``: ``gd_learning_rate``,
``momentum_beta``, ``adam_beta1``, ...; the shared budget is ``opt_num_epochs``,
``opt_mini_batch_size`` and ``opt_seed``.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from nnlab import course
from nnlab.app import bound, controls
from nnlab.app.charts import chart_spec
from nnlab.app.runs import Work, cached_work, train_cached
from nnlab.config import TrainConfig
from nnlab.lessons import claims
from nnlab.lessons.optimizer_paths import adam_step_sizes
from nnlab.viz import curves_chart

#: The network and data every variant trains (the budget widgets change epochs, mini-batch, seed).
BASE = TrainConfig(dataset="moons", n_samples=300, hidden_units=(10, 5), learning_rate=0.01,
                   mini_batch_size=64, num_epochs=300)
#: Display names of the optimizers, in the page's order.
NAMES = {"gd": "gradient descent", "momentum": "momentum", "rmsprop": "RMSprop", "adam": "Adam"}
EPOCH_CHOICES = (50, 100, 200, 300, 500, 1000, 2000)
#: Steps shown on the bias-correction chart, and epochs on its cost chart.
BIAS_STEPS = 60
BIAS_EPOCHS = 40

COURSE_SHOWN_KEY = "opt_course_shown"


def budget_controls() -> dict:
    """Epochs, mini-batch size and seed shared by the four optimizers (in the sidebar)."""
    part = controls.epochs_control("opt", defaults=BASE, choices=EPOCH_CHOICES)
    part |= controls.mini_batch_controls("opt", defaults=BASE)
    return part | controls.seed_control("opt", defaults=BASE)


def controls_row() -> dict:
    """One wrapping row of popovers, one per optimizer: its learning rate α and its own
    hyperparameters. Returns ``{name: fields}``."""
    row = st.container(horizontal=True, gap="small", key="opt_controls")
    parts = {}
    for name in NAMES:
        with row.popover(NAMES[name], icon=":material/tune:", key=f"opt_{name}_popover",
                         help=f"{NAMES[name]}'s own learning rate α and hyperparameters."):
            parts[name] = optimizer_column(name)
    return parts


def settings_sentence(budget: dict, parts: dict) -> str:
    """What the popovers and the sidebar hold, in one line: "α: gradient descent 0.01;
    momentum 0.01 (β 0.9); ... Shared budget (sidebar): 300 epochs, mini-batches of 64,
    seed 0." """
    size = budget.get("mini_batch_size")
    batches = "the full batch" if size is None else f"mini-batches of {size}"
    rates = []
    for name, part in parts.items():
        extra = [f"β {part['beta']:g}"] if "beta" in part else []
        extra += [f"β₁ {part['beta1']:g}"] if "beta1" in part else []
        extra += [f"β₂ {part['beta2']:g}"] if "beta2" in part else []
        if part.get("epsilon", BASE.epsilon) != BASE.epsilon:
            extra.append(f"ε {part['epsilon']:g}")
        if part.get("bias_correction") is False:
            extra.append("no bias correction")
        rates.append(f"{NAMES[name]} {part['learning_rate']:g}"
                     + (f" ({', '.join(extra)})" if extra else ""))
    return (f"α: {'; '.join(rates)}. Shared budget (sidebar): {budget['num_epochs']} epochs, "
            f"{batches}, seed {budget['seed']}.")


def _beta(key: str, name: str, label: str, value: float, help_: str) -> float:
    return float(bound.slider(label, 0.0, 0.999, value, step=0.001, format="%.3f",
                           key=controls.widget_key(key, name), help=help_))


def optimizer_column(name: str) -> dict:
    """The widgets of one optimizer (its learning rate and its own hyperparameters)."""
    part = {"optimizer": name,
            "learning_rate": controls.learning_rate_control(name, defaults=BASE)}
    if name == "momentum":
        part["beta"] = _beta(name, "beta", "β", BASE.beta,
                             "v = β v + (1 − β) dW: averages about 1/(1 − β) gradients.")
    if name == "adam":
        part["beta1"] = _beta(name, "beta1", "β₁", BASE.beta1, "Decay of the first moment v.")
    if name in ("rmsprop", "adam"):
        part["beta2"] = _beta(name, "beta2", "β₂", BASE.beta2,
                              "Decay of the second moment s (the squared gradients).")
        part["epsilon"] = float(bound.select_slider(
            "ε", controls.EPSILONS, value=BASE.epsilon, format_func=lambda e: f"{e:g}",
            key=controls.widget_key(name, "epsilon"),
            help="Added outside the square root, so that no step divides by zero."))
    if name == "adam":
        part["bias_correction"] = bound.checkbox(
            "Bias correction", BASE.bias_correction,
            key=controls.widget_key(name, "bias_correction"),
            help="Divide v by 1 − β₁ᵗ and s by 1 − β₂ᵗ. Without it the first "
            "steps have the wrong size (see the tab Bias correction).")
    return part


def variant_label(name: str, part: dict) -> str:
    if name == "adam" and not part.get("bias_correction", True):
        return "Adam (no bias correction)"
    return NAMES[name]


def verdict(results) -> str:
    """What the live runs show, computed from them (``nnlab.lessons.claims``): the ranking by
    final cost, then the lecture's lesson only where these runs show it."""
    labels = [label for label, _ in results]
    adaptive = [label for label in labels if label.startswith(("RMSprop", "Adam"))]
    plain = [label for label in labels if label in (NAMES["gd"], NAMES["momentum"])]
    text = claims.comparison(results, what="final cost")
    if not (adaptive and plain):
        return text
    if claims.beats(results, adaptive, plain):
        lesson = (f"{claims.join(adaptive)} end lower than {claims.join(plain)}, as the lecture "
                  "predicts: dividing each step by the root of the recent squared gradients "
                  "lets them take steps of a useful size in every direction at once. Raise "
                  "gradient descent's α: how close does it get before it diverges?")
    elif claims.beats(results, plain, adaptive):
        lesson = (f"Here {claims.join(plain)} end lower than {claims.join(adaptive)}, not what "
                  "the lecture's defaults show: at these settings their α suits this network "
                  "better. Move the α sliders back towards 0.01 to see the usual order.")
    else:
        lesson = ("At these settings neither family clearly ends lower: compare the curves' "
                  "speed as well as where they end.")
    return f"{text} {lesson}"


def variant_configs(parts: dict, budget: dict) -> list[tuple[str, object]]:
    """``(label, TrainConfig)`` of every optimizer whose config is valid; ``parts`` maps
    name -> fields (an invalid one shows its error and is left out)."""
    out = []
    for name, part in parts.items():
        config = controls.make_config(budget, part, base=BASE)
        if config is not None:
            out.append((variant_label(name, part), config))
    return out


def bias_correction_section(adam: dict, budget: dict) -> None:
    """Adam's step length with and without bias correction, and both runs' first epochs."""
    beta1, beta2 = adam.get("beta1", BASE.beta1), adam.get("beta2", BASE.beta2)
    eps = adam.get("epsilon", BASE.epsilon)
    sizes = {f"{'with' if on else 'without'} bias correction": (
        np.arange(1, BIAS_STEPS + 1), adam_step_sizes(BIAS_STEPS, beta1=beta1, beta2=beta2,
                                                      epsilon=eps, bias_correction=on))
        for on in (True, False)}
    runs = {}
    for on in (True, False):
        config = controls.make_config(budget, adam, base=BASE, bias_correction=on)
        if config is None:
            return
        label = "Adam" if on else "Adam (no bias correction)"
        result = train_cached(config, label)
        n = min(BIAS_EPOCHS, result.epochs_run)
        runs[label] = (result.history["epoch"][:n], result.history["cost"][:n])
    left, right = st.columns(2)
    with left:
        st.vega_lite_chart(chart_spec(curves_chart, sizes, x_title="step t",
                                      y_title="step length / α",
                                      title="Adam's step for a constant gradient"),
                           width="stretch")
    with right:
        st.vega_lite_chart(chart_spec(curves_chart, runs, y_title="cost",
                                      title=f"Adam's first {BIAS_EPOCHS} epochs"),
                           width="stretch")
    first, peak = sizes["without bias correction"][1][0], sizes["without bias correction"][1].max()
    st.caption(
        f"v and s start at 0, so after t steps they hold only (1 − β₁ᵗ) and (1 − β₂ᵗ) of the "
        f"gradient's average. Bias correction divides that back out and every step is about α "
        f"long. Without it the step is α (1 − β₁ᵗ) / √(1 − β₂ᵗ): with β₁ = {beta1:g} and "
        f"β₂ = {beta2:g} it is {first:.2f} α at t = 1 and up to {peak:.2f} α within "
        f"{BIAS_STEPS} steps, and it takes about 1/(1 − β₂) steps to settle. Those longer first "
        f"steps may speed up the start, or overshoot when α is already large.")


# ---------------------------------------------------------------------------- the course


@cached_work(max_entries=4, what="Reproducing the assignment")
def course_results_cached(work: Work, num_epochs: int) -> list:
    """The course's optimization experiments, ``[(label, TrainResult), ...]``: each
    ``course.optimization_run`` (the run the live view replays with
    ``course.start_optimization``), with a progress bar and one budget."""
    out = []
    for i, (name, (optimizer, lr, _)) in enumerate(course.OPTIMIZATION_EXPERIMENTS.items()):
        work.part(i, len(course.OPTIMIZATION_EXPERIMENTS), name)
        out.append((NAMES[optimizer], course.optimization_run(
            optimizer, lr, num_epochs=num_epochs, on_epoch=work.on_epoch, budget=work.budget)))
    return out


def course_records(results) -> list[dict]:
    """The rows :func:`course_frame` compares with the published numbers."""
    return [{"name": name, "train_accuracy": r.metrics["train_accuracy"],
             "cost_curve": np.asarray(r.history["cost"], dtype=float), "seconds": r.seconds}
            for name, (_, r) in zip(course.OPTIMIZATION_EXPERIMENTS, results, strict=True)]


def course_frame(records: list[dict]):
    """The reproduction table: nnlab's train accuracy next to the published one."""
    import pandas as pd

    rows = []
    for r in records:
        optimizer, lr, published = course.OPTIMIZATION_EXPERIMENTS[r["name"]]
        rows.append({"experiment": r["name"], "optimizer": optimizer, "learning_rate": lr,
                     "epochs": len(r["cost_curve"]), "train_accuracy": r["train_accuracy"],
                     "published": published,
                     "matches": abs(r["train_accuracy"] - published) < course.PUBLISHED_TOLERANCE
                     or round(r["train_accuracy"], 4) == published,
                     "final_cost": float(r["cost_curve"][-1]), "seconds": r["seconds"]})
    return pd.DataFrame(rows)


def reproduce_section() -> None:
    """The button, then (once clicked, for the rest of the session) the three runs live (the
    finished ones first; Reset and Play replay them epoch by epoch), the table against the
    published numbers and a sentence computed from both."""
    st.markdown("The course's notebook trains a 2-5-2-1 network on its moons with mini-batches "
                "of 64 for 5000 epochs at α = 0.0007, with gradient descent, momentum (β = 0.9) "
                "and Adam (β₁ = 0.9, β₂ = 0.999, ε = 1e-8). nnlab runs the very same "
                "experiments.")
    if st.button("Reproduce the assignment", icon=":material/play_arrow:", key="opt_course_run",
                 help="Runs the course's three optimization experiments: 5000 epochs each, "
                 "a few seconds each (then cached); Reset and Play replay them live."):
        st.session_state[COURSE_SHOWN_KEY] = True
    if not st.session_state.get(COURSE_SHOWN_KEY):
        return
    from nnlab.app.live_panel import live_comparison

    epochs = course.OPTIMIZATION_EPOCHS
    results = course_results_cached(epochs)
    live_comparison([(label, r.config) for label, r in results], course.optimization_data(),
                    key="opt_course_live", finished=lambda: results,
                    starter=course.start_optimization, verdict=course_verdict)
    st.dataframe(course_frame(course_records(results)), hide_index=True, column_config={
        "learning_rate": st.column_config.NumberColumn("α", format="%g"),
        "train_accuracy": st.column_config.NumberColumn("train acc. (nnlab)", format="%.4f"),
        "published": st.column_config.NumberColumn("train acc. (course)", format="%.4f"),
        "final_cost": st.column_config.NumberColumn("final cost", format="%.4g"),
        "seconds": st.column_config.NumberColumn("seconds", format="%.2f")})


def course_verdict(results) -> str:
    """The reproduction in one sentence, from the runs shown: each train accuracy, and the
    course's explanation only where the runs agree with it."""
    text = claims.comparison(results, "train_accuracy", what="train accuracy",
                             lower_is_better=False, fmt=claims.percent)
    slow = [label for label in (NAMES["gd"], NAMES["momentum"])
            if label in dict(results)]
    if claims.beats(results, ["Adam"], slow, "train_accuracy", lower_is_better=False):
        text += (f" At α = 0.0007 {claims.join(slow)} crawl, while Adam's per-parameter step, "
                 "about α whatever the gradient's scale, gets much further on the same budget.")
    return text
