"""The survey calls (issue 6 item 4; DOMAIN.md §14): after the sms and mail reminders the
respondent is contacted personally, by the person who follows the match up, until they
answer or SURVEY_MAX_ATTEMPTS attempts in all have been made.

Thin views: surveys.scoping scopes every lookup (an invitation outside the user's matches
is a 404), the form checks the input, surveys.services.record_call_attempt decides and
saves; a SurveyError is shown beside the form with the input kept.
"""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from familien.access import role_required
from familien.access_log import record
from familien.paging import page_of, query_without_page
from surveys import services
from surveys.call_forms import CallAttemptForm
from surveys.letters import letters_for
from surveys.models import Invitation, Step
from surveys.scoping import CALLERS, call_queue_for, invitations_for
from surveys.services import SurveyError

# A response can still be keyed in from paper while the invitation is open, and after the
# attempts ran out (a letter may come back late).
PAPER_ENTRY_STATUSES = (Invitation.Status.OPEN, Invitation.Status.NON_RESPONSE)


def url_or_none(name, **kwargs):
    """The URL of ``name``, or None while no page of that name exists (the paper entry
    page is built separately; this page works with or without it)."""
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return None


def respondent_of(invitation):
    return invitation.parent or invitation.volunteer


@role_required(*CALLERS)
def survey_call_queue(request):
    """The user's due calls, the longest waiting first, with the number of attempts so
    far. Queries: the count and one page of rows (with respondent and match), and the
    number of letters to post: the same at any number of invitations."""
    user = request.user
    calls = (
        call_queue_for(user)
        .select_related("parent", "volunteer", "match")
        .order_by("next_step_at", "pk")
    )
    page = page_of(request, calls)
    for invitation in page:
        invitation.respondent = respondent_of(invitation)
    record(
        request,
        families=[invitation.match.family_id for invitation in page],
        volunteers=[invitation.volunteer_id for invitation in page if invitation.volunteer_id],
    )
    return render(
        request,
        "surveys/call_queue.html",
        {
            "page": page,
            "query_string": query_without_page(request),
            "max_attempts": settings.SURVEY_MAX_ATTEMPTS,
            "letters_count": letters_for(user).count(),
        },
    )


def _invitation_queryset(user):
    return invitations_for(user).select_related("parent", "volunteer", "match", "questionnaire")


def _render_call(request, invitation, form):
    now = timezone.now()
    attempts = list(invitation.contact_attempts.select_related("by").order_by("created_at", "pk"))
    waiting = invitation.status == Invitation.Status.OPEN and invitation.next_step == Step.CALL
    return render(
        request,
        "surveys/call_detail.html",
        {
            "invitation": invitation,
            "respondent": respondent_of(invitation),
            "attempts": attempts,
            "max_attempts": settings.SURVEY_MAX_ATTEMPTS,
            "waiting_for_call": waiting,
            "due": waiting
            and invitation.next_step_at is not None
            and invitation.next_step_at <= now,
            # The form stays on screen when the service refused, so the input is not lost.
            "form": form if waiting or form.errors else None,
            "paper_entry_url": url_or_none("survey_paper_entry", pk=invitation.pk)
            if invitation.status in PAPER_ENTRY_STATUSES
            else None,
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(*CALLERS)
def survey_call(request, pk):
    """One invitation to call about: the respondent's name, phone and e-mail, every
    attempt so far (automatic ones and people's), and the form to record one more. Only a
    POST changes anything; the ninth attempt closes the invitation as no answer
    (DOMAIN.md §14)."""
    invitation = get_object_or_404(_invitation_queryset(request.user), pk=pk)
    form = CallAttemptForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_call_attempt(
                invitation,
                channel=data["channel"],
                outcome=data["outcome"],
                actor=request.user,
                note=data["note"],
            )
        except SurveyError as error:
            form.add_error(None, str(error))
            invitation = _invitation_queryset(request.user).get(pk=pk)
        else:
            invitation.refresh_from_db(fields=["status", "attempts", "next_step", "next_step_at"])
            if invitation.status == Invitation.Status.NON_RESPONSE:
                messages.success(
                    request,
                    _(
                        "The attempt is recorded. That was attempt %(max)s: the invitation is "
                        "closed as no answer."
                    )
                    % {"max": invitation.attempts},
                )
            else:
                messages.success(
                    request,
                    _("The attempt is recorded. The next call is due on %(date)s.")
                    % {
                        "date": formats.date_format(
                            timezone.localtime(invitation.next_step_at), "j. F Y"
                        )
                    },
                )
            return redirect("survey_call", pk=invitation.pk)
    return _render_call(request, invitation, form)
