"""Week 1: gradient checking. Backprop against centered differences, per parameter; inject a
bug and watch it light up; dropout's random mask; the epsilon trade-off; the course's check."""

import streamlit as st

from nnlab.app import bound, controls, page_setup
from nnlab.app import gradient_checking as gc
from nnlab.app.charts import chart_spec
from nnlab.app.explain import math_section
from nnlab.app.sections import sections
from nnlab.spec import gradcheck, model
from nnlab.viz import parameter_bars_chart
from nnlab.viz.gradcheck import epsilon_sweep_chart

page_setup(__file__)

st.markdown(f"A small random problem: X is {gc.N_X} × {gc.M} (standard normal), random labels, "
            "He-initialized weights. Every number on this page is "
            "`nnlab.spec.gradcheck.check_gradients` on it.")

with st.sidebar:
    st.markdown("**Model**")
    arch = controls.architecture_controls("g", defaults={"hidden_units": (5, 3)},
                                          max_layers=6, max_units=32)
    output = bound.selectbox("Output", model.OUTPUTS, key="g_output",
                             help=f"sigmoid: one unit, labels 0/1; softmax: {gc.N_CLASSES} "
                                  "classes, one-hot labels.")
    reg = controls.regularization_controls("g", defaults={"lambd": 0.1}, dropout=False)
    seed = controls.seed_control("g")["seed"]
units, activation, lambd = arch["hidden_units"], arch["hidden_activation"], reg["lambd"]

bug = bound.selectbox("Inject a bug into backprop", list(gc.BUG_LABELS), key="g_bug",
                   format_func=gc.BUG_LABELS.get)
bug = None if bug == gc.NO_BUG else bug
if not gc.bug_applies(bug, units):
    st.info("This bug lives in layer 2: add a hidden layer to see it.", icon=":material/info:")
if bug == "l2_missing" and lambd == 0:
    st.info("With λ = 0 there is no L2 term to forget: raise L2 λ in the sidebar.",
            icon=":material/info:")

result = gc.check(units, activation, output, lambd, bug=bug, seed=seed)
diff, verdict = result["difference"], result["verdict"]
left, right = st.columns([2, 1])  # the picture first, also on a phone (columns stack)
with left:
    st.vega_lite_chart(chart_spec(parameter_bars_chart, result["per_parameter"],
                                  thresholds=gc.THRESHOLDS,
                                  title="Relative difference per parameter",
                                  y_title="relative difference"), width="stretch")
with right:
    st.metric("Overall relative difference", f"{diff:.3e}")
    message = {"fine": "Fine: backprop agrees with the finite differences.",
               "look closer": "Look closer: check the parameters with the tallest bars.",
               "bug": "A bug: backprop does not compute the gradient of this cost."}[verdict]
    {"fine": st.success, "look closer": st.warning, "bug": st.error}[verdict](message)
    st.latex(r"\frac{\lVert d\theta - d\theta_{approx}\rVert_2}"
             r"{\lVert d\theta\rVert_2 + \lVert d\theta_{approx}\rVert_2}")
st.caption("Each bar is the same formula on one parameter's slice of θ. A correct backprop "
           "stays near 1e-7 or below everywhere; an injected bug sends the parameters it "
           "touches above 1e-3 (vermillion) and leaves the others alone, which tells you where to "
           "look. A sign error flips dA on its way from layer 2 to layer 1, so W1 and b1 go "
           "vermillion while W2 stays correct.")


def bugs_section() -> None:
    st.markdown("Every bug the menu above can inject, checked on this model:")
    st.dataframe(gc.bug_table(units, activation, output, lambd, seed), hide_index=True,
                 column_config={"difference": st.column_config.NumberColumn(format="%.3e")})


def dropout_section() -> None:
    st.markdown("Check with the dropout mask fixed:")
    keep_prob = bound.slider("keep_prob for this check", 0.3, 0.95, 0.8, step=0.05,
                             key="g_keep_prob")
    st.dataframe(gc.dropout_table(units, activation, output, lambd, keep_prob, seed),
                 hide_index=True,
                 column_config={"difference": st.column_config.NumberColumn(format="%.3e")})
    st.caption("With a new random mask at every cost evaluation, J(θ + ε) and J(θ − ε) are "
               "costs of two different networks: the difference is noise, not a derivative, "
               "and the check fails even though backprop is right. Fix the mask (or set "
               "keep_prob = 1) while checking, then turn dropout back on to train.")


def epsilon_section() -> None:
    series = {"correct backprop": gc.sweep(units, activation, output, lambd, seed=seed)}
    if bug is not None and gc.bug_applies(bug, units):
        series[f"bug: {gc.BUG_LABELS[bug]}"] = gc.sweep(units, activation, output, lambd,
                                                       bug=bug, seed=seed)
    st.vega_lite_chart(chart_spec(epsilon_sweep_chart, series, thresholds=gc.THRESHOLDS,
                                  title="Relative difference against ε (log-log)"),
                       width="stretch")
    st.caption("Right side: truncation error. The centered difference is off by O(ε²), so the "
               "line falls by 100 for every 10× smaller ε. Left side: round-off error. "
               "J(θ ± ε) are each rounded to about 1e-16 relative precision, and dividing their "
               "difference by 2ε magnifies that as 1/ε. The best ε sits in between (around 1e-5 "
               "to 1e-7 in float64); the course's ε = 1e-7 is a safe choice. A bug is flat: no "
               "ε fixes it.")


def course_section() -> None:
    if bound.toggle("Run the course's gradient checks", key="g_course"):
        st.dataframe(gc.course_rows(), hide_index=True,
                     column_config={"nnlab": st.column_config.NumberColumn(format="%.10e"),
                                    "published": st.column_config.NumberColumn(format="%.10e")})
        st.caption("Correct backprop's difference is round-off noise (about 1e-7): equal "
                   "implementations agree on it to about two significant figures, so the "
                   "assignment's value is not a target. The buggy difference is stable to "
                   "every digit.")


MATH = math_section(
    [r"d\theta_{approx}[i] = \frac{J(\theta + \varepsilon e_i) - J(\theta - \varepsilon e_i)}"
     r"{2\varepsilon} = d\theta[i] + O(\varepsilon^2)",
     r"\text{difference} = \frac{\lVert d\theta - d\theta_{approx}\rVert_2}"
     r"{\lVert d\theta\rVert_2 + \lVert d\theta_{approx}\rVert_2}"],
    [gradcheck.check_gradients, gradcheck.numerical_gradient, gradcheck.relative_difference,
     gradcheck.epsilon_sweep],
    note="θ is every parameter stacked into one vector (`dictionary_to_vector`: W1, b1, W2, "
         "...). The cost includes the L2 term λ/(2m) Σ‖W‖², so backprop must add (λ/m) W to "
         "each dW.")
sections("g_section", {"Every bug": bugs_section, "Dropout": dropout_section,
                       "Epsilon": epsilon_section, "Course check": course_section},
         math=MATH)
