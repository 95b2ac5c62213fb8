"""Issue 5's phone journey in a real Chromium at 390×844: a volunteer logs a meeting with
one thumb in well under 30 seconds, asks for sparring, and sees it on the match's page."""

import re
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from followup.models import Activity, CheckIn, FollowUpTask, MeetingPlace
from tests.test_browser import browser, sign_in, watch_console  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
# Bootstrap's large buttons: above the 44 px a finger needs (WCAG 2.5.5, Apple's HIG).
MIN_TOUCH = 44


def no_horizontal_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def small_touch_targets(page):
    """The form's buttons (the labels drawn as buttons, and the submit) under MIN_TOUCH."""
    boxes = page.locator("main form label.btn, main form button").evaluate_all(
        "els => els.map(e => [e.innerText, e.getBoundingClientRect().height])"
    )
    return [(text, height) for text, height in boxes if height < MIN_TOUCH]


def test_volunteer_logs_a_meeting_on_a_phone(browser, live_server, world):  # noqa: F811
    today = timezone.localdate()
    match = world.match_a
    match.started_on = today - timedelta(days=60)
    match.save(update_fields=["started_on"])
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    problems = watch_console(page)

    sign_in(page, live_server, world.users["volunteer"])
    card = page.locator("article").first
    assert "Faste rutiner" in card.inner_text()
    assert no_horizontal_scroll(page)

    # From the start page's card to the saved meeting: one tap to open, five taps and
    # a short note.
    started = time.monotonic()
    card.get_by_role("link", name="Log et møde").tap()
    page.wait_for_url(re.compile(r".*/forloeb/\d+/moede/ny/$"))
    assert no_horizontal_scroll(page)
    assert small_touch_targets(page) == []
    form = page.locator("main form")
    form.get_by_text("2 t", exact=True).tap()
    form.get_by_text("Hjemme", exact=True).tap()
    form.get_by_text("Udflugter", exact=True).tap()
    form.get_by_label("Kort note").fill("Zoo med børnene")
    form.get_by_text("Jeg vil gerne have sparring", exact=True).tap()
    form.get_by_role("button", name="Gem mødet").tap()
    page.wait_for_url(re.compile(r".*/forloeb/\d+/opfoelgning/$"))
    confirmation = page.get_by_role("status").filter(has_text="Mødet er gemt")
    confirmation.wait_for()
    elapsed = time.monotonic() - started
    assert elapsed < 10, f"logging a meeting took {elapsed:.1f} s"

    check_in = CheckIn.objects.get(match=match)
    assert check_in.met_on == today
    assert check_in.minutes == 120
    assert check_in.place == MeetingPlace.HOME
    assert check_in.activities == [Activity.OUTING]
    assert check_in.note == "Zoo med børnene"
    assert check_in.wants_sparring
    assert FollowUpTask.objects.filter(
        match=match, kind=FollowUpTask.Kind.SPARRING, check_in=check_in
    ).exists()

    meetings = page.locator("#followup-checkins-heading + ul").inner_text()
    assert "Zoo med børnene" in meetings
    assert "Udflugter" in meetings
    assert "Ønsker sparring" in meetings
    hours = page.locator("table").inner_text()
    assert "2" in hours
    assert no_horizontal_scroll(page)
    assert problems == [], problems
    context.close()


def test_a_refused_meeting_keeps_the_input_on_a_phone(browser, live_server, world):  # noqa: F811
    """No duration tapped: the Danish message stands beside the buttons, the note stays."""
    match = world.match_a
    match.started_on = timezone.localdate() - timedelta(days=60)
    match.save(update_fields=["started_on"])
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    problems = watch_console(page)
    sign_in(page, live_server, world.users["volunteer"])
    page.goto(live_server.url + f"/forloeb/{match.pk}/moede/ny/")
    form = page.locator("main form")
    form.get_by_text("Telefon", exact=True).tap()
    form.get_by_label("Kort note").fill("Kort opkald")
    with page.expect_navigation():
        form.get_by_role("button", name="Gem mødet").tap()
    assert page.get_by_text("Vælg hvor længe I mødtes.").is_visible()
    assert page.locator("main form").get_by_label("Kort note").input_value() == "Kort opkald"
    assert page.locator("input[name=place][value=phone]").is_checked()
    assert not CheckIn.objects.exists()
    assert no_horizontal_scroll(page)
    assert problems == [], problems
    context.close()
