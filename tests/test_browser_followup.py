"""Issue 5's leader side in a real Chromium at a desktop size: a leader opens the follow-up
dashboard from the menu, sees an overdue follow-up, records "needs attention" with a note,
and the dashboard no longer lists it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from followup.models import FollowUpTask
from matching.models import Match
from tests.factories import FamilyFactory, FollowUpTaskFactory, MatchFactory, VolunteerFactory
from tests.test_browser import browser, watch_console  # noqa: F401 - the fixture
from tests.test_browser_records import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_leader_completes_an_overdue_follow_up_from_the_dashboard(
    browser,  # noqa: F811
    live_server,
    world,
):
    today = timezone.localdate()
    family = FamilyFactory(branch=world.branch_a, name="Familien Nørgaard")
    match = MatchFactory(
        family=family,
        volunteer=VolunteerFactory(branch=world.branch_a, first_name="Karen"),
        started_by=Match.StartedBy.LOCAL,
        started_on=today - timedelta(days=60),
        planned_end=today + timedelta(days=300),
    )
    task = FollowUpTaskFactory(
        match=match,
        due_on=today - timedelta(days=1),
        responsible=FollowUpTask.Responsible.BRANCH,
    )
    page = log_in(browser, live_server, world.users["leader"])
    page.set_viewport_size({"width": 1280, "height": 800})
    problems = watch_console(page)

    page.get_by_role("navigation", name="Hovedmenu").get_by_role(
        "link", name="Opfølgning", exact=True
    ).click()
    page.wait_for_url(live_server.url + "/opfoelgning/")
    follow_ups = page.locator("#section-follow_up")
    row = follow_ups.locator(f"a[href='/opfoelgning/opgaver/{task.pk}/']")
    assert "Familien Nørgaard" in row.inner_text()
    assert "Forfalden" in row.inner_text()
    assert "list-group-item-danger" in row.get_attribute("class")

    row.click()
    page.wait_for_url(f"**/opfoelgning/opgaver/{task.pk}/")
    assert "Karen" in page.locator("main").inner_text()
    page.get_by_label("Kræver opmærksomhed").check()
    page.get_by_label("Note").fill("Familien har haft en svær periode. Ringer igen om en uge.")
    page.get_by_role("button", name="Gem opfølgningen").click()
    page.wait_for_url(live_server.url + "/opfoelgning/")

    main = page.locator("main").inner_text()
    assert "Opfølgningen er registreret." in main
    assert page.locator(f"a[href='/opfoelgning/opgaver/{task.pk}/']").count() == 0
    assert "Ingen opfølgninger forfalder." in main
    task.refresh_from_db()
    assert task.outcome == FollowUpTask.Outcome.NEEDS_ATTENTION
    assert task.note.startswith("Familien har haft en svær periode.")
    assert task.done_on == today
    assert task.done_by == world.users["leader"]
    assert problems == [], problems
