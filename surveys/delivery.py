"""Delivering one contact attempt, once (issue 6 items 5 and 6).

``deliver(attempt_id, now=…)`` claims the row with a conditional update (queued, or
sending with an expired lease) and takes a lease, so two workers, a task run twice or a
tick handing the id out again send it once. It checks the respondent's evaluation consent
again right before sending: a withdrawal stops messages already queued. A provider error
puts the row back in the queue with a bounded backoff that the next tick honours; after
SURVEY_DELIVERY_MAX_TRIES it counts as failed and the chain, already moved on, goes on.

The messages are Danish, carry the respondent's first name and their link, and nothing
about the family: no names of others, no programme details, no health or social facts.
"""

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from familien import sms
from surveys.models import Channel, ContactAttempt, Invitation, Step
from surveys.tokens import token_for

logger = logging.getLogger(__name__)

# Waits between tries of a failing provider, in seconds: short and bounded (no long
# countdown waits in the broker; the tick hands the row out again when it is due).
BACKOFF_SECONDS = (30, 120, 300)


class TemporaryDeliveryError(Exception):
    """The provider could not take the message now; try again later."""


class RejectedDelivery(Exception):
    """The provider refused the message; trying again will not help."""


def survey_link(invitation) -> str:
    path = reverse("survey_respond", kwargs={"token": token_for(invitation.token_salt)})
    return settings.FAMILIEN_BASE_URL + path


def message_for(invitation, step) -> tuple[str, str]:
    """(subject, body) in Danish for ``step``: the first name, the link, nothing else."""
    person = invitation.parent or invitation.volunteer
    with translation.override("da"):
        name = person.first_name if person else ""
        link = survey_link(invitation)
        if step == Step.INVITE:
            body = _(
                "Dear %(name)s. The Red Cross would like to hear how things are going. "
                "Please answer a short questionnaire: %(link)s"
            )
        else:
            body = _(
                "Dear %(name)s. A reminder: we would still like your answers to the Red "
                "Cross questionnaire. It takes a few minutes: %(link)s"
            )
        subject = _("Questionnaire from the Red Cross")
        return str(subject), str(body) % {"name": name, "link": link}


def _send(attempt):
    invitation = attempt.invitation
    person = invitation.parent or invitation.volunteer
    subject, body = message_for(invitation, attempt.step)
    if attempt.channel == Channel.SMS:
        try:
            return sms.send_sms(person.phone, body)
        except sms.SmsTemporaryError as error:
            raise TemporaryDeliveryError(type(error).__name__) from error
        except sms.SmsRejected as error:
            raise RejectedDelivery(type(error).__name__) from error
    if attempt.channel == Channel.MAIL:
        try:
            send_mail(subject, body, None, [person.email])
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as error:
            raise RejectedDelivery(type(error).__name__) from error
        except (smtplib.SMTPException, OSError) as error:
            raise TemporaryDeliveryError(type(error).__name__) from error
        return ""
    raise RejectedDelivery(f"no automatic delivery by {attempt.channel}")


def _claim(attempt_id, now):
    lease = now + timedelta(seconds=settings.SURVEY_DELIVERY_LEASE_SECONDS)
    due = Q(status=ContactAttempt.Status.QUEUED) & (Q(retry_at__isnull=True) | Q(retry_at__lte=now))
    expired = Q(status=ContactAttempt.Status.SENDING, lease_until__lte=now)
    return (
        ContactAttempt.objects.filter(pk=attempt_id)
        .filter(due | expired)
        .update(status=ContactAttempt.Status.SENDING, lease_until=lease, tries=F("tries") + 1)
    )


def _finish(attempt, **fields):
    ContactAttempt.objects.filter(pk=attempt.pk).update(lease_until=None, **fields)


def deliver(attempt_id, *, now=None) -> str:
    """Send attempt ``attempt_id`` if it is this call's to send; returns what happened:
    "sent", "to_post", "cancelled", "retry", "failed" or "skipped" (another worker has it,
    or it is done)."""
    from surveys.services import evaluation_allowed

    now = now or timezone.now()
    if not _claim(attempt_id, now):
        return "skipped"
    attempt = ContactAttempt.objects.select_related(
        "invitation__parent__family", "invitation__volunteer"
    ).get(pk=attempt_id)
    invitation = attempt.invitation
    if invitation.status != Invitation.Status.OPEN or not evaluation_allowed(invitation):
        _finish(attempt, status=ContactAttempt.Status.CANCELLED)
        return "cancelled"
    if attempt.channel == Channel.PRINT:
        # A letter with the questionnaire for staff to print and post (surveys.letters).
        _finish(attempt, status=ContactAttempt.Status.TO_POST)
        return "to_post"
    try:
        provider_id = _send(attempt)
    except TemporaryDeliveryError as error:
        tries = attempt.tries
        if tries >= settings.SURVEY_DELIVERY_MAX_TRIES:
            _finish(attempt, status=ContactAttempt.Status.FAILED, error=str(error)[:200])
            logger.warning("attempt %s failed after %s tries: %s", attempt.pk, tries, error)
            return "failed"
        wait = BACKOFF_SECONDS[min(tries, len(BACKOFF_SECONDS)) - 1]
        _finish(
            attempt,
            status=ContactAttempt.Status.QUEUED,
            retry_at=now + timedelta(seconds=wait),
            error=str(error)[:200],
        )
        return "retry"
    except RejectedDelivery as error:
        _finish(attempt, status=ContactAttempt.Status.FAILED, error=str(error)[:200])
        logger.warning("attempt %s rejected: %s", attempt.pk, error)
        return "failed"
    _finish(
        attempt,
        status=ContactAttempt.Status.SENT,
        sent_at=timezone.now(),
        provider_id=str(provider_id or "")[:100],
        error="",
    )
    return "sent"
