"""Charts of the regularization page: train vs dev accuracy, and dropout masks over steps."""

from __future__ import annotations

from collections.abc import Mapping

import altair as alt
import numpy as np
import pandas as pd

from ._common import BLUE, CHART_HEIGHT, GREY, PANEL_WIDTH, check_mapping, order_of

#: Colours of the two accuracy bars: train (grey) and dev (blue).
SPLIT_COLOURS = {"train": GREY, "dev": BLUE}
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
        baseline="bottom", dy=-4, color="#444444").encode(
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
                        scale=alt.Scale(domain=["kept", "dropped"], range=[BLUE, "#eeeeee"]),
                        legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("panel:N", title="mask"), alt.Tooltip("step:O"),
                 alt.Tooltip("unit:O"), alt.Tooltip("state:N")],
    ).properties(width=int(1.6 * PANEL_WIDTH), height=220)
    facet = chart.facet(column=alt.Column("panel:N", sort=order_of(masks.keys()), title=None))
    return facet.properties(title=title) if title is not None else facet
