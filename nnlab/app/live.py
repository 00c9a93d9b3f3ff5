"""Live training: the session that keeps a page's side-by-side runs stepping.

A page hands its variants ``[(label, config), ...]`` to :func:`live_session`; the session
keeps one ``nnlab.core`` run per variant (``nnlab.start``), so that a knob that changes one
variant resets that variant only. Its widgets are in :mod:`nnlab.app.live_controls`: the
toolbar, and the fragment that reruns every :data:`FRAME_SECONDS` while playing and not at all
while paused, each frame advancing every unfinished run by a chunk (:meth:`LiveSession.tick`).

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
from nnlab.core.budget import expected_train_size, max_seconds
from nnlab.core.result import TrainResult
from nnlab.core.train import start

#: Seconds between two frames while playing, at the least (the fragment's ``run_every``): 0.1
#: allows 10 frames/s (0.15 capped play at 6.7, under the 8 frames/s the issue asks).
FRAME_SECONDS = 0.1
#: The timer between frames is at least this many times a frame's own CPU time (the script
#: thread's: a wall time counts the other sessions' turns too, and four tabs playing at once
#: slowed each other's timers down to 1 frame/s). A click outside the frame (Pause, a knob)
#: interrupts a frame in progress, so frames need no idle gap for it; 1.2 leaves a little for
#: the browser's own timer to fire late. (2.0 was measured to hold Vanishing gradients at 3.7
#: frames/s instead of 5.3.)
IDLE_FACTOR = 1.2
#: Frames measured before the timer may be set again to fit them.
RETIME_FRAMES = 8
#: Seconds of training per frame, for all the runs of the page together (at most).
TICK_SECONDS = 0.1
#: At the "auto" speed, the longest run plays in about this many seconds.
PLAY_SECONDS = 15.0
#: The speeds the learner can choose: epochs per frame (``"auto"``: see ``LiveSession.tick``).
SPEEDS = ("auto", 1, 5, 20, 100)
#: What Step and the speed can count -> how the page names it: an epoch, a mini-batch update
#: (``"batch"``: the mini-batch page), or an optimizer step on a 2-D surface (``"step"``).
UNITS = {"epoch": "epoch", "batch": "update", "step": "step"}
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
        per_epoch = self.run.epoch_seconds_estimate()
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
    unit: str = "epoch"  # what Step and the speed count: one of UNITS
    changed: bool = False  # the last live_session call started some variants afresh
    finished_playing: bool = False  # the runs ended while playing: the switch goes to Pause
    play_spent: float = 0.0  # server seconds (training and drawing) since Play was pressed
    notice: str = ""  # why the session paused by itself, shown until the next Play
    starter: object = start  # config -> a run at its start
    timer: float | None = None  # the frame fragment's run_every now in effect
    frames_timed: int = 0  # frames measured since the timer was set
    draw_first: bool = False  # the next frame draws the runs as they are, without a tick
    sharing: int = 1  # sessions of this server playing at once (playing_sessions), at the last tick

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

    def chunk_seconds(self) -> float:
        """The estimated seconds of one chunk (an epoch, or an update with the "batch" unit)
        of every unfinished run together: the least a frame or a Step can compute."""
        return sum(v.run.epoch_seconds_estimate()
                   / (v.run.steps_per_epoch if self.unit == "batch" else 1)
                   for v in self.variants if not v.done and v.run is not None)

    def expected_frame_seconds(self) -> float:
        """A frame's seconds: as measured, or before any frame is, the budget model's estimate
        of its training (the chosen speed's chunks, within the frame's cap). The frame timer
        is set from it: a timer quicker than the frames cuts every frame short, so none would
        ever be measured (a fixed speed of 100 epochs on a deep network never moved)."""
        if self.frame_seconds:
            return self.frame_seconds
        chunks = self.epochs_per_frame if self.speed == "auto" else int(self.speed)
        return min(FRAME_BUDGET_SECONDS, chunks * self.chunk_seconds())

    def too_big(self, seconds: float) -> str:
        """Why one chunk cannot be computed within ``seconds`` (empty when it can)."""
        need = self.chunk_seconds()
        if need <= seconds:
            return ""
        return (f"One {self.unit_name} of these networks takes about {need:.1f} s of the "
                f"server's time, more than {seconds:g} s: live play is for networks whose "
                f"{self.unit_name} fits in a frame. Press Finish to train them to the end "
                "within one click's budget, or make them smaller or use mini-batches.")

    def step(self) -> None:
        """One chunk (Step): a click, so it may take up to one click's budget."""
        self.notice = self.too_big(max_seconds())
        if not self.notice:
            self.advance(1)

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
        return UNITS[self.unit]

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
        self.sharing = playing_sessions(self)
        reason = self.too_big(FRAME_BUDGET_SECONDS)
        if reason:  # a frame's compute is capped: even one chunk would overrun it
            self.playing, self.notice = False, reason
            return
        epochs = self.epochs_per_frame if self.speed == "auto" else int(self.speed)
        started = time.thread_time()
        self.advance(epochs)
        if self.speed == "auto":
            # a pace to watch: the longest run in about PLAY_SECONDS of frames, but never
            # more than about TICK_SECONDS of computing per frame (measured)
            spent = max(time.thread_time() - started, 1e-4)
            longest = self.progress[1]
            # frames come every max(FRAME_SECONDS, IDLE_FACTOR x a frame's time)
            period = max(FRAME_SECONDS, IDLE_FACTOR * self.frame_seconds)
            watchable = max(1, math.ceil(longest * period / PLAY_SECONDS))
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


