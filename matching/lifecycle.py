"""The match lifecycle as an explicit state machine (issue 4 items 4–8; DOMAIN.md §8, §11).

proposed → volunteer asked → match meeting planned → decided (both said yes) → agreement
signed → active → ending → closed. A "no" from either party (declined) or a withdrawal
ends it from any state before active and puts the support request back on the waiting
list with its history (report section 7.2: the leader restarts when a party drops out).
An active match can be extended (stays active, the event records the new end); an ending
one can be extended back into active (report section 7.3, Boks 7.1).

``ALLOWED`` is the whole table; ``transition`` is the only function that changes a
match's status and it writes a dated, attributed MatchEvent each time. Self-transitions
(e.g. active → active) are steps that change the match without changing its status: an
answer recorded, a meeting moved, an agreement drafted, an extension.
"""

import contextlib
from datetime import timedelta
from functools import partial

from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from familien.models import FrameworkAgreement, Notification, PipelineStep, Programme, Role
from familien.services import volunteers as volunteer_services
from familien.services.notifications import notify_branch_leaders
from matching.errors import MatchingError
from matching.models import Agreement, Decision, Match, MatchEvent, SupportRequest

S = Match.Status

BEFORE_ACTIVE = (S.PROPOSED, S.VOLUNTEER_ASKED, S.MEETING_PLANNED, S.DECIDED, S.AGREEMENT_SIGNED)

ALLOWED = {
    # The volunteer may answer the proposal message straight away (self-transition).
    S.PROPOSED: {S.PROPOSED, S.VOLUNTEER_ASKED, S.DECLINED, S.WITHDRAWN},
    S.VOLUNTEER_ASKED: {S.VOLUNTEER_ASKED, S.MEETING_PLANNED, S.DECLINED, S.WITHDRAWN},
    # Answers after the match meeting, or the meeting moved (self-transition).
    S.MEETING_PLANNED: {S.MEETING_PLANNED, S.DECIDED, S.DECLINED, S.WITHDRAWN},
    # The agreement is drafted (self-transition), then signed.
    S.DECIDED: {S.DECIDED, S.AGREEMENT_SIGNED, S.DECLINED, S.WITHDRAWN},
    S.AGREEMENT_SIGNED: {S.ACTIVE, S.DECLINED, S.WITHDRAWN},
    # Extended: the planned end moves later and the match stays active.
    S.ACTIVE: {S.ACTIVE, S.ENDING},
    S.ENDING: {S.ACTIVE, S.CLOSED},
    S.CLOSED: set(),
    S.DECLINED: set(),
    S.WITHDRAWN: set(),
}

# Statuses in which a match still holds the volunteer and the request.
OPEN_STATUSES = (*BEFORE_ACTIVE, S.ACTIVE, S.ENDING)
# A volunteer's engagements that count against max_matches.
RUNNING_STATUSES = (S.ACTIVE, S.ENDING)

# Planned length per programme (DOMAIN.md §3.1, §11): months, or weeks for the workplace.
PROGRAMME_MONTHS = {
    Programme.FAMILY_FRIEND: 12,
    Programme.JOB_MENTOR: 3,
    Programme.EDUCATION_MENTOR: 6,
}
PROGRAMME_WEEKS = {Programme.WORKPLACE_MENTOR: 13}

# Danish law requires a børneattest before regular contact with children under 15.
CHILD_AGE_LIMIT = 15

# Markers in the event log (never shown as such: the page translates them).
NOTIFIED_SMS = "volunteer notified by sms"
NOTIFIED_MAIL = "volunteer notified by e-mail"
MARKERS = (NOTIFIED_SMS, NOTIFIED_MAIL)


def _danish(text_fn):
    """Event notes are stored in Danish, the interface's language (as notifications are)."""
    with translation.override("da"):
        return str(text_fn())


def possible_steps(match):
    """The statuses ``match`` may move to now, other than staying where it is."""
    return [s for s in S if s in ALLOWED[match.status] and s != match.status]


def check_transition(match, to):
    """Raise MatchingError, saying what is possible now, unless ALLOWED has ``to``."""
    current = S(match.status)
    to = S(to)
    if to in ALLOWED[current]:
        return
    steps = possible_steps(match)
    if steps:
        possible = ", ".join(f"“{s.label}”" for s in steps)
        message = _(
            "A match cannot go from “%(current)s” to “%(to)s”. Possible now: %(possible)s."
        ) % {"current": current.label, "to": to.label, "possible": possible}
    else:
        message = _("A match cannot go from “%(current)s” to “%(to)s”: it is finished.") % {
            "current": current.label,
            "to": to.label,
        }
    raise MatchingError(message)


