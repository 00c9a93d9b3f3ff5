"""Week 3: batch normalization. Plain vs BN across learning rates, pre-activation
distributions, test-time statistics, the learned gamma and beta."""

import pandas as pd
import streamlit as st

from nnlab.app import batchnorm_page as bnp
from nnlab.app import bound, challenges, controls, live_comparison, page_setup
from nnlab.app.charts import chart_spec
from nnlab.app.compare import grid_safe
from nnlab.app.explain import math_section
from nnlab.app.sections import sections
from nnlab.core.train import make_dataset
from nnlab.spec import layers, model
from nnlab.viz import bar_chart
from nnlab.viz.batchnorm import snapshot_histograms_chart, styled_curves_chart

page_setup(__file__)

# ------------------------------------------------------------------------------ controls
with st.sidebar:
    st.markdown("**The network**")
    arch = controls.architecture_controls("bn", defaults=bnp.BASE, activation=False,
                                          max_layers=bnp.MAX_LAYERS, max_units=bnp.MAX_UNITS)
    if not arch["hidden_units"]:
        st.error("Batch norm needs at least one hidden layer: using 10*5.")
        arch["hidden_units"] = bnp.BASE.hidden_units
    epochs = controls.epochs_control("bn", defaults=bnp.BASE, choices=bnp.EPOCH_CHOICES)
    batch = controls.mini_batch_controls("bn", defaults=bnp.BASE)
    data_part = controls.dataset_controls("bn", defaults=bnp.BASE, names=("moons", "circles"),
                                          n_samples=False, noise=False, data_seed=False)
rates = bound.multiselect("Learning rates α", bnp.RATE_CHOICES, default=list(bnp.DEFAULT_RATES),
                       key="bn_rates", format_func=lambda v: f"{v:g}", max_selections=4,
                       help="Each rate trains the network twice: plain and with batch norm.")
if not rates:
    st.error("Pick at least one learning rate; showing the default ones.")
    rates = list(bnp.DEFAULT_RATES)
rates = sorted(rates)
base = controls.make_config(data_part, arch, epochs, batch, base=bnp.BASE)
if base is None:
    st.stop()
data = make_dataset(base)

# ------------------------------------------------------------------------------ the grid
st.header("Plain vs batch norm across learning rates")
runs = {}
for lr in rates:
    for bn in (False, True):
        config = base.replace(learning_rate=float(lr), batch_norm=bn)
        runs[(lr, bn)] = bnp.train_snapshots(config, bnp.variant_label(lr, bn))

rows = []
for lr in rates:
    plain, norm = runs[(lr, False)][0], runs[(lr, True)][0]
    rows.append({"α": lr, "plain dev acc.": plain.metrics["dev_accuracy"],
                 "BN dev acc.": norm.metrics["dev_accuracy"], "plain final cost": plain.final_cost,
                 "BN final cost": norm.final_cost, "plain status": plain.status,
                 "BN status": norm.status})
table = pd.DataFrame(rows)
styles = {"colours": {bnp.variant_label(lr, bn): f"α = {lr:g}" for lr, bn in runs},
          "dashes": {bnp.variant_label(lr, bn): "BN" if bn else "plain" for lr, bn in runs},
          "colour_title": "learning rate", "dash_title": "network"}
left, right = st.columns(2)
with left:
    st.vega_lite_chart(chart_spec(
        styled_curves_chart,
        {bnp.variant_label(lr, bn): r.history["cost"] for (lr, bn), (r, _) in runs.items()},
        log_y=True, title="Training cost (log scale)", **styles),
        width="stretch")  # colour: the rate; solid: plain, dashed on top: batch norm
with right:
    st.vega_lite_chart(chart_spec(
        styled_curves_chart,
        {bnp.variant_label(lr, bn): bnp.dev_curve(r) for (lr, bn), (r, _) in runs.items()},
        y_title="dev accuracy", title="Dev accuracy", **styles), width="stretch")
