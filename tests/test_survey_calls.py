"""The survey calls (issue 6 item 4; DOMAIN.md §14): the queue of due calls for the person
responsible, one call with the respondent's contacts and every attempt, and recording an
attempt until the ninth closes the invitation as no answer."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from familien.models import Programme, Role
from matching.models import Match
from surveys.call_views import url_or_none
from surveys.models import (
    AnswerType,
    Channel,
    ContactAttempt,
    Invitation,
    Question,
    Questionnaire,
    Respondent,
    Step,
    SurveyKind,
)
from surveys.scoping import call_queue_for, invitations_for
from surveys.tokens import hash_token, new_salt, token_for
from tests.conftest import login
from tests.factories import MatchFactory, ParentFactory, UserFactory, VolunteerFactory

Outcome = ContactAttempt.Outcome
ALL_FORMS = ["pre", "follow_up", "post", "volunteer"]


# --- helpers shared by the survey staff tests ----------------------------------------------


def make_questionnaire(programme=Programme.FAMILY_FRIEND, respondent=Respondent.PARENT):
    """A small published questionnaire: one item of each answer type, one asked only in
    the post survey."""
    questionnaire, created = Questionnaire.objects.get_or_create(
        code=f"test-{respondent}-{programme}".replace("_", "-"),
        version=1,
        defaults={
            "respondent": respondent,
            "programme": programme,
            "title_da": "Spørgeskema til test",
            "title_en": "Test questionnaire",
            "intro_da": "Det tager cirka ti minutter.",
            "published_at": timezone.now(),
        },
    )
    if created:
        items = [
            (
                "satisfied",
                ALL_FORMS,
                "Hvor tilfreds er du med dit liv for tiden?",
                AnswerType.CHOICE,
                [
                    {"value": "1", "da": "Meget tilfreds", "en": "Very satisfied"},
                    {"value": "2", "da": "Tilfreds", "en": "Satisfied"},
                    {"value": "3", "da": "Utilfreds", "en": "Dissatisfied"},
                ],
            ),
            ("overall", ALL_FORMS, "Hvordan har du det alt i alt?", AnswerType.SCALE, []),
            ("other", ALL_FORMS, "Er der andet, du vil fortælle os?", AnswerType.TEXT, []),
            (
                "together",
                ["post"],
                "Hvad har I lavet sammen?",
                AnswerType.MULTI,
                [
                    {"value": "outing", "da": "Udflugter", "en": "Outings"},
                    {"value": "homework", "da": "Lektiehjælp", "en": "Homework help"},
                ],
            ),
        ]
        for position, (code, kinds, text, answer_type, choices) in enumerate(items, start=1):
            Question.objects.create(
                questionnaire=questionnaire,
                position=position,
                code=code,
                kinds=kinds,
                text_da=text,
                text_en=text,
                answer_type=answer_type,
                choices=choices,
                scale_min=0 if answer_type == AnswerType.SCALE else None,
                scale_max=10 if answer_type == AnswerType.SCALE else None,
            )
    return questionnaire


def make_invitation(
    match,
    *,
    parent=None,
    volunteer=None,
    kind=SurveyKind.PRE,
    attempts=3,
    next_step=Step.CALL,
    due=None,
    status=Invitation.Status.OPEN,
    created_at=None,
):
    """An invitation waiting for a call since yesterday (by default) after three
    automatic messages, to the match's first parent unless a volunteer is given."""
    if parent is None and volunteer is None:
        parent = match.family.parents.order_by("pk").first()
    respondent = Respondent.VOLUNTEER if volunteer else Respondent.PARENT
    salt = new_salt()
    invitation = Invitation.objects.create(
        questionnaire=make_questionnaire(match.programme, respondent),
        kind=kind,
        match=match,
        parent=parent,
        volunteer=volunteer,
        token_salt=salt,
        token_hash=hash_token(token_for(salt)),
        status=status,
        next_step=next_step,
        next_step_at=timezone.now() - timedelta(days=1) if due is None else due,
        attempts=attempts,
    )
    if created_at is not None:
        Invitation.objects.filter(pk=invitation.pk).update(created_at=created_at)
        invitation.created_at = created_at
    return invitation


