from celery import shared_task

from familien.status import record_heartbeat


@shared_task
def record_worker_heartbeat():
    """Beat sends this every HEARTBEAT_SECONDS; its row shows a worker is taking work."""
    record_heartbeat("worker")
