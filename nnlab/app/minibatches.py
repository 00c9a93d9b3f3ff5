"""Streamlit glue of the "Mini-batches" page: sizes and presets, cost per iteration and per
epoch, the counts of a run, and the shuffle-then-partition picture of a small set."""

from __future__ import annotations

import numpy as np
import streamlit as st

from nnlab import viz
from nnlab.app import bound
from nnlab.app.charts import chart_spec
from nnlab.app.compare import show_status
from nnlab.app.live_panel import live_comparison
from nnlab.app.runs import Work, cached_work, train_cached
from nnlab.config import TrainConfig
from nnlab.core.budget import estimate_seconds, expected_train_size
from nnlab.core.iterations import iteration_counts, record_iterations
from nnlab.data.toy2d import make_moons
from nnlab.lessons import claims
from nnlab.spec.minibatch import mini_batch_indices
from nnlab.spec.weighted_averages import exponentially_weighted_average
from nnlab.viz.minibatches import batch_points_chart, iteration_cost_chart, partition_chart

#: Sizes offered: 1 (stochastic), powers of two, and None = the whole training set (batch).
SIZES = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, None)
PRESETS = {
    "Stochastic · mini-batch · batch": (1, 32, None),
    "Powers of two": (4, 16, 64, None),
    "Small mini-batches": (1, 2, 8),
    "Mini-batch 64 vs batch": (64, None),
}
DEFAULT_PRESET = "Stochastic · mini-batch · batch"
MAX_SIZES = 4
SIZES_KEY = "mb_sizes"
BASE = TrainConfig(dataset="moons", n_samples=300, hidden_units=(10, 5), optimizer="gd",
                   learning_rate=0.1, num_epochs=20)


def size_label(size: int | None, m: int | None = None) -> str:
    """``"size 1 (stochastic)"``, ``"size 32"``, ``"full batch (m = 180)"``."""
    if size is None or (m is not None and size >= m):
        return "full batch" + (f" (m = {m})" if m else "")
    return "size 1 (stochastic)" if size == 1 else f"size {size}"


def _apply_preset(name: str) -> None:
    st.session_state[SIZES_KEY] = list(PRESETS[name])


def size_controls() -> list:
    """The multiselect of sizes and, beside it, a popover of presets; returns the chosen
    sizes (None = batch), smallest first."""
    pick, presets = st.columns([4, 1], vertical_alignment="bottom")
    with presets.popover("Presets", icon=":material/tune:", width="stretch",
                         help="Sets of sizes to compare in one click."):
        for name in PRESETS:
            st.button(name, key=f"mb_preset_{name}", on_click=_apply_preset, args=(name,),
                      width="stretch", help="Sizes " + ", ".join(
                          "full" if s is None else str(s) for s in PRESETS[name]))
    sizes = bound.multiselect(
        "Mini-batch sizes to compare (up to 4)", list(SIZES), default=list(PRESETS[DEFAULT_PRESET]),
        format_func=lambda s: "full batch (m)" if s is None else str(s),
        max_selections=MAX_SIZES, key=SIZES_KEY, where=pick,
        help="1 is stochastic gradient descent (one example per update); 'full batch' is batch "
             "gradient descent (all m training examples per update).")
    return sorted(sizes, key=lambda s: np.inf if s is None else s)


def variants(sizes, base: TrainConfig, m: int) -> list[tuple[str, TrainConfig]]:
    """``(label, config)`` per size; sizes at or above ``m`` collapse into the full batch."""
    out, seen = [], set()
    for s in sizes:
        size = None if s is None or s >= m else int(s)
        label = size_label(size, m)
        if label not in seen:
            seen.add(label)
            out.append((label, base.replace(mini_batch_size=size)))
    return out