#: Sessions of this server that ticked a frame lately: ``id(session) -> time.monotonic()``.
_PLAYING: dict = {}
#: A session that has not ticked for this many seconds is no longer counted as playing.
PLAYING_SECONDS = 1.0


def playing_sessions(session) -> int:
    """Count ``session`` as playing now; how many sessions of this server (this process) are
    playing, this one included. A frame's pictures share their time budget by it: four tabs
    playing deep networks at once each get a quarter (a shared server stays fair)."""
    now = time.monotonic()
    _PLAYING[id(session)] = now
    for key, seen in list(_PLAYING.items()):
        if now - seen > PLAYING_SECONDS:
            _PLAYING.pop(key, None)
    return len(_PLAYING)


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


def state_key(key: str) -> str:
    return f"{key}_live"


def live_session(variants, *, key: str, results=None, unit: str = "epoch",
                 starter=start) -> LiveSession:
    """The page's live session for ``variants`` (``[(label, config), ...]``): kept across
    reruns; a variant whose label or config changed starts again at epoch 0, or, with
    ``results`` (the variants' finished one-shot runs, e.g. from ``train_many``), shows its
    finished run until the learner presses Reset. ``unit``: what Step and the speed count,
    one of :data:`UNITS`. ``starter``: config -> a run at its
    start (default ``nnlab.start``; the loss-landscape page passes its 2-D paths')."""
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {tuple(UNITS)}, got {unit!r}")
    variants = [(str(label), config) for label, config in variants]
    finished = dict(results or ())
    session = st.session_state.get(state_key(key))
    if not isinstance(session, LiveSession) or len(session.variants) != len(variants):
        session = LiveSession(key, [])
        old = {}
    else:
        old = {(v.label, v.config): v for v in session.variants}
    fresh = [old.get((label, config)) or (
        Variant(label, config, result=finished[label]) if label in finished
        else Variant(label, config, starter(config))) for label, config in variants]
    session.unit, session.starter = unit, starter
    session.changed = [id(v) for v in fresh] != [id(v) for v in session.variants]
    if session.changed:
        session.variants, session.frames, session.scrub = fresh, [], None
        session.keep_frame()
    st.session_state[state_key(key)] = session
    return session


def mode_key(session) -> str:
    """Session-state key of the Play / Pause switch of ``session``."""
    return f"{session.key}_mode"
