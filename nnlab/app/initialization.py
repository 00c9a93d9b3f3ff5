"""Glue of the "Initialization" page: the four initializers side by side and the symmetry view
(weight heatmaps over training, cached). The reproduction of the course's assignment is
``nnlab.app.initialization_course``."""

from __future__ import annotations

import math

import numpy as np
import streamlit as st

from nnlab import viz
from nnlab.app import bound
from nnlab.app.charts import chart_spec
from nnlab.app.runs import Work, cached_work
from nnlab.config import TrainConfig
from nnlab.lessons import claims, symmetry

#: Snapshots of the weight matrix shown in the symmetry view (including the initial one).
N_SNAPSHOTS = 4
#: A matrix with more inputs than this gets wide heatmap panels: three snapshots fit, not four.
WIDE_INPUTS = 4
#: The symmetry view's three starts: label -> (kind, constant or None).
SYMMETRY_STARTS = ("zeros", "constant", "He")


def random_label(scale: float) -> str:
    return f"random × {scale:g}"


def variants(base: TrainConfig, scale: float) -> list[tuple[str, TrainConfig]]:
    """Zeros, large random (× ``scale``), Xavier and He on the same base config."""
    return [("zeros", base.replace(initializer="zeros", init_scale=None)),
            (random_label(scale), base.replace(initializer="random", init_scale=float(scale))),
            ("Xavier", base.replace(initializer="xavier", init_scale=None)),
            ("He", base.replace(initializer="he", init_scale=None))]


#: The initializations scaled to the layer's fan-in: the lecture's good starts.
SCALED = ("Xavier", "He")
#: A start this many times costlier than the scaled ones' is "much higher".
START_FACTOR = 2.0


def one_class(result, data) -> bool:
    """Whether ``result`` predicts the same class for every training example of ``data``."""
    if not np.all(np.isfinite(result.predict_proba(data.X_train))):
        return False
    return np.unique(result.predict(data.X_train)).size == 1


def first_cost(result) -> float:
    costs = result.history["cost"]
    return float(costs[0]) if len(costs) else math.nan


def _cost_words(x: float) -> str:
    return "an infinite cost" if math.isinf(x) else f"a cost of {claims.number(x)}"


def lessons(results, data) -> list[str]:
    """The page's lessons that these runs show, each computed from them: the scaled starts
    against the others, a run that predicts one class, a large random start's first cost, and
    where a lower final cost comes with a lower dev accuracy."""
    by_label = dict(results)
    scaled = [label for label in SCALED if label in by_label]
    others = [label for label in by_label if label not in scaled]
    out = []
    if scaled and others:
        if claims.beats(results, scaled, others):
            out.append(f"{claims.join(scaled)} end lower than {claims.join(others)}, as the "
                       "lecture predicts: weights scaled to each layer's number of inputs "
                       "keep the signal's size steady from layer to layer.")
        else:
            winners = claims.best(results)
            if winners and not set(winners) & set(scaled):
                out.append(f"Here {claims.join(winners)} ends lowest, not {claims.join(scaled)}: "
                           "not what the lecture's setting shows. More epochs, or a larger α: "
                           "do the scaled starts catch up?")
            elif winners:
                rivals = [label for label in winners if label not in scaled]
                if rivals:
                    out.append(f"Here {claims.join(rivals)} ends about as low as the best "
                               f"scaled start. Move the random scale: where does it stop "
                               "keeping up?")
    single = [label for label, r in results if r.epochs_run and one_class(r, data)]
    if single:
        text = (f"{claims.join(single)} predict{'s' if len(single) == 1 else ''} one class for "
                "every training example")
        near = [label for label in single
                if claims.about_equal(by_label[label].final_cost, math.log(2))]
        if near:
            who = "" if near == single else f"{claims.join(near)}: "
            text += (f" ({who}a final cost about ln 2 ≈ 0.693, what answering 0.5 everywhere "
                     "costs)")
        if "zeros" in single:
            text += (": zeros gives every unit of a layer the same update, so its symmetry is "
                     "never broken (the heatmaps below show it)")
        out.append(text + ".")
    starts = {label: first_cost(by_label[label]) for label in scaled}
    starts = {label: c for label, c in starts.items() if math.isfinite(c)}
    for label in others:
        first = first_cost(by_label[label])
        if (label.startswith("random") and starts
                and first > START_FACTOR * max(starts.values())):
            against = claims.join([f"{claims.number(c)} ({k})" for k, c in starts.items()])
            out.append(f"{label} starts at {_cost_words(first)} against {against}: weights "
                       "larger than the scaled starts' push the sigmoid's output towards 0 or 1, "
                       "so a wrong answer costs a lot.")
    for label in others:
        for good in scaled:
            if (claims.beats(results, [label], [good])
                    and claims.beats(results, [good], [label], "dev_accuracy",
                                     lower_is_better=False)):
                dev = {k: claims.percent(by_label[k].metrics["dev_accuracy"])
                       for k in (label, good)}
                out.append(f"{label} ends with a lower cost than {good} but a lower dev "
                           f"accuracy ({dev[label]} against {dev[good]}): a lower training "
                           "cost is not a better boundary. Compare their pictures.")
    return out


