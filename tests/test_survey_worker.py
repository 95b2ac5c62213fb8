"""The survey chain with a real Celery worker on the configured broker (Redis in CI): days
0, 7, 14 and 21 give exactly one invitation, one sms, one mail and one call; a worker
killed and started again, and ticks run twice, lose nothing and send nothing twice."""

import json
import uuid
from datetime import date, datetime, timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from familien.models import ConsentState
from surveys import engine, services
from surveys.models import (
    Channel,
    ContactAttempt,
    Invitation,
    Step,
)
from tests.factories import (
    FamilyFactory,
    MatchFactory,
    ParentFactory,
    SupportRequestFactory,
    one_question_questionnaire,
)
from tests.test_celery_worker import start, wait_for

DAY0 = date(2027, 2, 1)
WORKER = ["worker", "--pool=solo", "--without-gossip", "--without-mingle", "-l", "INFO"]


def at(day, hour=9):
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def start_worker(tmp_path, name):
    """A worker on this process's default queue, writing sms to a file and mail to a
    folder, so the test can count what really went out."""
    import os

    os.environ["TEST_SMS_BACKEND"] = "familien.sms.FileBackend"
    os.environ["SMS_FILE_PATH"] = str(tmp_path / "sms")
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.filebased.EmailBackend"
    os.environ["EMAIL_FILE_PATH"] = str(tmp_path / "mail")
    try:
        return start(WORKER, tmp_path, name, settings.CELERY_TASK_DEFAULT_QUEUE)
    finally:
        for key in ("TEST_SMS_BACKEND", "SMS_FILE_PATH", "EMAIL_BACKEND", "EMAIL_FILE_PATH"):
            os.environ.pop(key)


def stop(process, log, *, kill=False):
    if kill:
        process.kill()
    else:
        process.terminate()
    process.wait(timeout=20)
    log.close()


def sms_sent(tmp_path):
    path = tmp_path / "sms" / "outbox.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


def mail_sent(tmp_path):
    folder = tmp_path / "mail"
    return sorted(folder.iterdir()) if folder.exists() else []


def settled():
    return not ContactAttempt.objects.filter(
        status__in=[ContactAttempt.Status.QUEUED, ContactAttempt.Status.SENDING]
    ).exists()


@pytest.fixture
def invitation(transactional_db):
    one_question_questionnaire(f"worker-{uuid.uuid4().hex[:6]}")
    family = FamilyFactory(evaluation_consent=ConsentState.GIVEN)
    parent = ParentFactory(
        family=family, first_name="Mette", phone="+4520304050", email="m@example.dk"
    )
    match = MatchFactory(
        family=family,
        request=SupportRequestFactory(family=family, for_parent=parent),
        started_on=DAY0,
    )
    return services.dispatch_pre_survey(match, today=DAY0)


@pytest.mark.celery_worker
def test_the_chain_with_a_real_worker_exactly_once(invitation, tmp_path):
    worker = start_worker(tmp_path, "worker")
    try:
        # Day 0, the tick twice: one invitation.
        engine.run_due(now=at(DAY0))
        engine.run_due(now=at(DAY0))
        assert wait_for(lambda: len(sms_sent(tmp_path)) == 1 and settled(), 30)
        # Day 7: the worker is killed; the tick queues the sms reminder meanwhile.
        stop(*worker, kill=True)
        engine.run_due(now=at(DAY0 + timedelta(days=7)))
        assert ContactAttempt.objects.filter(status=ContactAttempt.Status.QUEUED).count() == 1
        worker = start_worker(tmp_path, "worker-again")
        assert wait_for(lambda: len(sms_sent(tmp_path)) == 2 and settled(), 30)
        # Day 14 twice: one mail. Day 21: a call for a person, nothing sent.
        engine.run_due(now=at(DAY0 + timedelta(days=14)))
        engine.run_due(now=at(DAY0 + timedelta(days=14), 10))
        assert wait_for(lambda: len(mail_sent(tmp_path)) == 1 and settled(), 30)
        engine.run_due(now=at(DAY0 + timedelta(days=21)))
        engine.run_due(now=at(DAY0 + timedelta(days=21), 10))
    finally:
        stop(*worker)
    invitation.refresh_from_db()
    attempts = list(
        invitation.contact_attempts.order_by("pk").values_list("step", "channel", "status")
    )
    assert attempts == [
        (Step.INVITE, Channel.SMS, ContactAttempt.Status.SENT),
        (Step.SMS_REMINDER, Channel.SMS, ContactAttempt.Status.SENT),
        (Step.MAIL_REMINDER, Channel.MAIL, ContactAttempt.Status.SENT),
    ]
    assert (invitation.next_step, invitation.status) == (Step.CALL, Invitation.Status.OPEN)
    assert len(sms_sent(tmp_path)) == 2 and len(mail_sent(tmp_path)) == 1
    assert all("/s/" in message["body"] for message in sms_sent(tmp_path))


@pytest.mark.celery_worker
def test_a_delivery_left_sending_by_a_killed_worker_goes_out_once(invitation, tmp_path):
    """The worker died after claiming the row and before sending: after the lease the
    next tick hands it out again, and it is sent once."""
    _taken, (attempt_id,) = engine.claim_due_steps(now=at(DAY0))
    # The worker runs on the real clock: the lease ran out a minute ago.
    now = timezone.now()
    ContactAttempt.objects.filter(pk=attempt_id).update(
        status=ContactAttempt.Status.SENDING, tries=1, lease_until=now - timedelta(minutes=1)
    )
    worker = start_worker(tmp_path, "worker")
    try:
        assert engine.run_due(now=now)["requeued"] == 1
        assert wait_for(lambda: len(sms_sent(tmp_path)) == 1 and settled(), 30)
        assert engine.run_due(now=now + timedelta(minutes=10))["requeued"] == 0
    finally:
        stop(*worker)
    attempt = ContactAttempt.objects.get(pk=attempt_id)
    assert (attempt.status, attempt.tries) == (ContactAttempt.Status.SENT, 2)
    assert len(sms_sent(tmp_path)) == 1
