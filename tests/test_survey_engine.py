"""The survey engine and its dispatch rules (issue 6 items 3–5): the chain on days 0, 7,
14 and 21, exactly once; answers, opt-outs and withdrawn consent stop it, even for what
is already queued; provider errors, lost messages and expired leases; respondents with
only a phone, only a mail address or only a postal address; daylight-saving time; the
3-month rule; the follow-up survey; the attempt limit."""

import threading
from datetime import date, datetime, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from familien import sms
from familien.models import Consent, ConsentState, Programme, Role
from familien.services.families import record_consent
from matching import lifecycle
from matching.models import Match
from surveys import delivery, engine, services
from surveys.models import (
    Channel,
    ContactAttempt,
    Invitation,
    Respondent,
    Step,
    SurveyKind,
    SurveyOptOut,
)
from tests.factories import (
    FamilyFactory,
    MatchFactory,
    ParentFactory,
    SupportRequestFactory,
    UserFactory,
    VolunteerFactory,
    one_question_questionnaire,
)

pytestmark = pytest.mark.django_db
S = ContactAttempt.Status
DAY0 = date(2027, 2, 1)


def at(day, hour=9, minute=0):
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


@pytest.fixture(autouse=True)
def outboxes():
    sms.outbox.clear()
    mail.outbox.clear()


@pytest.fixture(autouse=True)
def questionnaires(db):
    """Published test questionnaires, newer than any shipped version, for every
    respondent and programme, so the rules can be tested without the real content."""
    made = {}
    for respondent in Respondent.values:
        for programme in Programme.values:
            made[respondent, programme] = one_question_questionnaire(
                f"test-{respondent}-{programme}".replace("_", "-"),
                respondent=respondent,
                programme=programme,
            )
    return made


@pytest.fixture
def deliver_now(monkeypatch):
    """Delivery tasks run at once, in this process (the worker test runs a real one)."""
    from surveys.tasks import deliver_attempts

    sent = []

    def run(ids):
        for pk in ids:
            sent.append(delivery.deliver(pk))

    monkeypatch.setattr(deliver_attempts, "delay", run)
    return sent


def family_match(*, phone="+45 20 30 40 50", email="mette@example.dk", channel="sms", **fields):
    family = FamilyFactory(evaluation_consent=ConsentState.GIVEN)
    parent = ParentFactory(
        family=family, first_name="Mette", phone=phone, email=email, preferred_channel=channel
    )
    request = SupportRequestFactory(family=family, for_parent=parent)
    values = dict(family=family, request=request, started_on=DAY0)
    values.update(fields)
    return MatchFactory(**values), parent


def run(day, hour=9, capture=None):
    return engine.run_due(now=at(day, hour))


def steps(invitation):
    return list(invitation.contact_attempts.order_by("pk").values_list("step", "channel", "status"))


# ---------------------------------------------------------------------------
# The chain


def test_days_0_7_14_21_give_invitation_sms_mail_and_a_call(
    deliver_now, django_capture_on_commit_callbacks
):
    match, parent = family_match()
    invitation = services.dispatch_pre_survey(match, today=DAY0)
    assert (invitation.kind, invitation.parent, invitation.next_step) == (
        SurveyKind.PRE,
        parent,
        Step.INVITE,
    )
    for day in (DAY0, DAY0 + timedelta(days=7), DAY0 + timedelta(days=14)):
        with django_capture_on_commit_callbacks(execute=True):
            run(day, hour=10)
        with django_capture_on_commit_callbacks(execute=True):
            run(day, hour=11)  # the same day again: nothing new
    invitation.refresh_from_db()
    assert steps(invitation) == [
        (Step.INVITE, Channel.SMS, S.SENT),
        (Step.SMS_REMINDER, Channel.SMS, S.SENT),
        (Step.MAIL_REMINDER, Channel.MAIL, S.SENT),
    ]
    assert len(sms.outbox) == 2 and len(mail.outbox) == 1
    assert sms.outbox[0].to == "+45 20 30 40 50"
    body = sms.outbox[0].body
    assert "Mette" in body and "/s/" in body and match.family.name not in body
    assert (invitation.next_step, invitation.attempts) == (Step.CALL, 3)
    assert invitation.next_step_at == at(DAY0 + timedelta(days=21))
    with django_capture_on_commit_callbacks(execute=True):
        run(DAY0 + timedelta(days=21))
    invitation.refresh_from_db()
    # Day 21: the call is due for a person; the engine sends nothing itself.
    assert len(steps(invitation)) == 3 and len(sms.outbox) == 2
    assert invitation in Invitation.objects.filter(
        next_step=Step.CALL, next_step_at__lte=at(DAY0 + timedelta(days=21))
    )


