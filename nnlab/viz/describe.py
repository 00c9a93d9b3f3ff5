"""Text alternatives of charts, computed from what they show (WCAG 1.1.1).

:func:`describe_spec` reads a Vega-Lite spec (a chart builder's output, converted) and its data
sets and says in one paragraph what a sighted learner reads off the chart: its title, and for
each layer the numbers: where each curve ends and its lowest value, the height of each bar,
how many points of each class, the range of a heatmap, the share of each category of cells.
The app passes it as the chart's ``alt`` text (``st.vega_lite_chart``'s ``description``:
Vega puts it in the chart's ``aria-label``).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

#: Groups (series, classes, bars) named per layer; more are summed up as "and N more".
MAX_GROUPS = 8
#: Longest text returned (a screen reader reads it in one go).
MAX_CHARS = 900


def number(v) -> str:
    """A value as the chart's tooltips show it: 4 significant digits."""
    v = float(v)
    if not np.isfinite(v):
        return str(v)
    return f"{v:.4g}"


def _title(spec: Mapping) -> str:
    t = spec.get("title")
    if isinstance(t, Mapping):
        t = t.get("text")
    if isinstance(t, list | tuple):
        t = " ".join(str(x) for x in t)
    return str(t) if t else ""


def _field(enc: Mapping, channel: str) -> tuple[str | None, str, str]:
    """``(field, type, title)`` of an encoding channel (``None`` when not a field)."""
    e = enc.get(channel)
    if not isinstance(e, Mapping) or "field" not in e:
        return None, "", ""
    field = e["field"]
    field = field.get("repeat") if isinstance(field, Mapping) else field
    title = e.get("title")
    if not title and isinstance(e.get("axis"), Mapping):
        title = e["axis"].get("title")
    return str(field), str(e.get("type", "")), str(title or field)


def _column(field: str | None, title: str, enc: Mapping, frame: pd.DataFrame) -> str | None:
    """The column of ``frame`` that a channel shows: its field, else the tooltip field of the
    same title, else the field's stem (``y_shown`` computed by a transform from ``y``); ``""``
    when none is there (a field computed by a transform: the layer is not described)."""
    if field is None or field in frame.columns:
        return field
    tips = enc.get("tooltip")
    for tip in tips if isinstance(tips, list) else []:
        if isinstance(tip, Mapping) and tip.get("title") == title and \
                tip.get("field") in frame.columns:
            return str(tip["field"])
    stem = field.split("_")[0]
    return stem if stem in frame.columns else ""


def _groups(names: list[str]) -> str:
    more = len(names) - MAX_GROUPS
    return "; ".join(names[:MAX_GROUPS]) + (f"; and {more} more" if more > 0 else "")


