"""The outcome report per programme (issue 7 item 1; DOMAIN.md §27, §28, §16): N, the
distributions before and after, the change, suppression under 5 respondents, only the
latest after-form, the score means, the post-only items, the SVG chart, the page for each
allowed role, and a fixed number of queries.

The answers are hand-built on the real questionnaires of migration 0002 (version 1), so
every number below can be counted by hand from the fixtures' docstrings."""

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import count

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from familien.models import ConsentState, Programme
from surveys.measures import BY_KEY, MEASURES, measures_for
from surveys.models import Answer, Invitation, Respondent, Response, SurveyKind
from surveys.outcome_report import outcome_report, outcome_reports
from surveys.services import current_questionnaire
from surveys.tokens import hash_token, new_salt, token_for
from tests.conftest import login
from tests.factories import FamilyFactory, MatchFactory, ParentFactory

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"
_serial = count()


def when(month, day=1):
    return timezone.make_aware(datetime(2027, month, day, 12))


def answer(match, kind, values, *, parent=None, submitted=None, **scores):
    """One submitted response of a (new) parent of ``match``'s family to the programme's
    real parent questionnaire: ``values`` {question code: value}; ``scores`` set the
    Response's score fields as surveys.scoring would have."""
    questionnaire = current_questionnaire(Respondent.PARENT, match.programme)
    parent = parent or ParentFactory(family=match.family, first_name=f"P{next(_serial)}")
    salt = new_salt()
    invitation = Invitation.objects.create(
        questionnaire=questionnaire,
        kind=kind,
        match=match,
        parent=parent,
        token_salt=salt,
        token_hash=hash_token(token_for(salt)),
        status=Invitation.Status.ANSWERED,
    )
    response = Response.objects.create(
        invitation=invitation, submitted_at=submitted or when(3), complete=False, **scores
    )
    questions = {q.code: q for q in questionnaire.questions.filter(code__in=values)}
    Answer.objects.bulk_create(
        Answer(response=response, question=questions[code], value=value)
        for code, value in values.items()
    )
    return response


def many(match, kind, code, spread, **kw):
    """``spread`` {value: how many}: that many respondents answering ``code`` so."""
    for value, times in spread.items():
        for _ in range(times):
            answer(match, kind, {code: value}, **kw)


def family_match(branch, programme=Programme.FAMILY_FRIEND):
    return MatchFactory(
        family=FamilyFactory(branch=branch, evaluation_consent=ConsentState.GIVEN),
        programme=programme,
    )


def parse_svg(svg):
    """Our own chart, parsed to prove it is well-formed XML."""
    return ET.fromstring(svg)  # noqa: S314 — built by us from numbers and escaped labels


def result_of(results, key):
    return next(result for result in results if result.key == key)


@pytest.fixture
def family_friend(world):
    """Family friend, all in branch A:

    F16 (mealtime rules) before, 10 respondents: always 3, often 2, sometimes 2, rarely 1,
      never 1, don't know 1 → 30/20/20/10/10/10 %, always/often 50 %.
    F16 after, 8 respondents: always 3, often 3, sometimes 1, never 1 → 38/38/13/0/13/0 %,
      always/often 6 of 8 = 75 %; change +25 points. One more parent answered a follow-up
      survey ("never") and later the post survey ("always"): only the post counts, and it
      is one of the 3 "always".
    F6 (partner conflicts): 5 before (2 several times a day, 3 almost never) and 2 more
      "no partner", left out of N; 5 after, all "almost never".
    F4 (life satisfaction): 4 before, 6 after → suppressed.
    SWEMWBS metric before 18.59, 20.73, 21.54, 22.35, 19.98 → 20.638 → 20.6 (and one
      response without a score, not counted); after 21.54, 22.35, 20.73, 23.21, 19.98 →
      21.562 → 21.6; change +1.0.
    """
    match = family_match(world.branch_a)
    many(match, SurveyKind.PRE, "F16", {"always": 3, "often": 2, "sometimes": 2})
    many(match, SurveyKind.PRE, "F16", {"rarely": 1, "never": 1, "dont_know": 1})
    many(match, SurveyKind.POST, "F16", {"always": 2, "often": 3, "sometimes": 1, "never": 1})
    twice = ParentFactory(family=match.family, first_name="Twice")
    answer(match, SurveyKind.FOLLOW_UP, {"F16": "never"}, parent=twice, submitted=when(2))
    answer(match, SurveyKind.POST, {"F16": "always"}, parent=twice, submitted=when(5))
    many(match, SurveyKind.PRE, "F6", {"several_daily": 2, "almost_never": 3, "no_partner": 2})
    many(match, SurveyKind.POST, "F6", {"almost_never": 5})
    many(match, SurveyKind.PRE, "F4", {"satisfied": 4})
    many(match, SurveyKind.POST, "F4", {"satisfied": 6})
    for metric in ("18.59", "20.73", "21.54", "22.35", "19.98"):
        answer(match, SurveyKind.PRE, {}, swemwbs_metric=Decimal(metric), pss_ps=5, pss_lps=1)
    answer(match, SurveyKind.PRE, {})
    for metric in ("21.54", "22.35", "20.73", "23.21", "19.98"):
        answer(match, SurveyKind.POST, {}, swemwbs_metric=Decimal(metric), pss_ps=4, pss_lps=2)
    return world