def test_reminders_wait_for_their_day(deliver_now, django_capture_on_commit_callbacks):
    match, _parent = family_match()
    services.dispatch_pre_survey(match, today=DAY0)
    with django_capture_on_commit_callbacks(execute=True):
        run(DAY0)
        run(DAY0 + timedelta(days=6), hour=23)
        run(DAY0 + timedelta(days=7), hour=8)
    assert len(sms.outbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        run(DAY0 + timedelta(days=7), hour=9)
    assert len(sms.outbox) == 2


def test_a_missed_week_is_caught_up_one_step_at_a_time(
    deliver_now, django_capture_on_commit_callbacks
):
    """After downtime the engine sends the step that is due, not every missed one."""
    match, _parent = family_match()
    invitation = services.dispatch_pre_survey(match, today=DAY0)
    with django_capture_on_commit_callbacks(execute=True):
        run(DAY0)
        call_command("run_due", "--at", "2027-02-17T10:00", stdout=StringIO())
    invitation.refresh_from_db()
    assert [s[0] for s in steps(invitation)] == [Step.INVITE, Step.SMS_REMINDER]
    # The mail reminder, overdue too, waits until the next morning.
    assert invitation.next_step == Step.MAIL_REMINDER
    assert invitation.next_step_at == at(date(2027, 2, 18))


def test_an_answer_stops_the_chain(deliver_now, django_capture_on_commit_callbacks):
    match, _parent = family_match()
    invitation = services.dispatch_pre_survey(match, today=DAY0)
    with django_capture_on_commit_callbacks(execute=True):
        run(DAY0)
    services.mark_answered(invitation)
    with django_capture_on_commit_callbacks(execute=True):
        for days in (7, 14, 21, 30):
            run(DAY0 + timedelta(days=days))
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ANSWERED
    assert len(steps(invitation)) == 1 and len(sms.outbox) == 1


def test_a_withdrawn_consent_stops_what_is_already_queued(deliver_now):
    match, _parent = family_match()
    invitation = services.dispatch_pre_survey(match, today=DAY0)
    # Claimed and queued, but the worker has not taken it yet.
    _taken, ids = engine.claim_due_steps(now=at(DAY0))
    assert len(ids) == 1
    record_consent(
        match.family,
        kind=Consent.Kind.EVALUATION,
        state=ConsentState.WITHDRAWN,
        actor=UserFactory(role=Role.LEADER),
    )
    assert delivery.deliver(ids[0], now=at(DAY0)) == "cancelled"
    assert sms.outbox == []
    # The next tick closes the invitation instead of reminding.
    run(DAY0 + timedelta(days=7))
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.CANCELLED
    assert sms.outbox == []


def test_opting_out_stops_every_open_invitation(deliver_now, django_capture_on_commit_callbacks):
    match, _parent = family_match()
    pre = services.dispatch_pre_survey(match, today=DAY0)
    services.opt_out(pre)
    pre.refresh_from_db()
    match.family.refresh_from_db()
    assert pre.status == Invitation.Status.OPTED_OUT
    assert match.family.evaluation_consent == ConsentState.WITHDRAWN
    assert match.family.consents.get().note
    with django_capture_on_commit_callbacks(execute=True):
        run(DAY0)
    assert sms.outbox == []
    # A later match of the same family gets no survey either.
    later, _parent = family_match()
    later.family = match.family
    assert services.dispatch_pre_survey(later, today=DAY0) is None


def test_no_consent_no_survey():
    match, _parent = family_match()
    match.family.evaluation_consent = ConsentState.MISSING
    match.family.save()
    assert services.dispatch_pre_survey(match, today=DAY0) is None
    assert not Invitation.objects.exists()


def test_never_the_same_form_twice():
    match, _parent = family_match()
    assert services.dispatch_pre_survey(match, today=DAY0) is not None
    assert services.dispatch_pre_survey(match, today=DAY0) is None
    assert Invitation.objects.count() == 1


def test_two_ticks_at_once_claim_each_step_once(transactional_db, monkeypatch):
    """Two engine runs at the same moment, in two threads with their own database
    connections: row locks (PostgreSQL) or serialised writers (SQLite) and the attempts'
    unique keys give one attempt per step."""
    from surveys.tasks import deliver_attempts

    monkeypatch.setattr(deliver_attempts, "delay", lambda ids: None)
    for _ in range(30):
        match, _parent = family_match()
        services.dispatch_pre_survey(match, today=DAY0)
    barrier = threading.Barrier(2)
    errors = []

    def tick():
        try:
            barrier.wait()
            engine.run_due(now=at(DAY0))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=tick) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert ContactAttempt.objects.count() == 30
    assert set(Invitation.objects.values_list("next_step", flat=True)) == {Step.SMS_REMINDER}
    assert set(Invitation.objects.values_list("attempts", flat=True)) == {1}


