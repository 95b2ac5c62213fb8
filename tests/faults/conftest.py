"""Fixtures of the fault tests (tests/faults/harness.py has the fakes and processes)."""

import os
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from familien.models import ConsentState
from surveys import services
from surveys.models import (
    ContactAttempt,
    Invitation,
    SurveyKind,
)
from tests.factories import (
    FamilyFactory,
    MatchFactory,
    ParentFactory,
    SupportRequestFactory,
    one_question_questionnaire,
)
from tests.faults.harness import FakeGateway, FakeSmtp, FaultTable, Processes, RedisServer
from tests.test_celery_worker import database_url

TABLE = FaultTable()


def pytest_terminal_summary(terminalreporter):
    if not TABLE.rows:
        return
    text = TABLE.markdown()
    path = Path(
        os.environ.get("FAULTS_REPORT", django_settings.BASE_DIR / "data" / "faults-report.md")
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("# Fault table\n\n" + text, encoding="utf-8")
    terminalreporter.write_sep("=", f"fault table (also in {path})")
    terminalreporter.write(text)


@pytest.fixture
def fault_table():
    return TABLE


@pytest.fixture
def gateway():
    fake = FakeGateway()
    yield fake
    fake.close()


@pytest.fixture
def smtp():
    fake = FakeSmtp()
    yield fake
    fake.close()


@pytest.fixture
def http_delivery(settings, gateway, smtp):
    """This process delivers through the fake gateway and the fake mail server."""
    settings.SMS_BACKEND = "familien.sms.HttpGatewayBackend"
    settings.SMS_GATEWAY_URL = gateway.url
    settings.SMS_GATEWAY_TIMEOUT = 1
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 2
    return gateway, smtp


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    yield server
    server.stop()


@pytest.fixture
def processes(tmp_path, redis_server, gateway, smtp, settings):
    """Worker and beat processes on our own Redis and the test database, sending through
    the fakes, with the engine's waits cut to seconds (a tick a second, a lease of six)."""
    env = {
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": redis_server.url,
        "CELERY_QUEUE": f"faults-{uuid.uuid4().hex[:8]}",
        "TEST_SMS_BACKEND": "familien.sms.HttpGatewayBackend",
        "SMS_GATEWAY_URL": gateway.url,
        "SMS_GATEWAY_TIMEOUT": "1",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp.port),
        "EMAIL_USE_TLS": "0",
        "EMAIL_TIMEOUT": "2",
        "HEARTBEAT_SECONDS": "1",
        "SURVEY_TICK_SECONDS": "1",
        "SURVEY_DELIVERY_LEASE_SECONDS": "6",
        "SURVEY_LOST_AFTER_SECONDS": "3",
    }
    # This process reads the heartbeats with the processes' interval.
    settings.HEARTBEAT_SECONDS = 1
    group = Processes(tmp_path, env)
    group.queue = env["CELERY_QUEUE"]
    yield group
    group.stop_all()


@pytest.fixture
def publish_to(redis_server, monkeypatch):
    """Point this process's Celery app at our own Redis (what the engine enqueues here
    goes there), and back afterwards."""
    from familien.celery import app

    saved = app.conf.broker_url

    def repoint(url, queue):
        # Celery reads CELERY_BROKER_URL from the environment before its own setting (CI
        # sets it): point both at the same server.
        monkeypatch.setenv("CELERY_BROKER_URL", url)
        app.conf.broker_url = url
        app.conf.task_default_queue = queue
        app._pool = None
        app.amqp._producer_pool = None
        app.amqp.__dict__.pop("queues", None)
        app.amqp.__dict__.pop("router", None)

    yield lambda queue: repoint(redis_server.url, queue)
    repoint(saved, django_settings.CELERY_TASK_DEFAULT_QUEUE)


@pytest.fixture
def tick(monkeypatch, django_capture_on_commit_callbacks):
    """tick(now): the engine at ``now`` with this process as the worker: what a tick
    enqueues is delivered at once, at the same moment."""
    from surveys import delivery, engine
    from surveys.tasks import deliver_attempts

    clock = {}
    monkeypatch.setattr(
        deliver_attempts, "delay", lambda ids: delivery.deliver_many(list(ids), now=clock["now"])
    )

    def run(now):
        clock["now"] = now
        with django_capture_on_commit_callbacks(execute=True):
            return engine.run_due(now=now)

    return run


@pytest.fixture
def questionnaire(db):
    return one_question_questionnaire(
        f"faults-{uuid.uuid4().hex[:6]}", published_at=timezone.now() - timedelta(days=1)
    )


@pytest.fixture
def due_invitations(questionnaire):
    """make(n): n parents' invitations due now, each by sms and by mail (two keys each)."""

    def make(count, *, channel="both", due=None):
        made = []
        for index in range(count):
            family = FamilyFactory(evaluation_consent=ConsentState.GIVEN)
            parent = ParentFactory(
                family=family,
                first_name="Mette",
                phone=f"+4520{index:06d}",
                email=f"parent{index}@example.dk",
                preferred_channel=channel,
            )
            match = MatchFactory(
                family=family,
                request=SupportRequestFactory(family=family, for_parent=parent),
                started_on=timezone.localdate(),
            )
            made.append(
                services._invite(
                    match,
                    kind=SurveyKind.PRE,
                    parent=parent,
                    now=due or timezone.now() - timedelta(minutes=1),
                    questionnaire=questionnaire,
                )
            )
        return made

    return make


def expected_keys(invitations, step="invite", channels=("sms", "mail")):
    return {
        f"{invitation.pk}:{step}:{channel}" for invitation in invitations for channel in channels
    }


def unfinished():
    """Attempts without an outcome yet (queued or sending)."""
    return ContactAttempt.objects.filter(
        status__in=[ContactAttempt.Status.QUEUED, ContactAttempt.Status.SENDING]
    ).count()


def open_invitations():
    return Invitation.objects.filter(status=Invitation.Status.OPEN).count()
