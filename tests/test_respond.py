"""The respondent's page (issue 6 item 7): the token link opens the right questions
without login, in Danish (English on request), saves progress, is sent once, stops the
reminder chain; every bad link gets the same closed page; bad input gets a Danish message
beside the question and loses nothing; opting out withdraws the evaluation consent."""

import logging
import re
import threading
from datetime import timedelta
from html import escape

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from familien.models import Consent, ConsentState, Programme
from surveys import engine
from surveys.models import (
    Answer,
    AnswerType,
    ContactAttempt,
    Invitation,
    Question,
    Questionnaire,
    Respondent,
    Response,
    Step,
    SurveyKind,
    SurveyOptOut,
)
from surveys.tokens import hash_token, new_salt, token_for
from tests.factories import FamilyFactory, MatchFactory, ParentFactory, VolunteerFactory

pytestmark = pytest.mark.django_db

PRE, POST, FOLLOW_UP, VOLUNTEER = "pre", "post", "follow_up", "volunteer"
LIFE = [
    {"value": "very_satisfied", "da": "Meget tilfreds", "en": "Very satisfied"},
    {"value": "satisfied", "da": "Tilfreds", "en": "Satisfied"},
    {"value": "neither", "da": "Hverken tilfreds eller utilfreds", "en": "Neither"},
    {"value": "dissatisfied", "da": "Utilfreds", "en": "Dissatisfied"},
]
REASONS = [
    {"value": "lonely", "da": "Jeg føler mig ensom", "en": "I feel lonely"},
    {"value": "routines", "da": "Hjælp til rutiner", "en": "Help with routines"},
    {"value": "network", "da": "Et større netværk", "en": "A larger network"},
]
BENEFIT = [
    {"value": "high", "da": "I høj grad", "en": "To a high degree"},
    {"value": "low", "da": "I mindre grad", "en": "To a lesser degree"},
]


# --- helpers shared with test_paper_entry, access_rules_respond and the browser test ----


def make_questionnaire(*, respondent=Respondent.PARENT, extra=0, code=None):
    """A small published parent questionnaire: items for the pre form, the post form
    and both, of every answer type; ``extra`` more scale items asked in every form."""
    questionnaire = Questionnaire.objects.create(
        code=code or f"test-respond-{Questionnaire.objects.count()}",
        version=1,
        respondent=respondent,
        programme=Programme.FAMILY_FRIEND,
        title_da="Spørgeskema til forældre",
        title_en="Questionnaire for parents",
        intro_da="Tak fordi du vil svare.",
        intro_en="Thank you for answering.",
        published_at=timezone.now(),
    )
    if respondent == Respondent.VOLUNTEER:
        rows = [
            (
                "V1",
                [VOLUNTEER],
                "I hvor høj grad har forælderen haft gavn af forløbet?",
                "To what degree did the parent benefit?",
                AnswerType.CHOICE,
                BENEFIT,
                None,
            ),
            ("V2", [VOLUNTEER], "Andre kommentarer", "Other comments", AnswerType.TEXT, [], None),
        ]
    else:
        rows = [
            (
                "F4",
                [PRE, POST, FOLLOW_UP],
                "Alt taget i betragtning - hvor tilfreds eller utilfreds er du for tiden med "
                "dit liv?",
                "All things considered, how satisfied are you with your life at present?",
                AnswerType.CHOICE,
                LIFE,
                None,
            ),
            (
                "F2",
                [PRE],
                "Årsager til at få en familieven",
                "Reasons for getting a family friend",
                AnswerType.MULTI,
                REASONS,
                None,
            ),
            (
                "S1",
                [PRE, POST],
                "Jeg har følt mig optimistisk i forhold til fremtiden",
                "I've been feeling optimistic about the future",
                AnswerType.SCALE,
                [],
                (1, 5),
            ),
            (
                "P1",
                [POST],
                "I hvor høj grad har du haft gavn af dit forløb med en familieven?",
                "To what degree did you benefit from your course?",
                AnswerType.CHOICE,
                BENEFIT,
                None,
            ),
            (
                "E3",
                [PRE],
                "Hvor høje er dine forventninger?",
                "How high are your expectations?",
                AnswerType.SCALE,
                [],
                (1, 10),
            ),
            (
                "C1",
                [PRE, POST, FOLLOW_UP],
                "Vil du fortælle os mere?",
                "Anything to add?",
                AnswerType.TEXT,
                [],
                None,
            ),
        ]
    for number in range(extra):
        rows.append(
            (
                f"X{number}",
                [PRE, POST, FOLLOW_UP, VOLUNTEER],
                f"Ekstra spørgsmål {number}",
                f"Extra question {number}",
                AnswerType.SCALE,
                [],
                (1, 5),
            )
        )
    for position, (code_, kinds, text_da, text_en, answer_type, choices, scale) in enumerate(
        rows, start=1
    ):
        Question.objects.create(
            questionnaire=questionnaire,
            position=position,
            code=code_,
            kinds=kinds,
            text_da=text_da,
            text_en=text_en,
            answer_type=answer_type,
            choices=choices,
            scale_min=scale[0] if scale else None,
            scale_max=scale[1] if scale else None,
        )
    return questionnaire


