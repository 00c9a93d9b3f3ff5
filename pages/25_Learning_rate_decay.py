"""Week 2: learning-rate decay: five schedules, the rate they give per epoch, and training."""

import streamlit as st

from nnlab import course
from nnlab.app import challenges, controls, decay, live_comparison, page_setup
from nnlab.app.explain import math_section
from nnlab.app.sections import sections
from nnlab.core.train import learning_rate_for_epoch, make_dataset
from nnlab.spec import schedules

page_setup(__file__)

with st.sidebar:
    st.header("Training")
    optimizer = controls.optimizer_controls("lr", defaults=decay.BASE, learning_rate=False)
    mini_batch = controls.mini_batch_controls("lr", defaults=decay.BASE)
    epochs = controls.epochs_control("lr", defaults=decay.BASE, choices=decay.EPOCH_CHOICES)

picture = st.container()  # the live training first; the knobs that make it come below it
choices, parts = decay.schedule_controls()
variants = decay.trained_variants(choices, parts | epochs, optimizer, mini_batch)
if not variants:
    st.info("Pick at least one schedule above.")
    st.stop()
with picture:
    live_comparison(variants, make_dataset(decay.BASE), key="lr_live",
                    verdict=decay.live_verdict)

MATH = math_section(
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
sections("lr_section", {"Schedules": lambda: decay.rates_section(dict(variants)),
                        "Reproduce the assignment": decay.course_section}, math=MATH)
challenges.topic_link(__file__)
