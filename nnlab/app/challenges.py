"""Glue of the "Challenges" page: the list of challenges with this session's status, and a
challenge's card (its goal, the knobs the learner may turn, the live runs checked after every
chunk, the hint ladder).

The check reads the very runs the picture draws: it is the live view's ``verdict``, called in
every frame with the snapshots drawn (``nnlab.app.live_panel.live_comparison``).

The link holds everything: each knob is bound to the URL (``<challenge id>_<knob>``), the
challenges solved in this session are listed in ``?solved=``, the card open in the list in
``?open=``, and ``?challenge=<id>`` is classroom mode (only that card, its knobs and the live
picture). A link's ``solved`` says what its sender solved; here a challenge counts as solved
once its check has passed on a run of this session.
"""

from __future__ import annotations

import streamlit as st
from streamlit.errors import StreamlitAPIException

from nnlab.app import bound, live
from nnlab.app.live_panel import live_comparison
from nnlab.app.pages import ROOT, find_page
from nnlab.core.train import make_dataset
from nnlab.lessons import challenge_catalog as catalog
from nnlab.lessons.challenge_goals import FAILED, Challenge, Outcome

#: Session-state keys: ``{id: last state}`` and the set of ids solved in this session.
STATE_KEY, SOLVED_KEY = "_challenge_state", "_challenge_solved"
#: Query parameters: classroom mode, the card open in the list, the ids solved.
CLASSROOM, OPEN, SOLVED = "challenge", "open", "solved"
PAGE = "Challenges"
#: A knob with more numeric choices than this is a slider (else a row of buttons).
BUTTONS_MAX = 5
ICONS = {"solved": ":material/check_circle: solved", "linked": ":material/link: solved in the link",
         FAILED: ":material/cancel: not yet", "going": ":material/hourglass_top: started",
         "": "· not tried"}


def live_key(ch: Challenge) -> str:
    return f"ch_{ch.id}"


def knob_key(ch: Challenge, name: str) -> str:
    return f"{ch.id}_{name}"


# ---------------------------------------------------------------- status


def solved_here() -> set:
    return st.session_state.setdefault(SOLVED_KEY, set())


def _query_ids(name: str) -> tuple[list[str], list[str]]:
    """The known and unknown challenge ids of the query parameter ``name`` (comma-separated)."""
    raw = st.query_params.get(name, "")
    ids = [part.strip() for part in str(raw).split(",") if part.strip()]
    known = {c.id for c in catalog.CHALLENGES}
    return [i for i in ids if i in known], [i for i in ids if i not in known]


def status(ch: Challenge) -> str:
    """How the list shows ``ch``: solved here, solved in the link, not yet, started, or
    not tried (a key of :data:`ICONS`)."""
    if ch.id in solved_here():
        return "solved"
    if ch.id in _query_ids(SOLVED)[0]:
        return "linked"
    return st.session_state.get(STATE_KEY, {}).get(ch.id, "")


def record(ch: Challenge, outcome: Outcome, settings: dict, *, fresh: bool = False) -> None:
    """Remember ``outcome`` for the list; a met goal also goes into ``?solved=``, and is
    announced once per play in a toast (seen wherever the page is scrolled). ``fresh``: the
    runs are at epoch 0 (a new play may announce again)."""
    announced = st.session_state.setdefault("_challenge_announced", set())
    mark = (ch.id, tuple(sorted(settings.items())))
    if fresh:  # runs at epoch 0 are not a try, and a reset keeps what the last play showed
        announced.discard(mark)
        return
    st.session_state.setdefault(STATE_KEY, {})[ch.id] = outcome.state
    if outcome.met and mark not in announced:
        announced.add(mark)
        st.toast(f"Challenge solved: {ch.title}", icon=":material/check_circle:")
    if outcome.met:
        solved_here().add(ch.id)


def write_solved_link() -> None:
    """Put the challenges solved here (and those the link named) into ``?solved=``. Called
    on a full run, never from the live view's frames: a query parameter written in a frame
    made the next full run restart the card's runs (measured with Streamlit 1.67)."""
    linked = set(_query_ids(SOLVED)[0])
    ids = [c.id for c in catalog.CHALLENGES if c.id in solved_here() | linked]
    if ids and st.query_params.get(SOLVED) != ",".join(ids):
        st.query_params[SOLVED] = ",".join(ids)


