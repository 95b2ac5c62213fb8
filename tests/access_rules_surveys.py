"""Access rows for the survey staff pages of issue 6: the call queue and one call, the
letters to post and their PDF, and the response rates.

Calls and letters are for those who follow matches up (surveys.scoping.CALLERS), scoped
through the invitation's match (surveys.scoping.invitations_for): the other branch's
leader and a stranger follow-up volunteer get 404; volunteers and evaluators 403. The
object URLs use an invitation of match A (centrally started, the follow-up volunteer
assigned), which branch A's leader also sees. "Posted" is POST only: 405 to a GET.
The response rates are counts: leaders, the central corps, administrators and the
evaluator see them; follow-up volunteers and volunteers do not.
"""

from tests.access_rules import HIDDEN, everyone, only

CALL_PEOPLE = {"leader", "leader_other", "central", "followup", "followup_other", "admin"}
RATE_PEOPLE = {"leader", "leader_other", "central", "admin", "evaluator"}


def _invitation_of_match_a(world):
    from surveys.models import Invitation
    from tests.test_survey_calls import make_invitation

    invitation = Invitation.objects.filter(match=world.match_a, kind="follow_up").first()
    if invitation is None:
        invitation = make_invitation(world.match_a, kind="follow_up")
    return invitation


def _call_of_match_a(world):
    return {"pk": _invitation_of_match_a(world).pk}


def _letter_of_match_a(world):
    from surveys.models import Channel, ContactAttempt

    invitation = _invitation_of_match_a(world)
    letter, _created = ContactAttempt.objects.get_or_create(
        key=f"{invitation.pk}:access:print",
        defaults={
            "invitation": invitation,
            "step": "invite",
            "channel": Channel.PRINT,
            "status": ContactAttempt.Status.TO_POST,
            "created_at": invitation.created_at,
        },
    )
    return {"pk": letter.pk}


SURVEY_STAFF_RULES = {
    "survey_call_queue": only(CALL_PEOPLE),
    "survey_call": only(CALL_PEOPLE, leader_other=HIDDEN, followup_other=HIDDEN),
    "survey_letters": only(CALL_PEOPLE),
    "survey_letter_pdf": only(CALL_PEOPLE, leader_other=HIDDEN, followup_other=HIDDEN),
    "survey_letter_posted": everyone(405, anonymous=405),
    "survey_rates": only(RATE_PEOPLE),
    "survey_rates_csv": only(RATE_PEOPLE),
}

SURVEY_STAFF_URL_KWARGS = {
    "survey_call": _call_of_match_a,
    "survey_letter_pdf": _letter_of_match_a,
    "survey_letter_posted": _letter_of_match_a,
}
