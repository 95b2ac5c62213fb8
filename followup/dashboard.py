"""The follow-up dashboard's lists and counts (issue 5 item 5; DOMAIN.md §10, §11; report
section 7.2: activity leaders juggle many follow-ups at once, so due lists matter).

The functions take querysets already scoped by familien.access and never widen them. Each
list or count is one query whatever the number of matches: the four task lists come from
one query (a row number per kind over the bare task rows keeps the first ten of each;
only those are joined), their totals from one aggregate with a FILTER per count, and
the per-branch figures from grouped counts (values().annotate()), never a query per row.
The lists are work lists: always read live, never cached.
"""

from datetime import date, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, F, Max, OuterRef, Q, Subquery, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from familien import access
from familien.models import User
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


TASK_COUNTS = ("overdue", "due_today", "silent", "sparring", "reviews")


def _task_counts(today: date) -> dict:
    """The conditional counts of the summary and of the per-branch table."""
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


def task_summary(tasks, *, today: date) -> dict:
    """{"overdue", "due_today", "silent", "sparring", "reviews": count} of the open tasks
    on the dashboard, in one aggregate over the narrow task rows (no join, so the
    partial index followup_task_open_queue serves it)."""
    return tasks.open().filter(_on_the_dashboard(today)).aggregate(**_task_counts(today))


def task_lists(tasks, *, today: date) -> dict:
    """The first LIST_LENGTH open tasks of each kind in TASK_SECTIONS by due date, as
    {kind: [task, ...]}, in one query. The row numbers are taken over the task rows alone
    (an index scan of followup_task_open_queue), so only the rows kept are joined to
    their match, family and volunteer and look up their last check-in: 5,000 overdue
    follow-ups cost what 5 do."""
    ranked = (
        tasks.open()
        .filter(_on_the_dashboard(today))
        .annotate(
            position=Window(
                RowNumber(), partition_by=F("kind"), order_by=[F("due_on").asc(), F("pk").asc()]
            )
        )
        .filter(position__lte=LIST_LENGTH)
        .values("pk")
    )
    # Never more rows than this, and the limit tells the planner so: it fetches the few
    # rows by primary key instead of hashing them against the whole table.
    first_of_each_kind = ranked[: LIST_LENGTH * len(TASK_SECTIONS)]
    rows = (
        FollowUpTask.objects.filter(pk__in=first_of_each_kind)
        .annotate(last_check_in=last_check_in())
        .select_related("match__family__branch", "match__volunteer", "assignee")
        .order_by("due_on", "pk")
    )
    lists = {kind: [] for kind in TASK_SECTIONS}
    for task in rows:
        task.overdue = task.due_on < today
        lists[task.kind].append(task)
    return lists


def waiting_families(requests, *, today: date) -> list[SupportRequest]:
    """The first LIST_LENGTH requests on the waiting list (first-on-the-list, then oldest
    first, as the waiting list orders them), each with ``days_waiting`` counted in SQL."""
    waiting = requests.filter(status=SupportRequest.Status.WAITING)
    return list(waiting_list(waiting, today=today)[:LIST_LENGTH])


def waiting_count(requests) -> int:
    return requests.filter(status=SupportRequest.Status.WAITING).count()


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


def ending_count(matches, *, today: date) -> int:
    return _ending(matches, today).count()


def ending_by_branch(matches, *, today: date) -> dict:
    """{branch id: how many matches end soon}, one query."""
    rows = _ending(matches, today).values_list("family__branch").annotate(n=Count("pk")).order_by()
    return dict(rows)


def tasks_by_branch(tasks, *, today: date) -> tuple[dict, dict]:
    """The task counts of task_summary for the open tasks on the dashboard, from one query
    grouped by branch and by who is responsible: ({branch id: counts} for the per-branch
    table, {responsible: counts} for the national totals by responsibility). The national
    roles read their own summary off the second (their queue is the tasks of one
    responsibility or of both, access.task_queue_for), which saves them a second pass
    over the country's tasks."""
    rows = (
        tasks.open()
        .filter(_on_the_dashboard(today))
        .values("responsible", branch=F("match__family__branch"))
        .annotate(**_task_counts(today))
        .order_by()
    )
    by_branch, by_responsible = {}, {}
    for row in rows:
        for key, totals in ((row["branch"], by_branch), (row["responsible"], by_responsible)):
            counts = totals.setdefault(key, dict.fromkeys(TASK_COUNTS, 0))
            for column in TASK_COUNTS:
                counts[column] += row[column]
    return by_branch, by_responsible


def summary_of(by_responsible: dict, responsible) -> dict:
    """The counts of task_summary for the tasks of the ``responsible`` responsibilities,
    from tasks_by_branch's second dict."""
    return {
        column: sum(by_responsible.get(who, {}).get(column, 0) for who in responsible)
        for column in TASK_COUNTS
    }


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
        row = {column: counts.get(column, 0) for column in TASK_COUNTS}
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


# --- the national overview ----------------------------------------------------------------
#
# The central corps' table counts every open task, waiting request and ending match in the
# country by branch: three grouped joins through the family for its branch, some 75,000
# rows, a tenth of a second or more at national scale. Those counts are aggregates with
# nothing personal, so they are kept FOLLOWUP_OVERVIEW_CACHE_SECONDS (the page says when
# they were computed); the work lists and the user's own counts stay live.

OVERVIEW_VERSION = 1  # bump when the cached value's shape changes
DEFAULT_OVERVIEW_SECONDS = 6 * 60


def overview_seconds() -> int:
    return getattr(settings, "FOLLOWUP_OVERVIEW_CACHE_SECONDS", DEFAULT_OVERVIEW_SECONDS)


def overview_key(role, *, today: date) -> str:
    return f"followup:overview:{OVERVIEW_VERSION}:{role}:{today.isoformat()}"


def national_overview(user, *, today: date) -> dict:
    """The per-branch table and the national totals for a national role (branch_table),
    the same counts by responsibility (tasks_by_branch) and when they were computed: four
    queries whatever the number of branches."""
    if user.role not in access.NATIONAL_ROLES:
        raise ValueError("the national overview is for the national roles only")
    by_branch, by_responsible = tasks_by_branch(access.follow_up_tasks_for(user), today=today)
    rows, totals = branch_table(
        access.branches_for(user).only("name").order_by("name"),
        task_counts=by_branch,
        waiting=waiting_by_branch(access.requests_for(user), today=today),
        ending=ending_by_branch(access.matches_for(user), today=today),
    )
    return {
        "rows": rows,
        "totals": totals,
        "by_responsible": by_responsible,
        "computed_at": timezone.now(),
    }


def cached_national_overview(user, *, today: date) -> tuple[dict, bool]:
    """(national_overview, whether it was computed just now), from the cache when there."""
    key = overview_key(user.role, today=today)
    found = cache.get(key)
    if found is not None:
        return found, False
    overview = national_overview(user, today=today)
    cache.set(key, overview, overview_seconds())
    return overview, True


def warm_national_overview(*, today: date) -> None:
    """Compute and store the overview of each national role ahead (a periodic task), so
    the central corps' dashboard does not wait for the country's counts."""
    for role in sorted(access.NATIONAL_ROLES):
        # The national scope depends on the role alone (familien.access): no user needed.
        overview = national_overview(User(role=role), today=today)
        cache.set(overview_key(role, today=today), overview, overview_seconds())
