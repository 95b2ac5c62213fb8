import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from familien.models import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def current_code(device):
    return f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"


@pytest.mark.parametrize("role", [Role.LEADER, Role.CENTRAL, Role.ADMIN])
def test_staff_roles_must_set_up_a_second_factor(client, role):
    user = UserFactory(role=role)
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_setup"))

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "<svg" in page.content.decode()  # the QR code, inline
    device = TOTPDevice.objects.get(user=user, confirmed=False)

    wrong = client.post(reverse("two_factor_setup"), {"token": "000000", "next": "/"})
    assert "Koden er forkert eller udløbet" in wrong.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    # Right after a wrong code the device refuses even the right one, and says so.
    throttled = client.post(reverse("two_factor_setup"), {"token": current_code(device)})
    assert "Vent et par sekunder" in throttled.content.decode()

    device.throttle_reset()  # as if the delay had passed
    done = client.post(reverse("two_factor_setup"), {"token": current_code(device), "next": "/"})
    assert done.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    device.refresh_from_db()
    assert device.confirmed


def test_a_paired_user_is_asked_for_a_code_at_the_next_login(client):
    user = UserFactory(role=Role.LEADER)
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    client.force_login(user)
    response = client.get(reverse("family_list"))
    assert response["Location"].startswith(reverse("two_factor_verify"))

    letters = client.post(reverse("two_factor_verify"), {"token": "abcdef"})
    assert "Koden består kun af cifre" in letters.content.decode()
    ok = client.post(
        reverse("two_factor_verify"), {"token": current_code(device), "next": "/familier/"}
    )
    assert ok["Location"] == "/familier/"
    assert client.get(reverse("family_list")).status_code == 200


def test_next_cannot_send_a_user_off_site(client):
    user = UserFactory(role=Role.LEADER)
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    client.force_login(user)
    response = client.post(
        reverse("two_factor_verify"),
        {"token": current_code(device), "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


def test_volunteers_are_not_asked_for_totp(client):
    client.force_login(UserFactory(role=Role.VOLUNTEER))
    assert client.get(reverse("home")).status_code == 200


def test_the_setting_turns_the_requirement_off(client, settings):
    settings.FAMILIEN_REQUIRE_2FA = False
    client.force_login(UserFactory(role=Role.LEADER))
    assert client.get(reverse("home")).status_code == 200
