"""Cached charts: build an Altair chart once per distinct input, draw it on every rerun.

A warm page (every training run a cache hit) still spent most of its time on its charts:
building an Altair chart and converting it to Vega-Lite (``chart.to_dict()`` validates the
whole spec against the Vega-Lite JSON schema and serialises the data) costs 20 to 100 ms per
chart. :func:`chart_spec` caches the converted spec with ``st.cache_data``; pages draw it with
``st.vega_lite_chart``, which sends the browser the same element ``st.altair_chart`` would.

Usage::

    st.vega_lite_chart(chart_spec(viz.curves_chart, series, y_title="cost"), width="stretch")

The cache key is the builder's name, its arguments (hashed by ``st.cache_data``: arrays,
dicts, tuples, strings and numbers) and :data:`VIZ_VERSION`, a hash of the chart builders'
source files: ``st.cache_data`` hashes only the decorated function's own source, so without it
an edited builder would keep serving stale charts.
"""

from __future__ import annotations

import copy
import hashlib
import importlib
import json
import logging
from collections.abc import Callable
from pathlib import Path

import streamlit as st

_LOG = logging.getLogger(__name__)

#: Chart specs kept (least recently used evicted first). A spec holds its data as Arrow bytes:
#: a few kB to 100 kB for curves, about 160 kB for four decision-boundary panels, so the
#: cache stays below about 40 MB.
CHART_CACHE_MAX_ENTRIES = 256


