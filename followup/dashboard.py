"""The follow-up dashboard's lists and counts (issue 5 item 5; DOMAIN.md §10, §11; report
section 7.2: activity leaders juggle many follow-ups at once, so due lists matter).

The functions take querysets already scoped by familien.access and never widen them. Each
list or count is one query whatever the number of matches: the four task lists and their
totals come from one query (a row number per kind keeps the first ten of each, window
counts carry the totals), and the per-branch figures from grouped counts
(values().annotate()), never a query per row.
"""

from datetime import date, timedelta

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber

from followup.models import CheckIn, FollowUpTask
from matching.models import Match, SupportRequest
from matching.requests import waiting_list, with_days_waiting

# Each list shows this many rows beside its total and a link to the full queue.
LIST_LENGTH = 10
# The end-of-course review shows this long before it falls due, so an extension or a new
# volunteer can be arranged in time (report section 7.3, Boks 7.1).
REVIEW_AHEAD_DAYS = 14
# Matches whose planned end falls within this many days (or has passed while running).
ENDING_AHEAD_DAYS = 30

Kind = FollowUpTask.Kind
RUNNING = (Match.Status.ACTIVE, Match.Status.ENDING)
# The dashboard's task lists, in the order the page shows them.
TASK_SECTIONS = (Kind.FOLLOW_UP, Kind.SILENT, Kind.SPARRING, Kind.END_REVIEW)


def _on_the_dashboard(today: date) -> Q:
    """Open tasks worth showing today: follow-ups due today or overdue, every silent-match
    alert and sparring request (raised on the day, so due at once), and reviews due within
    REVIEW_AHEAD_DAYS."""
    return (
        Q(kind=Kind.FOLLOW_UP, due_on__lte=today)
        | Q(kind__in=(Kind.SILENT, Kind.SPARRING))
        | Q(kind=Kind.END_REVIEW, due_on__lte=today + timedelta(days=REVIEW_AHEAD_DAYS))
    )


def _task_counts(today: date) -> dict:
    """The conditional counts of the per-branch table (the same as task_lists' summary)."""
    follow_up = Q(kind=Kind.FOLLOW_UP)
    return {
        "overdue": Count("pk", filter=follow_up & Q(due_on__lt=today)),
        "due_today": Count("pk", filter=follow_up & Q(due_on=today)),
        "silent": Count("pk", filter=Q(kind=Kind.SILENT)),
        "sparring": Count("pk", filter=Q(kind=Kind.SPARRING)),
        "reviews": Count("pk", filter=Q(kind=Kind.END_REVIEW)),
    }


def last_check_in():
    """The date of the match's latest check-in, as a subquery for a task row."""
    latest = CheckIn.objects.filter(match=OuterRef("match")).order_by("-met_on")
    return Subquery(latest.values("met_on")[:1])


def _count_in_kind(condition=None):
    """How many of the row's kind are on the dashboard (meeting ``condition``), as a window
    over the whole filtered set: computed before the first ten are kept."""
    counted = Value(1) if condition is None else Case(When(condition, then=1), default=0)
    return Window(Sum(counted, output_field=IntegerField()), partition_by=F("kind"))


def task_lists(tasks, *, today: date):
    """The dashboard's task lists and their counts in one query: a row number per kind
    keeps the first LIST_LENGTH of each by due date, and window counts carry each kind's
    total, so 500 overdue follow-ups cost what 5 do. Returns ({kind: [task, ...]} for
    every kind in TASK_SECTIONS, {"overdue", "due_today", "silent", "sparring",
    "reviews": count})."""
    rows = (
        tasks.open()
        .filter(_on_the_dashboard(today))
        .annotate(
            position=Window(
                RowNumber(), partition_by=F("kind"), order_by=[F("due_on").asc(), F("pk").asc()]
            ),
            in_kind=_count_in_kind(),
            overdue_in_kind=_count_in_kind(Q(due_on__lt=today)),
            last_check_in=last_check_in(),
        )
        .filter(position__lte=LIST_LENGTH)
        .select_related("match__family__branch", "match__volunteer", "assignee")
        .order_by("due_on", "pk")
    )
    lists = {kind: [] for kind in TASK_SECTIONS}
    totals = dict.fromkeys(TASK_SECTIONS, 0)
    overdue = dict.fromkeys(TASK_SECTIONS, 0)
    for task in rows:
        task.overdue = task.due_on < today
        lists[task.kind].append(task)
        totals[task.kind] = task.in_kind
        overdue[task.kind] = task.overdue_in_kind
    summary = {
        "overdue": overdue[Kind.FOLLOW_UP],
        # Follow-ups are on the dashboard when due today or overdue: the rest are today's.
        "due_today": totals[Kind.FOLLOW_UP] - overdue[Kind.FOLLOW_UP],
        "silent": totals[Kind.SILENT],
        "sparring": totals[Kind.SPARRING],
        "reviews": totals[Kind.END_REVIEW],
    }
    return lists, summary


