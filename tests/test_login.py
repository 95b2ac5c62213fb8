import pytest
from django.urls import reverse

from familien.models import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


def test_login_with_email_is_case_insensitive(client):
    UserFactory(email="lene@example.org", role=Role.VOLUNTEER)
    response = client.post(reverse("login"), {"username": "Lene@Example.org", "password": PASSWORD})
    assert response.status_code == 302
    # Logged in: on to the second factor, not back to the login page.
    assert client.get(reverse("home"))["Location"].startswith(reverse("two_factor_setup"))


def test_wrong_password_gets_a_danish_message(client):
    UserFactory(email="lene@example.org")
    response = client.post(reverse("login"), {"username": "lene@example.org", "password": "nope"})
    assert response.status_code == 200
    assert "E-mail eller adgangskode er forkert." in response.content.decode()


def test_login_page_is_danish_by_default_and_english_on_request(client):
    assert 'lang="da"' in client.get(reverse("login")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("login")).content.decode()
    assert 'lang="en"' in page
    assert "Log in" in page


def test_five_failures_lock_the_account_from_that_address(client, settings):
    user = UserFactory(email="lene@example.org", role=Role.VOLUNTEER)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": user.email, "password": "wrong"})
    # Even the right password is refused now.
    locked = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert locked.status_code == 429
    assert "For mange forsøg" in locked.content.decode()
    assert client.get(reverse("home")).status_code == 302


def test_logout_is_post_only_and_ends_the_session(client):
    client.force_login(UserFactory(role=Role.VOLUNTEER))
    assert client.get(reverse("logout")).status_code == 405
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


def test_an_english_browser_still_gets_danish_until_the_switch_is_used(client):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="da"' in page
    assert "Log ind" in page
