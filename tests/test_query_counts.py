"""Home pages and lists cost the same number of queries with 10 or 200 rows.

Budget per page (after login): session, user, OTP device, then the page's own queries
(for the leader: branches, three grouped counts), the session save, and the one INSERT
of the request's access-log entries (familien/access_log.py).
"""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from familien.models import Role
from tests.conftest import login
from tests.factories import (
    BranchFactory,
    FamilyFactory,
    MatchFactory,
    ParentFactory,
    UserFactory,
    VolunteerFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_cached_figures():
    """The national start pages keep their counts in the cache (familien.views): each
    test counts its own data."""
    cache.clear()
    yield
    cache.clear()


PAGES = {
    Role.LEADER: ["home", "family_list", "volunteer_list"],
    Role.CENTRAL: ["home", "family_list", "volunteer_list"],
    Role.FOLLOWUP: ["home", "family_list"],
    Role.VOLUNTEER: ["home"],
    Role.EVALUATOR: ["home"],
    Role.ADMIN: ["home", "system_status"],
}


def build(rows, users, own_profile):
    """``rows`` families in new branches of the leader's, each with a parent and a match;
    every fifth match is the volunteer user's, all are the follow-up volunteer's."""
    branches = [BranchFactory() for _ in range(max(2, rows // 20))]
    users[Role.LEADER].branches.add(*branches)
    for i in range(rows):
        family = FamilyFactory(branch=branches[i % len(branches)])
        ParentFactory(family=family)
        volunteer = own_profile if i % 5 == 0 else VolunteerFactory(branch=family.branch)
        MatchFactory(family=family, volunteer=volunteer, followup_volunteer=users[Role.FOLLOWUP])


def count_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("role", list(PAGES))
def test_pages_cost_the_same_at_10_and_200_rows(role, client, django_assert_max_num_queries):
    users = {r: UserFactory(role=r) for r in PAGES}
    own_profile = VolunteerFactory(user=users[Role.VOLUNTEER])
    login(client, users[role])
    build(10, users, own_profile)
    small = {name: count_queries(client, reverse(name)) for name in PAGES[role]}
    build(190, users, own_profile)
    for name in PAGES[role]:
        with django_assert_max_num_queries(small[name]):
            assert client.get(reverse(name)).status_code == 200
        # 12 for the page, and 1 for its access-log INSERT.
        assert small[name] <= 13, f"{name} as {role} costs {small[name]} queries"


@pytest.mark.parametrize("role", [Role.CENTRAL, Role.EVALUATOR])
def test_national_home_counts_the_same_queries_at_10_and_200_rows_then_reads_the_cache(
    role, client
):
    """Session, user, OTP device; the branches and three grouped counts and the matches
    started locally and centrally (central), or the matches per programme and status
    (evaluator); notifications. Then the counts come from the cache."""
    users = {r: UserFactory(role=r) for r in PAGES}
    own_profile = VolunteerFactory(user=users[Role.VOLUNTEER])
    login(client, users[role])
    build(10, users, own_profile)
    client.get(reverse("home"))  # the session's first save, not the page's own
    cache.clear()
    small = count_queries(client, reverse("home"))
    cache.clear()
    build(190, users, own_profile)
    assert count_queries(client, reverse("home")) == small
    assert count_queries(client, reverse("home")) < small  # the counts from the cache


def test_central_home_shows_counts_from_the_cache_and_when_they_were_counted(client):
    from familien.views import NATIONAL_FIGURES_SECONDS

    users = {r: UserFactory(role=r) for r in PAGES}
    own_profile = VolunteerFactory(user=users[Role.VOLUNTEER])
    build(20, users, own_profile)
    login(client, users[Role.CENTRAL])
    response = client.get(reverse("home"))
    assert response.context["totals"] == {"families": 20, "volunteers": 17, "active_matches": 20}
    assert "figures-computed" in response.content.decode()
    counted = response.context["computed_at"]
    build(20, users, own_profile)
    # Within NATIONAL_FIGURES_SECONDS the page shows the same counts and says when.
    assert 60 <= NATIONAL_FIGURES_SECONDS <= 15 * 60
    response = client.get(reverse("home"))
    assert response.context["totals"]["families"] == 20
    assert response.context["computed_at"] == counted
    cache.clear()  # as when the entry has expired
    response = client.get(reverse("home"))
    assert response.context["totals"]["families"] == 40
    assert response.context["computed_at"] >= counted


def test_a_leaders_home_is_counted_live(client):
    users = {r: UserFactory(role=r) for r in PAGES}
    own_profile = VolunteerFactory(user=users[Role.VOLUNTEER])
    build(20, users, own_profile)
    login(client, users[Role.LEADER])
    assert client.get(reverse("home")).context["totals"]["families"] == 20
    build(20, users, own_profile)
    response = client.get(reverse("home"))
    assert response.context["totals"]["families"] == 40
    assert "computed_at" not in response.context
