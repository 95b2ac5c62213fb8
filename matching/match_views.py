"""Match pages: propose, the match's page with its timeline and next steps, the
agreement PDF (issue 4 items 4–8).

Thin views: familien.access scopes every lookup, the forms validate, matching.lifecycle
decides and saves; a MatchingError becomes a Danish message.
"""

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from familien import access
from familien.access import CASEWORK_ROLES, role_required
from familien.models import Programme, Role
from familien.services import volunteers as volunteer_services
from matching import lifecycle, suggestions
from matching.agreement_pdf import render_agreement_pdf
from matching.errors import MatchingError
from matching.match_forms import (
    ActivateForm,
    AgreementForm,
    AnswerForm,
    CloseForm,
    ExtendForm,
    MeetingForm,
    NoteForm,
    ReasonForm,
    SignForm,
)
from matching.models import Agreement, Match

S = Match.Status
# Who moves a match along: the leader of the family's branch, the central corps, admins.
MATCHERS = (Role.LEADER, Role.CENTRAL, Role.ADMIN)
# Before both said yes a volunteer sees what the proposal message said, no names.
UNDECIDED = (S.PROPOSED, S.VOLUNTEER_ASKED, S.MEETING_PLANNED)

# step slug: (form, heading, button)
STEPS = {
    "ask": (NoteForm, gettext_lazy("Ask the volunteer"), gettext_lazy("The volunteer is asked")),
    "meeting": (
        MeetingForm,
        gettext_lazy("Match meeting"),
        gettext_lazy("Save the meeting date"),
    ),
    "answer": (AnswerForm, gettext_lazy("Record an answer"), gettext_lazy("Record the answer")),
    "agreement": (
        AgreementForm,
        gettext_lazy("Write the agreement"),
        gettext_lazy("Save the agreement"),
    ),
    "sign": (SignForm, gettext_lazy("Signatures"), gettext_lazy("The agreement is signed")),
    "activate": (ActivateForm, gettext_lazy("Start the match"), gettext_lazy("Start")),
    "extend": (ExtendForm, gettext_lazy("Extend"), gettext_lazy("Extend the match")),
    "ending": (NoteForm, gettext_lazy("Begin the ending"), gettext_lazy("Begin the ending")),
    "close": (CloseForm, gettext_lazy("Close the match"), gettext_lazy("Close")),
    "withdraw": (ReasonForm, gettext_lazy("Withdraw the match"), gettext_lazy("Withdraw")),
}

STEPS_BY_STATUS = {
    S.PROPOSED: ["ask", "answer", "withdraw"],
    S.VOLUNTEER_ASKED: ["meeting", "answer", "withdraw"],
    S.MEETING_PLANNED: ["meeting", "answer", "withdraw"],
    S.DECIDED: ["agreement", "sign", "answer", "withdraw"],
    S.AGREEMENT_SIGNED: ["activate", "answer", "withdraw"],
    S.ACTIVE: ["extend", "ending"],
    S.ENDING: ["extend", "close"],
}

MARKER_LABELS = {
    lifecycle.NOTIFIED_SMS: gettext_lazy("The volunteer was told about the proposal by sms."),
    lifecycle.NOTIFIED_MAIL: gettext_lazy("The volunteer was told about the proposal by e-mail."),
}

MEETING_FREQUENCY = {
    Programme.FAMILY_FRIEND: "ca. 2 timer hver anden uge",
    Programme.EDUCATION_MENTOR: "1–2 timer hver 14. dag",
}


def _match_queryset(user):
    return access.matches_for(user).select_related(
        "family__branch", "volunteer", "request", "proposed_by", "followup_volunteer"
    )


def _agreement_of(match):
    try:
        return match.agreement
    except Agreement.DoesNotExist:
        return None


def _initial(step, match, agreement, today):
    if step in ("meeting",):
        return {"on": match.meeting_on or today}
    if step == "activate":
        return {"on": today}
    if step == "close":
        return {"on": today}
    if step == "agreement":
        if agreement:
            return {
                "focus": agreement.focus,
                "meeting_frequency": agreement.meeting_frequency,
                "planned_end": agreement.planned_end,
            }
        focus = match.focus or (match.request.focus if match.request else "")
        return {
            "focus": focus,
            "meeting_frequency": MEETING_FREQUENCY.get(match.programme, ""),
            "planned_end": lifecycle.default_planned_end(match.programme, today),
        }
    if step == "sign":
        return {"family_signed_on": today, "volunteer_signed_on": today}
    if step == "extend" and match.planned_end:
        return {"new_end": volunteer_services.add_months(match.planned_end, 3)}
    return {}


def _steps_for(match, agreement, today, bound=None):
    """The forms for what can be done now; ``bound`` = (slug, form) re-shown with errors."""
    slugs = list(STEPS_BY_STATUS.get(S(match.status), []))
    if "sign" in slugs and agreement is None:
        slugs.remove("sign")
    steps = []
    for slug in slugs:
        form_class, heading, button = STEPS[slug]
        if bound and bound[0] == slug:
            form = bound[1]
        else:
            form = form_class(initial=_initial(slug, match, agreement, today), prefix=slug)
        steps.append({"slug": slug, "form": form, "heading": heading, "button": button})
    return steps


