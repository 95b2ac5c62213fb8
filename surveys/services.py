"""Who gets which form when (issue 6 item 3; DOMAIN.md §13; report section 2.2, Bilag 2),
and the steps people take in the chain: a call recorded, a questionnaire answered, the
evaluation declined.

Rules:
* pre survey to the parent as soon as the match is active;
* follow-up survey after about 12 months (family friend) or 9 months (mentors) if the
  match still runs;
* post survey when the match ends, only if it lasted at least 3 months;
* the volunteer's survey when the match ends;
* nothing to anyone whose evaluation consent is missing or withdrawn (a family's consent,
  a volunteer's opt-out), and a withdrawal stops what is already queued.
"""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from familien.models import ConsentState, Programme
from familien.services.volunteers import add_months
from matching.models import Match
from surveys.models import (
    Channel,
    ContactAttempt,
    Invitation,
    Questionnaire,
    Respondent,
    Step,
    SurveyKind,
    SurveyOptOut,
)
from surveys.tokens import token_fields

# A course that ended before 3 months had "not got going": no post survey (report section
# 2.2). Three months are counted as 13 weeks, as the follow-up figures count them, so a
# match of 89 days gets none and one of 92 days gets one, whatever the months' lengths.
POST_SURVEY_MIN_DAYS = 13 * 7
# Messages not yet out: queued ones, and letters still waiting to be posted.
UNSENT = (ContactAttempt.Status.QUEUED, ContactAttempt.Status.TO_POST)


class SurveyError(Exception):
    """A survey step refused, with a message for the user in the interface language."""


def post_survey_due(match) -> bool:
    """Whether a closed match's parent is asked for the post survey: only when the course
    lasted at least 3 months (report section 2.2; DOMAIN.md §11)."""
    if match.started_on is None or match.ended_on is None:
        return False
    return (match.ended_on - match.started_on).days >= POST_SURVEY_MIN_DAYS


def follow_up_months(programme) -> int:
    """Months after the start of the follow-up survey: about 12 for a family friend,
    about 9 for a mentor (DOMAIN.md §13)."""
    if programme == Programme.FAMILY_FRIEND:
        return settings.SURVEY_FOLLOW_UP_MONTHS_FAMILY_FRIEND
    return settings.SURVEY_FOLLOW_UP_MONTHS_MENTOR


def evaluation_allowed(invitation, *, opted_out=None) -> bool:
    """A parent's family has given its evaluation consent and not withdrawn it; a
    volunteer has not opted out (DOMAIN.md §13: participants may decline). ``opted_out``:
    the ids of opted-out volunteers, read once for a batch instead of once per row."""
    if invitation.parent_id:
        return invitation.parent.family.evaluation_consent == ConsentState.GIVEN
    if invitation.volunteer_id:
        if opted_out is not None:
            return invitation.volunteer_id not in opted_out
        return not SurveyOptOut.objects.filter(volunteer_id=invitation.volunteer_id).exists()
    return False


def opted_out_among(invitations) -> set:
    """The ids of the opted-out volunteers among ``invitations``' respondents (one query)."""
    ids = {invitation.volunteer_id for invitation in invitations if invitation.volunteer_id}
    if not ids:
        return set()
    return set(
        SurveyOptOut.objects.filter(volunteer_id__in=ids).values_list("volunteer_id", flat=True)
    )


def current_questionnaire(respondent, programme):
    """The newest published version for a respondent and programme, or None (the
    workplace-mentor forms were never reported, DOMAIN.md §25)."""
    return (
        Questionnaire.objects.filter(
            respondent=respondent, programme=programme, published_at__isnull=False
        )
        .order_by("-version")
        .first()
    )


def participant_of(match):
    """The parent the match's survey goes to: the parent the request was for, else the
    family's first parent (a child's family friend: the parent answers)."""
    request = match.request
    if request is not None and request.for_parent_id:
        return request.for_parent
    return match.family.parents.order_by("pk").first()


def _invite(match, *, kind, parent=None, volunteer=None, now, questionnaire=None):
    respondent = Respondent.PARENT if parent else Respondent.VOLUNTEER
    questionnaire = questionnaire or current_questionnaire(respondent, match.programme)
    if questionnaire is None:
        return None
    try:
        with transaction.atomic():
            return Invitation.objects.create(
                questionnaire=questionnaire,
                kind=kind,
                match=match,
                parent=parent,
                volunteer=volunteer,
                **token_fields(),
                next_step=Step.INVITE,
                next_step_at=now,
            )
    except IntegrityError:
        # Already invited to this form for this match: never twice.
        return None


def _parent_invitation(match, kind, *, now, questionnaire=None):
    parent = participant_of(match)
    if parent is None or match.family.evaluation_consent != ConsentState.GIVEN:
        return None
    return _invite(match, kind=kind, parent=parent, now=now, questionnaire=questionnaire)


def dispatch_pre_survey(match, *, today):
    """Invite the parent to the pre survey as soon as the match is active, if the family
    consents to the evaluation (report section 2.2, Bilag 2: "hurtigst muligt efter
    start"). Called by matching.lifecycle.activate_match. Returns the invitation or None."""
    return _parent_invitation(match, SurveyKind.PRE, now=timezone.now())


def dispatch_post_survey(match, *, today):
    """When a match closes: the parent's post survey if it lasted at least 3 months, and
    the volunteer's survey (volunteers answer only at the end, DOMAIN.md §13). Called by
    matching.lifecycle.close_match. Returns the invitations made."""
    now = timezone.now()
    made = []
    if post_survey_due(match):
        made.append(_parent_invitation(match, SurveyKind.POST, now=now))
    volunteer = match.volunteer
    if not SurveyOptOut.objects.filter(volunteer=volunteer).exists():
        made.append(_invite(match, kind=SurveyKind.VOLUNTEER, volunteer=volunteer, now=now))
    return [invitation for invitation in made if invitation is not None]


