import logging

from celery import shared_task
from django.utils import timezone

logger = logging.getLogger(__name__)


@shared_task
def raise_follow_up_alerts():
    """Hourly (CELERY_BEAT_SCHEDULE): silent-match alerts for today. Idempotent: a second
    run the same day finds the open alerts and creates nothing; after downtime the next
    run catches up, since it compares dates (followup.services.run_daily_follow_up)."""
    from followup.services import run_daily_follow_up

    counts = run_daily_follow_up(today=timezone.localdate())
    logger.info("follow-up alerts raised: %(silent)d silent matches", counts)
    return counts