def _detail(request, match, *, bound=None, status=200):
    user = request.user
    today = timezone.localdate()
    may_act = user.role in MATCHERS
    agreement = _agreement_of(match)
    show_names = may_act or match.status not in UNDECIDED
    events = []
    if user.role in (*MATCHERS, Role.FOLLOWUP):
        events = list(match.events.select_related("by"))
        for event in events:
            event.label = MARKER_LABELS.get(event.note, event.note)
    warnings = []
    if may_act and match.status in lifecycle.BEFORE_ACTIVE:
        warning = lifecycle.capacity_warning(match.volunteer)
        if warning:
            warnings.append(warning)
        on = today
        if lifecycle.involves_children_under_15(
            match, on
        ) and not volunteer_services.has_valid_certificate(match.volunteer, on):
            warnings.append(
                _(
                    "The volunteer will meet children under 15 and has no valid "
                    "child-protection certificate (børneattest) yet: the match cannot start "
                    "without one."
                )
            )
    return render(
        request,
        "matching/match_detail.html",
        {
            "match": match,
            "agreement": agreement,
            "events": events,
            "may_act": may_act,
            "show_names": show_names,
            "children_count": match.family.children.count(),
            "steps": _steps_for(match, agreement, today, bound) if may_act else [],
            "warnings": warnings,
        },
        status=status,
    )


@role_required(*CASEWORK_ROLES)
def match_detail(request, pk):
    """A match's status, its dated and attributed timeline and the next possible steps.
    Leaders, the central corps and admins act; the follow-up volunteer and the volunteer
    read their own matches (access.matches_for scopes them)."""
    match = get_object_or_404(_match_queryset(request.user), pk=pk)
    return _detail(request, match)


@require_POST
@role_required(*MATCHERS)
def match_propose(request, pk, volunteer_pk):
    """Propose a volunteer for a support request, from the suggestions page."""
    support_request = access.get_request_for(request.user, pk)
    # A volunteer of another branch within travel range is offered by the suggestions
    # without being in the leader's own records; either way is fine to propose.
    volunteer = access.volunteers_for(request.user).filter(
        pk=volunteer_pk
    ).first() or suggestions.suggestable_volunteer(
        support_request, volunteer_pk, today=timezone.localdate()
    )
    if volunteer is None:
        raise Http404
    try:
        match = lifecycle.propose_match(support_request, volunteer, actor=request.user)
    except MatchingError as error:
        messages.error(request, str(error))
        return _back(request)
    messages.success(request, _("The volunteer is proposed. They are told by sms and e-mail."))
    warning = lifecycle.capacity_warning(volunteer)
    if warning:
        messages.warning(request, warning)
    return redirect("match_detail", pk=match.pk)


def _back(request):
    """After a refused proposal: back to where the leader came from, if it is ours."""
    target = request.META.get("HTTP_REFERER", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("home")


def _run_step(slug, match, data, user):
    if slug == "ask":
        lifecycle.ask_volunteer(match, actor=user, note=data["note"])
        return _("The volunteer is recorded as asked.")
    if slug == "meeting":
        lifecycle.plan_match_meeting(match, on=data["on"], actor=user)
        return _("The match meeting is planned.")
    if slug == "answer":
        lifecycle.record_decision(
            match,
            party=data["party"],
            decision=data["decision"],
            actor=user,
            reason=data["reason"],
        )
        if match.status == S.DECLINED:
            return _("The answer is recorded. The request is back on the waiting list.")
        if match.status == S.DECIDED:
            return _("Both have said yes. Write the agreement next.")
        return _("The answer is recorded.")
    if slug == "agreement":
        lifecycle.create_agreement(
            match,
            focus=data["focus"],
            meeting_frequency=data["meeting_frequency"],
            planned_end=data["planned_end"],
            actor=user,
        )
        return _("The agreement is saved.")
    if slug == "sign":
        lifecycle.sign_agreement(
            match,
            family_signed_on=data["family_signed_on"],
            volunteer_signed_on=data["volunteer_signed_on"],
            actor=user,
        )
        return _("The signatures are recorded.")
    if slug == "activate":
        lifecycle.activate_match(match, actor=user, on=data["on"])
        return _("The match has started.")
    if slug == "extend":
        lifecycle.extend_match(match, new_end=data["new_end"], actor=user)
        return _("The match is extended.")
    if slug == "ending":
        lifecycle.start_ending(match, actor=user, note=data["note"])
        return _("The match is ending.")
    if slug == "close":
        lifecycle.close_match(match, reason=data["reason"], actor=user, on=data["on"])
        return _("The match is closed.")
    if slug == "withdraw":
        lifecycle.withdraw_match(match, reason=data["reason"], actor=user)
        return _("The match is withdrawn. The request is back on the waiting list.")
    raise Http404


@require_POST
@role_required(*MATCHERS)
def match_step(request, pk, step):
    """Take one step of the lifecycle (``step`` names it: ask, meeting, answer, agreement,
    sign, activate, extend, ending, close, withdraw). Bad input is shown beside the
    field; a step that makes no sense now is refused with the lifecycle's message."""
    if step not in STEPS:
        raise Http404
    form_class = STEPS[step][0]
    with transaction.atomic():
        # Lock the row: two leaders pressing at once take one step after the other.
        match = get_object_or_404(
            _match_queryset(request.user).select_for_update(of=("self",)), pk=pk
        )
        form = form_class(request.POST, prefix=step)
        if not form.is_valid():
            return _detail(request, match, bound=(step, form), status=400)
        try:
            messages.success(request, _run_step(step, match, form.cleaned_data, request.user))
        except MatchingError as error:
            transaction.set_rollback(True)
            messages.error(request, str(error))
    return redirect("match_detail", pk=match.pk)


@role_required(*CASEWORK_ROLES)
def agreement_pdf(request, pk):
    """The aftalepapir or mentoraftale as a PDF download; 404 before it is written. The
    file name carries only the match's number, never a person's name."""
    match = get_object_or_404(_match_queryset(request.user).select_related("agreement"), pk=pk)
    if _agreement_of(match) is None:
        raise Http404
    response = HttpResponse(render_agreement_pdf(match), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="aftale-{match.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    return response
