"""The survey engine's throughput and memory (issue 8 item 2; P6: at least 1,000 due steps
a second on one worker, under 300 MB for 100,000 due steps).

How it is measured, and why so:

* The due steps are real rows: ``count`` open invitations due at ``MOMENT``, one per
  (match, respondent) among consenting families' parents and volunteers who have not
  opted out, so every step goes the whole way (a claim, one or two attempts, a message
  rendered and sent). They are committed, because the worker runs in another process.
* ``MOMENT`` lies in 2001, before any real row: the run claims only these invitations,
  creates no follow-up surveys and hands out no real stale attempt, so a benchmark on a
  copy of real data leaves the real chain alone. The rows carry a fixed kind and a
  marked token hash (no link can ever match it) and are deleted afterwards, with their
  attempts; a run killed half-way is cleaned up by the next one.
* The worker is a spawned process (familien.benchmark.child) that runs what a worker
  runs for a tick: ``surveys.tasks.tick``'s ``run_due`` claims the steps batch by
  batch, and each batch's attempts are delivered by ``surveys.tasks.deliver_attempts``
  in chunks of DELIVERY_CHUNK, executed eagerly in the same process (Celery's
  ``task_always_eager``) instead of through the broker: one message per chunk of 100
  attempts, which the broker itself publishes at about 900 a second here. Every
  transaction commits as in production. Channels are in memory (familien.sms's
  LocmemBackend, Django's locmem mail), each message built in full; the outboxes only
  count, because a real gateway keeps nothing in the worker.
"""

import os
import time
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from familien.benchmark.child import run_in_child
from familien.models import ConsentState, Parent
from matching.models import Match
from surveys.engine import AUTOMATIC_STEPS
from surveys.models import ContactAttempt, Invitation, Questionnaire, Step, SurveyOptOut

KIND = "benchmark"
MARK = "benchmark-engine:"
MOMENT = timezone.make_aware(datetime(2001, 1, 8, 9, 0))
STEPS = 100_000
TARGET_STEPS_PER_SECOND = 1000
TARGET_PEAK_MB = 300
BATCH = 5000


def benchmark_invitations():
    return Invitation.objects.filter(kind=KIND, token_hash__startswith=MARK)


def remove_due_invitations():
    """Delete the benchmark's invitations and their attempts with one DELETE each.
    Nothing else refers to them (never answered), and as the engine writes attempts in
    bulk, no audit rows were made for them, so their removal writes none either; Django's
    delete() would load all 100,000 rows to send a signal for each."""
    invitations = benchmark_invitations()
    attempts = ContactAttempt.objects.filter(invitation__in=invitations)
    with transaction.atomic():
        removed = attempts._raw_delete(attempts.db)
        removed += invitations._raw_delete(invitations.db)
    return removed


def _respondents(count):
    """Up to ``count`` (match, parent, volunteer) pairs: consenting families' parents
    first, then volunteers who have not opted out."""
    parents = (
        Parent.objects.filter(
            family__evaluation_consent=ConsentState.GIVEN, family__matches__isnull=False
        )
        .values_list("family__matches", "pk")
        .order_by("pk", "family__matches")
    )
    for match_id, parent_id in parents.iterator(chunk_size=BATCH):
        if count <= 0:
            return
        count -= 1
        yield match_id, parent_id, None
    opted_out = SurveyOptOut.objects.values("volunteer_id")
    volunteers = (
        Match.objects.exclude(volunteer_id__in=opted_out).values_list("pk", "volunteer_id")
    ).order_by("pk")
    for match_id, volunteer_id in volunteers.iterator(chunk_size=BATCH):
        if count <= 0:
            return
        count -= 1
        yield match_id, None, volunteer_id


def make_due_invitations(count, *, now=MOMENT):
    """``count`` open invitations whose first step is due at ``now`` (fewer when the
    data holds fewer respondents); returns how many."""
    remove_due_invitations()
    questionnaire = Questionnaire.objects.order_by("pk").first()
    if questionnaire is None:
        return 0
    made = 0
    rows = []

    def flush():
        Invitation.objects.bulk_create(rows, batch_size=BATCH)
        rows.clear()

    with transaction.atomic():
        for match_id, parent_id, volunteer_id in _respondents(count):
            made += 1
            salt = f"{made:032d}"
            rows.append(
                Invitation(
                    questionnaire=questionnaire,
                    kind=KIND,
                    match_id=match_id,
                    parent_id=parent_id,
                    volunteer_id=volunteer_id,
                    token_salt=salt,
                    token_hash=MARK + salt,
                    next_step=Step.INVITE,
                    next_step_at=now - timedelta(minutes=made % 60),
                )
            )
            if len(rows) >= BATCH:
                flush()
        flush()
    if connection.vendor == "postgresql":
        # Steps that fall due over days are in the planner's statistics by then
        # (autovacuum analyses a table as it grows); rows written a second ago are not.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Invitation._meta.db_table}")  # noqa: S608 - our table
    return made