def _unit(mark: str, enc: Mapping, frame: pd.DataFrame) -> str:
    """One sentence about one layer."""
    x, xt, x_title = _field(enc, "x")
    y, yt, y_title = _field(enc, "y")
    colour = next((f for f in (_field(enc, c) for c in ("color", "fill", "stroke"))
                   if f[0]), (None, "", ""))
    c, ct, c_title = colour
    x, y, c = (_column(f, t, enc, frame) for f, t in ((x, x_title), (y, y_title), (c, c_title)))
    if "" in (x, y, c):
        return ""
    quant = {"quantitative", "temporal"}
    nominal = c is not None and ct in ("nominal", "ordinal")
    if mark in ("line", "area", "trail") and x and y and xt in quant and yt in quant:
        parts = []
        groups = frame.groupby(c, sort=False) if nominal else [(None, frame)]
        for name, g in groups:
            g = g[np.isfinite(g[y].astype(float))].sort_values(x)
            if not len(g):
                continue
            last, low = g.iloc[-1], g.loc[g[y].astype(float).idxmin()]
            head = f"{name}: " if name is not None else ""
            parts.append(f"{head}{y_title} ends at {number(last[y])} at {x_title} "
                         f"{number(last[x])}, lowest {number(low[y])} at {number(low[x])}")
        return f"{len(parts)} curve(s): " + _groups(parts) if parts else ""
    if mark in ("bar",) and x and y:
        cat, val, val_title = (x, y, y_title) if yt in quant else (y, x, x_title)
        if (yt in quant) == (xt in quant):
            return ""
        g = frame.groupby(cat, sort=False)[val].sum() if frame[cat].duplicated().any() else \
            frame.set_index(cat)[val]
        return f"bars of {val_title}: " + _groups([f"{k} {number(v)}" for k, v in g.items()])
    if mark in ("rect", "bar") and c and ct in quant:
        z = frame[c].astype(float)
        z = z[np.isfinite(z)]
        if not len(z):
            return ""
        return (f"{len(z)} cells of {c_title} from {number(z.min())} to {number(z.max())}, "
                f"mean {number(z.mean())}")
    if mark == "rect" and nominal:
        counts = frame[c].value_counts(sort=False)
        return f"{len(frame)} cells by {c_title}: " + _groups(
            [f"{k} {n}" for k, n in counts.items()])
    if mark in ("point", "circle", "square") and x and y:
        head = f"{len(frame)} points, {x_title} from {number(frame[x].min())} to " \
               f"{number(frame[x].max())}, {y_title} from {number(frame[y].min())} to " \
               f"{number(frame[y].max())}" if xt in quant and yt in quant else \
               f"{len(frame)} points"
        if nominal:
            counts = frame[c].value_counts(sort=False)
            head += f"; by {c_title}: " + _groups([f"{k} {n}" for k, n in counts.items()])
        elif c and ct in quant:
            head += f"; colour {c_title} from {number(frame[c].min())} to " \
                    f"{number(frame[c].max())}"
        return head
    if mark == "rule":
        for f, t, title in ((y, yt, y_title), (x, xt, x_title)):
            if f and t in quant:
                vals = sorted({number(v) for v in frame[f] if np.isfinite(float(v))})
                if vals:
                    return f"reference line(s) at {title} = " + ", ".join(vals[:MAX_GROUPS])
    return ""


def _walk(spec: Mapping, data: str | None, frames: Mapping, out: list, titles: list) -> None:
    """Collect the sentences of every layer of ``spec`` (data inherited down the tree)."""
    d = spec.get("data")
    if isinstance(d, Mapping) and d.get("name"):
        data = d["name"]
    own = _title(spec)
    if own and own not in titles:
        titles.append(own)
    for key in ("layer", "hconcat", "vconcat", "concat"):
        for sub in spec.get(key) or ():
            _walk(sub, data, frames, out, titles)
    if isinstance(spec.get("spec"), Mapping):
        _walk(spec["spec"], data, frames, out, titles)
    mark = spec.get("mark")
    mark = mark.get("type") if isinstance(mark, Mapping) else mark
    if mark and data in frames and isinstance(spec.get("encoding"), Mapping):
        if mark in ("point", "circle") and ("line", data) in out:
            return  # the points of a curve already told
        text = _unit(str(mark), spec["encoding"], frames[data])
        if text and text not in out:
            out.append(text)
            if mark in ("line", "area"):
                out.append(("line", data))


def describe_spec(spec: Mapping, frames: Mapping[str, pd.DataFrame]) -> str:
    """The text alternative of a Vega-Lite chart: its title(s) and its numbers.

    Parameters
    ----------
    spec : dict
        A Vega-Lite spec whose data sets are referenced by name (``{"data": {"name": ...}}``).
    frames : dict
        Data set name -> ``pandas.DataFrame`` (the decoded ``datasets`` of ``spec``).

    Returns
    -------
    str
        E.g. ``"Chart: Training cost. 2 curve(s): He: cost ends at 0.08 at epoch 300, ..."``;
        at most :data:`MAX_CHARS` characters.
    """
    out: list[str] = []
    titles: list[str] = []
    _walk(spec, None, frames, out, titles)
    out = [t for t in out if isinstance(t, str)]
    head = "Chart: " + (" / ".join(titles[:MAX_GROUPS]) if titles else "untitled") + "."
    text = head + (" " + ". ".join(out) + "." if out else " (no data drawn).")
    return text if len(text) <= MAX_CHARS else text[:MAX_CHARS - 1] + "…"
