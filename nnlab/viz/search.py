"""Hyperparameter search: one point per trial."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import altair as alt
import numpy as np
import pandas as pd

from ._common import CHART_HEIGHT


def _is_number(value) -> bool:
    """True for real numbers (bools excluded)."""
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def scatter_trials_chart(
    records: Sequence[Mapping],
    x: str,
    y: str,
    color: str,
    *,
    log_x: bool = False,
    log_y: bool = False,
    title: str | None = None,
    x_title: str | None = None,
    y_title: str | None = None,
) -> alt.Chart:
    """Scatter of search trials, e.g. learning rate vs. beta, coloured by dev accuracy.

    Parameters
    ----------
    records : list of dict
        One dict per trial; must hold numeric ``x``, ``y`` and ``color`` fields.
        Other scalar fields are shown in the tooltip.
    x, y : str
        Field names for the axes (usually sampled hyperparameters).
    color : str
        Numeric field coding the colour (usually the dev accuracy).
    log_x, log_y : bool, default False
        Logarithmic axis (right for a learning rate sampled on a log scale);
        trials with a value ``<= 0`` on a log axis are dropped.
    title : str, optional
        Chart title.
    x_title, y_title : str, optional
        Axis titles in words ("learning rate α"); default: the field names.

    Returns
    -------
    altair.Chart
        Circles on a viridis colour scale. Trials whose ``x``, ``y`` or
        ``color`` is missing or non-finite are dropped.
    """
    if isinstance(records, (str, Mapping)) or not isinstance(records, Sequence):
        raise ValueError(f"records must be a list of dicts, got {type(records).__name__}")
    for name, field in (("x", x), ("y", y), ("color", color)):
        if not isinstance(field, str) or not field:
            raise ValueError(f"{name} must be a field name (str), got {field!r}")
    rows = []
    for i, rec in enumerate(records):
        if not isinstance(rec, Mapping):
            raise ValueError(f"records[{i}] must be a dict, got {type(rec).__name__}")
        row = {"trial": i}
        row.update({k: v for k, v in rec.items() if _is_number(v) or isinstance(v, str)})
        rows.append(row)
    frame = pd.DataFrame(rows)
    for field in (x, y, color):
        if field not in frame:
            frame[field] = np.nan
        frame[field] = pd.to_numeric(frame[field], errors="coerce")
    keep = np.isfinite(frame[[x, y, color]].to_numpy(dtype=np.float64)).all(axis=1)
    if log_x:
        keep &= (frame[x] > 0).to_numpy()
    if log_y:
        keep &= (frame[y] > 0).to_numpy()
    frame = frame[keep].reset_index(drop=True)
    extra = [c for c in frame.columns if c not in ("trial", x, y, color)]
    tooltip = [alt.Tooltip("trial:Q", title="trial")]
    tooltip += [alt.Tooltip(f"{c}:Q", format=".4g") for c in (x, y, color)]
    tooltip += [
        alt.Tooltip(f"{c}:{'Q' if pd.api.types.is_numeric_dtype(frame[c]) else 'N'}") for c in extra
    ]
    chart = (
        alt.Chart(frame)
        .mark_circle(size=70, opacity=0.9, stroke="white", strokeWidth=0.6)
        .encode(
            x=alt.X(
                f"{x}:Q",
                title=x_title or x,
                scale=alt.Scale(type="log") if log_x else alt.Scale(zero=False),
            ),
            y=alt.Y(
                f"{y}:Q",
                title=y_title or y,
                scale=alt.Scale(type="log") if log_y else alt.Scale(zero=False),
            ),
            color=alt.Color(f"{color}:Q", title=color, scale=alt.Scale(scheme="viridis")),
            tooltip=tooltip,
        )
    )
    props = {"width": "container", "height": CHART_HEIGHT}
    if title is not None:
        props["title"] = title
    return chart.properties(**props)
