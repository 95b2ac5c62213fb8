"""Access rows for matches.

Leaders (their branches), the central corps and administrators act on matches; the
follow-up volunteer and the volunteer read their own match's page and agreement
(access.matches_for scopes them); the evaluator sees no named record.
"""

from tests.access_rules import HIDDEN, only
from tests.url_walk import ROLES

READERS = {"leader", "central", "followup", "volunteer", "admin"}


def _match_a(world):
    return {"pk": world.match_a.pk}


def _match_a_with_agreement(world):
    from matching.models import Agreement

    Agreement.objects.get_or_create(
        match=world.match_a,
        defaults={
            "focus": "Faste rutiner",
            "planned_end": world.match_a.started_on.replace(year=2027),
        },
    )
    return {"pk": world.match_a.pk}


def _propose(world):
    from matching.models import SupportRequest

    request, _created = SupportRequest.objects.get_or_create(
        family=world.family_a, programme="job_mentor"
    )
    return {"pk": request.pk, "volunteer_pk": world.volunteer_a.pk}


MATCH_RULES = {
    # POST only: a GET is refused before anything else.
    "match_propose": {role: 405 for role in ROLES},
    "match_step": {role: 405 for role in ROLES},
    "match_detail": only(
        READERS, leader_other=HIDDEN, followup_other=HIDDEN, volunteer_other=HIDDEN
    ),
    "agreement_pdf": only(
        READERS, leader_other=HIDDEN, followup_other=HIDDEN, volunteer_other=HIDDEN
    ),
}

MATCH_URL_KWARGS = {
    "match_propose": _propose,
    "match_step": lambda w: {"pk": w.match_a.pk, "step": "extend"},
    "match_detail": _match_a,
    "agreement_pdf": _match_a_with_agreement,
}
