"""Streamlit glue of the "Learning rate decay" page: schedules side by side, the learning rate
each one gives per epoch, and the course's decay experiments."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from nnlab import course
from nnlab.app import bound
from nnlab.app.charts import chart_spec
from nnlab.app.controls import SCHEDULE_LABELS, learning_rate_control
from nnlab.app.runs import Work, cached_work, register_run
from nnlab.config import TrainConfig
from nnlab.core.train import TrainResult, learning_rate_for_epoch
from nnlab.lessons import claims
from nnlab.viz.batchnorm import styled_curves_chart

#: The five decays of the lecture and the assignment (constant is offered as a baseline).
DECAYS = ("inverse_time", "inverse_time_interval", "exponential", "inverse_sqrt", "staircase")
CHOICES = DECAYS + ("constant",)
DEFAULT_CHOICE = ("inverse_time", "inverse_time_interval", "exponential")
EPOCH_CHOICES = (100, 200, 500, 1000, 2000, 3000)
MAX_TRAINED = 4
SHORT_NAMES = {
    "constant": "constant α₀",
    # short: the live cost chart's legend has two narrow columns ("inverse time, every
    # epoch" was cut); the course's names: update_lr every epoch, fixed interval scheduling
    "inverse_time": "inverse time",
    "inverse_time_interval": "fixed interval",
    "exponential": "exponential",
    "inverse_sqrt": "k/√epoch",
    "staircase": "staircase",
}
BASE = TrainConfig(dataset="moons", n_samples=300, hidden_units=(5, 2), optimizer="gd",
                   learning_rate=0.1, mini_batch_size=64, num_epochs=1000, decay_rate=1.0,
                   time_interval=200, decay_base=0.995, k=1.0, drop=0.5, epochs_drop=200)

#: Short names of the course runs for legends.
COURSE_LABELS = {"decay/gd_update_lr": "GD, every epoch", "decay/gd_scheduled": "GD, interval",
                 "decay/momentum_scheduled": "momentum, interval",
                 "decay/adam_scheduled": "Adam, interval"}
COURSE_KEY = "decay_course_shown"


def schedule_label(name: str) -> str:
    """A short human name of a schedule, e.g. ``"base^epoch"``."""
    return SHORT_NAMES.get(name, name)


SCHEDULE_HELP = "\n".join(f"- **{schedule_label(n)}**: α = {SCHEDULE_LABELS[n]}" for n in CHOICES
                          if n in SCHEDULE_LABELS)


# ------------------------------------------------------------------------------ controls


def schedule_controls(defaults: TrainConfig = BASE) -> tuple[list, dict]:
    """One row, bound to the URL: the schedules trained, α₀, and a popover with each
    schedule's own hyperparameters (one shared set). Returns ``(choices, fields)``."""
    pick, rate, more = st.columns([7, 2, 2], vertical_alignment="bottom")
    choices = bound.multiselect(
        "Schedules (up to 4)", list(CHOICES), default=list(DEFAULT_CHOICE),
        format_func=schedule_label, max_selections=MAX_TRAINED, key="lr_schedules",
        help=SCHEDULE_HELP, where=pick)
    with rate:
        out = {"learning_rate": learning_rate_control("lr", defaults=defaults,
                                                      label="α₀ (learning_rate)")}
    with more.popover("Parameters", icon=":material/tune:", key="lr_parameters_popover",
                      width="stretch", help="Each schedule's own hyperparameters."):
        out |= {
            "decay_rate": float(bound.number_input(
                "decay_rate (inverse time, fixed interval)", 0.0, 100.0, defaults.decay_rate,
                step=0.1, format="%g", key="lr_decay_rate")),
            "time_interval": int(bound.number_input(
                "time_interval (fixed interval)", 1, 100_000, defaults.time_interval, step=50,
                key="lr_time_interval", help="Epochs between two decays.")),
            "decay_base": float(bound.slider(
                "base (exponential)", 0.9, 1.0, defaults.decay_base, step=0.001, format="%.3f",
                key="lr_decay_base")),
            "k": float(bound.number_input("k (k/√epoch)", 0.01, 100.0, defaults.k, step=0.1,
                                          format="%g", key="lr_k")),
            "drop": float(bound.slider("drop (staircase)", 0.05, 1.0, defaults.drop,
                                       step=0.05, key="lr_drop")),
            "epochs_drop": int(bound.number_input(
                "epochs_drop (staircase)", 1, 100_000, defaults.epochs_drop, step=50,
                key="lr_epochs_drop", help="Epochs between two drops.")),
        }
    return choices, out


def rate_curves(configs: dict[str, TrainConfig]) -> dict:
    """Label -> (epochs, learning rate used in each epoch), as the training loop applies it."""
    out = {}
    for label, config in configs.items():
        epochs = np.arange(config.num_epochs)
        out[label] = (epochs, np.array([learning_rate_for_epoch(config, int(e))
                                        for e in epochs]))
    return out