def consenting_match(**kwargs):
    """A running match whose family said yes to the evaluation, with one parent."""
    family = FamilyFactory(evaluation_consent=ConsentState.GIVEN, **kwargs)
    parent = ParentFactory(family=family)
    return MatchFactory(family=family), parent


def invite(questionnaire, kind, *, match, parent=None, volunteer=None, **fields):
    """An open invitation sent a week ago, its sms reminder due an hour ago, and its
    link's token."""
    salt = new_salt()
    token = token_for(salt)
    fields.setdefault("next_step", Step.SMS_REMINDER)
    fields.setdefault("next_step_at", timezone.now() - timedelta(hours=1))
    fields.setdefault("invited_on", timezone.localdate() - timedelta(days=7))
    invitation = Invitation.objects.create(
        questionnaire=questionnaire,
        kind=kind,
        match=match,
        parent=parent,
        volunteer=volunteer if parent is None else None,
        token_salt=salt,
        token_hash=hash_token(token),
        attempts=1,
        **fields,
    )
    return invitation, token


def link(token):
    return reverse("survey_respond", kwargs={"token": token})


def field(questionnaire, code):
    return f"q{questionnaire.questions.get(code=code).pk}"


# --- fixtures ---------------------------------------------------------------------------


@pytest.fixture
def questionnaire(db):
    return make_questionnaire()


@pytest.fixture
def pre(questionnaire):
    match, parent = consenting_match()
    invitation, token = invite(questionnaire, PRE, match=match, parent=parent)
    return invitation, token


def closed_page(content):
    """The page without what differs on every request: the csrf token of the language
    switch and the address it returns to."""
    text = content.decode()
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)
    return re.sub(r'name="next" type="hidden" value="[^"]*"', "", text)


# --- the questionnaire ------------------------------------------------------------------


def test_each_form_shows_its_own_questions_in_order(questionnaire):
    match, parent = consenting_match()
    _pre, pre_token = invite(questionnaire, PRE, match=match, parent=parent)
    _post, post_token = invite(questionnaire, POST, match=match, parent=parent)
    client = Client()

    page = client.get(link(pre_token)).content.decode()
    assert "Spørgeskema til forældre" in page
    order = [
        page.index(text)
        for text in (
            "hvor tilfreds eller utilfreds",
            "Årsager til at få en familieven",
            "optimistisk i forhold",
            "forventninger",
            "fortælle os mere",
        )
    ]
    assert order == sorted(order)
    assert "haft gavn af dit forløb" not in page
    assert "Meget tilfreds" in page and "Jeg føler mig ensom" in page

    page = client.get(link(post_token)).content.decode()
    assert "haft gavn af dit forløb" in page
    assert "optimistisk i forhold" in page
    assert "Årsager til at få en familieven" not in page
    assert "forventninger" not in page


