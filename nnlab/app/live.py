"""Live training: Play, Pause, Step and Reset for a page's side-by-side runs.

A page hands its variants ``[(label, config), ...]`` to :func:`live_session`; the session
keeps one ``nnlab.core`` run per variant (``nnlab.start``), so that a knob that changes one
variant resets that variant only. :func:`toolbar` draws the buttons, the speed and the Epoch
metric; :func:`live_fragment` draws the page's picture in a fragment that reruns every
:data:`FRAME_SECONDS` while playing and not at all while paused, each frame advancing every
unfinished run by a chunk worth about :data:`TICK_SECONDS` of computing.

A run finished live is the run ``train(config)`` makes: the same numbers bit for bit (chunks
change nothing, ``tests/core/test_run.py``). Pausing keeps a timeline of the frames seen (the
parameters and metrics of each, the history being a prefix of the latest), and the learner can
scrub back to any of them.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import streamlit as st

from nnlab.config import TrainConfig
from nnlab.core.budget import estimate_seconds, expected_train_size, max_seconds
from nnlab.core.result import TrainResult
from nnlab.core.train import start

#: Seconds between two frames while playing (the fragment's ``run_every``).
FRAME_SECONDS = 0.15
#: The timer between frames is at least this many times a frame's own measured time: the
#: server is idle for the rest, when a click (Pause) is heard. (1.5 with a 0.1 s floor was
#: measured slower, 2.6 instead of 5.6 frames/s on Optimizers: frames then queue and are cut.)
IDLE_FACTOR = 2.0
#: Seconds of training per frame, for all the runs of the page together (at most).
TICK_SECONDS = 0.1
#: At the "auto" speed, the longest run plays in about this many seconds.
PLAY_SECONDS = 15.0
#: The speeds the learner can choose: epochs per frame (``"auto"``: see ``LiveSession.tick``).
SPEEDS = ("auto", 1, 5, 20, 100)
#: Frames kept for the timeline (older ones are thinned out, every other one dropped).
MAX_FRAMES = 120
#: One play (from a press of Play, or a knob change, until it ends or pauses) may spend this
#: many times one click's budget (``NNLAB_MAX_SECONDS``, 30 s by default) of the server's
#: time; then it pauses itself and says so. A paused or closed tab spends nothing.
PLAY_BUDGET_CLICKS = 4
#: A frame's compute may not exceed this many seconds, whatever the speed asked.
FRAME_BUDGET_SECONDS = 2.0


@dataclass
class Variant:
    """One side-by-side run: its label, its config, and the run that steps (None while the
    variant shows its finished one-shot ``result``)."""

    label: str
    config: TrainConfig
    run: object = None
    result: TrainResult | None = None
    registered: bool = False  # a run finished live is put in the run registry once

    @property
    def epoch(self) -> int:
        return self.run.epoch if self.run is not None else self.result.epochs_run

    @property
    def done(self) -> bool:
        return self.run is None or self.run.done

    @property
    def steps(self) -> int:
        """Mini-batch steps (updates) made."""
        if self.run is not None:
            return self.run.steps
        return self.result.epochs_run * _steps_per_epoch(self.config)

    def affordable(self, seconds: float, unit: str) -> int:
        """How many epochs (or updates) of this run the budget model says fit in ``seconds``
        (at least one)."""
        per_epoch = estimate_seconds(self.config, self.run.m, self.run.data.n_x) / max(
            1, self.config.num_epochs)
        per = per_epoch / self.run.steps_per_epoch if unit == "batch" else per_epoch
        return max(1, int(seconds / per)) if per > 0 else 1 << 30

    @property
    def total_steps(self) -> int:
        return self.config.num_epochs * _steps_per_epoch(self.config)

    def snapshot(self) -> TrainResult:
        return self.run.snapshot() if self.run is not None else self.result


@dataclass
class LiveSession:
    """A page's live runs (kept in ``st.session_state``)."""

    key: str
    variants: list
    playing: bool = False
    speed: object = "auto"
    epochs_per_frame: int = 1
    frames: list = field(default_factory=list)  # (epoch, [(params, bn_state, metrics)])
    scrub: int | None = None  # the timeline frame shown while paused (None: the latest)
    frame_seconds: float = 0.0  # a frame's measured wall time (training and drawing)
    unit: str = "epoch"  # what Step and the speed count: "epoch", or "batch" (one update)
    changed: bool = False  # the last live_session call started some variants afresh
    finished_playing: bool = False  # the runs ended while playing: the switch goes to Pause
    play_spent: float = 0.0  # server seconds (training and drawing) since Play was pressed
    notice: str = ""  # why the session paused by itself, shown until the next Play

    @property
    def epoch(self) -> int:
        """The epoch of the runs still training (a knob restarts only the variants it
        changes; a run that ended early, diverged or stopped, stays where it ended); once all
        have ended, the furthest any reached."""
        running = [v.epoch for v in self.variants if not v.done]
        return min(running) if running else max(v.epoch for v in self.variants)

    @property
    def done(self) -> bool:
        return all(v.done for v in self.variants)

    def snapshots(self) -> list[tuple[str, TrainResult]]:
        """``(label, TrainResult)`` of every variant as it is now (or at the scrubbed frame)."""
        out = [(v.label, v.snapshot()) for v in self.variants]  # memoized by the run
        if self.scrub is None or not self.frames:
            return out
        epoch, states = self.frames[min(self.scrub, len(self.frames) - 1)]
        return [(label, _at_frame(result, epoch, state))
                for (label, result), state in zip(out, states, strict=True)]

    def advance(self, n: int) -> None:
        """Every unfinished run ``n`` epochs further (``n`` mini-batch steps with the "batch"
        unit), within the frame budget; then keep the frame for the timeline."""
        for v in self.variants:
            if not v.done:
                # a frame's compute is capped: a slow run (deep, batch norm) moves fewer steps
                steps = min(n, v.affordable(FRAME_BUDGET_SECONDS / len(self.variants),
                                            self.unit))
                if self.unit == "batch":
                    v.run.advance_batches(steps)
                else:
                    v.run.advance(steps)
        self.keep_frame()

    @property
    def unit_name(self) -> str:
        return "update" if self.unit == "batch" else "epoch"

    @property
    def progress(self) -> tuple[int, int]:
        """``(done, total)`` in the session's unit: the epoch all runs have reached, or the
        updates made (the most of any run)."""
        if self.unit == "batch":
            running = [v.steps for v in self.variants if not v.done]
            done = min(running) if running else max(v.steps for v in self.variants)
            return done, max(v.total_steps for v in self.variants)
        return self.epoch, max(v.config.num_epochs for v in self.variants)

    def tick(self) -> None:
        """One frame while playing: advance by the chosen speed (auto: about
        :data:`TICK_SECONDS` of computing, measured on the last frames). Pauses, with
        :attr:`notice` saying why, once this play has spent :func:`play_budget_seconds` of
        the server's time."""
        if self.play_spent >= play_budget_seconds():
            self.playing = False
            self.notice = (f"Paused after {self.play_spent:.0f} s of the server's time for this "
                           "play (the shared server's limit): press Play to go on.")
            return
        self.scrub = None  # playing shows the latest frame
        epochs = self.epochs_per_frame if self.speed == "auto" else int(self.speed)
        started = time.perf_counter()
        self.advance(epochs)
        if self.speed == "auto":
            # a pace to watch: the longest run in about PLAY_SECONDS of frames, but never
            # more than about TICK_SECONDS of computing per frame (measured)
            spent = max(time.perf_counter() - started, 1e-4)
            longest = self.progress[1]
            watchable = max(1, math.ceil(longest * FRAME_SECONDS / PLAY_SECONDS))
            affordable = max(1, int(epochs * min(4.0, max(0.25, TICK_SECONDS / spent))))
            self.epochs_per_frame = min(watchable, affordable)
        if self.done:
            self.playing = False

    def keep_frame(self) -> None:
        states = []
        for v in self.variants:
            snap = v.snapshot()
            states.append((snap.parameters, snap.bn_state, dict(snap.metrics), snap.status,
                           snap.message, snap.epochs_run))
        self.frames.append((self.progress[0], states))
        if len(self.frames) > MAX_FRAMES:  # keep the first, thin out the rest
            self.frames = self.frames[:1] + self.frames[2::2]