# ---------------------------------------------------------------------------
# Delivery: errors, lost messages, leases


def test_a_provider_error_is_retried_then_recorded_and_the_chain_goes_on(monkeypatch):
    match, _parent = family_match()
    invitation = services.dispatch_pre_survey(match, today=DAY0)
    _taken, (attempt_id,) = engine.claim_due_steps(now=at(DAY0))

    def down(self, message):
        raise sms.SmsTemporaryError("gateway timeout")

    monkeypatch.setattr(sms.LocmemBackend, "send", down)
    assert delivery.deliver(attempt_id, now=at(DAY0)) == "retry"
    attempt = ContactAttempt.objects.get(pk=attempt_id)
    assert (attempt.status, attempt.retry_at) == (S.QUEUED, at(DAY0) + timedelta(seconds=30))
    # Not before its retry time, then handed out again by the tick.
    assert delivery.deliver(attempt_id, now=at(DAY0)) == "skipped"
    assert attempt_id in engine.requeue_stale_deliveries(now=at(DAY0, 10))
    results = [delivery.deliver(attempt_id, now=at(DAY0, 10 + n)) for n in range(3)]
    assert results == ["retry", "retry", "failed"]
    attempt.refresh_from_db()
    assert (attempt.status, attempt.tries, attempt.error) == (
        S.FAILED,
        4,
        "SmsTemporaryError: gateway timeout",
    )
    invitation.refresh_from_db()
    assert invitation.next_step == Step.SMS_REMINDER  # the chain moved on


def test_a_lost_message_and_an_expired_lease_are_handed_out_again(deliver_now):
    match, _parent = family_match()
    services.dispatch_pre_survey(match, today=DAY0)
    _taken, (attempt_id,) = engine.claim_due_steps(now=at(DAY0))
    # The broker lost the task: after a few minutes the tick sends the id again.
    assert engine.requeue_stale_deliveries(now=at(DAY0, 9, 1)) == []
    assert engine.requeue_stale_deliveries(now=at(DAY0, 9, 6)) == [attempt_id]
    assert deliver_now == ["sent"]
    # A worker killed mid-send leaves the row "sending"; after the lease it goes again.
    match2, _parent = family_match()
    services.dispatch_pre_survey(match2, today=DAY0)
    _taken, (second,) = engine.claim_due_steps(now=at(DAY0))
    # Delivery runs on the real clock: the lease runs out three minutes from now.
    now = timezone.now()
    ContactAttempt.objects.filter(pk=second).update(
        status=S.SENDING, lease_until=now + timedelta(minutes=3), tries=1
    )
    assert delivery.deliver(second, now=now) == "skipped"
    assert second not in engine.requeue_stale_deliveries(now=now)
    ContactAttempt.objects.filter(pk=second).update(lease_until=now - timedelta(seconds=1))
    assert engine.requeue_stale_deliveries(now=now) == [second]
    assert deliver_now == ["sent", "sent"]
    assert len(sms.outbox) == 2
    # Delivered rows are never sent again, however often their id comes back.
    assert delivery.deliver(second, now=now + timedelta(hours=1)) == "skipped"
    assert len(sms.outbox) == 2


