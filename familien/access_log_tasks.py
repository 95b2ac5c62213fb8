import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task
def purge_access_log():
    """Daily (CELERY_BEAT_SCHEDULE): delete access-log entries past
    ACCESS_LOG_RETENTION_DAYS (familien.access_log.purge_expired)."""
    from familien.access_log import purge_expired

    deleted = purge_expired()
    logger.info("purged %d access-log entries", deleted)
    return deleted
