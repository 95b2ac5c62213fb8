"""Faults with real processes: Celery workers (prefork) and beat on a Redis server of the
test's own, against the test database, sending through the fake gateway and mail server.
The engine's waits are cut to seconds (a tick a second, a six-second lease, a message
counted lost after three seconds), so a fault and its recovery fit in a test.

Fast: Redis restarted while deliveries are queued. Slow (``make faults``): a worker
killed with kill -9 mid-delivery and started again, two beats started by mistake, and the
database refusing connections for a few seconds while ticks run."""

import time

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from familien import status
from surveys import engine
from tests.faults.conftest import expected_keys, unfinished
from tests.faults.harness import summary, wait_for

on_postgres = connection.vendor == "postgresql"
needs_postgres = pytest.mark.skipif(
    not on_postgres,
    reason="several worker processes writing at once need PostgreSQL; SQLite, the demo "
    "default, takes one writer at a time",
)


def settled(expected, *fakes):
    def done():
        return unfinished() == 0 and not summary(expected, *fakes)["lost"]

    return done


def report(processes, *names):
    return "\n".join(f"--- {name}\n{processes.log(name)[-3000:]}" for name in names)


@needs_postgres
@pytest.mark.fault
@pytest.mark.celery_worker
def test_redis_restarted_while_deliveries_are_queued(
    transactional_db,
    processes,
    redis_server,
    publish_to,
    gateway,
    smtp,
    due_invitations,
    django_capture_on_commit_callbacks,
    fault_table,
):
    invitations = due_invitations(10)
    expected = expected_keys(invitations)
    publish_to(processes.queue)
    with django_capture_on_commit_callbacks(execute=True):
        assert engine.run_due(now=timezone.now())["attempts"] == 20
    assert redis_server.queued(processes.queue) == 1
    redis_server.stop()
    assert not status.check_broker(redis_server.url).ok
    redis_server.start()
    assert redis_server.queued(processes.queue) == 0
    started = time.monotonic()
    processes.worker()
    processes.beat()
    ok = wait_for(settled(expected, gateway, smtp), 60)
    took = time.monotonic() - started
    assert ok, report(processes, "worker", "beat")
    result = summary(expected, gateway, smtp)
    assert result["lost"] == [] and result["extra"] == [] and result["resends"] == 0
    fault_table.add(
        "Redis restarted (no persistence) with 20 deliveries queued, worker and beat started after",
        f"the queue came back empty; the rows were still queued; beat's ticks handed them out "
        f"again after SURVEY_LOST_AFTER_SECONDS (3 s here); all sent {took:.0f} s after the start",
        f"{len(result['lost'])} lost, 0 sent twice",
    )


@needs_postgres
@pytest.mark.slow_fault
@pytest.mark.celery_worker
@pytest.mark.parametrize("send_seconds", [0.05, 0.01])
def test_kill_9_of_the_worker_mid_delivery_then_a_restart(
    send_seconds, transactional_db, processes, gateway, smtp, due_invitations, fault_table
):
    """The worker (main process and its pool) killed with SIGKILL while sending; started
    again. The rows it held stay "sending" until their lease ends, then go out again:
    under the same idempotency key, so the gateway keeps the first sms; a mail resend
    carries the same Message-ID. Its heartbeat goes stale on the status page meanwhile.
    A gateway of 50 ms a message, and a fast one of 10 ms (the most left unrecorded)."""
    gateway.delay = smtp.delay = send_seconds
    invitations = due_invitations(60)
    expected = expected_keys(invitations)
    processes.worker()
    processes.beat()
    assert wait_for(lambda: len(gateway.ledger.delivered()) >= 15, 60), report(
        processes, "worker", "beat"
    )
    processes.kill("worker")
    killed_at = len(gateway.ledger.delivered()) + len(smtp.ledger.delivered())
    # Three missed heartbeats (HEARTBEAT_SECONDS=1 here): the status page says so.
    assert wait_for(lambda: not status.check_heartbeat("worker").ok, 10)
    processes.worker("worker-again")
    started = time.monotonic()
    ok = wait_for(settled(expected, gateway, smtp), 120)
    took = time.monotonic() - started
    assert ok, report(processes, "worker-again", "beat")
    assert wait_for(lambda: status.check_heartbeat("worker").ok, 10)
    result = summary(expected, gateway, smtp)
    assert result["lost"] == [] and result["extra"] == []
    sms_resends, mail_resends = gateway.ledger.resends(), smtp.ledger.resends()
    # Outcomes are written after at most RECORD_ROWS sends, mail after each: per pool
    # process at most 20 sms and one mail in flight.
    assert sms_resends <= 2 * 20 and mail_resends <= 2
    fault_table.add(
        f"worker killed with kill -9 (main process and pool) mid-delivery, started again "
        f"({send_seconds * 1000:.0f} ms a message)",
        f"{killed_at} of {len(expected)} messages out at the kill; the rows it held waited for "
        f"their lease (6 s here) and went out again; all done {took:.0f} s after the restart",
        f"{len(result['lost'])} lost; raw resends after the kill: {sms_resends} sms (same key, "
        f"kept once by the gateway), {mail_resends} mail (same Message-ID); distinct messages "
        f"delivered: {result['delivered']} of {len(expected)}",
    )


