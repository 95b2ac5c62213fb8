"""The figures the evaluation report uses, from our own check-ins and dates (issue 5 item
6; DOMAIN.md §3.2, §9.1; report section 3.1.4, Figur 3.2 and footnote 2).

Every function takes a Match queryset already scoped by familien.access and answers in
one query whatever the number of matches or check-ins: each window of a match is a
correlated subquery that sums CheckIn.minutes and names the band, and the matches are
counted per programme and band. No check-in is loaded into Python. At national scale
that is still seconds, so the page keeps the computed figures a while (the cache at the
end of this module).

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

import hashlib
from datetime import date, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import (
    Avg,
    Case,
    CharField,
    Count,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from familien import access
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
PERIODS = ("first", "last")
# Length bands as the last day of each, in days (a month is 365.25 / 12 days).
UNDER_5_MONTHS_DAYS = 152
UNDER_9_MONTHS_DAYS = 273
UP_TO_12_MONTHS_DAYS = 365
LENGTH_BANDS = ("under_5", "from_5_to_8", "from_9_to_12", "over_12")
# The report's average length of the family-friend courses (section 3.1.4), shown beside ours.
REPORT_FAMILY_FRIEND_WEEKS = 48.4


def _band_of_check_ins(**window):
    """The Figur 3.2 band (HOUR_BANDS) of the outer match's minutes in the check-ins whose
    met_on satisfies the ``window`` lookups (expressions on the outer match), as a
    subquery; "up_to_4" without any. The band is decided inside the subquery, so each
    window's check-ins are summed once per match, not once per band."""
    check_ins = (
        CheckIn.objects.filter(match=OuterRef("pk"), **window)
        .order_by()
        .values("match")
        .annotate(total=Sum("minutes"))
        .annotate(
            band=Case(
                When(total__gt=UP_TO_8_MINUTES, then=Value("from_9")),
                When(total__gt=UP_TO_4_MINUTES, then=Value("from_5_to_8")),
                default=Value("up_to_4"),
            )
        )
        .values("band")
    )
    return Coalesce(Subquery(check_ins, output_field=CharField()), Value("up_to_4"))


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
    and whole percentages (see the module's notes for which matches count).

    One query: each match's two bands (NULL where a window does not count) are grouped
    with the programme, so the database sends a few dozen rows, summed here. Each window
    is one range scan of checkin_match_date_minutes per match, read from the index alone."""
    # A match counts only once it has run the whole first window (see the module's notes).
    first_window_end = F("started_on") + WINDOW
    in_first = Q(
        started_on__lte=today - WINDOW,
        status__in=(Match.Status.ACTIVE, Match.Status.ENDING, Match.Status.CLOSED),
    ) & (Q(ended_on__isnull=True) | Q(ended_on__gte=first_window_end))
    in_last = Q(status=Match.Status.CLOSED, ended_on__gte=first_window_end)
    grouped = (
        matches.filter(in_first | in_last)
        .annotate(
            # First window: from the start, 13 weeks; last window: 13 weeks up to and
            # including the end date.
            first_band=Case(
                When(
                    in_first,
                    then=_band_of_check_ins(
                        met_on__gte=OuterRef("started_on"),
                        met_on__lt=OuterRef("started_on") + WINDOW,
                    ),
                ),
                default=None,
                output_field=CharField(),
            ),
            last_band=Case(
                When(
                    in_last,
                    then=_band_of_check_ins(
                        met_on__gt=OuterRef("ended_on") - WINDOW,
                        met_on__lte=OuterRef("ended_on"),
                    ),
                ),
                default=None,
                output_field=CharField(),
            ),
        )
        .values("programme", "first_band", "last_band")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {}
    for row in grouped:
        programme = counts.setdefault(
            row["programme"], {period: dict.fromkeys(HOUR_BANDS, 0) for period in PERIODS}
        )
        for period in PERIODS:
            band = row[f"{period}_band"]
            if band is not None:
                programme[period][band] += row["n"]
    rows = []
    for programme in Programme:
        if programme.value not in counts:
            continue
        row = {"programme": programme}
        for period, bands in counts[programme.value].items():
            total = sum(bands.values())
            row[period] = {
                "n": total,
                "bands": [
                    {"band": band, "count": bands[band], "percent": _percent(bands[band], total)}
                    for band in HOUR_BANDS
                ],
            }
        rows.append(row)
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


# --- the cache ----------------------------------------------------------------------------
#
# At national scale the hours take a second or more (each of some 160,000 matches sums its
# check-ins in two windows, 3 M check-ins in all) however the index is laid out, so the
# page keeps what it computed for FOLLOWUP_FIGURES_CACHE_SECONDS and says when that was.
# Only aggregates are cached: counts, percentages and averages per programme, never a
# match, a family or a volunteer. The key holds what decides the figures and nothing
# personal: the user's role, the branches they see (a leader's own; "all" for the national
# roles), the branch filter and the day (the windows count from today), hashed.

FIGURES_VERSION = 1  # bump when the cached value's shape changes
DEFAULT_CACHE_SECONDS = 15 * 60


def cache_seconds() -> int:
    return getattr(settings, "FOLLOWUP_FIGURES_CACHE_SECONDS", DEFAULT_CACHE_SECONDS)


def scope_of(user) -> str:
    """The user's role and the branches whose matches they count: one query for a leader
    (their branch ids), none for the national roles."""
    if user.role in access.NATIONAL_ROLES:
        return f"{user.role}:all"
    branches = sorted(access.branches_for(user).values_list("pk", flat=True))
    return f"{user.role}:" + ",".join(str(pk) for pk in branches)


def figures_key(scope: str, *, branch_pk=None, today: date) -> str:
    parts = [str(FIGURES_VERSION), scope, f"branch={branch_pk or ''}", today.isoformat()]
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return f"followup:figures:{digest}"


def compute_figures(matches, *, today: date) -> dict:
    """The page's figures for ``matches`` (already scoped and filtered) and when they were
    computed: two queries."""
    return {
        "hours": hours_per_month(matches, today=today),
        "lengths": match_lengths(matches),
        "computed_at": timezone.now(),
    }


def cached_figures(user, matches, *, branch_pk=None, today: date, recompute=False) -> dict:
    """compute_figures for ``user``'s ``matches`` (familien.access.matches_for(user),
    narrowed to ``branch_pk`` when given), from the cache unless ``recompute``."""
    key = figures_key(scope_of(user), branch_pk=branch_pk, today=today)
    if not recompute:
        found = cache.get(key)
        if found is not None:
            return found
    computed = compute_figures(matches, today=today)
    cache.set(key, computed, cache_seconds())
    return computed


def warm_national_figures(*, today: date) -> dict:
    """Compute the national roles' default page (every branch, no filter) and store it for
    each of them, so the first visit does not wait for it. The central corps and
    administrators count the same matches, so it is computed once."""
    computed = compute_figures(Match.objects.all(), today=today)
    for role in sorted(access.NATIONAL_ROLES):
        cache.set(figures_key(f"{role}:all", today=today), computed, cache_seconds())
    return computed