LAST_FINITE = ("The last finite training cost: for a diverged run, the last value before it "
               "became NaN or infinite.")
st.dataframe(**grid_safe(table, {
    "α": st.column_config.NumberColumn("α", format="%g"),
    "plain dev acc.": st.column_config.NumberColumn(format="%.3f"),
    "BN dev acc.": st.column_config.NumberColumn(format="%.3f"),
    "plain final cost": st.column_config.NumberColumn(format="%.4g", help=LAST_FINITE),
    "BN final cost": st.column_config.NumberColumn(format="%.4g", help=LAST_FINITE)}),
    hide_index=True)
st.markdown(bnp.grid_verdict([(lr, runs[(lr, False)][0], runs[(lr, True)][0])
                              for lr in rates]))
st.caption("Batch norm keeps every hidden layer's pre-activations at mean β and standard "
           "deviation γ whatever the weights do, so a large step cannot push the next layer "
           "into saturation or kill its ReLUs as easily. Colour is the learning rate; solid "
           "lines are the plain network, dashed ones batch norm. Click a legend entry to "
           "highlight a rate.")
for (lr, bn), (r, _) in runs.items():
    if r.status == "diverged":
        st.warning(f"**{bnp.variant_label(lr, bn)}**: {r.message}", icon=":material/warning:")


# ------------------------------------------------------------------------------ the sections
def side_by_side_section() -> None:
    top = rates[-1]
    st.markdown(f"**The largest rate, α = {top:g}, side by side**")
    side_by_side = [(bnp.variant_label(top, bn), runs[(top, bn)][0]) for bn in (False, True)]
    live_comparison([(label, r.config) for label, r in side_by_side], data, key="bn_live",
                    finished=lambda: side_by_side, verdict=bnp.live_verdict)


L = len(base.hidden_units) + 1


def rate_control() -> float:
    """The learning rate whose runs the sections below the grid look into (one key: the
    sections that show it share its value)."""
    return bound.selectbox("Learning rate", rates, index=len(rates) - 1, key="bn_hist_lr",
                           format_func=lambda v: f"{v:g}")


def layer_control() -> int:
    """The hidden layer the sections look into (shared like :func:`rate_control`)."""
    return bound.slider("Hidden layer l", 1, L - 1, min(L - 1, 3), key="bn_layer") if L > 2 else 1


def rate_and_layer() -> tuple[float, int]:
    """The rate and the layer a section looks into, side by side."""
    left, right = st.columns(2)
    with left:
        hist_lr = rate_control()
    with right:
        layer = layer_control()
    return hist_lr, layer


def preactivations_section() -> None:
    hist_lr, layer = rate_and_layer()
    left, right = st.columns(2)
    stacks = {}
    for col, bn in ((left, False), (right, True)):
        result, snaps = runs[(hist_lr, bn)]
        values = {}
        for epoch, params in snaps.items():
            name = "initial" if epoch < 0 else f"after epoch {epoch + 1}"
            values[name] = bnp.preactivations(result.config, params, data.X_train, layer)
        stacks[bn] = values
        with col:
            what = "γ·Z_norm + β" if bn else "Z"
            st.vega_lite_chart(chart_spec(
                snapshot_histograms_chart, values,
                title=f"{bnp.variant_label(hist_lr, bn)}: {what} of layer {layer}"),
                width="stretch")  # a vconcat: Streamlit fits each panel to the column
    st.caption("Each panel is the histogram of the values that enter layer "
               f"{layer}'s ReLU, over all training examples and units, at a moment of "
               "training. Without batch norm their spread follows the weights of the earlier "
               "layers (a large rate can blow it up or push it below 0, where ReLU outputs 0); "
               "with batch norm each unit is normalized to mean β and standard deviation γ.")
    st.markdown(bnp.histogram_verdict(stacks[False], stacks[True]))


