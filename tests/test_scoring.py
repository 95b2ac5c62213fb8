"""SWEMWBS and Parental Stress Scale scoring (issue 6 item 2; DOMAIN.md §26), checked
against examples computed by hand."""

from decimal import Decimal

import pytest

from familien.models import Programme
from surveys.models import Answer, Instrument, Invitation, Respondent, Response, SurveyKind
from surveys.scoring import (
    PSS_DROPPED,
    PSS_LPS_ITEMS,
    PSS_PS_ITEMS,
    SWEMWBS_METRIC,
    apply_scores,
    pss_scores,
    swemwbs_score,
)
from surveys.services import current_questionnaire
from surveys.tokens import hash_token, new_salt, token_for
from tests.factories import MatchFactory, ParentFactory

# --- SWEMWBS ---------------------------------------------------------------------------


def all_items(value):
    return dict.fromkeys(range(1, 8), value)


def test_swemwbs_all_threes_is_raw_21_and_metric_19_25():
    assert swemwbs_score(all_items(3)) == (21, Decimal("19.25"))


def test_swemwbs_ends_of_the_scale():
    assert swemwbs_score(all_items(5)) == (35, Decimal("35.00"))
    assert swemwbs_score(all_items(1)) == (7, Decimal("7.00"))


def test_swemwbs_a_mixed_set():
    # 4 + 3 + 2 + 5 + 4 + 3 + 3 = 24 → 21.54 in the conversion table.
    values = {1: 4, 2: 3, 3: 2, 4: 5, 5: 4, 6: 3, 7: 3}
    assert swemwbs_score(values) == (24, Decimal("21.54"))


def test_swemwbs_takes_the_choice_values_as_stored():
    # The questionnaire's choices are "1".."5"; a paper response may be keyed as numbers.
    values = {1: "2", 2: "2", 3: 2, 4: "2", 5: "2", 6: " 2", 7: "2"}
    assert swemwbs_score(values) == (14, Decimal("15.32"))


def test_swemwbs_is_undefined_when_an_item_is_missing():
    values = all_items(4)
    del values[6]
    assert swemwbs_score(values) == (None, None)
    assert swemwbs_score({}) == (None, None)


@pytest.mark.parametrize("bad", [0, 6, -1, "6", "", "often", None, True, 3.5, ["3"]])
def test_swemwbs_is_undefined_when_an_answer_is_out_of_range(bad):
    values = all_items(3)
    values[2] = bad
    assert swemwbs_score(values) == (None, None)


def test_swemwbs_ignores_items_beyond_seven():
    values = all_items(3) | {8: 5, 0: 5}
    assert swemwbs_score(values) == (21, Decimal("19.25"))


def test_swemwbs_table_covers_every_raw_sum_and_rises():
    assert sorted(SWEMWBS_METRIC) == list(range(7, 36))
    metrics = [SWEMWBS_METRIC[raw] for raw in range(7, 36)]
    assert metrics == sorted(metrics) and len(set(metrics)) == len(metrics)
    # Spot checks against DOMAIN.md §26.1.
    assert SWEMWBS_METRIC[8] == Decimal("9.51")
    assert SWEMWBS_METRIC[20] == Decimal("18.59")
    assert SWEMWBS_METRIC[34] == Decimal("32.55")


# --- Parental Stress Scale -------------------------------------------------------------

# A worked example with every item answered.
# PS (as answered; 1–2 → 0, 3–5 → 1):
#   3:4→1  4:5→1  9:1→0  10:3→1  12:2→0  13:2→0  14:1→0  15:3→1  16:2→0   = 4
# LPS (reversed r = 6 − raw; r 1–2 → 0, r 3–5 → 1):
#   1:5→r1→0  5:4→r2→0  6:3→r3→1  7:5→r1→0  8:2→r4→1  17:4→r2→0  18:1→r5→1  = 3
# Dropped: 2 and 11.
WORKED = {
    1: 5,
    2: 1,
    3: 4,
    4: 5,
    5: 4,
    6: 3,
    7: 5,
    8: 2,
    9: 1,
    10: 3,
    11: 5,
    12: 2,
    13: 2,
    14: 1,
    15: 3,
    16: 2,
    17: 4,
    18: 1,
}


def test_pss_worked_example():
    assert pss_scores(WORKED) == (4, 3)


def test_pss_subscales_are_as_the_report_lists_them():
    assert {3, 4, 9, 10, 12, 13, 14, 15, 16} == PSS_PS_ITEMS
    assert {1, 5, 6, 7, 8, 17, 18} == PSS_LPS_ITEMS
    assert {2, 11} == PSS_DROPPED
    assert set(range(1, 19)) == PSS_PS_ITEMS | PSS_LPS_ITEMS | PSS_DROPPED


@pytest.mark.parametrize("two", [1, 3, 5, None])
@pytest.mark.parametrize("eleven", [1, 3, 5, None])
def test_pss_dropped_items_do_not_count(two, eleven):
    values = dict(WORKED)
    for item, value in ((2, two), (11, eleven)):
        if value is None:
            del values[item]
        else:
            values[item] = value
    assert pss_scores(values) == (4, 3)


