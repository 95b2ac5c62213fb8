"""The questionnaires as versioned data (issue 6 item 1; DOMAIN.md §18–§26): what the data
migration loads, and how a new version leaves answers already given untouched."""

import json
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from familien.models import Programme, Role
from surveys.models import (
    Answer,
    AnswerType,
    Instrument,
    Invitation,
    Question,
    Questionnaire,
    Respondent,
    Response,
    SurveyKind,
)
from surveys.scoring import PSS_DROPPED, PSS_LPS_ITEMS, PSS_PS_ITEMS
from surveys.services import SurveyError, current_questionnaire
from surveys.tokens import hash_token, new_salt, token_for
from surveys.versions import (
    ensure_editable,
    new_version,
    publish,
    question_problems,
    questionnaire_problems,
)
from tests.conftest import login
from tests.factories import MatchFactory, ParentFactory, UserFactory

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent.parent / "surveys" / "migrations" / "data"
EXPECTED = {
    "parent_family_friend": (Respondent.PARENT, Programme.FAMILY_FRIEND, 58),
    "parent_job_mentor": (Respondent.PARENT, Programme.JOB_MENTOR, 34),
    "parent_education_mentor": (Respondent.PARENT, Programme.EDUCATION_MENTOR, 28),
    "volunteer_family_friend": (Respondent.VOLUNTEER, Programme.FAMILY_FRIEND, 23),
    "volunteer_job_mentor": (Respondent.VOLUNTEER, Programme.JOB_MENTOR, 14),
    "volunteer_education_mentor": (Respondent.VOLUNTEER, Programme.EDUCATION_MENTOR, 12),
}
PARENT_FORMS = {SurveyKind.PRE, SurveyKind.FOLLOW_UP, SurveyKind.POST}


def v1(code):
    return Questionnaire.objects.get(code=code, version=1)


def invite(questionnaire, kind=SurveyKind.PRE):
    match = MatchFactory(programme=questionnaire.programme)
    salt = new_salt()
    return Invitation.objects.create(
        questionnaire=questionnaire,
        kind=kind,
        match=match,
        parent=ParentFactory(family=match.family),
        token_salt=salt,
        token_hash=hash_token(token_for(salt)),
    )


# --- What the migration loaded ---------------------------------------------------------


def test_the_migration_published_six_questionnaires():
    loaded = {
        q.code: (q.respondent, q.programme, q.questions.count())
        for q in Questionnaire.objects.filter(version=1)
    }
    assert loaded == EXPECTED
    assert not Questionnaire.objects.filter(version=1, published_at__isnull=True).exists()
    for code, (respondent, programme, _count) in EXPECTED.items():
        assert current_questionnaire(respondent, programme) == v1(code)
        assert v1(code).title_da and v1(code).title_en and v1(code).intro_da


def test_every_question_can_be_asked():
    for questionnaire in Questionnaire.objects.filter(version=1):
        assert questionnaire_problems(questionnaire) == []
        for question in questionnaire.questions.all():
            assert question.text_da.strip() and question.text_en.strip(), question.code
            if question.answer_type in (AnswerType.CHOICE, AnswerType.MULTI):
                values = [choice["value"] for choice in question.choices]
                assert values and len(values) == len(set(values)), question.code
                for choice in question.choices:
                    assert set(choice) == {"value", "da", "en"}, question.code
                    assert choice["value"].isascii() and choice["da"] and choice["en"]
                assert question.scale_min is None and question.scale_max is None
            elif question.answer_type == AnswerType.SCALE:
                assert (question.scale_min, question.scale_max) in {(0, 10), (1, 10)}
                assert question.choices == []
            else:
                assert question.answer_type == AnswerType.TEXT
                assert question.choices == []


def test_codes_are_unique_and_positions_run_from_one():
    for questionnaire in Questionnaire.objects.filter(version=1):
        codes = list(questionnaire.questions.values_list("code", flat=True))
        positions = list(questionnaire.questions.values_list("position", flat=True))
        assert len(codes) == len(set(codes))
        assert positions == list(range(1, len(positions) + 1))


def test_forms_fit_the_respondent():
    """Parents: items of the pre, follow-up and post forms, the follow-up being the post
    form asked while a long course still runs; volunteers: only their end survey."""
    for questionnaire in Questionnaire.objects.filter(version=1):
        for question in questionnaire.questions.all():
            kinds = set(question.kinds)
            if questionnaire.respondent == Respondent.VOLUNTEER:
                assert question.kinds == [SurveyKind.VOLUNTEER], question.code
            else:
                assert kinds <= PARENT_FORMS, question.code
                assert (SurveyKind.POST in kinds) == (SurveyKind.FOLLOW_UP in kinds), question.code
                assert kinds in ({"pre"}, {"follow_up", "post"}, PARENT_FORMS), question.code