@pytest.fixture
def mentors(world):
    """Job mentor (branch B), 12 post answers to J15: permanent 3, fixed-term 1, other
    work 1 → in work 5 of 12 = 42 %; in education 1 (8 %), no 6 (50 %).
    J18 (applications out) from the 7 not in work: [full_time] 2, [full_time, part_time]
    1, [part_time] 1, [internship, education] 1, [none] 2 → full-time 3 of 7 = 43 %,
    other applications only 2 of 7 = 29 %, none 29 %. One parent in work also ticked
    full-time: not counted.
    Education mentor (branch B), 50 post answers to E14: still 35, completed 11,
    stopped 4 → 70 / 22 / 8 %.
    """
    job = family_match(world.branch_b, Programme.JOB_MENTOR)
    for work, applications in [
        ("permanent", ["full_time"]),
        ("permanent", None),
        ("permanent", None),
        ("fixed_term", None),
        ("other_work", None),
        ("education", ["internship", "education"]),
        ("no", ["full_time"]),
        ("no", ["full_time"]),
        ("no", ["full_time", "part_time"]),
        ("no", ["part_time"]),
        ("no", ["none"]),
        ("no", ["none"]),
    ]:
        values = {"J15": work}
        if applications:
            values["J18"] = applications
        answer(job, SurveyKind.POST, values)
    education = family_match(world.branch_b, Programme.EDUCATION_MENTOR)
    many(education, SurveyKind.POST, "E14", {"still": 35, "completed": 11, "stopped": 4})
    return world


def test_every_measure_reads_items_of_its_programme_questionnaire():
    for programme in (Programme.FAMILY_FRIEND, Programme.JOB_MENTOR, Programme.EDUCATION_MENTOR):
        questionnaire = current_questionnaire(Respondent.PARENT, programme)
        questions = {q.code: q for q in questionnaire.questions.all()}
        for measure in measures_for(programme):
            for code in measure.codes:
                assert code in questions, (measure.key, code)
            question = questions[measure.codes[0]]
            if measure.post_only:
                assert "pre" not in question.kinds, measure.key
            else:
                assert {"pre", "post"} <= set(question.kinds), measure.key
            choices = {choice["value"] for choice in question.choices}
            for group in measure.groups if measure.kind in ("choice", "multi") else ():
                assert set(group.values) <= choices, (measure.key, group)
            assert set(measure.excluded) <= choices
    assert len({m.key for m in MEASURES}) == len(MEASURES)


