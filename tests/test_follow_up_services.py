"""Follow-up's rules (issue 5 items 2–4, 7): plans per programme, silent matches,
sparring, the end-of-course review, and a family-friend match walked through a year."""

from datetime import date, timedelta
from unittest import mock

import pytest

from familien.models import Notification, PipelineStep, Programme, Role
from familien.tasks import mail_notifications
from followup import services
from followup.errors import FollowUpError
from followup.models import Activity, CloseReason, FollowUpRule, FollowUpTask, MeetingPlace
from followup.tasks import raise_follow_up_alerts
from matching import lifecycle
from matching.models import Agreement, Match, SupportRequest
from matching.requests import waiting_list
from surveys.services import post_survey_due
from tests.factories import (
    BranchFactory,
    CheckInFactory,
    FamilyFactory,
    MatchFactory,
    ParentFactory,
    SupportRequestFactory,
    UserFactory,
    VolunteerFactory,
)

pytestmark = pytest.mark.django_db
Kind = FollowUpTask.Kind
START = date(2026, 1, 5)
END = date(2027, 1, 5)


@pytest.fixture(autouse=True)
def no_mail(monkeypatch):
    monkeypatch.setattr(mail_notifications, "delay", lambda ids: None)


@pytest.fixture
def branch():
    return BranchFactory(name="Røde Kors Vejle")


@pytest.fixture
def leader(branch):
    return UserFactory(role=Role.LEADER, branches=[branch])


def running_match(branch, **fields):
    family = FamilyFactory(branch=branch)
    parent = ParentFactory(family=family)
    request = SupportRequestFactory(
        family=family,
        for_parent=parent,
        programme=fields.get("programme", Programme.FAMILY_FRIEND),
        status=SupportRequest.Status.MATCHED,
        wishes="Hjælp til lektier",
    )
    values = {
        "family": family,
        "request": request,
        "started_on": START,
        "planned_end": END,
        "started_by": Match.StartedBy.LOCAL,
    }
    values.update(fields)
    return MatchFactory(**values)


def days(first, step, before):
    out, day = [], first
    while day < before:
        out.append(day)
        day += timedelta(days=step)
    return out


# ---------------------------------------------------------------------------
# Plans


def test_rules_are_seeded_with_the_reports_practices():
    rules = {r.programme: r for r in FollowUpRule.objects.filter(branch=None)}
    assert set(rules) == set(Programme.values)
    mentor = rules[Programme.JOB_MENTOR]
    # Mentors: two weeks after the start, then every second month (section 5.1.2).
    assert (mentor.first_after_days, mentor.every_days) == (14, 60)
    friend = rules[Programme.FAMILY_FRIEND]
    assert (friend.first_after_days, friend.every_days) == (21, 30)


def test_a_family_friend_plan_runs_monthly_until_the_review(branch):
    match = running_match(branch)
    services.plan_follow_ups(match, today=START)
    follow_ups = list(
        match.follow_up_tasks.filter(kind=Kind.FOLLOW_UP).values_list("due_on", flat=True)
    )
    review = match.follow_up_tasks.get(kind=Kind.END_REVIEW)
    assert review.due_on == date(2026, 12, 6)  # 30 days before the planned end
    assert follow_ups == days(date(2026, 1, 26), 30, review.due_on)
    assert len(follow_ups) == 11
    assert {t.responsible for t in match.follow_up_tasks.all()} == {"branch"}


def test_a_branch_may_choose_every_sixth_week(branch):
    FollowUpRule.objects.create(
        programme=Programme.FAMILY_FRIEND,
        branch=branch,
        first_after_days=14,
        every_days=42,
        silent_after_days=45,
        review_before_days=21,
    )
    match = running_match(branch)
    other = running_match(BranchFactory())
    services.plan_follow_ups(match, today=START)
    services.plan_follow_ups(other, today=START)
    dues = list(match.follow_up_tasks.filter(kind=Kind.FOLLOW_UP).values_list("due_on", flat=True))
    assert dues[:3] == [date(2026, 1, 19), date(2026, 3, 2), date(2026, 4, 13)]
    assert other.follow_up_tasks.filter(kind=Kind.FOLLOW_UP).first().due_on == date(2026, 1, 26)


def test_mentors_two_weeks_after_start_then_every_second_month(branch):
    match = running_match(
        branch, programme=Programme.EDUCATION_MENTOR, planned_end=date(2026, 7, 5)
    )
    services.plan_follow_ups(match, today=START)
    dues = list(match.follow_up_tasks.filter(kind=Kind.FOLLOW_UP).values_list("due_on", flat=True))
    assert dues == [date(2026, 1, 19), date(2026, 3, 20), date(2026, 5, 19)]
    assert match.follow_up_tasks.get(kind=Kind.END_REVIEW).due_on == date(2026, 6, 14)


