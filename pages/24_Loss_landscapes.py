"""Week 2: optimizers racing on 2-D surfaces, and momentum's phase diagram."""

import streamlit as st

from nnlab.app import bound, challenges, math_and_code, page_setup
from nnlab.app import landscapes as ll
from nnlab.lessons import optimizer_paths as optimizer_demos
from nnlab.lessons import surfaces

page_setup(__file__)

left, right = st.columns([2, 1])
with left:
    preset_name, preset = ll.preset_controls()
with right:
    steps = bound.slider("Steps", 10, 500, preset["steps"], step=10, key="ll_steps")
surface = surfaces.SURFACES[preset["surface"]]
picture = st.container()  # the race first; the knobs that make it come below it
st.info(preset["note"], icon=":material/lightbulb:")
runs = ll.racer_controls(preset)
with st.expander("Start point", expanded=True):
    start = ll.start_controls(surface, preset["start"])
with picture:
    ll.race_view(surface, start, runs, steps, preset["lesson"])
st.markdown(ll.HIGH_DIMENSIONS)

st.header("Momentum's phase diagram")
st.markdown("On the simplest surface, the quadratic f(x) = x²/2, momentum's fate depends only "
            "on α and β. Each cell runs it from x = 1 and says whether it converges **fast**, "
            "converges **slowly**, **oscillates** (x keeps changing sign) or **diverges**. "
            "For a curvature c instead of 1, divide α by c: the steepest direction of a real "
            "cost sets the largest usable α.")
lrs, betas = ll.phase_grid(ll.CURVATURE)
lr, beta = ll.phase_controls(lrs, betas, ll.CURVATURE)
ll.phase_view(ll.CURVATURE, ll.PHASE_STEPS, lr, beta, lrs, betas)

math_and_code(
    [r"v_{d\theta} = \beta\, v_{d\theta} + (1-\beta)\, d\theta,\qquad "
     r"\theta = \theta - \alpha\, v_{d\theta}",
     r"\text{on } f(x) = \tfrac{c}{2}x^2:\quad \begin{pmatrix} v_{t+1} \\ x_{t+1} \end{pmatrix}"
     r" = \begin{pmatrix} \beta & (1-\beta)c \\ -\alpha\beta & 1-\alpha(1-\beta)c \end{pmatrix}"
     r"\begin{pmatrix} v_t \\ x_t \end{pmatrix}",
     r"\text{converges} \iff \alpha < \frac{2(1+\beta)}{(1-\beta)\,c}"],
    [surfaces.optimize_path, surfaces.momentum_phase_diagram,
     optimizer_demos.quadratic_momentum_path],
    note="Every path is the network's own `optimizer_step` applied to a point "
         "`{'theta': [[x], [y]]}` with the surface's analytic gradient `{'dtheta': ...}`. "
         "The bound: the iteration matrix has determinant β and trace 1 + β − α(1 − β)c; both "
         "eigenvalues lie inside the unit circle exactly when α(1 − β)c < 2(1 + β).")
challenges.topic_link(__file__)
