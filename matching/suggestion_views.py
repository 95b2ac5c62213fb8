"""The ranked, explained volunteer suggestions for a support request (issue 4 item 3).

The page only shows: matching/suggestions.py ranks, and proposing is a POST to the
match lifecycle's own view (match_propose).
"""

from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from familien import access
from familien.access import role_required
from familien.access_log import record
from familien.models import Role
from matching.models import SupportRequest
from matching.suggestions import suggest_volunteers

# Who matches: the branch's activity leaders, the central corps and administrators.
MATCHERS = (Role.LEADER, Role.CENTRAL, Role.ADMIN)
SUGGESTION_COUNT = 10


def _url_or_none(name, **kwargs):
    """A URL that another part of the matching app may not have yet."""
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return None


@role_required(*MATCHERS)
def suggestions(request, pk):
    """Queries: the request with its family (scoped by access), the weights, the
    children with the single-provider flag, the latest intro meeting, the tags, the
    branches within travel range, the ranking (with which of the top volunteers the user
    may open), the top volunteers' tags; the same at 10 or 50,000 volunteers."""
    support_request = get_object_or_404(
        access.requests_for(request.user).select_related(
            "family__branch", "for_parent", "for_child"
        ),
        pk=pk,
    )
    open_for_matching = support_request.status in (
        SupportRequest.Status.WAITING,
        SupportRequest.Status.MATCHING,
    )
    rows = []
    if open_for_matching:
        found = suggest_volunteers(
            support_request,
            today=timezone.localdate(),
            limit=SUGGESTION_COUNT,
            viewer=request.user,
        )
        for suggestion in found:
            volunteer = suggestion.volunteer
            rows.append(
                {
                    "suggestion": suggestion,
                    "detail_url": (
                        reverse("volunteer_detail", kwargs={"pk": volunteer.pk})
                        if suggestion.may_open
                        else None
                    ),
                    "propose_url": _url_or_none(
                        "match_propose", pk=support_request.pk, volunteer_pk=volunteer.pk
                    ),
                }
            )
    record(request, volunteers=[row["suggestion"].volunteer for row in rows])
    return render(
        request,
        "matching/suggestions.html",
        {
            "support_request": support_request,
            "family": support_request.family,
            "open_for_matching": open_for_matching,
            "rows": rows,
            "request_url": _url_or_none("request_detail", pk=support_request.pk),
            "family_url": reverse("family_detail", kwargs={"pk": support_request.family_id}),
        },
    )
