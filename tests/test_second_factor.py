"""A second factor for every role (ASVS 5.0 6.3.3): an authenticator app for all, codes by
e-mail for volunteers and follow-up volunteers; codes work once, expire, and guessing is
slowed down; without the second factor no page shows anything."""

import logging
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_email.models import EmailDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from familien.middleware import SECOND_FACTOR_EXEMPT
from familien.models import Role
from tests.conftest import login
from tests.factories import UserFactory
from tests.test_browser import browser, watch_console  # noqa: F401 - the fixture
from tests.test_every_url import full_rules
from tests.url_walk import iter_named_patterns

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"
WRONG_OR_EXPIRED = "Koden er forkert eller udløbet"
WAIT = "Vent et par sekunder"


def current_code(device):
    return f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"


def log_in_with_password(client, user):
    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def mailed_code(message):
    return re.search(r"\b(\d{6})\b", message.body).group(1)


@pytest.mark.parametrize("role", Role.values)
def test_every_role_must_set_up_a_second_factor(client, role):
    user = UserFactory(role=role)
    log_in_with_password(client, user)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_setup"))

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "<svg" in page.content.decode()  # the QR code, inline
    device = TOTPDevice.objects.get(user=user, confirmed=False)

    wrong = client.post(reverse("two_factor_setup"), {"token": "000000", "next": "/"})
    assert WRONG_OR_EXPIRED in wrong.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    # Right after a wrong code the device refuses even the right one, and says so.
    throttled = client.post(reverse("two_factor_setup"), {"token": current_code(device)})
    assert WAIT in throttled.content.decode()

    device.throttle_reset()  # as if the delay had passed
    done = client.post(reverse("two_factor_setup"), {"token": current_code(device), "next": "/"})
    assert done.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    device.refresh_from_db()
    assert device.confirmed


def test_a_paired_user_is_asked_for_a_code_at_the_next_login(client):
    user = UserFactory(role=Role.LEADER)
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    log_in_with_password(client, user)
    response = client.get(reverse("family_list"))
    assert response["Location"].startswith(reverse("two_factor_verify"))

    letters = client.post(reverse("two_factor_verify"), {"token": "abcdef"})
    assert "Koden består kun af cifre" in letters.content.decode()
    ok = client.post(
        reverse("two_factor_verify"), {"token": current_code(device), "next": "/familier/"}
    )
    assert ok["Location"] == "/familier/"
    assert client.get(reverse("family_list")).status_code == 200


def test_a_used_app_code_is_refused(client):
    user = UserFactory(role=Role.CENTRAL)
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    log_in_with_password(client, user)
    code = current_code(device)
    assert client.post(reverse("two_factor_verify"), {"token": code}).status_code == 302
    client.post(reverse("logout"))

    log_in_with_password(client, user)
    again = client.post(reverse("two_factor_verify"), {"token": code})
    assert WRONG_OR_EXPIRED in again.content.decode()
    assert client.get(reverse("home")).status_code == 302