def test_distributions_percentages_and_change_counted_by_hand(family_friend):
    with translation.override("da"):
        meals = result_of(outcome_report(Programme.FAMILY_FRIEND), "ff_routine_meals")
    assert (meals.n_before, meals.n_after) == (10, 8)
    assert meals.before == [
        ("Altid", 3, 30),
        ("Ofte", 2, 20),
        ("Nogle gange", 2, 20),
        ("Sjældent", 1, 10),
        ("Aldrig", 1, 10),
        ("Ved ikke/ikke relevant", 1, 10),
    ]
    assert meals.after == [
        ("Altid", 3, 38),
        ("Ofte", 3, 38),
        ("Nogle gange", 1, 13),
        ("Sjældent", 0, 0),
        ("Aldrig", 1, 13),
        ("Ved ikke/ikke relevant", 0, 0),
    ]
    assert (meals.headline_label, meals.headline_before, meals.headline_after) == (
        "Altid / Ofte",
        50,
        75,
    )
    assert meals.change == 25 and meals.change_text == "+25"
    assert not meals.suppressed
    assert meals.question.startswith("Mit barn/mine børn overholder regler omkring måltiderne")
    assert [row.headline for row in meals.rows] == [True, True, False, False, False, False]


def test_only_the_latest_after_form_counts(family_friend):
    meals = result_of(outcome_report(Programme.FAMILY_FRIEND), "ff_routine_meals")
    # Nine after-forms answered F16, but the follow-up of the parent who later answered
    # the post survey does not count: 8, and its "never" is not among them.
    assert meals.n_after == 8
    assert [count for _label, count, _p in meals.after] == [3, 3, 1, 0, 1, 0]


def test_not_applicable_answers_are_left_out_of_n(family_friend):
    partner = result_of(outcome_report(Programme.FAMILY_FRIEND), "ff_conflict_partner")
    assert (partner.n_before, partner.n_after) == (5, 5)
    assert (partner.headline_before, partner.headline_after, partner.change) == (40, 0, -40)
    assert partner.change_text == "\u221240"


def test_fewer_than_five_on_a_side_is_suppressed(family_friend):
    results = outcome_report(Programme.FAMILY_FRIEND)
    life = result_of(results, "ff_life_satisfaction")
    assert life.suppressed
    assert (life.before, life.after, life.rows, life.svg, life.change) == ([], [], [], "", None)
    # Nobody answered the chores item: suppressed, N 0 on both sides.
    chores = result_of(results, "ff_routine_chores")
    assert chores.suppressed and (chores.n_before, chores.n_after) == (0, 0)


def test_swemwbs_and_pss_means_from_the_response_scores(family_friend):
    results = outcome_report(Programme.FAMILY_FRIEND)
    swemwbs = result_of(results, "ff_swemwbs")
    assert (swemwbs.n_before, swemwbs.n_after) == (5, 5)
    assert (swemwbs.mean_before, swemwbs.mean_after) == (Decimal("20.6"), Decimal("21.6"))
    assert swemwbs.mean_change == Decimal("1.0")
    ps = result_of(results, "ff_pss_ps")
    assert (ps.mean_before, ps.mean_after, ps.mean_change) == (
        Decimal("5.0"),
        Decimal("4.0"),
        Decimal("-1.0"),
    )
    with translation.override("da"):
        assert swemwbs.mean_change_text == "+1,0"
        svg = outcome_report(Programme.FAMILY_FRIEND)[0].svg
    assert "20,6" in svg and "21,6" in svg


def test_job_mentor_work_after_the_course_and_applications_out(mentors):
    with translation.override("da"):
        results = outcome_report(Programme.JOB_MENTOR)
    work = result_of(results, "jm_work_after")
    assert work.post_only and work.n_before is None and work.n_after == 12
    assert work.headline_after == 42
    assert work.after == [
        ("Ja, i fast stilling", 3, 25),
        ("Ja, i tidsbegrænset ansættelse / Ja, andet", 2, 17),
        ("Nej, men jeg er i gang med en uddannelse", 1, 8),
        ("Nej", 6, 50),
    ]
    assert work.before == [] and work.change is None
    applications = result_of(results, "jm_applications")
    assert applications.n_after == 7
    assert [(count, share) for _label, count, share in applications.after] == [
        (3, 43),
        (2, 29),
        (2, 29),
    ]
    # The chart has the after bar only.
    root = parse_svg(work.svg)
    labels = [text.text for text in root.iter(f"{SVG}text")]
    assert "Efter (N = 12)" in labels and not any(label.startswith("Før") for label in labels)


