"""The live side-by-side view: a page's variants training before the learner's eyes.

:func:`live_comparison` is what a page calls instead of training its variants and drawing
``comparison_view``: the toolbar (Play / Pause / Step / Finish / Reset, the speed), the Epoch
metric, and, redrawn every frame while playing,

- each variant's decision boundary with the data points, as an image (a NumPy grid upscaled:
  a few kB a frame instead of thousands of Vega marks),
- the drawing of one variant's network: edges are the weights (or their gradients), each node
  the map of what its neuron computes over the input plane; a click on a node shows its map
  large in place of that variant's boundary,
- the training-cost curves (constant chart specs: Vega updates their data in place),
- the metrics table, in a folded expander.

When the page first opens, its variants show their finished runs (``train_many``: cached, and
in the run registry), so that the lesson is there at once. A knob change starts the variants it
changes at epoch 0 and plays them; **Finish** replaces every variant with its finished one-shot
run, which is the same run bit for bit (``tests/core/test_run.py``, ``tests/app/test_live.py``).
"""

from __future__ import annotations

import streamlit as st

from nnlab.app import bound, live_controls
from nnlab.app.charts import frame_spec
from nnlab.app.compare import (
    GRID_PAD,
    METRIC_COLUMNS,
    all_points,
    bounding_box,
    curve_series,
    grid_safe,
    metrics_frame,
    show_status,
)
from nnlab.app.live_pictures import PICTURE_SECONDS, network_images, pictures
from nnlab.app.runs import register_run, train_many
from nnlab.app.widgets import user_text
from nnlab.lessons.neuron_maps import weight_gradients
from nnlab.viz import curves_chart, network
from nnlab.viz._common import series_frame

#: Points per curve of the live cost chart (every 2**k-th epoch, the last kept): the browser
#: runs the chart's transforms on every point of every frame, and 1,500 epochs of four runs
#: took most of a frame's time in Chromium; the chart is 300-400 px wide.
LIVE_CURVE_POINTS = 200
#: What the network drawing's edges show.
EDGE_VIEWS = ("weights", "gradients")





def _alt_boundary(label, result, unit_name=None, *, epoch=None) -> str:
    """The picture's text alternative. ``epoch``: the epoch it was drawn at, when a playing
    frame kept an earlier picture (its accuracy is then the run's now, named as such)."""
    m = result.metrics
    what = f"the map of {unit_name}" if unit_name else "the decision boundary"
    acc = f"{m.get('train_accuracy', float('nan')):.3f}"
    if epoch is None or epoch == result.epochs_run:
        return (f"{label}: {what} after {result.epochs_run} epochs; train accuracy {acc}, "
                f"status {result.status}.")
    return (f"{label}: {what} after {epoch} epochs (the run is at epoch {result.epochs_run}: "
            f"train accuracy {acc}, status {result.status}).")


#: The cost chart's text alternative (its spec's ``description``). Constant: Streamlit 1.67 puts
#: ``alt`` in the chart's spec, and a spec that changes makes the browser rebuild the chart every
#: frame (measured: one new Vega view per frame); what the curves show now is in
#: :func:`live_text`, under the chart.
CURVES_ALT = ("Training cost per epoch of every run, one line each; the latest costs are "
              "written under the chart.")


def live_text(snapshots, series: dict) -> str:
    """The live picture in words, updated every frame (its text alternative, WCAG 1.1.1):
    ``"Epoch 120 of 300: Adam cost 0.08, gradient descent 0.61."`` ``series``: each run's
    finite costs, ``{label: (epochs, costs)}`` (``compare.curve_series``). The epoch is the
    one of the runs still training (the one furthest behind), as the Epoch metric counts."""
    running = [int(r.epochs_run) for _, r in snapshots if r.status == "running"]
    epoch = min(running) if running else max(int(r.epochs_run) for _, r in snapshots)
    total = max(int(r.config.num_epochs) for _, r in snapshots)
    parts = []
    for label, result in snapshots:
        _, y = series.get(str(label), ((), ()))
        cost = f"cost {float(y[-1]):.3g}" if len(y) else "no cost yet"
        if result.status in ("diverged", "stopped"):
            cost += f" ({result.status} at epoch {int(result.epochs_run)})"
        elif int(result.epochs_run) != epoch:  # a run a knob did not restart: its own epoch
            cost += f" (at epoch {int(result.epochs_run)})"
        parts.append(f"{user_text(label)} {cost}")
    return f"Epoch {epoch} of {total}: " + ", ".join(parts) + "."


def _selected_unit(key: str):
    state = st.session_state.get(f"{key}_net")
    try:
        picks = state["selection"][network.SELECTION]
    except (KeyError, TypeError):
        return None
    return network.parse_node(picks[0].get("node")) if picks else None