def test_a_centrally_started_match_is_followed_up_by_its_follow_up_volunteer(branch):
    followup = UserFactory(role=Role.FOLLOWUP)
    match = running_match(branch, started_by=Match.StartedBy.CENTRAL, followup_volunteer=followup)
    services.plan_follow_ups(match, today=START)
    assert set(match.follow_up_tasks.values_list("responsible", "assignee")) == {
        ("central", followup.pk)
    }


def test_planning_twice_and_extending_never_doubles_a_task(branch, leader):
    match = running_match(branch)
    services.plan_follow_ups(match, today=START)
    services.plan_follow_ups(match, today=START)
    assert match.follow_up_tasks.filter(kind=Kind.FOLLOW_UP).count() == 11
    assert match.follow_up_tasks.filter(kind=Kind.END_REVIEW).count() == 1
    lifecycle.extend_match(match, new_end=date(2027, 7, 5), actor=leader, today=date(2026, 11, 1))
    review = match.follow_up_tasks.get(kind=Kind.END_REVIEW)
    assert review.due_on == date(2027, 6, 5)
    dues = list(match.follow_up_tasks.filter(kind=Kind.FOLLOW_UP).values_list("due_on", flat=True))
    # The same monthly rhythm from the start, continued to the new review.
    assert dues == days(date(2026, 1, 26), 30, date(2027, 6, 5))


def test_activation_plans_the_follow_ups(branch, leader):
    family = FamilyFactory(branch=branch)
    volunteer = VolunteerFactory(
        branch=branch, programmes=[Programme.JOB_MENTOR], pipeline_step=PipelineStep.READY
    )
    match = MatchFactory(
        family=family,
        volunteer=volunteer,
        programme=Programme.JOB_MENTOR,
        status=Match.Status.AGREEMENT_SIGNED,
        started_on=None,
    )
    Agreement.objects.create(match=match, focus="Job", planned_end=date(2026, 6, 2))
    lifecycle.activate_match(match, actor=leader, on=date(2026, 3, 2))
    dues = list(match.follow_up_tasks.values_list("kind", "due_on"))
    assert dues == [
        (Kind.FOLLOW_UP, date(2026, 3, 16)),
        (Kind.FOLLOW_UP, date(2026, 5, 15)),
        (Kind.END_REVIEW, date(2026, 5, 19)),
    ]


def test_closing_cancels_the_open_tasks_and_asks_the_survey_rules(branch, leader):
    match = running_match(branch)
    services.plan_follow_ups(match, today=START)
    lifecycle.start_ending(match, actor=leader)
    with mock.patch("surveys.services.dispatch_post_survey") as dispatch:
        lifecycle.close_match(match, reason="Mål nået", actor=leader, on=date(2026, 5, 1))
    dispatch.assert_called_once_with(match, today=date(2026, 5, 1))
    assert not FollowUpTask.objects.open().filter(match=match).exists()
    assert FollowUpTask.objects.filter(match=match, cancelled_on=date(2026, 5, 1)).count() == 12


def test_post_survey_only_after_three_months():
    start = date(2026, 1, 15)
    for days_long, due in ((89, False), (90, False), (91, True), (92, True)):
        ended = start + timedelta(days=days_long)
        assert post_survey_due(Match(started_on=start, ended_on=ended)) is due
    # February is short: three calendar months from 1 February are only 89 days.
    assert not post_survey_due(Match(started_on=date(2026, 2, 1), ended_on=date(2026, 5, 1)))
    assert not post_survey_due(Match(started_on=date(2026, 1, 15), ended_on=None))


# ---------------------------------------------------------------------------
# Check-ins, silence and sparring


def test_a_check_in_is_validated(branch):
    match = running_match(branch)
    volunteer_user = UserFactory(role=Role.VOLUNTEER)
    ok = dict(
        actor=volunteer_user,
        met_on=date(2026, 2, 1),
        minutes=90,
        place=MeetingPlace.HOME,
        activities=[Activity.HOMEWORK, Activity.HOMEWORK],
        today=date(2026, 2, 2),
    )
    for bad in (
        {"met_on": date(2026, 2, 3)},
        {"met_on": date(2026, 1, 1)},
        {"minutes": 0},
        {"minutes": 13 * 60},
        {"place": "moon"},
        {"activities": ["flying"]},
    ):
        with pytest.raises(FollowUpError):
            services.log_check_in(match, **(ok | bad))
    check_in = services.log_check_in(match, **ok)
    assert check_in.activities == [Activity.HOMEWORK]
    Match.objects.filter(pk=match.pk).update(status=Match.Status.CLOSED)
    match.refresh_from_db()
    with pytest.raises(FollowUpError):
        services.log_check_in(match, **ok)