def link_notices() -> None:
    """A clear notice for every id of the link that names no challenge."""
    _, bad = _query_ids(SOLVED)
    if bad:
        st.warning(f"The link's `{SOLVED}` names no challenge called "
                   f"{', '.join(bound.quote(b) for b in bad)}: ignored. Known: "
                   f"{', '.join(c.id for c in catalog.CHALLENGES)}.",
                   icon=":material/link_off:")


def classroom_mode() -> bool:
    """Whether the link asks for classroom mode with a challenge that exists."""
    raw = st.query_params.get(CLASSROOM)
    return bool(raw) and str(raw) in {c.id for c in catalog.CHALLENGES}


def classroom_challenge() -> Challenge | None:
    """The challenge of ``?challenge=`` (classroom mode), or None; an unknown id gets a
    notice and the list."""
    raw = st.query_params.get(CLASSROOM)
    if raw is None or raw == "":
        return None
    try:
        return catalog.get(str(raw))
    except ValueError:
        st.warning(f"The link asks for the challenge {bound.quote(raw)}, which does not "
                   f"exist: here is the list. Known: "
                   f"{', '.join(c.id for c in catalog.CHALLENGES)}.",
                   icon=":material/link_off:")
        return None


# ---------------------------------------------------------------- the list


def status_table() -> None:
    """Every challenge with its week, goal and status in this session."""
    rows = ["| Week | Challenge | Status |", "| --- | --- | --- |"]
    for ch in catalog.CHALLENGES:
        rows.append(f"| {ch.week} | {ch.title} | {ICONS[status(ch)]} |")
    n = sum(status(ch) == "solved" for ch in catalog.CHALLENGES)
    # collapsed, under the card, its title says the count: the card is the first screen
    with st.expander(f"{n} of {len(catalog.CHALLENGES)} solved in this session: every "
                     "challenge and its status"):
        st.markdown("\n".join(rows))


def _pick(ch_id: str) -> None:
    st.query_params[OPEN] = ch_id


def _option(ch_id: str) -> str:
    ch = catalog.get(ch_id)
    return f"Week {ch.week} · {ch.title}"


def opened_challenge() -> Challenge:
    """The list's selector (its choice in ``?open=``); an unknown id gets a notice."""
    ids = [c.id for c in catalog.CHALLENGES]
    raw = st.query_params.get(OPEN)
    index = 0
    if raw:
        if raw in ids:
            index = ids.index(raw)
        else:
            st.warning(f"The link opens the challenge {bound.quote(raw)}, which does not "
                       f"exist: it shows the first one.", icon=":material/link_off:")
    if "open_pick" not in st.session_state or raw in ids:
        st.session_state["open_pick"] = ids[index]
    # not bound itself: it mirrors the link's `open=`, read above and written by _pick
    # no visible label (its options say "Week 1 · <title>"): one line less above the picture
    pick = bound.selectbox("Challenge", ids, key="open_pick", format_func=_option, bind=None,
                           label_visibility="collapsed",
                           on_change=lambda: _pick(st.session_state["open_pick"]))
    return catalog.get(pick)


# ---------------------------------------------------------------- the card


def _runs_moved(ch: Challenge) -> bool:
    session = st.session_state.get(live.state_key(live_key(ch)))
    return isinstance(session, live.LiveSession) and any(v.epoch > 0 for v in session.variants)


def knob_widgets(ch: Challenge) -> dict:
    """The challenge's knobs (bound to the URL), in one row; returns the settings. A
    prediction is locked once the runs have moved (until Reset)."""
    settings = {}
    columns = st.columns(len(ch.knobs))
    for knob, col in zip(ch.knobs, columns, strict=True):
        key, locked = knob_key(ch, knob.name), False
        if knob.name == "prediction":
            lock = f"_{key}_locked"
            locked = _runs_moved(ch) and lock in st.session_state
            if locked:
                st.session_state[key] = st.session_state[lock]
        numeric = all(isinstance(v, (int, float)) for v in knob.choices)
        if numeric and len(knob.choices) > BUTTONS_MAX:
            value = bound.select_slider(knob.label, knob.choices, value=knob.default,
                                        format_func=knob.name_of, key=key, where=col,
                                        help=knob.help or None)
        else:
            value = bound.segmented_control(knob.label, knob.choices, default=knob.default,
                                            format_func=knob.name_of, key=key, where=col,
                                            disabled=locked, help=knob.help or None)
        value = knob.default if value is None else value
        if knob.name == "prediction" and not locked:
            st.session_state[f"_{key}_locked"] = value
        settings[knob.name] = value
    return settings


