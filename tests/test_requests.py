"""Support requests: create, withdraw, take over, intro meetings and talks, the waiting
list (order, filters, days waiting, scope, query counts) and the demo data (issue 4
items 1 and 2)."""

import random
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from familien.models import Family, PipelineStep, Programme
from matching import requests as services
from matching.errors import MatchingError
from matching.models import IntroMeeting, Match, MeetingMode, SupportRequest, VolunteerTalk
from tests.conftest import login
from tests.factories import (
    BranchFactory,
    ChildFactory,
    FamilyFactory,
    MatchFactory,
    ParentFactory,
    VolunteerFactory,
)

TODAY = date(2026, 3, 1)


def make_request(family, *, days=0, **fields):
    """A waiting request put on the list ``days`` days ago (factories are read-only)."""
    parent = fields.pop("for_parent", None)
    if parent is None and "for_child" not in fields:
        parent = family.parents.first() or ParentFactory(family=family)
    return SupportRequest.objects.create(
        family=family,
        programme=fields.pop("programme", Programme.FAMILY_FRIEND),
        for_parent=parent,
        waiting_since=fields.pop("waiting_since", timezone.localdate() - timedelta(days=days)),
        **fields,
    )


def parent_of(family):
    return family.parents.first()


def child_of(family):
    return family.children.first()


# --- create ----------------------------------------------------------------------------


def test_a_request_for_a_parent_and_one_for_a_child_both_wait_at_once(world):
    leader = world.users["leader"]
    for_parent = services.create_request(
        world.family_a,
        programme=Programme.FAMILY_FRIEND,
        actor=leader,
        for_parent=parent_of(world.family_a),
        wishes="  Overskud i hverdagen ",
    )
    for_child = services.create_request(
        world.family_a,
        programme=Programme.FAMILY_FRIEND,
        actor=leader,
        for_child=child_of(world.family_a),
        mode=MeetingMode.EITHER,
    )
    mentor = services.create_request(
        world.family_a,
        programme=Programme.JOB_MENTOR,
        actor=leader,
        for_parent=parent_of(world.family_a),
    )
    assert world.family_a.support_requests.count() == 3
    assert for_parent.wishes == "Overskud i hverdagen"
    assert for_parent.status == SupportRequest.Status.WAITING
    assert for_parent.waiting_since == timezone.localdate()
    assert for_child.for_child == child_of(world.family_a) and for_child.for_parent is None
    assert not mentor.handled_centrally and mentor.created_by == leader


def test_the_central_corps_registering_a_request_handles_it_centrally(world):
    made = services.create_request(
        world.family_b,
        programme=Programme.JOB_MENTOR,
        actor=world.users["central"],
        for_parent=parent_of(world.family_b),
    )
    assert made.handled_centrally


@pytest.mark.parametrize(
    "case, message",
    [
        ("child_for_mentor", "Kun en familieven kan være til et barn"),
        ("other_family", "Personen hører til en anden familie."),
        ("nobody", "Vælg hvem den frivillige skal være til"),
        ("both", "Et ønske gælder én person"),
        ("same_twice", "venter allerede på en frivillig i denne forløbstype"),
        ("closed_family", "Familiens sag er lukket."),
    ],
)
def test_refused_requests_say_why_in_danish(world, case, message):
    family = world.family_a
    kwargs = {"programme": Programme.FAMILY_FRIEND, "for_parent": parent_of(family)}
    if case == "child_for_mentor":
        kwargs = {"programme": Programme.JOB_MENTOR, "for_child": child_of(family)}
    elif case == "other_family":
        kwargs["for_parent"] = parent_of(world.family_b)
    elif case == "nobody":
        kwargs["for_parent"] = None
    elif case == "both":
        kwargs["for_child"] = child_of(family)
    elif case == "same_twice":
        services.create_request(family, actor=world.users["leader"], **kwargs)
    elif case == "closed_family":
        Family.objects.filter(pk=family.pk).update(status=Family.Status.CLOSED)
        family.refresh_from_db()
    before = SupportRequest.objects.count()
    with pytest.raises(MatchingError, match=message):
        services.create_request(family, actor=world.users["leader"], **kwargs)
    assert SupportRequest.objects.count() == before


