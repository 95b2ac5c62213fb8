"""The figures the evaluation report uses, from our own check-ins and dates (issue 5 item
6; DOMAIN.md §3.2, §9.1; report section 3.1.4, Figur 3.2 and footnote 2).

Every function takes a Match queryset already scoped by familien.access and answers in
one query whatever the number of matches or check-ins: the minutes of a match's
window are a correlated subquery summing CheckIn.minutes, and the bands are conditional
counts over those sums, grouped per programme. No check-in is loaded into Python.

Choices made where the report leaves room (each documented on the page too):

* "Three months" is 13 weeks (91 days), so the windows are the same length for every
  match and the database can count them: the first window runs from the start date,
  the last one up to and including the end date.
* Hours per month are the window's minutes / 60 / 3. The bands follow Figur 3.2's
  labels: "up to 4 h" is at most 4 h a month, "5-8 h" more than 4 and at most 8, "9 h or
  more" more than 8.
* Only matches that ran at least the three months count: the report treats a family-
  friend course ending before 3 months as one that never got going (DOMAIN.md §11).
  The first three months also count for running matches that have run that long; the
  last three months only for closed matches, since a running match has not reached its
  last months yet.
* Lengths are of closed matches (ended_on − started_on). The report also used the
  12-month survey date for unfinished courses (footnote 2), which we do not have here, so
  our figure covers finished courses only. Months are 365.25 / 12 days: "under 5
  months" is at most 152 days, "5-8" 153-273 days (under 9 months), "9-12" 274-365 days,
  "over 12" 366 days or more.
"""

from datetime import date, timedelta

