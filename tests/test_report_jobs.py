"""Reports and exports in the background (issue 7 item 4; surveys.report_jobs, the
reports page): who may ask for what, the job enqueued after commit, claimed once,
its progress recorded, the file saved privately under a random name and handed out only
to the requester (and administrators), failures recorded without personal data."""

import zipfile
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from surveys import report_jobs
from surveys.models import ReportJob
from surveys.tasks import build_report_job
from tests.conftest import login

FILTERS = {
    "date_from": None,
    "date_to": None,
    "branch": None,
    "branch_name": "",
    "programme": "",
}


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def enqueued(monkeypatch):
    """Job ids handed to the worker, instead of a broker."""
    ids = []
    monkeypatch.setattr(build_report_job, "delay", ids.append)
    return ids


def make_job(user, **fields):
    values = {"kind": ReportJob.Kind.REPORT_PDF, "requested_by": user, "filters": FILTERS}
    return ReportJob.objects.create(**(values | fields))


# --- asking -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_leader_requests_a_report_for_their_branch(
    client, world, enqueued, django_capture_on_commit_callbacks
):
    login(client, world.users["leader"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports"),
            {
                "kind": "report_pdf",
                "date_from": "2026-01-01",
                "date_to": "2026-12-31",
                "branch": world.branch_a.pk,
                "programme": "family_friend",
            },
        )
    assert response.status_code == 302
    job = ReportJob.objects.get()
    assert enqueued == [job.pk]
    assert (job.kind, job.status, job.requested_by) == (
        "report_pdf",
        "queued",
        world.users["leader"],
    )
    assert job.filters == {
        "date_from": "2026-01-01",
        "date_to": "2026-12-31",
        "branch": world.branch_a.pk,
        "branch_name": world.branch_a.name,
        "programme": "family_friend",
    }
    page = client.get(reverse("reports")).content.decode()
    assert f'hx-get="{reverse("report_job", args=[job.pk])}"' in page
    assert 'hx-trigger="every 1s"' in page


@pytest.mark.django_db
def test_a_double_click_makes_one_job(client, world, enqueued, django_capture_on_commit_callbacks):
    login(client, world.users["central"])
    with django_capture_on_commit_callbacks(execute=True):
        for _click in range(2):
            client.post(reverse("reports"), {"kind": "report_pdf"})
    assert ReportJob.objects.count() == 1
    assert len(enqueued) == 1


@pytest.mark.django_db
def test_a_leader_cannot_ask_for_another_branch_or_an_export(client, world, enqueued):
    login(client, world.users["leader"])
    response = client.post(reverse("reports"), {"kind": "report_pdf", "branch": world.branch_b.pk})
    assert response.status_code == 200
    assert "branch" in response.context["form"].errors
    response = client.post(reverse("reports"), {"kind": "export_csv"})
    assert "kind" in response.context["form"].errors
    response = client.post(
        reverse("reports"),
        {"kind": "report_pdf", "date_from": "2026-12-01", "date_to": "2026-01-01"},
    )
    assert "date_to" in response.context["form"].errors
    assert ReportJob.objects.count() == 0


@pytest.mark.django_db
def test_the_evaluator_is_offered_the_exports_only(client, world, enqueued):
    login(client, world.users["evaluator"])
    page = client.get(reverse("reports"))
    kinds = [value for value, _label in page.context["form"].fields["kind"].choices]
    assert kinds == ["export_csv", "export_xlsx"]
    assert "branch" not in page.context["form"].fields
    response = client.post(reverse("reports"), {"kind": "report_pdf"})
    assert "kind" in response.context["form"].errors
    assert ReportJob.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["volunteer", "followup"])
def test_volunteers_and_follow_up_volunteers_may_not(client, world, role):
    login(client, world.users[role])
    assert client.get(reverse("reports")).status_code == 403
    assert client.post(reverse("reports"), {"kind": "report_pdf"}).status_code == 403


# --- building ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_worker_builds_the_pdf_once_and_records_its_progress(world, monkeypatch):
    job = make_job(world.users["central"])
    seen = []
    original = report_jobs.record_progress

    def spy(job_id, percent, step):
        original(job_id, percent, step)
        row = ReportJob.objects.get(pk=job_id)
        seen.append((row.status, row.progress, row.step))

    monkeypatch.setattr(report_jobs, "record_progress", spy)

    assert build_report_job(job.pk) == ReportJob.Status.DONE
    assert build_report_job(job.pk) is None  # already done: nothing happens

    job.refresh_from_db()
    assert (job.status, job.progress, job.error) == ("done", 100, "")
    assert job.finished_at is not None
    assert job.filename == f"familien-rapport-{timezone.localdate().isoformat()}.pdf"
    # A random name in the private folder: nothing about the requester or the filters.
    assert job.file.name.startswith("reports/") and job.file.name.endswith(".pdf")
    assert "rapport" not in job.file.name
    assert job.file.read().startswith(b"%PDF")
    steps = [step for _status, _progress, step in seen]
    assert "figures" in steps and "rendering" in steps and "saving" in steps
    assert "programme:family_friend" in steps
    progress = [value for _status, value, _step in seen]
    assert progress == sorted(progress)
    assert all(status == "running" for status, _progress, _step in seen)