def test_time_section() -> None:
    st.header("Test time: running averages vs the statistics of a tiny batch")
    left, right = st.columns([2, 3])
    with left:
        hist_lr = rate_control()
        momentum = bound.select_slider(
            "Running-average momentum", (0.0, 0.5, 0.9, 0.99, 0.999),
            value=bnp.BASE.bn_momentum, key="bn_momentum", format_func=lambda v: f"{v:g}",
            help="running μ = momentum · running μ + (1 − momentum) · μ of the mini-batch (the "
                 "same for σ²). 0.9 averages over about the last 10 mini-batches.")
        bn_config = base.replace(learning_rate=float(hist_lr), batch_norm=True,
                                 bn_momentum=float(momentum))
        bn_result, _ = bnp.train_snapshots(bn_config,
                                           f"BN, α={hist_lr:g}, momentum {momentum:g}")
        rows = bnp.test_time_rows(bn_result, data)
        tt = pd.DataFrame(rows)
        st.dataframe(tt.drop(columns="short"), hide_index=True, column_config={
            "test accuracy": st.column_config.NumberColumn(format="%.3f")})
    with right:
        st.vega_lite_chart(chart_spec(bar_chart, dict(zip(tt["short"], tt["test accuracy"],
                                                          strict=True)),
                                      y_title="test accuracy",
                                      title=f"BN network, α = {hist_lr:g}"),
                           width="stretch")
    st.markdown(
        "At test time examples may come one at a time. Normalized with its own statistics, a "
        "batch of one has μ = z and σ² = 0, so every unit outputs β and every example gets the "
        "same prediction. A few examples give noisy μ and σ². The running averages, kept "
        "during training, give each test example the statistics of the training distribution. "
        "With momentum 0.999 they still remember the first mini-batches, and with 0 they are "
        "the last mini-batch alone: try both, and watch the first row.")
    st.markdown(bnp.inference_verdict(rows, data.Y_test))


def gamma_beta_section() -> None:
    hist_lr, layer = rate_and_layer()
    st.header(f"The learned γ and β of layer {layer}")
    gammas, betas = bnp.gamma_beta(runs[(hist_lr, True)][0].parameters, layer)
    left, right = st.columns(2)
    with left:
        st.vega_lite_chart(chart_spec(bar_chart, gammas, y_title="γ",
                                      title="γ (scale), started at 1"), width="stretch")
    with right:
        st.vega_lite_chart(chart_spec(bar_chart, betas, y_title="β",
                                      title="β (shift), started at 0"), width="stretch")
    st.caption("γ and β are learned like W: they let each unit choose its own mean and spread, "
               "so normalizing never forces a unit to stay in the linear middle of its "
               "activation. With batch norm the bias b is dropped: β takes its place.")


MATH = math_section(
    [r"\mu = \frac{1}{m}\sum_i z^{(i)}, \qquad \sigma^2 = \frac{1}{m}\sum_i (z^{(i)} - \mu)^2",
     r"z^{(i)}_{norm} = \frac{z^{(i)} - \mu}{\sqrt{\sigma^2 + \varepsilon}}, \qquad "
     r"\tilde z^{(i)} = \gamma\, z^{(i)}_{norm} + \beta",
     r"\mu_{run} \leftarrow m\,\mu_{run} + (1 - m)\,\mu, \qquad "
     r"\sigma^2_{run} \leftarrow m\,\sigma^2_{run} + (1 - m)\,\sigma^2"],
    [layers.batchnorm_forward, layers.batchnorm_backward, model.forward,
     bnp.tiny_batch_accuracy],
    note="`m` in the last line is the momentum (`bn_momentum`; PyTorch's `momentum` is "
         "1 − this). `mode=\"test\"` normalizes with the running averages; the tiny-batch "
         "rows of the table run `mode=\"train\"` on each test batch instead.")
sections("bn_section", {"Side by side": side_by_side_section,
                        "Pre-activations": preactivations_section,
                        "Test time": test_time_section,
                        "γ and β": gamma_beta_section}, math=MATH)
challenges.topic_link(__file__)