def dispatch_follow_up_surveys(*, today):
    """The follow-up survey for running matches that reached their programme's months
    (DOMAIN.md §13); part of every engine run, so a missed day is caught up. One query per
    programme group plus one insert per invitation."""
    made = []
    already = Invitation.objects.filter(match=OuterRef("pk"), kind=SurveyKind.FOLLOW_UP)
    running = Match.objects.filter(
        status__in=(Match.Status.ACTIVE, Match.Status.ENDING),
        started_on__isnull=False,
        family__evaluation_consent=ConsentState.GIVEN,
    ).exclude(Exists(already))
    for programme in Programme.values:
        months = follow_up_months(programme)
        # add_months backwards: started on or before the day ``months`` months ago.
        cutoff = add_months(today, -months)
        due = running.filter(programme=programme, started_on__lte=cutoff).select_related(
            "family", "request__for_parent"
        )
        now = timezone.now()
        questionnaire = current_questionnaire(Respondent.PARENT, programme)
        if questionnaire is None:
            continue
        for match in due:
            invitation = _parent_invitation(
                match, SurveyKind.FOLLOW_UP, now=now, questionnaire=questionnaire
            )
            if invitation is not None:
                made.append(invitation)
    return made


def stop_invitations_of(*, parent_family=None, volunteer=None, status, now=None):
    """Close every open invitation of a family's parents or of a volunteer and cancel
    their queued messages (a withdrawn consent stops what is already queued)."""
    now = now or timezone.now()
    invitations = Invitation.objects.open()
    if parent_family is not None:
        invitations = invitations.filter(parent__family=parent_family)
    else:
        invitations = invitations.filter(volunteer=volunteer)
    ids = list(invitations.values_list("pk", flat=True))
    Invitation.objects.filter(pk__in=ids).update(
        status=status, next_step=Step.DONE, next_step_at=None, closed_at=now
    )
    ContactAttempt.objects.filter(invitation__in=ids, status__in=UNSENT).update(
        status=ContactAttempt.Status.CANCELLED
    )
    return len(ids)


def opt_out(invitation, *, now=None):
    """The respondent declines the evaluation from their page: a parent withdraws the
    family's evaluation consent (recorded as a Consent row, as staff would), a volunteer
    is opted out; every open invitation stops (DOMAIN.md §13)."""
    from familien.models import Consent
    from familien.services.families import record_consent

    now = now or timezone.now()
    with transaction.atomic():
        if invitation.parent_id:
            family = invitation.parent.family
            record_consent(
                family,
                kind=Consent.Kind.EVALUATION,
                state=ConsentState.WITHDRAWN,
                actor=None,
                note=_("Declined from the questionnaire's page."),
            )
            return stop_invitations_of(
                parent_family=family, status=Invitation.Status.OPTED_OUT, now=now
            )
        SurveyOptOut.objects.get_or_create(volunteer_id=invitation.volunteer_id)
        return stop_invitations_of(
            volunteer=invitation.volunteer, status=Invitation.Status.OPTED_OUT, now=now
        )


def mark_answered(invitation, *, now=None):
    """An answer stops the chain: no more reminders, no more calls."""
    now = now or timezone.now()
    Invitation.objects.filter(pk=invitation.pk, status=Invitation.Status.OPEN).update(
        status=Invitation.Status.ANSWERED, next_step=Step.DONE, next_step_at=None, closed_at=now
    )
    ContactAttempt.objects.filter(invitation=invitation, status__in=UNSENT).update(
        status=ContactAttempt.Status.CANCELLED
    )


def record_call_attempt(invitation, *, channel, outcome, actor, note="", now=None):
    """A person's attempt to reach a respondent who has not answered (DOMAIN.md §14:
    phone call, voicemail, sms, mail after about three weeks). Counts towards
    SURVEY_MAX_ATTEMPTS; the next call falls due SURVEY_CALL_INTERVAL_DAYS later; at the
    limit the invitation stops as non-response."""
    from surveys.engine import at_send_hour

    now = now or timezone.now()
    if channel not in Channel.values:
        raise SurveyError(_("Choose how you tried to reach them."))
    if outcome not in ContactAttempt.Outcome.values:
        raise SurveyError(_("Choose what came of it."))
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.status != Invitation.Status.OPEN or invitation.next_step != Step.CALL:
            raise SurveyError(_("This invitation is not waiting for a call."))
        number = invitation.attempts + 1
        attempt = ContactAttempt.objects.create(
            invitation=invitation,
            key=f"{invitation.pk}:call:{number}",
            step=Step.CALL,
            channel=channel,
            status=ContactAttempt.Status.DONE,
            by=actor,
            outcome=outcome,
            note=note.strip()[:300],
            created_at=now,
            sent_at=now,
        )
        invitation.attempts = number
        if number >= settings.SURVEY_MAX_ATTEMPTS:
            invitation.status = Invitation.Status.NON_RESPONSE
            invitation.next_step, invitation.next_step_at = Step.DONE, None
            invitation.closed_at = now
        else:
            next_day = timezone.localdate(now) + timedelta(days=settings.SURVEY_CALL_INTERVAL_DAYS)
            invitation.next_step_at = at_send_hour(next_day)
        invitation.save(
            update_fields=["attempts", "status", "next_step", "next_step_at", "closed_at"]
        )
    return attempt