from django.db.models import (
    Avg,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from familien.days import DaysBetween
from familien.models import Programme
from followup.models import CheckIn
from matching.models import Match

WINDOW = timedelta(weeks=13)
WINDOW_MONTHS = 3
# Figur 3.2's bands as minutes over the three-month window: at most 4 h, at most 8 h a month.
UP_TO_4_MINUTES = 4 * 60 * WINDOW_MONTHS
UP_TO_8_MINUTES = 8 * 60 * WINDOW_MONTHS
HOUR_BANDS = ("up_to_4", "from_5_to_8", "from_9")
# Length bands as the last day of each, in days (a month is 365.25 / 12 days).
UNDER_5_MONTHS_DAYS = 152
UNDER_9_MONTHS_DAYS = 273
UP_TO_12_MONTHS_DAYS = 365
LENGTH_BANDS = ("under_5", "from_5_to_8", "from_9_to_12", "over_12")
# The report's average length of the family-friend courses (section 3.1.4), shown beside ours.
REPORT_FAMILY_FRIEND_WEEKS = 48.4


def _minutes_of_check_ins(**window):
    """The summed minutes of the outer match's check-ins whose met_on satisfies the
    ``window`` lookups (expressions on the outer match), as a subquery; 0 without any."""
    check_ins = (
        CheckIn.objects.filter(match=OuterRef("pk"), **window)
        .order_by()
        .values("match")
        .annotate(total=Sum("minutes"))
        .values("total")
    )
    return Coalesce(Subquery(check_ins, output_field=IntegerField()), Value(0))


def _percent(count, total):
    """Whole percentages, half up, as the report prints them (they may not sum to 100)."""
    return (count * 200 + total) // (total * 2) if total else None


def _programme_rows(grouped, fields):
    """Programme order as in Programme, each row with a programme label; programmes
    without a match are left out."""
    by_programme = {row["programme"]: row for row in grouped}
    rows = []
    for programme in Programme:
        row = by_programme.get(programme.value)
        if row:
            rows.append({"programme": programme, **{field: row[field] for field in fields}})
    return rows


def hours_per_month(matches, *, today: date) -> list[dict]:
    """Figur 3.2 from the check-ins: per programme, how many matches spent up to 4 h,
    5-8 h and 9 h or more a month in their first and their last three months, as counts
    and whole percentages (see the module's notes for which matches count)."""
    # A match counts only once it has run the whole first window (see the module's notes).
    first_window_end = F("started_on") + WINDOW
    in_first = Q(
        started_on__lte=today - WINDOW,
        status__in=(Match.Status.ACTIVE, Match.Status.ENDING, Match.Status.CLOSED),
    ) & (Q(ended_on__isnull=True) | Q(ended_on__gte=first_window_end))
    in_last = Q(status=Match.Status.CLOSED, ended_on__gte=first_window_end)
    counts = {
        "first_n": Count("pk", filter=in_first),
        "first_up_to_4": Count("pk", filter=in_first & Q(first_minutes__lte=UP_TO_4_MINUTES)),
        "first_from_5_to_8": Count(
            "pk",
            filter=in_first
            & Q(first_minutes__gt=UP_TO_4_MINUTES, first_minutes__lte=UP_TO_8_MINUTES),
        ),
        "first_from_9": Count("pk", filter=in_first & Q(first_minutes__gt=UP_TO_8_MINUTES)),
        "last_n": Count("pk", filter=in_last),
        "last_up_to_4": Count("pk", filter=in_last & Q(last_minutes__lte=UP_TO_4_MINUTES)),
        "last_from_5_to_8": Count(
            "pk",
            filter=in_last & Q(last_minutes__gt=UP_TO_4_MINUTES, last_minutes__lte=UP_TO_8_MINUTES),
        ),
        "last_from_9": Count("pk", filter=in_last & Q(last_minutes__gt=UP_TO_8_MINUTES)),
    }
    grouped = (
        matches.filter(in_first | in_last)
        .annotate(
            # First window: from the start, 13 weeks; last window: 13 weeks up to and
            # including the end date.
            first_minutes=_minutes_of_check_ins(
                met_on__gte=OuterRef("started_on"),
                met_on__lt=OuterRef("started_on") + WINDOW,
            ),
            last_minutes=_minutes_of_check_ins(
                met_on__gt=OuterRef("ended_on") - WINDOW,
                met_on__lte=OuterRef("ended_on"),
            ),
        )
        .values("programme")
        .annotate(**counts)
        .order_by()
    )
    rows = _programme_rows(grouped, counts)
    for row in rows:
        for period in ("first", "last"):
            total = row[f"{period}_n"]
            row[period] = {
                "n": total,
                "bands": [
                    {
                        "band": band,
                        "count": row[f"{period}_{band}"],
                        "percent": _percent(row[f"{period}_{band}"], total),
                    }
                    for band in HOUR_BANDS
                ],
            }
    return rows


def match_lengths(matches) -> list[dict]:
    """Per programme, for closed matches: how many, their average length in weeks (one
    decimal, the report's 48.4 weeks for family friends as the reference) and how many
    lasted under 5, 5-8, 9-12 and over 12 months, with whole percentages (DOMAIN.md §3.2;
    report section 3.1.4)."""
    days = DaysBetween("started_on", "ended_on")
    counts = {
        "n": Count("pk"),
        "average_days": Avg("length_days"),
        "under_5": Count("pk", filter=Q(length_days__lte=UNDER_5_MONTHS_DAYS)),
        "from_5_to_8": Count(
            "pk",
            filter=Q(length_days__gt=UNDER_5_MONTHS_DAYS, length_days__lte=UNDER_9_MONTHS_DAYS),
        ),
        "from_9_to_12": Count(
            "pk",
            filter=Q(length_days__gt=UNDER_9_MONTHS_DAYS, length_days__lte=UP_TO_12_MONTHS_DAYS),
        ),
        "over_12": Count("pk", filter=Q(length_days__gt=UP_TO_12_MONTHS_DAYS)),
    }
    grouped = (
        matches.filter(status=Match.Status.CLOSED, started_on__isnull=False, ended_on__isnull=False)
        .annotate(length_days=days)
        .values("programme")
        .annotate(**counts)
        .order_by()
    )
    rows = _programme_rows(grouped, counts)
    for row in rows:
        row["average_weeks"] = round(row["average_days"] / 7, 1)
        row["reference_weeks"] = (
            REPORT_FAMILY_FRIEND_WEEKS if row["programme"] == Programme.FAMILY_FRIEND else None
        )
        row["bands"] = [
            {"band": band, "count": row[band], "percent": _percent(row[band], row["n"])}
            for band in LENGTH_BANDS
        ]
    return rows
