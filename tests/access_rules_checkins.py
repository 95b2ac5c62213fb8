"""Access rows for the match's follow-up page and the volunteer's check-in (issue 5 item 1).

Everyone who may see the match reads its follow-up page (a leader their branches', a
follow-up volunteer the matches assigned to them, the volunteer their own; the central
corps and administrators all); the evaluator sees no named record. Only the match's own
volunteer logs a meeting: nobody logs on their behalf.
"""

from tests.access_rules import HIDDEN, only

READERS = {"leader", "central", "followup", "volunteer", "admin"}


def _match_a(world):
    return {"pk": world.match_a.pk}


CHECKIN_RULES = {
    "followup_match": only(
        READERS, leader_other=HIDDEN, followup_other=HIDDEN, volunteer_other=HIDDEN
    ),
    "checkin_create": only({"volunteer"}, volunteer_other=HIDDEN),
}

CHECKIN_URL_KWARGS = {
    "followup_match": _match_a,
    "checkin_create": _match_a,
}
