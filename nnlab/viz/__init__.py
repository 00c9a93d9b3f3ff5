"""Pure chart builders: plain data (NumPy arrays, dicts, lists) in, ``altair`` charts out.

This package never imports Streamlit and never trains anything: the app layer
(``nnlab.app``) runs the engine and hands the results to these builders, and
renders what they return with ``st.vega_lite_chart(nnlab.app.charts.chart_spec(builder, ...))``
(the converted spec is cached) or ``st.altair_chart``.
"""

from .bars import bar_chart, confusion_matrix_chart, parameter_bars_chart
from .boundary import decision_boundary_chart, points_chart
from .curves import LEGEND_PARAM, curves_chart, layer_stats_chart, lr_schedule_chart
from .distributions import histograms_chart, weights_heatmap_chart
from .search import scatter_trials_chart
from .surfaces import contour_chart

__all__ = [
    "LEGEND_PARAM",
    "bar_chart",
    "confusion_matrix_chart",
    "contour_chart",
    "curves_chart",
    "decision_boundary_chart",
    "histograms_chart",
    "layer_stats_chart",
    "lr_schedule_chart",
    "parameter_bars_chart",
    "points_chart",
    "scatter_trials_chart",
    "weights_heatmap_chart",
]
