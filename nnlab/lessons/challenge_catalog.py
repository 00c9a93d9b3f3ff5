"""The registry of challenges, in course order (weeks 1 to 3); see
:mod:`nnlab.lessons.challenge_goals` for what a challenge is."""

from __future__ import annotations

from nnlab.lessons.challenge_goals import Challenge
from nnlab.lessons.challenge_week1 import WEEK1
from nnlab.lessons.challenge_week23 import WEEK2, WEEK3

#: Every challenge, in course order.
CHALLENGES: tuple[Challenge, ...] = (*WEEK1, *WEEK2, *WEEK3)
_BY_ID = {c.id: c for c in CHALLENGES}
if len(_BY_ID) != len(CHALLENGES):  # pragma: no cover - a catalogue error
    raise RuntimeError("two challenges share an id")


def get(challenge_id: str) -> Challenge:
    """The challenge called ``challenge_id``; ValueError naming it and the known ids."""
    if challenge_id not in _BY_ID:
        raise ValueError(f"no challenge {challenge_id!r}; known: {', '.join(_BY_ID)}")
    return _BY_ID[challenge_id]


def by_week() -> dict[int, list[Challenge]]:
    """``{week: [challenges]}`` in course order."""
    out: dict[int, list[Challenge]] = {}
    for c in CHALLENGES:
        out.setdefault(c.week, []).append(c)
    return out
