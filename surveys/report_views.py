"""The reports page (issue 7 item 4): ask for a report or an export, watch it being
built (the row polls itself every second while it waits or runs) and download it.

surveys.report_jobs holds the rules (who may ask for what, who may download); the file
is handed out here only, as an attachment, never from a public media URL.
"""

from datetime import date
from urllib.parse import urlencode

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from familien.access import role_required
from familien.access_log import record
from familien.models import Programme, Role
from surveys.models import ReportJob
from surveys.operations import Period
from surveys.report_forms import ReportRequestForm
from surveys.report_jobs import get_job_for, jobs_for, start_job
from surveys.report_pdf import period_label
from surveys.scoping import rate_branches_for

# Leaders (their branches), the central corps and administrators: the PDF report; the
# evaluator: the pseudonymised exports only. Volunteers and follow-up volunteers: none.
REPORT_ROLES = (Role.LEADER, Role.CENTRAL, Role.ADMIN, Role.EVALUATOR)
JOBS_SHOWN = 20
STEP_LABELS = {
    "": gettext_lazy("Waiting for the background worker"),
    "started": gettext_lazy("Started"),
    "figures": gettext_lazy("Counting the figures"),
    "outcomes": gettext_lazy("Comparing the answers before and after"),
    "rates": gettext_lazy("Counting the response rates"),
    "pipeline": gettext_lazy("Counting the recruitment pipeline"),
    "branches": gettext_lazy("Counting per branch"),
    "rendering": gettext_lazy("Laying out the pages"),
    "saving": gettext_lazy("Saving the file"),
    "export": gettext_lazy("Writing the export"),
    "done": gettext_lazy("Ready"),
}
CONTENT_TYPES = {
    ReportJob.Kind.REPORT_PDF: "application/pdf",
    # The CSV export is a zip: the data and the codebook.
    ReportJob.Kind.EXPORT_CSV: "application/zip",
    ReportJob.Kind.EXPORT_XLSX: (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ),
}


def _describe(job):
    """What the row shows, from the row alone (no query): the step and the filters."""
    step = job.step or ""
    if step.startswith("programme:"):
        programme = step.removeprefix("programme:")
        label = Programme(programme).label if programme in Programme.values else ""
        job.step_label = _("Section: %(programme)s") % {"programme": label}
    else:
        job.step_label = STEP_LABELS.get(step, "")
    filters = job.filters or {}

    def day(value):
        try:
            return date.fromisoformat(value) if value else None
        except ValueError:
            return None

    job.period_label = period_label(
        Period(day(filters.get("date_from")), day(filters.get("date_to")))
    )
    job.branch_label = filters.get("branch_name") or _("All branches")
    programme = filters.get("programme")
    job.programme_label = (
        Programme(programme).label if programme in Programme.values else _("All programmes")
    )
    return job


@role_required(*REPORT_ROLES)
def reports(request):
    """The request form and the user's latest jobs. Queries: the user's jobs and the
    branches of the form, at any number of jobs."""
    user = request.user
    form = ReportRequestForm(
        request.POST or None,
        user=user,
        branches=rate_branches_for(user).only("name").order_by("name"),
    )
    if request.method == "POST" and form.is_valid():
        start_job(form.cleaned_data["kind"], user, form.job_filters())
        messages.success(request, _("Your request has been received. The list shows its progress."))
        return redirect("reports")
    jobs = [_describe(job) for job in jobs_for(user)[:JOBS_SHOWN]]
    return render(
        request,
        "surveys/reports.html",
        {"form": form, "jobs": jobs, "evaluator": user.role == Role.EVALUATOR},
    )


@role_required(*REPORT_ROLES)
def report_job(request, pk):
    """One job's row: the page polls it every second while the job waits or runs."""
    job = _describe(get_job_for(request.user, pk))
    response = render(request, "surveys/_report_job.html", {"job": job})
    response["Cache-Control"] = "no-store"
    return response


@role_required(*REPORT_ROLES)
def report_download(request, pk):
    """The finished file, as an attachment, to the requester (or an administrator)."""
    job = get_job_for(request.user, pk)
    if job.status != ReportJob.Status.DONE or not job.file:
        raise Http404
    try:
        handle = job.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=job.filename or "familien-rapport.pdf",
        content_type=CONTENT_TYPES.get(job.kind, "application/octet-stream"),
    )
    response["Cache-Control"] = "no-store"
    # The export's filters go to the access log with it (not its rows: they are
    # pseudonymised and counted only by the job).
    record(request, criterion=urlencode({"kind": job.kind, **job.filters}))
    return response