def play_budget_seconds() -> float:
    """Server seconds one play may spend (see :data:`PLAY_BUDGET_CLICKS`)."""
    return PLAY_BUDGET_CLICKS * max_seconds()


def _steps_per_epoch(config: TrainConfig) -> int:
    """Updates per epoch of ``config``'s run (as ``Run.steps_per_epoch`` counts them)."""
    if config.mini_batch_size is None:
        return 1
    m = expected_train_size(config)
    return max(1, -(-m // min(config.mini_batch_size, m)))


def _at_frame(result: TrainResult, epoch: int, state) -> TrainResult:
    """``result`` as it was at a kept frame: its parameters, metrics and history up to then."""
    params, bn_state, metrics, status, message, n = state
    history = {k: v[:n] for k, v in result.history.items()}
    return TrainResult(result.config, params, bn_state, history, status, message,
                       result.seconds, n, result.best_epoch, metrics,
                       update_rule=result.update_rule)


def _state_key(key: str) -> str:
    return f"{key}_live"


def live_session(variants, *, key: str, results=None, unit: str = "epoch") -> LiveSession:
    """The page's live session for ``variants`` (``[(label, config), ...]``): kept across
    reruns; a variant whose label or config changed starts again at epoch 0, or, with
    ``results`` (the variants' finished one-shot runs, e.g. from ``train_many``), shows its
    finished run until the learner presses Reset. ``unit``: what Step and the speed count,
    ``"epoch"`` or ``"batch"`` (one mini-batch update)."""
    if unit not in ("epoch", "batch"):
        raise ValueError(f"unit must be 'epoch' or 'batch', got {unit!r}")
    variants = [(str(label), config) for label, config in variants]
    finished = dict(results or ())
    session = st.session_state.get(_state_key(key))
    if not isinstance(session, LiveSession) or len(session.variants) != len(variants):
        session = LiveSession(key, [])
        old = {}
    else:
        old = {(v.label, v.config): v for v in session.variants}
    fresh = [old.get((label, config)) or (
        Variant(label, config, result=finished[label]) if label in finished
        else Variant(label, config, start(config))) for label, config in variants]
    session.unit = unit
    session.changed = [id(v) for v in fresh] != [id(v) for v in session.variants]
    if session.changed:
        session.variants, session.frames, session.scrub = fresh, [], None
        session.keep_frame()
    st.session_state[_state_key(key)] = session
    return session


def _mode_key(session) -> str:
    return f"{session.key}_mode"


def _latest(session):
    """Show the latest frame: the timeline slider forgets where it was."""
    session.scrub = None
    for name in [k for k in st.session_state if str(k).startswith(f"{session.key}_timeline")]:
        st.session_state.pop(name, None)


def _step(session):
    _latest(session)
    session.advance(1)


def _reset(session):
    _latest(session)
    st.session_state[_mode_key(session)] = "Pause"
    session.playing, session.play_spent, session.notice = False, 0.0, ""
    _restart(session)


#: While playing, every frame reruns the picture's fragment: Streamlit would fade its
#: elements as stale between two frames, so the animation would flicker grey.
NO_STALE_FADE = ('<style>[data-testid="stElementContainer"][data-stale="true"]'
                 "{opacity: 1 !important; transition: none !important;}</style>")


def _restart(session):
    session.frames, session.scrub = [], None
    session.variants = [Variant(v.label, v.config, start(v.config)) for v in session.variants]
    session.epochs_per_frame = 1
    session.keep_frame()


def _replay_if_done(session):
    """Play pressed: a new play (its own budget); on finished runs, from epoch 0 again."""
    session.play_spent, session.notice = 0.0, ""
    if st.session_state.get(_mode_key(session)) == "Play" and session.done:
        _latest(session)
        _restart(session)


def _finish(flag_key: str):
    st.session_state[flag_key] = True


def toolbar(session: LiveSession, *, finish_key: str | None = None) -> None:
    """Play / Pause (a two-button switch: its value is the state, so a click delivered twice
    changes nothing), Step (one epoch, while paused), Finish (with ``finish_key``: the
    session-state flag the page reads to show the finished runs), Reset, the speed (epochs
    per frame)."""
    if finish_key is None:
        play, step, reset, speed = st.columns([2, 1, 1, 2], vertical_alignment="bottom")
    else:
        play, step, finish, reset, speed = st.columns([2, 1, 1, 1, 2],
                                                      vertical_alignment="bottom")
        with finish:
            st.button("Finish", key=f"{session.key}_finish", icon=":material/skip_next:",
                      on_click=_finish, args=(finish_key,), disabled=session.done,
                      width="stretch", help="Every run to its last epoch at once (the "
                      "same numbers as playing it to the end).")
    if session.finished_playing:  # before the switch is drawn: it may not change after
        st.session_state[_mode_key(session)] = "Pause"
        session.finished_playing = False
    with play:
        mode = st.segmented_control(
            "Training", ("Play", "Pause"), default="Pause", key=_mode_key(session),
            on_change=_replay_if_done, args=(session,), label_visibility="collapsed",
            width="stretch", help="Play trains every run a chunk per frame (from epoch 0 "
            "again when they have finished); Pause stops all computing.")
    session.playing = mode == "Play" and not session.done
    if session.playing:
        st.html(NO_STALE_FADE)
    with step:
        st.button("Step", key=f"{session.key}_step", icon=":material/chevron_right:",
                  on_click=_step, args=(session,), disabled=session.done or session.playing,
                  width="stretch",
                  help=f"One {session.unit_name} more for every run (while paused).")
    with reset:
        st.button("Reset", key=f"{session.key}_reset", icon=":material/restart_alt:",
                  on_click=_reset, args=(session,), width="stretch",
                  help="Every run back to epoch 0, paused.")
    with speed:
        session.speed = st.select_slider(
            f"Speed ({session.unit_name}s per frame)", SPEEDS, value=session.speed,
            key=f"{session.key}_speed",
            help=f"auto: the longest run plays in about {PLAY_SECONDS:.0f} s (at most "
                 f"{TICK_SECONDS:g} s of training per frame).")


def live_fragment(session: LiveSession, draw) -> None:
    """``draw(snapshots)`` with the Epoch metric, in a fragment that advances the runs every
    :data:`FRAME_SECONDS` while playing; a timeline slider while paused. Call :func:`toolbar`
    first."""
    # Frames must leave the server idle between them: a click of the learner is only sent,
    # and Pause only heard, in those gaps (measured with Streamlit 1.67). So the timer is at
    # least IDLE_FACTOR times a frame's measured time.
    run_every = (max(FRAME_SECONDS, IDLE_FACTOR * session.frame_seconds) if session.playing
                 else None)

    @st.fragment(run_every=run_every)
    def frame():
        started = time.perf_counter()
        if session.playing:
            session.tick()
            if not session.playing:  # ended or paused itself: a full rerun stops the timer
                session.finished_playing = True
                st.rerun()
        if session.notice:
            st.info(session.notice, icon=":material/pause_circle:")
        shown, total = session.progress
        metric, timeline = st.columns([1, 3], vertical_alignment="bottom")
        if not session.playing and len(session.frames) > 1:
            with timeline:
                pick = st.select_slider(
                    "Timeline: the epoch shown", range(len(session.frames)),
                    value=len(session.frames) - 1 if session.scrub is None else session.scrub,
                    format_func=lambda i: f"{session.unit_name} {session.frames[i][0]}",
                    # a new key per frame count: new frames show the latest again
                    key=f"{session.key}_timeline_{len(session.frames)}",
                    help="Go back to any frame you have seen (while paused).")
            session.scrub = None if pick == len(session.frames) - 1 else pick
        if session.scrub is not None:
            shown = session.frames[session.scrub][0]
        metric.metric("Update" if session.unit == "batch" else "Epoch", f"{shown} / {total}")
        draw(session.snapshots())
        spent = time.perf_counter() - started
        session.frame_seconds = (spent if not session.frame_seconds
                                 else 0.7 * session.frame_seconds + 0.3 * spent)
        if session.playing:
            session.play_spent += spent

    frame()