def test_the_volunteer_form_shows_the_volunteer_questions():
    questionnaire = make_questionnaire(respondent=Respondent.VOLUNTEER)
    volunteer = VolunteerFactory()
    match = MatchFactory(volunteer=volunteer, family__branch=volunteer.branch)
    _invitation, token = invite(questionnaire, VOLUNTEER, match=match, volunteer=volunteer)
    page = Client().get(link(token)).content.decode()
    assert "I hvor høj grad har forælderen haft gavn af forløbet?" in page
    assert "Andre kommentarer" in page


def test_an_anonymous_person_needs_no_login_and_reads_danish(pre):
    _invitation, token = pre
    response = Client().get(link(token))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="da">' in page
    assert "Gem og fortsæt senere" in page
    assert "Send mine svar" in page
    assert "log-ind" not in page


def test_english_when_the_person_chose_english(pre):
    _invitation, token = pre
    client = Client()
    client.cookies["django_language"] = "en"
    page = client.get(link(token)).content.decode()
    assert "Questionnaire for parents" in page
    assert "All things considered, how satisfied are you with your life at present?" in page
    assert "Very satisfied" in page
    assert "Meget tilfreds" not in page


def test_the_language_switch_on_the_page_works_without_login(pre):
    _invitation, token = pre
    client = Client(enforce_csrf_checks=True)
    client.get(link(token))
    csrf = client.cookies["csrftoken"].value
    response = client.post(
        reverse("set_language"),
        {"language": "en", "next": link(token), "csrfmiddlewaretoken": csrf},
        follow=True,
    )
    assert response.status_code == 200
    assert "Questionnaire for parents" in response.content.decode()


def test_save_then_reopen_shows_the_answers(pre, questionnaire):
    invitation, token = pre
    client = Client()
    response = client.post(
        link(token),
        {
            field(questionnaire, "F4"): "satisfied",
            field(questionnaire, "F2"): ["network", "lonely"],
            field(questionnaire, "S1"): "4",
            field(questionnaire, "C1"): "  Det går bedre nu.  ",
            "action": "save",
        },
    )
    assert response.status_code == 302
    page = client.get(link(token)).content.decode()
    assert "Dine svar er gemt" in page
    saved = Response.objects.get(invitation=invitation)
    assert saved.submitted_at is None
    values = {a.question.code: a.value for a in saved.answers.select_related("question")}
    # Multiple choices in the questionnaire's order; text stripped; scale an integer.
    assert values == {
        "F4": "satisfied",
        "F2": ["lonely", "network"],
        "S1": 4,
        "C1": "Det går bedre nu.",
    }
    assert re.search(r'value="satisfied"[^>]*checked', page)
    assert re.search(r'value="4"[^>]*checked', page)
    assert re.search(r'value="lonely"[^>]*checked', page)
    assert "Det går bedre nu." in page
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.OPEN  # saving is not answering

    # Taking an answer back: the text emptied, the rest kept.
    client.post(
        link(token),
        {
            field(questionnaire, "F4"): "satisfied",
            field(questionnaire, "S1"): "4",
            "action": "save",
        },
    )
    assert set(saved.answers.values_list("question__code", flat=True)) == {"F4", "S1"}


