"""Is Familien's background machinery alive? Used by the status page and /healthz.

Besides the database, the broker and the heartbeats of beat and the worker, the checks
read what the deliveries recorded: the sms gateway or the mail server failing (the last
attempts on the channel all failed or wait for a retry), survey steps overdue by more
than SURVEY_OVERDUE_MINUTES (nothing is taking the work), and two beat schedulers alive
at once (one was started by mistake; the engine still sends each step once).
"""

import hashlib
import logging
import os
import socket
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Check:
    name: str
    label: str
    ok: bool
    detail: str
    seen_at: object = None

    def as_json(self):
        data = {"status": "ok" if self.ok else "failing", "detail": self.detail}
        if self.seen_at is not None:
            data["last_seen"] = self.seen_at.isoformat()
        return data


def record_heartbeat(source, *, detail="", now=None):
    """Write ``source``'s heartbeat; a database outage is logged, never raised into beat."""
    from familien.models import Heartbeat

    close_old_connections()
    try:
        Heartbeat.objects.update_or_create(
            source=source,
            defaults={"seen_at": now or timezone.now(), "detail": detail or socket.gethostname()},
        )
    except DatabaseError:
        logger.warning("heartbeat for %s not recorded: database unavailable", source)


# Each beat process also keeps a row of its own, "beat:<8 hex>" (hostname and pid), so two
# schedulers writing the one "beat" row by turns still show up as two.
BEAT_INSTANCE_PREFIX = "beat:"


def beat_instance_source():
    ident = f"{socket.gethostname()}:{os.getpid()}"
    return BEAT_INSTANCE_PREFIX + hashlib.sha256(ident.encode()).hexdigest()[:8]


def record_beat_instance(*, now=None):
    """Write this beat process's own heartbeat row (see check_beat_schedulers)."""
    record_heartbeat(
        beat_instance_source(), detail=f"{socket.gethostname()}:{os.getpid()}", now=now
    )


def forget_beat_instance():
    """A beat that stops cleanly removes its row, so a restart is not taken for two."""
    from familien.models import Heartbeat

    try:
        Heartbeat.objects.filter(source=beat_instance_source()).delete()
    except DatabaseError:
        logger.warning("beat instance row not removed: database unavailable")


class Readings:
    """What the checks read, each read once per page: one query for every heartbeat, one
    for the latest attempts of both channels and the oldest stuck message, one for the
    oldest overdue step (the admin's home shows the checks within its query budget). A
    database error is kept and reported by each check that needed the reading."""

    def __init__(self, now=None):
        self.now = now or timezone.now()
        self.late = self.now - timedelta(minutes=settings.SURVEY_OVERDUE_MINUTES)
        self._cache = {}

    def _read(self, name, query):
        if name not in self._cache:
            try:
                self._cache[name] = (query(), None)
            except DatabaseError as exc:
                self._cache[name] = (None, exc)
        value, error = self._cache[name]
        if error is not None:
            raise error
        return value

    def heartbeats(self):
        """{source: Heartbeat} of beat, the worker and the beat processes seen lately."""
        from familien.models import Heartbeat

        since = self.now - timedelta(seconds=3 * settings.HEARTBEAT_SECONDS)
        return self._read(
            "heartbeats",
            lambda: {
                beat.source: beat
                for beat in Heartbeat.objects.filter(
                    Q(source__in=["beat", "worker"])
                    | Q(source__startswith=BEAT_INSTANCE_PREFIX, seen_at__gte=since)
                )
            },
        )

    def attempts(self):
        """The latest RECENT_ATTEMPTS tried sms and mails, and the oldest message still
        queued or sending past the overdue limit (without a retry time to wait for)."""
        from surveys.models import Channel, ContactAttempt

        status = ContactAttempt.Status
        tried = ContactAttempt.objects.filter(
            tries__gt=0, status__in=[status.SENT, status.FAILED, status.QUEUED]
        ).order_by("-pk")
        stuck = ContactAttempt.objects.filter(
            status__in=[status.QUEUED, status.SENDING], created_at__lt=self.late
        ).exclude(retry_at__gte=self.late)

        def latest(channel):
            return tried.filter(channel=channel).values("pk")[:RECENT_ATTEMPTS]

        return self._read(
            "attempts",
            lambda: list(
                ContactAttempt.objects.filter(
                    Q(pk__in=latest(Channel.SMS))
                    | Q(pk__in=latest(Channel.MAIL))
                    | Q(pk__in=stuck.order_by("created_at").values("pk")[:1])
                )
                .order_by("-pk")
                .values("channel", "status", "tries", "error", "created_at", "retry_at")
            ),
        )

    def overdue_step(self):
        from surveys.engine import AUTOMATIC_STEPS
        from surveys.models import Invitation

        return self._read(
            "overdue_step",
            lambda: (
                Invitation.objects.filter(
                    status=Invitation.Status.OPEN,
                    next_step__in=AUTOMATIC_STEPS,
                    next_step_at__lt=self.late,
                )
                .order_by("next_step_at")
                .values_list("next_step_at", flat=True)
                .first()
            ),
        )


UNAVAILABLE = "database unavailable"