@pytest.mark.django_db
def test_a_running_job_is_not_taken_twice_but_an_abandoned_one_is(world):
    job = make_job(world.users["central"])
    now = timezone.now()
    assert report_jobs.claim(job.pk, now=now)
    assert not report_jobs.claim(job.pk, now=now + timedelta(minutes=5))
    assert report_jobs.claim(job.pk, now=now + timedelta(minutes=11))


@pytest.mark.django_db
def test_a_failure_is_recorded_without_the_message(world, monkeypatch, caplog):
    job = make_job(world.users["central"])
    message = "Mette Hansen, +4521222324"

    def broken(*args, **kwargs):
        raise ValueError(message)

    monkeypatch.setattr("surveys.report_pdf.render_report_pdf", broken)
    assert report_jobs.run_job(job.pk) == ReportJob.Status.FAILED
    job.refresh_from_db()
    assert (job.status, job.error) == ("failed", "ValueError")
    assert not job.file
    assert "ValueError" in caplog.text
    assert "Mette" not in caplog.text


@pytest.mark.django_db
def test_a_job_whose_requester_changed_role_builds_nothing(world):
    job = make_job(world.users["evaluator"])  # the report, which evaluators may not have
    assert report_jobs.run_job(job.pk) == ReportJob.Status.FAILED
    job.refresh_from_db()
    assert job.error == "PermissionDenied"


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "extension"), [("export_csv", ".zip"), ("export_xlsx", ".xlsx")])
def test_the_evaluators_export_is_built_by_the_export_module(world, kind, extension):
    job = make_job(world.users["evaluator"], kind=kind)
    assert report_jobs.run_job(job.pk) == ReportJob.Status.DONE
    job.refresh_from_db()
    assert job.filename.endswith(extension)
    assert job.file.name.endswith(extension)
    if kind == "export_csv":
        # The CSV travels with its codebook.
        with zipfile.ZipFile(job.file.open("rb")) as bundle:
            names = bundle.namelist()
        assert len(names) == 2 and all(name.endswith(".csv") for name in names)
        assert any("kodebog" in name for name in names)


# --- watching and downloading -------------------------------------------------------------


@pytest.mark.django_db
def test_the_row_polls_while_pending_and_offers_the_download_when_done(client, world):
    leader = world.users["leader"]
    job = make_job(leader, status=ReportJob.Status.RUNNING, progress=40, step="rates")
    login(client, leader)
    row = client.get(reverse("report_job", args=[job.pk]), HTTP_HX_REQUEST="true")
    html = row.content.decode()
    assert row["Cache-Control"] == "no-store"
    assert 'hx-trigger="every 1s"' in html
    assert 'aria-valuenow="40"' in html
    assert "Tæller svarprocenterne op" in html
    assert "report-download" not in html

    report_jobs.run_job(make_job(leader).pk)  # unrelated: the row is of its own job
    ReportJob.objects.filter(pk=job.pk).update(status=ReportJob.Status.QUEUED)
    report_jobs.run_job(job.pk)
    html = client.get(reverse("report_job", args=[job.pk])).content.decode()
    assert "hx-trigger" not in html
    assert reverse("report_download", args=[job.pk]) in html


@pytest.mark.django_db
def test_only_the_requester_and_administrators_download(client, world):
    job = make_job(world.users["leader"])
    report_jobs.run_job(job.pk)
    url = reverse("report_download", args=[job.pk])

    response = login(client, world.users["leader"]).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert "familien-rapport-" in response["Content-Disposition"]
    assert response["Cache-Control"] == "no-store"
    assert b"".join(response.streaming_content).startswith(b"%PDF")

    assert login(client, world.users["admin"]).get(url).status_code == 200
    for other in ("central", "leader_other", "evaluator"):
        assert login(client, world.users[other]).get(url).status_code == 404


@pytest.mark.django_db
def test_an_unfinished_job_has_nothing_to_download(client, world):
    job = make_job(world.users["leader"])
    login(client, world.users["leader"])
    assert client.get(reverse("report_download", args=[job.pk])).status_code == 404


@pytest.mark.django_db
def test_the_page_takes_the_same_queries_at_any_number_of_jobs(client, world):
    leader = world.users["leader"]
    login(client, leader)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("reports")).status_code == 200
        return len(captured)

    make_job(leader)
    queries()  # the session's idle expiry is moved forward (saved) once a minute
    few = queries()
    for _number in range(15):
        make_job(leader, status=ReportJob.Status.DONE, filename="x.pdf", file="reports/x.pdf")
    many = queries()
    assert few == many <= 15


@pytest.mark.django_db
def test_old_jobs_are_purged_with_their_files(world, private_media):
    job = make_job(world.users["leader"])
    report_jobs.run_job(job.pk)
    job.refresh_from_db()
    path = private_media / job.file.name
    assert path.exists()
    waiting = make_job(world.users["leader"])  # never finished: kept

    assert report_jobs.purge_old_jobs(now=timezone.now() + timedelta(days=3)) == 0
    assert path.exists()
    assert report_jobs.purge_old_jobs(now=timezone.now() + timedelta(days=8)) == 1
    assert not path.exists()
    assert list(ReportJob.objects.all()) == [waiting]