def _require(match, status, to):
    """Refuse a step that needs ``match`` in ``status`` (``to`` names the step's target)."""
    check_transition(match, to)
    if S(match.status) != status:
        raise MatchingError(
            _("This step needs a match that is “%(needed)s”; this one is “%(current)s”.")
            % {"needed": S(status).label, "current": S(match.status).label}
        )


def transition(match, to, *, actor, note="", at=None):
    """Move ``match`` to status ``to`` and record the dated, attributed event (issue 4
    item 4: "every transition is dated and attributed"). Anything not in ALLOWED is
    refused with a MatchingError saying what is possible now."""
    check_transition(match, to)
    current = S(match.status)
    at = at or timezone.now()
    with transaction.atomic():
        match.status = S(to)
        match.save()
        return MatchEvent.objects.create(
            match=match, from_status=current, to_status=S(to), at=at, by=actor, note=note[:300]
        )


def default_planned_end(programme, start):
    """The programme's planned end counted from ``start``: family friend 12 months, job
    mentor 3 months, education mentor 6 months, workplace mentor 13 weeks (DOMAIN.md
    §3.1, §11). All can be changed in the agreement and extended later."""
    if programme in PROGRAMME_WEEKS:
        return start + timedelta(weeks=PROGRAMME_WEEKS[programme])
    return volunteer_services.add_months(start, PROGRAMME_MONTHS.get(programme, 12))


def running_count(volunteer):
    return Match.objects.filter(volunteer=volunteer, status__in=RUNNING_STATUSES).count()


def capacity_warning(volunteer):
    """A Danish warning when ``volunteer`` already has as many running matches as they
    want (issue 4 item 7: "a volunteer at capacity is shown but marked"), else None."""
    count = running_count(volunteer)
    if count >= volunteer.max_matches:
        return _(
            "The volunteer already has %(count)s running match(es) and wanted at most "
            "%(max)s. Talk to them before going on."
        ) % {"count": count, "max": volunteer.max_matches}
    return None


def involves_children_under_15(match, on):
    """Whether the volunteer will meet children under 15: a family friend (who comes to
    the home) or a match for a child, in a family with a child who may be under 15 on
    ``on``. Only the birth year is known, so a child turning 15 this year still counts
    (DOMAIN.md §3.3: "mentors for a parent may not need one")."""
    for_child = match.request_id and match.request.for_child_id
    if match.programme != Programme.FAMILY_FRIEND and not for_child:
        return False
    return match.family.children.filter(birth_year__gte=on.year - CHILD_AGE_LIMIT).exists()


def _back_to_waiting_list(match):
    """A declined or withdrawn match returns its request to the waiting list; the request
    keeps its waiting date and its earlier matches (report section 7.2)."""
    request = match.request
    if request is None or request.status == SupportRequest.Status.WITHDRAWN:
        return
    if request.matches.filter(status__in=OPEN_STATUSES).exclude(pk=match.pk).exists():
        return
    request.status = SupportRequest.Status.WAITING
    request.save(update_fields=["status"])


# ---------------------------------------------------------------------------
# Proposal and the volunteer's question


def propose_match(request, volunteer, *, actor):
    """Propose ``volunteer`` for the support request ``request`` (DOMAIN.md §8 step 3).

    The match records whether it was started centrally (the request is handled by the
    central corps, or the actor is central corps) or locally: the report counts them
    apart (section 2.2, 7.1). A withdrawn request, a request already matched or being
    matched, a closed family, and a volunteer who is not ready are refused. A volunteer
    at capacity may be proposed; see capacity_warning. The volunteer is told by sms and
    mail after commit, with no names or addresses (issue 4 item 8).
    """
    from matching.tasks import notify_volunteer_of_proposal

    if request.status == SupportRequest.Status.WITHDRAWN:
        raise MatchingError(_("The request was withdrawn; a withdrawn request cannot be matched."))
    if request.status == SupportRequest.Status.MATCHED:
        raise MatchingError(_("The request is already matched."))
    if request.matches.filter(status__in=OPEN_STATUSES).exists():
        raise MatchingError(
            _(
                "The request already has a proposal in progress. "
                "Withdraw it before proposing another."
            )
        )
    if request.family.status != request.family.Status.ACTIVE:
        raise MatchingError(_("The family is closed and cannot be matched."))
    if volunteer.pipeline_step not in (PipelineStep.READY, PipelineStep.ACTIVE):
        raise MatchingError(
            _("Only a ready or active volunteer can be proposed (this one is “%(step)s”).")
            % {"step": PipelineStep(volunteer.pipeline_step).label}
        )
    central = request.handled_centrally or actor.role == Role.CENTRAL
    now = timezone.now()
    with transaction.atomic():
        match = Match.objects.create(
            request=request,
            family=request.family,
            volunteer=volunteer,
            programme=request.programme,
            status=S.PROPOSED,
            started_by=Match.StartedBy.CENTRAL if central else Match.StartedBy.LOCAL,
            proposed_by=actor,
            created_at=now,
        )
        MatchEvent.objects.create(
            match=match, from_status="", to_status=S.PROPOSED, at=now, by=actor
        )
        request.status = SupportRequest.Status.MATCHING
        request.save(update_fields=["status"])
        transaction.on_commit(partial(notify_volunteer_of_proposal.delay, match.pk))
    return match


