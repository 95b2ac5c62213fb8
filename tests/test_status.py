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
