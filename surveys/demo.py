"""Demo survey history: every demo match whose family consents gets its pre survey, and a
closed one its post and volunteer surveys, at the reminder chain's real stages: most
answered (some partly, as the report's 86 % and 73 %), some waiting for a reminder, some
due for a call, a few given up. The messages are written as sent, never sent: nobody is
texted by the demo.

Called by familien/management/commands/seed_demo.py after the follow-up history; it
touches only matches without invitations, so running the seed again adds nothing.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef

from familien.models import ConsentState
from matching.models import Match
from surveys import answers, services
from surveys.engine import at_send_hour, channels_for
from surveys.models import AnswerType, ContactAttempt, Invitation, Step

# The chain's steps in order, with their day after the invitation (DOMAIN.md §14).
CHAIN = [(Step.INVITE, 0), (Step.SMS_REMINDER, 7), (Step.MAIL_REMINDER, 14)]


def _answer_value(rng, question):
    if question.answer_type == AnswerType.CHOICE:
        return rng.choice(question.choices)["value"]
    if question.answer_type == AnswerType.MULTI:
        return [rng.choice(question.choices)["value"]]
    if question.answer_type == AnswerType.SCALE:
        return rng.randint(question.scale_min, question.scale_max)
    return "Det har været godt at have en at tale med."


def _walk_chain(rng, invitation, *, invited_on, today):
    """Write the messages of the steps that fell due by ``today`` (or until it was
    answered), as the engine would have, and leave the invitation at its next step."""
    # The report reached 86 % on the pre survey and 73 % on the post (DOMAIN.md §14).
    answered_after = rng.choice([2, 3, 5, 9, 16]) if rng.random() < 0.8 else None
    attempts = []
    for step, day in CHAIN:
        moment = at_send_hour(invited_on + timedelta(days=day))
        if moment.date() > today or (answered_after is not None and day > answered_after):
            break
        invitation.next_step = step
        for channel in channels_for(invitation, step):
            attempts.append(
                ContactAttempt(
                    invitation=invitation,
                    key=f"{invitation.pk}:{step}:{channel}",
                    step=step,
                    channel=channel,
                    status=ContactAttempt.Status.TO_POST
                    if channel == "print"
                    else ContactAttempt.Status.SENT,
                    created_at=moment,
                    sent_at=moment,
                )
            )
    ContactAttempt.objects.bulk_create(attempts)
    sent_steps = {a.step for a in attempts}
    last = max((day for step, day in CHAIN if step in sent_steps), default=0)
    following = {0: (Step.SMS_REMINDER, 7), 7: (Step.MAIL_REMINDER, 14), 14: (Step.CALL, 21)}
    next_step, next_day = following[last]
    invitation.attempts = len(attempts)
    invitation.invited_on = invited_on
    invitation.next_step = next_step
    invitation.next_step_at = at_send_hour(invited_on + timedelta(days=next_day))
    invitation.save(update_fields=["attempts", "invited_on", "next_step", "next_step_at"])
    if answered_after is not None and invited_on + timedelta(days=answered_after) <= today:
        questions = answers.asked_questions(invitation)
        # Most questions are not mandatory; a few answer only some (DOMAIN.md §16).
        share = 1.0 if rng.random() < 0.8 else 0.5
        values = {q: _answer_value(rng, q) for q in questions if rng.random() < share}
        moment = at_send_hour(invited_on + timedelta(days=answered_after), hour=19)
        answers.submit(invitation, values, questions=questions, now=moment)
    elif invited_on + timedelta(days=21) <= today:
        if rng.random() < 0.5:
            # Long past the chain: the calls were made and came to nothing.
            Invitation.objects.filter(pk=invitation.pk).update(
                status=Invitation.Status.NON_RESPONSE,
                next_step=Step.DONE,
                next_step_at=None,
                attempts=settings.SURVEY_MAX_ATTEMPTS,
            )
        else:
            # Still being called: a few calls made, the next one due now.
            Invitation.objects.filter(pk=invitation.pk).update(
                next_step=Step.CALL,
                next_step_at=at_send_hour(today - timedelta(days=rng.randint(0, 3))),
                attempts=len(attempts) + rng.randint(0, 3),
            )


def make_survey_history(rng, today):
    """Invitations for the demo matches; returns how many were made."""
    invited = Invitation.objects.filter(match=OuterRef("pk"))
    matches = (
        Match.objects.filter(
            status__in=(Match.Status.ACTIVE, Match.Status.CLOSED),
            started_on__isnull=False,
            family__evaluation_consent=ConsentState.GIVEN,
        )
        .exclude(Exists(invited))
        .select_related("family", "volunteer", "request__for_parent")
        .order_by("pk")
    )
    made = 0
    for match in matches:
        pre = services.dispatch_pre_survey(match, today=match.started_on)
        if pre is not None:
            _walk_chain(rng, pre, invited_on=match.started_on, today=today)
            made += 1
        if match.status == Match.Status.CLOSED and match.ended_on:
            for invitation in services.dispatch_post_survey(match, today=match.ended_on):
                _walk_chain(rng, invitation, invited_on=match.ended_on, today=today)
                made += 1
    return made
