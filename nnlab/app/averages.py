"""Streamlit glue of the "Exponentially weighted averages" page: no training, all instant."""

from __future__ import annotations

import math

import numpy as np
import streamlit as st

from nnlab.app import bound
from nnlab.app.charts import chart_spec
from nnlab.data.datasets import make_temperatures
from nnlab.lessons import claims
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
#: The plain average has "caught up" once it is this close to the corrected one (°F).
CAUGHT_UP = 1.0


# ------------------------------------------------------------------ computed sentences


def wiggle(v) -> float:
    """Mean day-to-day change ``mean |v_t - v_{t-1}|`` of a curve (°F): lower is smoother."""
    return float(np.mean(np.abs(np.diff(np.asarray(v, float)))))


def peak_day(day, v) -> int:
    """The day of a curve's highest point."""
    return int(day[int(np.argmax(v))])


def _beta_of(label: str) -> float:
    return float(label.split("=")[1].split()[0])


def year_verdict(day, theta, curves: dict) -> str:
    """What the year chart shows, computed from its curves: how smooth each average is and
    when it peaks, and whether a larger β is smoother and later *here*."""
    if not curves:
        return ""
    ordered = sorted(curves.items(), key=lambda kv: _beta_of(kv[0]))
    betas = [f"β = {_beta_of(k):g}" for k, _ in ordered]
    wig = [wiggle(v) for _, v in ordered]
    peaks = [peak_day(day, v) for _, v in ordered]
    text = ("Mean day-to-day change (lower is smoother): the data "
            f"{wiggle(theta):.2f} °F, " + ", ".join(f"{b} {w:.2f} °F"
                                                for b, w in zip(betas, wig, strict=True))
            + ". Highest point: the data on day " + f"{peak_day(day, theta)}, "
            + ", ".join(f"{b} on day {p}" for b, p in zip(betas, peaks, strict=True)) + ".")
    if len(ordered) < 2:
        return text
    smoother = all(a > b for a, b in zip(wig, wig[1:], strict=False))
    later = all(a <= b for a, b in zip(peaks, peaks[1:], strict=False))
    if smoother and later:
        text += (" The larger β, the smoother the line and the later it peaks: it averages "
                 "more days, so it also reacts later to a change.")
    elif smoother:
        text += (" The larger β, the smoother the line; the peaks of the wiggly lines are "
                 "single hot days, so they do not move in order here.")
    else:
        text += " Here a larger β is not smoother everywhere: compare the lines yourself."
    return text


def startup_verdict(theta, plain, fixed, beta: float) -> str:
    """The start-up bias as the zoom shows it: day 1's share and the day the plain average
    comes within :data:`CAUGHT_UP` °F of the corrected one."""
    if beta == 0:
        return "With β = 0 the average is the data itself: there is no start-up bias."
    share = plain[0] / theta[0] if theta[0] else float("nan")
    close = np.abs(np.asarray(plain) - np.asarray(fixed)) < CAUGHT_UP
    behind = np.flatnonzero(~close)
    if behind.size == 0:
        day = 1
    elif behind[-1] + 1 < close.size:
        day = int(behind[-1]) + 2
    else:
        day = None
    text = (f"On day 1 the plain average holds {claims.percent(share)} of θ₁ (1 − β = "
            f"{1 - beta:.3g}); ")
    w = int(round(effective_window(beta)))
    if 1 <= w <= len(plain) and fixed[w - 1]:
        text += (f"on day {w} = 1/(1 − β) it holds {claims.percent(plain[w - 1] / fixed[w - 1])}"
                 " of the corrected value; ")
    if day is None:
        text += (f"it is still more than {CAUGHT_UP:g} °F below the corrected one on the last "
                 "day of the year.")
    else:
        text += f"it stays within {CAUGHT_UP:g} °F of it from day {day} on."
    return text


def crossing_day(beta: float) -> float:
    """Where ``beta**k`` falls to 1/e: ``k = -1 / ln(beta)``."""
    return float("nan") if not 0 < beta < 1 else -1.0 / math.log(beta)


def weights_verdict(betas) -> str:
    """Where each weight curve crosses 1/e, against its window 1/(1 − β)."""
    betas = sorted(b for b in betas if 0 < b < 1)
    parts = [f"β = {b:g} at k = {crossing_day(b):.3g} (window {effective_window(b):.3g})"
             for b in betas]
    if not parts:
        return ""
    text = "Each curve crosses the 1/e line at: " + "; ".join(parts) + "."
    ratios = [crossing_day(b) / effective_window(b) for b in betas]
    if len(betas) > 1 and all(a < b for a, b in zip(ratios, ratios[1:], strict=False)):
        text += " The closer β is to 1, the closer the crossing comes to the window."
    return text


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
               "averages; β near 1 averages over about 1/(1 − β) days. Click a legend entry to "
               "pick one line.")
    st.markdown(year_verdict(day, theta, curves))


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
        # a gap between two temperatures, not a temperature: "46.9 °F below θ₁", never
        # "−46.9 °F" (which reads as a day of frost)
        gap = plain[0] - theta[0]
        st.metric("v₁ = (1 − β) θ₁", f"{plain[0]:.1f} °F",
                  f"{abs(gap):.1f} °F {'below' if gap < 0 else 'above'} θ₁",
                  delta_color="off", delta_arrow="off")
        st.metric("v₁ / (1 − β¹)", f"{fixed[0]:.1f} °F")
    st.caption("v₀ = 0, so on day t the plain average holds only 1 − βᵗ of the weight, and the "
               "rest is the zero it started from. Dividing by 1 − βᵗ (which tends to 1) "
               "rescales the weights to sum to 1.")
    st.markdown(startup_verdict(theta, plain, fixed, beta))


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
               "(βᵏ); the dashed rule of each curve is at k = 1/(1 − β), the rule of thumb's "
               "window.")
    st.markdown(weights_verdict(betas))
    beta = settings["free"]
    window = effective_window(beta)
    cols = st.columns(3)
    cols[0].metric("Your β: window 1/(1 − β)", f"{window:.3g} days")
    cols[1].metric(r"$\beta^{1/(1 - \beta)}$", f"{beta ** window:.4f}" if beta > 0 else "0",
                   help="Tends to 1/e as β tends to 1.")
    cols[2].metric("1/e", f"{1 / math.e:.4f}")
