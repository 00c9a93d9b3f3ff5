"""The live session's controls: the toolbar (Play / Pause, Step, Finish, Reset, the speed)
and the fragment that draws a page's picture every frame while playing.

:mod:`nnlab.app.live` holds the session itself (the runs, the frames kept for the timeline);
this module is its widgets. A page uses both through :func:`nnlab.app.live_panel.live_comparison`.
"""

from __future__ import annotations

import time

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from nnlab.app.live import (
    FRAME_SECONDS,
    IDLE_FACTOR,
    PLAY_SECONDS,
    RETIME_FRAMES,
    SPEEDS,
    TICK_SECONDS,
    LiveSession,
    Variant,
    live_session,
    mode_key,
    state_key,
)
from nnlab.app.style import add as add_style


def _latest(session):
    """Show the latest frame: the timeline slider forgets where it was."""
    session.scrub = None
    for name in [k for k in st.session_state if str(k).startswith(f"{session.key}_timeline")]:
        st.session_state.pop(name, None)


def _step(session):
    _latest(session)
    session.step()


def _reset(session):
    _latest(session)
    st.session_state[mode_key(session)] = "Pause"
    session.playing, session.play_spent, session.notice = False, 0.0, ""
    _restart(session)


#: While playing, every frame reruns the picture's fragment: Streamlit would fade its
#: elements as stale between two frames, so the animation would flicker grey.
NO_STALE_FADE = ('<style>[data-testid="stElementContainer"][data-stale="true"]'
                 "{opacity: 1 !important; transition: none !important;}</style>")


def _restart(session):
    session.frames, session.scrub = [], None
    session.variants = [Variant(v.label, v.config, session.starter(v.config))
                        for v in session.variants]
    session.epochs_per_frame = 1
    session.keep_frame()


def _replay_if_done(session):
    """Play pressed: a new play (its own budget, its frames timed afresh); on finished runs,
    from epoch 0 again.

    Not a press: a frame's timer fired in the browser before the finished runs' switch to
    Pause reached it, and sent the switch's old "Play" (a frame rerun; a press of the switch,
    outside the frame fragment, reruns the whole page). Restarting then threw away runs that
    had just finished (seen at 100 epochs per frame: 300 / 300, then 0 / 300)."""
    ctx = get_script_run_ctx()
    if ctx is not None and ctx.fragment_ids_this_run:  # stale: the switch keeps its state
        stale = st.session_state.get(mode_key(session))
        st.session_state[mode_key(session)] = {"Play": "Pause", "Pause": "Play"}.get(stale,
                                                                                   "Pause")
        return
    session.play_spent, session.notice = 0.0, ""
    session.frame_seconds, session.frames_timed = 0.0, 0
    if st.session_state.get(mode_key(session)) == "Play" and session.done:
        _latest(session)
        _restart(session)


def _finish(flag_key: str):
    st.session_state[flag_key] = True


def toolbar(session: LiveSession, *, finish_key: str | None = None) -> None:
    """Play / Pause (a two-button switch: its value is the state, so a click delivered twice
    changes nothing), Step (one epoch, while paused), Finish (with ``finish_key``: the
    session-state flag the page reads to show the finished runs), Reset, the speed (epochs
    per frame)."""
    # One row that wraps (a phone gets two short rows, not one full-width row per control,
    # which pushed the picture a screen down).
    bar = st.container(horizontal=True, vertical_alignment="bottom", gap="small",
                       key=f"{session.key}_toolbar")
    if session.finished_playing:  # before the switch is drawn: it may not change after
        st.session_state[mode_key(session)] = "Pause"
        session.finished_playing = False
    with bar:
        mode = st.segmented_control(
            "Training", ("Play", "Pause"), default="Pause", key=mode_key(session),
            on_change=_replay_if_done, args=(session,), label_visibility="collapsed",
            width="content", help="Play trains every run a chunk per frame (from epoch 0 "
            "again when they have finished); Pause stops all computing.")
        session.playing = mode == "Play" and not session.done
        st.button("Step", key=f"{session.key}_step", icon=":material/chevron_right:",
                  on_click=_step, args=(session,), disabled=session.done or session.playing,
                  width="content",
                  help=f"One {session.unit_name} more for every run (while paused).")
        if finish_key is not None:
            st.button("Finish", key=f"{session.key}_finish", icon=":material/skip_next:",
                      on_click=_finish, args=(finish_key,), disabled=session.done,
                      width="content", help="Every run to its last epoch at once (the "
                      "same numbers as playing it to the end).")
        st.button("Reset", key=f"{session.key}_reset", icon=":material/restart_alt:",
                  on_click=_reset, args=(session,), width="content",
                  help="Every run back to epoch 0, paused.")
        with st.container(width=240):
            session.speed = st.select_slider(
                f"Speed ({session.unit_name}s per frame)", SPEEDS, value=session.speed,
                key=f"{session.key}_speed",
                help=f"auto: the longest run plays in about {PLAY_SECONDS:.0f} s (at most "
                     f"{TICK_SECONDS:g} s of training per frame).")
    if session.playing:
        add_style(NO_STALE_FADE)