def add_attempt(invitation, *, step=Step.INVITE, channel=Channel.SMS, status="sent", **fields):
    number = ContactAttempt.objects.filter(invitation=invitation).count() + 1
    return ContactAttempt.objects.create(
        invitation=invitation,
        key=f"{invitation.pk}:test:{number}",
        step=step,
        channel=channel,
        status=status,
        created_at=fields.pop("created_at", timezone.now() - timedelta(days=21)),
        **fields,
    )


def local_match(world, **fields):
    """A locally started match in branch A: its calls are the branch's leaders'."""
    match = MatchFactory(
        family=world.family_a,
        volunteer=VolunteerFactory(branch=world.branch_a, first_name="Karen"),
        started_by=Match.StartedBy.LOCAL,
        **fields,
    )
    return match


# --- who is responsible -------------------------------------------------------------------


@pytest.mark.django_db
def test_each_caller_gets_the_calls_they_are_responsible_for(world):
    users = world.users
    local = make_invitation(local_match(world))
    central = make_invitation(world.match_a, kind=SurveyKind.POST)
    queues = {name: set(call_queue_for(user)) for name, user in users.items()}
    assert queues["leader"] == {local}  # locally started, their branch
    assert queues["leader_other"] == set()
    assert queues["central"] == {central}  # centrally started
    assert queues["followup"] == {central}  # assigned to them
    assert queues["followup_other"] == set()
    assert queues["admin"] == {local, central}
    assert queues["volunteer"] == queues["evaluator"] == set()
    # The leader may still open the centrally started match's call from its page.
    assert set(invitations_for(users["leader"])) == {local, central}
    assert not invitations_for(users["evaluator"]).exists()


@pytest.mark.django_db
def test_only_open_invitations_whose_call_is_due_are_queued(world):
    match = local_match(world)
    parents = [ParentFactory(family=world.family_a) for _ in range(4)]
    due = make_invitation(match, parent=parents[0])
    make_invitation(match, parent=parents[1], due=timezone.now() + timedelta(days=1))
    make_invitation(match, parent=parents[2], next_step=Step.MAIL_REMINDER)
    make_invitation(match, parent=parents[3], status=Invitation.Status.ANSWERED)
    assert list(call_queue_for(world.users["leader"])) == [due]


# --- the queue ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_queue_lists_due_calls_oldest_first(client, world):
    match = local_match(world, programme=Programme.JOB_MENTOR)
    now = timezone.now()
    newer = make_invitation(
        match, parent=ParentFactory(family=world.family_a, first_name="Sofie"), due=now
    )
    older = make_invitation(
        match,
        parent=ParentFactory(family=world.family_a, first_name="Ahmad"),
        kind=SurveyKind.POST,
        attempts=5,
        due=now - timedelta(days=3),
    )
    login(client, world.users["leader"])
    response = client.get(reverse("survey_call_queue"))
    assert response.status_code == 200
    assert [row.pk for row in response.context["page"]] == [older.pk, newer.pk]
    html = response.content.decode()
    assert html.index("Ahmad") < html.index("Sofie")
    assert f'href="{reverse("survey_call", args=[older.pk])}"' in html
    assert f"5 af {settings.SURVEY_MAX_ATTEMPTS}" in html
    assert "Jobmentor" in html
    with translation.override("da"):
        assert str(SurveyKind.POST.label) in html
    assert reverse("survey_letters") in html


@pytest.mark.django_db
def test_an_empty_queue_says_so(client, world):
    login(client, world.users["leader"])
    response = client.get(reverse("survey_call_queue"))
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 0


