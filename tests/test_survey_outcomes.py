"""Only the latest answered form counts (DOMAIN.md §13, Bilag 2)."""

from datetime import datetime

import pytest
from django.utils import timezone

from familien.models import ConsentState, Programme
from surveys.models import Invitation, Questionnaire, Respondent, Response, SurveyKind
from surveys.outcomes import after_responses, before_responses
from surveys.tokens import hash_token, new_salt, token_for
from tests.factories import FamilyFactory, MatchFactory, ParentFactory, VolunteerFactory

pytestmark = pytest.mark.django_db


def when(month, day):
    return timezone.make_aware(datetime(2027, month, day, 12))


@pytest.fixture
def questionnaires():
    return {
        respondent: Questionnaire.objects.create(
            code=f"outcome-{respondent}",
            respondent=respondent,
            programme=Programme.FAMILY_FRIEND,
            title_da="T",
            title_en="T",
        )
        for respondent in Respondent.values
    }


def answered(questionnaires, match, kind, submitted, *, parent=None, volunteer=None):
    salt = new_salt()
    invitation = Invitation.objects.create(
        questionnaire=questionnaires[Respondent.PARENT if parent else Respondent.VOLUNTEER],
        kind=kind,
        match=match,
        parent=parent,
        volunteer=volunteer,
        token_salt=salt,
        token_hash=hash_token(token_for(salt)),
    )
    return Response.objects.create(invitation=invitation, submitted_at=submitted)


def test_the_post_survey_wins_over_the_follow_up_and_pre_stays_apart(questionnaires):
    family = FamilyFactory(evaluation_consent=ConsentState.GIVEN)
    parent = ParentFactory(family=family)
    long_match = MatchFactory(family=family)
    pre = answered(questionnaires, long_match, SurveyKind.PRE, when(1, 5), parent=parent)
    answered(questionnaires, long_match, SurveyKind.FOLLOW_UP, when(3, 1), parent=parent)
    post = answered(questionnaires, long_match, SurveyKind.POST, when(6, 1), parent=parent)
    # Another match still running: its follow-up survey is its latest answer.
    other = MatchFactory(family=family)
    follow_up = answered(questionnaires, other, SurveyKind.FOLLOW_UP, when(4, 1), parent=parent)
    # Not submitted, and a volunteer's form: neither counts for the parents.
    unanswered = answered(questionnaires, other, SurveyKind.POST, None, parent=parent)
    answered(
        questionnaires, long_match, SurveyKind.VOLUNTEER, when(6, 2), volunteer=VolunteerFactory()
    )

    assert set(after_responses()) == {post, follow_up}
    assert set(before_responses()) == {pre}
    assert unanswered not in after_responses()
