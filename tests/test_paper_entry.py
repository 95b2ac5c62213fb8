"""Staff key in a questionnaire that came back on paper (issue 6 item 7): the same
questions and checks as the respondent's page, the response marked with who typed it,
only for invitations of matches the user may see, refused once answered or closed."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from familien.models import ConsentState
from surveys.models import Invitation, Response, Step
from tests.conftest import login
from tests.test_respond import PRE, field, invite, make_questionnaire

pytestmark = pytest.mark.django_db


@pytest.fixture
def paper(world):
    """A pre survey sent as a letter for match A (branch A, followed up by "followup")."""
    family = world.family_a
    family.evaluation_consent = ConsentState.GIVEN
    family.save(update_fields=["evaluation_consent"])
    questionnaire = make_questionnaire()
    invitation, _token = invite(
        questionnaire,
        PRE,
        match=world.match_a,
        parent=family.parents.first(),
        next_step=Step.CALL,
    )
    return invitation, questionnaire


def url(invitation):
    return reverse("survey_paper_entry", kwargs={"pk": invitation.pk})


@pytest.mark.parametrize("role", ["leader", "central", "followup", "admin"])
def test_staff_key_in_a_paper_response(world, paper, role):
    invitation, questionnaire = paper
    user = world.users[role]
    client = login(Client(), user)
    page = client.get(url(invitation))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Indtast et papirskema" in text
    assert "hvor tilfreds eller utilfreds" in text
    assert "haft gavn af dit forløb" not in text  # a post item, not on the pre form

    response = client.post(
        url(invitation),
        {
            field(questionnaire, "F4"): "satisfied",
            field(questionnaire, "S1"): "5",
            field(questionnaire, "C1"): "Skrevet i hånden",
        },
        follow=True,
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "Svarene fra papirskemaet er gemt." in text
    assert "indtastet fra papir af" in text
    saved = Response.objects.get(invitation=invitation)
    assert saved.entered_by == user
    assert saved.submitted_at is not None
    assert not saved.complete  # three of the pre form's five items
    values = {a.question.code: a.value for a in saved.answers.select_related("question")}
    assert values == {"F4": "satisfied", "S1": 5, "C1": "Skrevet i hånden"}
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ANSWERED
    assert invitation.next_step == Step.DONE


def test_the_other_branch_and_a_stranger_get_404(world, paper):
    invitation, questionnaire = paper
    for role in ("leader_other", "followup_other"):
        client = login(Client(), world.users[role])
        assert client.get(url(invitation)).status_code == 404
        data = {field(questionnaire, "F4"): "satisfied"}
        assert client.post(url(invitation), data).status_code == 404
    assert not Response.objects.exists()


def test_volunteers_and_evaluators_may_not(world, paper):
    invitation, questionnaire = paper
    for role in ("volunteer", "evaluator"):
        client = login(Client(), world.users[role])
        assert client.get(url(invitation)).status_code == 403
        data = {field(questionnaire, "F4"): "satisfied"}
        assert client.post(url(invitation), data).status_code == 403
    response = Client().get(url(invitation))
    assert response.status_code == 302 and "/konto/log-ind/" in response["Location"]
    assert not Response.objects.exists()


def test_bad_input_gets_a_danish_message_and_nothing_is_saved(world, paper):
    invitation, questionnaire = paper
    client = login(Client(), world.users["leader"])
    response = client.post(
        url(invitation),
        {
            field(questionnaire, "F4"): "forged",
            field(questionnaire, "S1"): "3",
            field(questionnaire, "C1"): "x" * 2001,
        },
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "Vælg et af de viste svar." in text
    assert "Dit svar er for langt: højst 2000 tegn" in text
    assert "Intet er gemt endnu" in text
    assert re.search(r'value="3"[^>]*checked', text)  # the valid answer stays on the page
    assert not Response.objects.exists()
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.OPEN

    response = client.post(url(invitation), {})
    assert "Indtast mindst ét svar, før du gemmer." in response.content.decode()
    assert not Response.objects.exists()


def test_an_answered_or_closed_invitation_is_refused(world, paper):
    invitation, questionnaire = paper
    leader = world.users["leader"]
    client = login(Client(), leader)
    client.post(url(invitation), {field(questionnaire, "F4"): "satisfied"})
    saved = Response.objects.get(invitation=invitation)

    again = client.post(url(invitation), {field(questionnaire, "F4"): "dissatisfied"}, follow=True)
    assert again.status_code == 200
    assert "Spørgeskemaet er allerede besvaret; intet blev ændret." in again.content.decode()
    assert list(saved.answers.values_list("value", flat=True)) == ["satisfied"]
    # The answered page shows no form to fill in.
    assert 'name="q' not in again.content.decode()

    other = world.family_a.parents.first()
    cancelled, _token = invite(
        questionnaire,
        "post",
        match=world.match_a,
        parent=other,
        status=Invitation.Status.CANCELLED,
    )
    page = client.get(url(cancelled))
    assert page.status_code == 200
    assert "Spørgeskemaet modtager ikke længere svar" in page.content.decode()
    refused = client.post(url(cancelled), {field(questionnaire, "F4"): "satisfied"}, follow=True)
    assert "Spørgeskemaet modtager ikke længere svar; intet blev ændret." in (
        refused.content.decode()
    )
    assert not Response.objects.filter(invitation=cancelled).exists()


def test_a_response_begun_online_is_replaced_by_the_paper(world, paper):
    invitation, questionnaire = paper
    from surveys import answers

    question = questionnaire.questions.get(code="C1")
    answers.save_progress(invitation, {question: "Begyndt online"})
    client = login(Client(), world.users["followup"])
    assert "Respondenten er begyndt online" in client.get(url(invitation)).content.decode()
    client.post(url(invitation), {field(questionnaire, "F4"): "neither"})
    saved = Response.objects.get(invitation=invitation)
    assert saved.entered_by == world.users["followup"]
    assert list(saved.answers.values_list("question__code", "value")) == [("F4", "neither")]


@pytest.mark.parametrize("extra", [0, 60])
def test_the_page_takes_few_queries_at_any_size(world, extra, django_assert_max_num_queries):
    family = world.family_a
    family.evaluation_consent = ConsentState.GIVEN
    family.save(update_fields=["evaluation_consent"])
    questionnaire = make_questionnaire(extra=extra)
    invitation, _token = invite(
        questionnaire, PRE, match=world.match_a, parent=family.parents.first()
    )
    client = login(Client(), world.users["leader"])
    client.get(url(invitation))
    with django_assert_max_num_queries(15):
        response = client.get(url(invitation))
    assert response.status_code == 200