@pytest.mark.django_db
@pytest.mark.parametrize("size", [5, 200])
def test_the_queue_takes_a_fixed_number_of_queries(
    client, world, django_assert_max_num_queries, size
):
    match = local_match(world)
    parents = ParentFactory.create_batch(size, family=world.family_a)
    for parent in parents:
        make_invitation(match, parent=parent)
    login(client, world.users["leader"])
    client.get(reverse("survey_call_queue"))  # warm the session
    with django_assert_max_num_queries(15) as captured:
        response = client.get(reverse("survey_call_queue"))
    assert response.status_code == 200
    assert response.context["page"].paginator.count == size
    # The same number at 5 and at 200 invitations.
    assert len(captured.captured_queries) == QUEUE_QUERIES.setdefault(
        "n", len(captured.captured_queries)
    )


QUEUE_QUERIES = {}


# --- one call -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_call_page_shows_the_contacts_and_every_attempt(client, world):
    match = local_match(world)
    parent = ParentFactory(
        family=world.family_a, first_name="Sofie", phone="+4520304050", email="sofie@example.org"
    )
    invitation = make_invitation(match, parent=parent)
    add_attempt(invitation, step=Step.INVITE, channel=Channel.SMS)
    add_attempt(invitation, step=Step.SMS_REMINDER, channel=Channel.SMS)
    add_attempt(
        invitation,
        step=Step.CALL,
        channel=Channel.PHONE,
        status="done",
        outcome=Outcome.NO_ANSWER,
        by=world.users["central"],
        note="Ringer igen torsdag",
    )
    login(client, world.users["leader"])
    response = client.get(reverse("survey_call", args=[invitation.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Sofie" in html
    assert "+4520304050" in html
    assert "sofie@example.org" in html
    history = response.context["attempts"]
    assert len(history) == 3
    assert html.count("Automatisk") == 2
    assert world.users["central"].full_name in html
    assert "Ringer igen torsdag" in html
    assert f"3 af {settings.SURVEY_MAX_ATTEMPTS}" in html
    assert response.context["form"] is not None


@pytest.mark.django_db
def test_recording_a_voicemail_counts_an_attempt_and_moves_the_next_call(client, world):
    invitation = make_invitation(local_match(world))
    leader = world.users["leader"]
    login(client, leader)
    response = client.post(
        reverse("survey_call", args=[invitation.pk]),
        {"channel": "voicemail", "note": "Lagt besked"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("survey_call", args=[invitation.pk])
    attempt = ContactAttempt.objects.get(invitation=invitation)
    assert attempt.channel == Channel.VOICEMAIL
    assert attempt.outcome == Outcome.VOICEMAIL  # implied by the channel
    assert attempt.by == leader
    assert attempt.step == Step.CALL
    assert attempt.note == "Lagt besked"
    invitation.refresh_from_db()
    assert invitation.attempts == 4
    assert invitation.status == Invitation.Status.OPEN
    assert invitation.next_step_at > timezone.now()
    assert invitation not in call_queue_for(leader)
    page = client.get(response["Location"])
    assert f"4 af {settings.SURVEY_MAX_ATTEMPTS}" in page.content.decode()
    assert "Forsøget er registreret." in page.content.decode()


@pytest.mark.django_db
def test_a_phone_call_needs_its_outcome(client, world):
    invitation = make_invitation(local_match(world))
    login(client, world.users["leader"])
    response = client.post(
        reverse("survey_call", args=[invitation.pk]), {"channel": "phone", "note": "Prøvede"}
    )
    assert response.status_code == 200
    assert "Vælg hvad opkaldet førte til." in response.content.decode()
    assert response.context["form"]["note"].value() == "Prøvede"
    assert not ContactAttempt.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data",
    [
        {},
        {"channel": "print"},  # a letter is not a person's attempt
        {"channel": "phone", "outcome": "bogus"},
        {"channel": "sms", "note": "x" * 301},
    ],
)
def test_bad_input_is_refused_with_a_message(client, world, data):
    invitation = make_invitation(local_match(world))
    login(client, world.users["leader"])
    response = client.post(reverse("survey_call", args=[invitation.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not ContactAttempt.objects.exists()
    assert Invitation.objects.get(pk=invitation.pk).attempts == 3


@pytest.mark.django_db
def test_the_services_refusal_is_shown_beside_the_form(client, world):
    """Still in the automatic reminders (or answered meanwhile): not waiting for a call."""
    invitation = make_invitation(local_match(world), next_step=Step.MAIL_REMINDER)
    login(client, world.users["leader"])
    page = client.get(reverse("survey_call", args=[invitation.pk]))
    assert page.context["form"] is None  # nothing to record
    response = client.post(
        reverse("survey_call", args=[invitation.pk]), {"channel": "sms", "note": "Sendt"}
    )
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert len(errors) == 1
    assert errors[0] in response.content.decode()
    assert response.context["form"]["note"].value() == "Sendt"
    assert not ContactAttempt.objects.exists()


@pytest.mark.django_db
def test_the_ninth_attempt_closes_the_invitation_as_no_answer(client, world):
    invitation = make_invitation(local_match(world), attempts=settings.SURVEY_MAX_ATTEMPTS - 1)
    leader = world.users["leader"]
    assert invitation in call_queue_for(leader)
    login(client, leader)
    response = client.post(
        reverse("survey_call", args=[invitation.pk]),
        {"channel": "phone", "outcome": "no_answer"},
        follow=True,
    )
    assert response.status_code == 200
    invitation.refresh_from_db()
    assert invitation.attempts == settings.SURVEY_MAX_ATTEMPTS
    assert invitation.status == Invitation.Status.NON_RESPONSE
    assert invitation.next_step == Step.DONE
    assert invitation not in call_queue_for(leader)
    assert response.context["form"] is None
    assert "lukket som ikke besvaret" in response.content.decode()
    # A tenth is refused.
    again = client.post(
        reverse("survey_call", args=[invitation.pk]), {"channel": "phone", "outcome": "reached"}
    )
    assert again.status_code == 200
    assert again.context["form"].non_field_errors()
    assert ContactAttempt.objects.filter(invitation=invitation).count() == 1


@pytest.mark.django_db
def test_the_call_page_is_scoped(client, world):
    invitation = make_invitation(local_match(world))
    url = reverse("survey_call", args=[invitation.pk])
    for name, expected in [
        ("leader_other", 404),
        ("followup", 404),  # not their match
        ("volunteer", 403),
        ("evaluator", 403),
        ("central", 200),
        ("admin", 200),
    ]:
        login(client, world.users[name])
        assert client.get(url).status_code == expected, name
        if expected != 200:
            assert client.post(url, {"channel": "sms"}).status_code == expected, name
    assert not ContactAttempt.objects.exists()


@pytest.mark.django_db
def test_the_paper_entry_link_appears_when_that_page_exists(client, world):
    invitation = make_invitation(local_match(world))
    login(client, world.users["leader"])
    response = client.get(reverse("survey_call", args=[invitation.pk]))
    expected = url_or_none("survey_paper_entry", pk=invitation.pk)
    assert response.context["paper_entry_url"] == expected
    if expected:
        assert expected in response.content.decode()
    assert url_or_none("no_such_page", pk=1) is None


@pytest.mark.django_db
@pytest.mark.parametrize("size", [2, 40])
def test_the_call_page_takes_a_fixed_number_of_queries(
    client, world, django_assert_max_num_queries, size
):
    invitation = make_invitation(local_match(world))
    users = UserFactory.create_batch(3, role=Role.LEADER)
    for number in range(size):
        add_attempt(invitation, by=users[number % 3] if number % 2 else None)
    login(client, world.users["leader"])
    url = reverse("survey_call", args=[invitation.pk])
    client.get(url)
    with django_assert_max_num_queries(15) as captured:
        assert client.get(url).status_code == 200
    assert len(captured.captured_queries) == CALL_QUERIES.setdefault(
        "n", len(captured.captured_queries)
    )


CALL_QUERIES = {}
