"""The report's figures from our data (issue 5 item 6): hours per month in the first and
the last three months (Figur 3.2's bands), the average match length in weeks and the
distribution of lengths, per programme, each in one query. The expected numbers are
worked out by hand below. The page keeps its figures in the cache, per scope, says when
they were computed and computes them again on request (issue 8)."""

from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from familien.models import Programme, Role
from followup import figures
from followup.tasks import warm_national_figures
from matching.models import Match
from tests.conftest import login
from tests.factories import (
    BranchFactory,
    CheckInFactory,
    FamilyFactory,
    MatchFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
URL = "/opfoelgning/tal/"


TODAY = date(2026, 11, 27)
FF = Programme.FAMILY_FRIEND


def closed(branch, start, length_days, programme=FF):
    return MatchFactory(
        family=FamilyFactory(branch=branch),
        programme=programme,
        status=Match.Status.CLOSED,
        started_on=start,
        ended_on=start + timedelta(days=length_days),
    )


def meet(match, on, minutes):
    CheckInFactory(match=match, met_on=on, minutes=minutes)


@pytest.fixture
def matches():
    """Family friends (windows of 91 days; 720 min = 4 h/month, 1440 min = 8 h/month):

    m1 closed after 140 days (20 weeks). First window [1.1.2025, 2.4.2025): 3 x 120 =
       360 min = 2 h/month -> up to 4. Last window (19.2., 21.5.2025]: 10.3. 120 + 15.4.
       600 + 21.5. (the end date itself) 600 = 1320 min = 7.3 h -> 5-8.
    m2 closed after 280 days (40 weeks). First: 3 x 600 = 1800 min = 10 h -> 9 or more.
       Last (9.7., 8.10.2025]: 9.7. is outside, 1.8. 720 = 4 h -> up to 4.
    m3 closed after 420 days (60 weeks). First: 721 min -> 5-8 (the 800 min on 31.8.2024
       = start + 91 days are outside the window). Last: nothing -> up to 4.
    m4 running, started 100 days ago: first 2 x 720 = 8 h -> 5-8; no last window.
    m5 running, started 50 days ago: not yet three months -> not counted.
    m6 closed after 60 days: too short for the hours, counted in the lengths.
    m9 closed after 210 days (30 weeks), no check-ins: up to 4 in both windows.
    A job mentor closed after 91 days, no check-ins: up to 4 in both; under 5 months.
    """
    branch = BranchFactory()
    m1 = closed(branch, date(2025, 1, 1), 140)
    for day, minutes in [((1, 10), 120), ((2, 10), 120), ((3, 10), 120)]:
        meet(m1, date(2025, *day), minutes)
    meet(m1, date(2025, 4, 15), 600)
    meet(m1, date(2025, 5, 21), 600)
    m2 = closed(branch, date(2025, 1, 1), 280)
    for month in (1, 2, 3):
        meet(m2, date(2025, month, 5), 600)
    meet(m2, date(2025, 7, 9), 600)
    meet(m2, date(2025, 8, 1), 720)
    m3 = closed(branch, date(2024, 6, 1), 420)
    meet(m3, date(2024, 6, 10), 721)
    meet(m3, date(2024, 8, 31), 800)  # inside, it would make 9 h or more
    m4 = MatchFactory(family=FamilyFactory(branch=branch), started_on=TODAY - timedelta(days=100))
    meet(m4, TODAY - timedelta(days=90), 720)
    meet(m4, TODAY - timedelta(days=20), 720)
    m5 = MatchFactory(family=FamilyFactory(branch=branch), started_on=TODAY - timedelta(days=50))
    meet(m5, TODAY - timedelta(days=10), 1440)
    closed(branch, date(2025, 3, 1), 60)
    closed(branch, date(2025, 2, 1), 210)
    closed(branch, date(2025, 2, 1), 91, programme=Programme.JOB_MENTOR)
    # Not started: never counted.
    MatchFactory(family=FamilyFactory(branch=branch), status=Match.Status.PROPOSED, started_on=None)
    return Match.objects.filter(family__branch=branch)


def bands(period):
    return [(b["band"], b["count"], b["percent"]) for b in period["bands"]]


def test_hours_per_month_in_the_first_and_last_three_months(matches, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = figures.hours_per_month(matches, today=TODAY)
    assert [row["programme"] for row in rows] == [FF, Programme.JOB_MENTOR]
    family_friends, job_mentors = rows
    assert family_friends["first"]["n"] == 5
    assert bands(family_friends["first"]) == [
        ("up_to_4", 2, 40),
        ("from_5_to_8", 2, 40),
        ("from_9", 1, 20),
    ]
    assert family_friends["last"]["n"] == 4
    assert bands(family_friends["last"]) == [
        ("up_to_4", 3, 75),
        ("from_5_to_8", 1, 25),
        ("from_9", 0, 0),
    ]
    assert bands(job_mentors["first"]) == [
        ("up_to_4", 1, 100),
        ("from_5_to_8", 0, 0),
        ("from_9", 0, 0),
    ]
    assert job_mentors["last"]["n"] == 1


def test_average_length_in_weeks_and_the_distribution(matches, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = figures.match_lengths(matches)
    family_friends, job_mentors = rows
    # 140 + 280 + 420 + 60 + 210 = 1110 days / 5 = 222 days = 31.7 weeks.
    assert family_friends["n"] == 5
    assert family_friends["average_weeks"] == 31.7
    assert family_friends["reference_weeks"] == 48.4
    assert [(b["band"], b["count"], b["percent"]) for b in family_friends["bands"]] == [
        ("under_5", 2, 40),  # 60 and 140 days
        ("from_5_to_8", 1, 20),  # 210 days
        ("from_9_to_12", 1, 20),  # 280 days
        ("over_12", 1, 20),  # 420 days
    ]
    assert job_mentors["n"] == 1
    assert job_mentors["average_weeks"] == 13.0
    assert job_mentors["reference_weeks"] is None
    assert job_mentors["bands"][0]["count"] == 1


def test_the_length_bands_cut_at_the_months_edges():
    branch = BranchFactory()
    for length in (152, 153, 273, 274, 365, 366):
        closed(branch, date(2025, 1, 1), length)
    (row,) = figures.match_lengths(Match.objects.filter(family__branch=branch))
    assert [b["count"] for b in row["bands"]] == [1, 2, 2, 1]


def test_whole_percentages_round_half_up():
    assert figures._percent(1, 8) == 13
    assert figures._percent(2, 3) == 67
    assert figures._percent(1, 3) == 33
    assert figures._percent(0, 0) is None


def test_no_matches_no_rows(django_assert_num_queries):
    with django_assert_num_queries(2):
        assert figures.hours_per_month(Match.objects.filter(pk=0), today=TODAY) == []
        assert figures.match_lengths(Match.objects.filter(pk=0)) == []


# --- the page -----------------------------------------------------------------------------


def test_the_page_shows_the_figures_beside_the_report(client, world):
    today = timezone.localdate()
    closed(world.branch_a, today - timedelta(days=350), 280)
    closed(world.branch_b, today - timedelta(days=400), 100)
    login(client, world.users["leader"])
    response = client.get("/opfoelgning/tal/")
    assert response.status_code == 200
    (lengths,) = response.context["lengths"]
    assert lengths["n"] == 1  # the leader's branch only
    assert lengths["average_weeks"] == 40.0
    html = response.content.decode()
    assert "40,0" in html and "48,4" in html
    assert "Timer pr. måned i de første og de sidste tre måneder" in html


def test_the_central_corps_sees_the_country_and_may_choose_a_branch(client, world):
    today = timezone.localdate()
    closed(world.branch_a, today - timedelta(days=350), 280)
    closed(world.branch_b, today - timedelta(days=400), 98)
    login(client, world.users["central"])
    (lengths,) = client.get("/opfoelgning/tal/").context["lengths"]
    assert lengths["n"] == 2
    (lengths,) = client.get("/opfoelgning/tal/", {"branch": world.branch_b.pk}).context["lengths"]
    assert (lengths["n"], lengths["average_weeks"]) == (1, 14.0)
    response = client.get("/opfoelgning/tal/", {"branch": "nonsense"})
    assert response.status_code == 200
    assert response.context["lengths"][0]["n"] == 2


@pytest.mark.parametrize("role", ["followup", "volunteer", "evaluator"])
def test_the_figures_are_not_for_other_roles(client, world, role):
    login(client, world.users[role])
    assert client.get("/opfoelgning/tal/").status_code == 403
    assert client.post("/opfoelgning/tal/").status_code == 403


def test_computing_again_is_a_post(client, world):
    login(client, world.users["central"])
    assert client.put("/opfoelgning/tal/").status_code == 405


# --- the cache ----------------------------------------------------------------------------


def lengths_n(response):
    return [row["n"] for row in response.context["lengths"]]


def test_the_page_keeps_its_figures_says_when_and_computes_again_on_request(client, world):
    today = timezone.localdate()
    closed(world.branch_a, today - timedelta(days=350), 280)
    login(client, world.users["central"])
    first = client.get(URL)
    assert lengths_n(first) == [1]
    computed_at = first.context["computed_at"]
    html = first.content.decode()
    # The time, and the form that computes again (the words are in the catalog).
    assert f"{timezone.localtime(computed_at):%H:%M}." in html
    assert 'method="post"' in html and "figures-computed" in html

    closed(world.branch_b, today - timedelta(days=400), 100)
    kept = client.get(URL)
    assert lengths_n(kept) == [1]  # from the cache: the new match is not counted yet
    assert kept.context["computed_at"] == computed_at

    response = client.post(f"{URL}?branch=", {})
    assert response.status_code == 302 and response["Location"] == f"{URL}?branch="
    assert lengths_n(client.get(URL)) == [2]


def test_each_scope_and_filter_has_its_own_figures(client, world):
    today = timezone.localdate()
    closed(world.branch_a, today - timedelta(days=350), 280)
    closed(world.branch_b, today - timedelta(days=400), 100)
    closed(world.branch_b, today - timedelta(days=400), 120)
    login(client, world.users["central"])
    assert lengths_n(client.get(URL)) == [3]
    assert lengths_n(client.get(URL, {"branch": world.branch_a.pk})) == [1]
    # A leader never reads the national figures, nor another branch's.
    login(client, world.users["leader"])
    assert lengths_n(client.get(URL)) == [1]
    login(client, world.users["leader_other"])
    assert lengths_n(client.get(URL)) == [2]
    # Two leaders of the same branch count the same matches, so they share the entry.
    colleague = UserFactory(role=Role.LEADER, branches=[world.branch_b])
    closed(world.branch_b, today - timedelta(days=500), 130)
    login(client, colleague)
    assert lengths_n(client.get(URL)) == [2]


def test_the_key_holds_role_branches_filter_and_day_and_nothing_readable():
    day = date(2026, 11, 27)
    keys = {
        figures.figures_key("central:all", today=day),
        figures.figures_key("admin:all", today=day),
        figures.figures_key("leader:1,2", today=day),
        figures.figures_key("leader:1", today=day),
        figures.figures_key("central:all", branch_pk=1, today=day),
        figures.figures_key("central:all", today=day + timedelta(days=1)),
    }
    assert len(keys) == 6
    assert all(key.startswith("followup:figures:") and "leader" not in key for key in keys)


def test_the_warm_up_task_computes_the_national_page_ahead(client, world):
    today = timezone.localdate()
    closed(world.branch_a, today - timedelta(days=350), 280)
    warm_national_figures()
    warm_national_figures()  # a second run stores the same figures again
    login(client, world.users["admin"])
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL)
    assert lengths_n(response) == [1]
    assert not any('"matching_match"' in query["sql"] for query in captured)
    login(client, world.users["central"])
    assert lengths_n(client.get(URL)) == [1]


def build_matches(branch, count):
    """``count`` closed matches of 20 weeks in ``branch``, each with two check-ins."""
    today = timezone.localdate()
    for _ in range(count):
        match = closed(branch, today - timedelta(days=300), 140)
        meet(match, match.started_on + timedelta(days=7), 120)
        meet(match, match.ended_on, 90)


@pytest.mark.parametrize("role", ["leader", "central"])
def test_the_page_costs_the_same_at_3_and_30_matches(client, world, role):
    login(client, world.users[role])

    def queries(params):
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(URL, params)
        assert response.status_code == 200
        return len(captured), response

    client.get(URL)  # the first request after logging in also saves the session
    build_matches(world.branch_a, 3)
    small, _ = queries({"branch": world.branch_a.pk})
    build_matches(world.branch_a, 27)
    large, response = queries({"branch": world.branch_a.pk})
    assert small == large <= 15
    assert lengths_n(response) == [30]
    hours = response.context["hours"][0]
    assert hours["last"]["n"] == 30  # the first three months also count world's match
