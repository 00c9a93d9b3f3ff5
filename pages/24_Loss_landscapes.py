"""Week 2: optimizers racing on 2-D surfaces, and momentum's phase diagram."""

import streamlit as st

from nnlab.app import bound, challenges, page_setup
from nnlab.app import landscapes as ll
from nnlab.app import landscapes_phase as phase
from nnlab.app.explain import math_section
from nnlab.app.sections import sections
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
runs, start = ll.racer_controls(preset, surface)
st.markdown(ll.racers_sentence(runs, start))
with picture:
    ll.race_view(surface, start, runs, steps, preset["lesson"])

MATH = math_section(
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
sections("ll_section", {"Phase diagram": phase.phase_section,
                        "High dimensions": lambda: st.markdown(ll.HIGH_DIMENSIONS)}, math=MATH)
challenges.topic_link(__file__)