@cached_work(max_entries=64)
def _record_cached(work: Work, config: TrainConfig, _label: str = "") -> dict:
    """``record_iterations`` cached by config and engine version, with a replay-safe bar."""
    work.require(estimate_seconds(config, expected_train_size(config)))
    work.part(0, 1, f"{_label}, cost of every mini-batch" if _label else "")
    return record_iterations(config, on_epoch=work.on_epoch, budget=work.budget)


def iteration_record(config: TrainConfig, label: str = "") -> dict:
    """The per-iteration record of ``config`` (cached)."""
    return _record_cached(config, _label=label)


def counts_frame(rows: list[tuple[str, dict, dict]]):
    """Plain counts per variant: ``(label, record, TrainResult.metrics)`` -> DataFrame."""
    import pandas as pd

    out = []
    for label, rec, _ in rows:
        c = rec["counts"]
        out.append({
            "run": label,
            "mini-batch size": c["mini_batch_size"],
            "updates per epoch": c["per_epoch"],
            "last mini-batch": c["last_size"],
            "epochs": len(rec["epoch_cost"]),
            "iterations (updates)": len(rec["cost"]),
            # both from the median epoch (the first epoch also pays for allocations)
            "ms per epoch": 1000 * float(np.median(rec["epoch_seconds"])),
            "ms per update": 1000 * float(np.median(rec["epoch_seconds"])) / c["per_epoch"],
            "final cost": float(rec["epoch_cost"][-1]),
        })
    return pd.DataFrame(out)


COUNT_COLUMNS = {
    "ms per epoch": st.column_config.NumberColumn(
        "ms per epoch", format="%.2f", help="Median wall time of one epoch of the NumPy loop."),
    "ms per update": st.column_config.NumberColumn(
        "ms per update", format="%.3f", help="Median epoch time over the updates per epoch."),
    "final cost": st.column_config.NumberColumn("final cost", format="%.4f"),
}


def counts_sentence(rec: dict) -> str:
    """One line of plain counts, e.g. "180 examples in mini-batches of 32: 5 of 32 and one of
    20, so 6 updates per epoch; 20 epochs = 120 iterations."."""
    c = rec["counts"]
    m, b, n, E = c["m"], c["mini_batch_size"], c["per_epoch"], c["num_epochs"]
    if n == 1:
        split = f"one batch of all {m}, so 1 update per epoch"
    elif c["last_size"] == b:
        split = f"{n} mini-batches of {b}, so {n} updates per epoch"
    else:
        split = (f"{c['full']} of {b} and a last one of {c['last_size']}, so {n} updates per "
                 "epoch")
    return f"{m} examples: {split}; {E} epochs = **{E * n:,} iterations**."


def trends(rows: list) -> dict:
    """Label -> bias-corrected exponentially weighted average of the iteration costs with
    ``beta = 1 - 1 / (updates per epoch)``: a window of about one epoch (none for batch)."""
    out = {}
    for label, rec, _ in rows:
        n = rec["counts"]["per_epoch"]
        cost = rec["cost"]
        if n > 1 and cost.size and np.all(np.isfinite(cost)):
            out[label] = exponentially_weighted_average(cost, 1 - 1 / n, bias_correction=True)
    return out


def rises(cost) -> float:
    """The share of updates whose mini-batch cost is higher than the one before (0 for a
    curve that only goes down); NaN with fewer than two finite costs."""
    c = np.asarray(cost, float)
    c = c[np.isfinite(c)]
    return float(np.mean(np.diff(c) > 0)) if c.size > 1 else float("nan")


def _size_of(rec: dict) -> int:
    return int(rec["counts"]["mini_batch_size"])


#: Two shares of rising updates closer than this (2 points) are "about as often".
RISE_TIE = 0.02