@needs_postgres
@pytest.mark.slow_fault
@pytest.mark.celery_worker
def test_two_beats_by_mistake_send_nothing_twice(
    transactional_db, processes, gateway, smtp, due_invitations, fault_table
):
    invitations = due_invitations(20)
    expected = expected_keys(invitations)
    processes.worker()
    processes.beat("beat")
    processes.beat("beat-two")
    assert wait_for(lambda: not status.check_beat_schedulers().ok, 30), report(
        processes, "beat", "beat-two"
    )
    assert status.check_beat_schedulers().detail.startswith("2")
    ok = wait_for(settled(expected, gateway, smtp), 60)
    assert ok, report(processes, "worker", "beat", "beat-two")
    # A few more ticks from both, then the count.
    time.sleep(3)
    ticks = sum(processes.log(name).count("surveys.tasks.tick") for name in ("beat", "beat-two"))
    result = summary(expected, gateway, smtp)
    assert result["lost"] == [] and result["extra"] == [] and result["resends"] == 0
    processes.stop("beat-two")
    assert wait_for(lambda: status.check_beat_schedulers().ok, 10)
    fault_table.add(
        "two beats started by mistake",
        f"both sent ticks ({ticks} in all); each tick claims due rows with SKIP LOCKED, so a "
        "step is claimed once; status page 'Beat schedulers: 2 running' until one stopped",
        f"{len(result['lost'])} lost, 0 sent twice ({len(expected)} messages)",
    )


def refuse_connections(refuse):
    """ALTER DATABASE … ALLOW_CONNECTIONS, and end its sessions but ours: the database
    out of reach for the worker and beat."""
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"] or "localhost",
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as admin:
        name = psycopg.sql.Identifier(db["NAME"])
        flag = psycopg.sql.SQL("false" if refuse else "true")
        admin.execute(psycopg.sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS {}").format(name, flag))
        if refuse:
            admin.execute(
                "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                [db["NAME"]],
            )


@needs_postgres
@pytest.mark.slow_fault
@pytest.mark.celery_worker
def test_the_database_out_of_reach_during_ticks(
    transactional_db, processes, gateway, smtp, due_invitations, fault_table
):
    gateway.delay = smtp.delay = 0.05
    invitations = due_invitations(40)
    expected = expected_keys(invitations)
    processes.worker()
    processes.beat()
    assert wait_for(lambda: len(gateway.ledger.delivered()) >= 10, 60), report(
        processes, "worker", "beat"
    )
    connection.close()
    refuse_connections(True)
    try:
        time.sleep(4)
        # The status page (a new connection) says the database is failing.
        down = status.check_database()
        connection.close()
    finally:
        refuse_connections(False)
    assert not down.ok
    ok = wait_for(settled(expected, gateway, smtp), 120)
    assert ok, report(processes, "worker", "beat")
    result = summary(expected, gateway, smtp)
    assert result["lost"] == [] and result["extra"] == []
    errors = processes.log("worker").count("OperationalError")
    fault_table.add(
        "Postgres refusing connections for 4 s while ticks and deliveries run",
        f"ticks and deliveries failed meanwhile ({errors} database errors in the worker log), "
        f"status page 'Database' failing; what was sent but not recorded went out again "
        f"under its key after the lease",
        f"{len(result['lost'])} lost, 0 delivered twice ({result['resends']} resends, kept "
        "once by key)",
    )