def rates_section(configs: dict[str, TrainConfig]) -> None:
    """The learning rate per epoch of each chosen schedule, on one chart."""
    log = bound.toggle("Logarithmic learning-rate axis", value=True, key="lr_log")
    curves = rate_curves(configs)
    # each schedule its own colour and dash: lines that coincide for a while stay apart; no
    # fixed height, so the legend under the chart is never cut off
    st.vega_lite_chart(chart_spec(styled_curves_chart, curves, y_title="learning rate α",
                                  log_y=log, title="Learning rate used in each epoch"),
                       width="stretch")
    rows = []
    for label, (_, rates) in curves.items():
        n = len(rates)
        rows.append({"schedule": label, "epoch 0": rates[0],
                     **{f"epoch {e}": rates[e] for e in (10, 100, n // 2) if e < n},
                     "last epoch": rates[-1]})
    st.dataframe(pd.DataFrame(rows), hide_index=True,
                 column_config={c: st.column_config.NumberColumn(c, format="%.3g")
                                for r in rows for c in r if c != "schedule"})
    st.caption("As in the course, epoch 0 runs with α₀ and the rate computed after epoch i is "
               "used in epoch i + 1.")
    st.markdown(rates_verdict(curves))


def rates_verdict(curves: dict) -> str:
    """By how much each schedule has divided α₀ at epochs 10 and 100 and in its last epoch,
    computed from the curves drawn (so it follows decay_rate, base, k, drop...)."""
    parts = []
    for label, (_, rates) in curves.items():
        n = len(rates)
        at = [(e, rates[e]) for e in (10, 100) if e < n - 1] + [(n - 1, rates[-1])]
        if all(r == rates[0] for r in rates):
            parts.append(f"{label}: α₀ unchanged in every epoch")
            continue
        steps = [f"{_divided(rates[0], r)} at epoch {e}" if e != n - 1
                 else f"{_divided(rates[0], r)} in the last epoch ({e})" for e, r in at]
        parts.append(f"{label}: α₀ {claims.join(steps)}")
    if not parts:
        return ""
    return "; ".join(parts) + "."


def _divided(a0: float, a: float) -> str:
    if not a or not np.isfinite(a):
        return "gone to 0"
    ratio = a0 / a
    if abs(ratio - 1) < 1e-9:
        return "unchanged"
    return f"divided by {claims.number(ratio)}" if ratio > 1 else f"× {claims.number(1 / ratio)}"


def live_verdict(results) -> str:
    """The trained schedules ranked by final cost; compared with the constant α₀ only where
    these runs show a difference."""
    text = claims.comparison(results, what="final cost")
    ranked = [o.label for o in claims.ranking(results)]
    mean_rate = {label: float(np.mean(r.history["learning_rate"])) for label, r in results
                 if len(r.history["learning_rate"])}
    if len(ranked) > 1 and all(label in mean_rate for label in ranked):
        by_rate = sorted(ranked, key=lambda label: -mean_rate[label])
        rates = ", ".join(f"{k} {claims.number(mean_rate[k])}" for k in by_rate)
        # a pair against the order: the one with the smaller mean α ends clearly lower
        against = [(hi, lo) for i, hi in enumerate(by_rate) for lo in by_rate[i + 1:]
                   if mean_rate[lo] < mean_rate[hi] and claims.beats(results, [lo], [hi])]
        if not against:
            text += (f" Mean α over the run: {rates}. No schedule with a smaller mean α ends "
                     "clearly lower")
            text += (": at this budget, keeping α large longer pays."
                     if claims.beats(results, by_rate[:1], by_rate[-1:]) else ".")
        else:
            hi, lo = against[0]
            text += (f" Mean α over the run: {rates}. {lo} ends lower than {hi} with a smaller "
                     "mean α: where α ends matters too.")
    labels = [label for label, _ in results]
    constant = SHORT_NAMES["constant"]
    decays = [label for label in labels if label != constant]
    if constant not in labels or not decays:
        return text
    lower = [d for d in decays if claims.beats(results, [d], [constant])]
    higher = [d for d in decays if claims.beats(results, [constant], [d])]
    def subject(labels):
        names = claims.join(labels)
        return names[:1].upper() + names[1:]

    if lower:
        text += (f" {subject(lower)} {'ends' if len(lower) == 1 else 'end'} lower than the "
                 "constant α₀: large steps early, small ones late.")
    if higher:
        text += (f" {subject(higher)} {'ends' if len(higher) == 1 else 'end'} higher than "
                 f"the constant α₀: {'its rate falls' if len(higher) == 1 else 'their rates fall'}"
                 " too soon to finish the descent.")
    return text


# ------------------------------------------------------------------------- the assignment


@cached_work(max_entries=8)
def _course_cached(work: Work, name: str, _index: int = 0, _total: int = 1) -> TrainResult:
    """A course experiment, cached (``_index`` of ``_total`` only place its progress bar)."""
    work.part(_index, _total, name)
    return course.run_decay(name, on_epoch=work.on_epoch, budget=work.budget)


def course_results() -> list[tuple[str, TrainResult]]:
    """All four experiments (cached), registered in the run registry."""
    out = []
    for i, name in enumerate(course.DECAY_EXPERIMENTS):
        result = _course_cached(name, _index=i, _total=len(course.DECAY_EXPERIMENTS))
        register_run(result, f"course {COURSE_LABELS[name]}")
        out.append((name, result))
    return out


def course_table(results: list[tuple[str, TrainResult]]) -> pd.DataFrame:
    """One row per course run: schedule, last learning rate, accuracy vs the published one."""
    rows = []
    for name, r in results:
        optimizer, lr, schedule, published = course.DECAY_EXPERIMENTS[name]
        acc = r.metrics["train_accuracy"]
        rows.append({"experiment": name, "α₀": lr, "schedule": schedule_label(schedule),
                     "α in the last epoch": float(r.history["learning_rate"][-1]),
                     "train accuracy": acc, "course": published,
                     "same": "✓" if abs(acc - published) <= course.PUBLISHED_TOLERANCE else "✗",
                     "seconds": round(r.seconds, 1)})
    return pd.DataFrame(rows)


def course_section() -> None:
    """The "reproduce the assignment" button and, once clicked, the four runs."""
    st.markdown(
        "The assignment trains a [2, 5, 2, 1] network on its moons (300 points, mini-batches "
        "of 64) for 5000 epochs, once with **decay_rate = 1 every epoch** and three times with "
        "the **same decay every 1000 epochs** (`schedule_lr_decay`, time_interval = 1000). "
        "Its notebook prints train accuracies of 0.6533 (every epoch) and 0.9433, 0.9533 and "
        "0.94 (gradient descent, momentum, Adam with the interval): does nnlab get the same?")
    if st.button("Reproduce the assignment (4 runs of 5000 epochs, 20 to 40 s)",
                 key="decay_course_button", icon=":material/play_arrow:", type="primary"):
        st.session_state[COURSE_KEY] = True
    if not st.session_state.get(COURSE_KEY):
        st.caption("The runs are cached: once done, they show again instantly (and on the "
                   "Compare runs page).")
        return
    from nnlab.app.live_panel import live_comparison

    results = course_results()
    name_of = {COURSE_LABELS[n]: n for n, _ in results}
    # the four runs live: finished first; Reset, Step and Play replay them from epoch 0 with
    # the course's weights and shuffles (course.start_optimization plays to optimization_run)
    live_comparison([(COURSE_LABELS[n], r.config) for n, r in results],
                    course.optimization_data(), key="decay_course_live",
                    finished=lambda: [(COURSE_LABELS[n], r) for n, r in results],
                    starter=course.start_optimization,
                    verdict=lambda shown: course_verdict([(name_of[label], r)
                                                          for label, r in shown]))
    st.dataframe(course_table(results), hide_index=True, column_config={
        "α in the last epoch": st.column_config.NumberColumn(format="%.3g"),
        "train accuracy": st.column_config.NumberColumn(format="%.4f"),
        "course": st.column_config.NumberColumn("course's accuracy", format="%.4f"),
    })
    st.vega_lite_chart(chart_spec(
        styled_curves_chart,
        {COURSE_LABELS[n]: (r.history["epoch"], r.history["learning_rate"])
         for n, r in results},
        y_title="learning rate α", log_y=True, title="Learning rate (log axis)"),
        width="stretch")
    st.caption("Each run has its own colour and dash: GD and momentum share their rates, so "
               "their dashed lines lie on each other on the learning-rate chart.")


def course_verdict(results: list[tuple[str, TrainResult]]) -> str:
    """The course runs as the table shows them: each one's last α and train accuracy, and
    whether the every-epoch decay ends below every interval run."""
    def part(n, r):
        rates = r.history["learning_rate"]
        alpha = (f"α {claims.number(float(rates[0]))} → {claims.number(float(rates[-1]))}"
                 if len(rates) else "no epoch yet")
        acc = r.metrics.get("train_accuracy", float("nan"))
        return f"{COURSE_LABELS[n]}: {alpha}, train accuracy {claims.number(acc, 4)}"

    parts = [part(n, r) for n, r in results]
    text = "Here: " + "; ".join(parts) + "."
    every = [COURSE_LABELS[n] for n, _ in results
             if course.DECAY_EXPERIMENTS[n][2] == "inverse_time"]
    interval = [COURSE_LABELS[n] for n, _ in results if COURSE_LABELS[n] not in every]
    labelled = [(COURSE_LABELS[n], r) for n, r in results]
    if every and interval:
        if claims.beats(labelled, interval, every, "train_accuracy", lower_is_better=False):
            text += (" Decaying every epoch ends clearly below every interval run: its α is "
                     "soon too small to leave the plateau.")
        else:
            text += " Here decaying every epoch does not end below every interval run."
    return text


def trained_variants(choices, parts: dict, optimizer: dict, mini_batch: dict
                     ) -> list[tuple[str, TrainConfig]]:
    """``(label, config)`` per chosen schedule, all on ``BASE`` with the shared settings."""
    out = []
    for name in choices:
        try:
            config = BASE.replace(schedule=name, **parts, **optimizer, **mini_batch)
        except ValueError as exc:
            st.error(f"{schedule_label(name)}: {exc}")
            continue
        out.append((schedule_label(name), config))
    return out