def noise_verdict(rows: list) -> str:
    """What the iteration chart shows, computed: how often each run's cost goes up from one
    update to the next, and whether the mini-batches jump more than the full batch here."""
    ordered = sorted(rows, key=lambda row: _size_of(row[1]))
    ups = [(label, rises(rec["cost"]), rec["counts"]["per_epoch"] == 1)
           for label, rec, _ in ordered]
    text = ("Updates after which the cost went up: "
            + ", ".join(f"{label} {claims.percent(u)}" for label, u, _ in ups) + ".")
    full = [(label, u) for label, u, whole in ups if whole]
    minis = [(label, u) for label, u, whole in ups if not whole]
    if not (full and minis) or not np.isfinite([u for _, u, _ in ups]).all():
        return text
    (name, f), labels = full[0], claims.join([label for label, _ in minis])
    if all(u > f + RISE_TIE for _, u in minis):
        went = "never goes up" if f == 0 else f"goes up after {claims.percent(f)} of its updates"
        text += (f" Each mini-batch is a noisy sample of the training set, so the cost of "
                 f"{labels} jumps up far more often; the {name} {went}.")
        shares = [u for _, u in minis]
        if len(shares) > 1 and all(a > b + RISE_TIE for a, b in zip(shares, shares[1:],
                                                                      strict=False)):
            text += " The smaller the mini-batch, the more often."
    else:
        text += (f" Here the {name}'s cost goes up about as often as a mini-batch's: at this α "
                 "its steps overshoot.")
    return text


def epoch_verdict(rows: list) -> str:
    """The epoch chart's runs ranked by their last epoch cost, and whether the smaller
    mini-batches end lower after the same number of epochs."""
    results = [(label, r) for label, _, r in rows]
    text = claims.comparison(results, what=f"cost after {_epochs(rows)} epochs")
    ordered = [label for label, rec, _ in sorted(rows, key=lambda row: _size_of(row[1]))]
    if len(ordered) < 2:
        return text
    small, large = ordered[:1], ordered[-1:]
    if claims.beats(results, small, large):
        text += (f" Epoch for epoch, {small[0]} ends lower than {large[0]}: it makes many more "
                 "updates per epoch.")
    elif claims.beats(results, large, small):
        text += (f" Here {large[0]} ends lower than {small[0]}, though it makes fewer updates: "
                 "at this α the small mini-batches' noise costs more than their extra steps.")
    else:
        text += f" {small[0][0].upper()}{small[0][1:]} and {large[0]} end about equal."
    return text


def _epochs(rows: list) -> int:
    return max(int(r.epochs_run) for _, _, r in rows)


def time_verdict(frame) -> str:
    """What the table's times say (whatever this machine measured): the slowest epoch and what
    an update of the largest mini-batch costs against one of the smallest."""
    if len(frame) < 2:
        return ""
    slow = frame.loc[frame["ms per epoch"].idxmax()]
    small = frame.loc[frame["mini-batch size"].idxmin()]
    big = frame.loc[frame["mini-batch size"].idxmax()]
    ratio = big["ms per update"] / small["ms per update"] if small["ms per update"] else np.nan
    examples = big["mini-batch size"] / small["mini-batch size"]
    text = (f"Measured here: the slowest epoch is {slow['run']}'s "
            f"({slow['ms per epoch']:.3g} ms, {int(slow['updates per epoch'])} updates). "
            f"An update of {big['run']} takes {claims.number(ratio, 2)}× the time of one of "
            f"{small['run']}, for {examples:.0f}× the examples")
    if np.isfinite(ratio) and ratio < examples / 2:
        text += (": NumPy handles many columns at once nearly as fast as one, so mini-batches "
                 "of 32 to 512 keep both many updates per epoch and vectorized updates.")
    else:
        text += "."
    return text


def train_variants(pairs: list[tuple[str, TrainConfig]]) -> list:
    """Each variant trained to the end (cached): ``[(label, TrainResult), ...]``."""
    return [(label, train_cached(config, label)) for label, config in pairs]


