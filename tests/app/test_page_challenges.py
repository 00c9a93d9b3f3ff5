"""AppTest of pages/40_Challenges.py: the list with this session's status, a card's check on
the runs it draws, classroom mode, the hint ladder, the locked prediction, and a clear notice
for every link value it cannot use."""

from __future__ import annotations

import pytest

from nnlab.app import challenges as ch_app
from nnlab.app import live
from nnlab.lessons import challenge_catalog as catalog
from tests.app.conftest import finish, page_with

PAGE = "40_Challenges.py"


def _markdown(app) -> str:
    """The page's Markdown and its expanders' titles (the list's title gives the count)."""
    return "\n".join([m.value for m in app.markdown] + [e.label for e in app.expander])


def _shown_runs(app, ch):
    """The runs the card's live view draws now (its session's snapshots)."""
    return app.session_state[live.state_key(ch_app.live_key(ch))].snapshots()


def test_list_shows_every_challenge_and_opens_the_first():
    app = page_with(PAGE, {})
    text = _markdown(app)
    assert f"0 of {len(catalog.CHALLENGES)} solved in this session" in text
    for ch in catalog.CHALLENGES:
        assert f"| {ch.week} | {ch.title} | · not tried |" in text
    assert app.selectbox(key="open_pick").value == catalog.CHALLENGES[0].id
    first = catalog.CHALLENGES[0]
    assert [h.value for h in app.header] == [first.title]
    assert "Press **Play**" in text  # a challenge starts paused at epoch 0, nothing met
    assert "Goal met" not in text
    assert [s.value for s in app.subheader] == ["Hints"]


def test_open_link_picks_the_card():
    app = page_with(PAGE, {"open": "decay"})
    assert [h.value for h in app.header] == [catalog.get("decay").title]


def test_classroom_mode_solution_ticks_on_the_runs_drawn():
    ch = catalog.get("vanishing")
    app = page_with(PAGE, {"challenge": ch.id, f"{ch.id}_activation": "tanh"})
    text = _markdown(app)
    assert "solved in this session" not in text and not app.subheader  # no list, no hints
    assert [h.value for h in app.header] == [ch.title]
    finish(app, ch_app.live_key(ch))
    runs = _shown_runs(app, ch)
    outcome = ch.outcome(runs, {"activation": "tanh"})
    assert outcome.met
    text = _markdown(app)
    # the check read the runs drawn
    assert f":material/check_circle: **Goal met**: {outcome.figure}" in text
    assert "What you just saw" not in text  # classroom mode: no prose
    assert app.query_params["solved"] == ch.id


def test_a_miss_says_so_and_points_to_the_next_hint():
    ch = catalog.get("mini_batches")
    app = page_with(PAGE, {"open": ch.id})
    finish(app, ch_app.live_key(ch))
    outcome = ch.outcome(_shown_runs(app, ch), {})
    assert outcome.state == "failed"
    text = _markdown(app)
    assert (f":material/cancel: **Not met within the budget**: {outcome.figure}. "
            "Read hint 1 of") in text
    app.button(key=f"{ch.id}_hint_button").click().run()
    assert f"**Hint 1.** {ch.hints[0]}" in _markdown(app)
    for _ in ch.hints:
        app.button(key=f"{ch.id}_hint_button").click().run()
    assert f"**Answer.** {ch.answer}" in _markdown(app)
    assert f"| {ch.week} | {ch.title} | :material/cancel: not yet |" in _markdown(app)


def test_solved_status_shows_in_the_list_with_what_you_saw():
    ch = catalog.get("search")
    app = page_with(PAGE, {"open": ch.id, f"{ch.id}_r": "-0.5"})
    finish(app, ch_app.live_key(ch))
    app.run()  # the list is drawn before the card: it shows the status on the next run
    text = _markdown(app)
    assert f"| {ch.week} | {ch.title} | :material/check_circle: solved |" in text
    assert "1 of 13 solved in this session" in text
    assert "**What you just saw:** α = 0.316 reached a train accuracy of 95.0% at epoch" in text


def test_prediction_locks_once_the_runs_move():
    ch = catalog.get("init_predict")
    key = ch_app.knob_key(ch, "prediction")
    app = page_with(PAGE, {"challenge": ch.id, key: "He"})
    assert not app.segmented_control(key=key).disabled
    app.button(key=f"{ch_app.live_key(ch)}_step").click().run()
    app.run()  # the step happens in the fragment: the next full run sees the runs moved
    assert app.segmented_control(key=key).disabled
    assert app.segmented_control(key=key).value == "He"


@pytest.mark.parametrize("params, says", [
    ({"challenge": "nope"}, '"nope", which does not exist'),
    ({"open": "nope"}, '"nope", which does not exist'),
    ({"solved": "deep_init,bogus"}, 'names no challenge called "bogus"'),
    ({"open": "deep_init", "deep_init_init": "kaiming"}, '"kaiming", which is not one of'),
])
def test_bad_link_values_get_a_clear_notice(params, says):
    app = page_with(PAGE, params)
    assert any(says in w.value for w in app.warning), [w.value for w in app.warning]
    if "solved" in params:
        linked = "| 1 | A 20-layer network that learns | :material/link: solved in the link |"
        assert linked in _markdown(app)


def test_the_cards_status_line_is_the_one_of_the_run_it_sits_above():
    """The status above the goal is written after the check has judged the runs drawn: it
    said "not tried" after a failed run and "started" after "Goal met" (one run behind)."""
    ch = catalog.get("search")
    app = page_with(PAGE, {"open": ch.id, f"{ch.id}_r": "-0.5"})
    goal = [m.value for m in app.markdown if "**Goal:**" in m.value]
    assert goal and goal[0].startswith("· not tried · Week"), goal
    finish(app, ch_app.live_key(ch))  # one script run: the goal is met in it
    goal = [m.value for m in app.markdown if "**Goal:**" in m.value]
    assert goal and goal[0].startswith(":material/check_circle: solved · Week"), goal
