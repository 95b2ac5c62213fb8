"""Issue 7's evaluator in a real Chromium: the evaluator's menu offers counts and the
export, never a named record; the export is requested, its progress shown, and the XLSX
downloaded with pseudonyms and the codebook, no names."""

import io
import re
from datetime import date

import openpyxl
import pytest
from django.utils import timezone

from familien.models import ConsentState, Programme
from surveys import report_jobs
from surveys.models import Invitation, Question, Questionnaire, Respondent, Response, SurveyKind
from surveys.tasks import build_report_job
from surveys.tokens import hash_token, new_salt, token_for
from tests.factories import FamilyFactory, MatchFactory, ParentFactory
from tests.test_browser import browser, sign_in, watch_console  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def an_answer():
    questionnaire = Questionnaire.objects.create(
        code="browser-export",
        respondent=Respondent.PARENT,
        programme=Programme.FAMILY_FRIEND,
        title_da="Test",
        title_en="Test",
        published_at=timezone.now(),
    )
    question = Question.objects.create(
        questionnaire=questionnaire,
        position=1,
        code="F4",
        kinds=[SurveyKind.PRE],
        text_da="Hvor tilfreds er du med dit liv?",
        text_en="How satisfied are you with your life?",
        answer_type="choice",
        choices=[{"value": "satisfied", "da": "Tilfreds", "en": "Satisfied"}],
    )
    family = FamilyFactory(name="Familien Østergaard", evaluation_consent=ConsentState.GIVEN)
    parent = ParentFactory(family=family, first_name="Sofie", email="sofie@example.dk")
    salt = new_salt()
    invitation = Invitation.objects.create(
        questionnaire=questionnaire,
        kind=SurveyKind.PRE,
        match=MatchFactory(family=family, started_on=date(2026, 3, 1)),
        parent=parent,
        token_salt=salt,
        token_hash=hash_token(token_for(salt)),
        status=Invitation.Status.ANSWERED,
    )
    response = Response.objects.create(
        invitation=invitation, submitted_at=timezone.now(), complete=True
    )
    response.answers.create(question=question, value="satisfied")


def test_an_evaluator_downloads_the_pseudonymised_export_and_nothing_else(
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
    an_answer()

    page = browser.new_page(viewport={"width": 1280, "height": 800})
    sign_in(page, live_server, world.users["evaluator"])
    menu = page.get_by_role("navigation", name="Hovedmenu")
    # Counts and the export only: no families, volunteers, waiting list or follow-up.
    for name in ("Familier", "Frivillige", "Venteliste", "Opfølgning"):
        assert menu.get_by_role("link", name=name, exact=True).count() == 0
    for path in ("/familier/", "/frivillige/", "/venteliste/", "/opfoelgning/"):
        assert page.goto(live_server.url + path).status == 403
    page.goto(live_server.url + "/")
    problems = watch_console(page)  # from here on: the refusals above are expected

    page.get_by_role("navigation", name="Hovedmenu").get_by_role(
        "link", name="Udtræk", exact=True
    ).click()
    page.wait_for_url(live_server.url + "/rapporter/")
    form = page.locator("form.report-request")
    kinds = form.get_by_label("Hvad").locator("option").all_inner_texts()
    assert all("Udtræk" in kind for kind in kinds) and len(kinds) == 2
    form.get_by_label("Hvad").select_option(label="Udtræk til evaluatorer (XLSX)")
    form.get_by_role("button", name="Bestil").click()
    page.wait_for_url(live_server.url + "/rapporter/")

    job = report_jobs.ReportJob.objects.get()
    assert enqueued == [job.pk]
    row = page.locator(f"#report-job-{job.pk}")
    assert row.get_by_role("progressbar").get_attribute("aria-valuenow") == "0"
    assert report_jobs.run_job(job.pk) == report_jobs.ReportJob.Status.DONE
    link = row.get_by_role("link", name="Hent")
    link.wait_for()
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert re.fullmatch(r"familien-evaluering-\d{4}-\d{2}-\d{2}\.xlsx", download.suggested_filename)
    with open(download.path(), "rb") as handle:
        workbook = openpyxl.load_workbook(io.BytesIO(handle.read()))
    cells = [
        str(cell)
        for sheet in workbook.worksheets
        for row_values in sheet.iter_rows(values_only=True)
        for cell in row_values
        if cell is not None
    ]
    assert {sheet.title for sheet in workbook.worksheets} == {"data", "kodebog"}
    assert any(re.fullmatch(r"P-[A-Z2-7]{10}", cell) for cell in cells)
    assert "satisfied" in cells
    for personal in ("Sofie", "Østergaard", "sofie@example.dk", world.branch_a.name):
        assert not any(personal in cell for cell in cells), personal
    assert problems == [], problems