# ---------------------------------------------------------------------------
# Channels


@pytest.mark.parametrize(
    ("phone", "email", "channel", "expected"),
    [
        ("+4520304050", "a@example.dk", "sms", [Channel.SMS, Channel.SMS, Channel.MAIL]),
        ("+4520304050", "a@example.dk", "mail", [Channel.MAIL, Channel.SMS, Channel.MAIL]),
        (
            "+4520304050",
            "a@example.dk",
            "both",
            [Channel.SMS, Channel.MAIL, Channel.SMS, Channel.MAIL],
        ),
        ("", "a@example.dk", "sms", [Channel.MAIL, Channel.MAIL, Channel.MAIL]),
        ("+4520304050", "", "mail", [Channel.SMS, Channel.SMS, Channel.SMS]),
        ("", "", "sms", [Channel.PRINT, Channel.PRINT, Channel.PRINT]),
        ("+4520304050", "a@example.dk", "print", [Channel.PRINT, Channel.SMS, Channel.MAIL]),
    ],
)
def test_channels_follow_the_wish_and_what_the_respondent_has(
    phone, email, channel, expected, deliver_now, django_capture_on_commit_callbacks
):
    match, _parent = family_match(phone=phone, email=email, channel=channel)
    invitation = services.dispatch_pre_survey(match, today=DAY0)
    with django_capture_on_commit_callbacks(execute=True):
        for days in (0, 7, 14):
            run(DAY0 + timedelta(days=days))
    assert [c for _step, c, _status in steps(invitation)] == expected
    statuses = {status for _step, c, status in steps(invitation) if c == Channel.PRINT}
    # A letter waits for staff to print and post it.
    assert statuses <= {S.TO_POST}


# ---------------------------------------------------------------------------
# Time


def test_reminders_keep_their_hour_across_daylight_saving_time(
    deliver_now, django_capture_on_commit_callbacks
):
    """Summer time starts on 28 March 2027: the sms a week after an invitation of 22
    March still goes at 09:00 local time, 23 UTC-hours later than a plain 7 × 24 h."""
    start = date(2027, 3, 22)
    match, _parent = family_match(started_on=start)
    invitation = services.dispatch_pre_survey(match, today=start)
    with django_capture_on_commit_callbacks(execute=True):
        run(start)
    invitation.refresh_from_db()
    local = timezone.localtime(invitation.next_step_at)
    assert (local.date(), local.hour) == (date(2027, 3, 29), 9)
    assert invitation.next_step_at - at(start) == timedelta(days=7) - timedelta(hours=1)


def test_follow_up_survey_after_twelve_months_across_summer_time(
    deliver_now, django_capture_on_commit_callbacks
):
    """A family friend started on 27 March 2026 gets the follow-up survey on 27 March
    2027, the day before summer time begins, and its sms reminder a week later at 09:00."""
    match, _parent = family_match(started_on=date(2026, 3, 27))
    mentor, _parent = family_match(started_on=date(2026, 6, 26), programme=Programme.JOB_MENTOR)
    closed, _parent = family_match(started_on=date(2026, 1, 1), status=Match.Status.CLOSED)
    with django_capture_on_commit_callbacks(execute=True):
        assert run(date(2027, 3, 26))["follow_up_surveys"] == 1  # the mentor: 9 months
        assert run(date(2027, 3, 27))["follow_up_surveys"] == 1  # the family friend
        assert run(date(2027, 3, 28))["follow_up_surveys"] == 0
    follow_ups = Invitation.objects.filter(kind=SurveyKind.FOLLOW_UP)
    assert set(follow_ups.values_list("match", flat=True)) == {match.pk, mentor.pk}
    invitation = follow_ups.get(match=match)
    assert timezone.localtime(invitation.next_step_at).timetuple()[:4] == (2027, 4, 3, 9)


