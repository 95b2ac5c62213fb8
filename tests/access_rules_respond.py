"""Access rows for the respondent's page and the paper entry (issue 6 item 7).

The token pages need no login: everyone, anonymous included, gets the page for a valid
link (a GET changes nothing; the opt-out only asks). Any other path under /s/ is the
closed page, 404 for everyone. Keying in paper is for those who follow matches up
(surveys.scoping.CALLERS), scoped through the invitation's match: the other branch's
leader and a stranger follow-up volunteer get 404; volunteers and evaluators 403.
"""

from tests.access_rules import HIDDEN, OK, everyone, only

PAPER_PEOPLE = {"leader", "central", "followup", "admin"}


def _token_for(kind):
    """A fresh open invitation of a consenting family in branch A, and its link."""

    def kwargs(world):
        from tests.test_respond import consenting_match, invite, make_questionnaire

        match, parent = consenting_match(branch=world.branch_a)
        _invitation, token = invite(make_questionnaire(), kind, match=match, parent=parent)
        return {"token": token}

    return kwargs


def _invitation_of_match_a(world):
    """Match A's pre survey (made once: the walk may run twice in one test)."""
    from surveys.models import Invitation
    from tests.test_respond import invite, make_questionnaire

    invitation = Invitation.objects.filter(match=world.match_a, kind="pre").first()
    if invitation is None:
        invitation, _token = invite(
            make_questionnaire(), "pre", match=world.match_a, parent=world.family_a.parents.first()
        )
    return {"pk": invitation.pk}


RESPOND_RULES = {
    "survey_respond": everyone(OK, anonymous=OK),
    "survey_opt_out": everyone(OK, anonymous=OK),
    "survey_link_unknown": everyone(HIDDEN, anonymous=HIDDEN),
    "survey_paper_entry": only(PAPER_PEOPLE, leader_other=HIDDEN, followup_other=HIDDEN),
}

RESPOND_URL_KWARGS = {
    "survey_respond": _token_for("pre"),
    "survey_opt_out": _token_for("post"),
    "survey_link_unknown": lambda world: {"rest": "ikke/et/link"},
    "survey_paper_entry": _invitation_of_match_a,
}
