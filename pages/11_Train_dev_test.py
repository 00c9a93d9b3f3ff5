"""Week 1: train/dev/test sets and the bias/variance diagnosis."""

import streamlit as st

from nnlab.app import bias_variance as bv
from nnlab.app import bias_variance_sections as bv_sections
from nnlab.app import controls, live_comparison, page_setup, train_cached
from nnlab.app.explain import math_section
from nnlab.app.sections import sections
from nnlab.config import TrainConfig
from nnlab.core.train import make_dataset
from nnlab.lessons import fit_diagnosis as diagnosis

BASE = TrainConfig(dataset="moons", n_samples=300, hidden_units=(50, 50),
                   optimizer="adam", learning_rate=0.01, num_epochs=1000)

page_setup(__file__)

with st.sidebar:
    st.header("Data")
    data_part = controls.dataset_controls("tdt", defaults=BASE)
    fractions = bv.split_controls("tdt")
    st.header("Model")
    model_part = controls.architecture_controls("tdt", defaults=BASE,
                                                activation=False)
    epochs_part = controls.epochs_control("tdt", defaults=BASE)
    bayes = bv.bayes_control("tdt")

config = controls.make_config(data_part, model_part, epochs_part, base=BASE, fractions=fractions)
if config is None:
    st.stop()

data = make_dataset(config)
st.caption(f"{data.m_train} training, {data.m_dev} dev and {data.m_test} test examples; "
           f"hidden layers {', '.join(map(str, config.hidden_units)) or 'none'}; Adam, "
           f"α = {config.learning_rate:g}, {config.num_epochs} epochs.")
[(_, result)] = live_comparison(
    [("your network", config)], data, key="tdt_live", verdict=bv.verdict(bayes),
    finished=lambda: [("your network", train_cached(config, "your network"))])


def diagnosis_section() -> None:
    bv.diagnosis_section(result, data, bayes, key="tdt_live")
    st.markdown("Try it: fewer hidden units (e.g. `2`): does the diagnosis turn to high bias? "
                "More noise or fewer examples: does the variance grow? More examples: does the "
                "gap close?")


def quiz_section() -> None:
    st.markdown("The lecture's four cases, with a Bayes error of about 0: which diagnosis?")
    bv_sections.lecture_quiz()


MATH = math_section(
    [r"\text{avoidable bias} = E_{\text{train}} - E_{\text{Bayes}}",
     r"\text{variance} = E_{\text{dev}} - E_{\text{train}}",
     r"E = 1 - \text{accuracy} = \frac{1}{m}\sum_{i=1}^{m} \mathbb{1}"
     r"\{\hat y^{(i)} \neq y^{(i)}\}"],
    [diagnosis.diagnose, diagnosis.learning_curve, diagnosis.capacity_curve],
    note="The training set is for learning the parameters, the dev set for choosing between "
         "models (and diagnosing variance), the test set for one final unbiased estimate. Dev "
         "and test must come from the same distribution.")
sections("tdt_section", {"Diagnosis": diagnosis_section,
                         "Learning curves": lambda: bv_sections.sweeps(config, bayes),
                         "Quiz": quiz_section}, math=MATH)
