"""Challenges: the course's lessons as goals, checked on the learner's live run."""

from nnlab.app import challenges as ch_app
from nnlab.app import page_setup

if ch_app.classroom_mode():
    # classroom mode: only the card, its knobs and the live picture (no menu, no prose)
    page_setup(__file__, what_you_will_see="", menu=False)
else:
    page_setup(__file__)
room = ch_app.classroom_challenge()
ch_app.link_notices()
if room is not None:
    ch_app.card(room, classroom=True)
else:
    ch_app.card(ch_app.opened_challenge())
    ch_app.status_table()  # under the card: the card is the first screen, on a phone too