def match_lasting(days, leader):
    match, _parent = family_match(status=Match.Status.ENDING)
    volunteer = match.volunteer
    volunteer.email = "v@example.dk"
    volunteer.save()
    lifecycle.close_match(
        match, reason="Slut", actor=leader, on=match.started_on + timedelta(days=days)
    )
    return match


def test_post_survey_only_after_three_months_volunteer_survey_always():
    leader = UserFactory(role=Role.LEADER)
    short = match_lasting(89, leader)
    long = match_lasting(92, leader)
    assert list(short.invitations.values_list("kind", flat=True)) == [SurveyKind.VOLUNTEER]
    assert sorted(long.invitations.values_list("kind", flat=True)) == [
        SurveyKind.POST,
        SurveyKind.VOLUNTEER,
    ]


def test_a_volunteer_who_opted_out_gets_no_survey():
    leader = UserFactory(role=Role.LEADER)
    volunteer = VolunteerFactory()
    SurveyOptOut.objects.create(volunteer=volunteer)
    match, _parent = family_match(status=Match.Status.ENDING, volunteer=volunteer)
    lifecycle.close_match(match, reason="Slut", actor=leader, on=DAY0 + timedelta(days=120))
    assert list(match.invitations.values_list("kind", flat=True)) == [SurveyKind.POST]


def test_activation_invites_to_the_pre_survey():
    leader = UserFactory(role=Role.LEADER)
    match, parent = family_match(status=Match.Status.AGREEMENT_SIGNED, started_on=None)
    lifecycle.activate_match(match, actor=leader, on=DAY0)
    invitation = match.invitations.get()
    assert (invitation.kind, invitation.parent) == (SurveyKind.PRE, parent)


# ---------------------------------------------------------------------------
# Calls and the limit


def test_calls_count_towards_nine_attempts_then_non_response(
    deliver_now, django_capture_on_commit_callbacks
):
    caller = UserFactory(role=Role.LEADER)
    match, _parent = family_match()
    invitation = services.dispatch_pre_survey(match, today=DAY0)
    with django_capture_on_commit_callbacks(execute=True):
        for days in (0, 7, 14):
            run(DAY0 + timedelta(days=days))
    with pytest.raises(services.SurveyError):
        services.record_call_attempt(
            invitation, channel=Channel.PHONE, outcome="flying", actor=caller
        )
    now = at(DAY0 + timedelta(days=21))
    for number in range(4, 10):
        services.record_call_attempt(
            invitation,
            channel=Channel.VOICEMAIL if number % 2 else Channel.PHONE,
            outcome=ContactAttempt.Outcome.NO_ANSWER,
            actor=caller,
            now=now,
        )
        invitation.refresh_from_db()
        assert invitation.attempts == number
        now += timedelta(days=2)
    assert invitation.status == Invitation.Status.NON_RESPONSE
    assert invitation.contact_attempts.count() == 9
    assert invitation.contact_attempts.filter(by=caller).count() == 6
    with pytest.raises(services.SurveyError):
        services.record_call_attempt(
            invitation, channel=Channel.PHONE, outcome="no_answer", actor=caller
        )


def test_the_next_call_falls_due_two_days_later(deliver_now):
    caller = UserFactory(role=Role.LEADER)
    match, _parent = family_match()
    invitation = services.dispatch_pre_survey(match, today=DAY0)
    Invitation.objects.filter(pk=invitation.pk).update(
        next_step=Step.CALL, next_step_at=at(DAY0), attempts=3
    )
    services.record_call_attempt(
        invitation,
        channel=Channel.PHONE,
        outcome=ContactAttempt.Outcome.REACHED,
        note="Vil svare i aften",
        actor=caller,
        now=at(DAY0, 14),
    )
    invitation.refresh_from_db()
    assert (invitation.attempts, invitation.next_step_at) == (4, at(DAY0 + timedelta(days=2)))


