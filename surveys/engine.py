"""The survey engine: the database says what is due, a tick claims it (issue 6 item 5;
docs/architecture.md, "Background work"; report Bilag 2 for the chain).

``run_due(now=…)`` is the whole engine for one moment:

1. create the follow-up surveys that fell due (surveys.services.dispatch_follow_up_surveys);
2. claim the open invitations whose next automatic step is due, in batches, with
   ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL (SQLite serialises writers), write one
   ContactAttempt per message under a unique key, move each invitation to its next step,
   all in one transaction, and hand the attempts' ids to the delivery task after commit;
3. hand out again what a worker left behind: queued attempts whose retry time came or
   whose message was lost, and "sending" ones whose lease ran out (a worker killed
   mid-send). Delivery claims each row before sending, so nothing goes out twice.

No step waits in the broker: every time here is a row, so a flushed Redis or a stopped
worker delays a message by one tick, never loses it. ``manage.py run_due --at …`` runs
the same function for any moment.
"""

import logging
from collections import defaultdict
from datetime import datetime, time, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from surveys.models import Channel, ContactAttempt, Invitation, Step

logger = logging.getLogger(__name__)

AUTOMATIC_STEPS = (Step.INVITE, Step.SMS_REMINDER, Step.MAIL_REMINDER)
# Ids per delivery task: one Celery message per attempt is slow (about 310 a second here,
# docs/performance.md), a batch keeps the worker busy without holding rows for long.
DELIVERY_CHUNK = 100


def at_send_hour(day, *, hour=None):
    """``day`` at SURVEY_SEND_HOUR local time, as an aware datetime. Counted in local
    days, so a reminder a week after an invitation keeps its hour across a change to or
    from daylight-saving time."""
    hour = settings.SURVEY_SEND_HOUR if hour is None else hour
    return timezone.make_aware(datetime.combine(day, time(hour)))


def step_after(step, *, invited_on):
    """The step that follows ``step`` and when it is due (DOMAIN.md §14: an sms after one
    week, a mail after two, personal contact after about three)."""
    if step == Step.INVITE:
        days = settings.SURVEY_SMS_REMINDER_DAYS
        return Step.SMS_REMINDER, at_send_hour(invited_on + timedelta(days=days))
    if step == Step.SMS_REMINDER:
        days = settings.SURVEY_MAIL_REMINDER_DAYS
        return Step.MAIL_REMINDER, at_send_hour(invited_on + timedelta(days=days))
    days = settings.SURVEY_CALL_AFTER_DAYS
    return Step.CALL, at_send_hour(invited_on + timedelta(days=days))


def contact_of(invitation):
    """(phone, e-mail, preferred channel) of the invitation's respondent."""
    person = invitation.parent or invitation.volunteer
    if person is None:
        return "", "", ""
    preferred = getattr(person, "preferred_channel", "") or ""
    return person.phone or "", person.email or "", preferred


def channels_for(invitation, step):
    """The channels a step goes out on. The invitation follows the respondent's wish
    (sms and/or mail, or a letter); the sms reminder goes by mail to someone without a
    phone, the mail reminder by sms to someone without an address, and someone with
    neither gets letters (issue 6 item 4)."""
    phone, email, preferred = contact_of(invitation)
    if not phone and not email:
        return [Channel.PRINT]
    if step == Step.INVITE:
        wanted = {
            "sms": [Channel.SMS],
            "mail": [Channel.MAIL],
            "both": [Channel.SMS, Channel.MAIL],
            "print": [Channel.PRINT],
        }.get(preferred, [Channel.SMS, Channel.MAIL])
        usable = [
            c
            for c in wanted
            if c == Channel.PRINT or (c == Channel.SMS and phone) or (c == Channel.MAIL and email)
        ]
        return usable or [Channel.SMS if phone else Channel.MAIL]
    if step == Step.SMS_REMINDER:
        return [Channel.SMS if phone else Channel.MAIL]
    return [Channel.MAIL if email else Channel.SMS]


def _advance(invitation, *, now, made):
    """Count the attempts just made and move to the next step; stop when they run out."""
    invitation.attempts += made
    if invitation.next_step == Step.INVITE or invitation.invited_on is None:
        invitation.invited_on = timezone.localdate(now)
    step, due = step_after(invitation.next_step, invited_on=invitation.invited_on)
    if invitation.attempts >= settings.SURVEY_MAX_ATTEMPTS:
        invitation.status = Invitation.Status.NON_RESPONSE
        invitation.next_step, invitation.next_step_at = Step.DONE, None
        invitation.closed_at = now
    else:
        if due <= now:
            # Caught up after downtime: the missed step went now, the next one waits a
            # day, so nobody gets an sms and a mail in the same minute.
            due = at_send_hour(timezone.localdate(now) + timedelta(days=1))
        invitation.next_step, invitation.next_step_at = step, due


# What a claim reads: the chain's fields, the respondent's contact and wish, the
# family's consent (building every field of four wide models cost more than the claim).
CLAIM_FIELDS = (
    "status",
    "next_step",
    "next_step_at",
    "attempts",
    "invited_on",
    "closed_at",
    "parent_id",
    "volunteer_id",
    "parent__phone",
    "parent__email",
    "parent__preferred_channel",
    "parent__family__evaluation_consent",
    "volunteer__phone",
    "volunteer__email",
)


