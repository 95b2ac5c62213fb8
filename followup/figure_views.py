"""The report's figures from our own data (issue 5 item 6; report section 3.1.4, Figur
3.2): hours per month in the first and last three months, average match length and the
distribution of lengths, per programme. followup.figures computes them in SQL and keeps
them a while (issue 8: seconds at national scale); the page says when they were computed
and a POST computes them again."""

from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from familien import access
from familien.access import role_required
from familien.models import Role
from followup import figures
from followup.task_forms import FiguresFilterForm

# Leaders see their branches' figures; the central corps and administrators the country's.
FIGURE_ROLES = (Role.LEADER, Role.CENTRAL, Role.ADMIN)


@require_http_methods(["GET", "POST"])
@role_required(*FIGURE_ROLES)
def followup_figures(request):
    """GET shows the figures for the user's scope and the branch filter, from the cache
    when they are there; POST computes them again and comes back (the filter stays in the
    query string). Queries: the chosen branch (when one is), a leader's branch ids for the
    cache key, the branches for the filter, and on a miss the hours bands and the
    lengths; the same at any number of matches and check-ins."""
    user = request.user
    today = timezone.localdate()
    filters = FiguresFilterForm(
        request.GET or None, branches=access.branches_for(user).only("name").order_by("name")
    )
    branch = filters.chosen_branch
    computed = figures.cached_figures(
        user,
        filters.apply(access.matches_for(user)),
        branch_pk=branch.pk if branch else None,
        today=today,
        recompute=request.method == "POST",
    )
    if request.method == "POST":
        return redirect(request.get_full_path())
    return render(
        request,
        "followup/figures.html",
        {
            "filters": filters,
            "hours": computed["hours"],
            "lengths": computed["lengths"],
            "computed_at": computed["computed_at"],
            "reference_weeks": figures.REPORT_FAMILY_FRIEND_WEEKS,
            "window_weeks": figures.WINDOW.days // 7,
        },
    )
