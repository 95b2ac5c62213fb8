import logging
from smtplib import SMTPException

from celery import shared_task
from django.utils import timezone

from familien.status import record_heartbeat

logger = logging.getLogger(__name__)


@shared_task
def record_worker_heartbeat():
    """Beat sends this every HEARTBEAT_SECONDS; its row shows a worker is taking work."""
    record_heartbeat("worker")


@shared_task(
    autoretry_for=(SMTPException, OSError),
    max_retries=5,
    retry_backoff=True,
    # Short, bounded waits only: a long countdown would sit in the broker (STYLE.md §13).
    retry_backoff_max=300,
    retry_jitter=True,
)
def mail_notifications(ids):
    """Mail the notifications ``ids``; each is claimed first, so running twice sends once
    (familien.services.notifications.mail_notification). A mail error releases that
    notification's claim and retries the task; those already sent are skipped then."""
    from familien.services.notifications import mail_notification

    sent = sum(1 for pk in ids if mail_notification(pk))
    logger.info("mailed %d of %d notifications", sent, len(ids))


@shared_task
def anonymise_expired_records():
    """Daily (CELERY_BEAT_SCHEDULE): anonymise closed families and volunteers who left
    longer ago than FAMILIEN_RETENTION_DAYS (familien.services.privacy)."""
    from familien.services.privacy import anonymise_expired

    counts = anonymise_expired(now=timezone.now())
    logger.info("anonymised %(families)d families and %(volunteers)d volunteers", counts)


@shared_task
def warn_about_certificates():
    """Daily: tell leaders about børneattest deadlines and renewals (one note each)."""
    from django.utils import timezone

    from familien.services.volunteers import warn_leaders_about_certificates

    return warn_leaders_about_certificates(today=timezone.localdate())
