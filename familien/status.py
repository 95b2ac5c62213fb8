"""Is Familien's background machinery alive? Used by the status page and /healthz."""

import logging
import socket
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection
from django.utils import timezone
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


def check_database():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return Check("database", _("Database"), True, connection.vendor)
    except DatabaseError as exc:
        return Check("database", _("Database"), False, type(exc).__name__)


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


def check_heartbeat(source, *, now=None):
    from familien.models import Heartbeat

    label = {"beat": _("Celery beat"), "worker": _("Celery worker")}[source]
    now = now or timezone.now()
    try:
        beat = Heartbeat.objects.filter(source=source).first()
    except DatabaseError:
        return Check(source, label, False, "database unavailable")
    if beat is None:
        return Check(source, label, False, "never seen")
    # Three missed heartbeats in a row mean the process is gone or stuck.
    fresh = now - beat.seen_at <= timedelta(seconds=3 * settings.HEARTBEAT_SECONDS)
    return Check(source, label, fresh, beat.detail, beat.seen_at)


CHECKS = {
    "database": check_database,
    "broker": check_broker,
    "beat": lambda: check_heartbeat("beat"),
    "worker": lambda: check_heartbeat("worker"),
}


def system_status(names=None):
    """Run the named checks (all by default) and return them in a stable order."""
    return [CHECKS[name]() for name in CHECKS if names is None or name in names]
