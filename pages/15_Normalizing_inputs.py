"""Week 1: normalizing inputs. Elongated vs round cost surfaces first; then the features, the
largest stable learning rate, a real network trained on raw vs normalized inputs, and dev sets
normalized right."""

import numpy as np
import streamlit as st

from nnlab import viz
from nnlab.app import bound, challenges, comparison_view, controls, page_setup
from nnlab.app import normalizing as norm
from nnlab.app.charts import chart_spec
from nnlab.app.explain import math_section
from nnlab.app.sections import sections
from nnlab.config import TrainConfig
from nnlab.data import datasets as datamod
from nnlab.lessons import input_scaling as inputs
from nnlab.viz.normalizing import weight_surface_chart

page_setup(__file__)

BASE = TrainConfig(dataset="xor", hidden_units=(10, 5), learning_rate=0.3, num_epochs=300)
SCALES = (1, 3, 10, 30, 100)

with st.sidebar:
    st.markdown("**Data**")
    data_part = controls.dataset_controls("n", defaults=BASE,
                                          names=("xor", "circles", "moons", "gaussians"),
                                          n_samples=False, noise=False)
    scale = bound.select_slider("Scale of feature x₂", SCALES, value=10, key="n_scale",
                             help="x₂ is multiplied by this number; x₁ "
                             "is left as it is.")
base = controls.make_config(data_part, base=BASE)
if base is None:
    st.stop()

raw = norm.scaled_data(base, scale)
normed = norm.scaled_data(base.replace(normalize=True), scale)

# ------------------------------------------------------------------ the cost surface
st.markdown(r"The cost in two weights of the simplest model that shows it: "
            r"$\hat y = w_1 x_1 + w_2 x_2$ (no bias), fitted to the labels by least squares, "
            r"$J(w) = \frac{1}{2m} \sum (\hat y - y)^2$. Each chart spans ±2.5 around its "
            r"minimum $w^*$, on equal axes, and gradient descent starts at the same offset from "
            r"$w^*$. $\lambda_{\min}$ and $\lambda_{\max}$ are the smallest and largest "
            r"curvature of $J$ (the eigenvalues of the Hessian $H = X X^T / m$).")
c1, c2 = st.columns(2)
with c1:
    fraction = bound.slider(r"Learning rate $\alpha$, as a fraction of the largest stable "
                            r"$2/\lambda_{\max}$", 0.05, 1.0, 0.8, step=0.05, key="n_fraction")
with c2:
    steps = bound.select_slider("Gradient descent steps", (10, 20, 50, 100, 200), value=50,
                             key="n_steps")
surf = norm.surfaces(base, scale, fraction, steps)
cols = st.columns(2)
for col, case in zip(cols, norm.CASES, strict=True):
    s = surf[case]
    with col:
        label = f"GD, α = {s['alpha']:.3g}"
        st.vega_lite_chart(chart_spec(
            weight_surface_chart, s["w1s"], s["w2s"], s["Z"], paths={label: s["path"]["path"]},
            title=f"{case.capitalize()} inputs"))
table = norm.surface_table(surf)
st.dataframe(table, hide_index=True,
             column_config={c: st.column_config.NumberColumn(format="%.4g")
                            for c in table.columns[1:-1]})
st.markdown(norm.surface_sentence(surf))


def features_section() -> None:
    left, right = st.columns(2)
    with left:
        st.vega_lite_chart(chart_spec(viz.points_chart, raw.X_train, raw.Y_train,
                                      title=f"Training set as given (x₂ × {scale})"),
                           width="stretch")
    with right:
        st.vega_lite_chart(chart_spec(viz.points_chart, normed.X_train, normed.Y_train,
                                      title="Normalized: (x − μ) / σ"), width="stretch")
    mu, sigma2 = datamod.fit_normalizer(raw.X_train)
    st.dataframe({"feature": ["x₁", "x₂"], "mean μ (train)": mu.ravel(),
                  "std σ (train)": np.sqrt(sigma2.ravel()),
                  "std after normalizing":
                      np.sqrt(datamod.fit_normalizer(normed.X_train)[1]).ravel()},
                 hide_index=True)
    st.markdown(norm.features_sentence(raw.X_train, normed.X_train))


