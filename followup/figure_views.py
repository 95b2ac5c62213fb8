"""The report's figures from our own data (issue 5 item 6; report section 3.1.4, Figur
3.2): hours per month in the first and last three months, average match length and the
distribution of lengths, per programme. followup.figures computes them in SQL."""

from django.shortcuts import render
from django.utils import timezone

from familien import access
from familien.access import role_required
from familien.models import Role
from followup import figures
from followup.task_forms import FiguresFilterForm

# Leaders see their branches' figures; the central corps and administrators the country's.
FIGURE_ROLES = (Role.LEADER, Role.CENTRAL, Role.ADMIN)


@role_required(*FIGURE_ROLES)
def followup_figures(request):
    """Queries: the branches for the filter, the hours bands and the lengths; the same
    at any number of matches and check-ins."""
    user = request.user
    today = timezone.localdate()
    filters = FiguresFilterForm(
        request.GET or None, branches=access.branches_for(user).only("name").order_by("name")
    )
    matches = filters.apply(access.matches_for(user))
    return render(
        request,
        "followup/figures.html",
        {
            "filters": filters,
            "hours": figures.hours_per_month(matches, today=today),
            "lengths": figures.match_lengths(matches),
            "reference_weeks": figures.REPORT_FAMILY_FRIEND_WEEKS,
            "window_weeks": figures.WINDOW.days // 7,
        },
    )
