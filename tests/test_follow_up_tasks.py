"""The task pages (issue 5 items 2 and 4): completing a follow-up, the end-of-course review
(extend, close, new volunteer wanted), refused input, who may act, and the task queue."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from familien.models import Role
from followup.models import CloseReason, FollowUpTask
from matching.models import Match, SupportRequest
from tests.conftest import login
from tests.factories import (
    CheckInFactory,
    FamilyFactory,
    FollowUpTaskFactory,
    MatchFactory,
    ParentFactory,
)

pytestmark = pytest.mark.django_db

Kind = FollowUpTask.Kind
Outcome = FollowUpTask.Outcome
Decision = FollowUpTask.Decision
Responsible = FollowUpTask.Responsible


def days(n):
    return timezone.localdate() + timedelta(days=n)


def running_match(branch, **fields):
    """A locally started family-friend match that started 300 days ago, from a request."""
    family = FamilyFactory(branch=branch, name="Familien Hansen")
    parent = ParentFactory(family=family, first_name="Sara")
    request = SupportRequest.objects.create(
        family=family,
        programme="family_friend",
        for_parent=parent,
        wishes="En voksen at tale med",
        focus="Hverdagens struktur",
        status=SupportRequest.Status.MATCHED,
        waiting_since=days(-400),
    )
    values = {
        "family": family,
        "request": request,
        "started_by": Match.StartedBy.LOCAL,
        "started_on": days(-300),
        "planned_end": days(10),
        "focus": "Hverdagens struktur",
    }
    return MatchFactory(**(values | fields))


@pytest.fixture
def match(world):
    return running_match(world.branch_a)


@pytest.fixture
def leader(client, world):
    return login(client, world.users["leader"])


def task_url(task, **query):
    url = reverse("followup_task", kwargs={"pk": task.pk})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def errors_of(response):
    form = response.context["form"]
    return {field: [str(e) for e in errors] for field, errors in form.errors.items()}


# --- follow-ups ---------------------------------------------------------------------------


def test_the_task_page_shows_the_match_and_its_latest_check_ins(leader, world, match):
    CheckInFactory(match=match, met_on=days(-20), note="Vi var på legepladsen")
    CheckInFactory(match=match, met_on=days(-6), note="Lektiehjælp")
    task = FollowUpTaskFactory(match=match, due_on=days(-1))
    response = leader.get(task_url(task))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Familien Hansen" in html
    assert match.volunteer.first_name in html
    assert "Lektiehjælp" in html and "Vi var på legepladsen" in html
    assert response.context["last_check_in"].met_on == days(-6)
    assert response.context["overdue"] is True
    assert "Forfalden" in html
    assert 'name="outcome"' in html and 'value="needs_attention"' in html


def test_completing_a_follow_up_records_outcome_note_who_and_when(leader, world, match):
    task = FollowUpTaskFactory(match=match, due_on=days(-1))
    response = leader.post(
        task_url(task),
        {"outcome": Outcome.NEEDS_ATTENTION, "note": "  Familien har travlt; ring igen.  "},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("followup_dashboard")
    task.refresh_from_db()
    assert task.outcome == Outcome.NEEDS_ATTENTION
    assert task.note == "Familien har travlt; ring igen."
    assert task.done_by == world.users["leader"]
    assert task.done_on == timezone.localdate()
    assert not task.is_open
    follow = leader.get(response["Location"])
    assert "Opfølgningen er registreret." in follow.content.decode()


def test_from_the_queue_a_completed_task_goes_back_to_the_queue(leader, match):
    task = FollowUpTaskFactory(match=match, kind=Kind.SPARRING, due_on=days(0))
    response = leader.post(task_url(task), {"outcome": Outcome.GOING_WELL, "back": "queue"})
    assert response["Location"] == reverse("followup_task_queue")
    # Anything else than the known places goes to the dashboard, never elsewhere.
    other = FollowUpTaskFactory(match=match, due_on=days(0))
    response = leader.post(
        task_url(other), {"outcome": Outcome.GOING_WELL, "back": "https://example.org/"}
    )
    assert response["Location"] == reverse("followup_dashboard")


def test_a_follow_up_without_an_outcome_is_refused_and_the_note_kept(leader, match):
    task = FollowUpTaskFactory(match=match, due_on=days(-1))
    response = leader.post(task_url(task), {"outcome": "splendid", "note": "Min note"})
    assert response.status_code == 200
    assert "outcome" in errors_of(response)
    assert "Min note" in response.content.decode()
    task.refresh_from_db()
    assert task.is_open and task.outcome == ""


def test_a_done_task_cannot_be_completed_twice(leader, world, match):
    task = FollowUpTaskFactory(
        match=match,
        due_on=days(-1),
        done_on=days(-1),
        done_by=world.users["central"],
        outcome=Outcome.GOING_WELL,
        note="Første svar",
    )
    response = leader.post(task_url(task), {"outcome": Outcome.ENDING_SOON, "note": "Andet"})
    assert response.status_code == 302
    page = leader.get(response["Location"])
    assert "Opgaven er allerede udført." in page.content.decode()
    assert page.context["form"] is None  # a done task shows its answer, no form
    task.refresh_from_db()
    assert (task.outcome, task.note, task.done_by) == (
        Outcome.GOING_WELL,
        "Første svar",
        world.users["central"],
    )


def test_a_get_changes_nothing_and_other_methods_are_refused(leader, match):
    task = FollowUpTaskFactory(match=match, due_on=days(-1))
    leader.get(task_url(task), {"outcome": Outcome.GOING_WELL})
    assert leader.put(task_url(task)).status_code == 405
    task.refresh_from_db()
    assert task.is_open


# --- who may act --------------------------------------------------------------------------


def test_a_leader_of_another_branch_gets_404(client, world, match):
    task = FollowUpTaskFactory(match=match, due_on=days(-1))
    login(client, world.users["leader_other"])
    assert client.get(task_url(task)).status_code == 404
    assert client.post(task_url(task), {"outcome": Outcome.GOING_WELL}).status_code == 404
    task.refresh_from_db()
    assert task.is_open


@pytest.mark.parametrize("role", ["volunteer", "evaluator"])
def test_volunteers_and_evaluators_get_403(client, world, role):
    task = FollowUpTaskFactory(
        match=world.match_a, responsible=Responsible.CENTRAL, assignee=world.users["followup"]
    )
    login(client, world.users[role])
    assert client.get(task_url(task)).status_code == 403
    assert client.post(task_url(task), {"outcome": Outcome.GOING_WELL}).status_code == 403
    task.refresh_from_db()
    assert task.is_open


def test_the_follow_up_volunteer_completes_the_task_of_their_match(client, world):
    task = FollowUpTaskFactory(
        match=world.match_a,
        due_on=days(-2),
        responsible=Responsible.CENTRAL,
        assignee=world.users["followup"],
    )
    login(client, world.users["followup_other"])
    assert client.post(task_url(task), {"outcome": Outcome.GOING_WELL}).status_code == 404
    login(client, world.users["followup"])
    response = client.post(task_url(task), {"outcome": Outcome.GOING_WELL})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.outcome == Outcome.GOING_WELL
    assert task.done_by == world.users["followup"]


# --- the end-of-course review -------------------------------------------------------------


def review_of(match, **fields):
    return FollowUpTaskFactory(match=match, kind=Kind.END_REVIEW, due_on=days(-1), **fields)


def test_the_review_form_offers_extend_close_and_new_volunteer(leader, match):
    response = leader.get(task_url(review_of(match)))
    html = response.content.decode()
    for value in ("extend", "close", "new_volunteer"):
        assert f'value="{value}"' in html
    assert 'name="new_end"' in html and 'name="reason"' in html
    # "New volunteer wanted" is a decision of its own, not a reason to pick.
    assert f'<option value="{CloseReason.NEW_VOLUNTEER}"' not in html


def test_new_volunteer_wanted_closes_the_match_and_puts_the_family_first(leader, world, match):
    waiting_long = SupportRequest.objects.create(
        family=world.family_a, programme="family_friend", waiting_since=days(-200)
    )
    task = review_of(match)
    response = leader.post(
        task_url(task), {"decision": Decision.NEW_VOLUNTEER, "note": "Mor ønsker en ny"}
    )
    new = SupportRequest.objects.get(previous_match=match)
    assert response.status_code == 302
    assert response["Location"] == reverse("request_detail", kwargs={"pk": new.pk})
    match.refresh_from_db()
    task.refresh_from_db()
    assert match.status == Match.Status.CLOSED
    assert match.ended_on == timezone.localdate()
    assert match.end_reason == "Ny frivillig ønskes"
    assert (task.decision, task.note, task.done_by) == (
        Decision.NEW_VOLUNTEER,
        "Mor ønsker en ny",
        world.users["leader"],
    )
    assert new.priority and new.status == SupportRequest.Status.WAITING
    assert new.for_parent_id == match.request.for_parent_id
    page = leader.get(response["Location"])
    assert "Familien står øverst på ventelisten til en ny frivillig." in page.content.decode()
    # The waiting list, as the leader sees it: the family first, before an older request.
    waiting = leader.get(reverse("waiting_list"))
    rows = list(waiting.context["page"])
    assert [r.pk for r in rows[:2]] == [new.pk, waiting_long.pk]
    assert "Øverst på listen" in waiting.content.decode()


def test_new_volunteer_wanted_by_a_follow_up_volunteer_goes_back_to_the_dashboard(client, world):
    match = running_match(
        world.branch_a,
        started_by=Match.StartedBy.CENTRAL,
        followup_volunteer=world.users["followup"],
    )
    task = review_of(match, responsible=Responsible.CENTRAL, assignee=world.users["followup"])
    login(client, world.users["followup"])
    response = client.post(task_url(task), {"decision": Decision.NEW_VOLUNTEER})
    # The waiting list is not the follow-up volunteer's page.
    assert response["Location"] == reverse("followup_dashboard")
    assert SupportRequest.objects.get(previous_match=match).priority


def test_extend_moves_the_planned_end_and_plans_a_new_review(leader, match):
    task = review_of(match)
    new_end = days(120)
    response = leader.post(
        task_url(task), {"decision": Decision.EXTEND, "new_end": new_end.isoformat()}
    )
    assert response.status_code == 302
    match.refresh_from_db()
    task.refresh_from_db()
    assert match.planned_end == new_end
    assert match.status == Match.Status.ACTIVE
    assert task.decision == Decision.EXTEND and not task.is_open
    new_review = FollowUpTask.objects.open().get(match=match, kind=Kind.END_REVIEW)
    assert new_review.pk != task.pk
    assert days(0) <= new_review.due_on < new_end
    assert "Forløbet er forlænget til" in leader.get(response["Location"]).content.decode()


def test_close_with_a_reason(leader, match):
    task = review_of(match)
    response = leader.post(
        task_url(task), {"decision": Decision.CLOSE, "reason": CloseReason.GOALS_REACHED}
    )
    assert response.status_code == 302
    match.refresh_from_db()
    assert match.status == Match.Status.CLOSED
    assert match.end_reason == "Mål nået"
    assert not SupportRequest.objects.filter(previous_match=match).exists()


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"decision": "extend"}, "new_end", "Vælg den nye slutdato."),
        ({"decision": "extend", "new_end": "2026-13-45"}, "new_end", None),
        ({"decision": "close"}, "reason", "Vælg hvorfor forløbet slutter."),
        ({"decision": "close", "reason": CloseReason.NEW_VOLUNTEER}, "reason", None),
        ({"decision": "maybe"}, "decision", None),
    ],
)
def test_bad_review_input_is_shown_in_danish_and_changes_nothing(
    leader, match, data, field, message
):
    task = review_of(match)
    response = leader.post(task_url(task), data | {"note": "Behold mig"})
    assert response.status_code == 200
    errors = errors_of(response)
    assert field in errors
    if message:
        assert errors[field] == [message]
    assert "Behold mig" in response.content.decode()
    task.refresh_from_db()
    match.refresh_from_db()
    assert task.is_open and task.decision == ""
    assert match.status == Match.Status.ACTIVE and match.planned_end == days(10)


def test_an_extension_must_end_after_the_planned_end(leader, match):
    task = review_of(match)
    response = leader.post(
        task_url(task), {"decision": Decision.EXTEND, "new_end": days(5).isoformat()}
    )
    assert response.status_code == 200
    assert errors_of(response)["new_end"][0].startswith("Den nye afslutning skal ligge efter")
    match.refresh_from_db()
    assert match.planned_end == days(10)


def test_a_refusal_from_the_services_is_shown_beside_the_form(leader, world):
    # A match that is no longer running cannot be extended: the lifecycle says so.
    match = running_match(world.branch_a, status=Match.Status.CLOSED, ended_on=days(-1))
    task = review_of(match)
    response = leader.post(
        task_url(task), {"decision": Decision.EXTEND, "new_end": days(60).isoformat()}
    )
    assert response.status_code == 200
    assert errors_of(response)["__all__"]
    assert response.context["task"].is_open
    task.refresh_from_db()
    assert task.is_open and task.decision == ""


# --- the queue ----------------------------------------------------------------------------

QUEUE = "/opfoelgning/opgaver/"


def test_the_queue_lists_open_tasks_by_due_date_overdue_marked(leader, world, match):
    later = FollowUpTaskFactory(match=match, due_on=days(7))
    overdue = FollowUpTaskFactory(match=match, due_on=days(-7))
    silent = FollowUpTaskFactory(match=match, kind=Kind.SILENT, due_on=days(0))
    FollowUpTaskFactory(match=match, due_on=days(-30), done_on=days(-29))
    FollowUpTaskFactory(match=running_match(world.branch_b), due_on=days(-7))
    assert reverse("followup_task_queue") == QUEUE
    response = leader.get(QUEUE)
    rows = list(response.context["page"])
    assert [t.pk for t in rows] == [overdue.pk, silent.pk, later.pk]
    assert [t.overdue for t in rows] == [True, False, False]
    assert 'class="table-danger"' in response.content.decode()


def test_the_queue_filters_by_kind_and_overdue(leader, match):
    overdue = FollowUpTaskFactory(match=match, due_on=days(-7))
    FollowUpTaskFactory(match=match, due_on=days(3))
    silent = FollowUpTaskFactory(match=match, kind=Kind.SILENT, due_on=days(-1))
    response = leader.get(QUEUE, {"kind": Kind.SILENT})
    assert [t.pk for t in response.context["page"]] == [silent.pk]
    response = leader.get(QUEUE, {"overdue": "on"})
    assert [t.pk for t in response.context["page"]] == [overdue.pk, silent.pk]
    response = leader.get(QUEUE, {"kind": Kind.FOLLOW_UP, "overdue": "on"})
    assert [t.pk for t in response.context["page"]] == [overdue.pk]


def test_bad_filter_values_are_ignored(leader, match):
    FollowUpTaskFactory(match=match, due_on=days(-7))
    FollowUpTaskFactory(match=match, due_on=days(3))
    response = leader.get(QUEUE, {"kind": "nonsense", "show": "x", "side": "abc"})
    assert response.status_code == 200
    assert len(response.context["page"]) == 2
    response = leader.get(QUEUE, {"kind": "nonsense", "overdue": "on"})
    assert len(response.context["page"]) == 1  # the valid filter still applies


def test_the_queue_shows_recently_done_tasks(leader, world, match):
    done = FollowUpTaskFactory(
        match=match,
        due_on=days(-3),
        done_on=days(-2),
        done_by=world.users["leader"],
        outcome=Outcome.ENDING_SOON,
    )
    FollowUpTaskFactory(match=match, due_on=days(-90), done_on=days(-60))  # too long ago
    FollowUpTaskFactory(match=match, due_on=days(-1))  # still open
    response = leader.get(QUEUE, {"show": "done"})
    assert [t.pk for t in response.context["page"]] == [done.pk]
    assert "Slutter snart" in response.content.decode()


def test_the_queue_pages_and_costs_the_same_at_any_size(leader, match):
    for n in range(3):
        FollowUpTaskFactory(match=match, due_on=days(-n))

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = leader.get(QUEUE)
        assert response.status_code == 200
        return len(captured), response

    leader.get(QUEUE)  # the first request after logging in also saves the session
    small, _response = queries()
    FollowUpTask.objects.bulk_create(
        [
            FollowUpTask(match=match, kind=Kind.FOLLOW_UP, due_on=days(-n), responsible="branch")
            for n in range(3, 60)
        ]
    )
    large, response = queries()
    assert large == small <= 15
    assert len(response.context["page"]) == 25
    assert response.context["page"].paginator.count == 60
    second = leader.get(QUEUE, {"side": 3, "kind": Kind.FOLLOW_UP})
    assert len(second.context["page"]) == 10
    assert "kind=follow_up&amp;side=2" in second.content.decode()


@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.EVALUATOR])
def test_the_queue_and_dashboard_are_not_for_volunteers_or_evaluators(client, world, role):
    login(client, world.users[role])
    assert client.get(QUEUE).status_code == 403
    assert client.get(reverse("followup_dashboard")).status_code == 403
