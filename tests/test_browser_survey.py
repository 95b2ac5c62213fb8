"""Issue 6's respondent in a real Chromium at 390×844: the link from the sms opens the
questionnaire without login; a scale, a choice and a text answered with a thumb, saved,
still there after a reload, sent once; the same link then says thank you, and a tampered
link gets the friendly closed page."""

import pytest

from surveys.models import Invitation, Response
from tests.test_browser import browser, watch_console  # noqa: F401 - the fixture
from tests.test_respond import PRE, consenting_match, invite, link, make_questionnaire

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
# Bootstrap's large buttons: above the 44 px a finger needs (WCAG 2.5.5, Apple's HIG).
MIN_TOUCH = 44


def no_horizontal_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def small_touch_targets(page):
    boxes = page.locator("main form label.btn, main form button").evaluate_all(
        "els => els.map(e => [e.innerText, e.getBoundingClientRect().height])"
    )
    return [(text, height) for text, height in boxes if height < MIN_TOUCH]


@pytest.fixture
def invitation_link(db):
    questionnaire = make_questionnaire(code="browser-survey")
    match, parent = consenting_match()
    invitation, token = invite(questionnaire, PRE, match=match, parent=parent)
    return invitation, token, questionnaire


def test_a_parent_answers_on_a_phone(browser, live_server, invitation_link):  # noqa: F811
    invitation, token, questionnaire = invitation_link
    scale = questionnaire.questions.get(code="S1")
    choice = questionnaire.questions.get(code="F4")
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    problems = watch_console(page)

    page.goto(live_server.url + link(token))
    assert page.locator("html").get_attribute("lang") == "da"
    assert page.get_by_role("heading", level=1).inner_text() == "Spørgeskema til forældre"
    assert no_horizontal_scroll(page)
    assert small_touch_targets(page) == []

    form = page.locator("main form")
    form.locator("fieldset", has_text="optimistisk i forhold til fremtiden").get_by_text(
        "4", exact=True
    ).tap()
    form.locator("fieldset", has_text="hvor tilfreds eller utilfreds").get_by_text(
        "Tilfreds", exact=True
    ).tap()
    form.get_by_label("Vil du fortælle os mere?").fill("Familievennen har hjulpet os meget.")
    with page.expect_navigation():
        form.get_by_role("button", name="Gem og fortsæt senere").tap()
    page.get_by_role("status").filter(has_text="Dine svar er gemt").wait_for()
    assert Response.objects.get(invitation=invitation).submitted_at is None

    page.reload()
    assert page.locator(f"input[name=q{scale.pk}][value='4']").is_checked()
    assert page.locator(f"input[name=q{choice.pk}][value=satisfied]").is_checked()
    assert (
        page.locator("main form").get_by_label("Vil du fortælle os mere?").input_value()
        == "Familievennen har hjulpet os meget."
    )
    assert no_horizontal_scroll(page)

    with page.expect_navigation():
        page.locator("main form").get_by_role("button", name="Send mine svar").tap()
    page.get_by_role("heading", name="Tak, vi har dine svar").wait_for()
    assert no_horizontal_scroll(page)
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ANSWERED
    answers = {
        a.question.code: a.value
        for a in Response.objects.get(invitation=invitation).answers.select_related("question")
    }
    assert answers == {"S1": 4, "F4": "satisfied", "C1": "Familievennen har hjulpet os meget."}

    # The same link later: already answered, no form.
    page.goto(live_server.url + link(token))
    assert page.get_by_role("heading", level=1).inner_text() == "Tak, vi har dine svar"
    assert page.locator("main form").count() == 0
    assert problems == [], problems
    context.close()


def test_a_tampered_link_shows_the_friendly_closed_page(
    browser,  # noqa: F811
    live_server,
    invitation_link,
):
    invitation, token, _questionnaire = invitation_link
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")  # one character changed
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    problems = watch_console(page)
    response = page.goto(live_server.url + link(tampered))
    assert response.status == 404
    assert response.headers["cache-control"] == "no-store"
    assert page.get_by_role("heading", level=1).inner_text() == "Dette link virker ikke længere"
    assert "kontaktperson i Røde Kors" in page.locator("main").inner_text()
    assert no_horizontal_scroll(page)
    # The browser reports the page's own 404 status; nothing else may go wrong.
    assert [p for p in problems if "404" not in p] == [], problems
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.OPEN
    context.close()