def test_tokens_never_reach_the_logs(caplog):
    import logging

    from surveys.log_filters import HideSurveyTokens
    from surveys.tokens import new_salt, token_for

    token = token_for(new_salt())
    record = logging.LogRecord(
        "django.server", logging.INFO, __file__, 1, '"GET /s/%s/ HTTP/1.1" 200 512', (token,), None
    )
    assert HideSurveyTokens().filter(record)
    assert token not in record.getMessage()
    assert record.getMessage() == '"GET /s/…/ HTTP/1.1" 200 512'


def test_a_claim_costs_the_same_queries_at_5_and_50_due_steps(monkeypatch):
    from django.test.utils import CaptureQueriesContext

    from surveys.tasks import deliver_attempts

    monkeypatch.setattr(deliver_attempts, "delay", lambda ids: None)

    def claim(count):
        for _ in range(count):
            match, _parent = family_match()
            services.dispatch_pre_survey(match, today=DAY0)
            volunteer_match = MatchFactory(status=Match.Status.ENDING, started_on=DAY0)
            SurveyOptOut.objects.get_or_create(volunteer=volunteer_match.volunteer)
            services._invite(
                volunteer_match,
                kind=SurveyKind.VOLUNTEER,
                volunteer=volunteer_match.volunteer,
                now=at(DAY0),
            )
        with CaptureQueriesContext(connection) as queries:
            taken, _ids = engine.claim_due_steps(now=at(DAY0, 10))
        assert taken == 2 * count
        return len(queries)

    assert claim(5) == claim(50)


def test_a_delivery_costs_the_same_queries_at_5_and_20_invitations(monkeypatch):
    """Claiming, sending and recording a group read everything up front: no query per
    message (a deferred field read in a template or a rule would add one per row)."""
    from django.test.utils import CaptureQueriesContext

    from surveys.tasks import deliver_attempts

    monkeypatch.setattr(deliver_attempts, "delay", lambda ids: None)
    # The outcomes are written once for the group, however slow the machine: what is
    # counted is a query per message, not the recording window.
    monkeypatch.setattr(delivery, "RECORD_SECONDS", 3600)
    monkeypatch.setattr(delivery, "RECORD_ROWS", delivery.CLAIM_ROWS)
    # Mail outcomes are written one by one on purpose (see the test after this one).
    monkeypatch.setattr(delivery, "RECORD_MAIL_EACH", False)

    def deliver(count):
        for index in range(count):
            match, _parent = family_match(channel="both", phone=f"+452030{index:04d}")
            services.dispatch_pre_survey(match, today=DAY0)
            volunteer = VolunteerFactory(phone="+4521212121", email="v@example.dk")
            volunteer_match = MatchFactory(
                status=Match.Status.ENDING, started_on=DAY0, volunteer=volunteer
            )
            services._invite(
                volunteer_match, kind=SurveyKind.VOLUNTEER, volunteer=volunteer, now=at(DAY0)
            )
        _taken, ids = engine.claim_due_steps(now=at(DAY0, 10))
        assert len(ids) == 4 * count <= delivery.CLAIM_ROWS
        with CaptureQueriesContext(connection) as queries:
            outcomes = delivery.deliver_many(ids, now=at(DAY0, 10))
        assert list(outcomes.values()) == ["sent"] * len(ids)
        sent = ContactAttempt.objects.filter(pk__in=ids, status=S.SENT)
        # Each sms keeps its own provider id.
        provider_ids = set(sent.filter(channel=Channel.SMS).values_list("provider_id", flat=True))
        assert len(provider_ids) == len(ids) // 2 and "" not in provider_ids
        assert not sent.filter(sent_at__isnull=True).exists()
        return len(queries)

    assert deliver(5) == deliver(20)


