"""Week 1: vanishing and exploding gradients. A deep network trained live from four
initializations first; then its per-layer activation spread and gradient norms at
initialization and after training, the lecture's linear chain and the activations compared."""

from functools import partial

import streamlit as st

from nnlab.app import bound, challenges, controls, live_comparison, page_setup
from nnlab.app import vanishing as van
from nnlab.app.explain import math_section
from nnlab.app.sections import sections
from nnlab.lessons import layer_stats as diagnostics
from nnlab.spec import initializers
from nnlab.spec.activations import HIDDEN_ACTIVATIONS

page_setup(__file__)

with st.sidebar:
    st.header("Deep network")
    depth = bound.slider("Hidden layers", 1, van.MAX_DEPTH, len(van.BASE.hidden_units),
                      key="depth")
    width = bound.select_slider("Units per hidden layer", van.WIDTHS, van.BASE.hidden_units[0],
                             key="width")
    activation = bound.selectbox("Hidden activation", HIDDEN_ACTIVATIONS,
                              index=HIDDEN_ACTIVATIONS.index(van.BASE.hidden_activation),
                              key="activation")
    data_part = controls.dataset_controls("d", defaults=van.BASE, names=van.BINARY_DATASETS,
                                          noise=False)
    seed = controls.seed_control("s", defaults=van.BASE)
    st.header("Initializations")
    st.caption("One box per variant, in the order of the pictures. Scale: the standard "
               "deviation of W; empty keeps the initializer's own.")
    variant_parts = van.variant_controls()
    st.header("Training")
    lr = controls.learning_rate_control("t", defaults=van.BASE)
    epochs = bound.select_slider("Epochs", van.TRAIN_EPOCHS, van.BASE.num_epochs, key="t_epochs")

base = controls.make_config(data_part, seed, base=van.BASE, hidden_units=(width,) * depth,
                            hidden_activation=activation)
if base is None:
    st.stop()
configs = [(label, controls.make_config(part, base=base)) for label, part in variant_parts]
if any(c is None for _, c in configs):
    st.stop()
data = van.dataset(base)
init = {label: van.snapshot(c, data) for label, c in configs}
trained = live_comparison([(label, c.replace(learning_rate=lr, num_epochs=epochs))
                           for label, c in configs], data, key="van_live", log_cost=True,
                          verdict=partial(van.train_verdict, data=data, init=init))


def init_section() -> None:
    st.markdown(f"{depth} hidden layers of {width} {activation} units, one forward and "
                f"backward pass over the {data.m_train} training examples, before any training.")
    van.stats_view(init, when="at initialization")
    st.markdown(van.init_verdict(init, activation))
    st.caption("Left: how spread out each hidden layer's activations are; right: the size of "
               "each layer's gradient. Log scale: each grid line is a factor of 10, and a power "
               "of the depth is a straight line.")


def linear_section() -> None:
    st.markdown(
        r"Take $g(z) = z$ (no activation), $b^{[l]} = 0$ and the same weights in every layer, "
        r"$W^{[l]} = s\,I$. Then $\hat y = W^{[L]} \cdots W^{[1]} x = s^L x$: with $s = 1.5$ "
        r"the output **grows like $1.5^L$**, with $s = 0.5$ it **shrinks like $0.5^L$**. The "
        "gradients flow back through the same matrices, so they explode or vanish in the same "
        "way.")
    linear_depth = bound.slider("Number of layers L", 1, 100, 30, key="linear_depth")
    chain = van.linear_chain_section(linear_depth)
    st.markdown(van.linear_chain_sentence(chain, linear_depth))


def activations_section() -> None:
    st.markdown("Sigmoid, tanh and ReLU: which one starves the first layers? Each activation "
                "with the initialization the lecture recommends for it, in the network above.")
    van.activations_section(base, data)


MATH = math_section(
    [r"\hat y = W^{[L]} W^{[L-1]} \cdots W^{[1]} x, \quad W^{[l]} = s\,I \;\Rightarrow\; "
     r"\hat y = s^{L} x",
     r"z = w_1 x_1 + \dots + w_n x_n:\quad \operatorname{Var}(w_i) = \frac{1}{n} "
     r"\text{ keeps } \operatorname{Var}(z) \approx \operatorname{Var}(x_i)",
     r"\text{He (ReLU): } W^{[l]} \sim \mathcal N(0, 1)\cdot\sqrt{\tfrac{2}{n^{[l-1]}}}, \qquad "
     r"\text{Xavier (tanh): } W^{[l]} \sim \mathcal N(0, 1)\cdot\sqrt{\tfrac{1}{n^{[l-1]}}}",
     r"dW^{[l]} = \tfrac{1}{m}\, dZ^{[l]} A^{[l-1]T}, \quad "
     r"dZ^{[l]} = W^{[l+1]T} dZ^{[l+1]} \odot g'(Z^{[l]})"],
    [diagnostics.linear_chain_output, initializers.initialize_weight,
     diagnostics.network_snapshot, diagnostics.layer_statistics],
    note="ReLU zeroes half of its inputs, so it keeps only half of the variance: He doubles "
         "the weights' variance to make up for it. The backward pass multiplies by "
         r"$W^{[l+1]T}$ and by $g'(Z^{[l]})$ at every layer, so the gradient's size is a "
         "product over the layers, just like the activations'.")
sections("van_section", {"At initialization": init_section,
                         "After training": lambda: van.trained_stats_view(trained, data),
                         "Linear chain": linear_section,
                         "Activations": activations_section}, math=MATH)
challenges.topic_link(__file__)
