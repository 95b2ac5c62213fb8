from time import monotonic

from celery.beat import PersistentScheduler
from django.conf import settings

from familien.status import forget_beat_instance, record_beat_instance, record_heartbeat

WORKER_HEARTBEAT = "worker-heartbeat"  # its entry in CELERY_BEAT_SCHEDULE


class HeartbeatScheduler(PersistentScheduler):
    """Celery beat's scheduler that also writes beat's own heartbeat to the database.

    The worker's heartbeat task proves a worker runs; only beat itself can prove beat
    runs, so the status page can tell the two failures apart. Each beat also writes a row
    of its own, so two started by mistake show on the status page (the engine's claims
    keep them from sending anything twice).
    """

    _last_heartbeat = None

    def tick(self, *args, **kwargs):
        if self._last_heartbeat is None and WORKER_HEARTBEAT in self.schedule:
            # Ask for the worker's sign of life at once, so that right after a start the
            # status page shows both processes within seconds, not after a full interval.
            self.apply_entry(self.schedule[WORKER_HEARTBEAT], producer=self.producer)
        remaining = super().tick(*args, **kwargs)
        interval = settings.HEARTBEAT_SECONDS
        if self._last_heartbeat is None or monotonic() - self._last_heartbeat >= interval:
            record_heartbeat("beat", detail=self.app.conf.broker_url.split("://")[0])
            record_beat_instance()
            self._last_heartbeat = monotonic()
        return min(remaining, interval)

    def close(self):
        forget_beat_instance()
        super().close()
