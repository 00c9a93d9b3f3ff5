"""Live training (nnlab.app.live): Play/Pause/Step/Reset, the Epoch metric, the timeline."""

import json

import numpy as np
from streamlit.testing.v1 import AppTest

from nnlab.config import TrainConfig
from nnlab.core.train import train

SCRIPT = """
import streamlit as st
from nnlab.app import live, live_controls
from nnlab.config import TrainConfig

base = TrainConfig(n_samples=120, hidden_units=(5,), num_epochs=40, learning_rate=0.1)
rate = st.number_input("rate", value=0.1, key="rate")
variants = [("gd", base), ("fast", base.replace(learning_rate=rate, optimizer="adam"))]
session = live.live_session(variants, key="t")
live_controls.toolbar(session)


def draw(snapshots):
    for label, result in snapshots:
        st.write(f"{label}: {result.status} {result.epochs_run} {result.final_cost!r}")

live_controls.live_fragment(session, draw)
"""


def _lines(at):
    return [m.value for m in at.markdown if ":" in m.value and m.value.split(":")[0] in
            ("gd", "fast")]


def _epoch(at):
    return next(m.value for m in at.metric if m.label == "Epoch")


def test_a_live_page_starts_at_epoch_zero_and_steps_one_epoch_at_a_time():
    at = AppTest.from_string(SCRIPT, default_timeout=60).run()
    assert not at.exception
    assert _epoch(at) == "0 / 40"
    assert [b.label for b in at.button] == ["Step", "Reset"]
    at.button(key="t_step").click().run()
    assert _epoch(at) == "1 / 40"
    at.button(key="t_step").click().run()
    assert _epoch(at) == "2 / 40"
    assert all(" running 2 " in line for line in _lines(at))
    at.button(key="t_reset").click().run()
    assert _epoch(at) == "0 / 40"


def test_play_trains_a_chunk_per_frame_and_pause_stops_all_computing():
    at = AppTest.from_string(SCRIPT, default_timeout=60).run()
    mode = at.button_group(key="t_mode")
    assert mode.value == "Pause"
    mode.set_value("Play").run()  # AppTest draws one frame per run
    playing = int(_epoch(at).split(" /")[0])
    assert playing >= 1
    at.button_group(key="t_mode").set_value("Pause").run()
    paused = _epoch(at)
    at.run()
    at.run()
    assert _epoch(at) == paused  # no frame advances a paused page


def test_a_knob_resets_only_the_variant_it_changes():
    at = AppTest.from_string(SCRIPT, default_timeout=60).run()
    at.button(key="t_step").click().run()
    at.button(key="t_step").click().run()
    at.number_input(key="rate").set_value(0.05).run()
    lines = _lines(at)
    assert " running 2 " in lines[0] and " running 0 " in lines[1]


def test_a_run_finished_live_is_the_one_shot_run_bit_for_bit():
    from nnlab.app import live

    base = TrainConfig(n_samples=120, hidden_units=(5,), num_epochs=40, learning_rate=0.1)
    session = live.LiveSession("k", [live.Variant("gd", base, live.start(base))])
    session.speed = 7
    while not session.done:
        session.tick()
    (_, result), = session.snapshots()
    alone = train(base)
    assert result.status == alone.status == "ok" and not session.playing
    for key in alone.history:
        np.testing.assert_array_equal(result.history[key], alone.history[key])
    for key in alone.parameters:
        np.testing.assert_array_equal(result.parameters[key], alone.parameters[key])
    assert len(session.frames) == int(np.ceil(40 / 7))  # one frame per tick


def test_finished_one_shot_results_show_until_reset_then_play_from_zero():
    script = SCRIPT.replace("session = live.live_session(variants, key=\"t\")",
                            "from nnlab.core.train import train\n"
                            "session = live.live_session(variants, key=\"t\", results=[(l, "
                            "train(c)) for l, c in variants])")
    at = AppTest.from_string(script, default_timeout=60).run()
    assert not at.exception
    assert _epoch(at) == "40 / 40" and all(" ok 40 " in line for line in _lines(at))
    assert at.button(key="t_step").disabled
    at.button(key="t_reset").click().run()
    assert _epoch(at) == "0 / 40" and not at.button(key="t_step").disabled