def test_pre_only_and_post_only_items():
    family = v1("parent_family_friend").questions
    assert family.get(code="F2.1").kinds == ["pre"]  # reasons for a family friend
    assert family.get(code="F26").kinds == ["follow_up", "post"]  # benefit
    assert family.get(code="F4").kinds == ["pre", "follow_up", "post"]
    job = v1("parent_job_mentor").questions
    assert job.get(code="J2.1").kinds == ["pre"]  # expectations
    assert job.get(code="J15").kinds == ["follow_up", "post"]  # in work now
    education = v1("parent_education_mentor").questions
    assert education.get(code="E2").kinds == ["pre"]
    assert education.get(code="E14").kinds == ["follow_up", "post"]


def test_swemwbs_has_seven_items_in_the_family_friend_parent_questionnaire():
    items = Question.objects.filter(instrument=Instrument.SWEMWBS)
    assert {q.questionnaire.code for q in items} == {"parent_family_friend"}
    assert sorted(q.instrument_item for q in items) == list(range(1, 8))
    first = items.get(instrument_item=1)
    assert first.text_da == "Jeg har følt mig optimistisk i forhold til fremtiden"
    for question in items:
        assert question.answer_type == AnswerType.CHOICE
        assert [c["value"] for c in question.choices] == ["1", "2", "3", "4", "5"]
        assert question.choices[0]["da"] == "På intet tidspunkt"
        assert question.choices[4]["da"] == "Hele tiden"
        assert {"pre", "post"} <= set(question.kinds)


def test_pss_has_eighteen_items_in_their_subscales():
    items = Question.objects.filter(instrument__in=[Instrument.PSS_PS, Instrument.PSS_LPS])
    assert {q.questionnaire.code for q in items} == {"parent_family_friend"}
    assert sorted(q.instrument_item for q in items) == list(range(1, 19))
    ps = {q.instrument_item for q in items if q.instrument == Instrument.PSS_PS}
    lps = {q.instrument_item for q in items if q.instrument == Instrument.PSS_LPS}
    # Item 11 (financial burden) belongs to PS, item 2 to LPS; both are asked, not scored.
    assert ps == PSS_PS_ITEMS | {11}
    assert lps == PSS_LPS_ITEMS | {2}
    assert {2, 11} == PSS_DROPPED
    for question in items:
        assert [c["value"] for c in question.choices] == ["1", "2", "3", "4", "5"]
        assert question.choices[0]["da"] == "Meget uenig"
        assert question.choices[2]["da"] == "Hverken uenig eller enig"
        assert question.choices[4]["da"] == "Meget enig"


def test_bip_and_parallel_items_are_in_the_mentor_questionnaires():
    job = v1("parent_job_mentor").questions
    assert (job.get(code="J4").scale_min, job.get(code="J4").scale_max) == (0, 10)
    assert job.get(code="J9").answer_type == AnswerType.SCALE
    assert {"J5", "J6", "J7", "J8"} <= set(job.values_list("code", flat=True))
    education = v1("parent_education_mentor").questions
    assert education.get(code="E5").text_da.startswith("Ved du, hvad der skal til")
    assert {"E6", "E7", "E8", "E9"} <= set(education.values_list("code", flat=True))


def test_every_parent_questionnaire_asks_for_interview_consent():
    for code in ("parent_family_friend", "parent_job_mentor", "parent_education_mentor"):
        consent = [q for q in v1(code).questions.all() if "interview" in q.text_en]
        assert len(consent) == 1, code
        assert [c["value"] for c in consent[0].choices] == ["yes", "no"]
        assert set(consent[0].kinds) == PARENT_FORMS


def test_the_database_holds_exactly_the_frozen_file():
    content = json.loads((DATA / "questionnaires_v1.json").read_text(encoding="utf-8"))
    shared = content["choice_sets"]
    for item in content["questionnaires"]:
        questionnaire = v1(item["code"])
        assert questionnaire.title_da == item["title_da"]
        rows = list(questionnaire.questions.all())
        assert [q.code for q in rows] == [q["code"] for q in item["questions"]]
        for row, frozen in zip(rows, item["questions"], strict=True):
            choices = frozen.get("choices", [])
            assert row.text_da == frozen["text_da"] and row.text_en == frozen["text_en"]
            assert row.choices == (shared[choices] if isinstance(choices, str) else choices)
            assert row.kinds == frozen["kinds"]
            assert frozen["wording"] in {"printed", "written"}


# --- Versions --------------------------------------------------------------------------