def test_education_mentor_status_70_22_8(mentors):
    status = result_of(outcome_report(Programme.EDUCATION_MENTOR), "em_status")
    assert status.n_after == 50
    assert [share for _label, _count, share in status.after] == [70, 22, 8]
    assert status.headline_after == 70


def test_the_svg_is_well_formed_and_carries_the_numbers(family_friend):
    with translation.override("da"):
        meals = result_of(outcome_report(Programme.FAMILY_FRIEND), "ff_routine_meals")
    root = parse_svg(meals.svg)
    assert root.tag == f"{SVG}svg"
    assert root.find(f"{SVG}title").text.startswith("Regler ved måltider")
    desc = root.find(f"{SVG}desc").text
    assert "Før (N = 10): Altid 30 %" in desc and "Efter (N = 8): Altid 38 %" in desc
    texts = [text.text for text in root.iter(f"{SVG}text")]
    assert {"30 %", "20 %", "38 %", "13 %"} <= set(texts)
    assert "Før (N = 10)" in texts and "Ved ikke/ikke relevant" in texts
    assert "script" not in meals.svg and "style=" not in meals.svg and "href" not in meals.svg


def test_labels_are_escaped_in_the_svg(family_friend):
    questionnaire = current_questionnaire(Respondent.PARENT, Programme.FAMILY_FRIEND)
    question = questionnaire.questions.get(code="F16")
    question.choices[0]["da"] = "Altid <b>&</b>"
    question.save()
    with translation.override("da"):
        meals = result_of(outcome_report(Programme.FAMILY_FRIEND), "ff_routine_meals")
    assert "<b>" not in meals.svg and "Altid &lt;b&gt;&amp;&lt;/b&gt;" in meals.svg
    parse_svg(meals.svg)


def test_english_labels_follow_the_active_language(family_friend):
    with translation.override("en"):
        meals = result_of(outcome_report(Programme.FAMILY_FRIEND), "ff_routine_meals")
    assert meals.before[0][0] == "Always"
    assert meals.question.startswith("My child/children keep the rules at mealtimes")
    assert "Before (N = 10)" in meals.svg


def test_a_scale_item_is_banded_and_averaged(world):
    """E5 before: 0, 5, 7, 9, 10, 10 → bands 0–5: 2, 6–9: 2, 10: 2 (33 % each), mean 41/6
    = 6.83 → 6.8; after: 10 ×3, 8 ×2 → 10: 60 %, mean 46/5 = 9.2."""
    match = family_match(world.branch_a, Programme.EDUCATION_MENTOR)
    for value in (0, 5, 7, 9, 10, 10):
        answer(match, SurveyKind.PRE, {"E5": value})
    for value in (10, 10, 10, 8, 8):
        answer(match, SurveyKind.POST, {"E5": value})
    result = result_of(outcome_report(Programme.EDUCATION_MENTOR), "em_knows_what_it_takes")
    assert result.before == [("0\u20135", 2, 33), ("6\u20139", 2, 33), ("10", 2, 33)]
    assert result.after == [("0\u20135", 0, 0), ("6\u20139", 2, 40), ("10", 3, 60)]
    assert (result.headline_before, result.headline_after, result.change) == (33, 60, 27)
    assert (result.mean_before, result.mean_after) == (Decimal("6.8"), Decimal("9.2"))
    assert result.mean_change == Decimal("2.4")


def test_the_responses_argument_narrows_the_report(family_friend):
    world = family_friend
    other = family_match(world.branch_b)
    many(other, SurveyKind.PRE, "F16", {"never": 5})
    everyone = result_of(outcome_report(Programme.FAMILY_FRIEND), "ff_routine_meals")
    assert everyone.n_before == 15
    only_a = Response.objects.filter(invitation__match__family__branch=world.branch_a)
    meals = result_of(outcome_report(Programme.FAMILY_FRIEND, responses=only_a), "ff_routine_meals")
    assert meals.n_before == 10


