"""The momentum phase diagram: a categorical heatmap over (learning rate, beta)."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from ._common import as_1d
from .palette import PHASE_COLOURS, PHASE_LETTERS

# Phases in order, with their colours (nnlab.viz.palette): green converges fast, sky blue
# slowly, orange oscillates, vermillion diverges; each cell also carries its phase's letter
# (F, S, O, D), so the map reads without telling the colours apart.
__all__ = ["PHASE_COLOURS", "PHASE_HEIGHT", "phase_diagram_chart", "phase_frame"]
PHASE_HEIGHT = 340


def _log_edges(c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cell edges of increasing positive centres on a log axis (geometric midpoints)."""
    if c.size == 1:
        return c / 1.5, c * 1.5
    mid = np.sqrt(c[:-1] * c[1:])
    lo = np.concatenate([[c[0] ** 2 / mid[0]], mid])
    hi = np.concatenate([mid, [c[-1] ** 2 / mid[-1]]])
    return lo, hi


def _lin_edges(c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if c.size == 1:
        return c - 0.05, c + 0.05
    mid = (c[:-1] + c[1:]) / 2
    return np.concatenate([[2 * c[0] - mid[0]], mid]), np.concatenate([mid, [2 * c[-1] - mid[-1]]])


def phase_frame(labels, learning_rates, betas) -> pd.DataFrame:
    """One row per cell: ``learning_rate``, ``beta``, ``phase`` and the cell's edges."""
    lrs = as_1d(learning_rates, "learning_rates")
    bs = as_1d(betas, "betas")
    lab = np.asarray(labels)
    if lab.shape != (lrs.size, bs.size):
        raise ValueError(f"labels must have shape (n_lr, n_beta) = {(lrs.size, bs.size)}, "
                         f"got {lab.shape}")
    if lrs.size == 0 or bs.size == 0 or np.any(lrs <= 0) or np.any(np.diff(lrs) <= 0):
        raise ValueError(f"learning_rates must be increasing and > 0, got {lrs!r:.80}")
    if np.any(np.diff(bs) <= 0):
        raise ValueError(f"betas must be increasing, got {bs!r:.80}")
    unknown = sorted(set(lab.ravel()) - set(PHASE_COLOURS))
    if unknown:
        raise ValueError(f"labels must be among {tuple(PHASE_COLOURS)}, got {unknown}")
    x_lo, x_hi = _log_edges(lrs)
    y_lo, y_hi = _lin_edges(bs)
    i, j = np.meshgrid(np.arange(lrs.size), np.arange(bs.size), indexing="ij")
    i, j = i.ravel(), j.ravel()
    return pd.DataFrame({"learning_rate": lrs[i], "beta": bs[j], "phase": lab[i, j],
                         "letter": [PHASE_LETTERS[p] for p in lab[i, j]],
                         "x_lo": x_lo[i], "x_hi": x_hi[i], "y_lo": y_lo[j], "y_hi": y_hi[j]})


def phase_diagram_chart(labels, learning_rates, betas, *, bound=None, selected=None,
                        select_name: str | None = None, title: str | None = None
                        ) -> alt.LayerChart:
    """Heatmap of momentum's phase per (learning rate, beta) cell.

    Parameters
    ----------
    labels : array_like of str, shape (n_lr, n_beta)
        Phases from ``nnlab.lessons.surfaces.momentum_phase_diagram`` (``PHASES``).
    learning_rates : array_like, shape (n_lr,), increasing, > 0 (drawn on a log axis)
    betas : array_like, shape (n_beta,), increasing
    bound : (betas, learning_rates), optional
        A curve drawn as a dashed line, e.g. the stability bound ``lr_max(beta)``.
    selected : (learning_rate, beta), optional
        The picked cell, outlined in black.
    select_name : str, optional
        Name of a click selection (point, fields ``learning_rate`` and ``beta``) added to the
        cells, for ``st.altair_chart(..., on_select="rerun")``.
    title : str, optional

    Returns
    -------
    altair.LayerChart
        The cells first (they carry the selection), then the bound and the outline.
    """
    frame = phase_frame(labels, learning_rates, betas)
    x_dom = [float(frame["x_lo"].min()), float(frame["x_hi"].max())]
    y_dom = [float(frame["y_lo"].min()), float(frame["y_hi"].max())]
    x_scale = alt.Scale(type="log", domain=x_dom, nice=False)
    y_scale = alt.Scale(domain=y_dom, nice=False, zero=False)
    x_enc = alt.X("x_lo:Q", scale=x_scale, title="learning rate α (log scale)")
    y_enc = alt.Y("y_lo:Q", scale=y_scale, title="momentum β")
    colour = alt.Color("phase:N", title="phase", sort=list(PHASE_COLOURS),
                       scale=alt.Scale(domain=list(PHASE_COLOURS),
                                       range=list(PHASE_COLOURS.values())),
                       # two columns, labels never cut: one row of four ran past a
                       # narrow chart and cut the last label ("diverges (")
                       legend=alt.Legend(orient="bottom", columns=2, labelLimit=0,
                                         labelExpr=" : ".join(
                           f"datum.label == '{p}' ? '{p} ({q})'" for p, q in PHASE_LETTERS.items()
                       ) + " : datum.label"))
    cells = alt.Chart(frame).mark_rect(stroke="white", strokeWidth=0.3).encode(
        x=x_enc, x2="x_hi:Q", y=y_enc, y2="y_hi:Q", color=colour,
        tooltip=[alt.Tooltip("learning_rate:Q", format=".4g", title="α"),
                 alt.Tooltip("beta:Q", format=".3g", title="β"),
                 alt.Tooltip("phase:N", title="phase")])
    if select_name:
        cells = cells.add_params(alt.selection_point(name=select_name, fields=["learning_rate",
                                                                                 "beta"]))
    # The phase's letter at each cell's centre (log-scale midpoint in x): a second channel.
    letters = (alt.Chart(frame).transform_calculate(
        xc="sqrt(datum.x_lo * datum.x_hi)", yc="(datum.y_lo + datum.y_hi) / 2")
        .mark_text(fontSize=9, color="black", opacity=0.75)
        .encode(x=alt.X("xc:Q", scale=x_scale), y=alt.Y("yc:Q", scale=y_scale),
                text="letter:N"))
    layers = [cells, letters]
    if bound is not None:
        b, lr = (as_1d(a, "bound") for a in bound)
        if b.shape != lr.shape:
            raise ValueError(f"bound must be two arrays of equal length, got {b.shape}, "
                             f"{lr.shape}")
        keep = np.isfinite(lr) & (lr >= x_dom[0]) & (lr <= x_dom[1])
        line = pd.DataFrame({"x_lo": lr[keep], "y_lo": b[keep], "what": "stability bound"})
        layers.append(alt.Chart(line).mark_line(color="black", strokeDash=[6, 4], strokeWidth=2,
                                                clip=True).encode(
            x=x_enc, y=y_enc, order="y_lo:Q",
            tooltip=[alt.Tooltip("what:N", title=" "),
                     alt.Tooltip("x_lo:Q", format=".4g", title="α max"),
                     alt.Tooltip("y_lo:Q", format=".3g", title="β")]))
    if selected is not None:
        s = frame[np.isclose(frame["learning_rate"], float(selected[0]))
                  & np.isclose(frame["beta"], float(selected[1]))]
        if len(s):
            layers.append(alt.Chart(s).mark_rect(fill=None, stroke="black", strokeWidth=3)
                          .encode(x=x_enc, x2="x_hi:Q", y=y_enc, y2="y_hi:Q"))
    chart = alt.layer(*layers).properties(width="container", height=PHASE_HEIGHT)
    return chart.properties(title=title) if title is not None else chart
