"""Week 2: gradient descent, momentum, RMSprop and Adam train the same network on one budget."""

import streamlit as st

from nnlab.app import challenges, live_comparison, page_setup
from nnlab.app import optimizers_page as op
from nnlab.app.explain import math_section
from nnlab.app.sections import sections
from nnlab.core.train import make_dataset

page_setup(__file__)

with st.sidebar:
    st.header("Shared budget")
    budget = op.budget_controls()

picture = st.container()  # the live picture first; the knobs that make it come below it
parts = op.controls_row()
st.markdown(op.settings_sentence(budget, parts))
variants = op.variant_configs(parts, budget)
if variants:
    with picture:
        variants = live_comparison(variants, make_dataset(op.BASE.replace(**budget)),
                                   key="opt_live", log_cost=True, verdict=op.verdict)


MATH = math_section(
    [r"\text{gd:}\quad W^{[l]} = W^{[l]} - \alpha\, dW^{[l]}",
     r"\text{momentum:}\quad v_{dW^{[l]}} = \beta v_{dW^{[l]}} + (1-\beta)\, dW^{[l]},\qquad "
     r"W^{[l]} = W^{[l]} - \alpha\, v_{dW^{[l]}}",
     r"\text{RMSprop:}\quad s_{dW^{[l]}} = \beta_2 s_{dW^{[l]}} + (1-\beta_2)\, (dW^{[l]})^2,"
     r"\qquad W^{[l]} = W^{[l]} - \alpha\, \frac{dW^{[l]}}{\sqrt{s_{dW^{[l]}}} + \varepsilon}",
     r"\begin{aligned}\text{Adam:}\quad & v = \beta_1 v + (1-\beta_1)\, dW,\quad "
     r"s = \beta_2 s + (1-\beta_2)\, dW^2, \\ & v^{corr} = \frac{v}{1-\beta_1^t},\quad "
     r"s^{corr} = \frac{s}{1-\beta_2^t},\quad "
     r"W = W - \alpha\, \frac{v^{corr}}{\sqrt{s^{corr}} + \varepsilon}\end{aligned}"],
    results=variants,
    note="The code below is what computed the runs above: the update rule each optimizer "
         "applied, and the fast network's step that applies it to every layer at once. "
         "`t` counts every mini-batch step of the run (it is never reset between epochs). "
         "The same rules move a point on the *Loss landscapes* page.")
sections("opt_section", {"Bias correction": lambda: op.bias_correction_section(parts["adam"],
                                                                               budget),
                         "Reproduce the assignment": op.reproduce_section}, math=MATH)
challenges.topic_link(__file__)
