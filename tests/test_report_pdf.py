"""The PDF report (issue 7 items 3 and 4; surveys.report_pdf): a Danish cover with the
period and the filters, a contents list with page numbers, one section per programme with
the outcomes, the operational figures and the response rates, Tabel 2.1/2.2, the
pipeline and an appendix per branch; scoped to what the requester may see. And the
20-page report with its page count and time (the speed target is measured by manage.py
benchmark_report, not asserted here)."""

import subprocess
import tempfile
import time
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from familien.models import Programme
from matching.models import Match
from surveys.management.commands.benchmark_report import page_count
from surveys.models import Channel, ContactAttempt, Invitation, Response, Step, SurveyKind
from surveys.report_pdf import render_report_html, render_report_pdf
from surveys.report_sample import build_sample, sample_filters
from tests.factories import MatchFactory, SupportRequestFactory
from tests.test_survey_calls import make_invitation

TODAY = date(2027, 3, 1)
ALL = {"date_from": None, "date_to": None, "branch": None, "programme": ""}

pytestmark = pytest.mark.django_db


def pdf_text(pdf):
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        return subprocess.run(
            ["pdftotext", "-layout", handle.name, "-"], capture_output=True, text=True, check=True
        ).stdout


def answered(match, kind=SurveyKind.PRE, *, complete=True):
    invitation = make_invitation(match, kind=kind, status=Invitation.Status.ANSWERED)
    ContactAttempt.objects.create(
        invitation=invitation,
        key=f"{invitation.pk}:report:sms",
        step=Step.INVITE,
        channel=Channel.SMS,
        status=ContactAttempt.Status.SENT,
        created_at=invitation.created_at,
    )
    Response.objects.create(
        invitation=invitation, submitted_at=invitation.created_at, complete=complete
    )
    return invitation


def test_the_report_has_a_danish_cover_contents_sections_and_page_numbers(world):
    MatchFactory(
        family=world.family_b,
        programme=Programme.JOB_MENTOR,
        started_by=Match.StartedBy.CENTRAL,
        started_on=date(2026, 6, 1),
    )
    answered(world.match_a)
    filters = {**ALL, "date_from": "2026-01-01", "date_to": "2026-12-31"}

    pdf = render_report_pdf(world.users["central"], filters, today=TODAY)

    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    assert "Familien i Fokus: rapport" in text
    assert "1. januar 2026 til 31. december 2026" in text
    assert "Alle de lokalafdelinger, du har adgang til" in text
    assert "Alle forløbstyper" in text
    assert "Indhold" in text
    for heading in ("Familieven", "Jobmentor", "Uddannelsesmentor", "Svarprocenter"):
        assert heading in text
    assert "Frivillige i rekrutteringsforløbet" in text
    pages = page_count(pdf)
    assert f"Side 2 af {pages}" in text
    assert "Forløb startet" in text
    assert "Opfølgninger gennemført til tiden" in text


def test_the_report_shows_the_response_rates_as_tabel_2_1(world):
    for _number in range(3):
        answered(MatchFactory(family=world.family_a, started_on=date(2026, 2, 1)))
    unanswered = make_invitation(MatchFactory(family=world.family_a), kind=SurveyKind.PRE)
    ContactAttempt.objects.create(
        invitation=unanswered,
        key=f"{unanswered.pk}:report:sms",
        step=Step.INVITE,
        channel=Channel.SMS,
        status=ContactAttempt.Status.SENT,
        created_at=unanswered.created_at,
    )

    html = render_report_html(world.users["central"], ALL, today=TODAY)

    # Parents with a family friend, pre: 4 sent, 3 answered, 75 %.
    assert 'id="report-rates-parents"' in html
    rates = html.split('id="report-rates-parents"')[1]
    assert '<td class="num">4</td><td class="num">3</td><td class="num">0</td>' in rates
    assert "75 %" in rates


def test_a_leaders_report_holds_their_branches_only(world):
    SupportRequestFactory(family=world.family_a, waiting_since=TODAY - timedelta(days=10))
    SupportRequestFactory(family=world.family_b, waiting_since=TODAY - timedelta(days=10))

    html = render_report_html(world.users["leader"], ALL, today=TODAY)

    assert world.branch_a.name in html
    assert world.branch_b.name not in html


def test_a_branch_the_user_may_not_see_is_ignored(world):
    filters = {**ALL, "branch": world.branch_b.pk}
    html = render_report_html(world.users["leader"], filters, today=TODAY)
    assert world.branch_b.name not in html


def test_one_programme_gives_one_section(world):
    html = render_report_html(
        world.users["central"], {**ALL, "programme": Programme.JOB_MENTOR}, today=TODAY
    )
    assert 'id="programme-job_mentor"' in html
    assert 'id="programme-family_friend"' not in html


def test_outcome_measures_are_rendered_or_a_line_says_there_are_none(world):
    html = render_report_html(world.users["central"], ALL, today=TODAY)
    try:
        import surveys.outcome_report  # noqa: F401
    except ImportError:
        assert "Ingen resultatdata for denne forløbstype i perioden." in html
    else:
        assert 'class="outcome-measure"' in html


def test_the_report_takes_the_same_queries_at_any_size(world):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            render_report_html(world.users["central"], sample_filters(today=TODAY), today=TODAY)
        return len(captured)

    build_sample(branches=2, families_per_branch=3, today=TODAY, prefix="Lille")
    small = queries()
    build_sample(branches=6, families_per_branch=6, today=TODAY, prefix="Stor")
    assert queries() == small


def test_a_20_page_report_is_built_and_timed():
    """The timing is printed, not asserted: manage.py benchmark_report measures it."""
    build_sample(branches=60, families_per_branch=6, today=TODAY)
    from familien.models import Role
    from tests.factories import UserFactory

    user = UserFactory(role=Role.CENTRAL)
    began = time.perf_counter()
    pdf = render_report_pdf(user, sample_filters(today=TODAY), today=TODAY)
    seconds = time.perf_counter() - began
    pages = page_count(pdf)
    print(f"\n20-page report: {pages} pages in {seconds:.2f} s")
    assert pages >= 20
