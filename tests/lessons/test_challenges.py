"""Checks that cannot lie: every challenge's known solution passes and its known misses fail,
on real runs; a goal "reached by epoch N" ticks mid-run, at the epoch it is reached, whatever
the chunks the run is played in; bad settings raise naming what is wrong."""

from __future__ import annotations

import pytest

import nnlab
from nnlab.lessons import challenge_catalog as catalog
from nnlab.lessons.challenge_goals import FAILED, GOING, MET, Knob, first_epoch

#: Challenges per week the issue asks for at least, and in all.
PER_WEEK, TOTAL = 2, 12


_TRAINED: dict = {}


def _runs(ch, settings):
    """The runs of ``settings`` (a predict-first item's runs are the same for every
    prediction: trained once)."""
    variants = tuple(ch.runs(settings))
    if variants not in _TRAINED:
        _TRAINED.clear()
        _TRAINED[variants] = [(label, nnlab.train(config)) for label, config in variants]
    return _TRAINED[variants]


def test_catalogue_size_and_order():
    weeks = catalog.by_week()
    assert len(catalog.CHALLENGES) >= TOTAL
    assert sorted(weeks) == [1, 2, 3]
    assert all(len(members) >= PER_WEEK for members in weeks.values())
    assert sum(c.predict for c in catalog.CHALLENGES) >= 2
    for ch in catalog.CHALLENGES:
        assert len(ch.hints) >= 2 and ch.answer and ch.goal and ch.lesson, ch.id
        assert ch.solution not in ch.misses, ch.id


@pytest.mark.parametrize("ch", catalog.CHALLENGES, ids=lambda c: c.id)
def test_solution_passes_and_misses_fail(ch):
    runs = _runs(ch, ch.solution)
    outcome = ch.outcome(runs, ch.solution)
    assert outcome.state == MET, (ch.id, ch.solution, outcome.figure)
    assert "/" in outcome.figure or ch.predict, outcome.figure  # the figure against the target
    saw = ch.saw(runs, ch.settings(ch.solution))
    assert saw and "nan" not in saw.lower(), saw
    # the default is never a solution, and every known miss fails once its budget is spent
    defaults_missed = ch.defaults in [ch.settings(m) for m in ch.misses]
    for settings in (*ch.misses, *([] if defaults_missed else [{}])):
        runs = _runs(ch, settings)
        outcome = ch.outcome(runs, settings)
        assert outcome.state == FAILED, (ch.id, settings, outcome.figure)


@pytest.mark.parametrize("chunk", [1, 7])
def test_tick_appears_mid_run_at_the_epoch_reached(chunk):
    """Played in chunks (as the live view plays it), a 'by epoch N' goal is open until the
    epoch it is reached, met from then on, and names that epoch, whatever the chunk."""
    ch = catalog.get("vanishing")
    (label, config), = ch.runs(ch.solution)
    whole = nnlab.train(config)
    reached = first_epoch(whole, "train_accuracy", 0.90, at_least=True)
    assert reached is not None and reached < config.num_epochs  # mid-run
    run = nnlab.start(config)
    states = []
    while not run.done:
        run.advance(chunk)
        outcome = ch.outcome([(label, run.snapshot())], ch.solution)
        states.append((run.epoch, outcome.state, outcome.epoch))
    assert any(state == MET for epoch, state, _ in states if epoch < config.num_epochs)
    for epoch, state, at in states:
        if epoch < reached:
            assert state == GOING, (epoch, state)
        else:
            assert (state, at) == (MET, reached), (epoch, state, at)


def test_predict_first_is_open_until_every_run_ends():
    ch = catalog.get("optimizer_predict")
    runs = [(label, nnlab.start(c).advance(5).snapshot()) for label, c in ch.runs()]
    assert ch.outcome(runs, ch.solution).state == GOING


def test_bad_settings_name_the_knob_and_the_value():
    ch = catalog.get("deep_init")
    with pytest.raises(ValueError, match="no knob 'lr'"):
        ch.settings({"lr": 1.0})
    with pytest.raises(ValueError, match="init must be one of .* got 'kaiming'"):
        ch.settings({"init": "kaiming"})
    with pytest.raises(ValueError, match="no challenge 'nope'"):
        catalog.get("nope")
    with pytest.raises(ValueError, match="default 3 is not one of"):
        Knob("k", "K", (1, 2), 3)
