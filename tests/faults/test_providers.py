"""Faults at the providers, in this process against the fake sms gateway and the fake mail
server on loopback: a gateway that times out, answers 500 or 429, answers garbage or
refuses the number; a mail server that refuses for now (4xx) or for good (5xx); the
clock jumping forward. After each: nothing lost, nothing delivered twice, every attempt
recorded with its outcome, and the status page's check failing while the fault lasts."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from familien import status
from surveys.models import ContactAttempt, Invitation, Step
from tests.conftest import login
from tests.faults.conftest import expected_keys, unfinished
from tests.faults.harness import summary

pytestmark = pytest.mark.fault
S = ContactAttempt.Status

GATEWAY_FAULTS = {
    "timeout": ("SmsTemporaryError: gateway unreachable", "times out (answers after 1.5 s)"),
    "500": ("SmsTemporaryError: gateway answered 500", "answers 500"),
    "429": ("SmsTemporaryError: gateway answered 429", "answers 429"),
    "garbage": ("SmsUnknownOutcome: gateway answered without a message id", "answers garbage"),
}


def lost_text(result, taken_first):
    again = (
        "sent again under the same key and dropped by the provider"
        if taken_first
        else "refused, then taken"
    )
    return (
        f"{len(result['lost'])} lost, 0 delivered twice ({result['resends']} second "
        f"transmissions: {again})"
    )


@pytest.mark.parametrize("mode", list(GATEWAY_FAULTS))
def test_a_failing_sms_gateway_loses_nothing_and_delivers_nothing_twice(
    mode, http_delivery, due_invitations, tick, fault_table
):
    gateway, _smtp = http_delivery
    invitations = due_invitations(3, channel="sms")
    gateway.mode, gateway.hang = mode, 1.5
    now = timezone.now()
    counts = tick(now)
    assert counts["attempts"] == 3
    error, what = GATEWAY_FAULTS[mode]
    # Every attempt has its outcome: waiting for a retry, with the reason.
    attempts = list(ContactAttempt.objects.all())
    assert [(a.status, a.tries) for a in attempts] == [(S.QUEUED, 1)] * 3
    assert all(
        a.error.startswith(error) and a.retry_at == now + timedelta(seconds=30) for a in attempts
    )
    check = status.check_channel("sms")
    assert not check.ok and error in check.detail
    # Not before the retry time; then once more under the same key.
    gateway.mode = "ok"
    assert tick(now + timedelta(seconds=10))["requeued"] == 0
    tick(now + timedelta(seconds=31))
    assert unfinished() == 0
    assert set(ContactAttempt.objects.values_list("status", "tries")) == {(S.SENT, 2)}
    assert status.check_channel("sms").ok
    result = summary(expected_keys(invitations, channels=["sms"]), gateway)
    assert result["lost"] == [] and result["extra"] == []
    # Every transmission carried its attempt's key: a resend is one the gateway can drop.
    assert set(gateway.ledger.raw) == expected_keys(invitations, channels=["sms"])
    taken_first = mode in ("timeout", "garbage")
    assert result["resends"] == 3
    fault_table.add(
        f"sms gateway {what}",
        f"3 sms recorded as waiting for a retry ({error}); "
        + ("the gateway had taken them; " if taken_first else "")
        + "sent again under the same key 30 s later, status page 'Sms gateway' failing meanwhile",
        lost_text(result, taken_first),
    )


def test_a_refused_number_fails_at_once_and_the_chain_goes_on(
    http_delivery, due_invitations, tick, fault_table
):
    gateway, _smtp = http_delivery
    invitations = due_invitations(2, channel="sms")
    gateway.mode = "reject"
    now = timezone.now()
    tick(now)
    assert set(ContactAttempt.objects.values_list("status", "tries", "error")) == {
        (S.FAILED, 1, "SmsRejected: gateway answered 400")
    }
    assert not status.check_channel("sms").ok
    # Never tried again; the chain already moved on to the sms reminder a week later.
    gateway.mode = "ok"
    assert tick(now + timedelta(minutes=10))["requeued"] == 0
    assert sum(gateway.ledger.raw.values()) == 2
    assert set(Invitation.objects.values_list("next_step", flat=True)) == {Step.SMS_REMINDER}
    fault_table.add(
        "sms gateway refuses the number (400)",
        "2 sms recorded as failed at once, not retried; the chain moved on to the next step",
        f"nothing lost that could be sent; 0 sent twice ({len(invitations)} refused, recorded)",
    )


def test_a_mail_server_refusing_for_now_then_for_good(
    http_delivery, due_invitations, tick, fault_table, client, world
):
    _gateway, smtp = http_delivery
    invitations = due_invitations(3, channel="mail")
    smtp.mode = "refuse4xx"
    now = timezone.now()
    tick(now)
    assert set(ContactAttempt.objects.values_list("status", "error")) == {
        (S.QUEUED, "SMTPRecipientsRefused 451")
    }
    # The status page shows the mail server failing while it refuses.
    login(client, world.users["admin"])
    page = client.get(reverse("system_status")).content.decode()
    row = page.split('data-check="mail"')[1].split("</tr>")[0]
    assert "SMTPRecipientsRefused 451" in row
    smtp.mode = "ok"
    tick(now + timedelta(seconds=31))
    assert unfinished() == 0
    assert status.check_channel("mail").ok
    result = summary(expected_keys(invitations, channels=["mail"]), smtp=smtp)
    assert result["lost"] == [] and result["extra"] == [] and result["resends"] == 0
    fault_table.add(
        "mail server refuses with 451 (try later)",
        "3 mails recorded as waiting for a retry; status page 'Mail server' failing; sent "
        "on the tick after the retry time",
        f"{len(result['lost'])} lost, 0 sent twice (each Message-ID received once)",
    )

    # A 5xx is final: the attempt fails, the chain goes on.
    more = due_invitations(2, channel="mail")
    smtp.mode = "refuse5xx"
    tick(now + timedelta(minutes=2))
    failed = ContactAttempt.objects.filter(invitation__in=more)
    assert set(failed.values_list("status", "error")) == {(S.FAILED, "SMTPRecipientsRefused 550")}
    assert set(
        Invitation.objects.filter(pk__in=[i.pk for i in more]).values_list("next_step", flat=True)
    ) == {Step.SMS_REMINDER}
    assert not status.check_channel("mail").ok
    fault_table.add(
        "mail server refuses with 550 (mailbox unavailable)",
        "2 mails recorded as failed, not retried; the chain moved on",
        "nothing lost that could be sent; 0 sent twice",
    )


def test_the_clock_jumping_a_week_and_a_month_catches_up_one_step_at_a_time(
    http_delivery, due_invitations, tick, fault_table
):
    gateway, smtp = http_delivery
    invitations = due_invitations(4)
    now = timezone.now()
    tick(now)
    # A week later (the clock jumped): the sms reminder, once, however often the tick runs.
    week = now + timedelta(days=8)
    for _ in range(3):
        tick(week)
    # A month later: the mail reminder only; the call waits for the day after.
    month = now + timedelta(days=31)
    for _ in range(3):
        tick(month)
    assert unfinished() == 0
    expected = (
        expected_keys(invitations)
        | expected_keys(invitations, step="sms_reminder", channels=["sms"])
        | expected_keys(invitations, step="mail_reminder", channels=["mail"])
    )
    result = summary(expected, gateway, smtp)
    assert result["lost"] == [] and result["extra"] == [] and result["resends"] == 0
    assert set(Invitation.objects.values_list("next_step", flat=True)) == {Step.CALL}
    due = set(Invitation.objects.values_list("next_step_at", flat=True))
    assert all(when > month for when in due)
    fault_table.add(
        "clock jumps forward a week, then three more",
        "each tick sent only the step that fell due, one step per invitation per tick "
        "(the sms reminder, then the mail reminder; the call put to the next day)",
        f"{len(result['lost'])} lost, 0 sent twice ({len(expected)} messages, each once)",
    )