def live_verdict(data):
    """The ``verdict`` of the four starts' live view on ``data``: ``results -> Markdown``, the
    ranking by final cost and the :func:`lessons` these runs show."""
    def verdict(results) -> str:
        return " ".join([claims.comparison(results, what="final cost"),
                         *(capital(t) for t in lessons(results, data))])
    return verdict


def capital(text: str) -> str:
    """``text`` with a capital first letter (a sentence that starts with a run's name)."""
    return text[:1].upper() + text[1:]


# ------------------------------------------------------------------------------ symmetry


@cached_work
def snapshots_cached(work: Work, config: TrainConfig, start: str, constant: float,
                     key: str, _ahead: int = 1) -> dict:
    """Train ``config`` from ``start`` ("zeros", "constant" or "He") and keep ``key`` at
    :data:`N_SNAPSHOTS` moments. Returns ``snapshots`` {epoch: array}, ``distinct`` {epoch:
    number of different units}, ``train_accuracy`` and ``status``.

    ``_ahead`` (not part of the cache key): how many runs like this one the click still asks
    for, this one included; their estimate is required before this one trains, so that a view
    too large for the budget is refused before its first run, not stopped in its second."""
    from nnlab.core.budget import estimate_seconds
    from nnlab.core.train import make_dataset

    data = make_dataset(config)
    work.require(max(1, _ahead) * estimate_seconds(config, data.m_train, data.n_x),
                 f"The symmetry view ({max(1, _ahead)} runs)" if _ahead > 1
                 else "The symmetry view")
    dims = config.layer_dims(data.n_x)
    if start == "He":
        config, parameters = config.replace(initializer="he", init_scale=None), None
    else:
        parameters = symmetry.constant_parameters(dims, 0.0 if start == "zeros" else constant)
    work.part(0, 1, f"Symmetry view, {start}")
    result, snaps = symmetry.train_with_snapshots(
        config, symmetry.snapshot_epochs(config.num_epochs, N_SNAPSHOTS),
        parameters=parameters, data=data, key=key, on_epoch=work.on_epoch, budget=work.budget)
    return {"snapshots": snaps,
            "distinct": {e: symmetry.distinct_units(W) for e, W in snaps.items()},
            "train_accuracy": result.metrics["train_accuracy"], "status": result.status}


def symmetry_view(config: TrainConfig, *, key: str = "sym") -> dict:
    """W[l] as a heatmap at several epochs, for zeros, a constant and He side by side."""
    left, right = st.columns(2)
    with left:
        constant = bound.slider("Constant weight of the symmetric start", -1.0, 1.0, 0.5,
                             step=0.05, key=f"{key}_constant",
                             help="Every weight starts at this value (biases at 0).")
    n_layers = len(config.hidden_units) + 1
    with right:
        layer = bound.radio("Weight matrix", [f"W{l}" for l in range(1, n_layers + 1)],
                         horizontal=True, key=f"{key}_layer",
                         help="Rows are the layer's units, columns its inputs.")
    out = {}
    for i, start in enumerate(SYMMETRY_STARTS):
        res = snapshots_cached(config, start, float(constant), layer,
                               _ahead=len(SYMMETRY_STARTS) - i)
        out[start] = res
        name = f"constant {constant:g}" if start == "constant" else start
        last = max(res["distinct"])
        n_units = res["snapshots"][last].shape[0]
        distinct = res["distinct"][last]
        st.markdown(f"**{name}**: {distinct} distinct unit{'s' if distinct != 1 else ''} of "
                    f"{n_units} in {layer} after {last} epochs · train accuracy "
                    f"{res['train_accuracy']:.3f}")
        epochs = sorted(res["snapshots"])
        if res["snapshots"][epochs[0]].shape[1] > WIDE_INPUTS:  # wide panels: first, 2 last
            epochs = [epochs[0], *epochs[-2:]]
        snaps = {f"epoch {e}": res["snapshots"][e] for e in epochs}
        with st.container(horizontal=True, wrap=False):  # scrolls in its box on a phone
            st.vega_lite_chart(chart_spec(viz.weights_heatmap_chart, snaps))
    st.caption(f"Each heatmap is {layer}: one row per unit, one column per input.")
    st.markdown(symmetry_text(out, layer, constant))
    return out


def symmetry_text(out: dict, layer: str, constant: float) -> str:
    """What the heatmaps show, from their distinct-unit counts: which starts keep one
    distinct unit at every epoch drawn, and how many He starts and ends with."""
    names = {"zeros": "zeros", "constant": f"constant {constant:g}", "He": "He"}
    same, parts = [], []
    for start in ("zeros", "constant"):
        counts = out[start]["distinct"]
        if all(n == 1 for n in counts.values()):
            same.append(names[start])
        else:
            first, last = min(counts), max(counts)
            parts.append(f"{names[start]} has {counts[first]} distinct unit(s) at epoch "
                         f"{first} and {counts[last]} at epoch {last}.")
    if same:
        parts.insert(0, f"With {claims.join(same)}, {layer} has one distinct unit at every "
                        "epoch drawn: its rows start equal and get equal updates, so the "
                        "layer is as good as one unit.")
    he = out["He"]["distinct"]
    first, last = min(he), max(he)
    n_units = out["He"]["snapshots"][last].shape[0]
    parts.append(f"He starts with {he[first]} distinct units of {n_units} and ends with "
                 f"{he[last]}" + (": the symmetry is broken, and the units can learn "
                                  "different features." if he[last] > 1 else "."))
    return " ".join(parts)