def test_an_unsubmitted_response_does_not_count(family_friend):
    world = family_friend
    match = family_match(world.branch_a)
    draft = answer(match, SurveyKind.PRE, {"F16": "never"})
    Response.objects.filter(pk=draft.pk).update(submitted_at=None)
    meals = result_of(outcome_report(Programme.FAMILY_FRIEND), "ff_routine_meals")
    assert meals.n_before == 10


def test_the_report_takes_three_queries_whatever_the_programmes(
    family_friend, mentors, django_assert_num_queries
):
    with django_assert_num_queries(3):
        reports = outcome_reports()
        assert set(reports) == {
            Programme.FAMILY_FRIEND,
            Programme.JOB_MENTOR,
            Programme.EDUCATION_MENTOR,
        }
        for results in reports.values():
            for result in results:
                result.svg  # noqa: B018 — built already, no lazy query


def test_the_page_shows_each_programme_in_danish(client, family_friend, mentors):
    login(client, family_friend.users["central"])
    response = client.get(reverse("survey_outcomes"))
    assert response.status_code == 200
    html = response.content.decode()
    meals = html[html.index('id="measure-ff_routine_meals"') :]
    meals = meals[: meals.index("</section>")]
    assert "Regler ved måltider" in meals
    assert "Før: N = 10" in meals and "Efter: N = 8" in meals
    assert "<svg" in meals and "38 %" in meals
    assert "Altid / Ofte: 50 % før og 75 % efter, en ændring på +25 procentpoint." in meals
    life = html[html.index('id="measure-ff_life_satisfaction"') :]
    life = life[: life.index("</section>")]
    assert "Færre end 5 svar" in life and "<svg" not in life
    assert 'id="outcomes-job_mentor"' in html and 'id="outcomes-education_mentor"' in html
    assert "42 % efter forløbet" in html
    # Counts only: nobody's name.
    assert "Twice" not in html and "Mette" not in html


@pytest.mark.parametrize("role", ["leader", "central", "admin", "evaluator"])
def test_the_page_renders_for_each_allowed_role(client, family_friend, mentors, role):
    login(client, family_friend.users[role])
    response = client.get(reverse("survey_outcomes"))
    assert response.status_code == 200
    reports = {s["programme"]: s["results"] for s in response.context["sections"]}
    meals = result_of(reports[Programme.FAMILY_FRIEND], "ff_routine_meals")
    assert meals.n_before == 10
    work = result_of(reports[Programme.JOB_MENTOR], "jm_work_after")
    # The job mentor's answers are in branch B: branch A's leader does not count them.
    assert work.n_after == (0 if role == "leader" else 12)


@pytest.mark.parametrize("role", ["followup", "volunteer"])
def test_other_roles_are_refused(client, world, role):
    login(client, world.users[role])
    assert client.get(reverse("survey_outcomes")).status_code == 403


def test_the_filters_narrow_by_programme_period_and_branch(client, family_friend, mentors):
    world = family_friend
    login(client, world.users["evaluator"])

    def n_after(key, section=Programme.FAMILY_FRIEND, **query):
        response = client.get(reverse("survey_outcomes"), query)
        assert response.status_code == 200
        assert not response.context["filters"].errors
        reports = {s["programme"]: s["results"] for s in response.context["sections"]}
        return result_of(reports[section], key).n_after, list(reports)

    assert n_after("ff_routine_meals") == (
        8,
        [Programme.FAMILY_FRIEND, Programme.JOB_MENTOR, Programme.EDUCATION_MENTOR],
    )
    assert n_after("jm_work_after", Programme.JOB_MENTOR, programme=Programme.JOB_MENTOR) == (
        12,
        [Programme.JOB_MENTOR],
    )
    # Everything was sent on 1 March 2027; "Twice" answered a follow-up survey on
    # 1 February and the post survey on 1 May: the latest within the period counts.
    assert n_after("ff_routine_meals", date_from="2027-04-01")[0] == 1
    assert n_after("ff_routine_meals", date_to="2027-02-28")[0] == 1
    assert n_after("ff_routine_meals", date_to="2027-03-31")[0] == 8
    assert n_after("ff_routine_meals", branch=world.branch_b.pk)[0] == 0
    assert n_after("jm_work_after", Programme.JOB_MENTOR, branch=world.branch_b.pk)[0] == 12


