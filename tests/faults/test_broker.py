"""Redis flushed or restarted while deliveries are queued in it, and Postgres connections
dropped in the middle of a tick: the reminders are database rows, so the broker holds
nothing that is not also in the database, and a tick that fails halfway leaves nothing
half done."""

from datetime import timedelta

import psycopg
import pytest
from django.db import DatabaseError, connection
from django.utils import timezone

from familien import status
from surveys import delivery, engine
from surveys.models import ContactAttempt, Invitation, Step
from surveys.tasks import deliver_attempts
from tests.faults.conftest import expected_keys, unfinished
from tests.faults.harness import summary

pytestmark = pytest.mark.fault
S = ContactAttempt.Status


@pytest.mark.parametrize("how", ["FLUSHALL", "restart without persistence"])
def test_redis_losing_its_queue_loses_no_reminder(
    how,
    redis_server,
    publish_to,
    http_delivery,
    due_invitations,
    settings,
    monkeypatch,
    django_capture_on_commit_callbacks,
    fault_table,
):
    gateway, smtp = http_delivery
    queue = "faults-broker"
    publish_to(queue)
    invitations = due_invitations(5)
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        counts = engine.run_due(now=now)
    assert counts["attempts"] == 10
    assert redis_server.queued(queue) == 1  # one delivery task for the ten attempts
    if how == "FLUSHALL":
        redis_server.client().flushall()
    else:
        redis_server.stop()
        # The status page shows the broker down while it is.
        check = status.check_broker(redis_server.url)
        assert not check.ok and check.detail.startswith("redis")
        redis_server.start()
        assert status.check_broker(redis_server.url).ok
    assert redis_server.queued(queue) == 0
    # The message is gone; the rows are not.
    assert ContactAttempt.objects.filter(status=S.QUEUED).count() == 10
    assert set(Invitation.objects.values_list("next_step", flat=True)) == {Step.SMS_REMINDER}
    # Before SURVEY_LOST_AFTER_SECONDS the tick waits (the message may be on its way) ...
    lost_after = timedelta(seconds=settings.SURVEY_LOST_AFTER_SECONDS)
    with django_capture_on_commit_callbacks(execute=True):
        assert engine.run_due(now=now + lost_after / 2)["requeued"] == 0
    # ... then hands every one out again, and a worker sends each once.
    monkeypatch.setattr(
        deliver_attempts, "delay", lambda ids: delivery.deliver_many(ids, now=now + lost_after)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert engine.run_due(now=now + lost_after)["requeued"] == 10
    assert unfinished() == 0
    result = summary(expected_keys(invitations), gateway, smtp)
    assert result["lost"] == [] and result["extra"] == [] and result["resends"] == 0
    fault_table.add(
        f"Redis {how} with 10 deliveries queued",
        "the queued task was gone; the 10 attempts stayed queued rows; the tick after "
        f"SURVEY_LOST_AFTER_SECONDS ({settings.SURVEY_LOST_AFTER_SECONDS} s) handed them out again",
        f"{len(result['lost'])} lost, 0 sent twice",
    )


def terminate(pid):
    """pg_terminate_backend(pid) from a connection of its own."""
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"] or "localhost",
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname=db["NAME"],
        autocommit=True,
    ) as other:
        # With a timeout it waits until the backend is gone, not only signalled.
        other.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])


needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="pg_terminate_backend is PostgreSQL's; SQLite, the demo default, has no server "
    "connection to drop",
)


@needs_postgres
def test_postgres_connection_dropped_mid_tick_leaves_nothing_half_done(
    transactional_db, http_delivery, due_invitations, monkeypatch, tick, fault_table
):
    gateway, smtp = http_delivery
    invitations = due_invitations(4)
    real_save_moves = engine._save_moves

    def dropped(invitations):
        terminate(connection.connection.info.backend_pid)
        return real_save_moves(invitations)

    monkeypatch.setattr(engine, "_save_moves", dropped)
    now = timezone.now()
    with pytest.raises(DatabaseError):
        tick(now)
    connection.close()
    # Rolled back: no attempt written, no step moved, nothing sent.
    assert ContactAttempt.objects.count() == 0
    assert set(Invitation.objects.values_list("next_step", flat=True)) == {Step.INVITE}
    assert sum(gateway.ledger.raw.values()) + sum(smtp.ledger.raw.values()) == 0
    monkeypatch.setattr(engine, "_save_moves", real_save_moves)
    tick(now + timedelta(seconds=60))
    assert unfinished() == 0
    result = summary(expected_keys(invitations), gateway, smtp)
    assert result["lost"] == [] and result["extra"] == [] and result["resends"] == 0
    fault_table.add(
        "Postgres connection killed mid-tick (pg_terminate_backend while claiming)",
        "the tick failed and rolled back: no attempt, no step moved, nothing sent; the next "
        "tick did it all",
        f"{len(result['lost'])} lost, 0 sent twice",
    )


@needs_postgres
def test_postgres_connection_dropped_while_recording_outcomes(
    transactional_db, http_delivery, due_invitations, monkeypatch, tick, settings, fault_table
):
    """Sent, but the outcomes not written: the rows stay "sending" until the lease ends,
    then go out again under the same keys, which the gateway and a deduplicating mail
    server drop."""
    gateway, smtp = http_delivery
    invitations = due_invitations(4)
    real_flush = delivery.Recorder.flush
    dropped = []

    def flush(self):
        # The database stays out of reach for the rest of the delivery: the writing of
        # the outcomes fails, and so does its second try when the delivery ends.
        if self.rows:
            dropped.append(len(self.rows))
            connection.ensure_connection()
            terminate(connection.connection.info.backend_pid)
        return real_flush(self)

    monkeypatch.setattr(delivery.Recorder, "flush", flush)
    now = timezone.now()
    with pytest.raises(DatabaseError):
        tick(now)
    connection.close()
    monkeypatch.setattr(delivery.Recorder, "flush", real_flush)
    unrecorded = ContactAttempt.objects.filter(status=S.SENDING).count()
    assert unrecorded == len(expected_keys(invitations))
    lease = timedelta(seconds=settings.SURVEY_DELIVERY_LEASE_SECONDS + 1)
    tick(now + lease)
    assert unfinished() == 0
    result = summary(expected_keys(invitations), gateway, smtp)
    assert result["lost"] == [] and result["extra"] == []
    # What was sent before the database went away went out again, under the same keys.
    assert result["resends"] == dropped[0] == 2
    fault_table.add(
        "Postgres connection killed while writing the outcomes (and out of reach after)",
        f"{result['resends']} messages sent but not recorded; all {unrecorded} rows stayed "
        "'sending' until the lease ended, then went out under the same keys",
        f"{len(result['lost'])} lost, 0 delivered twice ({result['resends']} resends, "
        "dropped by key)",
    )
