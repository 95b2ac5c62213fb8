"""The cache of the survey figures (issue 8; surveys.figure_cache): the response rates and
the outcome report are counted once per scope and filters, say when, recompute on
request, never cross from one scope to another, and are warmed for the national roles.
"""

import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from familien.models import Programme, Role
from surveys.figure_cache import figures_key, scope_of, warm_national_figures
from surveys.models import SurveyKind
from tests.conftest import login
from tests.factories import MatchFactory, UserFactory
from tests.test_outcome_report import answer, family_match
from tests.test_response_rates import rows_of, sent_invitation

PRE_TOTAL = ("parents", "pre", "Total participants, pre")
# The tables the counts read: a request that touches none of them used the cache.
COUNTED_TABLES = ('"surveys_invitation"', '"surveys_response"', '"surveys_answer"')


def pre_total(response):
    return rows_of(response.context["tables"])[PRE_TOTAL][:3]


def counting(queries):
    return [q["sql"] for q in queries if any(table in q["sql"] for table in COUNTED_TABLES)]


@pytest.mark.django_db
def test_the_rates_are_counted_once_say_when_and_recompute_on_request(client, world):
    match = MatchFactory(family=world.family_a)
    sent_invitation(match, answered="full")
    login(client, world.users["central"])
    url = reverse("survey_rates") + "?programme=" + Programme.FAMILY_FRIEND

    first = client.get(url)
    assert pre_total(first) == (1, 1, 0)
    html = first.content.decode()
    computed = timezone.localtime(first.context["computed_at"]).strftime("%H:%M")
    assert re.search(rf"<span>[^<]*{computed}[^<]*</span>", html)
    assert f'<form method="post" action="{url}"' in html

    # New data does not show until the figures are recomputed: the page says when
    # they were computed, and offers to compute them again.
    sent_invitation(match)
    with CaptureQueriesContext(connection) as cached:
        assert pre_total(client.get(url)) == (1, 1, 0)
    assert counting(cached.captured_queries) == []

    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == url
    assert pre_total(client.get(url)) == (2, 1, 0)
    # Another filter is another entry, counted afresh.
    assert pre_total(client.get(reverse("survey_rates"))) == (2, 1, 0)


@pytest.mark.django_db
def test_the_csv_reads_the_same_cached_figures(client, world):
    match = MatchFactory(family=world.family_a)
    sent_invitation(match, answered="full")
    login(client, world.users["central"])
    client.get(reverse("survey_rates"))
    sent_invitation(match)
    with CaptureQueriesContext(connection) as captured:
        text = client.get(reverse("survey_rates_csv")).content.decode("utf-8-sig")
    assert counting(captured.captured_queries) == []
    assert "Deltagere i alt, før;1;1;0;100" in text


@pytest.mark.django_db
def test_a_scope_never_reads_another_scopes_figures(client, world):
    """Leaders of different branches count apart; leaders of the same branches share an
    entry; each national role has its own entry holding the same figures."""
    sent_invitation(MatchFactory(family=world.family_a), answered="full")
    sent_invitation(MatchFactory(family=world.family_b), answered="full")
    sent_invitation(MatchFactory(family=world.family_b))
    same_branches = UserFactory(role=Role.LEADER, branches=[world.branch_a])

    totals = {}
    for name, user in [
        ("leader", world.users["leader"]),
        ("leader_other", world.users["leader_other"]),
        ("central", world.users["central"]),
        ("evaluator", world.users["evaluator"]),
    ]:
        login(client, user)
        totals[name] = pre_total(client.get(reverse("survey_rates")))
    assert totals == {
        "leader": (1, 1, 0),
        "leader_other": (2, 1, 0),
        "central": (3, 2, 0),
        "evaluator": (3, 2, 0),
    }
    login(client, same_branches)
    with CaptureQueriesContext(connection) as captured:
        assert pre_total(client.get(reverse("survey_rates"))) == (1, 1, 0)
    assert counting(captured.captured_queries) == []

    scopes = {
        scope_of(user)
        for user in (world.users["leader"], world.users["central"], world.users["evaluator"])
    }
    assert len(scopes) == 3
    assert scope_of(same_branches) == scope_of(world.users["leader"])


