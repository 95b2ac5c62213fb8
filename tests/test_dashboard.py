"""The follow-up dashboard (issue 5 item 5): what each role sees, the per-branch table of
the central corps, and a fixed number of queries at 10 and at 500 matches."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from familien import access
from familien.models import Family, Role, Volunteer
from followup import dashboard
from followup.models import CheckIn, FollowUpTask
from followup.tasks import warm_national_figures
from matching.models import Match, SupportRequest
from tests.conftest import login
from tests.factories import (
    BranchFactory,
    CheckInFactory,
    FamilyFactory,
    FollowUpTaskFactory,
    MatchFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


Kind = FollowUpTask.Kind
Responsible = FollowUpTask.Responsible
URL = "/opfoelgning/"


def today():
    return timezone.localdate()


def days(n):
    return today() + timedelta(days=n)


def local_match(branch, **fields):
    return MatchFactory(
        family=FamilyFactory(branch=branch), started_by=Match.StartedBy.LOCAL, **fields
    )


def page(client, user):
    login(client, user)
    response = client.get(URL)
    assert response.status_code == 200
    return response


def section(response, kind):
    return next(s for s in response.context["sections"] if s["kind"] == kind)


def test_the_url_and_menu_entry(client, world):
    assert reverse("followup_dashboard") == URL
    response = page(client, world.users["leader"])
    assert f'href="{URL}"' in response.content.decode()


def test_a_leader_sees_overdue_and_todays_follow_ups_of_their_local_matches(client, world):
    match = local_match(world.branch_a)
    overdue = FollowUpTaskFactory(match=match, due_on=days(-3))
    due_today = FollowUpTaskFactory(match=match, due_on=days(0))
    FollowUpTaskFactory(match=match, due_on=days(5))  # not due yet
    FollowUpTaskFactory(match=match, due_on=days(-10), done_on=days(-1))  # done
    FollowUpTaskFactory(match=local_match(world.branch_b), due_on=days(-3))  # other branch
    # The central corps' task in the leader's branch is not in the leader's queue.
    FollowUpTaskFactory(
        match=world.match_a,
        due_on=days(-3),
        responsible=Responsible.CENTRAL,
        assignee=world.users["followup"],
    )
    response = page(client, world.users["leader"])
    follow_ups = section(response, Kind.FOLLOW_UP)
    assert [t.pk for t in follow_ups["tasks"]] == [overdue.pk, due_today.pk]
    assert follow_ups["total"] == 2
    assert [t.overdue for t in follow_ups["tasks"]] == [True, False]
    html = response.content.decode()
    assert reverse("followup_task", kwargs={"pk": overdue.pk}) in html
    assert "Forfalden" in html and "Forfalder i dag" in html
    assert response.context["summary"]["overdue"] == 1
    assert response.context["summary"]["due_today"] == 1
    assert response.context["branch_rows"] is None  # a leader sees no national table


def test_silent_sparring_and_reviews_due_within_two_weeks(client, world):
    match = local_match(world.branch_a)
    CheckInFactory(match=match, met_on=days(-40))
    silent = FollowUpTaskFactory(match=match, kind=Kind.SILENT, due_on=days(0))
    sparring = FollowUpTaskFactory(match=match, kind=Kind.SPARRING, due_on=days(-1))
    review = FollowUpTaskFactory(match=match, kind=Kind.END_REVIEW, due_on=days(14))
    other = local_match(world.branch_a)
    FollowUpTaskFactory(match=other, kind=Kind.END_REVIEW, due_on=days(15))  # later
    response = page(client, world.users["leader"])
    assert [t.pk for t in section(response, Kind.SILENT)["tasks"]] == [silent.pk]
    assert section(response, Kind.SILENT)["tasks"][0].last_check_in == days(-40)
    assert [t.pk for t in section(response, Kind.SPARRING)["tasks"]] == [sparring.pk]
    assert [t.pk for t in section(response, Kind.END_REVIEW)["tasks"]] == [review.pk]


def test_each_list_shows_ten_rows_its_total_and_a_link_to_the_queue(client, world):
    match = local_match(world.branch_a)
    for n in range(12):
        FollowUpTaskFactory(match=match, due_on=days(-20 + n))
    FollowUpTaskFactory(match=match, kind=Kind.SILENT, due_on=days(0))
    response = page(client, world.users["leader"])
    follow_ups = section(response, Kind.FOLLOW_UP)
    assert len(follow_ups["tasks"]) == dashboard.LIST_LENGTH == 10
    assert follow_ups["tasks"][0].due_on == days(-20)  # oldest first
    assert follow_ups["total"] == 12
    html = response.content.decode()
    assert "Vis alle 12" in html
    assert "/opfoelgning/opgaver/?kind=follow_up" in html
    assert len(section(response, Kind.SILENT)["tasks"]) == 1


def test_waiting_families_with_days_waiting_first_on_the_list_first(client, world):
    old = SupportRequest.objects.create(
        family=world.family_a, programme="family_friend", waiting_since=days(-40)
    )
    again = SupportRequest.objects.create(
        family=FamilyFactory(branch=world.branch_a, name="Familien Igen"),
        programme="job_mentor",
        waiting_since=days(-2),
        priority=True,
    )
    SupportRequest.objects.create(family=world.family_b, programme="family_friend")
    SupportRequest.objects.create(
        family=world.family_a, programme="job_mentor", status=SupportRequest.Status.MATCHED
    )
    response = page(client, world.users["leader"])
    waiting = response.context["waiting"]
    assert [r.pk for r in waiting] == [again.pk, old.pk]
    assert [r.days_waiting for r in waiting] == [2, 40]
    assert response.context["waiting_total"] == 2
    html = response.content.decode()
    assert "Familien Igen" in html and "Øverst på listen" in html
    assert reverse("request_detail", kwargs={"pk": old.pk}) in html


def test_matches_ending_soon_link_to_the_match(client, world):
    soon = local_match(world.branch_a, planned_end=days(10))
    passed = local_match(world.branch_a, planned_end=days(-3))
    local_match(world.branch_a, planned_end=days(31))  # later
    local_match(world.branch_a, planned_end=days(5), status=Match.Status.CLOSED)
    response = page(client, world.users["leader"])
    assert [m.pk for m in response.context["ending"]] == [passed.pk, soon.pk]
    assert response.context["ending_total"] == 2
    html = response.content.decode()
    assert f"/forloeb/{soon.pk}/opfoelgning/" in html or f"/forloeb/{soon.pk}/" in html
    assert "om 10 dage" in html


def test_a_follow_up_volunteer_sees_their_tasks_and_no_waiting_list(client, world):
    mine = FollowUpTaskFactory(
        match=world.match_a,
        due_on=days(-1),
        responsible=Responsible.CENTRAL,
        assignee=world.users["followup"],
    )
    response = page(client, world.users["followup"])
    assert [t.pk for t in section(response, Kind.FOLLOW_UP)["tasks"]] == [mine.pk]
    assert response.context["waiting"] is None
    assert "Familier på venteliste" not in response.content.decode()
    other = page(client, world.users["followup_other"])
    assert section(other, Kind.FOLLOW_UP)["tasks"] == []


def test_the_central_corps_sees_each_branch_and_the_national_totals(client, world):
    local_a = local_match(world.branch_a, planned_end=days(3))
    local_b = local_match(world.branch_b)
    FollowUpTaskFactory(match=local_a, due_on=days(-2))
    FollowUpTaskFactory(match=local_a, due_on=days(-1))
    FollowUpTaskFactory(match=local_b, due_on=days(0))
    FollowUpTaskFactory(match=local_b, kind=Kind.SILENT, due_on=days(0))
    central_task = FollowUpTaskFactory(
        match=world.match_a, kind=Kind.SPARRING, due_on=days(0), responsible=Responsible.CENTRAL
    )
    SupportRequest.objects.create(
        family=world.family_b, programme="family_friend", waiting_since=days(-30)
    )
    SupportRequest.objects.create(
        family=world.family_b, programme="job_mentor", waiting_since=days(-12)
    )
    SupportRequest.objects.create(
        family=world.family_a, programme="family_friend", waiting_since=days(-5)
    )
    response = page(client, world.users["central"])
    # The central corps' own queue: the centrally started match's task only.
    assert [t.pk for t in section(response, Kind.SPARRING)["tasks"]] == [central_task.pk]
    assert section(response, Kind.FOLLOW_UP)["tasks"] == []
    rows = {row["branch"].pk: row for row in response.context["branch_rows"]}
    assert rows[world.branch_a.pk] | {"branch": None} == {
        "branch": None,
        "overdue": 2,
        "due_today": 0,
        "silent": 0,
        "sparring": 1,
        "reviews": 0,
        "waiting": 1,
        "longest": 5,
        "ending": 1,
    }
    assert rows[world.branch_b.pk]["due_today"] == 1
    assert rows[world.branch_b.pk]["silent"] == 1
    assert rows[world.branch_b.pk]["waiting"] == 2
    assert rows[world.branch_b.pk]["longest"] == 30
    national = response.context["national"]
    assert national["overdue"] == 2 and national["due_today"] == 1
    assert national["waiting"] == 3 and national["longest"] == 30
    html = response.content.decode()
    assert "Pr. lokalafdeling og nationalt" in html
    assert world.branch_b.name in html


def test_the_admin_sees_the_national_table_too(client, world):
    response = page(client, world.users["admin"])
    assert len(response.context["branch_rows"]) == 2


# --- a fixed number of queries ----------------------------------------------------------


def build(count, branches, followup_user):
    """``count`` running matches over ``branches``, half started locally, half centrally
    with ``followup_user``; each with a check-in, a waiting request, and open tasks of
    every kind, several overdue; planned ends spread over the next two months."""
    n = Family.objects.count()
    families = Family.objects.bulk_create(
        [Family(branch=branches[i % len(branches)], name=f"Familie {n + i}") for i in range(count)]
    )
    volunteers = Volunteer.objects.bulk_create(
        [
            Volunteer(branch=family.branch, first_name="Frida", last_name=f"V{n + i}")
            for i, family in enumerate(families)
        ]
    )
    matches = Match.objects.bulk_create(
        [
            Match(
                family=family,
                volunteer=volunteer,
                programme="family_friend",
                status=Match.Status.ACTIVE,
                started_by=Match.StartedBy.LOCAL if i % 2 else Match.StartedBy.CENTRAL,
                followup_volunteer=None if i % 2 else followup_user,
                started_on=days(-200),
                planned_end=days(i % 60),
            )
            for i, (family, volunteer) in enumerate(zip(families, volunteers, strict=True))
        ]
    )
    CheckIn.objects.bulk_create(
        [
            CheckIn(match=m, met_on=days(-(i % 50)), minutes=90, place="home")
            for i, m in enumerate(matches)
        ]
    )
    SupportRequest.objects.bulk_create(
        [
            SupportRequest(family=f, programme="job_mentor", waiting_since=days(-(i % 90)))
            for i, f in enumerate(families)
        ]
    )
    tasks = []
    for i, match in enumerate(matches):
        local = match.started_by == Match.StartedBy.LOCAL
        who = {
            "responsible": Responsible.BRANCH if local else Responsible.CENTRAL,
            "assignee": None if local else followup_user,
        }
        tasks += [
            FollowUpTask(match=match, kind=Kind.FOLLOW_UP, due_on=days(-(i % 5)), **who),
            FollowUpTask(match=match, kind=Kind.SILENT, due_on=days(0), **who),
            FollowUpTask(match=match, kind=Kind.SPARRING, due_on=days(-1), **who),
            FollowUpTask(match=match, kind=Kind.END_REVIEW, due_on=days(i % 20), **who),
        ]
    FollowUpTask.objects.bulk_create(tasks)


def count_queries(client, url):
    cache.clear()  # the national overview's counts are computed each time, as on a miss
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response


@pytest.mark.parametrize("role", [Role.LEADER, Role.CENTRAL, Role.FOLLOWUP, Role.ADMIN])
def test_the_dashboard_costs_the_same_at_10_and_500_matches(client, role):
    branches = [BranchFactory() for _ in range(5)]
    followup_user = UserFactory(role=Role.FOLLOWUP)
    user = followup_user if role == Role.FOLLOWUP else UserFactory(role=role)
    if role == Role.LEADER:
        user.branches.set(branches)
    login(client, user)
    client.get(URL)  # the first request after logging in also saves the session
    build(10, branches, followup_user)
    small, response = count_queries(client, URL)
    assert section(response, Kind.FOLLOW_UP)["tasks"]
    build(490, branches, followup_user)
    large, response = count_queries(client, URL)
    assert large == small, f"{small} queries at 10 matches, {large} at 500"
    assert large <= 15, f"the dashboard as {role} costs {large} queries"
    assert len(section(response, Kind.FOLLOW_UP)["tasks"]) == 10
    assert section(response, Kind.SILENT)["total"] >= 250


# --- the counts and the leader's scope (issue 8) ---------------------------------------


@pytest.mark.parametrize("role", ["central", "admin"])
def test_the_national_summary_is_the_users_own_queue(client, world, role):
    """The national roles read their summary off the per-branch grouping: it must match
    what their queue holds (the central corps' centrally started matches, an admin all)."""
    local = local_match(world.branch_a)
    FollowUpTaskFactory(match=local, due_on=days(-2))
    FollowUpTaskFactory(match=local, kind=Kind.SILENT, due_on=days(0))
    for kind, due in [(Kind.FOLLOW_UP, -1), (Kind.FOLLOW_UP, 0), (Kind.END_REVIEW, 3)]:
        FollowUpTaskFactory(
            match=world.match_a, kind=kind, due_on=days(due), responsible=Responsible.CENTRAL
        )
    FollowUpTaskFactory(
        match=world.match_a, due_on=days(-5), responsible=Responsible.CENTRAL, done_on=days(-1)
    )
    user = world.users[role]
    response = page(client, user)
    expected = dashboard.task_summary(access.task_queue_for(user), today=today())
    assert response.context["summary"] == expected
    if role == "central":
        assert expected == {
            "overdue": 1,
            "due_today": 1,
            "silent": 0,
            "sparring": 0,
            "reviews": 1,
        }
    else:
        assert expected["overdue"] == 2 and expected["silent"] == 1


def test_a_leader_of_two_branches_sees_each_task_once(client, world):
    leader = world.users["leader"]
    leader.branches.add(world.branch_b)
    UserFactory(role=Role.LEADER, branches=[world.branch_a, world.branch_b])  # a colleague
    mine = [
        FollowUpTaskFactory(match=local_match(world.branch_a), due_on=days(-2)),
        FollowUpTaskFactory(match=local_match(world.branch_b), due_on=days(-1)),
    ]
    FollowUpTaskFactory(match=local_match(BranchFactory()), due_on=days(-1))  # not theirs
    response = page(client, leader)
    follow_ups = section(response, Kind.FOLLOW_UP)
    assert [t.pk for t in follow_ups["tasks"]] == [t.pk for t in mine]
    assert follow_ups["total"] == 2
    queue = client.get("/opfoelgning/opgaver/")
    assert [t.pk for t in queue.context["page"]] == [t.pk for t in mine]


def test_the_lists_keep_ten_of_each_kind_whatever_the_others_hold(client, world):
    """The first ten of each kind by due date, also when one kind has far more rows due
    earlier than every row of the others."""
    match = local_match(world.branch_a)
    for n in range(30):
        FollowUpTaskFactory(match=match, due_on=days(-60 + n))
    other = local_match(world.branch_a)
    sparring = [
        FollowUpTaskFactory(match=other, kind=Kind.SPARRING, due_on=days(-n)) for n in range(12)
    ]
    response = page(client, world.users["leader"])
    follow_ups = section(response, Kind.FOLLOW_UP)
    assert [t.due_on for t in follow_ups["tasks"]] == [days(-60 + n) for n in range(10)]
    assert follow_ups["total"] == 30
    kept = section(response, Kind.SPARRING)["tasks"]
    assert [t.pk for t in kept] == [t.pk for t in reversed(sparring)][:10]
    assert section(response, Kind.SPARRING)["total"] == 12


def test_the_national_overview_is_kept_a_while_the_lists_and_own_counts_are_not(client, world):
    local = local_match(world.branch_b)
    FollowUpTaskFactory(match=local, due_on=days(-2))
    FollowUpTaskFactory(match=world.match_a, due_on=days(-3), responsible=Responsible.CENTRAL)
    first = page(client, world.users["central"])
    assert first.context["national"]["overdue"] == 2
    assert first.context["summary"]["overdue"] == 1
    computed_at = first.context["overview_computed_at"]
    assert f"{timezone.localtime(computed_at):%H:%M}." in first.content.decode()

    new = FollowUpTaskFactory(match=world.match_a, due_on=days(-1), responsible=Responsible.CENTRAL)
    with CaptureQueriesContext(connection) as captured:
        kept = page(client, world.users["central"])
    # The country's counts come from the cache, with the time they were computed ...
    assert kept.context["national"]["overdue"] == 2
    assert kept.context["overview_computed_at"] == computed_at
    assert not any("GROUP BY" in query["sql"] for query in captured)
    # ... the user's own list and counts are read again.
    assert kept.context["summary"]["overdue"] == 2
    assert new.pk in [t.pk for t in section(kept, Kind.FOLLOW_UP)["tasks"]]
    # Another national role has its own entry; a leader never reads it.
    assert page(client, world.users["admin"]).context["national"]["overdue"] == 3
    assert page(client, world.users["leader"]).context["national"] is None


def test_the_overview_is_for_the_national_roles_only(world):
    with pytest.raises(ValueError):
        dashboard.national_overview(world.users["leader"], today=today())


def test_the_warm_up_task_counts_the_country_ahead(client, world):
    FollowUpTaskFactory(match=local_match(world.branch_b), due_on=days(-2))
    warm_national_figures()
    for role in ("central", "admin"):
        login(client, world.users[role])
        with CaptureQueriesContext(connection) as captured:
            response = client.get(URL)
        assert response.context["national"]["overdue"] == 1
        assert not any("GROUP BY" in query["sql"] for query in captured)