def waiting_families(requests, *, today: date) -> list[SupportRequest]:
    """The first LIST_LENGTH requests on the waiting list (first-on-the-list, then oldest
    first, as the waiting list orders them), each with ``days_waiting`` counted in SQL."""
    waiting = requests.filter(status=SupportRequest.Status.WAITING)
    return list(waiting_list(waiting, today=today)[:LIST_LENGTH])


def waiting_by_branch(requests, *, today: date) -> dict:
    """{branch id: {"waiting": n, "longest": days}} for the waiting requests, one query."""
    rows = (
        with_days_waiting(requests.filter(status=SupportRequest.Status.WAITING), today=today)
        .values(branch=F("family__branch"))
        .annotate(waiting=Count("pk"), longest=Max("days_waiting"))
        .order_by()
    )
    return {row["branch"]: row for row in rows}


def _ending(matches, today: date):
    return matches.filter(
        status__in=RUNNING,
        planned_end__lte=today + timedelta(days=ENDING_AHEAD_DAYS),
    )


def ending_soon(matches, *, today: date) -> list[Match]:
    """Running matches whose planned end is within ENDING_AHEAD_DAYS or already passed:
    the first LIST_LENGTH, soonest first."""
    rows = (
        _ending(matches, today)
        .select_related("family__branch", "volunteer")
        .order_by("planned_end", "pk")[:LIST_LENGTH]
    )
    return list(rows)


def ending_by_branch(matches, *, today: date) -> dict:
    """{branch id: how many matches end soon}, one query."""
    rows = _ending(matches, today).values_list("family__branch").annotate(n=Count("pk")).order_by()
    return dict(rows)


def tasks_by_branch(tasks, *, today: date) -> dict:
    """{branch id: the task counts of task_summary} for the open tasks, one grouped query."""
    rows = (
        tasks.open()
        .filter(_on_the_dashboard(today))
        .values(branch=F("match__family__branch"))
        .annotate(**_task_counts(today))
        .order_by()
    )
    return {row["branch"]: row for row in rows}


BRANCH_COLUMNS = (
    "overdue",
    "due_today",
    "silent",
    "sparring",
    "reviews",
    "waiting",
    "longest",
    "ending",
)


def branch_table(branches, *, task_counts: dict, waiting: dict, ending: dict):
    """The central corps' view (issue 5 item 5): per branch the overdue and today's
    follow-ups, silent matches, sparring requests, reviews due, waiting families with
    the longest wait, and matches ending soon; and the national totals (the longest
    wait is the maximum, the rest are sums). Takes the grouped counts of
    tasks_by_branch, waiting_by_branch and ending_by_branch, so any number of branches
    costs those three queries and the branches' own."""
    rows = []
    for branch in branches:
        counts = task_counts.get(branch.pk, {})
        waits = waiting.get(branch.pk, {})
        row = {column: counts.get(column, 0) for column in BRANCH_COLUMNS[:5]}
        row.update(
            branch=branch,
            waiting=waits.get("waiting", 0),
            longest=waits.get("longest") or 0,
            ending=ending.get(branch.pk, 0),
        )
        rows.append(row)
    totals = {column: sum(row[column] for row in rows) for column in BRANCH_COLUMNS}
    totals["longest"] = max((row["longest"] for row in rows), default=0)
    return rows, totals
