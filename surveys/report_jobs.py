"""Reports and exports built in the background (issue 7 item 4).

``start_job`` records what was asked for and hands the job's id to the worker after
commit (surveys.tasks.build_report_job). ``run_job`` is what the worker does: it
claims the row with a conditional update (queued, or running but abandoned by a killed
worker, becomes running), so a task delivered twice builds the file once; it records its
progress on the row as it goes, which the requester's page polls; then it saves the file
under a random name in the private media folder and marks the job done, or failed with
the error's class (never its message, which may hold personal data).

Who may ask for what: the PDF report for activity leaders (their branches), the central
corps and administrators; the pseudonymised exports for the evaluator only (issue 7 item
5). Only the requester, and administrators, see a job and download its file.
"""

import io
import logging
import traceback
import zipfile
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from familien.models import Role
from surveys.models import ReportJob
from surveys.report_forms import kinds_for

logger = logging.getLogger(__name__)

# A running job whose worker died (killed mid-build) is handed out again after this; the
# task time limit (CELERY_TASK_TIME_LIMIT, 300 s) ends a live build well before it.
ABANDONED_AFTER = timedelta(minutes=10)
# Finished files are kept this long, then purge_old_jobs deletes job and file.
KEEP_FOR = timedelta(days=7)
EXPORT_FORMATS = {ReportJob.Kind.EXPORT_CSV: "csv", ReportJob.Kind.EXPORT_XLSX: "xlsx"}


def start_job(kind, user, filters):
    """Record a request for ``kind`` with ``filters`` (ReportRequestForm.job_filters) and
    enqueue it after commit. The same request while an identical one is still waiting
    or running returns that job (a double click builds one file)."""
    from surveys.tasks import build_report_job

    if kind not in kinds_for(user):
        raise PermissionDenied
    pending = ReportJob.objects.filter(
        requested_by=user,
        kind=kind,
        filters=filters,
        status__in=(ReportJob.Status.QUEUED, ReportJob.Status.RUNNING),
    ).first()
    if pending is not None:
        return pending
    job = ReportJob.objects.create(kind=kind, requested_by=user, filters=filters)
    transaction.on_commit(lambda: build_report_job.delay(job.pk))
    return job


def jobs_for(user):
    """The user's own jobs, newest first."""
    return ReportJob.objects.filter(requested_by=user)


def get_job_for(user, pk):
    """The job ``pk`` when ``user`` requested it or is an administrator; else 404."""
    jobs = ReportJob.objects.all() if user.role == Role.ADMIN else jobs_for(user)
    job = jobs.filter(pk=pk).first()
    if job is None:
        raise Http404
    return job


def claim(job_id, *, now=None):
    """Take the job for this worker: queued, or running but abandoned. True when taken."""
    now = now or timezone.now()
    taken = (
        ReportJob.objects.filter(pk=job_id)
        .filter(
            Q(status=ReportJob.Status.QUEUED)
            | Q(status=ReportJob.Status.RUNNING, started_at__lt=now - ABANDONED_AFTER)
        )
        .update(status=ReportJob.Status.RUNNING, started_at=now, progress=1, step="started")
    )
    return taken == 1


def record_progress(job_id, percent, step):
    """Write the progress at once (outside any transaction), for the polling page."""
    ReportJob.objects.filter(pk=job_id, status=ReportJob.Status.RUNNING).update(
        progress=max(1, min(99, int(percent))), step=step[:80]
    )


def _build(job):
    """(download name, bytes) of the job's file."""
    if job.kind == ReportJob.Kind.REPORT_PDF:
        from surveys.report_pdf import render_report_pdf

        today = timezone.localdate()
        content = render_report_pdf(
            job.requested_by,
            job.filters,
            today=today,
            progress=lambda percent, step: record_progress(job.pk, percent, step),
        )
        return f"familien-rapport-{today.isoformat()}.pdf", content
    from surveys.exports import build_codebook, build_export

    record_progress(job.pk, 10, "export")
    fmt = EXPORT_FORMATS[job.kind]
    filename, content = build_export(fmt, filters=job.filters)
    if fmt == "xlsx":
        return filename, content  # the codebook is the workbook's second sheet
    # A CSV holds one table: the data and the codebook travel together in one zip.
    codebook_name, codebook = build_codebook(fmt, filters=job.filters)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr(filename, content)
        bundle.writestr(codebook_name, codebook)
    return filename.rsplit(".", 1)[0] + ".zip", archive.getvalue()


def run_job(job_id, *, now=None):
    """Build the job's file once; returns its status afterwards (or None when another
    worker has it or it is already finished)."""
    if not claim(job_id, now=now):
        return None
    job = ReportJob.objects.select_related("requested_by").get(pk=job_id)
    try:
        if job.kind not in kinds_for(job.requested_by):
            # The role changed since the request: build nothing.
            raise PermissionDenied
        filename, content = _build(job)
        record_progress(job.pk, 95, "saving")
        job.file.save(filename, ContentFile(content), save=False)
    except Exception as error:
        # The class and the frames, never the message: it may quote a person's data.
        logger.error(
            "report job %s failed: %s\n%s",
            job.pk,
            type(error).__name__,
            "".join(traceback.format_tb(error.__traceback__)),
        )
        ReportJob.objects.filter(pk=job.pk).update(
            status=ReportJob.Status.FAILED,
            error=type(error).__name__[:200],
            finished_at=timezone.now(),
        )
        return ReportJob.Status.FAILED
    ReportJob.objects.filter(pk=job.pk).update(
        status=ReportJob.Status.DONE,
        progress=100,
        step="done",
        file=job.file.name,
        filename=filename[:100],
        finished_at=timezone.now(),
    )
    logger.info("report job %s done (%d bytes)", job.pk, len(content))
    return ReportJob.Status.DONE


def purge_old_jobs(*, now=None):
    """Delete finished jobs older than KEEP_FOR with their files; returns how many.
    (Reports hold figures of people's courses: they are not kept longer than useful.)"""
    now = now or timezone.now()
    old = ReportJob.objects.filter(
        status__in=(ReportJob.Status.DONE, ReportJob.Status.FAILED),
        created_at__lt=now - KEEP_FOR,
    )
    count = 0
    for job in old:
        if job.file:
            job.file.delete(save=False)
        job.delete()
        count += 1
    return count
