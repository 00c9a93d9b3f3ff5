"""Glue of the "Loss landscapes" page's momentum phase diagram: momentum on the quadratic
f(x) = c x²/2 for a grid of α and β, each cell labelled fast, slow, oscillates or diverges, and
the path of the picked cell. Instant (no network is trained).

Widget keys (and query parameters) start with ``ph_``. A click on a cell is read from the
chart's selection at the start of the next run and copied into the select boxes, before they
are drawn (``nnlab.app.landscapes.apply_click``).
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from nnlab.app import bound
from nnlab.app.charts import chart_spec
from nnlab.app.landscapes import apply_click
from nnlab.lessons import claims
from nnlab.lessons.optimizer_paths import momentum_bound, quadratic_momentum_path
from nnlab.lessons.surfaces import momentum_phase_diagram
from nnlab.viz import curves_chart
from nnlab.viz.phases import phase_diagram_chart

CELL_PICK, PHASE_KEY, LAST_CELL = "cell_pick", "ph_chart", "ph_last_click"
#: The cell picked by default: (α times the curvature, β).
DEFAULT_PICK = (10.0, 0.9)
PHASE_STEPS = 100
#: Curvature c of the phase diagram's quadratic (another c only rescales the α axis by 1/c).
CURVATURE = 1.0


def phase_section() -> dict:
    """What the diagram is, the picked cell's select boxes, the diagram and the cell's path."""
    st.markdown("On the simplest surface, the quadratic f(x) = x²/2, momentum's fate depends "
                "only on α and β. Each cell runs it from x = 1 and says whether it converges "
                "**fast**, converges **slowly**, **oscillates** (x keeps changing sign) or "
                "**diverges**. For a curvature c instead of 1, divide α by c: the steepest "
                "direction of a real cost sets the largest usable α.")
    lrs, betas = phase_grid(CURVATURE)
    lr, beta = phase_controls(lrs, betas, CURVATURE)
    return phase_view(CURVATURE, PHASE_STEPS, lr, beta, lrs, betas)


def phase_grid(curvature: float) -> tuple[np.ndarray, np.ndarray]:
    """Learning rates (log grid around the bounds) and betas of the phase diagram."""
    return np.geomspace(0.01, 300, 27) / curvature, np.round(np.arange(0, 0.96, 0.05), 2)


def phase_controls(lrs: np.ndarray, betas: np.ndarray, curvature: float) -> tuple[float, float]:
    """Select boxes for the picked cell; a click on a cell moves them."""
    clicked = apply_click(PHASE_KEY, CELL_PICK, LAST_CELL)
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
