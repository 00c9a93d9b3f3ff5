"""Glue of the "Initialization" page: the four initializers side by side, the symmetry view
(weight heatmaps over training, cached) and the reproduction of the course's assignment."""

from __future__ import annotations

import numpy as np
import streamlit as st

from nnlab import course, viz
from nnlab.app import bound
from nnlab.app.charts import chart_spec
from nnlab.app.runs import Work, cached_work
from nnlab.config import TrainConfig
from nnlab.lessons import symmetry

#: Snapshots of the weight matrix shown in the symmetry view (including the initial one).
N_SNAPSHOTS = 4
#: A matrix with more inputs than this gets wide heatmap panels: three snapshots fit, not four.
WIDE_INPUTS = 4
#: The symmetry view's three starts: label -> (kind, constant or None).
SYMMETRY_STARTS = ("zeros", "constant", "He")
#: Session-state flag: the learner asked for the reproduction (it stays shown on reruns).
REPRODUCE_KEY = "init_reproduce_shown"


def random_label(scale: float) -> str:
    return f"random × {scale:g}"


def variants(base: TrainConfig, scale: float) -> list[tuple[str, TrainConfig]]:
    """Zeros, large random (× ``scale``), Xavier and He on the same base config."""
    return [("zeros", base.replace(initializer="zeros", init_scale=None)),
            (random_label(scale), base.replace(initializer="random", init_scale=float(scale))),
            ("Xavier", base.replace(initializer="xavier", init_scale=None)),
            ("He", base.replace(initializer="he", init_scale=None))]


# ------------------------------------------------------------------------------ symmetry


@cached_work
def snapshots_cached(work: Work, config: TrainConfig, start: str, constant: float,
                     key: str, _ahead: int = 1) -> dict:
    """Train ``config`` from ``start`` ("zeros", "constant" or "He") and keep ``key`` at
    :data:`N_SNAPSHOTS` moments. Returns ``snapshots`` {epoch: array}, ``distinct`` {epoch:
    number of different units}, ``train_accuracy`` and ``status``.

    ``_ahead`` (not part of the cache key): how many runs like this one the click still asks
    for, this one included; their estimate is required before this one trains, so that a view
    too large for the budget is refused before its first run, not stopped in its second."""
    from nnlab.core.budget import estimate_seconds
    from nnlab.core.train import make_dataset

    data = make_dataset(config)
    work.require(max(1, _ahead) * estimate_seconds(config, data.m_train, data.n_x),
                 f"The symmetry view ({max(1, _ahead)} runs)" if _ahead > 1
                 else "The symmetry view")
    dims = config.layer_dims(data.n_x)
    if start == "He":
        config, parameters = config.replace(initializer="he", init_scale=None), None
    else:
        parameters = symmetry.constant_parameters(dims, 0.0 if start == "zeros" else constant)
    work.part(0, 1, f"Symmetry view, {start}")
    result, snaps = symmetry.train_with_snapshots(
        config, symmetry.snapshot_epochs(config.num_epochs, N_SNAPSHOTS),
        parameters=parameters, data=data, key=key, on_epoch=work.on_epoch, budget=work.budget)
    return {"snapshots": snaps,
            "distinct": {e: symmetry.distinct_units(W) for e, W in snaps.items()},
            "train_accuracy": result.metrics["train_accuracy"], "status": result.status}


def symmetry_view(config: TrainConfig, *, key: str = "sym") -> dict:
    """W[l] as a heatmap at several epochs, for zeros, a constant and He side by side."""
    left, right = st.columns(2)
    with left:
        constant = bound.slider("Constant weight of the symmetric start", -1.0, 1.0, 0.5,
                             step=0.05, key=f"{key}_constant",
                             help="Every weight starts at this value (biases at 0).")
    n_layers = len(config.hidden_units) + 1
    with right:
        layer = bound.radio("Weight matrix", [f"W{l}" for l in range(1, n_layers + 1)],
                         horizontal=True, key=f"{key}_layer",
                         help="Rows are the layer's units, columns its inputs.")
    out = {}
    for i, start in enumerate(SYMMETRY_STARTS):
        res = snapshots_cached(config, start, float(constant), layer,
                               _ahead=len(SYMMETRY_STARTS) - i)
        out[start] = res
        name = f"constant {constant:g}" if start == "constant" else start
        last = max(res["distinct"])
        n_units = res["snapshots"][last].shape[0]
        distinct = res["distinct"][last]
        st.markdown(f"**{name}**: {distinct} distinct unit{'s' if distinct != 1 else ''} of "
                    f"{n_units} in {layer} after {last} epochs · train accuracy "
                    f"{res['train_accuracy']:.3f}")
        epochs = sorted(res["snapshots"])
        if res["snapshots"][epochs[0]].shape[1] > WIDE_INPUTS:  # wide panels: first, 2 last
            epochs = [epochs[0], *epochs[-2:]]
        snaps = {f"epoch {e}": res["snapshots"][e] for e in epochs}
        st.vega_lite_chart(chart_spec(viz.weights_heatmap_chart, snaps))
    st.caption(f"Each heatmap is {layer}: one row per unit, one column per input. With zeros "
               "or a constant, every row is the same and stays the same during training: the "
               "units compute the same thing, so the layer is as good as one unit. He starts "
               "every row different (symmetry broken) and the rows learn different features.")
    return out


