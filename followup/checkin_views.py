"""The match's follow-up page and the volunteer's check-in (issue 5 item 1).

Thin views: familien.access scopes every lookup, the form checks the input,
followup.services.log_check_in decides and saves; a FollowUpError is shown in the form
with the input kept.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from familien import access
from familien.access import CASEWORK_ROLES, role_required
from familien.models import Parent, Role
from familien.paging import page_of
from followup import checkins, services
from followup.checkin_forms import CheckInForm
from followup.errors import FollowUpError
from followup.models import Activity, CheckIn
from matching.models import Agreement

# Who follows matches up and sees their tasks (DOMAIN.md §2.2); the volunteer does not.
FOLLOWERS = (Role.LEADER, Role.CENTRAL, Role.FOLLOWUP, Role.ADMIN)
# Who moves a match along on its own page (matching.match_views.MATCHERS).
MATCHERS = (Role.LEADER, Role.CENTRAL, Role.ADMIN)
CHECK_INS_PER_PAGE = 20
ACTIVITY_LABELS = dict(Activity.choices)


def _match_for(user, pk):
    matches = access.matches_for(user).select_related("family__branch", "volunteer", "agreement")
    return get_object_or_404(matches, pk=pk)


def _agreement_of(match):
    try:
        return match.agreement
    except Agreement.DoesNotExist:
        return None


def _may_log(user, match):
    return user.role == Role.VOLUNTEER and match.status in services.RUNNING


@role_required(*CASEWORK_ROLES)
def followup_match(request, pk):
    """The match as its follow-up needs it: focus, the family's contacts, dates, the
    check-ins and hours per month; the open follow-up tasks for those who follow up.
    Queries: the match with family, branch, volunteer and agreement; the parents; the
    check-ins' count and page; the hours grouped by month; the open tasks: the same
    six at 5 check-ins and at 100 (tests/test_checkins.py)."""
    user = request.user
    today = timezone.localdate()
    match = _match_for(user, pk)
    # A volunteer learns who the family is only once both sides have said yes, and no
    # longer after the match has closed (access.VOLUNTEER_KNOWS_FAMILY).
    knows_family = user.role != Role.VOLUNTEER or match.status in access.VOLUNTEER_KNOWS_FAMILY
    parents = (
        list(Parent.objects.filter(family=match.family_id).order_by("pk")) if knows_family else []
    )
    page = page_of(request, CheckIn.objects.filter(match=match), per_page=CHECK_INS_PER_PAGE)
    for check_in in page:
        check_in.activity_labels = [ACTIVITY_LABELS.get(a, a) for a in check_in.activities]
        check_in.hours = round(check_in.minutes / 60, 1)
    hours = checkins.match_hours(match, today=today)
    tasks = []
    if user.role in FOLLOWERS:
        tasks = list(
            access.follow_up_tasks_for(user).open().filter(match=match).order_by("due_on", "pk")
        )
        for task in tasks:
            task.overdue = task.due_on < today
            task.url = reverse("followup_task", kwargs={"pk": task.pk})
    return render(
        request,
        "followup/match_followup.html",
        {
            "match": match,
            "agreement": _agreement_of(match),
            "knows_family": knows_family,
            "parents": parents,
            "page": page,
            "hours": hours[::-1],  # newest month first, as the check-ins
            "total_hours": round(sum(row.minutes for row in hours) / 60, 1),
            "tasks": tasks,
            "show_tasks": user.role in FOLLOWERS,
            "may_log": _may_log(user, match),
            "match_url": reverse("match_detail", kwargs={"pk": match.pk})
            if user.role in MATCHERS
            else None,
        },
    )


@role_required(Role.VOLUNTEER)
def checkin_create(request, pk):
    """Log a meeting with the family: one screen, a few taps, well under 30 seconds on a
    phone (issue 5 item 1). Only the match's own volunteer logs; a leader never logs on
    their behalf (the hours are the volunteer's own account, DOMAIN.md §9.1)."""
    match = _match_for(request.user, pk)
    if match.status not in services.RUNNING:
        messages.error(request, _("Check-ins can only be logged for a running match."))
        return redirect("followup_match", pk=match.pk)
    today = timezone.localdate()
    form = CheckInForm(request.POST if request.method == "POST" else None, today=today)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.log_check_in(
                match,
                actor=request.user,
                met_on=data["met_on"],
                minutes=data["minutes"],
                place=data["place"],
                activities=data["activities"],
                note=data["note"],
                wants_sparring=data["wants_sparring"],
                today=today,
            )
        except FollowUpError as error:
            form.add_error(None, str(error))
        else:
            if data["wants_sparring"]:
                messages.success(
                    request,
                    _(
                        "The meeting is saved. The person who follows up your match is told "
                        "that you would like sparring."
                    ),
                )
            else:
                messages.success(request, _("The meeting is saved. Thank you!"))
            return redirect("followup_match", pk=match.pk)
    return render(
        request,
        "followup/checkin_form.html",
        {"match": match, "form": form},
    )