def test_submit_stores_the_answers_and_stops_the_reminders(pre, questionnaire):
    invitation, token = pre
    other_match, other_parent = consenting_match()
    waiting, _ = invite(questionnaire, PRE, match=other_match, parent=other_parent)
    client = Client()
    response = client.post(
        link(token),
        {
            field(questionnaire, "F4"): "neither",
            field(questionnaire, "F2"): ["routines"],
            field(questionnaire, "S1"): "2",
            field(questionnaire, "E3"): "10",
            field(questionnaire, "C1"): "Tak for hjælpen",
            "action": "submit",
        },
    )
    assert response.status_code == 302
    page = client.get(link(token))
    assert page.status_code == 200
    assert "Tak, vi har dine svar" in page.content.decode()

    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ANSWERED
    assert invitation.next_step == Step.DONE
    saved = Response.objects.get(invitation=invitation)
    assert saved.submitted_at is not None
    assert saved.entered_by is None
    assert saved.complete  # every item of the pre form answered
    values = {a.question.code: a.value for a in saved.answers.select_related("question")}
    assert values == {
        "F4": "neither",
        "F2": ["routines"],
        "S1": 2,
        "E3": 10,
        "C1": "Tak for hjælpen",
    }

    before = ContactAttempt.objects.filter(invitation=invitation).count()
    engine.run_due(now=timezone.now() + timedelta(days=30))
    assert ContactAttempt.objects.filter(invitation=invitation).count() == before
    # The chain goes on for the one who has not answered.
    assert ContactAttempt.objects.filter(invitation=waiting).exists()


def test_a_submit_with_answers_missing_is_partial(pre, questionnaire):
    invitation, token = pre
    Client().post(link(token), {field(questionnaire, "F4"): "satisfied", "action": "submit"})
    saved = Response.objects.get(invitation=invitation)
    assert saved.submitted_at is not None
    assert not saved.complete
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ANSWERED


def test_a_submit_without_any_answer_is_refused(pre):
    invitation, token = pre
    response = Client().post(link(token), {"action": "submit"})
    assert response.status_code == 200
    assert "Besvar mindst ét spørgsmål, før du sender." in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.OPEN


def test_a_second_submit_shows_already_answered_and_changes_nothing(pre, questionnaire):
    invitation, token = pre
    client = Client()
    first = {field(questionnaire, "F4"): "satisfied", "action": "submit"}
    client.post(link(token), first)
    saved = Response.objects.get(invitation=invitation)
    submitted_at = saved.submitted_at

    for action in ("submit", "save"):
        again = client.post(
            link(token), {field(questionnaire, "F4"): "dissatisfied", "action": action}
        )
        assert again.status_code == 200
        assert "Tak, vi har dine svar" in again.content.decode()
    saved.refresh_from_db()
    assert saved.submitted_at == submitted_at
    assert list(saved.answers.values_list("value", flat=True)) == ["satisfied"]


def test_two_submits_at_the_same_moment_send_once(transactional_db):
    """Two phones (or a double tap) sending at once, in two threads with their own
    database connections: the row lock (PostgreSQL) or serialised writers (SQLite) and
    the conditional update on submitted_at let one through; the other gets the
    thank-you page and changes nothing."""
    questionnaire = make_questionnaire()
    match, parent = consenting_match()
    invitation, token = invite(questionnaire, PRE, match=match, parent=parent)
    name = field(questionnaire, "F4")
    barrier = threading.Barrier(2)
    statuses, errors = [], []

    def send(value):
        try:
            barrier.wait()
            response = Client().post(link(token), {name: value, "action": "submit"})
            statuses.append(response.status_code)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(v,)) for v in ("satisfied", "neither")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(statuses) == [200, 302]
    saved = Response.objects.get(invitation=invitation)
    assert saved.submitted_at is not None
    assert saved.answers.count() == 1
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ANSWERED


# --- links that do not open a questionnaire ---------------------------------------------


