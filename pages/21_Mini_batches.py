"""Week 2: mini-batch gradient descent, from stochastic (size 1) to batch (size m)."""

import streamlit as st

from nnlab.app import challenges, controls, page_setup
from nnlab.app import minibatches as mb
from nnlab.app.explain import math_section
from nnlab.app.sections import sections
from nnlab.core import iterations
from nnlab.core.train import make_dataset
from nnlab.spec import minibatch

page_setup(__file__)

with st.sidebar:
    st.header("Data and training")
    data_part = controls.dataset_controls("mb", defaults=mb.BASE,
                                          names=("moons", "circles", "xor", "gaussians"),
                                          data_seed=False)
    lr = controls.learning_rate_control("mb", defaults=mb.BASE)
    epochs = controls.epochs_control("mb", defaults=mb.BASE, choices=(5, 10, 20, 50, 100, 200))
    seed = controls.seed_control("mb", defaults=mb.BASE)

base = controls.make_config(data_part, epochs, seed, base=mb.BASE, learning_rate=lr)
if base is None:
    st.stop()
data = make_dataset(base)

sizes = mb.size_controls()
if not sizes:
    st.info("Pick at least one mini-batch size above (or a preset).")
    st.stop()
pairs = mb.variants(sizes, base, data.m_train)
results = mb.train_variants(pairs)
mb.boundaries_section(results, data)

MATH = math_section(
    [r"X^{\{t\}} = X_{:,\,\pi[(t-1)b\,:\,tb]},\quad t = 1, \dots, \lceil m / b \rceil",
     r"J^{\{t\}} = \frac{1}{b_t} \sum_{i \in \text{batch } t} \mathcal{L}(a^{[L](i)}, y^{(i)})"
     r" + \frac{\lambda}{2m} \sum_l \lVert W^{[l]} \rVert_F^2",
     r"W^{[l]} := W^{[l]} - \alpha\, dW^{[l]\{t\}} \quad \text{(one update per mini-batch)}",
     r"J_{\text{epoch}} = \sum_t \frac{b_t}{m}\, J^{\{t\}}"],
    [minibatch.random_mini_batches, minibatch.mini_batch_indices, iterations.record_iterations],
    note="b is `mini_batch_size`, π a random permutation of the m columns (a new one every "
         "epoch), b_t the size of mini-batch t (the last one may be smaller). Each mini-batch's "
         "gradient is averaged over its own b_t examples. The epoch cost is the mean of the "
         "per-example losses over the epoch, which is the b_t/m-weighted mean of the iteration "
         "costs: what `nnlab.core.train.train` records in `history['cost']`.")
sections("mb_section", {"Cost per update": lambda: mb.training_section(pairs, results),
                        "Shuffle and partition": mb.partition_section}, math=MATH)
challenges.topic_link(__file__)
