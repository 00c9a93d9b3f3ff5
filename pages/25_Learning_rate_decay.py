"""Week 2: learning-rate decay: five schedules, the rate they give per epoch, and training."""

import streamlit as st

from nnlab import course
from nnlab.app import bound, challenges, controls, decay, live_comparison, math_and_code, page_setup
from nnlab.core.train import learning_rate_for_epoch, make_dataset
from nnlab.spec import schedules

page_setup(__file__)

with st.sidebar:
    st.header("Training")
    optimizer = controls.optimizer_controls("lr", defaults=decay.BASE, learning_rate=False)
    mini_batch = controls.mini_batch_controls("lr", defaults=decay.BASE)

st.header("The schedules")
choices = bound.multiselect(
    "Schedules (up to 4)", list(decay.CHOICES), default=list(decay.DEFAULT_CHOICE),
    format_func=decay.schedule_label, max_selections=decay.MAX_TRAINED, key="lr_schedules",
    help=decay.SCHEDULE_HELP)
parts = decay.schedule_parameter_controls()
variants = decay.trained_variants(choices, parts, optimizer, mini_batch)
if not variants:
    st.info("Pick at least one schedule above.")
    st.stop()
decay.rates_section(dict(variants))

st.header("Training with each schedule")
data = make_dataset(decay.BASE)
results = live_comparison(variants, data, key="lr_live", verdict=decay.live_verdict)

st.header("Reproduce the assignment")
decay.course_section()

math_and_code(
    [r"\alpha = \frac{1}{1 + \text{decay\_rate} \cdot \text{epoch\_num}}\, \alpha_0"
     r"\qquad \text{(every epoch: update\_lr)}",
     r"\alpha = \frac{1}{1 + \text{decay\_rate} \cdot \lfloor \text{epoch\_num} / "
     r"\text{time\_interval} \rfloor}\, \alpha_0 \qquad \text{(schedule\_lr\_decay)}",
     r"\alpha = \text{base}^{\,\text{epoch\_num}}\, \alpha_0, \qquad "
     r"\alpha = \frac{k}{\sqrt{\text{epoch\_num}}}\, \alpha_0, \qquad "
     r"\alpha = \alpha_0 \cdot \text{drop}^{\lfloor \text{epoch\_num} / \text{epochs\_drop} "
     r"\rfloor}"],
    [schedules.update_lr, schedules.schedule_lr_decay, schedules.learning_rate_at,
     learning_rate_for_epoch, course.run_decay, course.optimization_run],
    note="epoch_num counts from 0 as in the course's loop; k/√epoch uses epoch_num + 1 so that "
         "epoch 0 does not divide by zero. In training, epoch 0 runs with α₀ and the rate "
         "computed after epoch i is used in epoch i + 1 (`learning_rate_for_epoch`).")
challenges.topic_link(__file__)
