"""Charts of the regularization page: train vs dev accuracy, and dropout masks over steps."""

from __future__ import annotations

from collections.abc import Mapping

import altair as alt
import numpy as np
import pandas as pd

from ._common import CHART_HEIGHT, PANEL_WIDTH, check_mapping, order_of
from .palette import DEV_COLOUR, DROPPED_COLOUR, LABEL_GREY, TRAIN_COLOUR

#: Colours of the two accuracy bars: train (grey) and dev (blue).
SPLIT_COLOURS = {"train": TRAIN_COLOUR, "dev": DEV_COLOUR}
#: Largest mask drawn per panel (steps x units), so a panel stays readable.
MAX_MASK_STEPS = 60
MAX_MASK_UNITS = 40


def accuracy_gap_chart(rows: Mapping, *, title: str | None = None) -> alt.LayerChart:
    """Train and dev accuracy side by side for each variant, with the gap written above.

    Parameters
    ----------
    rows : dict
        Variant label -> ``(train_accuracy, dev_accuracy)``, both in [0, 1].
    title : str, optional

    Returns
    -------
    altair.LayerChart
        Grouped bars (x: variant, colour: split) and a text mark per variant with the gap
        ``train - dev`` in percentage points. Variants with a non-finite accuracy are dropped.
    """
    check_mapping(rows, "rows")
    labels = order_of(rows.keys())
    records, gaps = [], []
    for label, pair in rows.items():
        try:
            train, dev = (float(v) for v in pair)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"rows[{label!r}] must be (train_accuracy, dev_accuracy), "
                             f"got {pair!r}") from exc
        if not (np.isfinite(train) and np.isfinite(dev)):
            continue
        records += [(str(label), "train", train), (str(label), "dev", dev)]
        gaps.append((str(label), max(train, dev), f"gap {100 * (train - dev):+.1f} pts"))
    frame = pd.DataFrame(records, columns=["variant", "split", "accuracy"])
    low = float(frame["accuracy"].min()) if len(frame) else 0.0
    floor = max(0.0, np.floor(low * 20) / 20 - 0.05)
    x = alt.X("variant:N", sort=labels, title=None, axis=alt.Axis(labelAngle=0, labelLimit=240))
    y_scale = alt.Scale(domain=[floor, 1.0], clamp=True)
    bars = alt.Chart(frame).mark_bar().encode(
        x=x,
        xOffset=alt.XOffset("split:N", sort=list(SPLIT_COLOURS)),
        y=alt.Y("accuracy:Q", title="accuracy", scale=y_scale),
        color=alt.Color("split:N", title=None, sort=list(SPLIT_COLOURS),
                        scale=alt.Scale(domain=list(SPLIT_COLOURS),
                                        range=list(SPLIT_COLOURS.values())),
                        legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("variant:N"), alt.Tooltip("split:N"),
                 alt.Tooltip("accuracy:Q", format=".3f")],
    )
    text = alt.Chart(pd.DataFrame(gaps, columns=["variant", "top", "gap"])).mark_text(
        baseline="bottom", dy=-4, color=LABEL_GREY).encode(
        x=x, y=alt.Y("top:Q", scale=y_scale), text="gap:N")
    props = {"width": "container", "height": CHART_HEIGHT}
    if title is not None:
        props["title"] = title
    return alt.layer(bars, text).properties(**props)


def dropout_mask_chart(masks: Mapping, *, title: str | None = None) -> alt.FacetChart:
    """Which units are kept at each step, one panel per way of drawing the mask.

    Parameters
    ----------
    masks : dict
        Panel label -> boolean array of shape ``(num_steps, n_units)``: entry ``[s, i]`` is
        True when unit ``i`` is kept at step ``s`` (for one example).
    title : str, optional

    Returns
    -------
    altair.FacetChart
        One grid per label (x: gradient step, y: unit), kept units dark, dropped units light.
        A fresh mask looks like noise; a fixed mask looks like horizontal stripes.
        At most ``MAX_MASK_STEPS`` steps and ``MAX_MASK_UNITS`` units are drawn.
    """
    check_mapping(masks, "masks")
    frames = []
    for label, mask in masks.items():
        M = np.asarray(mask)
        if M.ndim != 2:
            raise ValueError(f"masks[{label!r}] must be 2-D (steps, units), got shape {M.shape}")
        M = M[:MAX_MASK_STEPS, :MAX_MASK_UNITS].astype(bool)
        step, unit = np.meshgrid(np.arange(1, M.shape[0] + 1), np.arange(1, M.shape[1] + 1),
                                 indexing="ij")
        frames.append(pd.DataFrame({"panel": str(label), "step": step.ravel(),
                                    "unit": unit.ravel(),
                                    "state": np.where(M.ravel(), "kept", "dropped")}))
    frame = pd.concat(frames, ignore_index=True)
    chart = alt.Chart(frame).mark_rect(stroke="white", strokeWidth=0.5).encode(
        x=alt.X("step:O", title="gradient step", axis=alt.Axis(labelAngle=0, labelOverlap=True)),
        y=alt.Y("unit:O", title="hidden unit of layer 1"),
        color=alt.Color("state:N", title=None, sort=["kept", "dropped"],
                        scale=alt.Scale(domain=["kept", "dropped"],
                                        range=[DEV_COLOUR, DROPPED_COLOUR]),
                        legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("panel:N", title="mask"), alt.Tooltip("step:O"),
                 alt.Tooltip("unit:O"), alt.Tooltip("state:N")],
    ).properties(width=int(1.6 * PANEL_WIDTH), height=220)
    facet = chart.facet(column=alt.Column("panel:N", sort=order_of(masks.keys()), title=None))
    return facet.properties(title=title) if title is not None else facet


