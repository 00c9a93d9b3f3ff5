"""Week 1: normalizing inputs. Elongated vs round cost surfaces, the largest stable learning
rate, a real network trained on raw vs normalized inputs, and dev sets normalized right."""

import numpy as np
import streamlit as st

from nnlab import viz
from nnlab.app import bound, comparison_view, controls, math_and_code, page_setup
from nnlab.app import normalizing as norm
from nnlab.app.charts import chart_spec
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

# ------------------------------------------------------------------ 1. the features
st.header("1. Two features on very different scales")
raw = norm.scaled_data(base, scale)
normed = norm.scaled_data(base.replace(normalize=True), scale)
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
              "std after normalizing": np.sqrt(datamod.fit_normalizer(normed.X_train)[1]).ravel()},
             hide_index=True)
st.caption("The axes of the left chart are not equal: look at the numbers. x₂ spreads "
           f"about {scale}× wider than it did. After normalizing, both features have mean 0 "
           "and variance 1 on the training set.")

# ------------------------------------------------------------------ 2. the cost surface
st.header("2. The cost in two weights")
st.markdown("The simplest model that shows it: ŷ = w₁x₁ + w₂x₂ (no bias), fitted to the labels "
            "by least squares, J(w) = 1/(2m) Σ (ŷ − y)². Each chart spans ±2.5 around its "
            "minimum w*, on equal axes, and gradient descent starts at the same offset "
            "from w*.")
c1, c2 = st.columns(2)
with c1:
    fraction = bound.slider("Learning rate α, as a fraction of the largest stable 2/λ_max",
                         0.05, 1.0, 0.8, step=0.05, key="n_fraction")
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
            title=f"{case.capitalize()} inputs: λ_max / λ_min = "
                  f"{s['lambda_max'] / s['lambda_min']:.3g}"))
st.dataframe(norm.surface_table(surf), hide_index=True,
             column_config={c: st.column_config.NumberColumn(format="%.4g")
                            for c in ("λ_min", "λ_max", "λ_max / λ_min",
                                      "largest stable α = 2/λ_max", "α used")})
st.caption("The contours are ellipses whose axes have length ratio √(λ_max/λ_min) (λ: the "
           "eigenvalues of the Hessian X Xᵀ/m). Unnormalized, the valley is narrow across w₂: "
           "α must stay below 2/λ_max to avoid bouncing out of it, and with that tiny α the "
           "walk along the flat w₁ direction takes many steps. Normalized, the bowl is "
           "(nearly) round: whatever is left is the correlation between x₁ and x₂.")

st.subheader("The largest stable learning rate")
st.vega_lite_chart(chart_spec(viz.curves_chart, norm.stability_series(surf), x_title="step",
                              y_title="J(w) − J(w*)", log_y=True,
                              title="Just below 2/λ_max converges, just above diverges"),
                   width="stretch")
st.caption("For a quadratic cost, gradient descent multiplies the error along each "
           "eigenvector by (1 − α λ) every step: it shrinks for every direction exactly when "
           "α < 2/λ_max. Both cases obey the same rule; normalizing makes 2/λ_max about "
           f"{surf['normalized']['alpha_max'] / surf['unnormalized']['alpha_max']:.0f}× larger.")

# ------------------------------------------------------------------ 3. a real network
st.header("3. A real network, raw vs normalized inputs")
c1, c2 = st.columns(2)
with c1:
    lr = controls.learning_rate_control("n", defaults=BASE)
with c2:
    epochs = controls.epochs_control("n", defaults=BASE)
config = controls.make_config(base.to_dict(), {"learning_rate": lr}, epochs)
if config is None:
    st.stop()
variants = [(f"raw (x₂ × {scale})", config.replace(normalize=False)),
            ("normalized", config.replace(normalize=True))]
results = [(label, norm.train_scaled(c, scale, label)) for label, c in variants]
comparison_view(results, normed, boundaries=False, log_cost=True)
st.caption(f"Same network ({config.hidden_units}, {config.hidden_activation}), same "
           f"learning rate {config.learning_rate:g}, same initial weights. Only the inputs "
           "differ. Raise the scale of x₂ or the learning rate: the raw run slows down, then "
           "diverges, while the normalized run does not change at all (normalizing removes "
           "the scale).")

# ------------------------------------------------------------------ 4. dev and test
st.header("4. Normalize dev and test with the training μ and σ²")
shift = bound.radio("Dev set", ("the whole dev split", "shifted: the 30% of dev examples with "
                 "the largest x₁"), key="n_dev", horizontal=True)
shifted = 0.3 if shift.startswith("shifted") else None
normalized_run = results[1][1]
rows, prepared = norm.dev_check(normalized_run, config.replace(normalize=True), scale, shifted)
st.dataframe(rows, hide_index=True,
             column_config={"dev accuracy": st.column_config.NumberColumn(format="%.3f")})
st.vega_lite_chart(chart_spec(viz.decision_boundary_chart,
                              norm.dev_panels(normalized_run, normed.X_train, prepared),
                              columns=2, height=300))
st.caption("The network trained on normalized inputs; the background is its prediction. The "
           "dev points are the same examples, placed by each recipe. With the training μ and "
           "σ² the network sees the function of the input it was trained on. With the dev "
           "set's own statistics a shifted (or small) dev set is re-centred onto the training "
           "cloud and its points land in the wrong place; raw inputs are off by the whole "
           "scale. Compute μ and σ² once, on the training set, and reuse them everywhere.")

math_and_code(
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
