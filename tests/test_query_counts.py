"""Home pages and lists cost the same number of queries with 10 or 200 rows.

Budget per page (after login): session, user, OTP device, then the page's own queries
(for the leader: branches, three grouped counts), and the session save.
"""

import pytest
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
        assert small[name] <= 12, f"{name} as {role} costs {small[name]} queries"
