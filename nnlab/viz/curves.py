"""Line charts: cost curves, learning-rate schedules, per-layer statistics."""

from __future__ import annotations

from collections.abc import Mapping

import altair as alt
import numpy as np
import pandas as pd

from ._common import (
    CATEGORICAL_SCHEME,
    CHART_HEIGHT,
    as_1d,
    check_mapping,
    keep_mask,
    order_of,
    series_frame,
)

#: Name of the legend selection parameter (click a legend entry to highlight it).
LEGEND_PARAM = "legend_pick"
#: Opacity of the series that are not picked in the legend.
MUTED_OPACITY = 0.15


def _title(text: str) -> alt.TitleParams:
    """A chart title from the left edge of the chart: centred over a narrow plot, a long title
    would stick out on both sides and be cut."""
    return alt.TitleParams(text, anchor="start", frame="group", offset=8)


def _legend_lines(
    frame: pd.DataFrame,
    labels: list[str],
    *,
    x: alt.X,
    x_tooltip: alt.Tooltip,
    y_title: str,
    log_y: bool,
    points: bool,
) -> alt.Chart:
    """Coloured lines, one per ``series``, with a legend that highlights on click."""
    pick = alt.selection_point(name=LEGEND_PARAM, fields=["series"], bind="legend")
    y_scale = alt.Scale(type="log") if log_y else alt.Scale(zero=False)
    # 1e+10 rather than 10,000,000,000 (whose width pushed the axis title off the chart)
    y_axis = alt.Axis(format=".3~g")
    return (
        alt.Chart(frame)
        .mark_line(point=points, strokeWidth=2)
        .encode(
            x=x,
            y=alt.Y("y:Q", title=y_title, scale=y_scale, axis=y_axis),
            color=alt.Color(
                "series:N",
                title=None,
                sort=labels,
                scale=alt.Scale(domain=labels, scheme=CATEGORICAL_SCHEME),
                # Below the chart, wrapped in two columns, labels never cut short.
                legend=alt.Legend(orient="bottom", symbolStrokeWidth=3, columns=2,
                                  labelLimit=0),
            ),
            opacity=alt.when(pick).then(alt.value(1.0)).otherwise(alt.value(MUTED_OPACITY)),
            tooltip=[
                alt.Tooltip("series:N", title="series"),
                x_tooltip,
                alt.Tooltip("y:Q", format=".4g", title=y_title),
            ],
        )
        .add_params(pick)
    )


def curves_chart(
    series: Mapping,
    *,
    x_title: str = "epoch",
    y_title: str = "cost",
    log_y: bool = False,
    title: str | None = None,
    marks: Mapping | None = None,
) -> alt.Chart | alt.LayerChart:
    """Overlaid curves (cost, accuracy, ...) with a clickable legend.

    Parameters
    ----------
    series : dict
        Label -> 1-D sequence of y values (x is ``0, 1, 2, ...``) or
        label -> ``(x, y)`` tuple of equal-length sequences.
    x_title, y_title : str
        Axis titles.
    log_y : bool, default False
        Logarithmic y axis; values ``<= 0`` are dropped.
    title : str, optional
        Chart title.
    marks : dict, optional
        Label -> x value, drawn as a dashed vertical rule with its label
        (for example ``{"early stop": 42}``). Non-finite values are skipped.

    Returns
    -------
    altair.Chart or altair.LayerChart
        Lines whose colour legend is bound to the selection parameter
        ``LEGEND_PARAM``: clicking an entry mutes the other series.

    Notes
    -----
    Non-finite points (a diverged run) are dropped, never drawn or raised on.
    Very long series are thinned so that the chart stays below 5000 rows.
    """
    frame = series_frame(series, log_y)
    labels = order_of(series.keys())
    x = alt.X("x:Q", title=x_title, scale=alt.Scale(zero=False))
    x_tip = alt.Tooltip("x:Q", format=".4g", title=x_title)
    chart = _legend_lines(
        frame, labels, x=x, x_tooltip=x_tip, y_title=y_title, log_y=log_y, points=False
    )
    if marks:
        check_mapping(marks, "marks")
        rows = [(str(k), float(v)) for k, v in marks.items() if np.isfinite(float(v))]
        mark_frame = pd.DataFrame(rows, columns=["mark", "x"])
        base = alt.Chart(mark_frame).encode(x=alt.X("x:Q"))
        rule = base.mark_rule(color="#444444", strokeDash=[5, 4], strokeWidth=1.5).encode(
            tooltip=[alt.Tooltip("mark:N", title="mark"), alt.Tooltip("x:Q", title=x_title)]
        )
        text = base.mark_text(align="left", baseline="top", dx=4, y=4, color="#444444").encode(
            text="mark:N"
        )
        chart = alt.layer(chart, rule, text)
    props = {"width": "container", "height": CHART_HEIGHT}
    if title is not None:
        props["title"] = _title(title)
    return chart.properties(**props)


def lr_schedule_chart(curves: Mapping, *, title: str | None = "Learning rate") -> alt.Chart:
    """Learning rate per epoch, one line per schedule.

    Parameters
    ----------
    curves : dict
        Schedule label -> learning rate per epoch (or ``(epochs, rates)``).
    title : str, optional
        Chart title.

    Returns
    -------
    altair.Chart
        :func:`curves_chart` with the y axis titled "learning rate".
    """
    return curves_chart(curves, x_title="epoch", y_title="learning rate", title=title)


def layer_stats_chart(
    stats: Mapping, *, y_title: str, log_y: bool = True, title: str | None = None
) -> alt.Chart:
    """A statistic per layer (gradient norm, activation std, ...) for several runs.

    Parameters
    ----------
    stats : dict
        Series label -> sequence of per-layer values, layer ``1 .. L`` in order.
    y_title : str
        What the values are, e.g. ``"‖dW‖ per layer"``.
    log_y : bool, default True
        Logarithmic y axis (vanishing and exploding gradients span decades);
        values ``<= 0`` are then dropped.
    title : str, optional
        Chart title.

    Returns
    -------
    altair.Chart
        Lines with points over the layer index, with the clickable legend of
        :func:`curves_chart`. Non-finite values are dropped.
    """
    check_mapping(stats, "stats")
    frames = []
    for label, values in stats.items():
        y = as_1d(values, f"stats[{label!r}]")
        layer = np.arange(1, y.size + 1)
        keep = keep_mask(y, log_y)
        frames.append(pd.DataFrame({"series": str(label), "x": layer[keep], "y": y[keep]}))
    frame = pd.concat(frames, ignore_index=True)
    x = alt.X("x:O", title="layer l", axis=alt.Axis(labelAngle=0))
    x_tip = alt.Tooltip("x:O", title="layer l")
    labels = order_of(stats.keys())
    chart = _legend_lines(
        frame, labels, x=x, x_tooltip=x_tip, y_title=y_title, log_y=log_y, points=True
    )
    props = {"width": "container", "height": CHART_HEIGHT}
    if title is not None:
        props["title"] = _title(title)
    return chart.properties(**props)
