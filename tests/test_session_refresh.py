"""The idle timeout without a write per request (familien.middleware.
IdleSessionRefreshMiddleware): a page within a minute of the last save writes nothing to
the session table; after a minute the expiry moves forward; an idle session still ends."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from familien import middleware
from familien.models import Role
from tests.conftest import login
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def session_writes(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [
        q["sql"]
        for q in captured
        if q["sql"].startswith(("UPDATE", "INSERT")) and "django_session" in q["sql"]
    ]


@pytest.fixture
def leader_client(client):
    return login(client, UserFactory(role=Role.LEADER))


def test_pages_within_a_minute_write_no_session(leader_client):
    home = reverse("home")
    session_writes(leader_client, home)  # the first page after login stamps the session

    assert session_writes(leader_client, home) == []
    assert session_writes(leader_client, home) == []


def test_after_a_minute_the_expiry_moves_forward(leader_client, monkeypatch, settings):
    home = reverse("home")
    session_writes(leader_client, home)
    key = leader_client.session.session_key
    before = Session.objects.get(session_key=key).expire_date
    later = middleware.time.time() + settings.SESSION_REFRESH_SECONDS
    monkeypatch.setattr(middleware.time, "time", lambda: later)

    assert len(session_writes(leader_client, home)) == 1

    assert Session.objects.get(session_key=key).expire_date > before


def test_an_idle_session_still_ends(leader_client):
    home = reverse("home")
    session_writes(leader_client, home)
    Session.objects.filter(session_key=leader_client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )

    response = leader_client.get(home)

    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_a_visitor_without_a_session_gets_none(client):
    assert client.get(reverse("login")).status_code == 200
    assert Session.objects.count() == 0