def test_silence_raises_one_task_and_a_check_in_ends_it(branch):
    match = running_match(branch)
    quiet = running_match(branch)
    CheckInFactory(match=quiet, met_on=date(2026, 2, 20))
    # No check-in since the start: silent 30 days after it.
    assert services.raise_silent_match_alerts(today=date(2026, 2, 3)) == 0
    assert services.raise_silent_match_alerts(today=date(2026, 2, 4)) == 1
    assert services.raise_silent_match_alerts(today=date(2026, 2, 4)) == 0
    alert = FollowUpTask.objects.get(kind=Kind.SILENT)
    assert (alert.match, alert.due_on, alert.responsible) == (match, date(2026, 2, 4), "branch")
    services.log_check_in(
        match,
        actor=None,
        met_on=date(2026, 2, 5),
        minutes=60,
        place=MeetingPlace.PHONE,
        today=date(2026, 2, 5),
    )
    alert.refresh_from_db()
    assert alert.cancelled_on == date(2026, 2, 5)
    # Thirty days after the last check-in, silent again.
    assert services.raise_silent_match_alerts(today=date(2026, 3, 6)) == 0
    assert services.raise_silent_match_alerts(today=date(2026, 3, 7)) == 1


def test_the_hourly_task_raises_todays_alerts(branch):
    from django.utils import timezone

    today = timezone.localdate()
    running_match(
        branch, started_on=today - timedelta(days=31), planned_end=today + timedelta(days=300)
    )
    running_match(
        branch, started_on=today - timedelta(days=29), planned_end=today + timedelta(days=300)
    )
    assert raise_follow_up_alerts() == {"silent": 1}
    assert raise_follow_up_alerts() == {"silent": 0}


def test_sparring_raises_a_task_and_tells_the_responsible(branch, leader):
    match = running_match(branch)
    other_leader = UserFactory(role=Role.LEADER, branches=[BranchFactory()])
    check_in = services.log_check_in(
        match,
        actor=None,
        met_on=date(2026, 2, 1),
        minutes=120,
        place=MeetingPlace.OUTSIDE,
        wants_sparring=True,
        today=date(2026, 2, 1),
    )
    task = FollowUpTask.objects.get(kind=Kind.SPARRING)
    assert (task.match, task.check_in, task.due_on) == (match, check_in, date(2026, 2, 1))
    note = Notification.objects.get(kind=Notification.Kind.SPARRING)
    assert note.recipient == leader
    assert "Vejle" in note.text and match.family.parents.first().first_name not in note.text
    assert not Notification.objects.filter(recipient=other_leader).exists()

    followup = UserFactory(role=Role.FOLLOWUP)
    central = running_match(branch, started_by=Match.StartedBy.CENTRAL, followup_volunteer=followup)
    services.log_check_in(
        central,
        actor=None,
        met_on=date(2026, 2, 1),
        minutes=60,
        place=MeetingPlace.VIDEO,
        wants_sparring=True,
        today=date(2026, 2, 1),
    )
    assert Notification.objects.filter(recipient=followup).count() == 1


def test_a_task_is_completed_once_and_a_review_needs_its_answer(branch, leader):
    match = running_match(branch)
    services.plan_follow_ups(match, today=START)
    task = match.follow_up_tasks.filter(kind=Kind.FOLLOW_UP).first()
    with pytest.raises(FollowUpError):
        services.complete_task(task, outcome="splendid", actor=leader, on=task.due_on)
    services.complete_task(
        task, outcome=FollowUpTask.Outcome.GOING_WELL, note=" Fint ", actor=leader, on=task.due_on
    )
    task.refresh_from_db()
    assert (task.outcome, task.note, task.done_by, task.done_on) == (
        "going_well",
        "Fint",
        leader,
        date(2026, 1, 26),
    )
    with pytest.raises(FollowUpError):
        services.complete_task(task, outcome="going_well", actor=leader, on=task.due_on)
    review = match.follow_up_tasks.get(kind=Kind.END_REVIEW)
    with pytest.raises(FollowUpError):
        services.complete_task(review, outcome="going_well", actor=leader, on=review.due_on)
    for bad in ({"decision": "extend"}, {"decision": "close"}, {"decision": "maybe"}):
        with pytest.raises(FollowUpError):
            services.review_end(review, actor=leader, on=review.due_on, **bad)
        review.refresh_from_db()
        assert review.is_open
    match.refresh_from_db()
    assert match.status == Match.Status.ACTIVE