#: Colours of the two cost curves of a panel (as the accuracy bars: train grey, dev blue).
COST_COLOURS = {"training cost": TRAIN_COLOUR, "dev cost": DEV_COLOUR}
#: Points kept per curve (a longer one is thinned evenly, its last point kept).
MAX_CURVE_POINTS = 400
#: Size of one panel of :func:`cost_panels_chart`, in pixels.
COST_PANEL = (140, 110)


def _thin(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    keep = np.isfinite(x) & np.isfinite(y)
    x, y = x[keep], y[keep]
    if x.size > MAX_CURVE_POINTS:
        idx = np.unique(np.r_[np.linspace(0, x.size - 1, MAX_CURVE_POINTS).astype(int),
                              x.size - 1])
        x, y = x[idx], y[idx]
    return x, y


def cost_panels_chart(curves: Mapping, *, title: str | None = None,
                      columns: int = 2) -> alt.FacetChart:
    """The training and the dev cost of each variant in a panel of its own, so that no
    variant's curve hides under another's (dropout's noisy training cost covered L2's).

    Parameters
    ----------
    curves : dict
        Variant label -> ``{"training cost": (epochs, costs), "dev cost": (epochs, costs)}``
        (either may be missing); non-finite points are dropped, long curves thinned to
        :data:`MAX_CURVE_POINTS`.
    title : str, optional
    columns : int, default 2
        Panels per row.

    Returns
    -------
    altair.FacetChart
        One panel per variant (in the given order, one shared y scale), the dev cost drawn
        over the training cost, thicker.
    """
    check_mapping(curves, "curves")
    frames = []
    for label, pair in curves.items():
        if not isinstance(pair, Mapping):
            raise ValueError(f"curves[{label!r}] must be a dict of (x, y) pairs, got {pair!r:.80}")
        for name, xy in pair.items():
            if name not in COST_COLOURS:
                raise ValueError(f"curves[{label!r}] keys must be in {list(COST_COLOURS)}, "
                                 f"got {name!r}")
            x, y = (np.asarray(v, dtype=float).ravel() for v in xy)
            if x.shape != y.shape:
                raise ValueError(f"curves[{label!r}][{name!r}]: x and y differ in length "
                                 f"({x.size} and {y.size})")
            x, y = _thin(x, y)
            frames.append(pd.DataFrame({"variant": str(label), "curve": name, "epoch": x,
                                        "cost": y}))
    frame = (pd.concat(frames, ignore_index=True) if frames else
             pd.DataFrame(columns=["variant", "curve", "epoch", "cost"]))
    colour = alt.Color("curve:N", title=None, sort=list(COST_COLOURS),
                       scale=alt.Scale(domain=list(COST_COLOURS),
                                       range=list(COST_COLOURS.values())),
                       legend=alt.Legend(orient="bottom"))
    tooltip = [alt.Tooltip("variant:N"), alt.Tooltip("curve:N"), alt.Tooltip("epoch:Q"),
               alt.Tooltip("cost:Q", format=".4g")]
    base = alt.Chart().encode(x=alt.X("epoch:Q", title="epoch"),
                              y=alt.Y("cost:Q", title="cost"), color=colour, tooltip=tooltip)
    train = base.transform_filter(alt.datum.curve == "training cost").mark_line(
        strokeWidth=1, opacity=0.8)
    dev = base.transform_filter(alt.datum.curve == "dev cost").mark_line(strokeWidth=2.5)
    width, height = COST_PANEL
    chart = alt.layer(train, dev, data=frame).properties(width=width, height=height).facet(
        facet=alt.Facet("variant:N", sort=order_of(curves.keys()), title=None),
        columns=int(columns))
    return chart.properties(title=title) if title is not None else chart
