from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from familien.models import Heartbeat
from tests.conftest import login


@pytest.mark.django_db
def test_healthz_reports_every_part_ok(client):
    now = timezone.now()
    Heartbeat.objects.create(source="beat", seen_at=now)
    Heartbeat.objects.create(source="worker", seen_at=now)
    data = client.get(reverse("healthz")).json()
    assert data["status"] == "ok"
    assert {data[k]["status"] for k in ("database", "broker", "beat", "worker")} == {"ok"}


@pytest.mark.django_db
def test_healthz_fails_when_the_worker_is_silent(client, settings):
    now = timezone.now()
    Heartbeat.objects.create(source="beat", seen_at=now)
    Heartbeat.objects.create(
        source="worker", seen_at=now - timedelta(seconds=4 * settings.HEARTBEAT_SECONDS)
    )
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["worker"]["status"] == "failing"
    assert response.json()["beat"]["status"] == "ok"
    # The web container's own check looks at the database only.
    assert client.get(reverse("healthz") + "?checks=database").status_code == 200


@pytest.mark.django_db
def test_healthz_fails_when_beat_never_ran(client):
    data = client.get(reverse("healthz")).json()
    assert data["beat"] == {"status": "failing", "detail": "never seen"}


def test_broker_check_fails_for_an_unreachable_broker():
    from familien import status

    assert status.check_broker().ok
    check = status.check_broker("redis://127.0.0.1:1/0")
    assert not check.ok
    assert check.detail.startswith("redis")


def test_status_page_shows_a_failing_worker_to_the_administrator(world, client, settings):
    Heartbeat.objects.filter(source="worker").update(seen_at=timezone.now() - timedelta(minutes=10))
    login(client, world.users["admin"])
    page = client.get(reverse("system_status")).content.decode()
    assert 'data-check="worker"' in page
    worker_row = page.split('data-check="worker"')[1].split("</tr>")[0]
    assert "Fejler" in worker_row
    beat_row = page.split('data-check="beat"')[1].split("</tr>")[0]
    assert "OK" in beat_row


def attempt(invitation, channel, state, *, error="", tries=1, created=None, retry_at=None):
    from surveys.models import ContactAttempt

    return ContactAttempt.objects.create(
        invitation=invitation,
        key=f"{invitation.pk}:{ContactAttempt.objects.count()}:{channel}",
        step="invite",
        channel=channel,
        status=state,
        tries=tries,
        error=error,
        created_at=created or timezone.now(),
        retry_at=retry_at,
    )


@pytest.fixture
def invitation(db):
    from familien.models import Programme
    from surveys.models import Invitation, Questionnaire, Respondent
    from tests.factories import MatchFactory, ParentFactory

    match = MatchFactory()
    questionnaire = Questionnaire.objects.create(
        code="status-test",
        version=99,
        respondent=Respondent.PARENT,
        programme=Programme.FAMILY_FRIEND,
        title_da="Test",
        title_en="Test",
        published_at=timezone.now(),
    )
    return Invitation.objects.create(
        questionnaire=questionnaire,
        kind="pre",
        match=match,
        parent=ParentFactory(family=match.family),
        token_salt="s",
        token_hash=f"h{match.pk}",
        next_step="sms_reminder",
        next_step_at=timezone.now() + timedelta(days=7),
    )


def test_the_sms_check_fails_while_the_latest_attempts_fail_and_clears_on_a_success(invitation):
    from familien import status

    assert status.check_channel("sms").ok
    attempt(invitation, "sms", "sent")
    attempt(invitation, "sms", "queued", error="SmsTemporaryError: gateway answered 500")
    assert status.check_channel("sms").ok  # one failure is not yet a failing gateway
    attempt(invitation, "sms", "failed", error="SmsTemporaryError: gateway answered 500")
    check = status.check_channel("sms")
    assert not check.ok and "gateway answered 500" in check.detail
    # The mail server is judged on its own messages.
    assert status.check_channel("mail").ok
    attempt(invitation, "sms", "sent")
    assert status.check_channel("sms").ok


def test_the_overdue_check_fails_for_a_step_or_a_message_late_by_a_quarter_hour(
    invitation, settings
):
    from familien import status

    now = timezone.now()
    assert status.check_overdue_steps(now=now).ok
    late = now - timedelta(minutes=settings.SURVEY_OVERDUE_MINUTES + 1)
    # A message waiting for its retry time is not late; one nobody took is.
    attempt(invitation, "sms", "queued", created=late, retry_at=now + timedelta(seconds=30))
    assert status.check_overdue_steps(now=now).ok
    stuck = attempt(invitation, "mail", "sending", created=late)
    check = status.check_overdue_steps(now=now)
    assert not check.ok and check.seen_at == stuck.created_at
    stuck.delete()
    invitation.next_step_at = late
    invitation.save()
    assert not status.check_overdue_steps(now=now).ok


def test_two_beat_processes_show_as_two_schedulers(db, settings):
    from familien import status

    now = timezone.now()
    # (record_beat_instance closes stale connections first, as a long-lived beat must;
    # inside a test's transaction that would close the test's own.)
    Heartbeat.objects.create(source=status.beat_instance_source(), seen_at=now)
    assert status.check_beat_schedulers(now=now).ok
    Heartbeat.objects.create(source="beat:0000feed", seen_at=now, detail="other-host:42")
    check = status.check_beat_schedulers(now=now)
    assert not check.ok and check.detail.startswith("2")
    # A beat that stopped long ago no longer counts; one that stops cleanly removes its row.
    Heartbeat.objects.filter(source="beat:0000feed").update(
        seen_at=now - timedelta(seconds=4 * settings.HEARTBEAT_SECONDS)
    )
    assert status.check_beat_schedulers(now=now).ok
    status.forget_beat_instance()
    assert status.check_beat_schedulers(now=now).detail.startswith("0")


def test_the_status_page_reads_all_its_checks_in_few_queries(
    world, client, django_assert_max_num_queries
):
    from familien import status

    with django_assert_max_num_queries(3):
        checks = status.system_status(
            ["database", "beat", "worker", "schedulers", "sms", "mail", "overdue"]
        )
    assert [c.name for c in checks] == [
        "database",
        "beat",
        "worker",
        "schedulers",
        "sms",
        "mail",
        "overdue",
    ]