def test_the_timeline_goes_back_to_an_earlier_frame_once_paused():
    at = AppTest.from_string(SCRIPT, default_timeout=60).run()
    for _ in range(3):
        at.button(key="t_step").click().run()
    # the timeline's key counts the frames (4: epochs 0 to 3), so new frames show the latest
    at.select_slider(key="t_timeline_4").set_value(1).run()
    assert _epoch(at) == "1 / 40"
    assert all(" running 1 " in line for line in _lines(at))
    at.button_group(key="t_mode").set_value("Play").run()  # a new frame: the latest again
    at.button_group(key="t_mode").set_value("Pause").run()
    assert int(_epoch(at).split(" /")[0]) > 3


def test_a_play_pauses_itself_once_it_has_spent_its_budget_and_says_so(monkeypatch):
    from nnlab.app import live

    monkeypatch.setenv("NNLAB_MAX_SECONDS", "1e-6")  # a play may spend 4e-6 s: one frame
    at = AppTest.from_string(SCRIPT, default_timeout=60).run()
    at.button_group(key="t_mode").set_value("Play").run()
    played = _epoch(at)
    at.run()  # this frame finds the play's budget spent
    at.run()
    assert at.button_group(key="t_mode").value == "Pause"
    assert any("Paused after" in i.value and "press Play" in i.value for i in at.info)
    assert _epoch(at) == played  # nothing more was trained
    assert live.play_budget_seconds() == live.PLAY_BUDGET_CLICKS * 1e-6


def test_a_network_whose_epoch_overruns_a_frame_does_not_play_and_says_why(monkeypatch):
    """A frame's compute is capped (50 layers of 512 units took 3.5 s an epoch, 35-58 s of
    CPU for the first frame of four): a chunk estimated over the frame's cap is not played, a
    Step over one click's budget is not taken, and the notice names the estimate."""
    from nnlab.app import live

    monkeypatch.setattr(live, "FRAME_BUDGET_SECONDS", 1e-12)  # every epoch overruns a frame
    at = AppTest.from_string(SCRIPT, default_timeout=60).run()
    at.button_group(key="t_mode").set_value("Play").run()
    at.run()
    assert at.button_group(key="t_mode").value == "Pause"
    assert _epoch(at) == "0 / 40"  # nothing trained
    assert any("live play is for networks" in i.value for i in at.info)
    monkeypatch.setenv("NNLAB_MAX_SECONDS", "1e-12")
    at.button(key="t_step").click().run()
    assert _epoch(at) == "0 / 40"
    monkeypatch.setenv("NNLAB_MAX_SECONDS", "30")
    at.button(key="t_step").click().run()  # within one click's budget: a Step is taken
    assert _epoch(at) == "1 / 40"


def test_a_huge_network_gets_a_coarser_grid_picture():
    from nnlab.app.live_pictures import LIVE_GRID, MIN_GRID, grid_size

    small = TrainConfig(hidden_units=(50, 50))
    huge = TrainConfig(hidden_units=(512,) * 50)
    assert grid_size(small, 2, LIVE_GRID) == LIVE_GRID
    assert MIN_GRID <= grid_size(huge, 2, LIVE_GRID) < LIVE_GRID


BASE = TrainConfig(n_samples=120, hidden_units=(5,), num_epochs=40, learning_rate=0.1)
PANEL = """
import streamlit as st
from nnlab.app.live_panel import live_comparison
from nnlab.config import TrainConfig
from nnlab.core.train import make_dataset

base = TrainConfig(n_samples=120, hidden_units=(5,), num_epochs=40, learning_rate=0.1)
variants = [("gd", base), ("Adam *fast*", base.replace(optimizer="adam", learning_rate=0.01))]
live_comparison(variants, make_dataset(base), key="p")
"""


def _live_text(at):
    return next(m.value for m in at.markdown if m.value.startswith("Epoch "))