def verdict_text(ch: Challenge, outcome: Outcome, runs, settings, *, classroom: bool) -> str:
    """Markdown under the picture: the figure against the target, a tick once met (with what
    the run showed), or, once the budget is spent without it, the next hint to read."""
    if outcome.met:
        text = f":material/check_circle: **Goal met**: {outcome.figure}"
        saw = ch.saw(runs, settings)
        if saw and not classroom:
            text += f"\n\n**What you just saw:** {saw}"
        return text
    if outcome.state == FAILED:
        shown = st.session_state.get(f"{ch.id}_hints", 0)
        nxt = ("" if classroom else f" Read hint {shown + 1} of {len(ch.hints)} below."
               if shown < len(ch.hints) else " The answer is below.")
        return f":material/cancel: **Not met within the budget**: {outcome.figure}.{nxt}"
    if not any(r.epochs_run for _, r in runs):
        return f":material/play_arrow: Press **Play**. {outcome.figure}"
    return f":material/hourglass_top: {outcome.figure}"


def _more_hints(ch_id: str) -> None:
    st.session_state[f"{ch_id}_hints"] = st.session_state.get(f"{ch_id}_hints", 0) + 1


def hint_ladder(ch: Challenge) -> None:
    """The hints one at a time, then the answer with why."""
    shown = st.session_state.get(f"{ch.id}_hints", 0)
    for i, hint in enumerate(ch.hints[:shown]):
        st.markdown(f"**Hint {i + 1}.** {hint}")
    if shown > len(ch.hints):
        st.markdown(f"**Answer.** {ch.answer}")
    if shown <= len(ch.hints):
        label = (f"Hint {shown + 1} of {len(ch.hints)}" if shown < len(ch.hints)
                 else "Show the answer")
        st.button(label, key=f"{ch.id}_hint_button", on_click=_more_hints, args=(ch.id,),
                  icon=":material/lightbulb:")


def card(ch: Challenge, *, classroom: bool = False) -> list:
    """The challenge's card; returns the runs as shown now."""
    st.header(ch.title)
    budget = ch.budget()
    # the budget, unless the goal says it already (a phone: one line less above the picture)
    stop = "" if f" {budget} epochs" in ch.goal else f" The runs stop at epoch {budget}."
    goal = st.empty()  # written once the check below has judged this run (the status)
    settings = knob_widgets(ch)
    variants = ch.runs(settings)
    data = make_dataset(variants[0][1])
    key = live_key(ch)
    if not isinstance(st.session_state.get(live.state_key(key)), live.LiveSession):
        # a challenge starts at epoch 0, paused: the learner presses Play (the live view
        # would otherwise show the finished runs at once)
        live.live_session(variants, key=key)

    def verdict(snapshots):
        outcome = ch.outcome(snapshots, settings)
        record(ch, outcome, settings,
               fresh=not any(r.epochs_run for _, r in snapshots))
        return verdict_text(ch, outcome, snapshots, settings, classroom=classroom)

    runs = live_comparison(variants, data, key=key, page=PAGE, verdict=verdict)
    # the status and week only: the lesson (half the answer) is under the hints
    about = "" if classroom else f"{ICONS[status(ch)]} · Week {ch.week} · "
    goal.markdown(f"{about}**Goal:** {ch.goal}{stop}")
    write_solved_link()
    if not classroom:
        st.subheader("Hints")
        hint_ladder(ch)
        links(ch)
    return runs


def _page_link(path: str, label: str, icon: str, query_params=None) -> None:
    try:
        st.page_link(str(ROOT / path), label=label, icon=icon, query_params=query_params)
    except StreamlitAPIException:  # a page run on its own (AppTest): no menu to link into
        st.markdown(label)


def links(ch: Challenge) -> None:
    """The lesson behind the challenge, this card alone (classroom mode, a link for a class)
    and the topic's page."""
    st.caption(f"The lesson behind it: {ch.lesson}")
    left, right = st.columns(2)
    with left:
        _page_link("pages/40_Challenges.py", "This challenge alone, to share with a class",
                   ":material/co_present:", {CLASSROOM: ch.id})
    topic = find_page(ch.page)
    if topic is not None:
        with right:
            _page_link(topic.path, f"The lesson: {topic.title}", topic.icon)


def topic_link(page_file: str) -> None:
    """On a topic page: a link to the Challenges page, opened at its first challenge on
    this topic (nothing when it has none)."""
    topic = find_page(page_file)
    ours = [c for c in catalog.CHALLENGES if topic is not None and c.page == topic.path]
    if ours:
        _page_link("pages/40_Challenges.py", "Challenges on this topic", ":material/flag:",
                   {OPEN: ours[0].id})