def due_steps(now=MOMENT):
    return Invitation.objects.filter(
        status=Invitation.Status.OPEN, next_step__in=AUTOMATIC_STEPS, next_step_at__lte=now
    ).count()


class CountingOutbox(list):
    """An outbox that counts what it is given and keeps nothing: a worker that holds
    every message it sent would measure the benchmark, not the engine."""

    def __init__(self):
        super().__init__()
        self.count = 0

    def append(self, item):
        self.count += 1

    def extend(self, items):
        self.count += sum(1 for _ in items)

    def __len__(self):
        return self.count


def database_backend_pid():
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def backend_cpu_seconds(pid):
    """CPU seconds the database server process ``pid`` has used, when it runs on this
    machine (Linux /proc); None otherwise."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError, TypeError):
        return None
    # utime and stime: the 14th and 15th fields, the 12th and 13th after the name.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def work(*, now_iso):
    """The worker's part, run in the child: one tick for ``now`` with every delivery
    task executed as the tick enqueues it. Returns counts and seconds."""
    from django.core import mail
    from django.test.utils import override_settings

    from familien import sms
    from familien.celery import app
    from surveys.engine import run_due
    from surveys.tasks import tick  # noqa: F401 - registers the tasks like a worker

    app.conf.task_always_eager = True
    mail.outbox = CountingOutbox()
    sms.outbox = CountingOutbox()
    now = datetime.fromisoformat(now_iso)
    with override_settings(
        DEBUG=False,
        SMS_BACKEND="familien.sms.LocmemBackend",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    ):
        backend = database_backend_pid()
        db_cpu = backend_cpu_seconds(backend)
        cpu = time.process_time()
        started = time.perf_counter()
        counts = run_due(now=now)
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu
        if db_cpu is not None:
            db_cpu = backend_cpu_seconds(backend) - db_cpu
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "db_cpu_seconds": db_cpu,
        "attempts": counts["attempts"],
        "sms": sms.outbox.count,
        "mails": mail.outbox.count,
    }


def measure_engine(steps=STEPS, *, say=print):
    """Make ``steps`` due steps, let a worker process them, check the result and clean
    up. Returns the engine section of the benchmark's JSON."""
    say(f"Engine: making {steps} due invitations …")
    started = time.perf_counter()
    made = make_due_invitations(steps)
    try:
        due = due_steps()
        say(f"  {made} made in {time.perf_counter() - started:.1f} s; running the worker …")
        result, memory = run_in_child("familien.benchmark.engine.work", now_iso=MOMENT.isoformat())
        invitations = benchmark_invitations()
        statuses = _attempt_statuses(invitations)
        processed = invitations.exclude(next_step=Step.INVITE).count()
        still_due = due_steps()
    finally:
        remove_due_invitations()
    seconds = result["seconds"]
    per_second = due / seconds if seconds else None
    ok = (
        per_second is not None
        and per_second >= TARGET_STEPS_PER_SECOND
        and memory["peak_mb"] < TARGET_PEAK_MB
        and processed == due
        and still_due == 0
    )
    return {
        "steps_due": due,
        "steps_processed": processed,
        "steps_still_due": still_due,
        "attempts": result["attempts"],
        "attempt_statuses": statuses,
        "sms_sent": result["sms"],
        "mails_sent": result["mails"],
        "seconds": round(seconds, 2),
        # CPU time of the worker and of its database server process: on a shared
        # machine the wall-clock time also holds the waits for a core. Their sum is what
        # the work costs on a quiet machine (plus the commits' waits for the disk).
        "worker_cpu_seconds": round(result["cpu_seconds"], 2),
        "database_cpu_seconds": _rounded(result["db_cpu_seconds"]),
        "cpu_bound_steps_per_second": _cpu_bound(due, result),
        "steps_per_second": round(per_second, 1) if per_second else None,
        "attempts_per_second": round(result["attempts"] / seconds, 1) if seconds else None,
        "worker_start_mb": memory["start_mb"],
        "worker_peak_mb": memory["peak_mb"],
        "batch_size": settings.SURVEY_BATCH_SIZE,
        "how": "one spawned worker process: run_due (the tick) with deliver_attempts run "
        "eagerly per chunk; in-memory sms and mail; every transaction committed",
        "target": f">= {TARGET_STEPS_PER_SECOND} steps/s, < {TARGET_PEAK_MB} MB",
        "verdict": "OK" if ok else "MISS",
    }


def _rounded(value):
    return None if value is None else round(value, 2)


def _cpu_bound(due, result):
    cpu = result["cpu_seconds"] + (result["db_cpu_seconds"] or 0)
    return round(due / cpu, 1) if cpu else None


def _attempt_statuses(invitations):
    from django.db.models import Count

    rows = (
        ContactAttempt.objects.filter(invitation__in=invitations)
        .values("status")
        .annotate(n=Count("pk"))
        .order_by("status")
    )
    return {row["status"]: row["n"] for row in rows}
