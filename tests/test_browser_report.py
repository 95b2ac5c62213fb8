"""Issue 7's background report in a real Chromium at a desktop size: the central corps
asks for a report on the reports page, sees the progress bar move while the job runs
(the row polls itself every second with htmx), and downloads the PDF when it is ready.

The worker is this test: the job's task is not sent to a broker; the test moves the job
on between polls (queued, then running at 40 %, then built with surveys.report_jobs)."""

import pytest

from surveys import report_jobs
from surveys.models import ReportJob
from surveys.tasks import build_report_job
from tests.test_browser import browser, watch_console  # noqa: F401 - the fixture
from tests.test_browser_records import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_central_corps_requests_a_report_watches_it_and_downloads_it(
    browser,  # noqa: F811
    live_server,
    world,
    monkeypatch,
    settings,
    tmp_path,
):
    settings.MEDIA_ROOT = tmp_path / "media"
    enqueued = []
    monkeypatch.setattr(build_report_job, "delay", enqueued.append)

    page = log_in(browser, live_server, world.users["central"])
    page.set_viewport_size({"width": 1280, "height": 800})
    problems = watch_console(page)

    page.get_by_role("navigation", name="Hovedmenu").get_by_role(
        "link", name="Rapporter", exact=True
    ).click()
    page.wait_for_url(live_server.url + "/rapporter/")
    form = page.locator("form.report-request")
    form.get_by_label("Periode fra").fill("2026-01-01")
    form.get_by_label("Periode til").fill("2026-12-31")
    form.get_by_label("Forløbstype").select_option(label="Familieven")
    form.get_by_role("button", name="Bestil").click()
    page.wait_for_url(live_server.url + "/rapporter/")

    assert page.get_by_role("status").filter(has_text="Din bestilling er modtaget").is_visible()
    job = ReportJob.objects.get()
    assert enqueued == [job.pk]
    row = page.locator(f"#report-job-{job.pk}")
    bar = row.get_by_role("progressbar")
    assert bar.is_visible()
    assert bar.get_attribute("aria-valuenow") == "0"
    assert "Familieven" in row.inner_text()
    assert "1. januar 2026 til 31. december 2026" in row.inner_text()

    # The worker starts and gets 40 % through: the next poll shows it.
    ReportJob.objects.filter(pk=job.pk).update(
        status=ReportJob.Status.RUNNING, progress=40, step="rates"
    )
    page.locator(f'#report-job-{job.pk} [role="progressbar"][aria-valuenow="40"]').wait_for()
    assert "40 %" in row.inner_text()
    assert "Tæller svarprocenterne op" in row.inner_text()

    # The worker (this test) builds it; the row stops polling and offers the download.
    ReportJob.objects.filter(pk=job.pk).update(status=ReportJob.Status.QUEUED)
    assert report_jobs.run_job(job.pk) == ReportJob.Status.DONE
    link = row.get_by_role("link", name="Hent")
    link.wait_for()
    assert row.get_by_role("progressbar").count() == 0

    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename.startswith("familien-rapport-")
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"
    assert problems == [], problems
