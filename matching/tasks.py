"""Messages about proposed matches, sent after commit with ids only (issue 4 item 8).

Each channel is claimed with a marker event in the match's log under a row lock, so a
task that runs twice (a retry, a redelivered message) sends once. A failed send releases
its claim and the task retries a bounded number of times.
"""

import logging
from smtplib import SMTPException

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from familien import sms
from matching import lifecycle
from matching.models import Match, MatchEvent

logger = logging.getLogger(__name__)


def proposal_message(match):
    """What the volunteer needs to decide, and nothing sensitive: the programme, the
    branch, the family's town and how many children; no names, addresses or notes
    (background/reliability-security-performance.md §1.5). Danish; returns (subject, body)."""
    link = settings.FAMILIEN_BASE_URL + reverse("match_detail", kwargs={"pk": match.pk})
    children = match.family.children.count()
    with translation.override("da"):
        subject = gettext("Familien i Fokus: a family for you?")
        body = gettext(
            "Hi. %(branch)s would like to suggest you as %(programme)s for a family in "
            "%(town)s with %(children)s child(ren). Your activity leader will contact you. "
            "Read more in Familien: %(link)s"
        ) % {
            "branch": match.family.branch.name,
            "programme": match.get_programme_display().lower(),
            "town": match.family.city or gettext("your area"),
            "children": children,
            "link": link,
        }
    return subject, body


def _claim(match_pk, marker):
    """Record ``marker`` for the match once; returns the match, or None when it was
    already claimed or the match is no longer waiting for the volunteer's answer."""
    with transaction.atomic():
        match = (
            Match.objects.select_for_update()
            .select_related("family__branch", "volunteer")
            .filter(pk=match_pk)
            .first()
        )
        if match is None or match.status not in (
            Match.Status.PROPOSED,
            Match.Status.VOLUNTEER_ASKED,
        ):
            return None
        if MatchEvent.objects.filter(match=match, note=marker).exists():
            return None
        MatchEvent.objects.create(
            match=match,
            from_status=match.status,
            to_status=match.status,
            at=timezone.now(),
            by=None,
            note=marker,
        )
    return match


def _release(match_pk, marker):
    MatchEvent.objects.filter(match_id=match_pk, note=marker).delete()


def send_proposal_to_volunteer(match_pk):
    """Send the proposal by mail and sms, each once; returns the channels sent now."""
    sent = []
    volunteer = Match.objects.select_related("volunteer").get(pk=match_pk).volunteer
    if volunteer.email:
        match = _claim(match_pk, lifecycle.NOTIFIED_MAIL)
        if match is not None:
            subject, body = proposal_message(match)
            try:
                send_mail(subject, body, None, [volunteer.email])
            except Exception:
                _release(match_pk, lifecycle.NOTIFIED_MAIL)
                raise
            sent.append("mail")
    if volunteer.phone:
        match = _claim(match_pk, lifecycle.NOTIFIED_SMS)
        if match is not None:
            _subject, body = proposal_message(match)
            try:
                sms.send_sms(volunteer.phone, body)
            except sms.SmsRejected:
                # Retrying will not help; the claim stays so it is not tried again.
                logger.warning("sms about match %s was rejected by the gateway", match_pk)
            except Exception:
                _release(match_pk, lifecycle.NOTIFIED_SMS)
                raise
            else:
                sent.append("sms")
    return sent


@shared_task(
    autoretry_for=(SMTPException, OSError, sms.SmsTemporaryError),
    max_retries=5,
    retry_backoff=True,
    # Short, bounded waits only (STYLE.md §13).
    retry_backoff_max=300,
    retry_jitter=True,
)
def notify_volunteer_of_proposal(match_pk):
    """Tell the volunteer they are proposed for a family (issue 4 item 8); safe to run
    twice."""
    if not Match.objects.filter(pk=match_pk).exists():
        return []
    sent = send_proposal_to_volunteer(match_pk)
    logger.info("match %s: volunteer told by %s", match_pk, ", ".join(sent) or "nothing new")
    return sent
