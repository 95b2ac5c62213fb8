"""Sessions end (ASVS 4.0.3 3.3.2, 5.0 7.3/7.4): 12 hours after the login however active,
on logout on the server too, and when the account is closed. The idle timeout is in
test_session_refresh.py. Time is moved, never waited for."""

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from familien import middleware
from familien.models import Role
from tests.conftest import login
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


def move_clock(monkeypatch, seconds):
    later = middleware.time.time() + seconds
    monkeypatch.setattr(middleware.time, "time", lambda: later)


def session_key(client):
    return client.cookies[django_settings.SESSION_COOKIE_NAME].value


def test_the_login_stamps_the_start_of_the_session(client):
    user = UserFactory(role=Role.VOLUNTEER)
    before = int(middleware.time.time())
    client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert before <= client.session[middleware.SESSION_STARTED_KEY] <= before + 5


def test_a_session_ends_twelve_hours_after_the_login_however_active(client, monkeypatch):
    assert django_settings.SESSION_MAX_AGE_SECONDS == 12 * 60 * 60
    login(client, UserFactory(role=Role.LEADER))
    home = reverse("home")
    assert client.get(home).status_code == 200  # the first page stamps the start
    key = session_key(client)

    move_clock(monkeypatch, 12 * 60 * 60 - 60)
    assert client.get(home).status_code == 200

    move_clock(monkeypatch, 61)
    response = client.get(home)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    # Ended on the server: the old session is gone, not merely forgotten by the browser.
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get(home).status_code == 302


def test_logout_ends_the_session_on_the_server(client):
    login(client, UserFactory(role=Role.FOLLOWUP))
    assert client.get(reverse("home")).status_code == 200
    key = session_key(client)

    client.post(reverse("logout"))

    assert not Session.objects.filter(session_key=key).exists()
    # A copy of the old cookie opens nothing.
    thief = Client()
    thief.cookies[django_settings.SESSION_COOKIE_NAME] = key
    assert thief.get(reverse("home")).status_code == 302


def test_closing_an_account_ends_its_sessions(client):
    user = UserFactory(role=Role.VOLUNTEER)
    login(client, user)
    assert client.get(reverse("home")).status_code == 200

    # What the admin's change form does when "active" is unticked.
    user.is_active = False
    user.save()

    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_new_password_ends_the_other_sessions(client):
    user = UserFactory(role=Role.EVALUATOR)
    login(client, user)
    assert client.get(reverse("home")).status_code == 200

    user.set_password("en anden lang adgangskode")
    user.save()

    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))


def test_sessions_end_with_the_browser_and_scripts_cannot_read_the_cookie():
    assert django_settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert django_settings.SESSION_COOKIE_HTTPONLY
    assert django_settings.SESSION_COOKIE_AGE == 30 * 60
