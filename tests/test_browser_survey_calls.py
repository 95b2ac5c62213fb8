"""Issue 6's survey calls in a real Chromium at a desktop size: a leader opens the call
queue from the menu, opens a due call, records a voicemail, and sees it in the attempt
history with the count of attempts gone up."""

import pytest
from django.conf import settings

from familien.models import Programme
from surveys.models import Channel, ContactAttempt, Invitation, Step
from tests.factories import ParentFactory
from tests.test_browser import browser, watch_console  # noqa: F401 - the fixture
from tests.test_browser_records import log_in
from tests.test_survey_calls import add_attempt, local_match, make_invitation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_leader_records_a_voicemail_from_the_call_queue(
    browser,  # noqa: F811
    live_server,
    world,
):
    match = local_match(world, programme=Programme.FAMILY_FRIEND)
    parent = ParentFactory(
        family=world.family_a, first_name="Sofie", phone="+4520304050", email="sofie@example.org"
    )
    invitation = make_invitation(match, parent=parent, attempts=3)
    for step, channel in [
        (Step.INVITE, Channel.SMS),
        (Step.SMS_REMINDER, Channel.SMS),
        (Step.MAIL_REMINDER, Channel.MAIL),
    ]:
        add_attempt(invitation, step=step, channel=channel)
    max_attempts = settings.SURVEY_MAX_ATTEMPTS

    page = log_in(browser, live_server, world.users["leader"])
    page.set_viewport_size({"width": 1280, "height": 800})
    problems = watch_console(page)

    page.get_by_role("navigation", name="Hovedmenu").get_by_role(
        "link", name="Spørgeskemaopkald", exact=True
    ).click()
    page.wait_for_url(live_server.url + "/spoergeskema/opkald/")
    row = page.locator("table.survey-call-queue tbody tr").filter(has_text="Sofie")
    assert f"3 af {max_attempts}" in row.inner_text()

    row.get_by_role("link", name="Sofie").click()
    page.wait_for_url(f"**/spoergeskema/opkald/{invitation.pk}/")
    main = page.locator("main")
    assert "+4520304050" in main.inner_text()
    assert "sofie@example.org" in main.inner_text()
    history = page.locator("table.survey-call-history tbody tr")
    assert history.count() == 3
    assert page.locator(".survey-call-attempts").inner_text().strip() == f"3 af {max_attempts}"

    form = page.locator("form.survey-call-form")
    form.get_by_text("Telefonsvarer", exact=True).click()
    form.get_by_label("Note").fill("Lagt besked, ringer igen på torsdag")
    form.get_by_role("button", name="Gem forsøget").click()
    page.wait_for_url(f"**/spoergeskema/opkald/{invitation.pk}/")

    assert page.get_by_role("status").filter(has_text="Forsøget er registreret.").is_visible()
    assert history.count() == 4
    latest = history.last.inner_text()
    assert "Telefonsvarer" in latest
    assert "Lagt besked, ringer igen på torsdag" in latest
    assert world.users["leader"].full_name in latest
    assert page.locator(".survey-call-attempts").inner_text().strip() == f"4 af {max_attempts}"

    attempt = ContactAttempt.objects.get(invitation=invitation, step=Step.CALL)
    assert attempt.channel == Channel.VOICEMAIL
    assert attempt.outcome == ContactAttempt.Outcome.VOICEMAIL
    assert attempt.by == world.users["leader"]
    invitation.refresh_from_db()
    assert invitation.attempts == 4
    assert invitation.status == Invitation.Status.OPEN

    # The call is done for now: the queue no longer lists it.
    page.get_by_role("link", name="Tilbage til spørgeskemaopkald").click()
    page.wait_for_url(live_server.url + "/spoergeskema/opkald/")
    assert page.locator("table.survey-call-queue").get_by_text("Sofie").count() == 0
    assert problems == [], problems
