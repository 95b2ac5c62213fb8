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


@shared_task
def warm_national_figures():
    """Every five minutes (CELERY_BEAT_SCHEDULE, "follow-up-figures"): compute the national
    roles' figures page (followup.figures) and their dashboard's per-branch counts
    (followup.dashboard) ahead, so the central corps never waits for the country's
    numbers. Only reads and stores aggregates; running it twice stores the same again."""
    from followup.dashboard import warm_national_overview
    from followup.figures import warm_national_figures as warm_figures

    today = timezone.localdate()
    warm_figures(today=today)
    warm_national_overview(today=today)
    logger.info("follow-up figures and overview computed for the national roles")
