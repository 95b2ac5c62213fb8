"""Issue 4's journey in a real Chromium: request → intro meeting → suggestions with their
reasons → propose → both say yes → agreement PDF → active; and a decline back to the list."""

import re
from datetime import date

import pytest

from familien.models import PipelineStep, Programme
from matching.models import Match, SupportRequest
from tests.factories import ChildFactory, VolunteerFactory
from tests.test_browser import browser, watch_console  # noqa: F401 - the fixture
from tests.test_browser_records import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def step(page, slug, **fields):
    """Fill and submit the match page's form for ``slug`` (its fields are prefixed)."""
    form = page.locator(f"form[action$='/trin/{slug}/']")
    for name, value in fields.items():
        field = form.locator(f"[name={slug}-{name}]")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def test_request_to_active_match_and_a_decline_back_to_the_list(
    browser,  # noqa: F811
    live_server,
    world,
):
    ChildFactory(family=world.family_a, first_name="Ida", birth_year=date.today().year - 9)
    mentor = VolunteerFactory(
        branch=world.branch_a,
        first_name="Jonas",
        pipeline_step=PipelineStep.READY,
        programmes=[Programme.JOB_MENTOR],
        max_matches=2,
    )
    other = VolunteerFactory(
        branch=world.branch_a,
        first_name="Karla",
        pipeline_step=PipelineStep.READY,
        programmes=[Programme.JOB_MENTOR],
    )
    page = log_in(browser, live_server, world.users["leader"])
    problems = watch_console(page)

    # A request for the parent, then the intro meeting.
    page.goto(live_server.url + f"/familier/{world.family_a.pk}/oensker/nyt/")
    page.locator("[name=programme]").select_option(Programme.JOB_MENTOR)
    parent = world.family_a.parents.first()
    page.locator("[name=for_whom]").select_option(f"parent:{parent.pk}")
    page.locator("[name=wishes]").fill("Hjælp til jobsøgning og ansøgninger")
    page.get_by_role("button", name="Sæt på ventelisten").click()
    page.wait_for_url(re.compile(r".*/oensker/\d+/$"))
    request = SupportRequest.objects.get(family=world.family_a, programme=Programme.JOB_MENTOR)
    page.get_by_text("Registrér et introduktionsmøde").click()
    page.locator("[name=intro-held_on]").fill(date.today().isoformat())
    page.locator("[name=intro-attendees]").fill("Mor og aktivitetslederen")
    page.locator("[name=intro-expectations_aligned]").check()
    page.get_by_role("button", name="Gem introduktionsmødet").click()
    page.wait_for_load_state()
    assert request.intro_meetings.count() == 1

    # Suggestions with their reasons; propose the first.
    page.goto(live_server.url + f"/oensker/{request.pk}/forslag/")
    listing = page.locator("main").inner_text()
    assert "Jonas" in listing and "Karla" in listing
    assert "Jobmentor" in listing  # a reason names the programme it takes
    page.locator(f"form[action$='/foreslaa/{mentor.pk}/'] button").click()
    page.wait_for_url(re.compile(r".*/forloeb/\d+/$"))
    match = Match.objects.get(request=request, volunteer=mentor)

    step(page, "ask")
    step(page, "meeting")
    step(page, "answer", party="volunteer", decision="yes")
    step(page, "answer", party="family", decision="yes")
    step(
        page,
        "agreement",
        focus="Jobsøgning og ansøgninger",
        meeting_frequency="En time hver uge",
    )
    step(page, "sign")
    pdf = page.request.get(live_server.url + f"/forloeb/{match.pk}/aftale.pdf")
    assert pdf.status == 200
    assert pdf.body().startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"
    step(page, "activate")
    match.refresh_from_db()
    assert match.status == Match.Status.ACTIVE
    assert match.planned_end is not None
    assert [e.to_status for e in match.events.all()][-1] == Match.Status.ACTIVE

    # A second request, declined by the family: back on the waiting list with its history.
    second = SupportRequest.objects.create(
        family=world.family_a, programme=Programme.JOB_MENTOR, for_parent=parent
    )
    page.goto(live_server.url + f"/oensker/{second.pk}/forslag/")
    page.locator(f"form[action$='/foreslaa/{other.pk}/'] button").click()
    page.wait_for_url(re.compile(r".*/forloeb/\d+/$"))
    step(page, "ask")
    step(page, "meeting")
    step(page, "answer", party="family", decision="no", reason="Kemien passede ikke")
    second.refresh_from_db()
    assert second.status == SupportRequest.Status.WAITING
    declined = Match.objects.get(request=second)
    assert declined.status == Match.Status.DECLINED
    page.goto(live_server.url + "/venteliste/")
    assert world.family_a.name in page.locator("main").inner_text()
    page.goto(live_server.url + f"/oensker/{second.pk}/")
    assert "Kemien passede ikke" in page.locator("main").inner_text()
    assert problems == [], problems
