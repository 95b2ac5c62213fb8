"""The public survey page (by token) and staff's paper entry, driven with hostile answers
(hypothesis): long and control-character text, markup, wrong types (text for a scale,
a list for one choice), missing fields, tampered question ids and choice values, and
tampered or garbage tokens.

Per example: never a 500; every Answer row afterwards holds a value its question
allows (a choice of the question, a scale point in range, text within the limit; never
a question the invitation does not ask); an answer posted invalid leaves what was saved
for its question unchanged; markup comes back escaped. The valid answers of a post are
kept even when others are invalid (the page's promise: nothing typed is lost), so the
check is per answer, not per post. Each example runs in a savepoint rolled back.
"""

import pytest
from django.db import transaction
from django.http import QueryDict
from django.test import Client
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from surveys.answers import TEXT_MAX_CHARS
from surveys.models import Answer, AnswerType, Response
from tests.conftest import login
from tests.hostile import SURVEY_EXAMPLES, UNESCAPED, examples, has_markup, hostile_value
from tests.test_respond import PRE, consenting_match, invite, make_questionnaire

pytestmark = pytest.mark.django_db

ALLOWED_STATUS = {200, 302, 400, 404, 429}


def _allowed(question, value):
    """Whether ``value`` (an Answer's stored value) is one the question allows."""
    kind = question.answer_type
    values = {choice["value"] for choice in question.choices}
    if kind == AnswerType.CHOICE:
        return value in values
    if kind == AnswerType.MULTI:
        return isinstance(value, list) and value and set(value) <= values
    if kind == AnswerType.SCALE:
        return (
            isinstance(value, int)
            and not isinstance(value, bool)
            and question.scale_min <= value <= question.scale_max
        )
    return isinstance(value, str) and 0 < len(value) <= TEXT_MAX_CHARS and "\x00" not in value


def as_post(data):
    """The data as the view reads it: a repeated field's last value for a single one."""
    post = QueryDict(mutable=True)
    for key, value in data.items():
        post.setlist(key, value if isinstance(value, list) else [value])
    return post


def _answers(invitation):
    return {
        answer.question_id: answer.value
        for answer in Answer.objects.filter(response__invitation=invitation)
    }


def answer_values(questions):
    """Per question: one of its own values (valid), a tampered one, or hostile input."""
    by_question = {}
    for question in questions:
        own = [str(c["value"]) for c in question.choices]
        if question.answer_type == AnswerType.SCALE:
            own = [str(p) for p in range(question.scale_min, question.scale_max + 1)]
        tampered = ["0", "-1", "11", "99999999999999999999", "1.5", "ja", "", " 1"]
        valid = st.sampled_from(own) if own else st.text(max_size=200)
        if question.answer_type == AnswerType.MULTI and own:
            valid = st.lists(st.sampled_from(own), max_size=len(own) + 1)
        by_question[f"q{question.pk}"] = st.one_of(
            valid, valid, st.sampled_from(tampered), hostile_value
        )
    by_question["action"] = st.sampled_from(["save", "submit", "", "delete", "submit "])
    # Question ids the invitation does not ask, and names that only look like ids.
    strange = st.sampled_from(["q0", "q-1", "q999999999", "qabc", "q", "q1.0", "Q1"])
    return st.tuples(
        st.fixed_dictionaries({}, optional=by_question),
        st.dictionaries(strange, hostile_value, max_size=3),
    ).map(lambda pair: {**pair[1], **pair[0]})


def check_post(client, url, invitation, questions, data):
    from surveys.respond_forms import AnswerForm

    asked = {q.pk: q for q in questions}
    with transaction.atomic():
        before = _answers(invitation)
        responses_before = Response.objects.count()
        response = client.post(url, data)
        assert response.status_code in ALLOWED_STATUS, response.status_code
        after = _answers(invitation)
        for question_id, value in after.items():
            assert question_id in asked, "an answer to a question not asked"
            assert _allowed(asked[question_id], value), (question_id, value)
        # An answer posted invalid leaves its question as it was.
        form = AnswerForm(as_post(data), questions=questions, language="da")
        form.is_valid()
        for name in form.errors:
            if name.startswith("q") and name[1:].isdigit():
                assert after.get(int(name[1:])) == before.get(int(name[1:])), name
        assert Response.objects.count() - responses_before in (0, 1)
        if has_markup(data) and response.status_code in (200, 400):
            text = response.content.decode()
            assert not any(marker in text for marker in UNESCAPED)
        transaction.set_rollback(True)
    return response.status_code


@pytest.fixture
def open_invitation(db):
    questionnaire = make_questionnaire()
    match, parent = consenting_match()
    invitation, token = invite(questionnaire, PRE, match=match, parent=parent)
    from surveys import answers

    return invitation, token, answers.asked_questions(invitation)


def test_hostile_answers_on_the_public_page(open_invitation):
    invitation, token, questions = open_invitation
    client = Client()
    url = reverse("survey_respond", kwargs={"token": token})
    statuses = []

    @settings(max_examples=examples(SURVEY_EXAMPLES))
    @given(data=answer_values(questions))
    def run(data):
        statuses.append(check_post(client, url, invitation, questions, data))

    run()
    # The page answered: a redirect after saving or sending, the page again otherwise.
    assert {200, 302} & set(statuses), statuses


def test_hostile_answers_keyed_in_from_paper(open_invitation, world):
    invitation, _token, questions = open_invitation
    client = login(Client(), world.users["central"])
    url = reverse("survey_paper_entry", kwargs={"pk": invitation.pk})
    assert client.get(url).status_code == 200
    statuses = []

    @settings(max_examples=examples(SURVEY_EXAMPLES // 3))
    @given(data=answer_values(questions))
    def run(data):
        statuses.append(check_post(client, url, invitation, questions, data))

    run()
    assert {200, 302} & set(statuses), statuses


TOKENS = st.one_of(
    st.text(min_size=1, max_size=60).filter(lambda t: "/" not in t and t not in (".", "..")),
    st.sampled_from(
        ["%00", "..%2f..%2fetc%2fpasswd", "<script>", "' OR 1=1 --", "a" * 5000, "😀" * 40]
    ),
)


@settings(max_examples=examples(SURVEY_EXAMPLES // 2))
@given(token=TOKENS, data=st.dictionaries(st.text(max_size=10), hostile_value, max_size=4))
def test_a_garbage_token_gets_the_closed_page(db, token, data):
    """Any token that is not a live invitation's: the same 404 page, nothing saved."""
    from urllib.parse import quote

    before = (Response.objects.count(), Answer.objects.count())
    for path in (f"/s/{quote(token, safe='')}/", f"/s/{quote(token, safe='')}/afmeld/"):
        response = Client().post(path, data)
        assert response.status_code in (301, 302, 404, 429), response.status_code
    assert (Response.objects.count(), Answer.objects.count()) == before


def test_opting_out_with_hostile_fields_is_one_clear_step(open_invitation):
    invitation, token, _questions = open_invitation
    url = reverse("survey_opt_out", kwargs={"token": token})

    @settings(max_examples=examples(20))
    @given(data=st.dictionaries(st.text(max_size=10), hostile_value, max_size=4))
    def run(data):
        with transaction.atomic():
            response = Client().post(url, data)
            assert response.status_code in (200, 429)
            transaction.set_rollback(True)

    run()