def test_pss_lps_is_reversed():
    # Strongly agreeing with "I enjoy my role as a parent" and the like is no stress.
    ps_neutral = dict.fromkeys(PSS_PS_ITEMS, 1)
    assert pss_scores(ps_neutral | dict.fromkeys(PSS_LPS_ITEMS, 5)) == (0, 0)
    assert pss_scores(ps_neutral | dict.fromkeys(PSS_LPS_ITEMS, 4)) == (0, 0)
    # Neither agreeing nor disagreeing, or disagreeing, counts as lacking satisfaction.
    assert pss_scores(ps_neutral | dict.fromkeys(PSS_LPS_ITEMS, 3)) == (0, 7)
    assert pss_scores(ps_neutral | dict.fromkeys(PSS_LPS_ITEMS, 1)) == (0, 7)


def test_pss_ps_is_dichotomised_as_answered():
    lps_neutral = dict.fromkeys(PSS_LPS_ITEMS, 5)
    assert pss_scores(lps_neutral | dict.fromkeys(PSS_PS_ITEMS, 2)) == (0, 0)
    assert pss_scores(lps_neutral | dict.fromkeys(PSS_PS_ITEMS, 3)) == (9, 0)
    assert pss_scores(lps_neutral | dict.fromkeys(PSS_PS_ITEMS, 5)) == (9, 0)


def test_pss_a_missing_item_leaves_only_its_subscale_empty():
    without_ps = {k: v for k, v in WORKED.items() if k != 13}
    assert pss_scores(without_ps) == (None, 3)
    without_lps = {k: v for k, v in WORKED.items() if k != 17}
    assert pss_scores(without_lps) == (4, None)
    assert pss_scores({}) == (None, None)


def test_pss_out_of_range_counts_as_missing():
    assert pss_scores(WORKED | {9: 0}) == (None, 3)
    assert pss_scores(WORKED | {1: "meget enig"}) == (4, None)


def test_pss_takes_the_choice_values_as_stored():
    as_text = {item: str(value) for item, value in WORKED.items()}
    assert pss_scores(as_text) == (4, 3)


# --- apply_scores on stored answers ----------------------------------------------------


def _response():
    match = MatchFactory(programme=Programme.FAMILY_FRIEND)
    parent = ParentFactory(family=match.family)
    salt = new_salt()
    invitation = Invitation.objects.create(
        questionnaire=current_questionnaire(Respondent.PARENT, Programme.FAMILY_FRIEND),
        kind=SurveyKind.PRE,
        match=match,
        parent=parent,
        token_salt=salt,
        token_hash=hash_token(token_for(salt)),
    )
    return Response.objects.create(invitation=invitation)


def _answer(response, values_by_instrument, extra=None):
    questions = response.invitation.questionnaire.questions.all()
    rows = []
    for question in questions:
        values = values_by_instrument.get(
            "pss" if question.instrument in (Instrument.PSS_PS, Instrument.PSS_LPS) else None
        )
        if question.instrument == Instrument.SWEMWBS:
            values = values_by_instrument.get("swemwbs")
        if values and question.instrument_item in values:
            rows.append(
                Answer(response=response, question=question, value=values[question.instrument_item])
            )
        elif extra and question.code in extra:
            rows.append(Answer(response=response, question=question, value=extra[question.code]))
    Answer.objects.bulk_create(rows)


@pytest.mark.django_db
def test_apply_scores_stores_the_four_scores(django_assert_num_queries):
    response = _response()
    _answer(
        response,
        {"swemwbs": {i: "3" for i in range(1, 8)}, "pss": {k: str(v) for k, v in WORKED.items()}},
        extra={"F4": "satisfied", "F2.1": ["finances", "other"], "F30": "Tak"},
    )
    with django_assert_num_queries(2):  # read the answers, save the scores
        apply_scores(response)
    response.refresh_from_db()
    assert (response.swemwbs_raw, response.swemwbs_metric) == (21, Decimal("19.25"))
    assert (response.pss_ps, response.pss_lps) == (4, 3)


@pytest.mark.django_db
def test_apply_scores_with_incomplete_answers_stores_none():
    response = _response()
    # Scores left from an earlier computation are replaced, not kept.
    Response.objects.filter(pk=response.pk).update(
        swemwbs_raw=30, swemwbs_metric=Decimal("27.03"), pss_ps=1, pss_lps=1
    )
    swemwbs = {i: "4" for i in range(1, 7)}  # item 7 unanswered
    pss = {k: str(v) for k, v in WORKED.items() if k != 17}  # one LPS item unanswered
    _answer(response, {"swemwbs": swemwbs, "pss": pss})
    apply_scores(response)
    response.refresh_from_db()
    assert (response.swemwbs_raw, response.swemwbs_metric) == (None, None)
    assert (response.pss_ps, response.pss_lps) == (4, None)


@pytest.mark.django_db
def test_apply_scores_on_a_questionnaire_without_instruments():
    match = MatchFactory(programme=Programme.JOB_MENTOR)
    salt = new_salt()
    invitation = Invitation.objects.create(
        questionnaire=current_questionnaire(Respondent.VOLUNTEER, Programme.JOB_MENTOR),
        kind=SurveyKind.VOLUNTEER,
        match=match,
        volunteer=match.volunteer,
        token_salt=salt,
        token_hash=hash_token(token_for(salt)),
    )
    response = Response.objects.create(invitation=invitation)
    question = invitation.questionnaire.questions.get(code="VJ7")
    Answer.objects.create(response=response, question=question, value="high")
    apply_scores(response)
    response.refresh_from_db()
    assert (response.swemwbs_raw, response.pss_ps, response.pss_lps) == (None, None, None)