def _viz_version() -> str:
    """A short hash of the chart builders' source files (``nnlab/viz/*.py``)."""
    digest = hashlib.sha1()
    for path in sorted((Path(__file__).resolve().parents[1] / "viz").glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return "nnlab-viz-" + digest.hexdigest()[:12]


#: Part of every chart's cache key: changes whenever a file of ``nnlab/viz`` changes.
VIZ_VERSION = _viz_version()


def _to_vega_lite(chart) -> dict:
    """The Vega-Lite spec ``st.altair_chart`` would send for ``chart``: its data sets as Arrow
    bytes, under content-hash names, and Streamlit's theme instead of Altair's default.

    Uses Streamlit's own converter (a private function of Streamlit 1.67, the pinned version);
    if a later Streamlit moves it, falls back to ``chart.to_dict()`` (inline JSON data and
    Altair's default 300 px view size: the same picture, a little slower).
    """
    try:
        from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec
    except ImportError:  # pragma: no cover - depends on the Streamlit version
        return accessible_spec(chart.to_dict())
    return accessible_spec(_convert_altair_to_vega_lite_spec(chart))


def _frames(spec: dict) -> dict:
    """The spec's data sets as DataFrames (Arrow IPC bytes as Streamlit sends them, or rows)."""
    import pandas as pd
    import pyarrow as pa

    out = {}
    for name, data in (spec.get("datasets") or {}).items():
        try:
            out[name] = (pa.ipc.open_stream(data).read_pandas()
                         if isinstance(data, bytes | bytearray) else pd.DataFrame(data))
        except (pa.ArrowInvalid, ValueError, TypeError):
            continue
    return out


def describe(spec: dict) -> str:
    """The text alternative of a converted spec, computed from its data
    (:func:`nnlab.viz.describe.describe_spec`): for ``st.vega_lite_chart(..., alt=...)``."""
    from nnlab.viz.describe import describe_spec

    return describe_spec(spec, _frames(spec))


def accessible_spec(spec: dict) -> dict:
    """``spec`` with the app's accessible chart text: one accessible name, text colours of
    :data:`nnlab.viz.palette.CHART_TEXT_CONFIG` (a spec's own config wins over Streamlit's
    3.7:1 chart theme; the spec's own settings win over these) and, unless it has one, a
    ``description`` computed from its data (Vega makes it the chart's ``aria-label``, as
    ``st.vega_lite_chart``'s ``alt=`` would)."""
    from nnlab.viz.palette import CHART_TEXT_CONFIG

    config = dict(spec.get("config") or {})
    for part, colours in CHART_TEXT_CONFIG.items():
        config[part] = {**colours, **(config.get(part) or {})}
    # One accessible name per chart, its description: the marks and axes are hidden from
    # assistive technology (hundreds of "x: 30; y: 171" points, and mark groups Vega names
    # with nothing, which axe reports as svg-img-alt), as Streamlit does above 5,000 points.
    config.setdefault("aria", False)
    config["mark"] = {"aria": False, **(config.get("mark") or {})}
    spec = {**spec, "config": config}
    if not spec.get("description"):
        try:
            spec["description"] = describe(spec)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:  # never break a chart
            _LOG.warning("nnlab: no text alternative computed for a chart: %r", exc)
            from nnlab.viz.describe import _title

            spec["description"] = f"Chart: {_title(spec) or 'untitled'}."
    return spec


def accessible(chart) -> dict:
    """An Altair chart drawn directly (not cached) as an accessible Vega-Lite spec: use
    ``st.vega_lite_chart(accessible(chart), ...)`` instead of ``st.altair_chart(chart, ...)``."""
    return _to_vega_lite(chart)


def builder_name(build: Callable) -> str:
    """``"module:qualname"`` of a chart builder (a module-level function)."""
    name = f"{build.__module__}:{build.__qualname__}"
    if "<" in build.__qualname__ or _resolve(name) is not build:
        raise ValueError(f"build must be a module-level function, got {build!r}")
    return name


def _resolve(name: str) -> Callable:
    module, _, qualname = name.partition(":")
    obj = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


@st.cache_data(max_entries=CHART_CACHE_MAX_ENTRIES, show_spinner=False)
def _cached_spec(name: str, args: tuple, kwargs: dict, viz_version: str) -> dict:
    """The Vega-Lite spec of ``name(*args, **kwargs)``. ``viz_version`` is only a key."""
    return _to_vega_lite(_resolve(name)(*args, **kwargs))


def chart_spec(build: Callable, /, *args, **kwargs) -> dict:
    """The Vega-Lite spec of ``build(*args, **kwargs)``, for ``st.vega_lite_chart``, cached.

    Parameters
    ----------
    build : callable
        A module-level chart builder of :mod:`nnlab.viz` returning an Altair chart.
    *args, **kwargs
        Its arguments. They must be hashable by ``st.cache_data`` (arrays, dicts, lists,
        tuples, strings, numbers, None) and are part of the cache key.

    Returns
    -------
    dict
        A fresh copy of the spec on every call (``st.vega_lite_chart`` may modify it).
    """
    return _cached_spec(builder_name(build), args, kwargs, VIZ_VERSION)


# ------------------------------------------------------------------ charts of live frames


def stable_names(spec: dict) -> dict:
    """``spec`` with its data sets renamed ``nnlab_frame_0``, ``nnlab_frame_1``, ... in order.

    Altair names a data set by a hash of its content, so every frame would be a new spec and
    the browser would rebuild the chart; with stable names only the data change and Vega
    updates them in place. (Not ``data_0``: Vega-Lite names its own data sources so, and the
    chart then draws nothing.)"""
    datasets = spec.get("datasets") or {}
    if not datasets:
        return spec
    names = {old: f"nnlab_frame_{i}" for i, old in enumerate(datasets)}
    text = json.dumps({k: v for k, v in spec.items() if k != "datasets"})
    for old, new in names.items():
        text = text.replace(f'"{old}"', f'"{new}"')
    out = json.loads(text)
    out["datasets"] = {names[k]: v for k, v in datasets.items()}
    return out


def frame_spec(key: tuple, build, frames, *, constant: bool = False,
               description: str | None = None) -> dict:
    """The Vega-Lite spec of ``build()``, a chart whose data sets are the DataFrames
    ``frames``, for a chart redrawn every frame of a live page.

    Building an Altair chart and converting it validates it against the Vega-Lite schema: about
    90 ms for the network drawing, most of a frame. The first call with ``key`` (everything
    but the data the spec depends on) builds it; later calls reuse that spec with the new
    frames' data only, under stable names, so the browser updates the data in place. With
    ``constant``, data sets of the chart that are not among ``frames`` (a surface's contour
    grid) are kept from the first call: ``key`` must then name everything they depend on.

    The spec's ``description`` (its text alternative) is ``description``, or "Chart: <its
    title>": constant, never computed from a frame's data (it would describe a moment long
    gone, and a description or an ``alt=`` that changes makes Streamlit 1.67 rebuild the chart
    every frame: both go into the spec the browser compares). Write what the chart shows now
    as text beside it, and pass no ``alt=`` (Streamlit warns, with a stack trace, on every
    frame where ``alt`` overrides a description).
    """
    from streamlit.dataframe_util import convert_anything_to_arrow_bytes

    arrows = [convert_anything_to_arrow_bytes(f) for f in frames]
    hit = _TEMPLATES.get(key)
    if hit is None:
        spec = stable_names(_to_vega_lite(build()))
        title = spec.get("title")
        title = title.get("text") if isinstance(title, dict) else title
        spec["description"] = description or f"Chart: {title or 'untitled'}."
        names = {}
        kept = {}
        for name, data in (spec.get("datasets") or {}).items():
            if data in arrows:
                names[name] = arrows.index(data)
            elif constant:
                kept[name] = data
            else:  # a data set that is not one of the frames: no template
                return spec
        if len(_TEMPLATES) >= MAX_TEMPLATES:
            _TEMPLATES.clear()
        _TEMPLATES[key] = ({k: v for k, v in spec.items() if k != "datasets"}, names, kept)
        return spec
    template, names, kept = hit
    spec = copy.deepcopy(template)  # st.vega_lite_chart may change the spec it is given
    spec["datasets"] = {**kept, **{name: arrows[i] for name, i in names.items()}}
    if description:
        spec["description"] = description
    return spec


#: Specs kept as templates, by key (cleared when full).
MAX_TEMPLATES = 64
_TEMPLATES: dict = {}