def claim_due_steps(*, now, limit=None):
    """Claim up to ``limit`` due automatic steps in one transaction; returns how many
    invitations it took and the ids of the attempts created (their delivery is enqueued
    after commit)."""
    limit = limit or settings.SURVEY_BATCH_SIZE
    with transaction.atomic():
        # The lock takes the due rows in the index's order alone; their respondents are
        # read by id next. One query with the joins would join every due row before
        # sorting and cutting (100,000 rows for each batch of 500 after downtime).
        ids = list(
            Invitation.objects.select_for_update(skip_locked=True)
            .filter(
                status=Invitation.Status.OPEN,
                next_step__in=AUTOMATIC_STEPS,
                next_step_at__lte=now,
            )
            .order_by("next_step_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        if not ids:
            return 0, []
        invitations = list(
            Invitation.objects.filter(pk__in=ids)
            .select_related("parent__family", "volunteer")
            .only(*CLAIM_FIELDS)
            .order_by("next_step_at", "pk")
        )
        from surveys.services import evaluation_allowed, opted_out_among

        opted_out = opted_out_among(invitations)
        attempts, keys = [], []
        for invitation in invitations:
            if not evaluation_allowed(invitation, opted_out=opted_out):
                invitation.status = Invitation.Status.CANCELLED
                invitation.next_step, invitation.next_step_at = Step.DONE, None
                invitation.closed_at = now
                continue
            channels = channels_for(invitation, invitation.next_step)
            for channel in channels:
                key = f"{invitation.pk}:{invitation.next_step}:{channel}"
                keys.append(key)
                attempts.append(
                    ContactAttempt(
                        invitation=invitation,
                        key=key,
                        step=invitation.next_step,
                        channel=channel,
                        created_at=now,
                    )
                )
            _advance(invitation, now=now, made=len(channels))
        # The unique key makes a second claim of the same step write nothing.
        ContactAttempt.objects.bulk_create(attempts, ignore_conflicts=True)
        _save_moves(invitations)
        ids = list(
            ContactAttempt.objects.filter(
                key__in=keys, status=ContactAttempt.Status.QUEUED
            ).values_list("pk", flat=True)
        )
        _enqueue_after_commit(ids)
    return len(invitations), ids


MOVED_FIELDS = ("status", "next_step", "next_step_at", "attempts", "invited_on", "closed_at")


def _save_moves(invitations):
    """Write the invitations' new step: one UPDATE per set of equal values. A batch has
    few (the same step, the same day, one or two attempts), and Django's bulk_update
    would build a CASE of every row for every field, which costs more than the rest of
    the claim."""
    groups = defaultdict(list)
    for invitation in invitations:
        values = tuple(getattr(invitation, field) for field in MOVED_FIELDS)
        groups[values].append(invitation.pk)
    for values, pks in groups.items():
        Invitation.objects.filter(pk__in=pks).update(**dict(zip(MOVED_FIELDS, values, strict=True)))


def stale_deliveries(*, now):
    """Attempts to hand out again: queued ones whose retry time came or that were lost
    (no worker took them within SURVEY_LOST_AFTER_SECONDS: a flushed or restarted broker),
    and sending ones whose lease ran out."""
    lost_after = timedelta(seconds=settings.SURVEY_LOST_AFTER_SECONDS)
    return ContactAttempt.objects.filter(
        Q(status=ContactAttempt.Status.QUEUED, retry_at__lte=now)
        | Q(
            status=ContactAttempt.Status.QUEUED,
            retry_at__isnull=True,
            created_at__lte=now - lost_after,
        )
        | Q(status=ContactAttempt.Status.SENDING, lease_until__lte=now)
    )


def requeue_stale_deliveries(*, now, limit=None):
    limit = limit or settings.SURVEY_BATCH_SIZE
    ids = list(stale_deliveries(now=now).order_by("pk").values_list("pk", flat=True)[:limit])
    _enqueue(ids)
    return ids


def _enqueue(ids):
    from surveys.tasks import deliver_attempts

    for start in range(0, len(ids), DELIVERY_CHUNK):
        deliver_attempts.delay(ids[start : start + DELIVERY_CHUNK])


def _enqueue_after_commit(ids):
    if ids:
        transaction.on_commit(partial(_enqueue, ids))


def run_due(*, now=None, max_batches=None) -> dict:
    """The engine for the moment ``now``: new follow-up surveys, every due step (batch
    after batch until none is left or ``max_batches`` ran), then stale deliveries."""
    from surveys.services import dispatch_follow_up_surveys

    now = now or timezone.now()
    created = dispatch_follow_up_surveys(today=timezone.localdate(now))
    attempts = 0
    batches = 0
    while max_batches is None or batches < max_batches:
        taken, ids = claim_due_steps(now=now)
        if not taken:
            break
        attempts += len(ids)
        batches += 1
    requeued = requeue_stale_deliveries(now=now)
    counts = {"follow_up_surveys": len(created), "attempts": attempts, "requeued": len(requeued)}
    logger.info("survey engine at %s: %s", now.isoformat(), counts)
    return counts
