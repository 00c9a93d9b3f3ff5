"""Glue of the "Loss landscapes" page: optimizers racing on 2-D surfaces, the momentum phase
diagram. Everything here is instant (no network is trained).

Widget keys (and query parameters) start with ``ll_`` (the race) and ``ph_`` (the phase
diagram). A click on a chart is read from its selection at the start of the next run and
copied into the sliders or select boxes, before they are drawn (Streamlit allows changing a
widget's value only before the widget exists in that run).
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from nnlab.app import bound
from nnlab.app.charts import chart_spec, frame_spec
from nnlab.app.live_controls import live_view
from nnlab.app.live_panel import show_verdict
from nnlab.lessons import claims
from nnlab.lessons.optimizer_paths import (
    PathConfig,
    momentum_bound,
    quadratic_momentum_path,
    start_path,
)
from nnlab.lessons.race_claims import gap_caption, gap_curves, lowest_value, race_verdict
from nnlab.lessons.surfaces import momentum_phase_diagram
from nnlab.viz import curves_chart
from nnlab.viz._common import series_frame
from nnlab.viz.phases import phase_diagram_chart
from nnlab.viz.surfaces import path_frame, race_map_chart

NAMES = {"gd": "gradient descent", "momentum": "momentum", "rmsprop": "RMSprop", "adam": "Adam"}
SHORT = {"gd": "GD", "momentum": "momentum", "rmsprop": "RMSprop", "adam": "Adam"}  # legends
LEARNING_RATES = (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.02, 0.03, 0.05, 0.1, 0.15, 0.19, 0.3,
                  0.5, 1.0, 2.0)
GRID = 60  # contour cells per axis (60 x 60 stays under the chart's cell limit)
SLIDER_STEPS = 200  # start-point slider resolution: 1/200 of the domain
START_PICK, CONTOUR_KEY, LAST_START = "start_pick", "ll_contour", "ll_last_click"
CELL_PICK, PHASE_KEY, LAST_CELL = "cell_pick", "ph_chart", "ph_last_click"
#: The cell picked by default: (α times the curvature, β).
DEFAULT_PICK = (10.0, 0.9)
PHASE_STEPS = 100
#: Curvature c of the phase diagram's quadratic (another c only rescales the α axis by 1/c).
CURVATURE = 1.0

#: Presets: surface, start, steps, learning rate per optimizer, what to look for (``note``:
#: how the optimizers work here and a question, never an outcome) and the ``lesson`` the race's
#: verdict checks on the runs drawn (see :func:`lesson`).
PRESETS = {
    "Saddle point": dict(
        surface="saddle", start=(-2.5, 0.01), steps=100,
        lrs=dict(gd=0.05, momentum=0.05, rmsprop=0.05, adam=0.05), lesson="adaptive",
        note="The start is almost on the ridge line y = 0: the gradient's y part is tiny. "
             "Gradient descent's step is α times the gradient, so the tiny y part moves it "
             "off the ridge only slowly; RMSprop and Adam divide by the gradient's size, so "
             "even a tiny y gradient gives a full step. Which racer leaves the saddle at "
             "(0, 0) for a minimum at (0, ±1) first?"),
    "Plateau": dict(
        surface="plateau", start=(-3.5, -3.0), steps=200,
        lrs=dict(gd=0.1, momentum=0.1, rmsprop=0.1, adam=0.1), lesson="adaptive",
        note="Far from the three wells the surface is almost flat: gradient descent's steps "
             "are α times a tiny gradient, while Adam and RMSprop take steps of about α "
             "whatever the gradient's size. Which racers cross the plateau within the steps "
             "given? Plateaus, not local minima, are what slows learning."),
    "Local minima": dict(
        surface="plateau", start=(0.5, 4.0), steps=200,
        lrs=dict(gd=0.5, momentum=0.5, rmsprop=0.1, adam=0.1), lesson="wells",
        note="Three wells of different depth; the one at (2, −1.5) is the deepest, the other "
             "two are local minima (their f − f* stays above 0 on the right). From the same "
             "start, do the optimizers settle in the same well? Move the start or the "
             "learning rates and watch which well each one picks."),
    "Four equal minima": dict(
        surface="himmelblau", start=(0.0, 0.0), steps=100,
        lrs=dict(gd=0.01, momentum=0.03, rmsprop=0.1, adam=0.1), lesson="wells",
        note="Himmelblau's function has four minima, all with f = 0: wherever an optimizer "
             "ends among them, it is as good as the others. Do they all pick the same one?"),
    "Elongated bowl": dict(
        surface="bowl", start=(-5.0, 2.0), steps=100,
        lrs=dict(gd=0.19, momentum=0.19, rmsprop=0.1, adam=0.1), lesson="zigzag",
        note="Curvature 10 across the valley, 1 along it. Gradient descent is stable only for "
             "α < 2/10, and close to that bound each step overshoots the valley's floor. "
             "Momentum averages its recent steps, so steps that alternate across the valley "
             "cancel out. Count the zig-zags; then push momentum's α up (see the phase "
             "diagram below)."),
    "Rosenbrock valley": dict(
        surface="rosenbrock", start=(-1.5, 2.0), steps=300,
        lrs=dict(gd=0.001, momentum=0.001, rmsprop=0.01, adam=0.05), lesson="adaptive",
        note="A curved valley with a flat floor to the minimum at (1, 1): the steep walls "
             "force a small α on gradient descent, and along the flat floor a small α times "
             "a small gradient is a tiny step. How far along the floor does each racer get?"),
}
HIGH_DIMENSIONS = (
    "**Why local optima are rare in high dimensions.** At a point where the gradient is zero, "
    "each of the network's many directions curves either up or down. For a local minimum "
    "*every* direction must curve up; with 10,000 parameters that is very unlikely, so most "
    "points of zero gradient are **saddle points** (some directions up, some down), and an "
    "optimizer can leave them along a downhill direction. What slows learning are "
    "**plateaus**: long regions where the gradient is close to zero. Momentum, RMSprop and "
    "Adam help to cross them faster.")


# ------------------------------------------------------------------------------ the race


def _apply_preset() -> None:
    """On a new preset, move the start sliders, the steps and the learning rates to it."""
    preset = PRESETS[st.session_state["ll_preset"]]
    st.session_state["ll_x"], st.session_state["ll_y"] = map(float, preset["start"])
    st.session_state["ll_steps"] = preset["steps"]
    for name, lr in preset["lrs"].items():
        st.session_state[f"ll_{name}_learning_rate"] = lr


def _snap(value: float, lo: float, hi: float) -> float:
    step = (hi - lo) / SLIDER_STEPS
    return float(np.clip(round(lo + round((value - lo) / step) * step, 6), lo, hi))


def _apply_click(selection_key: str, param: str, last_key: str) -> dict | None:
    """The point of a new click on a chart (``{field: value}``), or None."""
    event = st.session_state.get(selection_key)
    try:
        points = event["selection"][param]
    except (KeyError, TypeError):
        return None
    if not points or points == st.session_state.get(last_key):
        return None
    st.session_state[last_key] = points
    return points[0]


def start_controls(surface, default=None) -> tuple[float, float]:
    """The start point: two sliders (at ``default``, else the surface's start), moved by a
    click on the contour map."""
    (x0, x1), (y0, y1) = surface.domain
    clicked = _apply_click(CONTOUR_KEY, START_PICK, LAST_START)
    if clicked and "x" in clicked and "y" in clicked:
        st.session_state["ll_x"] = _snap(clicked["x"], x0, x1)
        st.session_state["ll_y"] = _snap(clicked["y"], y0, y1)
    for k, lo, hi in (("ll_x", x0, x1), ("ll_y", y0, y1)):  # another surface: clip
        if k in st.session_state and not lo <= st.session_state[k] <= hi:
            st.session_state[k] = _snap(st.session_state[k], lo, hi)
    sx, sy = surface.start if default is None else default
    x = bound.slider("start x", x0, x1, float(sx), step=(x1 - x0) / SLIDER_STEPS, key="ll_x",
                     format="%.3f")
    y = bound.slider("start y", y0, y1, float(sy), step=(y1 - y0) / SLIDER_STEPS, key="ll_y",
                     format="%.3f")
    return x, y


def preset_controls() -> tuple[str, dict]:
    names = list(PRESETS)
    name = bound.selectbox("Landscape", names, key="ll_preset", on_change=_apply_preset,
                        help="Each preset sets the surface, the start and learning rates that "
                        "show its point; change them freely afterwards.")
    return name, PRESETS[name]


def racer_controls(preset: dict) -> dict:
    """Per optimizer: race or not, its learning rate (and momentum's β)."""
    runs = {}
    for column, name in zip(st.columns(4), NAMES, strict=True):
        with column:
            on = bound.checkbox(NAMES[name], True, key=f"ll_{name}_on")
            lr0 = preset["lrs"][name]
            options = sorted(set(LEARNING_RATES) | {lr0})
            lr = bound.select_slider("α", options, value=lr0, format_func=lambda v: f"{v:g}",
                                  key=f"ll_{name}_learning_rate", disabled=not on)
            spec = {"optimizer": name, "learning_rate": float(lr)}
            if name == "momentum":
                spec["beta"] = float(bound.slider("β", 0.0, 0.99, 0.9, step=0.01,
                                               key="ll_momentum_beta",
                                               disabled=not on))
            if on:
                runs[SHORT[name]] = spec
    return runs


def surface_grid(surface, size: int = GRID):
    """``xs``, ``ys`` and ``Z[i, j] = f(xs[j], ys[i])`` over the surface's domain."""
    (x0, x1), (y0, y1) = surface.domain
    xs, ys = np.linspace(x0, x1, size), np.linspace(y0, y1, size)
    gx, gy = np.meshgrid(xs, ys)
    return xs, ys, surface.f(gx, gy)


def race_view(surface, start, runs: dict, steps: int, lesson: str = "adaptive") -> list:
    """The race, live: paths on the contour map (a click there moves the start) and the cost
    gap per step, drawn step by step with the live toolbar (Play, Step, Finish, Reset; a knob
    change plays the race again from the start), and under them :func:`race_verdict` of the
    paths as drawn. Returns ``[(label, TrainResult), ...]`` of the paths as shown
    (``nnlab.lessons.optimizer_paths.PathRun``)."""
    xs, ys, Z = surface_grid(surface)
    log_z = bool(np.nanmin(Z) >= 0)
    if not runs:
        st.vega_lite_chart(chart_spec(race_map_chart, xs, ys, Z, log_z=log_z, start=start,
                                      select_name=START_PICK),
                           width="stretch", on_select="rerun", key=CONTOUR_KEY,
                           selection_mode=START_PICK)
        st.info("Tick at least one optimizer to race.")
        return []
    variants = [(label, PathConfig.from_spec(surface.name, start, spec, steps))
                for label, spec in runs.items()]

    def finished():
        return [(label, start_path(c).advance().snapshot()) for label, c in variants]

    def draw(session, snapshots):
        for label, r in snapshots:
            if r.status == "diverged":
                st.warning(f"**{label}**: {r.message}. Lower its α.", icon=":material/warning:")
        paths = {label: np.vstack([np.asarray(start, float)[None, :],
                                   np.c_[r.history["x"], r.history["y"]]])
                 for label, r in snapshots}
        labels = tuple(paths)
        spec = frame_spec(("race", surface.name, tuple(start), labels, log_z),
                          lambda: race_map_chart(xs, ys, Z, paths=paths, log_z=log_z,
                                                 start=start, select_name=START_PICK),
                          [path_frame(paths)], constant=True,
                          description=f"Contour map of f(x, y) ({surface.name}) with the path "
                                      f"of {', '.join(labels)} from the start ({start[0]:.3g}, "
                                      f"{start[1]:.3g}); where each one ends is written under "
                                      "the charts.")
        left, right = st.columns([3, 2])
        with left:
            event = st.vega_lite_chart(
                spec, width="stretch", on_select="rerun", key=CONTOUR_KEY,
                selection_mode=START_PICK)
            picked = (event or {}).get("selection", {}).get(START_PICK)
            if picked and picked != st.session_state.get(LAST_START):
                st.rerun()  # a new start: the whole page (its sliders) takes it
            st.caption("Click anywhere on the map to start there (or use the sliders). Colour: "
                       "f(x, y) (darker is lower); the diamond marks the start.")
        with right:
            gaps = gap_curves(snapshots, lowest_value(surface))
            st.vega_lite_chart(
                frame_spec(("race gaps", labels),
                           lambda: curves_chart(gaps, x_title="step",
                                                y_title="f − f* (log scale)", log_y=True,
                                                title="Gap to the lowest minimum"),
                           [series_frame(gaps, True)],
                           description=f"Gap f − f* to the lowest minimum per step, log "
                                       f"scale, for {', '.join(labels)}; the verdict under "
                                       "the charts gives the numbers."),
                width="stretch")
            st.caption("A curve that flattens above the bottom has stopped improving: on a "
                       "plateau, at a saddle or in a worse local minimum.")
            notes = gap_caption(gaps, snapshots)
            if notes:
                st.markdown(notes)
        show_verdict(race_verdict(surface, start, snapshots, lesson), snapshots, unit="step")

    return live_view(variants, key="ll_live", draw=draw, finished=finished, unit="step",
                     starter=start_path)


# ------------------------------------------------------------------------- phase diagram


def phase_grid(curvature: float) -> tuple[np.ndarray, np.ndarray]:
    """Learning rates (log grid around the bounds) and betas of the phase diagram."""
    return np.geomspace(0.01, 300, 27) / curvature, np.round(np.arange(0, 0.96, 0.05), 2)


def phase_controls(lrs: np.ndarray, betas: np.ndarray, curvature: float) -> tuple[float, float]:
    """Select boxes for the picked cell; a click on a cell moves them."""
    clicked = _apply_click(PHASE_KEY, CELL_PICK, LAST_CELL)
    lr_opts, beta_opts = [float(f"{v:.4g}") for v in lrs], [float(b) for b in betas]
    if clicked and "learning_rate" in clicked and "beta" in clicked:
        st.session_state["ph_learning_rate"] = min(
            lr_opts, key=lambda v: abs(np.log(v) - np.log(clicked["learning_rate"])))
        st.session_state["ph_beta"] = min(beta_opts, key=lambda b: abs(b - clicked["beta"]))
    for k, opts in (("ph_learning_rate", lr_opts), ("ph_beta", beta_opts)):  # new curvature
        if k in st.session_state and st.session_state[k] not in opts:
            del st.session_state[k]
    left, right = st.columns(2)
    with left:
        lr0 = min(lr_opts, key=lambda v: abs(np.log(v) - np.log(DEFAULT_PICK[0] / curvature)))
        lr = bound.selectbox("α of the picked cell", lr_opts, index=lr_opts.index(lr0),
                          format_func=lambda v: f"{v:g}", key="ph_learning_rate")
    with right:
        beta = bound.selectbox("β of the picked cell", beta_opts,
                            index=beta_opts.index(DEFAULT_PICK[1]), key="ph_beta")
    return float(lr), float(beta)


def phase_row(labels, lrs) -> str:
    """One row of the diagram (a β) as its runs of equal labels along α: "slow up to α = 0.049,
    fast 0.073–0.784, oscillates 1.17–1.73, diverges from 2.58"."""
    runs, i = [], 0
    while i < len(labels):
        j = i
        while j + 1 < len(labels) and labels[j + 1] == labels[i]:
            j += 1
        lo, hi = claims.number(float(lrs[i])), claims.number(float(lrs[j]))
        if i == 0 and j == len(labels) - 1:
            runs.append(f"{labels[i]} for every α shown")
        elif i == 0:
            runs.append(f"{labels[i]} up to α = {hi}")
        elif j == len(labels) - 1:
            runs.append(f"{labels[i]} from {lo}")
        else:
            runs.append(f"{labels[i]} {lo}–{hi}" if i != j else f"{labels[i]} at {lo}")
        i = j + 1
    return ", ".join(runs)


def phase_summary(diagram, lrs, betas, beta: float) -> str:
    """What the diagram shows along the rows β = 0 and ``beta`` (the picked cell's), computed
    from its labels, and how much larger an α the larger β tolerates before diverging."""
    labels = diagram["labels"]
    rows = [0, int(np.argmin(np.abs(np.asarray(betas) - beta)))]
    text = []
    for j in dict.fromkeys(rows):
        text.append(f"β = {betas[j]:g}: {phase_row(labels[:, j], lrs)}")
    out = "Along α, " + "; ".join(text) + "."

    def first_diverging(j):
        hit = np.flatnonzero(labels[:, j] == "diverges")
        return float(lrs[hit[0]]) if hit.size else None

    a, b = first_diverging(rows[0]), first_diverging(rows[1])
    if rows[1] != rows[0] and a and b and b > a:
        out += (f" With β = {betas[rows[1]]:g} the first diverging α of the grid is "
                f"{b / a:.3g} times the one of β = 0, as the bound α < 2(1 + β) / ((1 − β) c) "
                "predicts.")
    elif rows[1] != rows[0] and a and b and b <= a:
        out += f" With β = {betas[rows[1]]:g} it diverges no later than with β = 0."
    return out


def phase_view(curvature: float, steps: int, lr: float, beta: float,
               lrs: np.ndarray, betas: np.ndarray) -> dict:
    """The diagram (a click picks a cell) and the picked cell's path."""
    diagram = momentum_phase_diagram(lrs, betas, curvature=curvature, num_steps=steps)
    fine = np.linspace(0, float(betas[-1]) + 0.025, 200)
    # the picked cell: the grid's nearest values (the select boxes show them rounded)
    i = int(np.argmin(np.abs(np.log(lrs) - np.log(lr))))
    j = int(np.argmin(np.abs(betas - beta)))
    chart = chart_spec(phase_diagram_chart, diagram["labels"], lrs, betas,
                       bound=(fine, momentum_bound(fine, curvature)),
                       selected=(float(lrs[i]), float(betas[j])), select_name=CELL_PICK)
    label = str(diagram["labels"][i, j])
    path = quadratic_momentum_path(float(lrs[i]), float(betas[j]), curvature=curvature,
                                   num_steps=steps)
    left, right = st.columns(2)
    with left:
        st.vega_lite_chart(chart, width="stretch", on_select="rerun", key=PHASE_KEY,
                           selection_mode=CELL_PICK)
        st.caption(f"Each cell: {steps} steps of momentum on f(x) = {curvature:g}·x²/2 from "
                   "x = 1. Dashed: the bound α = 2(1 + β) / ((1 − β) c), beyond which it "
                   "diverges. Click a cell to see its path.")
    with right:
        st.markdown(f"α = {lrs[i]:.4g}, β = {betas[j]:g}: **{label}** (bound α < "
                    f"{momentum_bound(float(betas[j]), curvature):.4g})")
        t = np.arange(path.size)
        st.vega_lite_chart(chart_spec(curves_chart, {"xₜ": (t, path)}, x_title="step t",
                                      y_title="xₜ", title="The picked cell's path"),
                           width="stretch")
        st.vega_lite_chart(chart_spec(curves_chart, {"|xₜ|": (t, np.abs(path))},
                                      x_title="step t", y_title="|xₜ| (log scale)", log_y=True,
                                      title="Distance to the minimum"), width="stretch")
    st.markdown(phase_summary(diagram, lrs, betas, float(betas[j])))
    return {"label": label, "path": path, "diagram": diagram}