def check_database(readings=None):
    """The database answers (the heartbeats' query, which the page needs anyway)."""
    readings = readings or Readings()
    try:
        readings.heartbeats()
    except DatabaseError as exc:
        return Check("database", _("Database"), False, type(exc).__name__)
    return Check("database", _("Database"), True, connection.vendor)


def check_broker(url=None):
    from familien.celery import app

    url = url or app.conf.broker_url
    scheme = url.split("://")[0]
    try:
        with app.connection_for_write(url) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
        return Check("broker", _("Message broker"), True, scheme)
    except Exception as exc:  # noqa: BLE001 - any failure to connect means "failing"
        return Check("broker", _("Message broker"), False, f"{scheme}: {type(exc).__name__}")


def check_heartbeat(source, *, now=None, readings=None):
    label = {"beat": _("Celery beat"), "worker": _("Celery worker")}[source]
    readings = readings or Readings(now)
    try:
        beat = readings.heartbeats().get(source)
    except DatabaseError:
        return Check(source, label, False, UNAVAILABLE)
    if beat is None:
        return Check(source, label, False, "never seen")
    # Three missed heartbeats in a row mean the process is gone or stuck.
    fresh = readings.now - beat.seen_at <= timedelta(seconds=3 * settings.HEARTBEAT_SECONDS)
    return Check(source, label, fresh, beat.detail, beat.seen_at)


def check_beat_schedulers(*, now=None, readings=None):
    """Failing when more than one beat process wrote its heartbeat within three intervals:
    one was started by mistake (the engine's claims still send each step once)."""
    label = _("Beat schedulers")
    readings = readings or Readings(now)
    try:
        alive = [s for s in readings.heartbeats() if s.startswith(BEAT_INSTANCE_PREFIX)]
    except DatabaseError:
        return Check("schedulers", label, False, UNAVAILABLE)
    detail = gettext_now("%(count)d running") % {"count": len(alive)}
    return Check("schedulers", label, len(alive) <= 1, detail)


# A channel counts as failing when its latest FAILING_STREAK tried messages (of the last
# RECENT_ATTEMPTS) all failed or wait for a retry; one message through clears it.
RECENT_ATTEMPTS = 5
FAILING_STREAK = 2


def check_channel(channel, *, readings=None):
    """The sms gateway or the mail server: failing while its latest attempts failed (given
    up, or waiting for a retry after an error)."""
    from surveys.models import Channel, ContactAttempt

    name, label = {
        Channel.SMS: ("sms", _("Sms gateway")),
        Channel.MAIL: ("mail", _("Mail server")),
    }[channel]
    status = ContactAttempt.Status
    readings = readings or Readings()
    try:
        rows = readings.attempts()
    except DatabaseError:
        return Check(name, label, False, UNAVAILABLE)
    latest = [
        row
        for row in rows
        if row["channel"] == channel
        and row["tries"] > 0
        and row["status"] in (status.SENT, status.FAILED, status.QUEUED)
    ][:RECENT_ATTEMPTS]
    failed = []
    for row in latest:
        if row["status"] == status.SENT:
            break
        failed.append(row["error"])
    if latest and len(failed) >= min(FAILING_STREAK, len(latest)):
        detail = gettext_now("The last %(count)d attempts failed: %(error)s") % {
            "count": len(failed),
            "error": failed[0] or "-",
        }
        return Check(name, label, False, detail)
    detail = gettext_now("%(count)d recent attempts") % {"count": len(latest)}
    return Check(name, label, True, detail)


def check_overdue_steps(*, now=None, readings=None):
    """Failing when an automatic survey step, or a message of one, is more than
    SURVEY_OVERDUE_MINUTES late: no tick or no worker is taking the work."""
    from surveys.models import ContactAttempt

    label = _("Survey steps on time")
    readings = readings or Readings(now)
    pending = (ContactAttempt.Status.QUEUED, ContactAttempt.Status.SENDING)
    try:
        step = readings.overdue_step()
        stuck = [
            row["created_at"]
            for row in readings.attempts()
            if row["status"] in pending
            and row["created_at"] < readings.late
            and not (row["retry_at"] and row["retry_at"] >= readings.late)
        ]
    except DatabaseError:
        return Check("overdue", label, False, UNAVAILABLE)
    oldest = min([when for when in [step, *stuck] if when], default=None)
    if oldest is None:
        return Check("overdue", label, True, gettext_now("Nothing overdue"))
    detail = gettext_now("Due since %(when)s") % {
        "when": timezone.localtime(oldest).strftime("%Y-%m-%d %H:%M")
    }
    return Check("overdue", label, False, detail, oldest)


CHECKS = {
    "database": lambda r: check_database(r),
    "broker": lambda r: check_broker(),
    "beat": lambda r: check_heartbeat("beat", readings=r),
    "worker": lambda r: check_heartbeat("worker", readings=r),
    "schedulers": lambda r: check_beat_schedulers(readings=r),
    "sms": lambda r: check_channel("sms", readings=r),
    "mail": lambda r: check_channel("mail", readings=r),
    "overdue": lambda r: check_overdue_steps(readings=r),
}


def system_status(names=None, *, now=None):
    """Run the named checks (all by default) and return them in a stable order."""
    readings = Readings(now)
    return [CHECKS[name](readings) for name in CHECKS if names is None or name in names]