def ask_volunteer(match, *, actor, note="", at=None):
    """Record that the leader asked the volunteer (by phone or in person) whether the
    family would be something for them (DOMAIN.md §8 step 3)."""
    return transition(match, S.VOLUNTEER_ASKED, actor=actor, note=note, at=at)


def plan_match_meeting(match, *, on, actor, at=None):
    """Plan (or move) the match meeting with leader, family and volunteer (DOMAIN.md §8
    step 4). A meeting can only be planned once the volunteer has been asked."""
    note = _danish(lambda: _("Match meeting on %(date)s.") % {"date": on.strftime("%d.%m.%Y")})
    with transaction.atomic():
        match.meeting_on = on
        return transition(match, S.MEETING_PLANNED, actor=actor, note=note, at=at)


# ---------------------------------------------------------------------------
# Answers (DOMAIN.md §8 steps 5–6)


def record_decision(match, *, party, decision, actor, reason="", at=None):
    """Record the family's or the volunteer's yes or no.

    Any "no" declines the match with its reason and returns the request to the waiting
    list. Where the branch lets only the family decline (report section 7.2: families
    never experience being rejected by Røde Kors), a volunteer's "no" is refused; the
    leader can withdraw the match instead. When both have said yes after the match
    meeting, the match is decided. The family answers after the match meeting; the
    volunteer may answer from the proposal on. The branch's leaders are told when the
    volunteer answers (issue 4 item 8), with no names.
    """
    if party not in ("family", "volunteer"):
        raise MatchingError(_("Choose whose answer this is."))
    if decision not in (Decision.YES, Decision.NO):
        raise MatchingError(_("Choose yes or no."))
    status = S(match.status)
    if status not in BEFORE_ACTIVE:
        raise MatchingError(
            _("Answers can only be recorded before the match starts (it is “%(status)s”).")
            % {"status": status.label}
        )
    branch = match.family.branch
    if party == "volunteer" and decision == Decision.NO and branch.only_family_may_decline:
        raise MatchingError(
            _(
                "In %(branch)s only the family may say no, so that no family feels rejected "
                "by Røde Kors (report section 7.2). If the volunteer cannot go on, withdraw "
                "the match with a reason."
            )
            % {"branch": branch.name}
        )
    if decision == Decision.NO and not reason.strip():
        raise MatchingError(_("Write the reason for the no."))
    if decision == Decision.YES:
        if status in (S.DECIDED, S.AGREEMENT_SIGNED):
            raise MatchingError(_("Both have already said yes."))
        if party == "family" and status != S.MEETING_PLANNED:
            raise MatchingError(_("The family answers after the match meeting: plan it first."))
    with transaction.atomic():
        if party == "family":
            match.family_decision = decision
        else:
            match.volunteer_decision = decision
        note = _answer_note(party, decision, reason)
        if decision == Decision.NO:
            match.end_reason = reason.strip()[:300]
            event = transition(match, S.DECLINED, actor=actor, note=note, at=at)
            _back_to_waiting_list(match)
        elif (
            status == S.MEETING_PLANNED
            and match.family_decision == Decision.YES
            and match.volunteer_decision == Decision.YES
        ):
            event = transition(match, S.DECIDED, actor=actor, note=note, at=at)
        else:
            event = transition(match, status, actor=actor, note=note, at=at)
        if party == "volunteer":
            _tell_leaders_volunteer_answered(match, decision)
    return event