def test_every_bad_link_gets_the_same_closed_page(pre, questionnaire):
    invitation, token = pre
    tampered = ("A" if token[0] != "A" else "B") + token[1:]
    match, parent = consenting_match()
    cancelled, cancelled_token = invite(
        questionnaire, POST, match=match, parent=parent, status=Invitation.Status.CANCELLED
    )
    stopped, stopped_token = invite(
        questionnaire,
        FOLLOW_UP,
        match=match,
        parent=parent,
        status=Invitation.Status.NON_RESPONSE,
    )
    client = Client()
    urls = [
        link(tampered),
        link("not-a-token"),
        link("x" * 10_000),
        "/s/..%2F..%2Fetc%2Fpasswd/",
        "/s/../../etc/passwd",
        "/s/%00/",
        "/s/",
        link(cancelled_token),
        link(stopped_token),
        reverse("survey_opt_out", kwargs={"token": tampered}),
        reverse("survey_opt_out", kwargs={"token": cancelled_token}),
    ]
    pages = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 404, url
        assert response["Cache-Control"] == "no-store"
        assert response["Referrer-Policy"] == "no-referrer"
        assert response["X-Robots-Tag"] == "noindex"
        pages[url[:60]] = closed_page(response.content)
    assert len(set(pages.values())) == 1, pages.keys()
    page = next(iter(pages.values()))
    assert "Dette link virker ikke længere" in page
    assert "kontaktperson i Røde Kors" in page

    # A post to a bad link changes nothing and answers the same.
    response = client.post(link(tampered), {"action": "submit"})
    assert response.status_code == 404
    assert closed_page(response.content) == page


def test_a_withdrawn_consent_or_an_anonymised_family_closes_the_link(pre, questionnaire):
    invitation, token = pre
    client = Client()
    family = invitation.parent.family
    family.evaluation_consent = ConsentState.WITHDRAWN
    family.save(update_fields=["evaluation_consent"])
    assert client.get(link(token)).status_code == 404

    match, parent = consenting_match()
    other, other_token = invite(questionnaire, PRE, match=match, parent=parent)
    match.family.anonymised_at = timezone.now()
    match.family.save(update_fields=["anonymised_at"])
    response = client.get(link(other_token))
    assert response.status_code == 404
    assert "Dette link virker ikke længere" in response.content.decode()


def test_the_token_is_never_logged(pre, caplog):
    invitation, token = pre
    invitation.status = Invitation.Status.CANCELLED
    invitation.save(update_fields=["status"])
    with caplog.at_level(logging.DEBUG):
        assert Client().get(link(token)).status_code == 404
        assert Client().get(link("garbage")).status_code == 404
    assert token not in caplog.text
    assert "garbage" not in caplog.text


def test_the_open_page_keeps_its_link_private(pre):
    _invitation, token = pre
    response = Client().get(link(token))
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["X-Robots-Tag"] == "noindex"
    assert '<meta name="referrer" content="no-referrer">' in response.content.decode()


def test_a_link_cut_short_of_its_slash_is_sent_on(pre):
    _invitation, token = pre
    response = Client().get(f"/s/{token}")
    assert response.status_code == 302
    assert response["Location"] == link(token)


# --- bad input --------------------------------------------------------------------------


