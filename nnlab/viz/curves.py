"""Line charts: cost curves, learning-rate schedules, per-layer statistics."""

from __future__ import annotations

from collections.abc import Mapping

import altair as alt
import numpy as np
import pandas as pd

from ._common import (
    CHART_HEIGHT,
    as_1d,
    check_mapping,
    keep_mask,
    order_of,
    series_frame,
)
from .palette import DASHES, LABEL_GREY, SERIES_COLOURS

#: Name of the legend selection parameter (click a legend entry to highlight it).
LEGEND_PARAM = "legend_pick"
#: Opacity of the series that are not picked in the legend.
MUTED_OPACITY = 0.15

#: Stroke width of the first series (drawn first, underneath) and of the last (on top): a
#: later, narrower line never hides an earlier one.
WIDEST, NARROWEST = 3.5, 2.25

#: A series runs off the chart when its largest value is more than this many times both its
#: own first value and the lowest peak of the series drawn with it (a diverging run's cost
#: climbing to 1e160 while the others stay near 1): see :func:`off_scale`.
OFF_SCALE = 1e3


def style_of(i: int) -> tuple[str, list]:
    """``(colour, dash)`` of series number ``i`` (0-based): the palette's series colours
    (:data:`nnlab.viz.palette.SERIES_COLOURS`) and dashes in order: 7 colours and 8 dashes,
    so no two of the first 56 series share both."""
    return SERIES_COLOURS[i % len(SERIES_COLOURS)], list(DASHES[i % len(DASHES)])


def _widths(n: int) -> list[float]:
    if n == 1:
        return [WIDEST - 1.0]
    return [round(WIDEST - (WIDEST - NARROWEST) * i / (n - 1), 2) for i in range(n)]


#: Height of one legend entry in pixels: Streamlit fits the whole chart, legend included,
#: into its height, so every entry makes the chart taller instead of the plot shorter.
LEGEND_ROW = 22


def chart_height(n_series: int) -> int:
    """Height of a chart with ``n_series`` legend entries below a plot of the usual height."""
    return CHART_HEIGHT + LEGEND_ROW * n_series


def _title(text: str) -> alt.TitleParams:
    """A chart title from the left edge of the chart: centred over a narrow plot, a long title
    would stick out on both sides and be cut."""
    return alt.TitleParams(text, anchor="start", frame="group", offset=8)


def off_scale(frame: pd.DataFrame) -> dict:
    """What the chart's transforms (:func:`_clip_transforms`) compute, in Python: the labels
    of the series that run off the chart and the top of the y axis.

    Returns ``{"off": [labels], "top": float}``: a series is *off* when its largest value is
    more than :data:`OFF_SCALE` times its first value (by x) and the lowest peak of all the
    series (values must be positive); ``top`` is the largest value of the others. The y axis
    then spans the others' values (and the off series' values below ``top``)."""
    g = frame.sort_values("x", kind="stable").groupby("series", sort=False)["y"]
    hi, start = g.max(), g.first()
    base = hi.min()
    off = (base > 0) & (start > 0) & (hi > OFF_SCALE * base) & (hi > OFF_SCALE * start)
    return {"off": [str(k) for k in hi.index[off]], "top": float(hi[~off].max())}


def _clip_transforms(chart: alt.Chart) -> alt.Chart:
    """Transforms computed by Vega on whatever data the chart holds (a live chart keeps its
    spec and gets new data each frame): mark the series that run off the chart
    (:func:`off_scale`), keep each one's points up to its first point above the others' top,
    and draw that point at the top (``y_shown``, ``exits`` = 1)."""
    return (
        chart.transform_joinaggregate(s_hi="max(y)", groupby=["series"])
        .transform_window(s_start="first_value(y)", groupby=["series"], sort=[{"field": "x"}],
                          frame=[None, None])
        .transform_joinaggregate(base="min(s_hi)")
        .transform_calculate(off=f"if(datum.base > 0 && datum.s_start > 0 && datum.s_hi > "
                                 f"{OFF_SCALE:g} * datum.base && datum.s_hi > {OFF_SCALE:g} * "
                                 "datum.s_start, 1, 0)")
        .transform_calculate(calm_hi="if(datum.off == 1, null, datum.s_hi)")
        .transform_joinaggregate(top="max(calm_hi)")
        .transform_calculate(above="if(datum.off == 1 && datum.y > datum.top, 1, 0)")
        .transform_window(n_above="sum(above)", groupby=["series"], sort=[{"field": "x"}])
        .transform_filter("datum.above == 0 || datum.n_above == 1")
        .transform_calculate(y_shown="if(datum.above == 1, datum.top, datum.y)")
    )