def _answer_note(party, decision, reason):
    def text():
        if party == "family":
            said = (
                _("The family said yes.") if decision == Decision.YES else _("The family said no.")
            )
        else:
            said = (
                _("The volunteer said yes.")
                if decision == Decision.YES
                else _("The volunteer said no.")
            )
        return f"{said} {reason.strip()}".strip()

    return _danish(text)


def _tell_leaders_volunteer_answered(match, decision):
    branch = match.family.branch

    def text():
        if decision == Decision.YES:
            return _("A volunteer has said yes to a proposed match in %(branch)s.") % {
                "branch": branch.name
            }
        return _("A volunteer has said no to a proposed match in %(branch)s.") % {
            "branch": branch.name
        }

    notify_branch_leaders(
        branch,
        kind=Notification.Kind.VOLUNTEER_ANSWERED,
        link=reverse("match_detail", kwargs={"pk": match.pk}),
        text=_danish(text),
    )


# ---------------------------------------------------------------------------
# Agreement (DOMAIN.md §3.4)


def create_agreement(match, *, focus, meeting_frequency, planned_end, actor, at=None):
    """Write (or rewrite, until it is signed) the aftalepapir or mentoraftale: the agreed
    focus, how often they meet and the planned end (issue 4 item 5; DOMAIN.md §3.4)."""
    if S(match.status) != S.DECIDED:
        raise MatchingError(
            _("The agreement is written when both have said yes and before it is signed.")
        )
    if not focus.strip():
        raise MatchingError(_("Write the agreed focus."))
    with transaction.atomic():
        agreement, _created = Agreement.objects.update_or_create(
            match=match,
            defaults={
                "focus": focus.strip(),
                "meeting_frequency": meeting_frequency.strip()[:150],
                "planned_end": planned_end,
            },
        )
        match.focus = focus.strip()[:300]
        match.planned_end = planned_end
        note = _danish(lambda: _("Agreement written."))
        transition(match, S.DECIDED, actor=actor, note=note, at=at)
    return agreement


def sign_agreement(match, *, family_signed_on, volunteer_signed_on, actor, at=None):
    """Record the dates the family and the volunteer signed the agreement."""
    agreement = Agreement.objects.filter(match=match).first()
    if agreement is None:
        raise MatchingError(_("Write the agreement before it is signed."))
    with transaction.atomic():
        agreement.family_signed_on = family_signed_on
        agreement.volunteer_signed_on = volunteer_signed_on
        agreement.save(update_fields=["family_signed_on", "volunteer_signed_on"])
        note = _danish(lambda: _("Agreement signed."))
        return transition(match, S.AGREEMENT_SIGNED, actor=actor, note=note, at=at)


def framework_agreements_for(match, on):
    """Individual framework agreements for this family and volunteer valid on ``on``
    (report section 1.3): the only exception to "never alone with the children"."""
    return list(
        FrameworkAgreement.objects.filter(
            family_id=match.family_id,
            volunteer_id=match.volunteer_id,
            valid_from__lte=on,
            valid_to__gte=on,
        )
    )


# ---------------------------------------------------------------------------
# Start, extension and end


def activate_match(match, *, actor, on):
    """Start the match on ``on`` (issue 4 item 6).

    Refused for a volunteer without a valid børneattest when the match involves children
    under 15 (DOMAIN.md §3.3). Sets the start and the planned end (the agreement's, else
    the programme's default), marks the request matched and a ready volunteer active,
    then calls the seams followup.services.plan_follow_ups and
    surveys.services.dispatch_pre_survey, all in one transaction.
    """
    from followup import services as followup_services
    from surveys import services as survey_services

    _require(match, S.AGREEMENT_SIGNED, S.ACTIVE)
    volunteer = match.volunteer
    if involves_children_under_15(match, on) and not volunteer_services.has_valid_certificate(
        volunteer, on
    ):
        raise MatchingError(
            _(
                "The volunteer will meet children under 15 and has no valid child-protection "
                "certificate (børneattest) on %(date)s. Record an approved assessment first."
            )
            % {"date": on.strftime("%d.%m.%Y")}
        )
    agreement = Agreement.objects.filter(match=match).first()
    planned_end = agreement.planned_end if agreement else default_planned_end(match.programme, on)
    if planned_end <= on:
        raise MatchingError(_("The planned end must be after the start. Change the agreement."))
    with transaction.atomic():
        match.started_on = on
        match.planned_end = planned_end
        note = _danish(
            lambda: (
                _("Started on %(start)s, planned end %(end)s.")
                % {"start": on.strftime("%d.%m.%Y"), "end": planned_end.strftime("%d.%m.%Y")}
            )
        )
        event = transition(match, S.ACTIVE, actor=actor, note=note)
        if match.request_id:
            SupportRequest.objects.filter(pk=match.request_id).update(
                status=SupportRequest.Status.MATCHED
            )
        if volunteer.pipeline_step == PipelineStep.READY and on >= volunteer.pipeline_step_on:
            # The pipeline has its own rules (a family friend's certificate); it refuses
            # before writing anything, the match starts anyway and the leader moves the
            # volunteer by hand.
            with contextlib.suppress(volunteer_services.VolunteerError):
                volunteer_services.advance_volunteer(
                    volunteer, step=PipelineStep.ACTIVE, on=on, actor=actor
                )
        followup_services.plan_follow_ups(match, today=on)
        survey_services.dispatch_pre_survey(match, today=on)
    return event


