"""Week 2: gradient descent, momentum, RMSprop and Adam train the same network on one budget."""

import streamlit as st

from nnlab.app import challenges, live_comparison, math_and_code, page_setup
from nnlab.app import optimizers_page as op
from nnlab.core.train import make_dataset

page_setup(__file__)

picture = st.container()  # the live picture first; the knobs that make it come below it
st.markdown("Every optimizer has its own learning rate α and hyperparameters; the budget "
            "(epochs, mini-batch size, seed) is shared, so the comparison is fair.")
budget = op.budget_controls()
parts = {}
for column, name in zip(st.columns(4), op.NAMES, strict=True):
    with column:
        parts[name] = op.optimizer_column(name)

variants = op.variant_configs(parts, budget)
if variants:
    with picture:
        variants = live_comparison(variants, make_dataset(op.BASE.replace(**budget)),
                                   key="opt_live", log_cost=True, verdict=op.verdict)

st.header("Adam's bias correction in the first steps")
op.bias_correction_section(parts["adam"], budget)

st.header("Reproduce the assignment")
st.markdown("The course's notebook trains a 2-5-2-1 network on its moons with mini-batches of "
            "64 for 5000 epochs at α = 0.0007, with gradient descent, momentum (β = 0.9) and "
            "Adam (β₁ = 0.9, β₂ = 0.999, ε = 1e-8). nnlab runs the very same experiments.")
op.reproduce_section()

math_and_code(
    [r"\text{gd:}\quad W^{[l]} = W^{[l]} - \alpha\, dW^{[l]}",
     r"\text{momentum:}\quad v_{dW^{[l]}} = \beta v_{dW^{[l]}} + (1-\beta)\, dW^{[l]},\qquad "
     r"W^{[l]} = W^{[l]} - \alpha\, v_{dW^{[l]}}",
     r"\text{RMSprop:}\quad s_{dW^{[l]}} = \beta_2 s_{dW^{[l]}} + (1-\beta_2)\, (dW^{[l]})^2,"
     r"\qquad W^{[l]} = W^{[l]} - \alpha\, \frac{dW^{[l]}}{\sqrt{s_{dW^{[l]}}} + \varepsilon}",
     r"\text{Adam:}\quad v = \beta_1 v + (1-\beta_1)\, dW,\quad s = \beta_2 s + (1-\beta_2)\, "
     r"dW^2,\quad v^{corr} = \frac{v}{1-\beta_1^t},\quad s^{corr} = \frac{s}{1-\beta_2^t},"
     r"\quad W = W - \alpha\, \frac{v^{corr}}{\sqrt{s^{corr}} + \varepsilon}"],
    results=variants,
    note="The code below is what computed the runs above: the update rule each optimizer "
         "applied, and the fast network's step that applies it to every layer at once. "
         "`t` counts every mini-batch step of the run (it is never reset between epochs). "
         "The same rules move a point on the *Loss landscapes* page.")
challenges.topic_link(__file__)
