"""Access rows for the reports page of issue 7 item 4: the request form and list, one
job's row (polled by htmx) and the download.

Leaders, the central corps, administrators and the evaluator use the page (the evaluator
for the exports only); follow-up volunteers and volunteers get 403. A job and its file
belong to the requester: the object URLs use a finished report of branch A's leader,
which every other permitted role gets 404 for, except administrators.
"""

from tests.access_rules import HIDDEN, only

REPORT_PEOPLE = {"leader", "leader_other", "central", "admin", "evaluator"}


def _job_of_leader_a(world):
    from django.core.files.base import ContentFile

    from surveys.models import ReportJob

    job = ReportJob.objects.filter(requested_by=world.users["leader"]).first()
    if job is None:
        job = ReportJob(
            kind=ReportJob.Kind.REPORT_PDF,
            requested_by=world.users["leader"],
            status=ReportJob.Status.DONE,
            progress=100,
            filename="familien-rapport-2027-03-01.pdf",
        )
        job.file.save("report.pdf", ContentFile(b"%PDF-1.7 test"), save=False)
        job.save()
    return {"pk": job.pk}


OTHERS_HIDDEN = {role: HIDDEN for role in ("leader_other", "central", "evaluator")}

REPORT_RULES = {
    "reports": only(REPORT_PEOPLE),
    "report_job": only(REPORT_PEOPLE, **OTHERS_HIDDEN),
    "report_download": only(REPORT_PEOPLE, **OTHERS_HIDDEN),
}

REPORT_URL_KWARGS = {
    "report_job": _job_of_leader_a,
    "report_download": _job_of_leader_a,
}