def stability_section() -> None:
    # clip=False: the diverging runs are the lesson here, drawn all the way up
    st.vega_lite_chart(chart_spec(viz.curves_chart, norm.stability_series(surf),
                                  x_title="step", y_title="J(w) − J(w*)", log_y=True,
                                  clip=False,
                                  title=f"Just below and just above α = 2 / {norm.LMAX}"),
                       width="stretch")
    st.markdown(norm.stability_sentence(surf))


def network_section() -> None:
    c1, c2 = st.columns(2)
    with c1:
        lr = controls.learning_rate_control("n", defaults=BASE)
    with c2:
        epochs = controls.epochs_control("n", defaults=BASE)
    config = controls.make_config(base.to_dict(), {"learning_rate": lr}, epochs)
    if config is None:
        return
    variants = [(f"raw (x₂ × {scale})", config.replace(normalize=False)),
                ("normalized", config.replace(normalize=True))]
    results = [(label, norm.train_scaled(c, scale, label)) for label, c in variants]
    comparison_view(results, normed, boundaries=False, log_cost=True)
    units = " and ".join(str(n) for n in config.hidden_units)
    st.markdown(f"Same network ({units} {config.hidden_activation} units), same learning rate "
                f"{config.learning_rate:g}, same initial weights: only the inputs differ. "
                + norm.network_verdict(results, raw.X_train))
    st.caption("Raise the scale of x₂ or the learning rate: which run changes, and how?")
    dev_section(config, results[1][1])


def dev_section(config: TrainConfig, normalized_run) -> None:
    st.header("Normalize dev and test with the training μ and σ²")
    shift = bound.radio("Dev set", norm.DEV_CHOICES, key="n_dev", horizontal=True)
    shifted = norm.SHIFTED_FRACTION if shift.startswith("shifted") else None
    rows, prepared = norm.dev_check(normalized_run, config.replace(normalize=True), scale,
                                    shifted)
    st.dataframe(rows, hide_index=True,
                 column_config={"dev accuracy": st.column_config.NumberColumn(format="%.3f")})
    train_stats = norm.scaled_data(config.replace(normalize=True), scale)
    st.markdown(norm.dev_sentence(rows, prepared, train_stats.mu, train_stats.sigma2))
    with st.container(horizontal=True, wrap=False):  # scrolls in its box on a phone
        st.vega_lite_chart(chart_spec(viz.decision_boundary_chart,
                                      norm.dev_panels(normalized_run, normed.X_train, prepared),
                                      columns=2, height=300))
    st.caption("The network trained on normalized inputs; the background is its prediction. "
               "The dev points are the same examples, placed by each recipe.")


MATH = math_section(
    [r"\mu = \frac{1}{m}\sum_{i=1}^m x^{(i)}, \qquad "
     r"\sigma^2 = \frac{1}{m}\sum_{i=1}^m \big(x^{(i)}-\mu\big)^2, \qquad "
     r"x := \frac{x-\mu}{\sqrt{\sigma^2+\varepsilon}}",
     r"J(w) = \frac{1}{2m}\lVert w^T X - y\rVert^2 = \tfrac12 w^T H w - b^T w + \tfrac{c}{2},"
     r"\qquad H = \frac{1}{m} X X^T",
     r"w - w^* \;\leftarrow\; (I - \alpha H)(w - w^*) \quad\Rightarrow\quad "
     r"\text{stable} \iff \alpha < \frac{2}{\lambda_{\max}(H)}"],
    [datamod.fit_normalizer, datamod.normalize, datamod.scale_features,
     inputs.max_stable_learning_rate, inputs.descent_path, inputs.normalize_dev],
    note="The lecture writes x /= σ²; it means dividing by the standard deviation σ, so that "
         "each feature ends with variance 1. `inputs.descent_path` runs the same "
         "`optimizer_step` that trains the networks.")
sections("n_section", {"Features": features_section,
                       "Stability": stability_section,
                       "Network and dev set": network_section}, math=MATH)
challenges.topic_link(__file__)
