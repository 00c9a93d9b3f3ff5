"""The "Reproduce the assignment" section of the Initialization page: the course's three
initialization runs (cached, replayed live with the course's weights) next to the notebook's
published numbers."""

from __future__ import annotations

import math

import numpy as np
import streamlit as st

from nnlab import course
from nnlab.app.initialization import capital, first_cost, one_class, random_label
from nnlab.app.runs import Work, cached_work
from nnlab.lessons import claims
from nnlab.spec.initializers import RANDOM_SCALE

#: Session-state flag: the learner asked for the reproduction (it stays shown on reruns).
REPRODUCE_KEY = "init_reproduce_shown"

#: The course's initializations as the page names them.
COURSE_LABELS = {"zeros": "zeros", "random": random_label(RANDOM_SCALE), "he": "He"}


@cached_work(max_entries=4, what="Reproducing the assignment")
def course_runs_cached(work: Work, num_iterations: int | None = None) -> list:
    """The course's initialization experiments, ``[(label, TrainResult), ...]`` in the
    notebook's order: each ``course.initialization_run`` (the run the live view replays with
    ``course.start_initialization``), with a progress bar; the three runs' estimate is
    required before the first."""
    from nnlab.core.budget import estimate_seconds

    if num_iterations is None:
        num_iterations = course.INITIALIZATION_ITERATIONS
    one = course.initialization_config("he", num_iterations=num_iterations)
    data = course.initialization_data()
    work.require(len(course.INITIALIZATIONS) * estimate_seconds(one, data.m_train, data.n_x),
                 f"Reproducing the assignment ({len(course.INITIALIZATIONS)} runs)")
    out = []
    for i, init in enumerate(course.INITIALIZATIONS):
        work.part(i, len(course.INITIALIZATIONS), f'initialization = "{init}"')
        out.append((COURSE_LABELS[init], course.initialization_run(
            init, num_iterations=num_iterations, on_epoch=work.on_epoch, budget=work.budget)))
    return out


def course_records(results) -> dict:
    """``{init: record}`` (``course.record``: what the notebook prints) of the course's runs."""
    return {init: course.record(f"initialization/{init}", r)
            for init, (_, r) in zip(course.INITIALIZATIONS, results, strict=True)}


def accuracy_table(records: dict):
    """``pandas.DataFrame``: ours next to the published train/test accuracy and first cost."""
    import pandas as pd

    rows = []
    for init in course.INITIALIZATIONS:
        r = records[init]
        pub_train, pub_test, pub_cost0 = course.INITIALIZATION_PUBLISHED[init]
        rows.append({"initialization": init, "train accuracy": r["train_accuracy"],
                     "published train": pub_train, "test accuracy": r["test_accuracy"],
                     "published test": pub_test, "cost after iteration 0": float(r["costs"]["0"]),
                     "published cost 0": pub_cost0, "seconds": r["seconds"]})
    return pd.DataFrame(rows)


def cost_table(records: dict):
    """``pandas.DataFrame``: the cost every 1000 iterations, one column per initialization."""
    import pandas as pd

    frame = pd.DataFrame({init: [float(c) for c in records[init]["costs"].values()]
                          for init in course.INITIALIZATIONS})
    frame.insert(0, "iteration", [int(i) for i in records[course.INITIALIZATIONS[0]]["costs"]])
    return frame


def course_verdict(data):
    """The ``verdict`` of the reproduction's live view: ``results -> Markdown``, the runs' train
    and test accuracy and the notebook's conclusions only where these runs show them."""
    def verdict(results) -> str:
        parts = [claims.comparison(results, "train_accuracy", what="train accuracy",
                                   lower_is_better=False, fmt=claims.percent),
                 claims.comparison(results, "test_accuracy", what="test accuracy",
                                   lower_is_better=False, fmt=claims.percent)]
        by_label = dict(results)
        he, others = COURSE_LABELS["he"], [COURSE_LABELS[i] for i in ("zeros", "random")]
        if claims.beats(results, [he], others, "train_accuracy", lower_is_better=False):
            parts.append(f"{he} trains best, as the notebook concludes.")
        zeros = by_label.get(COURSE_LABELS["zeros"])
        if zeros is not None and zeros.epochs_run and one_class(zeros, data):
            parts.append("zeros predicts one class for every training example: every unit "
                         "of a layer gets the same update, so the symmetry is not broken.")
        random = by_label.get(COURSE_LABELS["random"])
        if random is not None and math.isinf(first_cost(random)):
            parts.append(f"{COURSE_LABELS['random']} starts at an infinite cost: with weights "
                         "× 10 some outputs round to exactly 0 or 1, and the log of 0 is −∞ "
                         "(the notebook prints inf).")
        return " ".join(capital(p) for p in parts if p)
    return verdict


def reproduce_assignment(*, key: str = "init") -> list | None:
    """The "reproduce the assignment" button and, once pressed (for the rest of the
    session), the three runs live (the finished ones first; Reset, Step and Play replay them
    from iteration 0 with the course's weights), the table against the published numbers and
    the cost every 1000 iterations. Returns the finished runs."""
    if st.button("Reproduce the assignment (3 runs × 15,000 iterations, a few seconds)",
                 icon=":material/replay:", key=f"{key}_reproduce",
                 help="Runs the course's three initialization experiments (then cached); "
                      "Reset and Play replay them live."):
        st.session_state[REPRODUCE_KEY] = True
    if not st.session_state.get(REPRODUCE_KEY):
        st.caption("The notebook's setup: circles (300 train, 100 test, noise 0.05), "
                   "[2, 10, 5, 1] ReLU/ReLU/sigmoid, batch gradient descent, α = 0.01, "
                   "15,000 iterations, weights drawn after seeding NumPy with 3 "
                   "(here: `RandomState(3)`).")
        return None
    from nnlab.app.live_panel import live_comparison

    results = course_runs_cached(course.INITIALIZATION_ITERATIONS)
    data = course.initialization_data()
    live_comparison([(label, r.config) for label, r in results], data,
                    key=f"{key}_course_live", log_cost=True, finished=lambda: results,
                    starter=course.start_initialization, verdict=course_verdict(data))
    records = course_records(results)
    acc = accuracy_table(records)
    fmt = st.column_config.NumberColumn
    st.dataframe(acc, hide_index=True, column_config={
        "train accuracy": fmt(format="%.4f"), "published train": fmt(format="%.4f"),
        "test accuracy": fmt(format="%.4f"), "published test": fmt(format="%.4f"),
        "cost after iteration 0": fmt(format="%.6g"), "published cost 0": fmt(format="%.6g"),
        "seconds": fmt(format="%.2f")})
    differ = [row["initialization"] for _, row in acc.iterrows()
              if not (np.isclose(row["train accuracy"], row["published train"], atol=1e-9)
                      and np.isclose(row["test accuracy"], row["published test"], atol=1e-9))]
    if not differ:
        st.success("Every accuracy matches the notebook's printed numbers.",
                   icon=":material/check_circle:")
    else:
        st.warning(f"The accuracies of {claims.join(differ)} differ from the notebook's "
                   "printed numbers.", icon=":material/warning:")
    costs = cost_table(records)
    st.markdown(f"The cost every {course.COST_EVERY} iterations, as the notebook prints it "
                "(the live picture above draws every iteration).")
    st.dataframe(costs, hide_index=True)
    return results
