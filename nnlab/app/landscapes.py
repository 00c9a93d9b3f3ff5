"""Glue of the "Loss landscapes" page: optimizers racing on 2-D surfaces (the momentum phase
diagram is ``nnlab.app.landscapes_phase``). Everything here is instant (no network is trained).

Widget keys (and query parameters) start with ``ll_``. A click on a chart is read from its
selection at the start of the next run and copied into the sliders or select boxes, before
they are drawn (Streamlit allows changing a widget's value only before the widget exists in
that run): :func:`apply_click`.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from nnlab.app import bound
from nnlab.app.charts import chart_spec, frame_spec
from nnlab.app.live_controls import live_view
from nnlab.app.live_panel import show_verdict
from nnlab.lessons.optimizer_paths import (
    PathConfig,
    start_path,
)
from nnlab.lessons.race_claims import gap_caption, gap_curves, lowest_value, race_verdict
from nnlab.viz import curves_chart
from nnlab.viz._common import series_frame
from nnlab.viz.surfaces import path_frame, race_map_chart

NAMES = {"gd": "gradient descent", "momentum": "momentum", "rmsprop": "RMSprop", "adam": "Adam"}
SHORT = {"gd": "GD", "momentum": "momentum", "rmsprop": "RMSprop", "adam": "Adam"}  # legends
LEARNING_RATES = (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.02, 0.03, 0.05, 0.1, 0.15, 0.19, 0.3,
                  0.5, 1.0, 2.0)
GRID = 60  # contour cells per axis (60 x 60 stays under the chart's cell limit)
SLIDER_STEPS = 200  # start-point slider resolution: 1/200 of the domain
START_PICK, CONTOUR_KEY, LAST_START = "start_pick", "ll_contour", "ll_last_click"

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
             "cancel out. Count the zig-zags; then push momentum's α up (see the tab Phase "
             "diagram under the race)."),
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


def apply_click(selection_key: str, param: str, last_key: str) -> dict | None:
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
    clicked = apply_click(CONTOUR_KEY, START_PICK, LAST_START)
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


def racer_controls(preset: dict, surface) -> tuple[dict, tuple[float, float]]:
    """One wrapping row of popovers: the start point (:func:`start_controls`), then per
    optimizer whether it races, its learning rate (and momentum's β). Returns the racers
    ``{legend label: spec}`` and the start."""
    row = st.container(horizontal=True, gap="small", key="ll_controls")
    with row.popover("Start point", icon=":material/place:", key="ll_start_popover",
                     help="Where every racer starts (a click on the map moves it too)."):
        start = start_controls(surface, preset["start"])
    runs = {}
    for name in NAMES:
        with row.popover(NAMES[name], icon=":material/tune:", key=f"ll_{name}_popover",
                         help=f"Race {NAMES[name]} or not, and its learning rate α."):
            on = bound.checkbox(f"Race {NAMES[name]}", True, key=f"ll_{name}_on")
            lr0 = preset["lrs"][name]
            options = sorted(set(LEARNING_RATES) | {lr0})
            lr = bound.select_slider("α", options, value=lr0, format_func=lambda v: f"{v:g}",
                                     key=f"ll_{name}_learning_rate", disabled=not on)
            spec = {"optimizer": name, "learning_rate": float(lr)}
            if name == "momentum":
                spec["beta"] = float(bound.slider("β", 0.0, 0.99, 0.9, step=0.01,
                                                  key="ll_momentum_beta", disabled=not on))
            if on:
                runs[SHORT[name]] = spec
    return runs, start


def racers_sentence(runs: dict, start) -> str:
    """What the popovers hold, in one line: "Racing from (−2.5, 0.01): GD α 0.05, momentum
    α 0.05 (β 0.9), ...". """
    racers = [f"{label} α {spec['learning_rate']:g}"
              + (f" (β {spec['beta']:g})" if "beta" in spec else "")
              for label, spec in runs.items()]
    where = f"({start[0]:.3g}, {start[1]:.3g})"
    return (f"Racing from {where}: " + ", ".join(racers) + "." if racers
            else f"Start {where}; no racer ticked.")


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
            st.caption("Click anywhere on the map to start there (or set it under Start "
                       "point). Colour: f(x, y) (darker is lower); the diamond marks the start.")
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
