"""The operational figures of the report (issue 7 item 2): matches started per programme,
locally and centrally; waiting time; match lengths; follow-ups done on time; check-in
hours; volunteers in the recruitment pipeline and where they stall.

Every function takes querysets already scoped by familien.access (and narrowed to the
report's branch and programme by the caller) plus the report's ``Period``, and answers in
one query grouped per programme (or per step), whatever the number of rows: the database
counts, sums and groups; Python only puts the few grouped numbers together.

Where the report leaves room, the choices made (also printed in the PDF's notes):

* **Matches started** count matches whose ``started_on`` falls in the period, split by
  ``Match.started_by`` as the report counts local and central starts (DOMAIN.md §2.2;
  report section 2.2 and 7.1: 348 local and 161 central family-friend courses).
* **Waiting time** is counted for the matches started in the period that came from a
  support request: days from the request's ``waiting_since`` to the match's start (a
  re-matched family waits again from its new request, DOMAIN.md §11). The families still
  waiting are counted as of today with matching.requests.with_days_waiting.
* Means and medians are computed from a histogram the database groups by whole days
  (one row per distinct number of days), so the median needs no row per person.
* **Match lengths** reuse followup.figures.match_lengths for the matches that ended in the
  period (DOMAIN.md §3.2; report section 3.1.4).
* **Follow-ups on time**: the planned follow-ups (FollowUpTask kind follow-up, DOMAIN.md
  §10.1) due in the period and no later than today: done on or before the due date, done
  late, or still open past it. Cancelled ones (the match closed) are left out.
* **Check-in hours** sum CheckIn.minutes per programme and calendar month of the meeting
  (DOMAIN.md §9.1); Figur 3.2's bands come from followup.figures.hours_per_month.
* **Pipeline**: volunteers per PipelineStep now, with the median days in the current step
  (``pipeline_step_on``); a volunteer stalls when they have been in a step before
  "ready" longer than ``STALLED_AFTER_DAYS`` (report section 7.1: many sign-ups are never
  reached, some never turn up to the course).
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth

from familien.days import DaysBetween, days_since
from familien.models import PipelineStep
from followup import figures
from followup.models import FollowUpTask
from matching.models import Match
from matching.requests import OPEN_STATUSES, with_days_waiting

# Waiting-time bands, as (key, last day of the band); None is open-ended.
WAITING_BANDS = (
    ("up_to_14", 14),
    ("from_15_to_30", 30),
    ("from_31_to_60", 60),
    ("from_61_to_90", 90),
    ("over_90", None),
)
# Steps before a volunteer can be matched: where recruitment can stall (report section 7.1).
RECRUITMENT_STEPS = (
    PipelineStep.SIGNED_UP,
    PipelineStep.CONTACTED,
    PipelineStep.INTRO_TALK,
    PipelineStep.COURSE_BOOKED,
    PipelineStep.COURSE_COMPLETED,
)
STALLED_AFTER_DAYS = 30


@dataclass(frozen=True)
class Period:
    """The report's period; either end may be open."""

    start: date | None = None
    end: date | None = None

    def lookups(self, field):
        """Filter keyword arguments keeping ``field`` (a date) inside the period."""
        found = {}
        if self.start:
            found[f"{field}__gte"] = self.start
        if self.end:
            found[f"{field}__lte"] = self.end
        return found


def percent(count, total):
    """Whole percent, half up, as the report prints them; None of nothing."""
    return (count * 200 + total) // (total * 2) if total else None


