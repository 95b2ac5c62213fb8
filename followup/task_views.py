"""The follow-up side for the people responsible: the dashboard, the task queue and one
task with its form (issue 5 items 2, 4 and 5; DOMAIN.md §10, §11).

Thin views: familien.access scopes every queryset (a task outside the user's matches is
a 404), followup.dashboard counts, the forms validate, followup.services saves or refuses
with a FollowUpError shown beside the form.
"""

from datetime import timedelta

from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from familien import access
from familien.access import role_required
from familien.access_log import record
from familien.models import Role
from familien.paging import page_of, query_without_page
from followup import dashboard, services
from followup.errors import FollowUpError
from followup.models import FollowUpTask
from followup.task_forms import CompleteTaskForm, EndReviewForm, TaskFilterForm
from surveys.scoping import call_queue_for

Kind = FollowUpTask.Kind
Decision = FollowUpTask.Decision

# Who follows matches up (DOMAIN.md §2.2): activity leaders, the central corps, its
# follow-up volunteers and administrators. Volunteers and evaluators never see tasks.
FOLLOW_UP_ROLES = (Role.LEADER, Role.CENTRAL, Role.FOLLOWUP, Role.ADMIN)
# Who works with the waiting list (matching.request_views.CASEWORKERS).
WAITING_LIST_ROLES = (Role.LEADER, Role.CENTRAL, Role.ADMIN)
# The queue's "recently done" view reaches this far back.
RECENTLY_DONE_DAYS = 30
# The task page shows this many of the match's latest check-ins and answered tasks.
HISTORY_LENGTH = 5

SECTION_HEADINGS = {
    Kind.FOLLOW_UP: gettext_lazy("Follow-ups overdue and due today"),
    Kind.SILENT: gettext_lazy("Silent matches"),
    Kind.SPARRING: gettext_lazy("Sparring requests"),
    Kind.END_REVIEW: gettext_lazy("End-of-course reviews due"),
}
SECTION_EMPTY = {
    Kind.FOLLOW_UP: gettext_lazy("No follow-ups are due."),
    Kind.SILENT: gettext_lazy("No silent matches."),
    Kind.SPARRING: gettext_lazy("No one has asked for sparring."),
    Kind.END_REVIEW: gettext_lazy("No end-of-course reviews are due in the next two weeks."),
}
# Whose tasks the national roles' queues hold (access.task_queue_for): their summary is
# read off the per-branch grouping instead of a query of its own.
NATIONAL_QUEUES = {
    Role.CENTRAL: (FollowUpTask.Responsible.CENTRAL,),
    Role.ADMIN: tuple(FollowUpTask.Responsible),
}
# Where a completed task sends the user back to (a fixed list, never a URL from the form).
BACK_TO = {"queue": "followup_task_queue", "dashboard": "followup_dashboard"}


def match_url(pk):
    """The match's follow-up page: check-ins, hours and its open tasks."""
    return reverse("followup_match", kwargs={"pk": pk})


def _queue_url(**filters):
    url = reverse("followup_task_queue")
    return f"{url}?{urlencode(filters)}" if filters else url


# --- the dashboard ------------------------------------------------------------------------


