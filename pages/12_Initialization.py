"""Week 1: zeros, large random, Xavier and He initialization; symmetry breaking."""

import streamlit as st

from nnlab.app import bound, challenges, controls, live_comparison, page_setup
from nnlab.app import initialization as init_app
from nnlab.app import initialization_course as init_course
from nnlab.app.explain import math_section
from nnlab.app.sections import sections
from nnlab.config import TrainConfig
from nnlab.core.train import make_dataset
from nnlab.lessons import symmetry
from nnlab.spec import initializers
from nnlab.spec.initializers import RANDOM_SCALE

#: At α = 0.1 and 1,500 epochs He and Xavier both end far below zeros and random × 10 (at
#: 0.05 random × 10 ends below Xavier, though with a much lower dev accuracy).
BASE = TrainConfig(dataset="circles", n_samples=300, hidden_units=(10, 5), optimizer="gd",
                   learning_rate=0.1, num_epochs=1500)

page_setup(__file__)

with st.sidebar:
    st.header("Data")
    data_part = controls.dataset_controls("init", defaults=BASE,
                                          names=("circles", "moons", "xor", "gaussians"))
    st.header("Network and training")
    model_part = controls.architecture_controls("init", defaults=BASE)
    lr = controls.learning_rate_control("init", defaults=BASE)
    epochs_part = controls.epochs_control("init", defaults=BASE)
    seed_part = controls.seed_control("init", defaults=BASE)

scale = bound.slider("Scale of the large random weights (W = randn × scale)", 0.5, 20.0,
                  RANDOM_SCALE, step=0.5, key="init_random_scale",
                  help="The course multiplies standard normal weights by 10.")
base = controls.make_config(data_part, model_part, epochs_part, seed_part, base=BASE,
                            learning_rate=lr)
if base is None:
    st.stop()

data = make_dataset(base)
variants = init_app.variants(base, scale)
results = live_comparison(variants, data, key="init_live", log_cost=True,
                          verdict=init_app.live_verdict(data))
st.markdown("Look at the boundaries: which starts draw the circle, and which one predicts a "
            "single class everywhere?")


def symmetry_section() -> None:
    st.header("Symmetry: every unit the same")
    st.caption("The weights of one layer at a few moments of training, evenly spaced from the "
               "start (epoch 0) to the end, with the settings above.")
    init_app.symmetry_view(base)


MATH = math_section(
    [r"\text{zeros: } W^{[l]} = 0", r"\text{random: } W^{[l]} = 10 \cdot \mathcal{N}(0, 1)",
     r"\text{Xavier: } W^{[l]} = \mathcal{N}(0, 1)\cdot\sqrt{1 / n^{[l-1]}}",
     r"\text{He: } W^{[l]} = \mathcal{N}(0, 1)\cdot\sqrt{2 / n^{[l-1]}}",
     r"W^{[l]}_{i\cdot} = W^{[l]}_{j\cdot} \;\Rightarrow\; a^{[l]}_i = a^{[l]}_j,\;"
     r"dW^{[l]}_{i\cdot} = dW^{[l]}_{j\cdot} \;\Rightarrow\; \text{the rows stay equal}"],
    [initializers.initialize_weight, initializers.initialize_parameters,
     symmetry.train_with_snapshots],
    note="He scales the variance of the weights by $2/n^{[l-1]}$ so that the variance of the "
         "ReLU activations stays steady from layer to layer; Xavier ($1/n^{[l-1]}$) is the "
         "same idea for tanh. Biases may start at zero: the random weights already break "
         "the symmetry.")
sections("init_section", {"Symmetry": symmetry_section,
                          "Reproduce the assignment": init_course.reproduce_assignment}, math=MATH)
challenges.topic_link(__file__)
