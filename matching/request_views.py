"""Support requests: the waiting list, a new request, the request page with its intro
meetings, talks with volunteers and match history (issue 4 items 1 and 2).

Thin views: familien.access scopes every queryset, the forms validate, and
matching.requests saves or refuses with a MatchingError shown as a Danish message.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from familien import access
from familien.access import role_required
from familien.access_log import record
from familien.models import Role
from familien.paging import page_of, query_without_page
from matching import requests as services
from matching.errors import MatchingError
from matching.request_forms import (
    IntroMeetingForm,
    SupportRequestForm,
    VolunteerTalkForm,
    WaitingListFilterForm,
    WithdrawRequestForm,
)

# Who works with support requests: the leaders of the family's branch, the central corps
# and administrators (familien.access.requests_for decides which requests).
CASEWORKERS = (Role.LEADER, Role.CENTRAL, Role.ADMIN)


# --- the waiting list ------------------------------------------------------------------


@role_required(*CASEWORKERS)
def waiting_list(request):
    """Open requests, first-on-the-list then oldest first, with days waiting (issue 4
    item 1). The central corps also sees each branch's count and average wait."""
    today = timezone.localdate()
    scoped = access.requests_for(request.user)
    filters = WaitingListFilterForm(request.GET or None, user=request.user)
    rows = filters.apply(services.waiting_list(scoped, today=today))
    page = page_of(request, rows)
    record(request, families=lambda: [row.family_id for row in page])
    by_branch = computed_at = None
    if request.user.role in access.NATIONAL_ROLES:
        by_branch, computed_at = services.national_waiting_by_branch(today=today)
    return render(
        request,
        "matching/waiting_list.html",
        {
            "page": page,
            "filters": filters,
            "query_string": query_without_page(request),
            "by_branch": by_branch,
            "by_branch_computed_at": computed_at,
        },
    )


# --- a new request ---------------------------------------------------------------------


@role_required(*CASEWORKERS)
def request_create(request, family_pk):
    family = access.get_family_for(request.user, family_pk)
    parents = list(family.parents.all())
    children = list(family.children.all())
    form = SupportRequestForm(
        request.POST or None, family=family, parents=parents, children=children
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            support_request = services.create_request(
                family,
                programme=data["programme"],
                actor=request.user,
                for_parent=data["for_parent"],
                for_child=data["for_child"],
                wishes=data["wishes"],
                focus=data["focus"],
                mode=data["mode"],
                availability=data["availability"],
            )
        except MatchingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The request is on the waiting list."))
            return redirect("request_detail", pk=support_request.pk)
    return render(
        request,
        "matching/request_form.html",
        {"family": family, "form": form, "has_people": bool(parents or children)},
    )


# --- the request page ------------------------------------------------------------------


def _load_request(user, pk):
    """The request with what the page header shows, in one query; 404 outside scope."""
    return get_object_or_404(
        access.requests_for(user).select_related(
            "family__branch", "for_parent", "for_child", "created_by", "taken_over_by"
        ),
        pk=pk,
    )


def _render_detail(request, support_request, *, status=200, **bound):
    user = request.user
    is_open = support_request.status in services.OPEN_STATUSES
    context = {
        "req": support_request,
        "family": support_request.family,
        "days_waiting": services.waiting_days(support_request, timezone.localdate()),
        "intro_meetings": list(support_request.intro_meetings.select_related("held_by")),
        "talks": list(support_request.volunteer_talks.select_related("volunteer", "held_by")),
        "matches": list(
            access.matches_for(user)
            .filter(request=support_request)
            .select_related("volunteer")
            .order_by("-created_at", "-pk")
        ),
        "is_open": is_open,
        "may_take_over": is_open
        and user.role == Role.CENTRAL
        and not support_request.handled_centrally,
        "intro_form": bound.get("intro_form") or IntroMeetingForm(prefix="intro"),
        "talk_form": bound.get("talk_form")
        or VolunteerTalkForm(prefix="talk", user=user, request=support_request),
        "withdraw_form": bound.get("withdraw_form") or WithdrawRequestForm(prefix="withdraw"),
    }
    return render(request, "matching/request_detail.html", context, status=status)


@role_required(*CASEWORKERS)
def request_detail(request, pk):
    return _render_detail(request, _load_request(request.user, pk))


def _done(request, support_request, message, anchor=""):
    messages.success(request, message)
    url = reverse("request_detail", args=[support_request.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


@require_POST
@role_required(*CASEWORKERS)
def request_intro_meeting(request, pk):
    """Record an intro meeting with the family (issue 4 item 2)."""
    support_request = _load_request(request.user, pk)
    form = IntroMeetingForm(request.POST, prefix="intro")
    if form.is_valid():
        try:
            services.record_intro_meeting(support_request, actor=request.user, **form.cleaned_data)
        except MatchingError as error:
            form.add_error(None, str(error))
        else:
            return _done(request, support_request, _("The intro meeting is recorded."), "intro")
    return _render_detail(request, support_request, intro_form=form)


@require_POST
@role_required(*CASEWORKERS)
def request_volunteer_talk(request, pk):
    """Record a talk with a volunteer about this request (issue 4 item 2)."""
    support_request = _load_request(request.user, pk)
    form = VolunteerTalkForm(
        request.POST, prefix="talk", user=request.user, request=support_request
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.record_volunteer_talk(
                data["volunteer"],
                held_on=data["held_on"],
                notes=data["notes"],
                actor=request.user,
                request=support_request,
            )
        except MatchingError as error:
            form.add_error(None, str(error))
        else:
            return _done(request, support_request, _("The talk is recorded."), "talks")
    return _render_detail(request, support_request, talk_form=form)


@require_POST
@role_required(*CASEWORKERS)
def request_withdraw(request, pk):
    support_request = _load_request(request.user, pk)
    form = WithdrawRequestForm(request.POST, prefix="withdraw")
    if form.is_valid():
        try:
            services.withdraw_request(
                support_request, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except MatchingError as error:
            messages.error(request, str(error))
            return redirect("request_detail", pk=support_request.pk)
        return _done(request, support_request, _("The request is withdrawn."))
    return _render_detail(request, support_request, withdraw_form=form)


@require_POST
@role_required(Role.CENTRAL)
def request_take_over(request, pk):
    """The central corps takes over a branch's request (report section 7.1)."""
    support_request = _load_request(request.user, pk)
    try:
        services.take_over_request(support_request, actor=request.user)
    except MatchingError as error:
        messages.error(request, str(error))
        return redirect("request_detail", pk=support_request.pk)
    return _done(request, support_request, _("The central corps now handles the request."))