def test_new_version_copies_every_question_into_a_draft():
    original = v1("parent_family_friend")
    draft = new_version(original)
    assert (draft.code, draft.version, draft.published_at) == (original.code, 2, None)
    fields = ["position", "code", "kinds", "text_da", "text_en", "answer_type", "choices"]
    fields += ["scale_min", "scale_max", "instrument", "instrument_item"]
    assert list(draft.questions.values_list(*fields)) == list(
        original.questions.values_list(*fields)
    )
    assert not set(draft.questions.values_list("pk", flat=True)) & set(
        original.questions.values_list("pk", flat=True)
    )
    # Until it is published, new invitations keep using version 1.
    assert current_questionnaire(Respondent.PARENT, Programme.FAMILY_FRIEND) == original


def test_answers_to_v1_keep_their_meaning_when_v2_changes():
    original = v1("parent_family_friend")
    response = Response.objects.create(invitation=invite(original))
    question = original.questions.get(code="F26")
    Answer.objects.create(response=response, question=question, value="high")

    draft = new_version(original)
    changed = draft.questions.get(code="F26")
    changed.text_da = "Hvor meget har du fået ud af at have en familieven?"
    changed.choices = changed.choices[:3]
    changed.save()
    publish(draft)

    answer = Answer.objects.select_related("question__questionnaire").get(response=response)
    assert answer.question.questionnaire == original
    assert answer.question.text_da == question.text_da
    assert "high" in [c["value"] for c in answer.question.choices]
    assert len(answer.question.choices) == 6


def test_publishing_v2_makes_it_current_for_new_invitations():
    original = v1("volunteer_job_mentor")
    sent = invite(original, kind=SurveyKind.VOLUNTEER)
    draft = new_version(original)
    assert current_questionnaire(Respondent.VOLUNTEER, Programme.JOB_MENTOR) == original
    publish(draft)
    assert current_questionnaire(Respondent.VOLUNTEER, Programme.JOB_MENTOR) == draft
    sent.refresh_from_db()
    assert sent.questionnaire == original


def test_only_one_draft_at_a_time():
    original = v1("parent_job_mentor")
    new_version(original)
    with pytest.raises(SurveyError):
        new_version(original)
    assert Questionnaire.objects.filter(code=original.code).count() == 2


def test_publish_refuses_a_version_without_questions():
    empty = Questionnaire.objects.create(
        code="parent_workplace_mentor",
        respondent=Respondent.PARENT,
        programme=Programme.WORKPLACE_MENTOR,
        title_da="Skema",
        title_en="Form",
    )
    with pytest.raises(SurveyError):
        publish(empty)
    empty.refresh_from_db()
    assert empty.published_at is None


def test_publish_refuses_a_question_that_cannot_be_asked():
    draft = new_version(v1("parent_education_mentor"))
    draft.questions.filter(code="E5").update(scale_min=10, scale_max=0)
    with pytest.raises(SurveyError, match="E5"):
        publish(draft)
    draft.refresh_from_db()
    assert draft.published_at is None


def test_publish_refuses_twice():
    with pytest.raises(SurveyError):
        publish(v1("parent_family_friend"))


def test_a_published_version_is_not_editable():
    with pytest.raises(SurveyError):
        ensure_editable(v1("parent_family_friend"))
    ensure_editable(new_version(v1("parent_family_friend")))


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"text_en": " "}, "English"),
        ({"choices": []}, "choices"),
        ({"choices": [{"value": "a", "da": "A"}]}, '"en"'),
        ({"choices": [{"value": "a", "da": "A", "en": "A"}] * 2}, "twice"),
        ({"answer_type": AnswerType.SCALE, "choices": []}, "scale"),
        ({"kinds": ["volunteer"]}, "volunteer"),
        ({"kinds": ["later"]}, "forms"),
        ({"instrument": Instrument.SWEMWBS}, "instrument"),
    ],
)
def test_question_problems(change, problem):
    question = v1("parent_family_friend").questions.get(code="F26")
    for name, value in change.items():
        setattr(question, name, value)
    with translation.override("en"):
        problems = question_problems(question, Respondent.PARENT)
    assert problems and any(problem in p for p in problems), problems


# --- The admin -------------------------------------------------------------------------


@pytest.fixture
def admin_client(client):
    return login(client, UserFactory(role=Role.ADMIN))


def change_url(questionnaire):
    return reverse("admin:surveys_questionnaire_change", args=[questionnaire.pk])


def test_admin_shows_a_published_version_read_only(admin_client):
    questionnaire = v1("parent_family_friend")
    response = admin_client.get(change_url(questionnaire))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Jeg har følt mig nyttig" in body
    assert 'name="questions-0-text_da"' not in body
    assert 'name="title_da"' not in body