def live_fragment(session: LiveSession, draw) -> None:
    """``draw(snapshots)`` with the Epoch metric, in a fragment that advances the runs every
    :data:`FRAME_SECONDS` while playing; a timeline slider while paused. Call :func:`toolbar`
    first."""
    # The timer is at least IDLE_FACTOR times a frame's measured CPU time. A click outside
    # the fragment (Pause, a knob) is a full rerun, which Streamlit 1.67 lets interrupt a
    # frame at its next element (ScriptRequests: only fragment reruns wait for a run to end).
    # The timer is fixed until the next full run: when the frames turn out much slower than
    # it allows, a full run sets a longer one (at most every RETIME_FRAMES frames).
    run_every = (max(FRAME_SECONDS, IDLE_FACTOR * session.expected_frame_seconds())
                 if session.playing else None)
    session.timer = run_every

    @st.fragment(run_every=run_every)
    def frame():
        started = time.thread_time()
        ticks = session.playing and not session.draw_first
        session.draw_first = False
        if ticks:
            session.tick()
            if not session.playing:  # ended or paused itself: a full rerun stops the timer
                session.finished_playing = True
                st.rerun()
            ticked = time.thread_time() - started
            if session.timer and IDLE_FACTOR * ticked > 1.5 * session.timer:
                # the training alone outlasts the timer: the next tick would cut this frame
                # short before it is drawn or measured, and so every frame after it. A full
                # run sets a timer for frames this slow (the runs have moved: nothing lost).
                session.frame_seconds = max(session.frame_seconds, ticked)
                session.frames_timed = 0
                st.rerun()
        with st.container():  # one slot, with or without the notice (see draw_frame)
            if session.notice:
                st.info(session.notice, icon=":material/pause_circle:")
        shown, total = session.progress
        metric, timeline = st.columns([1, 3], vertical_alignment="bottom")
        if not session.playing and len(session.frames) > 1:
            with timeline:
                pick = st.select_slider(
                    f"Timeline: the {session.unit_name} shown", range(len(session.frames)),
                    value=len(session.frames) - 1 if session.scrub is None else session.scrub,
                    format_func=lambda i: f"{session.unit_name} {session.frames[i][0]}",
                    # a new key per frame count: new frames show the latest again
                    key=f"{session.key}_timeline_{len(session.frames)}",
                    help="Go back to any frame you have seen (while paused).")
            session.scrub = None if pick == len(session.frames) - 1 else pick
        if session.scrub is not None:
            shown = session.frames[session.scrub][0]
        metric.metric(session.unit_name.capitalize(), f"{shown} / {total}",
                      help=f"The {session.unit_name} of the runs still training (the one "
                           "furthest behind, when a knob restarted some of them); each run's "
                           "own count is in the table.")
        draw(session.snapshots())
        spent = time.thread_time() - started
        if ticks:  # a paused redraw (first drawing, templates) says nothing of a frame
            session.play_spent += spent
            session.frame_seconds = (spent if not session.frame_seconds
                                     else 0.7 * session.frame_seconds + 0.3 * spent)
            session.frames_timed += 1
            ideal = max(FRAME_SECONDS, IDLE_FACTOR * session.frame_seconds)
            if (session.frames_timed >= RETIME_FRAMES and session.timer
                    and not 1 / 1.5 < ideal / session.timer < 1.5):
                session.frames_timed = 0
                st.rerun()  # a new timer for frames this slow (or fast)

    frame()


def live_view(variants, *, key: str, draw, finished, unit: str = "epoch", starter=None) -> list:
    """A page's live view of ``variants`` (``[(label, config), ...]``): the toolbar, then
    ``draw(session, snapshots)`` in the frame fragment. Returns ``[(label, TrainResult), ...]``
    as shown now.

    The first visit and **Finish** show the finished runs (``finished()``, a page's cached
    one-shot runs), so that the lesson is there at once; a knob change starts the variants it
    changes at their start and plays them, a new play with its own budget.
    """
    session = st.session_state.get(state_key(key))
    finish = st.session_state.pop(f"{key}_finish_requested", False)
    first = not isinstance(session, LiveSession)
    results = None
    if first or finish:
        results = dict(finished())
        st.session_state.pop(state_key(key), None)  # every variant shows its finished run
    session = live_session(variants, key=key, results=results, unit=unit,
                           **({"starter": starter} if starter is not None else {}))
    if finish:
        st.session_state[mode_key(session)] = "Pause"
    elif session.changed and not first:
        st.session_state[mode_key(session)] = "Play"  # a knob change: watch it train
        session.play_spent, session.notice = 0.0, ""
        session.frame_seconds, session.frames_timed = 0.0, 0
        session.draw_first = True  # epoch 0 at once; the frame timer trains the first chunk
    toolbar(session, finish_key=f"{key}_finish_requested")
    live_fragment(session, lambda snapshots: draw(session, snapshots))
    return session.snapshots()