def draw_frame(snapshots, data, *, key: str, log_cost: bool = False,
               points: str = "train", budget: float | None = None) -> None:
    """One frame of the live view (see the module's docstring); ``budget``: the seconds a
    playing frame's pictures may take (``nnlab.app.live_pictures.pictures``), None to draw
    them all for the moment shown."""
    box = bounding_box(all_points(data), pad=GRID_PAD)
    labels = [label for label, _ in snapshots]
    drawn = st.session_state.get(f"{key}_net_variant")
    if drawn not in labels:
        drawn = labels[-1]
    unit = _selected_unit(key)
    # one slot, however many warnings: a warning that appears mid-play (a run diverged) must
    # not shift every element after it, which the browser redraws as new (charts rebuilt)
    with st.container():
        show_status(snapshots)
    if data.n_x == 2:
        units = {}
        for label, result in snapshots:
            dims = result.config.layer_dims(data.n_x)
            L = len(dims) - 1
            if label == drawn and unit is not None and unit[0] < L and unit[1] < dims[unit[0]]:
                units[label] = unit  # (the output's map is the decision boundary itself)
        drawn_pictures = pictures(snapshots, data, box, key=key, points=points,
                                  units=units, budget=budget)
        # one row: the variants side by side (a phone stacks them); one or two variants
        # take a third of the row each, not a whole screen
        n_cols = max(len(snapshots), 3)
        rows = [snapshots[i:i + n_cols] for i in range(0, len(snapshots), n_cols)]
        for row in rows:
            for col, (label, result) in zip(st.columns(n_cols), row, strict=False):
                L = len(result.config.layer_dims(data.n_x)) - 1
                name = None if label not in units else network.node_name(*units[label], L)
                with col:
                    ended = (f" · {result.status} after {result.epochs_run} epochs"
                             if result.status in ("diverged", "stopped") else "")
                    st.markdown(f"**{label}**" + (f" · {name}" if name else "") + ended)
                    # inline (a data URL), not a media file: a frame's file can be gone from
                    # the server before the browser fetches it while playing (HTTP 404)
                    url, epoch = drawn_pictures[label]
                    st.image(url, width="stretch",
                             alt=_alt_boundary(label, result, name, epoch=epoch))
    left, right = st.columns([3, 2])
    with right:
        series = curve_series(snapshots, "cost", max_points=LIVE_CURVE_POINTS)
        st.vega_lite_chart(
            frame_spec(("curves", tuple(series), log_cost),
                       lambda: curves_chart(series, y_title="cost", log_y=log_cost,
                                            title="Training cost"),
                       [series_frame(series, log_cost)], description=CURVES_ALT),
            width="stretch")
        st.markdown(live_text(snapshots, series))
    with left:
        _network_drawing(dict(snapshots), labels, drawn, unit, data, box, key=key,
                         playing=budget is not None)
    # the numbers of every run, folded: the line beside the curves and the verdict under the
    # picture say what they show (unfolded, the table pushed a page's sections a screen down)
    with st.expander("Every run's numbers (table)", icon=":material/table:"):
        st.dataframe(**grid_safe(metrics_frame(snapshots), METRIC_COLUMNS), hide_index=True)


#: Edges of the network drawing a playing frame may redraw: a drawing with more is redrawn
#: every ``edges / NETWORK_EDGES_PER_FRAME`` frames (Vanishing gradients' 20-layer networks:
#: every 4th), the frames between show it as it was.
NETWORK_EDGES_PER_FRAME = 150


def network_edges(dims) -> int:
    """Edges the network drawing of a network of layer sizes ``dims`` draws."""
    layers = network.drawn_layers(dims)
    return sum(min(dims[a], network.MAX_UNITS) * min(dims[b], network.MAX_UNITS)
               for a, b in zip(layers, layers[1:], strict=False))