def test_a_review_can_close_with_a_reason(branch, leader):
    match = running_match(branch)
    services.plan_follow_ups(match, today=START)
    review = match.follow_up_tasks.get(kind=Kind.END_REVIEW)
    assert (
        services.review_end(
            review,
            decision="close",
            reason=CloseReason.GOALS_REACHED,
            actor=leader,
            on=date(2026, 12, 10),
        )
        is None
    )
    match.refresh_from_db()
    review.refresh_from_db()
    assert (match.status, match.end_reason, match.ended_on) == (
        Match.Status.CLOSED,
        "Mål nået",
        date(2026, 12, 10),
    )
    assert (review.decision, review.done_on, review.cancelled_on) == (
        "close",
        date(2026, 12, 10),
        None,
    )


# ---------------------------------------------------------------------------
# A year of a family-friend match


def test_a_family_friend_match_through_twelve_months(branch, leader):
    """Follow-ups fall due on the rule's dates, a silent month raises an alert, and the
    end review's "new volunteer wanted" puts the family back on the list, first, with
    its history (issue 5, "Done when")."""
    match = running_match(branch)
    services.plan_follow_ups(match, today=START)
    waiting = SupportRequestFactory(
        family=FamilyFactory(branch=branch), waiting_since=date(2025, 6, 1)
    )
    # A visit every second week, except from late April to mid-June (a silent month).
    visits = set(days(date(2026, 1, 12), 14, date(2027, 1, 1)))
    visits -= set(days(date(2026, 4, 21), 1, date(2026, 6, 15)))
    due_seen, alerts_seen = [], []
    new_request = None
    day = START
    with mock.patch("surveys.services.dispatch_post_survey") as post_survey:
        while day <= date(2026, 12, 31) and new_request is None:
            services.run_daily_follow_up(today=day)
            if day in visits:
                services.log_check_in(
                    match,
                    actor=match.volunteer.user,
                    met_on=day,
                    minutes=120,
                    place=MeetingPlace.HOME,
                    activities=[Activity.HOMEWORK],
                    today=day,
                )
            for task in FollowUpTask.objects.due_by(day).filter(match=match).order_by("pk"):
                if task.kind == Kind.FOLLOW_UP:
                    assert task.due_on == day  # due on its date, handled the same day
                    due_seen.append(day)
                    services.complete_task(
                        task, outcome="going_well", note="", actor=leader, on=day
                    )
                elif task.kind == Kind.SILENT:
                    alerts_seen.append(day)
                    services.complete_task(
                        task, outcome="needs_attention", note="Ringet", actor=leader, on=day
                    )
                elif task.kind == Kind.END_REVIEW:
                    new_request = services.review_end(
                        task, decision="new_volunteer", actor=leader, on=day
                    )
            day += timedelta(days=1)

    assert due_seen == days(date(2026, 1, 26), 30, date(2026, 12, 6))
    # Last visit 20 April; 30 days later the match is silent, once.
    assert alerts_seen == [date(2026, 5, 20)]
    assert day - timedelta(days=1) == date(2026, 12, 6)
    match.refresh_from_db()
    assert match.status == Match.Status.CLOSED
    assert match.end_reason == "Ny frivillig ønskes"
    post_survey.assert_called_once_with(match, today=date(2026, 12, 6))
    assert (new_request.previous_match, new_request.priority) == (match, True)
    assert new_request.family == match.family
    assert new_request.for_parent == match.request.for_parent
    assert new_request.wishes == "Hjælp til lektier"
    first, *rest = waiting_list(SupportRequest.objects.all(), today=date(2026, 12, 6))
    assert first == new_request and waiting in rest
    assert list(match.events.values_list("to_status", flat=True))[-2:] == ["ending", "closed"]


def test_the_catch_up_command_runs_a_chosen_day(branch):
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    running_match(branch)
    out = StringIO()
    call_command("follow_up_due", "--at", "2026-02-03", stdout=out)
    assert out.getvalue().strip() == "2026-02-03: 0 silent-match alerts raised"
    call_command("follow_up_due", "--at", "2026-02-04", stdout=out)
    assert "2026-02-04: 1 silent-match alerts raised" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("follow_up_due", "--at", "someday")


def test_a_double_tap_logs_one_meeting(branch):
    match = running_match(branch)
    meeting = dict(
        actor=None,
        met_on=date(2026, 2, 1),
        minutes=60,
        place=MeetingPlace.HOME,
        wants_sparring=True,
        today=date(2026, 2, 1),
    )
    first = services.log_check_in(match, **meeting)
    assert services.log_check_in(match, **meeting) == first
    assert match.check_ins.count() == 1
    assert FollowUpTask.objects.filter(kind=Kind.SPARRING).count() == 1
    services.log_check_in(match, **(meeting | {"minutes": 90}))
    assert match.check_ins.count() == 2