def test_a_mail_is_recorded_before_the_next_is_sent(monkeypatch, settings):
    """A worker killed mid-group sends again at most the mail in flight: each mail's
    outcome is written before the next mail goes out, while sms are written together."""
    assert not delivery.record_mail_each()  # in-memory mail is batched
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    assert delivery.record_mail_each()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from django.core import mail

    monkeypatch.setattr(delivery, "RECORD_SECONDS", 3600)
    # As over SMTP (the default there); the locmem backend here would batch.
    monkeypatch.setattr(delivery, "RECORD_MAIL_EACH", True)
    for index in range(3):
        match, _parent = family_match(channel="mail", phone=f"+452031{index:04d}")
        services.dispatch_pre_survey(match, today=DAY0)
    _taken, ids = engine.claim_due_steps(now=at(DAY0))
    assert ContactAttempt.objects.filter(pk__in=ids, channel=Channel.MAIL).count() == 3
    seen = []
    real_send = delivery.Mailer.send

    def send(self, subject, body, to, *, key=""):
        seen.append(ContactAttempt.objects.filter(pk__in=ids, status=S.SENT).count())
        return real_send(self, subject, body, to, key=key)

    monkeypatch.setattr(delivery.Mailer, "send", send)
    assert set(delivery.deliver_many(ids, now=at(DAY0)).values()) == {"sent"}
    assert seen == [0, 1, 2]
    # Every resend of a mail carries the same Message-ID, made from the attempt's key.
    keys = ContactAttempt.objects.filter(pk__in=ids).order_by("pk").values_list("key", flat=True)
    assert [m.extra_headers["Message-ID"] for m in mail.outbox[-3:]] == [
        delivery.message_id_for(key) for key in keys
    ]
    assert delivery.message_id_for("7:invite:mail") == "<familien.attempt.7.invite.mail@localhost>"


def test_a_group_stops_before_its_lease_runs_out(monkeypatch):
    """A slow gateway must not let a claimed row be sent after its lease, when the tick
    may have handed it to another worker: the rest of the group waits, "sending"."""
    match, _parent = family_match()
    services.dispatch_pre_survey(match, today=DAY0)
    match2, _parent = family_match()
    services.dispatch_pre_survey(match2, today=DAY0)
    _taken, ids = engine.claim_due_steps(now=at(DAY0))
    clock = iter([0.0, 0.0, 1.0, 1.0, 10_000.0, 10_000.0, 10_000.0, 10_000.0])
    monkeypatch.setattr(delivery.time, "monotonic", lambda: next(clock, 10_000.0))

    outcomes = delivery.deliver_many(ids, now=at(DAY0))

    assert sorted(outcomes.values()) == ["sent", "skipped"]
    assert len(sms.outbox) == 1
    left = ContactAttempt.objects.get(pk=[pk for pk, o in outcomes.items() if o == "skipped"][0])
    assert left.status == S.SENDING and left.lease_until is not None


def test_an_answer_during_a_slow_group_stops_its_later_messages(monkeypatch):
    """Consent and the invitation's state are read again when the group's reading is
    older than FRESH_SECONDS: an answer given meanwhile stops the reminder."""
    first, _parent = family_match()
    services.dispatch_pre_survey(first, today=DAY0)
    second, _parent = family_match()
    later = services.dispatch_pre_survey(second, today=DAY0)
    _taken, ids = engine.claim_due_steps(now=at(DAY0))
    ticks = {"now": 0.0}

    def slow_send(self, message):
        # The first send takes a minute; meanwhile the second respondent answers.
        ticks["now"] += 60
        Invitation.objects.filter(pk=later.pk).update(status=Invitation.Status.ANSWERED)
        sms.outbox.append(message)
        return "slow-1"

    monkeypatch.setattr(delivery.time, "monotonic", lambda: ticks["now"])
    monkeypatch.setattr(sms.LocmemBackend, "send", slow_send)

    outcomes = delivery.deliver_many(ids, now=at(DAY0))

    assert sorted(outcomes.values()) == ["cancelled", "sent"]
    assert len(sms.outbox) == 1


def test_the_mail_subject_reaches_the_wire_in_danish(
    deliver_now, django_capture_on_commit_callbacks
):
    """The subject is encoded once per group (RFC 2047), exactly as Django would."""
    from email.header import decode_header, make_header

    match, _parent = family_match(channel="mail")
    services.dispatch_pre_survey(match, today=DAY0)
    with django_capture_on_commit_callbacks(execute=True):
        run(DAY0)
    assert deliver_now == ["sent"]
    (message,) = mail.outbox
    subject = message.message()["Subject"]
    assert str(make_header(decode_header(subject))) == "Spørgeskema fra Røde Kors"
    assert "Mette" in message.body