def test_the_live_picture_has_a_text_alternative_that_follows_the_run():
    """WCAG 1.1.1: what the cost curves show is written under them, every frame; the charts'
    specs, their ``description`` (the text alternative) included, stay the same from frame to
    frame (a changing one makes the browser rebuild the chart: Streamlit puts ``alt`` and the
    description in the spec it compares)."""
    at = AppTest.from_string(PANEL, default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    at.button(key="p_reset").click().run()
    assert _live_text(at) == r"Epoch 0 of 40: gd no cost yet, Adam \*fast\* no cost yet."
    charts = []
    for step in (1, 2):
        at.button(key="p_step").click().run()
        assert not at.exception, [e.value for e in at.exception]
        gd = train(BASE.replace(num_epochs=step)).history["cost"][-1]  # chunks change nothing
        text = _live_text(at)
        assert text.startswith(f"Epoch {step} of 40: gd cost {gd:.3g}, Adam \\*fast\\* cost "), text
        charts.append([c.proto.spec for c in at.get("vega_lite_chart")])
        assert not any(c.proto.alt for c in at.get("vega_lite_chart"))  # no alt to override
    assert len(charts[0]) == 2 and charts[0] == charts[1]
    assert all(json.loads(spec)["description"] for spec in charts[0])


def test_runs_a_knob_did_not_restart_are_named_with_their_own_epoch(monkeypatch):
    """A knob restarts only the variants it changes: the others stay finished. The line beside
    the curves and the verdict's "So far" then say at which epoch each of those is, instead of
    one epoch for all (a finished run's cost read as the cost at epoch 3)."""
    from nnlab.app import live, live_panel
    from nnlab.app.compare import curve_series
    from nnlab.app.live_panel import live_text, show_verdict

    base = TrainConfig(n_samples=120, hidden_units=(5,), num_epochs=40, learning_rate=0.1)
    restarted = live.start(base.replace(learning_rate=0.05))
    for _ in range(3):
        restarted.advance(1)
    snapshots = [("slow", restarted.snapshot()), ("kept", train(base))]
    text = live_text(snapshots, curve_series(snapshots, "cost"))
    assert text.startswith("Epoch 3 of 40: slow cost ") and "kept cost" in text
    assert text.endswith("(at epoch 40).") and text.count("(at epoch") == 1

    shown = []
    monkeypatch.setattr(live_panel.st, "markdown", shown.append)
    show_verdict("kept ends lower.", snapshots)
    assert shown == ["**So far (epoch 3 of 40; kept at epoch 40):** kept ends lower."]


def test_the_live_cost_chart_thins_long_runs_and_keeps_the_last_cost():
    """The browser runs the cost chart's transforms on every point of every frame: a frame
    sends at most LIVE_CURVE_POINTS points a run (the last one, the cost written under the
    chart, always among them)."""
    from nnlab.app.compare import curve_series
    from nnlab.app.live_panel import LIVE_CURVE_POINTS

    result = train(BASE.replace(num_epochs=1500))
    (x, y), = curve_series([("gd", result)], "cost", max_points=LIVE_CURVE_POINTS).values()
    assert len(x) <= LIVE_CURVE_POINTS and x[-1] == result.history["epoch"][-1]
    assert y[-1] == result.history["cost"][-1]
    full, = curve_series([("gd", result)], "cost").values()
    assert len(full[0]) == 1500


def _picture_alts(at):
    return [img.alt for el in at.get("image") for img in el.proto.imgs]


def test_a_playing_frame_redraws_the_pictures_that_waited_longest_within_its_budget(monkeypatch):
    """A frame spends at most PICTURE_SECONDS on its pictures (at least one is drawn): with a
    zero budget each frame redraws one picture, the one that waited longest, and the other
    keeps its last one, whose text alternative names the epoch it shows. Paused, every
    picture is drawn for the epoch shown."""
    from nnlab.app import live_panel

    monkeypatch.setattr(live_panel, "PICTURE_SECONDS", 0.0)
    at = AppTest.from_string(PANEL, default_timeout=60).run()
    at.button(key="p_reset").click().run()
    at.session_state["p_speed"] = 1
    at.session_state["p_mode"] = "Play"
    at.run()  # the Play press itself draws the runs as they are
    alts = []
    for _ in range(3):
        at.session_state["p_mode"] = "Play"
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        alts.append(_picture_alts(at))
    epoch = int(_epoch(at).split(" / ")[0])
    last = alts[-1]
    assert sum(f"after {epoch} epochs;" in a for a in last) == 1, last
    assert sum(f"after {epoch - 1} epochs (the run is at epoch {epoch}" in a for a in last) == 1
    assert alts[-2] != last  # the pictures take turns
    at.session_state["p_mode"] = "Pause"
    at.run()
    assert all(f"after {epoch} epochs;" in a for a in _picture_alts(at)), _picture_alts(at)


def test_a_picture_follows_a_mini_batch_step_within_an_epoch():
    """On the mini-batch page a frame moves a run by updates, within one epoch: the picture
    is drawn again for new parameters, not kept because the epoch is the same."""
    from nnlab.app.compare import GRID_PAD, all_points, bounding_box
    from nnlab.app.live_pictures import pictures
    from nnlab.core.train import make_dataset, start

    config = BASE.replace(mini_batch_size=16)
    data = make_dataset(config)
    box = bounding_box(all_points(data), pad=GRID_PAD)
    run = start(config)
    run.advance_batches(1)
    first = pictures([("mb", run.snapshot())], data, box, key="fp", points="train", units={},
                     budget=0.03)["mb"]
    run.advance_batches(1)
    second = pictures([("mb", run.snapshot())], data, box, key="fp", points="train", units={},
                      budget=0.03)["mb"]
    assert first[1] == second[1] == 0  # the same epoch
    assert first[0] != second[0]  # a new picture


def test_sessions_playing_at_once_are_counted_and_forgotten_when_they_stop(monkeypatch):
    """A frame's picture budget is shared by the sessions of the server playing at once; a
    session that stopped ticking stops counting after PLAYING_SECONDS."""
    from nnlab.app import live

    now = [1000.0]
    monkeypatch.setattr(live.time, "monotonic", lambda: now[0])
    monkeypatch.setattr(live, "_PLAYING", {})
    a, b = object(), object()
    assert live.playing_sessions(a) == 1
    assert live.playing_sessions(b) == 2
    assert live.playing_sessions(a) == 2
    now[0] += live.PLAYING_SECONDS + 0.5
    assert live.playing_sessions(a) == 1  # b paused (or its tab closed)


DEEP = """
import streamlit as st
from nnlab.app.live_panel import live_comparison
from nnlab.config import TrainConfig
from nnlab.core.train import make_dataset

base = TrainConfig(n_samples=120, hidden_units=(16,) * 8, num_epochs=40, learning_rate=0.1)
live_comparison([("deep", base)], make_dataset(base), key="d")
"""


def test_a_big_network_drawing_is_redrawn_every_few_playing_frames():
    """The browser redraws every edge of a new network drawing: while playing, a drawing of more
    than NETWORK_EDGES_PER_FRAME edges is redrawn every few frames and sent unchanged in
    between; paused, it is drawn for the moment shown."""
    from nnlab.app.live_panel import NETWORK_EDGES_PER_FRAME, network_edges

    every = round(network_edges([2] + [16] * 8 + [1]) / NETWORK_EDGES_PER_FRAME)
    assert every >= 2
    at = AppTest.from_string(DEEP, default_timeout=60).run()
    at.button(key="d_reset").click().run()
    at.session_state["d_speed"] = 1
    data = []
    for _ in range(2 * every + 1):
        at.session_state["d_mode"] = "Play"
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        data.append(_network_data(at))
    changes = sum(a != b for a, b in zip(data, data[1:], strict=False))
    assert 1 <= changes <= len(data) // every + 1, changes  # not every frame, but it moves
    at.session_state["d_mode"] = "Pause"
    at.run()
    for _ in range(2):  # paused, each Step draws the network as it is now
        before = _network_data(at)
        at.button(key="d_step").click().run()
        assert _network_data(at) != before


def _network_data(at):
    chart = next(c for c in at.get("vega_lite_chart") if "neuron" in c.proto.spec)
    return tuple(d.data.data for d in chart.proto.datasets)
