r"""Streamlit glue for the nnlab playground: the only part of nnlab that imports streamlit.

A page is thin: widgets -> nnlab.app -> charts. Its rhythm::

    from nnlab.spec import initializers
    from nnlab.app import comparison_view, controls, math_and_code, page_setup, train_cached
    from nnlab.config import TrainConfig
    from nnlab.core.train import make_dataset

    page_setup("Initialization", "Zeros, large random and He initialization train the same "
               "network: only He breaks the symmetry and learns the circles.")
    base = TrainConfig(dataset="circles", num_epochs=1500, learning_rate=0.01)
    variants = [(name, base.replace(initializer=name)) for name in ("zeros", "random", "he")]
    data = make_dataset(base)
    results = [(label, train_cached(config, label)) for label, config in variants]
    comparison_view(results, data)
    math_and_code([r"W^{[l]} \sim \mathcal{N}(0, 1) \cdot \sqrt{2 / n^{[l-1]}}"],
                  [initializers.initialize_parameters])

Modules: :mod:`~nnlab.app.pages` (registry, page setup, menu), :mod:`~nnlab.app.controls`
(config widgets), :mod:`~nnlab.app.runs` (cached training, run registry, exports),
:mod:`~nnlab.app.compare` (side-by-side view), :mod:`~nnlab.app.live_panel` (the live
side-by-side view: toolbar, boundaries, network drawing, curves),
:mod:`~nnlab.app.explain` (math and code),
:mod:`~nnlab.app.charts` (cached chart specs: ``st.vega_lite_chart(chart_spec(builder, ...))``).
"""

from nnlab.app import controls
from nnlab.app.compare import comparison_view, decision_grid, metrics_frame
from nnlab.app.explain import math_and_code
from nnlab.app.live_panel import live_comparison
from nnlab.app.pages import PAGES, course_menu, existing_pages, page_setup
from nnlab.app.runs import (
    ENGINE_VERSION,
    clear_runs,
    list_runs,
    register_run,
    train_cached,
    train_many,
)
from nnlab.core._blas import one_blas_thread_from_now

one_blas_thread_from_now()  # a server of many sessions (see its docstring: measured)

__all__ = [
    "ENGINE_VERSION",
    "PAGES",
    "clear_runs",
    "comparison_view",
    "controls",
    "course_menu",
    "decision_grid",
    "existing_pages",
    "list_runs",
    "live_comparison",
    "math_and_code",
    "metrics_frame",
    "page_setup",
    "register_run",
    "train_cached",
    "train_many",
]