# ------------------------------------------------------------------------------ the assignment


@cached_work(max_entries=4, what="Reproducing the assignment")
def course_runs_cached(work: Work) -> dict:
    """``nnlab.course.run_initialization`` for zeros, random and He (15,000 iterations each),
    their estimate required before the first."""
    from nnlab.core.budget import estimate_seconds

    one = TrainConfig(dataset="circles", hidden_units=(10, 5), optimizer="gd",
                      num_epochs=15000)  # the shape of course.run_initialization's runs
    data = course.initialization_data()
    work.require(len(course.INITIALIZATIONS) * estimate_seconds(one, data.m_train, data.n_x),
                 f"Reproducing the assignment ({len(course.INITIALIZATIONS)} runs)")
    out = {}
    for i, init in enumerate(course.INITIALIZATIONS):
        work.part(i, len(course.INITIALIZATIONS), f'initialization = "{init}"')
        out[init] = course.run_initialization(init, on_epoch=work.on_epoch, budget=work.budget)
    return out


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


def reproduce_assignment(*, key: str = "init") -> dict | None:
    """The "reproduce the assignment" button and, once pressed, the two tables."""
    if st.button("Reproduce the assignment (3 runs × 15,000 iterations, a few seconds)",
                 icon=":material/replay:", key=f"{key}_reproduce"):
        st.session_state[REPRODUCE_KEY] = True
    if not st.session_state.get(REPRODUCE_KEY):
        st.caption("The notebook's setup: circles (300 train, 100 test, noise 0.05), "
                   "[2, 10, 5, 1] ReLU/ReLU/sigmoid, batch gradient descent, α = 0.01, "
                   "15,000 iterations, weights drawn after seeding NumPy with 3 "
                   "(here: `RandomState(3)`).")
        return None
    records = course_runs_cached()
    acc = accuracy_table(records)
    matches = np.allclose(acc["train accuracy"], acc["published train"], atol=1e-9) and \
        np.allclose(acc["test accuracy"], acc["published test"], atol=1e-9)
    fmt = st.column_config.NumberColumn
    st.dataframe(acc, hide_index=True, column_config={
        "train accuracy": fmt(format="%.4f"), "published train": fmt(format="%.4f"),
        "test accuracy": fmt(format="%.4f"), "published test": fmt(format="%.4f"),
        "cost after iteration 0": fmt(format="%.6g"), "published cost 0": fmt(format="%.6g"),
        "seconds": fmt(format="%.2f")})
    if matches:
        st.success("Every accuracy matches the notebook's printed numbers.",
                   icon=":material/check_circle:")
    else:
        st.warning("Some accuracies differ from the notebook's printed numbers.",
                   icon=":material/warning:")
    left, right = st.columns([2, 3])
    with left:
        st.caption("Cost every 1000 iterations, as the notebook prints it. Infinity (the "
                   "notebook's inf) is the log of an output that rounded to exactly 0 or 1 "
                   "under weights × 10.")
        st.dataframe(cost_table(records), hide_index=True)
    with right:
        costs = cost_table(records)
        st.vega_lite_chart(chart_spec(
            viz.curves_chart,
            {init: (costs["iteration"], costs[init]) for init in course.INITIALIZATIONS},
            x_title="iteration", y_title="cost", log_y=True,
            title="Cost every 1000 iterations (log scale)"), width="stretch")
    return records