def training_section(pairs: list[tuple[str, TrainConfig]], results: list) -> list:
    """Record the iterations of each trained variant (cached), draw iteration | epoch costs,
    the counts table and what it measured. Returns ``(label, record, result)``."""
    rows = [(label, iteration_record(config, label), result)
            for (label, config), (_, result) in zip(pairs, results, strict=True)]
    show_status([(label, r) for label, _, r in rows])
    left, right = st.columns(2)
    with left:
        panels = {label: (np.arange(1, len(rec["cost"]) + 1), rec["cost"])
                  for label, rec, _ in rows}
        st.vega_lite_chart(chart_spec(iteration_cost_chart, panels, smooth=trends(rows)),
                           width="stretch")
        st.caption("Each point is one update: the cost of the mini-batch it was computed on. "
                   "The dark line is an exponentially weighted average over about one epoch: "
                   "the trend under the noise. (The y axis is shared and cut at the 99th "
                   "percentile.)")
        st.markdown(noise_verdict(rows))
    with right:
        series = {label: (r.history["epoch"], r.history["cost"]) for label, _, r in rows}
        st.vega_lite_chart(chart_spec(viz.curves_chart, series, y_title="cost",
                                      title="Cost per epoch"), width="stretch")
        st.caption("One point per epoch: the mean cost over all m examples of that epoch. "
                   "Averaging the mini-batches hides most of the noise.")
        st.markdown(epoch_verdict(rows))
        for label, rec, _ in rows:
            st.markdown(f"- **{label}**: {counts_sentence(rec)}")
    frame = counts_frame([(label, rec, r.metrics) for label, rec, r in rows])
    st.dataframe(frame, hide_index=True, column_config=COUNT_COLUMNS)
    st.markdown(time_verdict(frame))
    return rows


def boundaries_section(results: list, data) -> list:
    """The variants learning, live, one mini-batch update per Step: every variant makes the
    same number of updates, so the full batch (one update per epoch) is seen against the
    small mini-batches (many updates per epoch, each noisier). ``results`` are the finished
    runs (:func:`train_variants`). Returns what is shown."""
    return live_comparison([(label, r.config) for label, r in results], data, key="mb_live",
                           finished=lambda: results, unit="batch",
                           verdict=lambda shown: claims.comparison(shown, what="final cost"))


def partition_section() -> None:
    """A small moons set shuffled and cut into mini-batches, drawn two ways."""
    st.markdown("Every epoch starts by shuffling the columns of X (and Y the same way), then "
                "cuts them into consecutive mini-batches. When m is not a multiple of the "
                "size, the last mini-batch is smaller; it is kept.")
    c1, c2, c3 = st.columns(3)
    m = bound.slider("Examples m", 6, 30, 20, key="mb_demo_m", where=c1)
    size = bound.slider("Mini-batch size", 1, 30, 6, key="mb_demo_size", where=c2)
    seed = bound.number_input("Shuffle seed", 0, 10_000, 0, step=1, key="mb_demo_seed",
                              help="Each epoch draws a new shuffle.", where=c3)
    size = min(int(size), int(m))
    X, _ = make_moons(int(m), noise=0.2, rng=np.random.RandomState(3))
    batches = mini_batch_indices(int(m), size, rng=np.random.RandomState(int(seed)))
    c = iteration_counts(int(m), size, 1)
    left, right = st.columns([3, 2])
    with left:
        st.vega_lite_chart(chart_spec(partition_chart, batches))
    with right:
        st.vega_lite_chart(chart_spec(batch_points_chart, X, batches,
                                      title="The same examples in the plane"), width="stretch")
    last = (f" and a last, smaller one of {c['last_size']}" if c["last_size"] != size else "")
    st.markdown(f"**{m} examples, mini-batch size {size}:** {c['full']} mini-batch"
                f"{'es' if c['full'] != 1 else ''} of {size}{last}. One epoch is "
                f"**{c['per_epoch']} iterations** (updates); every example is used exactly once "
                "per epoch. The shuffle draws every mini-batch from the whole set, so that each "
                "update sees a sample of all of it.")
