"""The side-by-side comparison of 2 to 4 trained variants.

:func:`comparison_view` draws, for a list of ``(label, TrainResult)`` trained on the same data:
faceted decision boundaries, overlaid cost curves, overlaid dev-accuracy curves and a metrics
table. A diverged run is reported with ``st.warning``; it never breaks the view.

:func:`decision_grid` is the numeric part (no Streamlit): the model's prediction on a grid
over the data's padded bounding box. :func:`result_grid` caches it for a trained run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import streamlit as st

from nnlab import viz
from nnlab.app.charts import chart_spec
from nnlab.app.runs import Work, cached_work, summary_row
from nnlab.core.train import TrainResult
from nnlab.viz._common import thin_indices

#: Points per axis of the decision-boundary grid.
GRID_SIZE = 60
#: Padding of the grid around the data, as a fraction of the data's extent.
GRID_PAD = 0.1
MAX_VARIANTS = 4


def bounding_box(X, *, pad: float = GRID_PAD) -> tuple[float, float, float, float]:
    """``(x_min, x_max, y_min, y_max)`` of the finite columns of ``X`` (2, m), padded by
    ``pad`` times the extent on each side (at least 0.5 when the extent is 0)."""
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[0] != 2:
        raise ValueError(f"X must have shape (2, m), got shape {X.shape}")
    X = X[:, np.all(np.isfinite(X), axis=0)]
    if X.shape[1] == 0:
        return (-1.0, 1.0, -1.0, 1.0)
    lo, hi = X.min(axis=1), X.max(axis=1)
    margin = np.where(hi > lo, (hi - lo) * pad, 0.5)
    lo, hi = lo - margin, hi + margin
    return float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])


def decision_grid(predict_proba: Callable, X, *, size: int = GRID_SIZE,
                  pad: float = GRID_PAD) -> dict:
    """Evaluate a classifier on a ``size x size`` grid over the padded bounding box of ``X``.

    Parameters
    ----------
    predict_proba : callable
        ``(2, N) -> (n_y, N)`` output probabilities (``TrainResult.predict_proba``).
    X : array_like, shape (2, m)
        The points that set the box (usually all of the data set).
    size : int
        Grid points per axis.
    pad : float
        Padding as a fraction of the data's extent.

    Returns
    -------
    dict
        ``xs`` (size,), ``ys`` (size,) and either ``probs`` (size, size), the probability of
        class 1 when ``n_y == 1`` (sigmoid), or ``classes`` (size, size), the argmax class when
        ``n_y > 1`` (softmax); entry ``[i, j]`` is at ``(xs[j], ys[i])``. Non-finite outputs
        stay NaN (the chart leaves them blank).
    """
    size = int(size)
    if size < 2:
        raise ValueError(f"size must be at least 2, got {size}")
    x0, x1, y0, y1 = bounding_box(X, pad=pad)
    xs, ys = np.linspace(x0, x1, size), np.linspace(y0, y1, size)
    gx, gy = np.meshgrid(xs, ys)
    with np.errstate(all="ignore"):
        P = np.asarray(predict_proba(np.vstack([gx.ravel(), gy.ravel()])), dtype=float)
    if P.ndim != 2 or P.shape[1] != size * size:
        raise ValueError(f"predict_proba must return (n_y, {size * size}), got {P.shape}")
    if P.shape[0] == 1:
        return {"xs": xs, "ys": ys, "probs": P[0].reshape(size, size)}
    return {"xs": xs, "ys": ys, "classes": predicted_classes(P).reshape(size, size)}


def predicted_classes(P) -> np.ndarray:
    """The argmax class of each column of softmax outputs ``P`` (C, ...), as floats; NaN
    where an output is not finite (a diverged run)."""
    P = np.asarray(P, dtype=float)
    classes = np.argmax(np.where(np.isfinite(P), P, -np.inf), axis=0).astype(float)
    classes[~np.all(np.isfinite(P), axis=0)] = np.nan
    return classes


def _prediction_key(result: TrainResult) -> tuple:
    """What a run's predictions depend on (with the engine's code): for ``st.cache_data``."""
    return (result.config, result.parameters, result.bn_state)


@cached_work(hash_funcs={TrainResult: _prediction_key})
def _cached_result_grid(work: Work, result: TrainResult, X_box, size: int) -> dict:
    """``decision_grid`` of ``result``."""
    return decision_grid(result.predict_proba, X_box, size=size)


def result_grid(result, X_box, *, size: int = GRID_SIZE) -> dict:
    """``decision_grid(result.predict_proba, X_box, size=size)``, cached for a ``TrainResult``
    (keyed by its config, parameters and batch-norm state and :data:`ENGINE_VERSION`): a
    warm page does not evaluate its networks on the grid again."""
    if isinstance(result, TrainResult):
        return _cached_result_grid(result, np.asarray(X_box, dtype=float), int(size))
    return decision_grid(result.predict_proba, X_box, size=size)


def all_points(data) -> np.ndarray:
    """Train, dev and test inputs side by side, (2, m)."""
    return np.hstack([data.X_train, data.X_dev, data.X_test])


def boundary_panels(variants: Sequence[tuple[str, TrainResult]], data, *,
                    points: str = "train", size: int = GRID_SIZE) -> list[dict]:
    """Panels for ``viz.decision_boundary_chart``: one grid per variant, drawn over the
    ``points`` split (``"train"``, ``"dev"`` or ``"test"``) of ``data``."""
    X_box = all_points(data)
    X, Y = getattr(data, f"X_{points}"), getattr(data, f"Y_{points}")
    panels = []
    for label, result in variants:
        panel = result_grid(result, X_box, size=size)
        panel.update(label=str(label), X=X, Y=Y)
        panels.append(panel)
    # A mix of sigmoid and softmax outputs can't share one colour scale: draw classes then.
    if len({"probs" in p for p in panels}) > 1:
        for p in panels:
            if "probs" in p:
                probs = p.pop("probs")
                p["classes"] = np.where(np.isfinite(probs), (probs > 0.5).astype(float), np.nan)
    return panels


def metrics_frame(variants: Sequence[tuple[str, TrainResult]]):
    """``pandas.DataFrame``: one row per variant with train/dev/test accuracy, final cost,
    epochs, seconds and status. A set no variant has (football has no test set) is left out
    rather than shown as an empty column."""
    import pandas as pd

    frame = pd.DataFrame([summary_row(label, status=r.status, metrics=r.metrics,
                                      final_cost=r.final_cost, epochs=r.epochs_run,
                                      seconds=r.seconds) for label, r in variants])
    empty = [c for c in ("dev_accuracy", "test_accuracy") if frame[c].isna().all()]
    return frame.drop(columns=empty)


def curve_series(variants: Sequence[tuple[str, TrainResult]], column: str,
                 max_points: int | None = None) -> dict:
    """``{label: (epochs, values)}`` of one history column, evaluated epochs only; with
    ``max_points``, each curve thinned to at most that many points (first and last kept,
    ``nnlab.viz._common.thin_indices``)."""
    out = {}
    for label, r in variants:
        epoch, y = r.history["epoch"], r.history[column]
        keep = np.isfinite(y)
        epoch, y = epoch[keep], y[keep]
        if max_points is not None:
            idx = thin_indices(y.size, max_points)
            epoch, y = epoch[idx], y[idx]
        out[str(label)] = (epoch, y)
    return out


METRIC_COLUMNS = {
    "run": st.column_config.TextColumn("run"),
    "train_accuracy": st.column_config.NumberColumn("train acc.", format="%.3f"),
    "dev_accuracy": st.column_config.NumberColumn("dev acc.", format="%.3f"),
    "test_accuracy": st.column_config.NumberColumn("test acc.", format="%.3f"),
    "final_cost": st.column_config.NumberColumn(
        "final cost", format="%.4g",
        help="The training cost of the last epoch whose cost was finite: for a diverged run, "
             "the last value before it became NaN or infinite."),
    "epochs": st.column_config.NumberColumn("epochs"),
    "seconds": st.column_config.NumberColumn("seconds", format="%.2f"),
    "status": st.column_config.TextColumn("status"),
}


#: From this magnitude on, a number column of ``st.dataframe`` ignores its format: the grid
#: (Streamlit 1.67) takes every such float for an integer beyond JavaScript's safe range and
#: shows an error cell with all its digits ("2.759738602962583e+192" for a diverged cost).
MAX_GRID_NUMBER = 2.0**53


def _printf(fmt, value: float) -> str | None:
    """``value`` formatted as the grid would with the printf format ``fmt`` (``"%.4g"``)."""
    if not np.isfinite(value):
        return None if np.isnan(value) else f"{value:g}"
    if isinstance(fmt, str) and "%" in fmt:
        try:
            return fmt % value
        except (TypeError, ValueError):
            pass
    return f"{value:.4g}"


def grid_safe(frame, column_config: dict) -> dict:
    """The ``data`` and ``column_config`` arguments of ``st.dataframe`` (``st.dataframe(
    **grid_safe(frame, config), hide_index=True)``), with every float column that holds a
    value of magnitude ``MAX_GRID_NUMBER`` or more turned into right-aligned text, formatted
    here with the column's printf format (``2.76e+192`` instead of the grid's raw digits).
    Other columns, and every column of an ordinary table, are left as numbers."""
    import pandas as pd

    frame = pd.DataFrame(frame)
    config = dict(column_config)
    for name in frame.columns:
        if not pd.api.types.is_float_dtype(frame[name]):
            continue
        values = frame[name].to_numpy(dtype=float)
        if not np.any(np.isfinite(values) & (np.abs(values) >= MAX_GRID_NUMBER)):
            continue
        cfg = config.get(name)
        cfg = {"label": cfg} if isinstance(cfg, str) else dict(cfg or {})
        fmt = (cfg.get("type_config") or {}).get("format")
        frame[name] = [_printf(fmt, v) for v in values]
        config[name] = st.column_config.TextColumn(cfg.get("label") or str(name),
                                                   help=cfg.get("help"), alignment="right")
    return {"data": frame, "column_config": config}


def show_status(variants: Sequence[tuple[str, TrainResult]]) -> None:
    """``st.warning`` for every diverged run and ``st.info`` for every stopped one."""
    for label, r in variants:
        if r.status == "diverged":
            st.warning(f"**{label}**: {r.message} Its final cost in the table is the last "
                       "finite one.", icon=":material/warning:")
        elif r.status == "stopped":
            st.info(f"**{label}**: {r.message}", icon=":material/pause_circle:")


def comparison_view(variants: Sequence[tuple[str, TrainResult]], data, *,
                    boundaries: bool = True, points: str = "train", log_cost: bool = False,
                    columns: int | None = None) -> None:
    """Draw the comparison of 1 to 4 variants trained on the same ``data``.

    Parameters
    ----------
    variants : list of (label, TrainResult)
        Labels must be distinct; they title the panels, name the curves and the table rows.
    data : nnlab.data.datasets.Dataset
        The data the variants were trained on (``nnlab.core.train.make_dataset(config)``).
    boundaries : bool, default True
        Draw the decision boundaries (off for data that isn't 2-D).
    points : {"train", "dev", "test"}
        Which split is drawn over the boundaries.
    log_cost : bool, default False
        Logarithmic y axis for the cost curves.
    columns : int, optional
        Boundary panels per row (default: all in one row).

    Notes
    -----
    Diverged runs are reported with ``st.warning`` and drawn as far as they went (the curves
    drop non-finite values).
    """
    variants = list(variants)
    if not 1 <= len(variants) <= MAX_VARIANTS:
        raise ValueError(f"variants must hold 1 to {MAX_VARIANTS} (label, TrainResult) pairs, "
                         f"got {len(variants)}")
    labels = [str(label) for label, _ in variants]
    if len(set(labels)) != len(labels):
        raise ValueError(f"variant labels must be distinct, got {labels}")
    show_status(variants)
    if boundaries and data.n_x == 2:
        panels = boundary_panels(variants, data, points=points)
        n_cols = columns or len(panels)
        height = 300 if n_cols <= 2 else 240 if n_cols == 3 else 190
        st.vega_lite_chart(chart_spec(viz.decision_boundary_chart, panels, columns=n_cols,
                                      height=height))
        colours = ("P(class 1), vermillion for 0 to blue for 1" if "probs" in panels[0]
                   else "the predicted class, in its colour")
        st.caption(f"Background: the network's prediction, {colours}. Points: the {points} "
                   "set, coloured and shaped by their true class.")
    left, right = st.columns(2)
    with left:
        st.vega_lite_chart(chart_spec(viz.curves_chart, curve_series(variants, "cost"),
                                      y_title="cost", log_y=log_cost, title="Training cost"),
                           width="stretch")
    with right:
        dev = curve_series(variants, "dev_accuracy")
        if any(len(x) for x, _ in dev.values()):
            st.vega_lite_chart(chart_spec(viz.curves_chart, dev, y_title="dev accuracy",
                                          title="Dev accuracy"), width="stretch")
        else:
            st.info("No dev set: nothing to plot here.")
    st.dataframe(**grid_safe(metrics_frame(variants), METRIC_COLUMNS), hide_index=True)