def test_the_same_wish_again_after_a_withdrawal_is_allowed(world):
    first = make_request(world.family_a)
    services.withdraw_request(first, actor=world.users["leader"], reason="Flyttet")
    again = services.create_request(
        world.family_a,
        programme=Programme.FAMILY_FRIEND,
        actor=world.users["leader"],
        for_parent=first.for_parent,
    )
    assert again.pk != first.pk


def test_leader_creates_a_request_on_the_page(client, world):
    login(client, world.users["leader"])
    url = reverse("request_create", args=[world.family_a.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Mette" in page.content.decode()
    response = client.post(
        url,
        {
            "for_whom": f"child:{child_of(world.family_a).pk}",
            "programme": Programme.FAMILY_FRIEND,
            "wishes": "En voksen at lave lektier med",
            "focus": "Lektiehjælp",
            "mode": MeetingMode.IN_PERSON,
        },
    )
    made = SupportRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("request_detail", args=[made.pk])
    assert made.for_child == child_of(world.family_a)
    assert made.created_by == world.users["leader"]


@pytest.mark.parametrize(
    "data, message",
    [
        ({"programme": Programme.JOB_MENTOR}, "Kun en familieven kan være til et barn"),
        # A person not offered (another family's, a tampered value) is not a choice.
        ({"for_whom": "child:999999"}, "gyldig valgmulighed"),
        ({"programme": "astronaut"}, "gyldig valgmulighed"),
        ({"for_whom": "parent:abc"}, "gyldig valgmulighed"),
        ({"for_whom": ""}, "Feltet skal udfyldes"),
    ],
)
def test_bad_input_on_the_create_page_is_shown_and_nothing_saved(client, world, data, message):
    login(client, world.users["leader"])
    post = {
        "for_whom": f"child:{child_of(world.family_a).pk}",
        "programme": Programme.FAMILY_FRIEND,
        "mode": MeetingMode.IN_PERSON,
        **data,
    }
    response = client.post(reverse("request_create", args=[world.family_a.pk]), post)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not SupportRequest.objects.exists()


def test_a_person_of_another_family_cannot_be_posted(client, world):
    login(client, world.users["central"])
    response = client.post(
        reverse("request_create", args=[world.family_a.pk]),
        {
            "for_whom": f"parent:{parent_of(world.family_b).pk}",
            "programme": Programme.FAMILY_FRIEND,
            "mode": MeetingMode.IN_PERSON,
        },
    )
    assert response.status_code == 200
    assert not SupportRequest.objects.exists()


def test_another_branchs_family_is_hidden_on_create(client, world):
    login(client, world.users["leader"])
    url = reverse("request_create", args=[world.family_b.pk])
    assert client.get(url).status_code == 404
    post = {"for_whom": f"parent:{parent_of(world.family_b).pk}", "programme": "family_friend"}
    assert client.post(url, post).status_code == 404
    assert not SupportRequest.objects.exists()


# --- withdraw --------------------------------------------------------------------------


def test_a_withdrawn_request_cannot_be_matched(world):
    from matching import lifecycle

    request = make_request(world.family_a)
    services.withdraw_request(request, actor=world.users["leader"], reason="Familien er flyttet")
    request.refresh_from_db()
    assert request.status == SupportRequest.Status.WITHDRAWN
    assert request.withdrawn_reason == "Familien er flyttet"
    assert request.withdrawn_at is not None
    volunteer = VolunteerFactory(branch=world.branch_a, pipeline_step=PipelineStep.READY)
    if hasattr(lifecycle, "propose_match"):
        with pytest.raises(MatchingError):
            lifecycle.propose_match(request, volunteer, actor=world.users["leader"])
    assert not request.matches.exists()
    # Nor can it be withdrawn twice, or take a new intro meeting.
    with pytest.raises(MatchingError, match="Kun et ønske på ventelisten"):
        services.withdraw_request(request, actor=world.users["leader"], reason="igen")
    with pytest.raises(MatchingError):
        services.record_intro_meeting(
            request,
            held_on=TODAY,
            attendees="Mor",
            needs="",
            wishes="",
            expectations_aligned=True,
            notes="",
            actor=world.users["leader"],
        )


def test_withdrawing_needs_a_reason_and_no_match_under_way(world):
    request = make_request(world.family_a)
    with pytest.raises(MatchingError, match="Skriv hvorfor"):
        services.withdraw_request(request, actor=world.users["leader"], reason="  ")
    MatchFactory(
        family=world.family_a,
        volunteer=world.volunteer_a,
        request=request,
        status=Match.Status.PROPOSED,
    )
    SupportRequest.objects.filter(pk=request.pk).update(status=SupportRequest.Status.MATCHING)
    with pytest.raises(MatchingError, match="træk matchet tilbage først"):
        services.withdraw_request(request, actor=world.users["leader"], reason="Flyttet")
    request.refresh_from_db()
    assert request.status == SupportRequest.Status.MATCHING


def test_withdraw_on_the_page(client, world):
    request = make_request(world.family_a)
    login(client, world.users["leader"])
    url = reverse("request_withdraw", args=[request.pk])
    empty = client.post(url, {"withdraw-reason": ""})
    assert empty.status_code == 200
    assert "Feltet skal udfyldes" in empty.content.decode()
    response = client.post(url, {"withdraw-reason": "Ønsker ikke længere en frivillig"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == SupportRequest.Status.WITHDRAWN
    again = client.post(url, {"withdraw-reason": "igen"}, follow=True)
    assert "Kun et ønske på ventelisten kan trækkes tilbage." in again.content.decode()


# --- take over -------------------------------------------------------------------------


def test_the_central_corps_takes_over_and_the_match_counts_as_central(world):
    from matching import lifecycle

    request = make_request(world.family_a)
    central = world.users["central"]
    services.take_over_request(request, actor=central)
    request.refresh_from_db()
    assert request.handled_centrally
    assert request.taken_over_by == central
    assert request.taken_over_at is not None
    with pytest.raises(MatchingError, match="varetager allerede"):
        services.take_over_request(request, actor=central)
    if hasattr(lifecycle, "propose_match"):
        volunteer = VolunteerFactory(branch=world.branch_a, pipeline_step=PipelineStep.READY)
        match = lifecycle.propose_match(request, volunteer, actor=world.users["leader"])
        assert match.started_by == Match.StartedBy.CENTRAL


def test_only_the_central_corps_takes_over(client, world):
    request = make_request(world.family_a)
    with pytest.raises(MatchingError, match="Kun det centrale korps"):
        services.take_over_request(request, actor=world.users["leader"])
    url = reverse("request_take_over", args=[request.pk])
    for role in ("leader", "admin", "followup"):
        login(client, world.users[role])
        assert client.post(url).status_code == 403
    request.refresh_from_db()
    assert not request.handled_centrally
    login(client, world.users["central"])
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    request.refresh_from_db()
    assert request.handled_centrally and request.taken_over_by == world.users["central"]


def test_a_withdrawn_request_cannot_be_taken_over(world):
    request = make_request(world.family_a)
    services.withdraw_request(request, actor=world.users["leader"], reason="Flyttet")
    with pytest.raises(MatchingError, match="Kun et ønske på ventelisten kan overtages"):
        services.take_over_request(request, actor=world.users["central"])


# --- intro meetings and talks ----------------------------------------------------------


def test_leader_records_an_intro_meeting(client, world):
    request = make_request(world.family_a)
    login(client, world.users["leader"])
    url = reverse("request_intro_meeting", args=[request.pk])
    data = {
        "intro-held_on": (timezone.localdate() - timedelta(days=2)).isoformat(),
        "intro-attendees": "Mor og aktivitetsleder",
        "intro-needs": "Overskud",
        "intro-wishes": "Ture i skoven",
        "intro-expectations_aligned": "on",
        "intro-notes": "",
    }
    assert client.post(url, data).status_code == 302
    meeting = IntroMeeting.objects.get()
    assert meeting.request == request and meeting.expectations_aligned
    assert meeting.held_by == world.users["leader"]
    page = client.get(reverse("request_detail", args=[request.pk])).content.decode()
    assert "Mor og aktivitetsleder" in page and "Forventninger afstemt" in page


def test_an_intro_meeting_in_the_future_is_refused(client, world):
    request = make_request(world.family_a)
    login(client, world.users["leader"])
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = client.post(
        reverse("request_intro_meeting", args=[request.pk]),
        {"intro-held_on": future, "intro-attendees": "Mor"},
    )
    assert response.status_code == 200
    assert "Datoen kan ikke ligge i fremtiden." in response.content.decode()
    assert not IntroMeeting.objects.exists()
    with pytest.raises(MatchingError, match="fremtiden"):
        services.record_intro_meeting(
            request,
            held_on=timezone.localdate() + timedelta(days=1),
            attendees="Mor",
            needs="",
            wishes="",
            expectations_aligned=False,
            notes="",
            actor=world.users["leader"],
        )


def test_leader_records_a_talk_with_their_own_volunteer_only(client, world):
    request = make_request(world.family_a)
    other_volunteer = VolunteerFactory(branch=world.branch_b)
    login(client, world.users["leader"])
    url = reverse("request_volunteer_talk", args=[request.pk])
    held_on = timezone.localdate().isoformat()
    refused = client.post(
        url, {"talk-volunteer": other_volunteer.pk, "talk-held_on": held_on, "talk-notes": "x"}
    )
    assert refused.status_code == 200
    assert not VolunteerTalk.objects.exists()
    done = client.post(
        url,
        {"talk-volunteer": world.volunteer_a.pk, "talk-held_on": held_on, "talk-notes": "Sporty"},
    )
    assert done.status_code == 302
    talk = VolunteerTalk.objects.get()
    assert talk.volunteer == world.volunteer_a and talk.request == request
    assert talk.held_by == world.users["leader"]


def test_a_talk_without_a_request(world):
    talk = services.record_volunteer_talk(
        world.volunteer_a, held_on=TODAY, notes=" Kan lide at cykle ", actor=world.users["leader"]
    )
    assert talk.request is None and talk.notes == "Kan lide at cykle"


# --- the request page ------------------------------------------------------------------


def test_the_request_page_shows_declined_matches_with_their_reasons(client, world):
    request = make_request(world.family_a, days=40)
    MatchFactory(
        family=world.family_a,
        volunteer=world.volunteer_a,
        request=request,
        status=Match.Status.DECLINED,
        end_reason="Kemien passede ikke",
    )
    login(client, world.users["leader"])
    body = client.get(reverse("request_detail", args=[request.pk])).content.decode()
    assert "Kemien passede ikke" in body
    assert "40 dage på venteliste" in body
    assert reverse("suggestions", args=[request.pk]) in body


@pytest.mark.parametrize(
    "role, expected", [("leader", 200), ("central", 200), ("admin", 200), ("leader_other", 404)]
)
def test_request_page_scope(client, world, role, expected):
    request = make_request(world.family_a)
    login(client, world.users[role])
    assert client.get(reverse("request_detail", args=[request.pk])).status_code == expected


@pytest.mark.parametrize("role", ["followup", "volunteer", "evaluator"])
def test_other_roles_are_refused(client, world, role):
    request = make_request(world.family_a)
    login(client, world.users[role])
    assert client.get(reverse("request_detail", args=[request.pk])).status_code == 403
    assert client.get(reverse("waiting_list")).status_code == 403


def test_another_branchs_request_is_hidden_from_every_action(client, world):
    request = make_request(world.family_a)
    login(client, world.users["leader_other"])
    for name, data in [
        ("request_withdraw", {"withdraw-reason": "x"}),
        ("request_intro_meeting", {"intro-held_on": "2026-01-01", "intro-attendees": "x"}),
        ("request_volunteer_talk", {"talk-held_on": "2026-01-01"}),
    ]:
        assert client.post(reverse(name, args=[request.pk]), data).status_code == 404
    request.refresh_from_db()
    assert request.status == SupportRequest.Status.WAITING
    assert not IntroMeeting.objects.exists()


# --- the waiting list ------------------------------------------------------------------


def test_days_waiting():
    request = SupportRequest(waiting_since=date(2026, 1, 30))
    assert services.waiting_days(request, date(2026, 3, 1)) == 30
    assert services.waiting_days(request, date(2026, 1, 1)) == 0


def test_the_waiting_list_puts_first_on_the_list_then_oldest(world):
    new = make_request(world.family_a, days=5)
    old = make_request(world.family_b, days=90)
    family_c = FamilyFactory(branch=world.branch_a)
    again = make_request(family_c, days=1, priority=True)
    matched = make_request(FamilyFactory(branch=world.branch_a), days=300)
    matched.status = SupportRequest.Status.MATCHED
    matched.save()
    withdrawn = make_request(FamilyFactory(branch=world.branch_a), days=400)
    services.withdraw_request(withdrawn, actor=world.users["leader"], reason="Flyttet")
    rows = list(services.waiting_list(SupportRequest.objects.all(), today=timezone.localdate()))
    assert rows == [again, old, new]
    assert [r.days_waiting for r in rows] == [1, 90, 5]


def test_days_waiting_in_sql_match_python(world):
    today = timezone.localdate()
    for days in (0, 1, 29, 365, 800):
        make_request(FamilyFactory(branch=world.branch_a), days=days)
    for row in services.waiting_list(SupportRequest.objects.all(), today=today):
        assert row.days_waiting == services.waiting_days(row, today)


def test_the_leader_sees_their_branchs_list_in_order(client, world):
    old = make_request(world.family_a, days=60)
    new = make_request(FamilyFactory(branch=world.branch_a, name="Familien Ny"), days=3)
    make_request(world.family_b, days=100)
    login(client, world.users["leader"])
    response = client.get(reverse("waiting_list"))
    assert response.status_code == 200
    assert list(response.context["page"]) == [old, new]
    assert response.context["by_branch"] is None
    body = response.content.decode()
    assert world.family_b.name not in body
    assert body.index(old.family.name) < body.index("Familien Ny")


def test_the_central_corps_sees_every_branch_with_counts_and_average_wait(client, world):
    make_request(world.family_a, days=10)
    make_request(FamilyFactory(branch=world.branch_a), days=30)
    make_request(world.family_b, days=7)
    login(client, world.users["central"])
    response = client.get(reverse("waiting_list"))
    assert len(response.context["page"]) == 3
    summary = {row["branch_name"]: row for row in response.context["by_branch"]}
    assert summary["Røde Kors Odense"]["waiting"] == 2
    assert summary["Røde Kors Odense"]["average_days"] == pytest.approx(20)
    assert summary["Røde Kors Aalborg"]["waiting"] == 1
    assert "Venter pr. lokalafdeling" in response.content.decode()


def test_the_national_summary_is_kept_a_few_minutes_and_says_when_it_was_computed(client, world):
    """The per-branch summary is the same for every national user and holds no personal
    data: computed once, kept NATIONAL_SUMMARY_SECONDS, and the page says when."""
    from django.core.cache import cache

    make_request(world.family_a, days=10)
    login(client, world.users["central"])
    first = client.get(reverse("waiting_list"))
    computed_at = first.context["by_branch_computed_at"]
    assert computed_at is not None
    assert timezone.localtime(computed_at).strftime("%H:%M") in first.content.decode()
    make_request(world.family_b, days=3)
    again = client.get(reverse("waiting_list"))
    # The list itself is live; the summary is the one computed a moment ago.
    assert len(again.context["page"]) == 2
    assert [row["waiting"] for row in again.context["by_branch"]] == [1]
    assert again.context["by_branch_computed_at"] == computed_at
    cache.clear()
    fresh = client.get(reverse("waiting_list"))
    assert sorted(row["waiting"] for row in fresh.context["by_branch"]) == [1, 1]
    # A leader sees no national summary, cached or not.
    login(client, world.users["leader"])
    assert client.get(reverse("waiting_list")).context["by_branch"] is None


def test_waiting_list_filters(client, world):
    local = make_request(world.family_a, days=10)
    central = make_request(FamilyFactory(branch=world.branch_a), days=20, handled_centrally=True)
    mentor = make_request(
        FamilyFactory(branch=world.branch_a), days=30, programme=Programme.JOB_MENTOR
    )
    matching = make_request(
        FamilyFactory(branch=world.branch_a), days=40, status=SupportRequest.Status.MATCHING
    )
    other = make_request(world.family_b, days=50)
    login(client, world.users["central"])
    url = reverse("waiting_list")

    def rows(**query):
        return set(client.get(url, query).context["page"])

    assert rows(central="yes") == {central}
    assert rows(central="no") == {local, mentor, matching, other}
    assert rows(programme=Programme.JOB_MENTOR) == {mentor}
    assert rows(status="matching") == {matching}
    assert rows(branch=world.branch_b.pk) == {other}
    # Bad values are ignored, never a 500.
    assert len(rows(branch="abc", status="nonsense", central="maybe")) == 5


def test_a_leader_cannot_filter_on_another_branch(client, world):
    make_request(world.family_a)
    make_request(world.family_b)
    login(client, world.users["leader"])
    response = client.get(reverse("waiting_list"), {"branch": world.branch_b.pk})
    # The branch is not a choice for them: the filter is ignored, their own list shown.
    assert [r.family for r in response.context["page"]] == [world.family_a]


def build_requests(branch, rows, start=0):
    for i in range(start, start + rows):
        family = FamilyFactory(
            branch=branch,
            name=f"Familien Venter {i}",
            evaluation_consent="withdrawn" if i % 3 == 0 else "given",
        )
        parent = ParentFactory(family=family)
        child = ChildFactory(family=family)
        request = SupportRequest.objects.create(
            family=family,
            programme=Programme.FAMILY_FRIEND,
            for_parent=parent if i % 2 else None,
            for_child=None if i % 2 else child,
            waiting_since=timezone.localdate() - timedelta(days=i),
            handled_centrally=i % 4 == 0,
            priority=i % 7 == 0,
        )
        if i % 2:
            IntroMeeting.objects.create(request=request, held_on=TODAY, attendees="Mor")


def count_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("role", ["leader", "central"])
def test_the_waiting_list_costs_the_same_at_10_and_200_requests(
    client, world, role, django_assert_max_num_queries
):
    # session, user, OTP device, unread notifications, the count, the page of rows (with
    # family, branch, person and the intro-meeting flag), the branch choices, and for
    # the central corps the per-branch summary.
    login(client, world.users[role])
    build_requests(world.branch_a, 10)
    url = reverse("waiting_list") + "?programme=family_friend"
    small = count_queries(client, url)
    build_requests(world.branch_a, 190, start=10)
    with django_assert_max_num_queries(small):
        response = client.get(url)
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 200
    assert small <= 12


def test_the_request_page_costs_the_same_however_long_its_history(
    client, world, django_assert_max_num_queries
):
    request = make_request(world.family_a)
    login(client, world.users["leader"])
    url = reverse("request_detail", args=[request.pk])
    small = count_queries(client, url)
    for i in range(15):
        IntroMeeting.objects.create(
            request=request, held_on=TODAY, attendees=f"Mor {i}", held_by=world.users["leader"]
        )
        volunteer = VolunteerFactory(branch=world.branch_a)
        VolunteerTalk.objects.create(
            volunteer=volunteer, request=request, held_on=TODAY, held_by=world.users["leader"]
        )
        MatchFactory(
            family=world.family_a,
            volunteer=volunteer,
            request=request,
            status=Match.Status.DECLINED,
            end_reason=f"Nej {i}",
        )
    with django_assert_max_num_queries(small):
        assert client.get(url).status_code == 200


# --- demo ------------------------------------------------------------------------------


def test_demo_requests_give_every_branch_a_waiting_list(world):
    from matching.demo import make_requests

    branch_c = BranchFactory()
    families = []
    for branch in (world.branch_a, world.branch_b, branch_c):
        for _ in range(5):
            family = FamilyFactory(branch=branch)
            ParentFactory(family=family)
            ChildFactory(family=family)
            families.append(family)
    made = make_requests(random.Random(3), families, timezone.localdate(), world.users.values())
    assert {r.family.branch for r in made} == {world.branch_a, world.branch_b, branch_c}
    assert all(len([r for r in made if r.family.branch == b]) == 3 for b in (branch_c,))
    assert len({services.waiting_days(r, timezone.localdate()) for r in made}) > 3
    # Running it again adds nothing for families already waiting.
    again = make_requests(random.Random(3), families, timezone.localdate(), world.users.values())
    assert not {r.family_id for r in again} & {r.family_id for r in made}
