import logging

from celery import shared_task
from django.utils import timezone

logger = logging.getLogger(__name__)


@shared_task
def tick():
    """Every SURVEY_TICK_SECONDS (CELERY_BEAT_SCHEDULE): run the engine for now. Expires
    after one interval, so ticks never pile up behind a stopped worker; the next one
    finds everything that fell due meanwhile in the database."""
    from surveys.engine import run_due

    return run_due(now=timezone.now())


@shared_task
def deliver_attempts(ids):
    """Deliver the contact attempts ``ids``, each once (surveys.delivery.deliver_many
    claims the rows first, a group at a time). Errors are recorded on the row, never
    raised: the tick hands a row out again when its retry time comes."""
    from surveys.delivery import deliver_many

    outcomes = {}
    for outcome in deliver_many(list(ids)).values():
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    logger.info("delivered %d attempts: %s", len(ids), outcomes)
    return outcomes


@shared_task
def build_report_job(job_id):
    """Build ReportJob ``job_id``'s file (a PDF report or an evaluators' export) once,
    recording the progress on the row (surveys.report_jobs.run_job claims it first)."""
    from surveys.report_jobs import run_job

    return run_job(job_id)


@shared_task
def purge_report_jobs():
    """Daily: delete finished report jobs older than a week, with their files."""
    from surveys.report_jobs import purge_old_jobs

    return purge_old_jobs()


@shared_task
def warm_survey_figures():
    """Every few minutes (CELERY_BEAT_SCHEDULE, "survey-figures"): count the national
    roles' default views of the response rates and the outcome report ahead, so nobody
    waits for a count over every invitation (surveys.figure_cache). Only reads and
    stores counts; running it twice stores the same again."""
    from surveys.figure_cache import warm_national_figures

    return warm_national_figures()