@role_required(*FOLLOW_UP_ROLES)
def followup_dashboard(request):
    """Today's and overdue follow-ups, silent matches, sparring requests, reviews due,
    waiting families with their days waiting, matches ending soon (issue 5 item 5) and
    the survey calls due (issue 6 item 4);
    the central corps and administrators also see each branch and the national totals.
    Queries: the four task lists in one; their counts in one; the first matches ending
    soon and their count; the first waiting families and their count; the survey calls'
    count. Nationally the counts of the country (dashboard.cached_national_overview: four
    grouped queries when not cached, which also give the user's own counts) take the
    place of the three counts. The same number at 10 and at 500 matches; every list is
    read through an index with a limit."""
    user = request.user
    today = timezone.localdate()
    queue = access.task_queue_for(user)
    matches = access.matches_for(user)

    lists = dashboard.task_lists(queue, today=today)
    overview = fresh = None
    if user.role in access.NATIONAL_ROLES:
        overview, fresh = dashboard.cached_national_overview(user, today=today)
    if fresh:
        # Just counted with the rest of the country: the user's own queue is in there.
        summary = dashboard.summary_of(overview["by_responsible"], NATIONAL_QUEUES[user.role])
    else:
        summary = dashboard.task_summary(queue, today=today)
    totals = {
        Kind.FOLLOW_UP: summary["overdue"] + summary["due_today"],
        Kind.SILENT: summary["silent"],
        Kind.SPARRING: summary["sparring"],
        Kind.END_REVIEW: summary["reviews"],
    }
    sections = [
        {
            "kind": kind,
            "heading": SECTION_HEADINGS[kind],
            "empty": SECTION_EMPTY[kind],
            "tasks": lists[kind],
            "total": totals[kind],
            "queue_url": _queue_url(kind=kind),
        }
        for kind in dashboard.TASK_SECTIONS
    ]

    ending = dashboard.ending_soon(matches, today=today)
    for match in ending:
        match.url = match_url(match.pk)
        match.days_left = (match.planned_end - today).days

    waiting = None
    if user.role in WAITING_LIST_ROLES:
        requests = access.requests_for(user)
        waiting = dashboard.waiting_families(requests, today=today)
    if overview:
        ending_total, waiting_total = overview["totals"]["ending"], overview["totals"]["waiting"]
    else:
        ending_total = dashboard.ending_count(matches, today=today)
        waiting_total = dashboard.waiting_count(requests) if waiting is not None else 0

    return render(
        request,
        "followup/dashboard.html",
        {
            "today": today,
            "summary": summary,
            "sections": sections,
            "ending": ending,
            "ending_total": ending_total,
            "ending_ahead_days": dashboard.ENDING_AHEAD_DAYS,
            "waiting": waiting,
            "waiting_total": waiting_total,
            "queue_url": _queue_url(),
            "overdue_url": _queue_url(overdue="on"),
            "branch_rows": overview["rows"] if overview else None,
            "national": overview["totals"] if overview else None,
            "overview_computed_at": overview["computed_at"] if overview else None,
            # The figures page is for leaders, the central corps and administrators.
            "figures_url": reverse("followup_figures") if user.role in WAITING_LIST_ROLES else None,
            # Survey non-responders waiting for a call from the same person (DOMAIN.md §14).
            "survey_calls_due": call_queue_for(user).count(),
            "survey_calls_url": reverse("survey_call_queue"),
        },
    )


# --- the task queue -----------------------------------------------------------------------


@role_required(*FOLLOW_UP_ROLES)
def followup_task_queue(request):
    """The user's open tasks by due date, overdue ones marked, filtered by kind and
    "overdue only"; or the tasks done in the last RECENTLY_DONE_DAYS in the user's
    matches. Queries: the count and one page of rows."""
    user = request.user
    today = timezone.localdate()
    filters = TaskFilterForm(request.GET or None)
    if filters.showing_done:
        tasks = (
            access.follow_up_tasks_for(user)
            .filter(done_on__gte=today - timedelta(days=RECENTLY_DONE_DAYS))
            .order_by("-done_on", "-pk")
        )
    else:
        tasks = access.task_queue_for(user).order_by("due_on", "pk")
    tasks = filters.apply(tasks, today=today).select_related(
        "match__family__branch", "match__volunteer", "assignee", "done_by"
    )
    page = page_of(request, tasks)
    for task in page:
        task.overdue = task.is_open and task.due_on < today
    record(
        request,
        families=[task.match.family_id for task in page],
        volunteers=[task.match.volunteer_id for task in page],
    )
    return render(
        request,
        "followup/task_queue.html",
        {
            "page": page,
            "filters": filters,
            "showing_done": filters.showing_done,
            "recent_days": RECENTLY_DONE_DAYS,
            "query_string": query_without_page(request),
            "today": today,
        },
    )