def test_an_oversized_text_gets_a_danish_message_and_keeps_the_rest(pre, questionnaire):
    invitation, token = pre
    long_text = "å" * 2001
    response = Client().post(
        link(token),
        {
            field(questionnaire, "F4"): "satisfied",
            field(questionnaire, "C1"): long_text,
            "action": "submit",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Dit svar er for langt: højst 2000 tegn, og det har 2001." in page
    assert "Dine svar er ikke sendt endnu" in page
    assert long_text in page  # what was typed is still there to shorten
    assert re.search(r'value="satisfied"[^>]*checked', page)
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.OPEN
    # The valid answer is saved; the oversized one is not.
    saved = Response.objects.get(invitation=invitation)
    assert saved.submitted_at is None
    assert list(saved.answers.values_list("question__code", "value")) == [("F4", "satisfied")]


def test_forged_values_get_danish_messages_beside_their_questions(pre, questionnaire):
    invitation, token = pre
    response = Client().post(
        link(token),
        {
            field(questionnaire, "F4"): "<script>alert(1)</script>",
            field(questionnaire, "F2"): ["lonely", "bribe"],
            field(questionnaire, "S1"): "6",
            field(questionnaire, "E3"): "two",
            field(questionnaire, "C1"): "Fint",
            "action": "save",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("Vælg et af de viste svar.") == 2
    assert "Vælg et tal fra 1 til 5." in page
    assert "Vælg et tal fra 1 til 10." in page
    assert "<script>alert(1)</script>" not in page
    saved = Response.objects.get(invitation=invitation)
    assert list(saved.answers.values_list("question__code", "value")) == [("C1", "Fint")]


def test_an_oversized_post_body_gets_a_message_not_an_error(pre, questionnaire):
    invitation, token = pre
    client = Client()
    client.post(link(token), {field(questionnaire, "F4"): "satisfied", "action": "save"})
    # Over Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB).
    response = client.post(
        link(token), {field(questionnaire, "C1"): "x" * 3_000_000, "action": "submit"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Vi kunne ikke modtage så meget tekst på én gang" in page
    assert re.search(r'value="satisfied"[^>]*checked', page)  # what was saved is shown
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.OPEN


def test_too_many_fields_get_a_message_not_an_error(pre, settings):
    _invitation, token = pre
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    body = "&".join(f"f{n}=1" for n in range(50))
    response = Client().post(link(token), body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert "Vi kunne ikke modtage så meget tekst på én gang" in response.content.decode()


# --- size -------------------------------------------------------------------------------


@pytest.mark.parametrize("extra", [0, 60])
def test_the_page_takes_few_queries_at_any_size(extra, django_assert_max_num_queries):
    questionnaire = make_questionnaire(extra=extra)
    match, parent = consenting_match()
    invitation, token = invite(questionnaire, PRE, match=match, parent=parent)
    client = Client()
    values = {f"q{q.pk}": "3" for q in questionnaire.questions.filter(code__startswith="X")}
    values[field(questionnaire, "F4")] = "satisfied"
    client.post(link(token), {**values, "action": "save"})
    with django_assert_max_num_queries(15):
        response = client.get(link(token))
    assert response.status_code == 200
    assert response.content.decode().count('class="btn-check"') > 5 * extra
    with django_assert_max_num_queries(15):
        client.post(link(token), {**values, "action": "save"})


# --- opting out -------------------------------------------------------------------------


def test_the_opt_out_asks_first(pre):
    invitation, token = pre
    client = Client()
    page = client.get(link(token)).content.decode()
    opt_out = reverse("survey_opt_out", kwargs={"token": token})
    assert f'href="{opt_out}"' in page
    response = client.get(opt_out)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert "Vil du ikke deltage i evalueringen?" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.OPEN


def test_a_parent_opting_out_withdraws_the_familys_consent(pre, questionnaire):
    invitation, token = pre
    family = invitation.parent.family
    second_parent = ParentFactory(family=family)
    other_match = MatchFactory(family=family)
    second, second_token = invite(questionnaire, PRE, match=other_match, parent=second_parent)
    queued = ContactAttempt.objects.create(
        invitation=second,
        key=f"{second.pk}:test",
        step=Step.SMS_REMINDER,
        channel="sms",
        created_at=timezone.now(),
    )
    client = Client()
    response = client.post(reverse("survey_opt_out", kwargs={"token": token}))
    assert response.status_code == 200
    assert "Du er ikke længere med i evalueringen" in response.content.decode()

    family.refresh_from_db()
    assert family.evaluation_consent == ConsentState.WITHDRAWN
    consent = Consent.objects.get(family=family, kind=Consent.Kind.EVALUATION)
    assert consent.state == ConsentState.WITHDRAWN
    for each in (invitation, second):
        each.refresh_from_db()
        assert each.status == Invitation.Status.OPTED_OUT
    queued.refresh_from_db()
    assert queued.status == ContactAttempt.Status.CANCELLED
    # Afterwards the link is closed like any other.
    assert client.get(link(token)).status_code == 404
    assert client.get(link(second_token)).status_code == 404
    assert client.post(reverse("survey_opt_out", kwargs={"token": token})).status_code == 404


def test_a_volunteer_opting_out_is_recorded():
    questionnaire = make_questionnaire(respondent=Respondent.VOLUNTEER)
    volunteer = VolunteerFactory()
    match = MatchFactory(volunteer=volunteer, family__branch=volunteer.branch)
    invitation, token = invite(questionnaire, VOLUNTEER, match=match, volunteer=volunteer)
    response = Client().post(reverse("survey_opt_out", kwargs={"token": token}))
    assert response.status_code == 200
    assert SurveyOptOut.objects.filter(volunteer=volunteer).exists()
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.OPTED_OUT
    assert Client().get(link(token)).status_code == 404


def test_an_answered_invitation_cannot_be_opted_out_of(pre, questionnaire):
    invitation, token = pre
    client = Client()
    client.post(link(token), {field(questionnaire, "F4"): "satisfied", "action": "submit"})
    response = client.post(reverse("survey_opt_out", kwargs={"token": token}))
    assert response.status_code == 200
    assert "Tak, vi har dine svar" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ANSWERED
    assert invitation.parent.family.evaluation_consent == ConsentState.GIVEN
    assert Answer.objects.filter(response__invitation=invitation).count() == 1


def test_the_real_questionnaire_opens_when_there_is_one():
    """With the shipped content (if installed): the current parent questionnaire for
    family friends has pre items, and the page draws them all."""
    from surveys.services import current_questionnaire

    questionnaire = current_questionnaire(Respondent.PARENT, Programme.FAMILY_FRIEND)
    if questionnaire is None or not questionnaire.questions.exists():
        pytest.skip("no published questionnaire installed")
    match, parent = consenting_match()
    _invitation, token = invite(questionnaire, SurveyKind.PRE, match=match, parent=parent)
    response = Client().get(link(token))
    assert response.status_code == 200
    asked = [q for q in questionnaire.questions.all() if SurveyKind.PRE in q.kinds]
    page = response.content.decode()
    assert asked
    for question in asked:
        assert f'name="q{question.pk}"' in page


# --- the inputs, written out --------------------------------------------------------------


@pytest.mark.parametrize("bound", [False, True])
def test_the_written_out_inputs_are_what_djangos_widgets_give(questionnaire, bound):
    """respond_forms.options_html writes the inputs itself (issue 8: the page's time);
    each one has the name, value, id, label and checked state Django's own RadioSelect
    and CheckboxSelectMultiple give, saved values and posted ones alike, every text
    escaped."""
    from surveys.respond_forms import AnswerForm, field_name

    questions = list(questionnaire.questions.order_by("position"))
    choice = next(q for q in questions if q.answer_type == "choice")
    multi = next(q for q in questions if q.answer_type == "multi")
    scale = next(q for q in questions if q.answer_type == "scale")
    choice.choices = [*choice.choices, {"value": "odd", "da": '<b>"Andet" & mere</b>'}]
    saved = {choice.pk: "odd", multi.pk: [multi.choices[0]["value"]], scale.pk: 4}
    if bound:
        data = {field_name(choice): "odd", field_name(scale): "4"}
        data[field_name(multi)] = [multi.choices[0]["value"], multi.choices[-1]["value"]]
        form = AnswerForm(data, questions=questions, language="da")
        form.is_valid()
    else:
        form = AnswerForm(questions=questions, language="da", saved=saved)
    checked_somewhere = 0
    for item in form.items():
        if item.question.answer_type == "text":
            assert item.options == ""
            continue
        html = str(item.options)
        assert "<b>" not in html
        for widget in item.field:
            data = widget.data
            attrs = (
                f'<input type="{data["type"]}" name="{data["name"]}" '
                f'value="{escape(str(data["value"]))}" class="btn-check" '
                f'id="{widget.id_for_label}"{" checked" if data["selected"] else ""}>'
            )
            assert attrs in html
            assert f'for="{widget.id_for_label}">{escape(str(widget.choice_label))}</label>' in html
            checked_somewhere += bool(data["selected"])
    assert checked_somewhere == (4 if bound else 3)
