"""Streamlit glue of the "Exponentially weighted averages" page: no training, all instant."""

from __future__ import annotations

import math

import numpy as np
import streamlit as st

from nnlab.app import bound
from nnlab.app.charts import chart_spec
from nnlab.data.datasets import make_temperatures
from nnlab.spec.weighted_averages import (
    effective_window,
    ewa_weights,
    exponentially_weighted_average,
)
from nnlab.viz.averages import ewa_weights_chart, series_with_averages_chart

#: The lecture's three betas.
LECTURE_BETAS = (0.5, 0.9, 0.98)
DEFAULT_FREE_BETA = 0.95
#: Days of the zoom on the start-up bias.
DEFAULT_ZOOM_DAYS = 30
#: The weights plot runs to this many windows of the largest beta shown (capped).
WEIGHT_WINDOWS = 3
MAX_WEIGHT_DAYS = 365


def beta_label(beta: float, free: bool = False) -> str:
    """``"β = 0.9 (≈ 10 days)"``; the slider's beta is marked."""
    text = f"β = {beta:g} (≈ {effective_window(beta):.3g} days)"
    return text + ", slider" if free else text


def controls() -> dict:
    """The page's widgets: betas shown, the free beta, bias correction, zoom, data seed."""
    c1, c2, c3 = st.columns([2, 2, 1])
    betas = bound.multiselect("The lecture's β", list(LECTURE_BETAS),
                              default=list(LECTURE_BETAS), key="ewa_betas", where=c1,
                              help="0.5 averages about 2 days, 0.9 about 10, 0.98 about 50.")
    free = bound.slider("Your β", 0.0, 0.999, DEFAULT_FREE_BETA, step=0.001, format="%.3f",
                        key="ewa_beta", where=c2,
                        help="Averages about 1/(1 - β) days: drag it towards 1 for a smoother, "
                             "later curve.")
    with c3:
        corrected = bound.toggle("Bias correction", value=False, key="ewa_bias_correction",
                                 help="Divide vₜ by 1 - βᵗ: fixes the start of the average.")
        seed = int(bound.number_input("Year (seed)", 0, 10_000, 0, step=1, key="ewa_seed",
                                      help="Draws another noisy year."))
    return {"betas": sorted(float(b) for b in betas), "free": float(free),
            "bias_correction": bool(corrected), "seed": seed}


def temperatures(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A year of daily temperatures from ``RandomState(seed)``."""
    return make_temperatures(np.random.RandomState(int(seed)))


def averages(theta, betas, free: float, bias_correction: bool) -> dict:
    """Label -> average of ``theta``, for the lecture's betas then the free one."""
    out = {beta_label(b): exponentially_weighted_average(theta, b, bias_correction=bias_correction)
           for b in betas}
    label = beta_label(free, free=True)
    if free not in betas:
        out[label] = exponentially_weighted_average(theta, free, bias_correction=bias_correction)
    return out


def year_section(day, theta, settings: dict) -> None:
    """The year of temperatures with every average overlaid."""
    curves = averages(theta, settings["betas"], settings["free"], settings["bias_correction"])
    state = "with" if settings["bias_correction"] else "without"
    st.vega_lite_chart(chart_spec(
        series_with_averages_chart, day, theta, curves,
        title=f"A year of daily temperatures and their averages ({state} bias correction)"),
        width="stretch", height=420)
    st.caption("Grey dots: each day's temperature θₜ. Lines: vₜ, the exponentially weighted "
               "averages. A larger β averages over more days: smoother, but it reacts later "
               "(the curve is shifted to the right of the data). Click a legend entry to pick "
               "one line.")


def startup_section(day, theta, settings: dict) -> None:
    """Zoom on the first days: the average with and without bias correction."""
    beta = settings["free"]
    n = bound.slider("Days shown", 5, 120, DEFAULT_ZOOM_DAYS, step=5, key="ewa_zoom")
    plain = exponentially_weighted_average(theta, beta)
    fixed = exponentially_weighted_average(theta, beta, bias_correction=True)
    left, right = st.columns([3, 1])
    with left:
        st.vega_lite_chart(chart_spec(
            series_with_averages_chart, day, theta, {f"vₜ, β = {beta:g} (no correction)": plain,
                         f"vₜ / (1 − βᵗ), β = {beta:g} (corrected)": fixed},
            dashed={f"vₜ, β = {beta:g} (no correction)": True}, x_range=(1, n),
            title=f"The first {n} days, your β = {beta:g}"), width="stretch", height=340)
    with right:
        st.metric("Day 1 temperature θ₁", f"{theta[0]:.1f} °F")
        st.metric("v₁ = (1 − β) θ₁", f"{plain[0]:.1f} °F", f"{plain[0] - theta[0]:+.1f} °F",
                  delta_color="off")
        st.metric("v₁ / (1 − β¹)", f"{fixed[0]:.1f} °F")
    st.caption("v₀ = 0, so the plain average starts far too low and needs about 1/(1 − β) days "
               "to catch up: on day t it holds only 1 − βᵗ of the weight, and the rest is the "
               "zero it started from. Dividing by 1 − βᵗ (which tends to 1) rescales the "
               "weights to sum to 1: the corrected curve tracks the data from day 1, and the "
               "two curves merge once βᵗ is small.")


def weights_section(settings: dict) -> None:
    """The weights ``(1 - beta) beta**k`` of every beta shown, with the 1/e rule of thumb."""
    betas = list(settings["betas"])
    if settings["free"] not in betas:
        betas.append(settings["free"])
    windows = {b: effective_window(b) for b in betas}
    n = int(min(MAX_WEIGHT_DAYS, max(10, math.ceil(WEIGHT_WINDOWS * max(windows.values())))))
    weights = {beta_label(b, b == settings["free"]): ewa_weights(b, n) for b in betas}
    marks = {beta_label(b, b == settings["free"]): windows[b] for b in betas}
    st.vega_lite_chart(chart_spec(ewa_weights_chart, weights, marks), width="stretch",
                       height=340)
    st.caption("Unrolled, vₜ = (1 − β) θₜ + (1 − β) β θₜ₋₁ + (1 − β) β² θₜ₋₂ + ...: "
               "each day further back counts β times less. Drawn relative to today's weight "
               "(βᵏ), every curve crosses the grey 1/e line close to its dashed rule at "
               "k = 1/(1 − β): that is the sense in which the average spans about 1/(1 − β) "
               "days.")
    beta = settings["free"]
    window = effective_window(beta)
    cols = st.columns(3)
    cols[0].metric("Your β: window 1/(1 − β)", f"{window:.3g} days")
    cols[1].metric("β^(1/(1 − β))", f"{beta ** window:.4f}" if beta > 0 else "0",
                   help="Tends to 1/e as β tends to 1.")
    cols[2].metric("1/e", f"{1 / math.e:.4f}")
