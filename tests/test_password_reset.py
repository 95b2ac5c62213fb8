"""Password reset by mail: works, tells nobody whether an address has an account, is
rate limited, links last an hour and work once, other sessions end, and the second
factor is still asked afterwards (ASVS 5.0 6.4.3)."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from familien import account_views
from familien.models import Role
from tests.conftest import login
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"
NEW_PASSWORD = "en helt ny og lang adgangskode"
TOO_MANY = "For mange anmodninger om ny adgangskode"


def ask_for_reset(client, email, **extra):
    return client.post(reverse("password_reset"), {"email": email}, **extra)


def link_in(message):
    return re.search(r"https?://\S+", message.body).group(0)


def test_the_login_page_links_to_the_reset(client):
    page = client.get(reverse("login")).content.decode()
    assert reverse("password_reset") in page
    assert "Glemt din adgangskode?" in page


def test_a_reset_by_mail_sets_a_new_password_and_still_asks_for_the_second_factor(client, settings):
    settings.FAMILIEN_BASE_URL = "https://familien.example.dk"
    user = UserFactory(role=Role.LEADER, email="lene@example.org", full_name="Lene Dahl")
    TOTPDevice.objects.create(user=user, name="app", confirmed=True)

    response = ask_for_reset(client, "Lene@Example.org")
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    [message] = mail.outbox
    assert message.to == ["lene@example.org"]
    assert message.subject == "Ny adgangskode til Familien"
    link = link_in(message)
    assert link.startswith("https://familien.example.dk/konto/ny-adgangskode/")
    assert "Lene" not in message.body

    # The link's token leaves the address bar at once (Django keeps it in the session).
    form_page = client.get(link.removeprefix("https://familien.example.dk"))
    assert form_page.status_code == 302
    assert "set-password" in form_page["Location"]
    saved = client.post(
        form_page["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert saved["Location"] == reverse("password_reset_complete")
    done = client.get(saved["Location"]).content.decode()
    assert "Din adgangskode er ændret" in done

    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD) and not user.check_password(PASSWORD)
    fresh = Client()
    assert fresh.post(reverse("login"), {"username": user.email, "password": NEW_PASSWORD})[
        "Location"
    ] == reverse("home")
    # A new password is no way around the second factor.
    assert fresh.get(reverse("home"))["Location"].startswith(reverse("two_factor_verify"))

    # The link worked once.
    again = Client().get(link.removeprefix("https://familien.example.dk"), follow=True)
    assert "Linket er brugt eller for gammelt" in again.content.decode()


def test_unknown_and_known_addresses_get_the_same_answer(client):
    UserFactory(email="kendt@example.org")
    known = ask_for_reset(client, "kendt@example.org")
    unknown = ask_for_reset(Client(), "ukendt@example.org")
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert len(mail.outbox) == 1  # only the account holder gets a mail
    page = client.get(known["Location"]).content.decode()
    assert "Hører adressen til en konto" in page


def test_a_closed_account_gets_no_mail(client):
    UserFactory(email="lukket@example.org", is_active=False)
    assert ask_for_reset(client, "lukket@example.org")["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


def test_a_link_lasts_an_hour(client, settings, monkeypatch):
    assert settings.PASSWORD_RESET_TIMEOUT == 60 * 60
    user = UserFactory(email="lene@example.org")
    ask_for_reset(client, user.email)
    link = link_in(mail.outbox[0])
    path = link[link.index("/konto/") :]

    now = PasswordResetTokenGenerator()._now()
    monkeypatch.setattr(
        PasswordResetTokenGenerator, "_now", lambda self: now + timedelta(hours=1, seconds=1)
    )
    page = client.get(path, follow=True).content.decode()
    assert "Linket er brugt eller for gammelt" in page
    assert 'name="new_password1"' not in page


def test_a_reset_ends_the_other_sessions(client, world):
    user = world.users["volunteer"]
    other = login(Client(), user)
    assert other.get(reverse("home")).status_code == 200

    ask_for_reset(client, user.email)
    link = link_in(mail.outbox[0])
    form_page = client.get(link[link.index("/konto/") :])
    client.post(
        form_page["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )

    response = other.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_requests_for_one_address_are_limited(client, settings):
    settings.PASSWORD_RESET_LIMIT_PER_EMAIL = 3
    UserFactory(email="lene@example.org")
    for n in range(3):
        # From different client addresses: the per-address limit is not what stops it.
        address = f"10.0.0.{n + 1}"
        assert ask_for_reset(client, "lene@example.org", REMOTE_ADDR=address).status_code == 302
    refused = ask_for_reset(client, "LENE@example.org", REMOTE_ADDR="10.0.0.9")
    assert refused.status_code == 429
    assert TOO_MANY in refused.content.decode()
    assert len(mail.outbox) == 3


def test_requests_from_one_client_address_are_limited(client, settings):
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 3
    for n in range(3):
        assert ask_for_reset(client, f"person{n}@example.org").status_code == 302
    refused = ask_for_reset(client, "person9@example.org")
    assert refused.status_code == 429
    assert TOO_MANY in refused.content.decode()
    # Another client address is not held up.
    assert ask_for_reset(Client(), "person9@example.org", REMOTE_ADDR="10.9.9.9").status_code == 302


def test_a_cache_outage_does_not_stop_resets(client, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(account_views, "get_usage", broken)
    UserFactory(email="lene@example.org")
    assert ask_for_reset(client, "lene@example.org").status_code == 302
    assert len(mail.outbox) == 1


def test_a_bad_address_gets_a_danish_message_not_an_error(client):
    response = ask_for_reset(client, "ikke en adresse")
    assert response.status_code == 200
    assert "Indtast en gyldig e-mail-adresse" in response.content.decode()
