"""The report's operational figures (issue 7 item 2; surveys.operations): matches started
locally and centrally, waiting time, match lengths, follow-ups on time, check-in hours and
the recruitment pipeline, each counted in SQL from scoped querysets."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from familien import access
from familien.models import PipelineStep, Programme
from followup.models import CheckIn, FollowUpTask
from matching.models import Match, SupportRequest
from surveys import operations
from surveys.operations import Period, summarise_days
from surveys.report_sample import build_sample
from tests.factories import (
    BranchFactory,
    CheckInFactory,
    FamilyFactory,
    FollowUpTaskFactory,
    MatchFactory,
    SupportRequestFactory,
    VolunteerFactory,
)

TODAY = date(2027, 3, 1)
YEAR_2026 = Period(date(2026, 1, 1), date(2026, 12, 31))

pytestmark = pytest.mark.django_db


def started_match(*, programme=Programme.FAMILY_FRIEND, started_on, waited=None, **fields):
    """A match started on ``started_on``, from a request that waited ``waited`` days."""
    family = fields.pop("family", None) or FamilyFactory()
    request = None
    if waited is not None:
        request = SupportRequestFactory(
            family=family,
            programme=programme,
            status=SupportRequest.Status.MATCHED,
            waiting_since=started_on - timedelta(days=waited),
        )
    return MatchFactory(
        family=family, programme=programme, started_on=started_on, request=request, **fields
    )


def test_matches_started_split_local_and_central_within_the_period():
    for started_by in ("local", "local", "central"):
        started_match(started_on=date(2026, 3, 1), started_by=started_by)
    started_match(programme=Programme.JOB_MENTOR, started_on=date(2026, 5, 1), started_by="central")
    started_match(started_on=date(2025, 12, 31))  # before the period
    MatchFactory(started_on=None, status=Match.Status.PROPOSED)  # never started

    found = operations.matches_started(Match.objects.all(), YEAR_2026)

    assert found == {
        "family_friend": {"local": 2, "central": 1, "total": 3},
        "job_mentor": {"local": 0, "central": 1, "total": 1},
    }
    everything = operations.matches_started(Match.objects.all(), Period())
    assert everything["family_friend"]["total"] == 4


def test_waiting_time_from_the_request_to_the_start_with_mean_median_and_bands():
    for waited in (10, 20, 40, 100):
        started_match(started_on=date(2026, 6, 1), waited=waited)
    started_match(started_on=date(2026, 6, 1))  # no request: no waiting time

    found = operations.waiting_before_start(Match.objects.all(), YEAR_2026)["family_friend"]

    assert found["n"] == 4
    assert found["mean"] == 42.5
    assert found["median"] == 30  # between 20 and 40
    assert [band["count"] for band in found["bands"]] == [1, 1, 1, 0, 1]
    assert [band["percent"] for band in found["bands"]] == [25, 25, 25, 0, 25]


def test_families_waiting_now_count_their_days_until_today():
    for days in (3, 30, 31):
        SupportRequestFactory(waiting_since=TODAY - timedelta(days=days))
    SupportRequestFactory(
        waiting_since=TODAY - timedelta(days=400), status=SupportRequest.Status.WITHDRAWN
    )
    SupportRequestFactory(
        programme=Programme.JOB_MENTOR,
        waiting_since=TODAY - timedelta(days=91),
        status=SupportRequest.Status.MATCHING,
    )

    found = operations.currently_waiting(SupportRequest.objects.all(), today=TODAY)

    assert found["family_friend"]["n"] == 3
    assert found["family_friend"]["median"] == 30
    assert [b["count"] for b in found["family_friend"]["bands"]] == [1, 1, 1, 0, 0]
    assert found["job_mentor"]["bands"][-1]["count"] == 1


def test_the_median_of_a_histogram():
    from collections import Counter

    assert summarise_days(Counter())["median"] is None
    assert summarise_days(Counter({5: 1}))["median"] == 5
    assert summarise_days(Counter({1: 2, 9: 1}))["median"] == 1
    assert summarise_days(Counter({1: 2, 9: 2}))["median"] == 5


def test_match_lengths_count_the_matches_that_ended_in_the_period():
    closed = dict(status=Match.Status.CLOSED, started_on=date(2025, 6, 1))
    MatchFactory(ended_on=date(2026, 1, 1), **closed)  # 214 days
    MatchFactory(ended_on=date(2026, 8, 1), **closed)  # 426 days
    MatchFactory(ended_on=date(2025, 10, 1), **closed)  # ended before the period

    found = operations.match_lengths(Match.objects.all(), YEAR_2026)["family_friend"]

    assert found["n"] == 2
    assert [band["count"] for band in found["bands"]] == [0, 1, 0, 1]


def test_follow_ups_on_time_late_and_overdue():
    match = MatchFactory(started_on=date(2026, 1, 1))
    due = date(2026, 2, 1)
    # On the day, three days early, a day late, never.
    for number, shift in enumerate((0, -3, 1, None)):
        due_on = due + timedelta(days=number)
        done_on = None if shift is None else due_on + timedelta(days=shift)
        FollowUpTaskFactory(match=match, due_on=due_on, done_on=done_on)
    FollowUpTaskFactory(match=match, due_on=date(2026, 3, 1), cancelled_on=date(2026, 2, 20))
    FollowUpTaskFactory(match=match, due_on=TODAY + timedelta(days=5))  # not due yet
    FollowUpTaskFactory(match=match, due_on=date(2026, 3, 2), kind=FollowUpTask.Kind.SPARRING)

    found = operations.follow_ups_on_time(
        FollowUpTask.objects.all(), Period(date(2026, 1, 1)), today=TODAY
    )

    assert found == {
        "family_friend": {"due": 4, "on_time": 2, "late": 1, "overdue": 1, "percent_on_time": 50}
    }


def test_check_in_hours_per_programme_and_month():
    match = MatchFactory(started_on=date(2026, 1, 1))
    other = MatchFactory(started_on=date(2026, 1, 1))
    CheckInFactory(match=match, met_on=date(2026, 1, 5), minutes=90)
    CheckInFactory(match=match, met_on=date(2026, 1, 20), minutes=60)
    CheckInFactory(match=other, met_on=date(2026, 1, 21), minutes=30)
    CheckInFactory(match=match, met_on=date(2026, 2, 3), minutes=45)
    CheckInFactory(match=match, met_on=date(2025, 12, 30), minutes=600)  # outside

    found = operations.check_in_hours(CheckIn.objects.all(), YEAR_2026)["family_friend"]

    assert found["hours"] == 3.8
    assert found["check_ins"] == 4
    assert [(m["month"], m["hours"], m["check_ins"], m["matches"]) for m in found["months"]] == [
        (date(2026, 1, 1), 3.0, 3, 2),
        (date(2026, 2, 1), 0.8, 1, 1),
    ]


def test_the_pipeline_counts_each_step_and_finds_where_volunteers_stall():
    branch = BranchFactory()
    for days in (5, 40, 60):
        VolunteerFactory(
            branch=branch,
            pipeline_step=PipelineStep.CONTACTED,
            pipeline_step_on=TODAY - timedelta(days=days),
        )
    for days in (45, 10):
        VolunteerFactory(
            branch=branch,
            pipeline_step=PipelineStep.COURSE_BOOKED,
            pipeline_step_on=TODAY - timedelta(days=days),
        )
    VolunteerFactory(
        branch=branch, pipeline_step=PipelineStep.ACTIVE, pipeline_step_on=TODAY - timedelta(300)
    )

    from familien.models import Volunteer

    found = operations.pipeline(Volunteer.objects.all(), today=TODAY)

    steps = {row["step"]: row for row in found["steps"]}
    assert found["total"] == 6
    assert steps[PipelineStep.CONTACTED]["count"] == 3
    assert steps[PipelineStep.CONTACTED]["median_days"] == 40
    assert steps[PipelineStep.CONTACTED]["stalled"] == 2
    assert steps[PipelineStep.COURSE_BOOKED]["stalled"] == 1
    # An active volunteer has not stalled, however long they have been active.
    assert steps[PipelineStep.ACTIVE]["stalled"] is None
    assert found["stall_step"]["step"] == PipelineStep.CONTACTED
    assert [row["step"] for row in found["steps"]] == list(PipelineStep)


def test_figures_follow_the_scope_they_are_given(world):
    leader = world.users["leader"]
    started_match(family=world.family_a, started_on=date(2026, 2, 1), started_by="local")
    started_match(family=world.family_b, started_on=date(2026, 2, 1), started_by="local")

    found = operations.matches_started(access.matches_for(leader), YEAR_2026)

    # world.match_a (started 15 January 2026, centrally) and the new one in branch A.
    assert found["family_friend"] == {"local": 1, "central": 1, "total": 2}


def _figure_queries(today):
    sources = {
        "matches": Match.objects.all(),
        "requests": SupportRequest.objects.all(),
        "tasks": FollowUpTask.objects.all(),
        "check_ins": CheckIn.objects.all(),
    }
    from familien.models import Volunteer

    with CaptureQueriesContext(connection) as queries:
        figures = operations.operational_figures(sources, Period(), today=today)
        operations.pipeline(Volunteer.objects.all(), today=today)
        operations.by_branch(
            sources["matches"], sources["requests"], sources["tasks"], Period(), today=today
        )
    return len(queries), figures


def test_the_figures_take_the_same_queries_at_any_size():
    today = date(2027, 3, 1)
    build_sample(branches=2, families_per_branch=3, today=today, prefix="Lille")
    small, _figures = _figure_queries(today)
    build_sample(branches=8, families_per_branch=6, today=today, prefix="Stor")
    large, figures = _figure_queries(today)
    assert small == large <= 12
    assert figures["started"]["family_friend"]["total"] > 0
