from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db.models import Count, Prefetch
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from familien import access, status
from familien.access import role_required
from familien.models import Parent, Programme, Region, Role, User
from followup import checkins
from matching.models import Match


@login_required
def home(request):
    """Each role's start page, with figures for what that user may see."""
    builder = HOME_PAGES[request.user.role]
    template, context = builder(request.user)
    return render(request, f"familien/home/{template}.html", context)


# The central corps' start page counts every family, volunteer and active match per
# branch, the evaluator's every match per programme: scans of the largest tables,
# 100-300 ms at national scale however they are indexed. Those counts are the same for
# every user who gets them and hold no personal data, so they are kept this long in the
# cache and the page says when they were counted.
NATIONAL_FIGURES_KEY = "familien:home:national-figures:v1"
MATCH_COUNTS_KEY = "familien:home:match-counts:v1"
NATIONAL_FIGURES_SECONDS = 5 * 60


def _count_per_branch(user):
    """{"families"|"volunteers"|"active_matches": {branch id: n}} in the user's scope.

    Three grouped counts instead of one join, so the page costs the same few queries
    whatever the number of rows. COUNT(*), not COUNT(id): the branch indexes answer the
    first two alone (index-only scans), without reading a row of the tables."""
    return {
        "families": dict(
            access.families_for(user).values_list("branch").annotate(n=Count("*")).order_by()
        ),
        "volunteers": dict(
            access.volunteers_for(user).values_list("branch").annotate(n=Count("*")).order_by()
        ),
        "active_matches": dict(
            access.matches_for(user)
            .filter(status=Match.Status.ACTIVE)
            .values_list("family__branch")
            .annotate(n=Count("*"))
            .order_by()
        ),
    }


def _cached_national(key, compute):
    """``compute()``'s counts with the time they were counted, from the cache when
    counted less than NATIONAL_FIGURES_SECONDS ago. Only for counts over every record,
    the same for each user who gets them (the key names the figures, never a user)."""
    figures = cache.get(key)
    if figures is None:
        figures = {**compute(), "computed_at": timezone.now()}
        cache.set(key, figures, NATIONAL_FIGURES_SECONDS)
    return figures


def _national_figures(user):
    """The national counts per branch and of matches started locally and centrally."""
    return _cached_national(
        NATIONAL_FIGURES_KEY,
        lambda: {
            "per_branch": _count_per_branch(user),
            "started": dict(
                Match.objects.values_list("started_by").annotate(n=Count("pk")).order_by()
            ),
        },
    )


def _branch_table(user, per_branch):
    """A row per branch in the user's scope with its counts, and the totals."""
    branches = list(access.branches_for(user).only("name", "municipality", "region"))
    keys = ("families", "volunteers", "active_matches")
    # Each label translated once, not once per branch and table (202 branches nationally).
    regions = {value: str(label) for value, label in Region.choices}
    rows = [
        {
            "branch": branch,
            "region": regions.get(branch.region, branch.region),
            **{key: per_branch[key].get(branch.pk, 0) for key in keys},
        }
        for branch in branches
    ]
    totals = {key: sum(row[key] for row in rows) for key in keys}
    return rows, totals


def _leader_home(user):
    rows, totals = _branch_table(user, _count_per_branch(user))
    return "leader", {"rows": rows, "totals": totals}


def _central_home(user):
    figures = _national_figures(user)
    rows, totals = _branch_table(user, figures["per_branch"])
    by_region = {}
    for row in rows:
        region = by_region.setdefault(
            row["region"],
            {"branches": 0, "families": 0, "volunteers": 0, "active_matches": 0},
        )
        region["branches"] += 1
        for key in ("families", "volunteers", "active_matches"):
            region[key] += row[key]
    started = figures["started"]
    return "central", {
        "rows": rows,
        "totals": totals,
        "regions": sorted(by_region.items()),
        "started_locally": started.get(Match.StartedBy.LOCAL, 0),
        "started_centrally": started.get(Match.StartedBy.CENTRAL, 0),
        "computed_at": figures["computed_at"],
    }


def _matches_with_contacts(user):
    return (
        access.matches_for(user)
        .filter(status=Match.Status.ACTIVE)
        .select_related("family", "family__branch", "volunteer")
        .prefetch_related(Prefetch("family__parents", queryset=Parent.objects.order_by("pk")))
    )


def _followup_home(user):
    return "followup", {"matches": _matches_with_contacts(user)}


def _volunteer_home(user):
    today = timezone.localdate()
    matches = checkins.with_recent_hours(_matches_with_contacts(user), today=today)
    my_hours = checkins.volunteer_hours(access.check_ins_for(user), today=today)
    return "volunteer", {"matches": matches, "my_hours": my_hours}


def _match_counts():
    return {
        "per_programme": [
            (programme, state, n)
            for programme, state, n in Match.objects.values_list("programme", "status")
            .annotate(n=Count("pk"))
            .order_by()
        ]
    }


def _evaluator_home(user):
    # Counts only: an evaluator never sees a named record.
    figures = _cached_national(MATCH_COUNTS_KEY, _match_counts)
    counts = {(programme, state): n for programme, state, n in figures["per_programme"]}
    rows = [
        {
            "programme": label,
            "active": counts.get((value, Match.Status.ACTIVE), 0),
            "closed": counts.get((value, Match.Status.CLOSED), 0),
        }
        for value, label in Programme.choices
    ]
    return "evaluator", {"rows": rows, "computed_at": figures["computed_at"]}


def _admin_home(user):
    per_role = dict(User.objects.values_list("role").annotate(n=Count("pk")).order_by())
    roles = [(label, per_role.get(value, 0)) for value, label in Role.choices]
    return "admin", {"roles": roles, "checks": status.system_status()}


HOME_PAGES = {
    Role.LEADER: _leader_home,
    Role.CENTRAL: _central_home,
    Role.FOLLOWUP: _followup_home,
    Role.VOLUNTEER: _volunteer_home,
    Role.EVALUATOR: _evaluator_home,
    Role.ADMIN: _admin_home,
}


@role_required(Role.ADMIN)
@never_cache
def system_status(request):
    return render(request, "familien/system_status.html", {"checks": status.system_status()})


@require_GET
@never_cache
def healthz(request):
    """For monitors: 200 when every check passes, 503 otherwise; ``?checks=database`` limits.

    Carries no personal data, so it needs no login.
    """
    wanted = request.GET.get("checks")
    names = set(wanted.split(",")) & set(status.CHECKS) if wanted else None
    checks = status.system_status(names)
    healthy = all(check.ok for check in checks)
    return JsonResponse(
        {"status": "ok" if healthy else "failing"}
        | {check.name: check.as_json() for check in checks},
        status=200 if healthy else 503,
    )
