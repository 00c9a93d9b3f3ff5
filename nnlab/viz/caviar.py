"""Many learning curves at once ("caviar"), each line coloured by one hyperparameter."""

from __future__ import annotations

from collections.abc import Mapping

import altair as alt
import numpy as np
import pandas as pd

from ._common import CHART_HEIGHT, MAX_ROWS, check_mapping


def caviar_chart(
    curves: Mapping,
    values: Mapping,
    *,
    color_title: str = "learning_rate",
    log_color: bool = True,
    log_y: bool = False,
    y_title: str = "cost",
    title: str | None = None,
) -> alt.Chart:
    """One thin line per trial, coloured by a hyperparameter on a continuous scale.

    Parameters
    ----------
    curves : dict
        Trial label -> 1-D sequence of per-epoch values (x is ``0, 1, 2, ...``).
    values : dict
        Trial label -> the value that colours its line (e.g. its learning rate). Every
        label of ``curves`` must be present.
    color_title : str
        Legend title of the colour scale.
    log_color : bool, default True
        Logarithmic colour scale (for a knob searched on a log scale); values ``<= 0``
        are then drawn in grey.
    log_y : bool, default False
        Logarithmic y axis; values ``<= 0`` are dropped.
    y_title : str
        What the curves are.
    title : str, optional
        Chart title.

    Returns
    -------
    altair.Chart
        Lines on a viridis scale with a colour-bar legend (no per-line legend: there may be
        dozens), the trial and its value in the tooltip. Non-finite points (a diverged trial)
        are dropped; long curves are thinned to keep the chart under ``MAX_ROWS`` rows.
    """
    check_mapping(curves, "curves")
    check_mapping(values, "values")
    missing = [k for k in curves if k not in values]
    if missing:
        raise ValueError(f"values has no entry for curve(s) {missing!r:.80}")
    arrays = {str(k): np.asarray(v, dtype=np.float64).ravel() for k, v in curves.items()}
    longest = max((a.size for a in arrays.values()), default=1)
    stride = max(1, int(np.ceil(longest * len(arrays) / MAX_ROWS)))
    frames = []
    for (label, y), key in zip(arrays.items(), curves, strict=True):
        x = np.arange(y.size)
        keep = np.isfinite(y) & ((y > 0) if log_y else True)
        keep &= (x % stride == 0) | (x == y.size - 1)
        frames.append(pd.DataFrame({"trial": label, "x": x[keep], "y": y[keep],
                                    "value": float(values[key])}))
    frame = pd.concat(frames, ignore_index=True)
    scale = (alt.Scale(type="log", scheme="viridis") if log_color
             else alt.Scale(scheme="viridis"))
    chart = (
        alt.Chart(frame)
        .mark_line(strokeWidth=1.3, opacity=0.8)
        .encode(
            x=alt.X("x:Q", title="epoch"),
            y=alt.Y("y:Q", title=y_title,
                    scale=alt.Scale(type="log") if log_y else alt.Scale(zero=False)),
            detail="trial:N",
            color=alt.Color("value:Q", title=color_title, scale=scale,
                            legend=alt.Legend(format=".3g")),
            tooltip=[
                alt.Tooltip("trial:N", title="trial"),
                alt.Tooltip("value:Q", format=".4g", title=color_title),
                alt.Tooltip("x:Q", title="epoch"),
                alt.Tooltip("y:Q", format=".4g", title=y_title),
            ],
        )
    )
    props = {"width": "container", "height": CHART_HEIGHT}
    if title is not None:
        props["title"] = title
    return chart.properties(**props)