# --- one task -----------------------------------------------------------------------------


def _task_queryset(user):
    return access.follow_up_tasks_for(user).select_related(
        "match__family__branch",
        "match__volunteer",
        "match__followup_volunteer",
        "assignee",
        "done_by",
        "check_in",
    )


def _form_for(task, data, today):
    if task.kind == Kind.END_REVIEW:
        return EndReviewForm(data, match=task.match, today=today)
    return CompleteTaskForm(data)


def _render_task(request, task, form, today, back):
    match = task.match
    task.overdue = task.is_open and task.due_on < today
    check_ins = list(match.check_ins.all()[:HISTORY_LENGTH])
    answered = list(
        match.follow_up_tasks.filter(done_on__isnull=False)
        .exclude(pk=task.pk)
        .select_related("done_by")
        .order_by("-done_on", "-pk")[:HISTORY_LENGTH]
    )
    return render(
        request,
        "followup/task_detail.html",
        {
            "task": task,
            "match": match,
            "form": form if task.is_open else None,
            "check_ins": check_ins,
            "last_check_in": check_ins[0] if check_ins else None,
            "answered": answered,
            "overdue": task.overdue,
            "match_url": match_url(match.pk),
            "back": back,
            "back_url": reverse(BACK_TO[back]),
            "today": today,
        },
    )


def _save(request, task, data, today):
    """Complete the task or answer the review; returns where to go next. Raises
    FollowUpError when the services refuse."""
    user = request.user
    if task.kind != Kind.END_REVIEW:
        services.complete_task(
            task, outcome=data["outcome"], note=data["note"], actor=user, on=today
        )
        messages.success(request, _("The follow-up is recorded."))
        return None
    new_request = services.review_end(
        task,
        decision=data["decision"],
        actor=user,
        on=today,
        new_end=data.get("new_end"),
        reason=data.get("reason") or "",
        note=data["note"],
    )
    if data["decision"] == Decision.EXTEND:
        messages.success(
            request,
            _("The match is extended to %(date)s. A new end-of-course review is planned.")
            % {"date": data["new_end"].strftime("%d.%m.%Y")},
        )
        return None
    if data["decision"] == Decision.CLOSE:
        messages.success(request, _("The match is closed."))
        return None
    messages.success(
        request,
        _("The match is closed. The family is first on the waiting list for a new volunteer."),
    )
    if new_request is not None and user.role in WAITING_LIST_ROLES:
        return reverse("request_detail", kwargs={"pk": new_request.pk})
    return None


@require_http_methods(["GET", "POST"])
@role_required(*FOLLOW_UP_ROLES)
def followup_task(request, pk):
    """One task with the match's facts, its latest check-ins and earlier answers, and the
    form: the outcome and a note for a follow-up, silent match or sparring request; extend,
    close or new volunteer for the end-of-course review (issue 5 items 2 and 4). Only a
    POST changes anything; refused input is shown beside the form with nothing lost."""
    user = request.user
    today = timezone.localdate()
    back = request.POST.get("back") or request.GET.get("back")
    back = back if back in BACK_TO else "dashboard"
    if request.method == "GET":
        task = get_object_or_404(_task_queryset(user), pk=pk)
        return _render_task(request, task, _form_for(task, None, today), today, back)

    with transaction.atomic():
        # Lock the row: two leaders pressing at once complete it once.
        task = get_object_or_404(_task_queryset(user).select_for_update(of=("self",)), pk=pk)
        if not task.is_open:
            messages.error(request, _("This task is already done."))
            return redirect("followup_task", pk=task.pk)
        form = _form_for(task, request.POST, today)
        if form.is_valid():
            try:
                with transaction.atomic():
                    next_url = _save(request, task, form.cleaned_data, today)
            except FollowUpError as error:
                form.add_error(None, str(error))
                # The services set fields before refusing; show the saved state.
                task = _task_queryset(user).get(pk=pk)
            else:
                return redirect(next_url or BACK_TO[back])
    return _render_task(request, task, form, today, back)
