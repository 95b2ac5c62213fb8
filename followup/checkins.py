"""Hours per month from the volunteers' check-ins (issue 5 items 1 and 6; DOMAIN.md §9.1,
Figur 3.2: the report bands a volunteer's month as up to 4 h, 5–8 h or 9 h and more).

The sums are grouped by month in the database (TruncMonth + Sum, the same on SQLite and
PostgreSQL), so a match with years of check-ins costs one small query; Python only fills
in the months without a meeting, which count as 0 hours.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth

from followup.models import CheckIn


@dataclass(frozen=True)
class MonthHours:
    month: date  # the first day of the month
    minutes: int = 0
    meetings: int = 0

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def _shift(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def months_between(first: date, last: date) -> list[date]:
    """The first day of every month from ``first``'s month to ``last``'s, both included."""
    months, month = [], first_of_month(first)
    while month <= last:
        months.append(month)
        month = _shift(month, 1)
    return months


def months_back(today: date, count: int) -> list[date]:
    """The ``count`` months up to and including ``today``'s month, oldest first."""
    return months_between(_shift(first_of_month(today), 1 - count), today)


def _as_date(value) -> date:
    # TruncMonth of a date column gives a date on both databases; a datetime is tolerated.
    return value.date() if isinstance(value, datetime) else value


def minutes_by_month(check_ins, *, by_match=False) -> dict:
    """{month: (minutes, meetings)}, or {(match id, month): …} with ``by_match``: one
    grouped query over ``check_ins`` (already scoped by the caller)."""
    keys = ("match", "month") if by_match else ("month",)
    rows = (
        check_ins.order_by()
        .annotate(month=TruncMonth("met_on"))
        .values(*keys)
        .annotate(minutes=Sum("minutes"), meetings=Count("pk"))
    )
    totals = {}
    for row in rows:
        key = (row["match"], _as_date(row["month"])) if by_match else _as_date(row["month"])
        totals[key] = (row["minutes"] or 0, row["meetings"])
    return totals


def _table(totals, months, key=lambda month: month) -> list[MonthHours]:
    return [MonthHours(month, *totals.get(key(month), (0, 0))) for month in months]


def match_hours(match, *, today: date) -> list[MonthHours]:
    """The match's hours for every month it has run: from its start (or its first
    check-in, if earlier or unknown) to its end, or to this month while it runs."""
    totals = minutes_by_month(CheckIn.objects.filter(match=match))
    starts = [month for month in totals] + ([match.started_on] if match.started_on else [])
    if not starts:
        return []
    last = match.ended_on or today
    ends = [month for month in totals] + [last]
    return _table(totals, months_between(min(starts), max(ends)))


def volunteer_hours(check_ins, *, today: date, months: int = 6) -> list[MonthHours]:
    """A volunteer's hours in the last ``months`` months, over all their matches.
    ``check_ins`` is access.check_ins_for(user): a volunteer's own matches."""
    shown = months_back(today, months)
    return _table(minutes_by_month(check_ins.filter(met_on__gte=shown[0])), shown)


def with_recent_hours(matches, *, today: date, months: int = 3) -> list:
    """The matches as a list, each with ``recent_hours``: its last ``months`` months of
    hours, for the cards on a start page. One grouped query for all the matches."""
    matches = list(matches)
    shown = months_back(today, months)
    totals = minutes_by_month(
        CheckIn.objects.filter(match__in=[m.pk for m in matches], met_on__gte=shown[0]),
        by_match=True,
    )
    for match in matches:
        match.recent_hours = _table(totals, shown, key=lambda month, pk=match.pk: (pk, month))
    return matches