def test_admin_refuses_editing_a_published_version(admin_client):
    questionnaire = v1("parent_family_friend")
    response = admin_client.post(
        change_url(questionnaire), {"title_da": "Ændret", "questions-TOTAL_FORMS": "0"}
    )
    assert response.status_code == 403
    questionnaire.refresh_from_db()
    assert questionnaire.title_da == "Før- og efterskema til forældre med familieven"


def test_admin_does_not_delete_a_published_version(admin_client):
    questionnaire = v1("volunteer_education_mentor")
    url = reverse("admin:surveys_questionnaire_delete", args=[questionnaire.pk])
    assert admin_client.get(url).status_code == 302
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert Questionnaire.objects.filter(pk=questionnaire.pk).exists()


def test_admin_list_shows_every_version(admin_client, django_assert_max_num_queries):
    new_version(v1("parent_job_mentor"))
    with django_assert_max_num_queries(15):
        response = admin_client.get(reverse("admin:surveys_questionnaire_changelist"))
    assert response.status_code == 200
    assert response.content.decode().count("parent_job_mentor") >= 2


def test_admin_copy_action_makes_a_draft(admin_client):
    questionnaire = v1("volunteer_family_friend")
    response = admin_client.post(
        reverse("admin:surveys_questionnaire_changelist"),
        {"action": "copy_as_new_draft", "_selected_action": [questionnaire.pk]},
    )
    assert response.status_code == 302
    draft = Questionnaire.objects.get(code=questionnaire.code, version=2)
    assert draft.published_at is None
    assert draft.questions.count() == questionnaire.questions.count()
    # The draft's page is a form.
    body = admin_client.get(change_url(draft)).content.decode()
    assert 'name="questions-0-text_da"' in body


def _draft_with_one_question():
    draft = Questionnaire.objects.create(
        code="volunteer_workplace_mentor",
        respondent=Respondent.VOLUNTEER,
        programme=Programme.WORKPLACE_MENTOR,
        title_da="Skema til erhvervsmentorer",
        title_en="Form for workplace mentors",
    )
    question = Question.objects.create(
        questionnaire=draft,
        position=1,
        code="W1",
        kinds=["volunteer"],
        text_da="Har du haft gavn af mentorkurset?",
        text_en="Was the mentor course useful to you?",
        answer_type=AnswerType.CHOICE,
        choices=[
            {"value": "yes", "da": "Ja", "en": "Yes"},
            {"value": "no", "da": "Nej", "en": "No"},
        ],
    )
    return draft, question


def _post_data(draft, question, **changes):
    row = {
        "position": "1",
        "code": question.code,
        "kinds": json.dumps(question.kinds),
        "text_da": question.text_da,
        "text_en": question.text_en,
        "answer_type": question.answer_type,
        "choices": json.dumps(question.choices),
        "scale_min": "",
        "scale_max": "",
        "instrument": "",
        "instrument_item": "",
    } | changes
    data = {
        "respondent": draft.respondent,
        "programme": draft.programme,
        "title_da": draft.title_da,
        "title_en": draft.title_en,
        "intro_da": "",
        "intro_en": "",
        "questions-TOTAL_FORMS": "1",
        "questions-INITIAL_FORMS": "1",
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "1000",
        "questions-0-id": str(question.pk),
        "questions-0-questionnaire": str(draft.pk),
    }
    data.update({f"questions-0-{name}": value for name, value in row.items()})
    return data


def test_admin_edits_a_draft_and_checks_its_questions(admin_client):
    draft, question = _draft_with_one_question()
    bad = _post_data(draft, question, choices=json.dumps([{"value": "yes", "da": "Ja"}]))
    response = admin_client.post(change_url(draft), bad)
    assert response.status_code == 200  # the form again, with the problem
    assert "errorlist" in response.content.decode()
    question.refresh_from_db()
    assert len(question.choices) == 2

    good = _post_data(draft, question, text_da="Har du kunnet bruge mentorkurset?")
    response = admin_client.post(change_url(draft), good)
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.text_da == "Har du kunnet bruge mentorkurset?"


def test_admin_publish_action(admin_client):
    draft, _question = _draft_with_one_question()
    empty = Questionnaire.objects.create(
        code="parent_workplace_mentor",
        respondent=Respondent.PARENT,
        programme=Programme.WORKPLACE_MENTOR,
        title_da="Skema",
        title_en="Form",
    )
    response = admin_client.post(
        reverse("admin:surveys_questionnaire_changelist"),
        {"action": "publish_draft", "_selected_action": [draft.pk, empty.pk]},
        follow=True,
    )
    assert response.status_code == 200
    draft.refresh_from_db()
    empty.refresh_from_db()
    assert draft.published_at is not None
    assert empty.published_at is None
    assert current_questionnaire(Respondent.VOLUNTEER, Programme.WORKPLACE_MENTOR) == draft