@pytest.mark.django_db
def test_the_key_holds_the_scope_and_filters_but_shows_no_value(world):
    leader = world.users["leader"]
    filters = {"date_from": timezone.localdate(), "branch": world.branch_a}
    key = figures_key("rates", scope_of(leader), filters)
    assert re.fullmatch(r"surveys:figures:rates:[0-9a-f]{64}", key)
    assert key != figures_key("rates", scope_of(world.users["leader_other"]), filters)
    assert key != figures_key("rates", scope_of(leader), {**filters, "programme": "job_mentor"})
    assert key != figures_key("outcomes", scope_of(leader), filters)
    assert key == figures_key("rates", scope_of(leader), {**filters, "date_to": None})


@pytest.mark.django_db
def test_the_outcomes_are_cached_and_recomputed_on_request(client, world):
    match = family_match(world.branch_a)
    for _ in range(5):
        answer(match, SurveyKind.PRE, {"F16": "always"})
        answer(match, SurveyKind.POST, {"F16": "often"})
    login(client, world.users["leader"])
    url = reverse("survey_outcomes")

    def meals_n(response):
        results = response.context["sections"][0]["results"]
        return next(r for r in results if r.key == "ff_routine_meals").n_before

    first = client.get(url)
    assert meals_n(first) == 5
    assert "figures-computed" in first.content.decode()
    answer(match, SurveyKind.PRE, {"F16": "always"})
    with CaptureQueriesContext(connection) as cached:
        assert meals_n(client.get(url)) == 5
    assert counting(cached.captured_queries) == []
    assert client.post(url).status_code == 302
    assert meals_n(client.get(url)) == 6


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["volunteer", "followup"])
def test_only_the_viewers_may_recompute(client, world, role):
    login(client, world.users[role])
    assert client.post(reverse("survey_rates")).status_code == 403
    assert client.post(reverse("survey_outcomes")).status_code == 403


@pytest.mark.django_db
def test_an_anonymous_recompute_goes_to_the_login(client):
    response = client.post(reverse("survey_rates"))
    assert response.status_code == 302 and "log-ind" in response["Location"]


@pytest.mark.django_db
def test_warming_fills_the_national_roles_default_views(client, world):
    match = family_match(world.branch_a)
    sent_invitation(MatchFactory(family=world.family_b), answered="full")
    for _ in range(5):
        answer(match, SurveyKind.PRE, {"F16": "always"}, swemwbs_metric=Decimal("20.00"))
        answer(match, SurveyKind.POST, {"F16": "often"}, swemwbs_metric=Decimal("22.00"))
    assert warm_national_figures() == 6
    for role in ("central", "admin", "evaluator"):
        login(client, world.users[role])
        with CaptureQueriesContext(connection) as captured:
            rates = client.get(reverse("survey_rates"))
            outcomes = client.get(reverse("survey_outcomes"))
        assert counting(captured.captured_queries) == [], role
        assert pre_total(rates) == (6, 6, 5)
        meals = next(
            r for r in outcomes.context["sections"][0]["results"] if r.key == "ff_routine_meals"
        )
        assert (meals.n_before, meals.n_after) == (5, 5)
    # The warmed figures are what the page would count itself.
    cache.clear()
    login(client, world.users["central"])
    assert pre_total(client.get(reverse("survey_rates"))) == (6, 6, 5)


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, 30])
def test_cold_and_warm_pages_take_a_fixed_number_of_queries(
    client, world, django_assert_max_num_queries, size
):
    """Cold: the scope, the filter's branches and the counts; warm: the counts left
    out. The same at any number of invitations and answers."""
    match = family_match(world.branch_a)
    for number in range(size):
        sent_invitation(match, answered="full" if number % 2 else None)
        answer(match, SurveyKind.PRE if number % 2 else SurveyKind.POST, {"F16": "always"})
    for role in ("leader", "evaluator"):
        login(client, world.users[role])
        for name in ("survey_rates", "survey_outcomes", "survey_rates_csv"):
            client.get(reverse(name))
            cache.clear()
            with django_assert_max_num_queries(15) as cold:
                assert client.get(reverse(name)).status_code == 200
            with django_assert_max_num_queries(15) as warm:
                assert client.get(reverse(name)).status_code == 200
            assert counting(warm.captured_queries) == []
            assert len(warm.captured_queries) < len(cold.captured_queries)
            counts = (len(cold.captured_queries), len(warm.captured_queries))
            assert counts == QUERIES.setdefault((role, name), counts)


QUERIES = {}