def _median(histogram: Counter):
    """The median of a {days: count} histogram (the mean of the two middle values for
    an even count), or None when empty."""
    total = sum(histogram.values())
    if not total:
        return None
    middle = [(total - 1) // 2, total // 2]
    found, seen = [], 0
    for days in sorted(histogram):
        count = histogram[days]
        while middle and middle[0] < seen + count:
            found.append(days)
            middle.pop(0)
        seen += count
    return sum(found) / len(found)


def summarise_days(histogram: Counter, bands=WAITING_BANDS):
    """n, mean, median and band counts of a {days: count} histogram."""
    n = sum(histogram.values())
    mean = sum(days * count for days, count in histogram.items()) / n if n else None
    rows, low = [], None
    for key, last in bands:
        count = sum(
            c
            for days, c in histogram.items()
            if (low is None or days > low) and (last is None or days <= last)
        )
        rows.append({"band": key, "count": count, "percent": percent(count, n)})
        low = last
    return {
        "n": n,
        "mean": None if mean is None else round(mean, 1),
        "median": _median(histogram),
        "bands": rows,
    }


def _histograms(queryset, group, days):
    """{group value: Counter{days: count}} in one query grouped by ``group`` and days."""
    rows = (
        queryset.annotate(days=days)
        .order_by()
        .values(group, "days")
        .annotate(n=Count("pk"))
        .values_list(group, "days", "n")
    )
    found = defaultdict(Counter)
    for key, days, n in rows:
        found[key][max(days or 0, 0)] += n
    return found


def matches_started(matches, period: Period):
    """{programme: {local, central, total}} of the matches started in the period
    (DOMAIN.md §2.2)."""
    rows = (
        matches.filter(started_on__isnull=False, **period.lookups("started_on"))
        .order_by()
        .values("programme")
        .annotate(
            local=Count("pk", filter=Q(started_by=Match.StartedBy.LOCAL)),
            central=Count("pk", filter=Q(started_by=Match.StartedBy.CENTRAL)),
            total=Count("pk"),
        )
    )
    return {row.pop("programme"): row for row in rows}


def waiting_before_start(matches, period: Period):
    """{programme: summary} of the days from the request's ``waiting_since`` to the start
    of each match started in the period (report section 7.1, waiting time)."""
    started = matches.filter(
        started_on__isnull=False, request__isnull=False, **period.lookups("started_on")
    )
    found = _histograms(started, "programme", DaysBetween("request__waiting_since", "started_on"))
    return {programme: summarise_days(histogram) for programme, histogram in found.items()}


def currently_waiting(requests, *, today: date):
    """{programme: summary} of the requests still on the waiting list today, with the
    days each has waited (matching.requests.with_days_waiting)."""
    waiting = with_days_waiting(requests.filter(status__in=OPEN_STATUSES), today=today)
    found = _histograms(waiting, "programme", F("days_waiting"))
    return {programme: summarise_days(histogram) for programme, histogram in found.items()}


def match_lengths(matches, period: Period):
    """{programme: row} of followup.figures.match_lengths for the matches that ended in
    the period (DOMAIN.md §3.2)."""
    ended = matches.filter(**period.lookups("ended_on"))
    return {row["programme"].value: row for row in figures.match_lengths(ended)}


def hours_bands(matches, period: Period, *, today: date):
    """{programme: row} of Figur 3.2's bands (followup.figures.hours_per_month) for the
    matches started in the period."""
    started = matches.filter(**period.lookups("started_on"))
    return {row["programme"].value: row for row in figures.hours_per_month(started, today=today)}


def _follow_ups_due(tasks, period: Period, *, today: date):
    """Planned follow-ups due in the period and no later than today, not cancelled."""
    end = min(period.end, today) if period.end else today
    return tasks.filter(
        kind=FollowUpTask.Kind.FOLLOW_UP,
        cancelled_on__isnull=True,
        **Period(period.start, end).lookups("due_on"),
    )


def follow_ups_on_time(tasks, period: Period, *, today: date):
    """{programme: {due, on_time, late, overdue, percent_on_time}} of the planned
    follow-ups due in the period and by today (DOMAIN.md §10.1): done on or before the
    due date, done after it, or still open past it."""
    due = _follow_ups_due(tasks, period, today=today)
    rows = (
        due.order_by()
        .values(programme=F("match__programme"))
        .annotate(
            due=Count("pk"),
            on_time=Count("pk", filter=Q(done_on__lte=F("due_on"))),
            late=Count("pk", filter=Q(done_on__gt=F("due_on"))),
            overdue=Count("pk", filter=Q(done_on__isnull=True)),
        )
    )
    found = {}
    for row in rows:
        programme = row.pop("programme")
        row["percent_on_time"] = percent(row["on_time"], row["due"])
        found[programme] = row
    return found


def check_in_hours(check_ins, period: Period):
    """{programme: {months: [{month, hours, check_ins, matches}], hours, check_ins}}:
    the logged time per calendar month of the meetings in the period (DOMAIN.md §9.1)."""
    rows = (
        check_ins.filter(**period.lookups("met_on"))
        .order_by()
        .values(programme=F("match__programme"), month=TruncMonth("met_on"))
        .annotate(
            minutes=Sum("minutes"),
            check_ins=Count("pk"),
            matches=Count("match", distinct=True),
        )
        .order_by("programme", "month")
    )
    found = {}
    for row in rows:
        entry = found.setdefault(row["programme"], {"months": [], "minutes": 0, "check_ins": 0})
        entry["months"].append(
            {
                "month": row["month"],
                "hours": round(row["minutes"] / 60, 1),
                "check_ins": row["check_ins"],
                "matches": row["matches"],
            }
        )
        entry["minutes"] += row["minutes"]
        entry["check_ins"] += row["check_ins"]
    for entry in found.values():
        entry["hours"] = round(entry.pop("minutes") / 60, 1)
    return found


def pipeline(volunteers, *, today: date):
    """Volunteers per PipelineStep now, in the pipeline's order, with the median days in
    the current step and how many have stalled (longer than STALLED_AFTER_DAYS in a step
    before "ready"); and the recruitment step where most have stalled (report section
    7.1). Returns {"steps": [...], "stall_step": row or None, "total": n}."""
    found = _histograms(volunteers, "pipeline_step", days_since("pipeline_step_on", today=today))
    steps = []
    for step in PipelineStep:
        histogram = found.get(step.value, Counter())
        n = sum(histogram.values())
        recruiting = step in RECRUITMENT_STEPS
        stalled = (
            sum(c for days, c in histogram.items() if days > STALLED_AFTER_DAYS)
            if recruiting
            else None
        )
        steps.append(
            {
                "step": step,
                "count": n,
                "median_days": _median(histogram),
                "recruiting": recruiting,
                "stalled": stalled,
                "stalled_percent": percent(stalled, n) if recruiting else None,
            }
        )
    candidates = [row for row in steps if row["recruiting"] and row["stalled"]]
    stall_step = max(
        candidates, key=lambda row: (row["stalled"], row["median_days"] or 0), default=None
    )
    for row in steps:
        row["is_stall_step"] = row is stall_step
    return {"steps": steps, "stall_step": stall_step, "total": sum(r["count"] for r in steps)}


def by_branch(matches, requests, tasks, period: Period, *, today: date):
    """Per branch and programme: matches started (locally, centrally), requests waiting
    now with their mean days, and follow-ups on time; three grouped queries. Returns
    {programme: [row per branch, by branch name]}."""
    keyed = {}

    def row_for(programme, branch_pk, branch_name):
        return keyed.setdefault(
            (programme, branch_pk),
            {
                "branch": branch_name,
                "local": 0,
                "central": 0,
                "waiting": 0,
                "waiting_days": None,
                "due": 0,
                "on_time": 0,
            },
        )

    started = (
        matches.filter(started_on__isnull=False, **period.lookups("started_on"))
        .order_by()
        .values("programme", branch_pk=F("family__branch"), branch_name=F("family__branch__name"))
        .annotate(
            local=Count("pk", filter=Q(started_by=Match.StartedBy.LOCAL)),
            central=Count("pk", filter=Q(started_by=Match.StartedBy.CENTRAL)),
        )
    )
    for row in started:
        entry = row_for(row["programme"], row["branch_pk"], row["branch_name"])
        entry["local"], entry["central"] = row["local"], row["central"]
    waiting = (
        with_days_waiting(requests.filter(status__in=OPEN_STATUSES), today=today)
        .order_by()
        .values("programme", branch_pk=F("family__branch"), branch_name=F("family__branch__name"))
        .annotate(waiting=Count("pk"), waiting_days_total=Sum("days_waiting"))
    )
    for row in waiting:
        entry = row_for(row["programme"], row["branch_pk"], row["branch_name"])
        entry["waiting"] = row["waiting"]
        entry["waiting_days"] = round(row["waiting_days_total"] / row["waiting"], 1)
    due = (
        _follow_ups_due(tasks, period, today=today)
        .order_by()
        .values(
            programme=F("match__programme"),
            branch_pk=F("match__family__branch"),
            branch_name=F("match__family__branch__name"),
        )
        .annotate(due=Count("pk"), on_time=Count("pk", filter=Q(done_on__lte=F("due_on"))))
    )
    for row in due:
        entry = row_for(row["programme"], row["branch_pk"], row["branch_name"])
        entry["due"], entry["on_time"] = row["due"], row["on_time"]
    found = defaultdict(list)
    for (programme, _branch), entry in keyed.items():
        entry["percent_on_time"] = percent(entry["on_time"], entry["due"])
        found[programme].append(entry)
    for rows in found.values():
        rows.sort(key=lambda entry: entry["branch"])
    return dict(found)


def operational_figures(sources, period: Period, *, today: date):
    """Every figure above for ``sources`` (a dict of scoped querysets: matches, requests,
    tasks, check_ins, volunteers), keyed by figure and then by programme value."""
    matches = sources["matches"]
    return {
        "started": matches_started(matches, period),
        "waiting_before_start": waiting_before_start(matches, period),
        "waiting_now": currently_waiting(sources["requests"], today=today),
        "lengths": match_lengths(matches, period),
        "hours_bands": hours_bands(matches, period, today=today),
        "follow_ups": follow_ups_on_time(sources["tasks"], period, today=today),
        "check_in_hours": check_in_hours(sources["check_ins"], period),
    }