def _network_drawing(results: dict, labels, drawn, unit, data, box, *, key: str,
                     playing: bool = False) -> None:
    pick, view = st.columns(2)
    with pick:
        drawn = bound.selectbox("Network drawn", labels, index=labels.index(drawn),
                                key=f"{key}_net_variant",
                                help="Whose network the drawing shows. Click a neuron to see "
                                     "its map large in place of this run's boundary; click "
                                     "the output to go back.")
    with view:
        edges = bound.segmented_control(
            "Edges show", EDGE_VIEWS, default="weights", key=f"{key}_net_edges",
            help="The weights W, or their gradients dW on the whole training set now "
                 "(where the next steps push them).") or "weights"
    result = results[drawn]
    dims = list(result.config.layer_dims(data.n_x))
    L = len(dims) - 1
    what = "gradient" if edges == "gradients" else "weight"
    selected = None if unit is None else network.node_id(*unit)
    # while playing, a big drawing is redrawn every few frames (the browser redraws every
    # edge of a new one: 600 edges and 63 maps of a 20-layer network took 40 ms a frame);
    # in between, the same data again, which the browser leaves as it is
    kept = st.session_state.get(f"{key}_net_kept")
    signature = (drawn, result.config, what, selected)
    every = max(1, round(network_edges(dims) / NETWORK_EDGES_PER_FRAME)) if playing else 1
    if kept is not None and kept[0] == signature and kept[1] < every - 1:
        frames, matrices, images = kept[2]
        st.session_state[f"{key}_net_kept"] = (signature, kept[1] + 1, kept[2])
    else:
        if edges == "gradients":
            matrices = weight_gradients(result.config, result.parameters, result.bn_state,
                                        data.X_train, data.Y_train)
        else:
            matrices = [result.parameters[f"W{l}"] for l in range(1, L + 1)]
        images = network_images(result, box, network.drawn_layers(dims))
        frames = network.network_frames(dims, matrices, images=images, selected=selected,
                                        what=what)
        st.session_state[f"{key}_net_kept"] = (signature, 0, (frames, matrices, images))
    spec = frame_spec(("network", tuple(dims), what),
                      lambda: network.network_chart(dims, matrices, images=images,
                                                    selected=selected, what=what),
                      [f for f in frames if f is not None],
                      description=f"Network of {drawn}: layer sizes {dims}; edge width is the "
                                  f"size of each {what}, blue positive, orange dashed "
                                  "negative; each node shows its neuron's output over the "
                                  "input plane.")
    st.vega_lite_chart(spec, on_select="rerun", key=f"{key}_net",
                       height=network.layout(dims)["height"] + network.MARGIN,
                       selection_mode=[network.SELECTION])


def show_verdict(text: str, snapshots, unit: str = "epoch") -> None:
    """``text`` (what the runs drawn show) as Markdown under the picture; "So far (epoch e of
    n):" before it while a run is still going (``unit`` names what the runs count)."""
    if not text:
        return
    going = [r for _, r in snapshots if r.status == "running"]
    if going:
        done = max(int(r.epochs_run) for r in going)
        total = max(int(r.config.num_epochs) for r in going)
        # runs a knob did not restart are further on: the sentence compares them as they are
        ahead = [f"{user_text(label)} at {unit} {int(r.epochs_run)}" for label, r in snapshots
                 if r.status != "running" and int(r.epochs_run) > done]
        also = "; " + ", ".join(ahead) if ahead else ""
        text = f"**So far ({unit} {done} of {total}{also}):** {text}"
    st.markdown(text)


def live_comparison(variants, data, *, key: str, page: str | None = None,
                    log_cost: bool = False, points: str = "train",
                    finished=None, unit: str = "epoch", verdict=None, starter=None) -> list:
    """The live view of ``variants`` (``[(label, TrainConfig), ...]``, 1 to 4, on ``data``).

    ``finished``: a function returning the variants' finished one-shot runs ``[(label,
    TrainResult), ...]`` when the page already trains them its own way (cached); default
    ``train_many(variants)``. ``unit``: ``"batch"`` makes Step and the speed count
    mini-batch updates instead of epochs (the mini-batch page). The variants stand in one row
    (a phone stacks them).

    ``starter``: config -> a run at epoch 0, for runs that start their own way (the course's
    reproductions: its weights and shuffles, ``nnlab.course.start_optimization``); default
    ``nnlab.start``.

    ``verdict``: a function of the runs as drawn, ``[(label, TrainResult), ...]``, returning
    Markdown that says what they show (``nnlab.lessons.claims``); drawn under the picture in
    every frame, prefixed "So far" while a run is still going, so that it never describes
    another moment than the picture's.

    Returns ``[(label, TrainResult), ...]`` as shown now (finished, or the live runs so far),
    for the text and tables the page computes below the picture.
    """
    variants = [(str(label), config) for label, config in variants]

    def draw(session, snapshots):
        for (label, result), v in zip(snapshots, session.variants, strict=True):
            if v.run is not None and v.run.done and not v.registered:
                register_run(result, label, page)
                v.registered = True
        draw_frame(snapshots, data, key=key, log_cost=log_cost, points=points,
                   budget=(PICTURE_SECONDS / session.sharing
                           if session.playing and session.scrub is None else None))
        if verdict is not None:
            show_verdict(verdict(snapshots), snapshots)

    return live_controls.live_view(
        variants, key=key, draw=draw, unit=unit, starter=starter,
        finished=finished or (lambda: train_many(variants, page=page)))