def _legend_lines(
    frame: pd.DataFrame,
    labels: list[str],
    *,
    x: alt.X,
    x_tooltip: alt.Tooltip,
    y_title: str,
    log_y: bool,
    points: bool,
    clip: bool = False,
) -> alt.Chart | alt.LayerChart:
    """One line per ``series``, told apart by colour and dash (:func:`style_of`), first
    widest, with a legend below that highlights on click. With ``clip``, a series that runs
    off the chart (:func:`off_scale`) leaves it at the top, marked by a triangle."""
    pick = alt.selection_point(name=LEGEND_PARAM, fields=["series"], bind="legend")
    y_scale = alt.Scale(type="log") if log_y else alt.Scale(zero=False)
    # 1e+10 rather than 10,000,000,000 (whose width pushed the axis title off the chart)
    y_axis = alt.Axis(format=".3~g")
    styles = [style_of(i) for i in range(len(labels))]
    # Below the chart, one entry a line: a second column was cut off by a narrow chart (Vega
    # clips the legend at the chart's width); labels never cut short; a long stroke symbol
    # shows each series' dash.
    legend = alt.Legend(orient="bottom", direction="vertical", columns=1, labelLimit=0,
                        symbolType="stroke",
                        symbolStrokeWidth=3, symbolSize=500)
    colour_scale = alt.Scale(domain=labels, range=[c for c, _ in styles])
    colour = alt.Color("series:N", title=None, sort=labels, legend=legend, scale=colour_scale)
    dash = alt.StrokeDash("series:N", title=None, sort=labels, legend=legend,
                          scale=alt.Scale(domain=labels, range=[d for _, d in styles]))
    # an ordinal scale: one width per label (Vega-Lite's default for a size channel is a
    # point scale that takes the range as an interval, and one series got no width at all)
    width = alt.StrokeWidth("series:N", legend=None, scale=alt.Scale(
        type="ordinal", domain=labels, range=_widths(len(labels))))
    field = "y_shown" if clip else "y"
    tooltip = [alt.Tooltip("series:N", title="series"), x_tooltip,
               alt.Tooltip("y:Q", format=".4g", title=y_title)]
    base = alt.Chart(frame)
    if clip:
        base = _clip_transforms(base)
    opacity = alt.when(pick).then(alt.value(1.0)).otherwise(alt.value(MUTED_OPACITY))
    lines = base.mark_line(point=points).encode(
        x=x, y=alt.Y(f"{field}:Q", title=y_title, scale=y_scale, axis=y_axis),
        color=colour, strokeDash=dash, strokeWidth=width, opacity=opacity, tooltip=tooltip,
    ).add_params(pick)
    if not clip:
        return lines
    exits = base.transform_filter("datum.above == 1").mark_point(
        shape="triangle-up", filled=True, size=110, opacity=1.0).encode(
        x=x, y=alt.Y(f"{field}:Q"), color=alt.Color("series:N", legend=None, scale=colour_scale),
        tooltip=[alt.Tooltip("series:N", title="off the chart"), x_tooltip,
                 alt.Tooltip("y:Q", format=".4g", title=y_title)])
    return alt.layer(lines, exits)


def curves_chart(
    series: Mapping,
    *,
    x_title: str = "epoch",
    y_title: str = "cost",
    log_y: bool = False,
    title: str | None = None,
    marks: Mapping | None = None,
    clip: bool = True,
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
    clip : bool, default True
        Keep the y axis on the range of the series that stay in scale: a series that runs
        off it (:func:`off_scale`: a diverging cost climbing a thousandfold and more) is drawn
        up to where it leaves the chart, marked there with a triangle (its tooltip gives the
        value). Computed by Vega from the chart's data, so a live chart whose data change
        every frame keeps one spec.

    Returns
    -------
    altair.Chart or altair.LayerChart
        Lines whose colour legend is bound to the selection parameter
        ``LEGEND_PARAM``: clicking an entry mutes the other series.

    Notes
    -----
    Each series has its own colour (palette ``SERIES_COLOURS``, in order) and dash (:data:`DASHES`),
    and the first is drawn widest, underneath: two runs with the same curve both show.
    Non-finite points (a diverged run) are dropped, never drawn or raised on.
    Very long series are thinned so that the chart stays below 5000 rows.
    The spec depends on the labels and the options only, never on the values.
    """
    frame = series_frame(series, log_y)
    labels = order_of(series.keys())
    x = alt.X("x:Q", title=x_title, scale=alt.Scale(zero=False))
    x_tip = alt.Tooltip("x:Q", format=".4g", title=x_title)
    chart = _legend_lines(
        frame, labels, x=x, x_tooltip=x_tip, y_title=y_title, log_y=log_y, points=False,
        clip=clip,
    )
    if marks:
        check_mapping(marks, "marks")
        rows = [(str(k), float(v)) for k, v in marks.items() if np.isfinite(float(v))]
        mark_frame = pd.DataFrame(rows, columns=["mark", "x"])
        base = alt.Chart(mark_frame).encode(x=alt.X("x:Q"))
        rule = base.mark_rule(color=LABEL_GREY, strokeDash=[5, 4], strokeWidth=1.5).encode(
            tooltip=[alt.Tooltip("mark:N", title="mark"), alt.Tooltip("x:Q", title=x_title)]
        )
        text = base.mark_text(align="left", baseline="top", dx=4, y=4, color=LABEL_GREY).encode(
            text="mark:N"
        )
        chart = alt.layer(chart, rule, text)
    props = {"width": "container", "height": chart_height(len(labels))}
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
    props = {"width": "container", "height": chart_height(len(labels))}
    if title is not None:
        props["title"] = _title(title)
    return chart.properties(**props)