def extend_match(match, *, new_end, actor, at=None, today=None):
    """Move the planned end later; the match stays (or becomes again) active (DOMAIN.md
    §11: leaders often extend when both want it; report section 7.3). The follow-up plan
    grows to the new end (followup.services.plan_follow_ups)."""
    from followup import services as followup_services

    check_transition(match, S.ACTIVE)
    if S(match.status) not in (S.ACTIVE, S.ENDING):
        raise MatchingError(_("Only a running match can be extended."))
    if match.planned_end and new_end <= match.planned_end:
        raise MatchingError(
            _("The new end must be after the planned end (%(date)s).")
            % {"date": match.planned_end.strftime("%d.%m.%Y")}
        )
    old = match.planned_end
    with transaction.atomic():
        match.planned_end = new_end
        note = _danish(
            lambda: (
                _("Extended from %(old)s to %(new)s.")
                % {
                    "old": old.strftime("%d.%m.%Y") if old else "–",
                    "new": new_end.strftime("%d.%m.%Y"),
                }
            )
        )
        event = transition(match, S.ACTIVE, actor=actor, note=note, at=at)
        followup_services.plan_follow_ups(match, today=today or timezone.localdate())
    return event


def withdraw_match(match, *, reason, actor, at=None):
    """Withdraw a match before it starts (a party dropped out, the leader found a better
    fit), with the reason; the request goes back to the waiting list (section 7.2)."""
    if not reason.strip():
        raise MatchingError(_("Write the reason for the withdrawal."))
    with transaction.atomic():
        match.end_reason = reason.strip()[:300]
        event = transition(match, S.WITHDRAWN, actor=actor, note=reason.strip())
        _back_to_waiting_list(match)
    return event


def start_ending(match, *, actor, note="", at=None):
    """Begin phasing out an active match (family-friend courses are typically phased out
    over a period, DOMAIN.md §11); it can still be extended instead."""
    return transition(match, S.ENDING, actor=actor, note=note.strip(), at=at)


def close_match(match, *, reason, actor, on):
    """Close an ending match on ``on`` with the reason. A volunteer with no other running
    match goes back from active to ready, available for a new family. The match's open
    follow-up tasks are cancelled and the survey rules decide on a post survey
    (surveys.services.dispatch_post_survey: only after at least 3 months, section 2.2)."""
    from followup import services as followup_services
    from surveys import services as survey_services

    if not reason.strip():
        raise MatchingError(_("Write why the match ended."))
    if S(match.status) == S.ENDING and match.started_on and on < match.started_on:
        raise MatchingError(_("The match cannot end before it started."))
    with transaction.atomic():
        match.ended_on = on
        match.end_reason = reason.strip()[:300]
        event = transition(match, S.CLOSED, actor=actor, note=reason.strip())
        volunteer = match.volunteer
        others = Match.objects.filter(volunteer=volunteer, status__in=RUNNING_STATUSES)
        if (
            volunteer.pipeline_step == PipelineStep.ACTIVE
            and not others.exists()
            and on >= volunteer.pipeline_step_on
        ):
            with contextlib.suppress(volunteer_services.VolunteerError):
                volunteer_services.advance_volunteer(
                    volunteer, step=PipelineStep.READY, on=on, actor=actor
                )
        followup_services.cancel_open_tasks(match, on=on)
        survey_services.dispatch_post_survey(match, today=on)
    return event