def test_a_period_that_ends_before_the_latest_form(client, family_friend):
    """Cut before the post survey of "Twice" (1 May): the period is a data cut-off, as
    the report's 1 May 2022, so their follow-up answer ("never", 1 February) is their
    latest within it and counts: 8 after-forms."""
    login(client, family_friend.users["central"])
    response = client.get(
        reverse("survey_outcomes"),
        {"programme": Programme.FAMILY_FRIEND, "date_to": "2027-04-30"},
    )
    meals = result_of(response.context["sections"][0]["results"], "ff_routine_meals")
    assert meals.n_after == 8
    assert [count for _label, count, _p in meals.after] == [2, 3, 1, 0, 2, 0]


@pytest.mark.parametrize(
    "query",
    [
        {"date_from": "not a date"},
        {"date_from": "2027-05-01", "date_to": "2027-04-01"},
        {"branch": "999999"},
        {"branch": "x"},
        {"programme": "chess_club"},
        {"programme": Programme.WORKPLACE_MENTOR},
    ],
)
def test_a_bad_filter_is_shown_and_left_out(client, family_friend, query):
    login(client, family_friend.users["central"])
    response = client.get(reverse("survey_outcomes"), query)
    assert response.status_code == 200
    assert response.context["filters"].errors
    assert 'class="invalid-feedback d-block"' in response.content.decode()
    assert len(response.context["sections"]) == 3


def test_a_leader_may_not_pick_another_branch(client, family_friend, mentors):
    world = family_friend
    login(client, world.users["leader"])
    response = client.get(reverse("survey_outcomes"), {"branch": world.branch_b.pk})
    assert response.context["filters"].errors
    assert list(response.context["filters"].fields["branch"].queryset) == [world.branch_a]
    meals = result_of(response.context["sections"][0]["results"], "ff_routine_meals")
    assert meals.n_before == 10


def test_measures_for_lists_the_question_codes():
    codes = {m.key: m.codes for m in measures_for(Programme.JOB_MENTOR)}
    assert codes["jm_work_after"] == ("J15",)
    assert codes["jm_applications"] == ("J18",)
    assert BY_KEY["em_status"].codes == ("E14",)
    assert measures_for(Programme.WORKPLACE_MENTOR) == []


@pytest.mark.parametrize("size", [1, 12])
def test_the_page_takes_a_fixed_number_of_queries(
    client, world, django_assert_max_num_queries, size
):
    match = family_match(world.branch_a)
    job = family_match(world.branch_a, Programme.JOB_MENTOR)
    for number in range(size * 5):
        answer(
            match,
            SurveyKind.PRE if number % 2 else SurveyKind.POST,
            {"F16": "always", "F6": "daily", "F4": "satisfied"},
            swemwbs_metric=Decimal("20.00"),
        )
        answer(job, SurveyKind.POST, {"J15": "no", "J18": ["full_time"]})
    for role in ("leader", "evaluator"):
        login(client, world.users[role])
        client.get(reverse("survey_outcomes"))
        with django_assert_max_num_queries(15) as captured:
            assert client.get(reverse("survey_outcomes")).status_code == 200
        assert len(captured.captured_queries) == PAGE_QUERIES.setdefault(
            role, len(captured.captured_queries)
        )


PAGE_QUERIES = {}


def test_the_change_is_signed_and_zero_unsigned(family_friend):
    world = family_friend
    match = family_match(world.branch_b)
    many(match, SurveyKind.PRE, "F17", {"yes": 5})
    many(match, SurveyKind.POST, "F17", {"yes": 5}, submitted=when(3) + timedelta(days=1))
    leisure = result_of(outcome_report(Programme.FAMILY_FRIEND), "ff_leisure_parent")
    assert leisure.change == 0 and leisure.change_text == "0"