def test_next_cannot_send_a_user_off_site(client):
    user = UserFactory(role=Role.LEADER)
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    log_in_with_password(client, user)
    response = client.post(
        reverse("two_factor_verify"),
        {"token": current_code(device), "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


def test_a_volunteer_sets_up_codes_by_email_and_logs_in_with_one(client, caplog):
    caplog.set_level(logging.DEBUG)
    user = UserFactory(role=Role.VOLUNTEER, email="sofie@example.org", full_name="Sofie Holm")
    log_in_with_password(client, user)
    setup = client.get(client.get(reverse("home"))["Location"])
    assert "Brug koder på e-mail i stedet" in setup.content.decode()

    setup_email = reverse("two_factor_setup_email") + "?next=/"
    page = client.get(setup_email)
    assert page.status_code == 200
    assert not mail.outbox  # nothing is sent before the volunteer asks
    sent = client.post(setup_email, {"send": "1"}, follow=True)
    assert "Vi har sendt en kode til din e-mailadresse" in sent.content.decode()
    [message] = mail.outbox
    assert message.to == ["sofie@example.org"]
    code = mailed_code(message)
    # The mail carries the code and nothing about the person.
    assert "Sofie" not in message.body + message.subject
    assert "sofie@" not in message.body + message.subject

    done = client.post(setup_email, {"token": code})
    assert done.status_code == 302 and done["Location"] == "/"
    assert client.get(reverse("home")).status_code == 200
    assert EmailDevice.objects.get(user=user).confirmed
    assert not TOTPDevice.objects.filter(user=user).exists()  # the unused pairing is gone

    # The next login asks for a new code by e-mail.
    client.post(reverse("logout"))
    log_in_with_password(client, user)
    verify = client.get(reverse("home"))["Location"]
    assert verify.startswith(reverse("two_factor_verify"))
    client.post(verify, {"send": "1"})
    assert len(mail.outbox) == 2
    new_code = mailed_code(mail.outbox[1])
    assert client.post(verify, {"token": new_code})["Location"] == "/"
    assert client.get(reverse("home")).status_code == 200
    # No code ever reaches the log.
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert code not in logged and new_code not in logged


def email_device_for(user):
    return EmailDevice.objects.create(user=user, name="e-mail", confirmed=True)


def test_an_emailed_code_works_once(client):
    user = UserFactory(role=Role.FOLLOWUP)
    email_device_for(user)
    log_in_with_password(client, user)
    verify = reverse("two_factor_verify")
    client.post(verify, {"send": "1"})
    code = mailed_code(mail.outbox[0])
    assert client.post(verify, {"token": code}).status_code == 302
    client.post(reverse("logout"))

    log_in_with_password(client, user)
    again = client.post(verify, {"token": code})
    assert WRONG_OR_EXPIRED in again.content.decode()
    assert client.get(reverse("home")).status_code == 302


def test_an_emailed_code_expires_after_ten_minutes(client, monkeypatch):
    user = UserFactory(role=Role.VOLUNTEER)
    email_device_for(user)
    log_in_with_password(client, user)
    verify = reverse("two_factor_verify")
    client.post(verify, {"send": "1"})
    code = mailed_code(mail.outbox[0])

    later = timezone.now() + timedelta(minutes=10, seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    expired = client.post(verify, {"token": code})
    assert WRONG_OR_EXPIRED in expired.content.decode()
    assert client.get(reverse("home")).status_code == 302


def test_guessing_an_emailed_code_is_slowed_down(client):
    user = UserFactory(role=Role.VOLUNTEER)
    device = email_device_for(user)
    log_in_with_password(client, user)
    verify = reverse("two_factor_verify")
    client.post(verify, {"send": "1"})
    code = mailed_code(mail.outbox[0])
    wrong = "000000" if code != "000000" else "111111"

    assert WRONG_OR_EXPIRED in client.post(verify, {"token": wrong}).content.decode()
    # Right after a wrong guess even the right code is refused, and the page says wait.
    assert WAIT in client.post(verify, {"token": code}).content.decode()
    device.refresh_from_db()
    assert device.throttling_failure_count == 1


def test_a_new_code_waits_a_minute(client):
    user = UserFactory(role=Role.VOLUNTEER)
    email_device_for(user)
    log_in_with_password(client, user)
    verify = reverse("two_factor_verify")
    client.post(verify, {"send": "1"})
    second = client.post(verify, {"send": "1"}, follow=True)
    assert len(mail.outbox) == 1
    assert "for mindre end et minut siden" in second.content.decode()


def test_a_mail_server_failure_gets_a_danish_message_not_an_error(client, monkeypatch, caplog):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(EmailDevice, "send_mail", refuse)
    user = UserFactory(role=Role.VOLUNTEER, email="sofie@example.org")
    email_device_for(user)
    log_in_with_password(client, user)
    page = client.post(reverse("two_factor_verify"), {"send": "1"}, follow=True)
    assert page.status_code == 200
    assert "Koden kunne ikke sendes lige nu" in page.content.decode()
    assert "sofie@" not in caplog.text


@pytest.mark.parametrize("role", [Role.LEADER, Role.CENTRAL, Role.EVALUATOR, Role.ADMIN])
def test_roles_with_wide_reach_keep_the_app(client, role):
    log_in_with_password(client, UserFactory(role=role))
    setup = client.get(reverse("two_factor_setup")).content.decode()
    assert reverse("two_factor_setup_email") not in setup
    assert client.get(reverse("two_factor_setup_email")).status_code == 403
    assert client.post(reverse("two_factor_setup_email"), {"send": "1"}).status_code == 403
    assert not mail.outbox
    assert not EmailDevice.objects.exists()


def test_without_the_second_factor_no_page_answers(world):
    """Logged in with the password only, every role gets no page of the URL conf except
    the ones that hold nothing personal (the 2FA pages, the health check) and the survey
    respondent's token pages."""
    _rules, url_kwargs = full_rules()
    urls = [
        (name, reverse(name, kwargs=url_kwargs[name](world) if name in url_kwargs else {}))
        for name, _pattern in iter_named_patterns()
        if not name.startswith("admin:<unnamed")
    ]
    answered = []
    for role, user in world.users.items():
        if role.endswith("_other"):
            continue  # the same role as another user: the same pages
        TOTPDevice.objects.create(user=user, name="app", confirmed=True)
        client = Client()
        client.force_login(user)
        for name, url in urls:
            if name.startswith("admin:") and role != "admin":
                continue  # only administrators could see the admin at all
            if client.get(url).status_code == 200:
                answered.append((name, role))
    # The respondent's pages answer a live link to anyone, an account or none: the link is
    # the credential there, and they show no more than the respondent's own survey.
    allowed = {"healthz", "two_factor_verify", "survey_respond", "survey_opt_out"}
    assert {name for name, _role in answered} <= allowed, answered
    assert allowed <= SECOND_FACTOR_EXEMPT


def test_a_volunteer_made_leader_must_pair_an_app(client):
    user = UserFactory(role=Role.VOLUNTEER)
    email_device_for(user)
    user.role = Role.LEADER
    user.save()
    log_in_with_password(client, user)
    assert client.get(reverse("home"))["Location"].startswith(reverse("two_factor_setup"))
    assert client.get(reverse("two_factor_verify"))["Location"].startswith(
        reverse("two_factor_setup")
    )
    setup = client.get(reverse("two_factor_setup"))
    assert setup.status_code == 200 and "<svg" in setup.content.decode()
    assert client.post(reverse("two_factor_verify"), {"send": "1"}).status_code == 302
    assert not mail.outbox


def test_the_account_page_replaces_the_factor_only_after_password_and_code(client):
    user = UserFactory(role=Role.LEADER)
    login(client, user)
    device = TOTPDevice.objects.get(user=user)
    other_session = login(Client(), user)
    page = client.get(reverse("account"))
    assert "Godkendelsesapp" in page.content.decode()

    wrong_password = client.post(
        reverse("account"), {"password": "forkert", "token": current_code(device)}
    )
    assert "Adgangskoden er forkert." in wrong_password.content.decode()
    wrong_code = client.post(reverse("account"), {"password": PASSWORD, "token": "000000"})
    assert WRONG_OR_EXPIRED in wrong_code.content.decode()
    assert TOTPDevice.objects.filter(user=user).exists()

    device.throttle_reset()
    done = client.post(reverse("account"), {"password": PASSWORD, "token": current_code(device)})
    assert done["Location"] == reverse("two_factor_setup")
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    # Every session verified with the old factor must set up the new one first.
    for session in (client, other_session):
        assert session.get(reverse("home"))["Location"].startswith(reverse("two_factor_setup"))


def test_an_email_user_replaces_the_factor_with_a_mailed_code(client):
    user = UserFactory(role=Role.VOLUNTEER)
    device = email_device_for(user)
    log_in_with_password(client, user)
    client.post(reverse("two_factor_verify"), {"send": "1"})
    client.post(reverse("two_factor_verify"), {"token": mailed_code(mail.outbox[0])})
    device.cooldown_reset()  # as if a minute had passed

    assert client.post(reverse("account"), {"send": "1"})["Location"] == reverse("account")
    code = mailed_code(mail.outbox[1])
    done = client.post(reverse("account"), {"password": PASSWORD, "token": code})
    assert done["Location"] == reverse("two_factor_setup")
    assert not EmailDevice.objects.filter(user=user).exists()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_volunteer_pairs_codes_by_email_on_a_phone(browser, live_server, world):  # noqa: F811
    volunteer = world.users["volunteer"]
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    problems = watch_console(page)
    page.goto(live_server.url + "/konto/log-ind/")
    page.get_by_label("E-mail").fill(volunteer.email)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url("**/konto/to-faktor/opsaet/**")

    page.get_by_role("link", name="Brug koder på e-mail i stedet").click()
    page.get_by_role("button", name="Send mig en kode").click()
    page.get_by_text("Vi har sendt en kode til din e-mailadresse").wait_for()
    page.get_by_label("Sekscifret kode").fill(mailed_code(mail.outbox[-1]))
    page.get_by_role("button", name="Bekræft").click()
    page.wait_for_url(live_server.url + "/")

    assert page.get_by_text("Mine forløb").is_visible()
    assert EmailDevice.objects.filter(user=volunteer, confirmed=True).exists()
    assert problems == [], problems
    context.close()


def test_the_setting_turns_the_requirement_off(client, settings):
    settings.FAMILIEN_REQUIRE_2FA = False
    client.force_login(UserFactory(role=Role.LEADER))
    assert client.get(reverse("home")).status_code == 200
