"""Follow-up's rules: plans per programme, check-ins, silent matches, sparring and the
end-of-course review (issue 5; DOMAIN.md §10, §11; report sections 3.1.3, 5.1.2, 6.1.2,
7.3).

Every schedule is computed from dates by functions that take ``today``, so a test (or an
operator catching up after downtime) can walk a match through a year in a few lines.
"""

from datetime import date, timedelta

from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from familien.models import Notification, Programme, Role, User
from familien.services.notifications import notify_branch_leaders, notify_users
from followup.errors import FollowUpError
from followup.models import (
    Activity,
    CheckIn,
    CloseReason,
    FollowUpRule,
    FollowUpTask,
    MeetingPlace,
)
from matching.errors import MatchingError
from matching.models import Match, SupportRequest

RUNNING = (Match.Status.ACTIVE, Match.Status.ENDING)
Kind = FollowUpTask.Kind

# The practices DOMAIN.md §10.1 records, in days. Mentors: two weeks after the start,
# then every second month (section 5.1.2, 6.1.2). Family friends: after the first one or
# two meetings (about three weeks at a visit every second week), then monthly; a branch
# may choose every sixth week with its own rule (section 7.3). Silence: about two
# missed fortnightly visits for a family friend; three weeks for the short mentor courses.
# The review comes early enough to arrange an extension or a new volunteer (Boks 7.1).
DEFAULT_RULES = {
    Programme.FAMILY_FRIEND: dict(
        first_after_days=21, every_days=30, silent_after_days=30, review_before_days=30
    ),
    Programme.JOB_MENTOR: dict(
        first_after_days=14, every_days=60, silent_after_days=21, review_before_days=14
    ),
    Programme.EDUCATION_MENTOR: dict(
        first_after_days=14, every_days=60, silent_after_days=30, review_before_days=21
    ),
    Programme.WORKPLACE_MENTOR: dict(
        first_after_days=14, every_days=60, silent_after_days=21, review_before_days=14
    ),
}

# A check-in is one meeting: a visit of a few hours, a day's outing at most.
MAX_CHECK_IN_MINUTES = 12 * 60
MIN_CHECK_IN_MINUTES = 5
DOUBLE_POST_WINDOW = timedelta(minutes=2)


# ---------------------------------------------------------------------------
# Rules and dates


def rule_for(match) -> FollowUpRule:
    """The rule for ``match``: its branch's own rule for the programme, else the national
    one, else the defaults above (an unsaved rule, so a missing row never stops work)."""
    rules = {
        rule.branch_id: rule
        for rule in FollowUpRule.objects.filter(programme=match.programme).filter(
            Q(branch__isnull=True) | Q(branch=match.family.branch_id)
        )
    }
    rule = rules.get(match.family.branch_id) or rules.get(None)
    return rule or FollowUpRule(programme=match.programme, **DEFAULT_RULES[match.programme])


def review_date(rule, *, start: date, planned_end: date) -> date:
    """When the end-of-course review falls due: ``review_before_days`` before the planned
    end, never before the day after the start."""
    return max(start + timedelta(days=1), planned_end - timedelta(days=rule.review_before_days))


def follow_up_dates(rule, *, start: date, planned_end: date) -> list[date]:
    """The follow-up dates of a match from ``start`` to its review: the first
    ``first_after_days`` after the start, then every ``every_days`` (DOMAIN.md §10.1).
    Anchored at the start, so an extension adds dates without moving the earlier ones."""
    review = review_date(rule, start=start, planned_end=planned_end)
    dates = []
    day = start + timedelta(days=rule.first_after_days)
    while day < review:
        dates.append(day)
        day += timedelta(days=rule.every_days)
    return dates


def responsibility(match):
    """Who follows the match up (DOMAIN.md §2.2, report section 3.1.3): the branch's
    activity leaders for a locally started match; the central corps for a centrally
    started one, through its follow-up volunteer when one is assigned."""
    if match.started_by == Match.StartedBy.CENTRAL:
        return FollowUpTask.Responsible.CENTRAL, match.followup_volunteer_id
    return FollowUpTask.Responsible.BRANCH, None


def _new_task(match, kind, due_on, **fields):
    responsible, assignee = responsibility(match)
    return FollowUpTask(
        match=match,
        kind=kind,
        due_on=due_on,
        responsible=responsible,
        assignee_id=assignee,
        **fields,
    )


def plan_follow_ups(match, *, today: date) -> list[FollowUpTask]:
    """Create the match's follow-up tasks from its programme's rule and its end-of-course
    review (issue 5 item 2; DOMAIN.md §10.1). Called when the match starts and again when
    it is extended: follow-ups already planned stay, new dates up to the new end are
    added, and the open review moves to the new end. Dates before ``today`` are skipped."""
    if match.started_on is None or match.planned_end is None:
        return []
    rule = rule_for(match)
    dates = follow_up_dates(rule, start=match.started_on, planned_end=match.planned_end)
    with transaction.atomic():
        FollowUpTask.objects.bulk_create(
            [_new_task(match, Kind.FOLLOW_UP, day) for day in dates if day >= today],
            ignore_conflicts=True,
        )
        review_on = max(
            today, review_date(rule, start=match.started_on, planned_end=match.planned_end)
        )
        moved = FollowUpTask.objects.open().filter(match=match, kind=Kind.END_REVIEW)
        if not moved.update(due_on=review_on):
            _new_task(match, Kind.END_REVIEW, review_on).save()
    return list(FollowUpTask.objects.open().filter(match=match).order_by("due_on", "pk"))


def cancel_open_tasks(match, *, on: date) -> int:
    """A closed match needs no more follow-up: its open tasks are cancelled (kept, dated,
    so the history shows what was planned)."""
    return FollowUpTask.objects.open().filter(match=match).update(cancelled_on=on)


# ---------------------------------------------------------------------------
# Check-ins


def _notify_responsible(match, *, kind, text, link):
    responsible, assignee = responsibility(match)
    if responsible == FollowUpTask.Responsible.BRANCH:
        return notify_branch_leaders(match.family.branch, kind=kind, text=text, link=link)
    if assignee:
        users = User.objects.filter(pk=assignee, is_active=True)
    else:
        users = User.objects.filter(role=Role.CENTRAL, is_active=True)
    return notify_users(users, kind=kind, text=text, link=link)


def log_check_in(
    match,
    *,
    actor,
    met_on: date,
    minutes: int,
    place: str,
    activities=(),
    note: str = "",
    wants_sparring: bool = False,
    today: date,
) -> CheckIn:
    """Record a meeting the volunteer had with the family (issue 5 item 1). A check-in
    ends the match's silence (an open silent-match alert is cancelled); "I would like
    sparring" raises a task for the person responsible, who is told at once (report
    section 3.1.3: volunteers who had not spoken to anyone from the Red Cross)."""
    if match.status not in RUNNING:
        raise FollowUpError(_("Check-ins can only be logged for a running match."))
    if met_on > today:
        raise FollowUpError(_("The date cannot be in the future."))
    if match.started_on and met_on < match.started_on:
        raise FollowUpError(
            _("The date is before the match started (%(date)s).")
            % {"date": match.started_on.strftime("%d.%m.%Y")}
        )
    if not MIN_CHECK_IN_MINUTES <= minutes <= MAX_CHECK_IN_MINUTES:
        raise FollowUpError(
            _("The duration must be between %(min)s minutes and %(max)s hours.")
            % {"min": MIN_CHECK_IN_MINUTES, "max": MAX_CHECK_IN_MINUTES // 60}
        )
    if place not in MeetingPlace.values:
        raise FollowUpError(_("Choose how you met."))
    unknown = [a for a in activities if a not in Activity.values]
    if unknown:
        raise FollowUpError(_("Choose what you did from the list."))
    note = note.strip()[:500]
    with transaction.atomic():
        # A double tap on a phone posts the same meeting twice: keep the first.
        twin = CheckIn.objects.filter(
            match=match,
            met_on=met_on,
            minutes=minutes,
            place=place,
            note=note,
            logged_by=actor,
            created_at__gte=timezone.now() - DOUBLE_POST_WINDOW,
        ).first()
        if twin is not None:
            return twin
        check_in = CheckIn.objects.create(
            match=match,
            met_on=met_on,
            minutes=minutes,
            place=place,
            activities=list(dict.fromkeys(activities)),
            note=note,
            wants_sparring=wants_sparring,
            logged_by=actor,
        )
        FollowUpTask.objects.open().filter(match=match, kind=Kind.SILENT).update(cancelled_on=today)
        if wants_sparring:
            _new_task(match, Kind.SPARRING, today, check_in=check_in).save()
            with translation.override("da"):
                text = _("A volunteer in %(branch)s would like sparring.") % {
                    "branch": match.family.branch.name
                }
            _notify_responsible(
                match,
                kind=Notification.Kind.SPARRING,
                text=text,
                link=reverse("followup_match", kwargs={"pk": match.pk}),
            )
    return check_in


# ---------------------------------------------------------------------------
# Silent matches


def _rules_by_scope():
    """{(programme, branch id or None): rule} with the defaults filled in."""
    rules = {(r.programme, r.branch_id): r for r in FollowUpRule.objects.all()}
    for programme, values in DEFAULT_RULES.items():
        rules.setdefault((programme, None), FollowUpRule(programme=programme, **values))
    return rules


def silent_matches(*, today: date):
    """Running matches with no check-in (and no start) within their rule's silent period
    that have no silent-match alert within that period either (issue 5 item 3). One query
    per rule: the rules are few (one per programme, plus a branch's own)."""
    rules = _rules_by_scope()
    overridden = {}
    for programme, branch in rules:
        if branch is not None:
            overridden.setdefault(programme, []).append(branch)
    found = []
    for (programme, branch), rule in rules.items():
        since = today - timedelta(days=rule.silent_after_days)
        matches = Match.objects.filter(status__in=RUNNING, programme=programme)
        if branch is None:
            matches = matches.exclude(family__branch__in=overridden.get(programme, []))
        else:
            matches = matches.filter(family__branch=branch)
        recent_alert = FollowUpTask.objects.filter(match=OuterRef("pk"), kind=Kind.SILENT).filter(
            Q(due_on__gt=since) | Q(done_on__isnull=True, cancelled_on__isnull=True)
        )
        found += list(
            matches.annotate(
                last_contact=Coalesce(Max("check_ins__met_on"), "started_on"),
            )
            .filter(last_contact__lte=since)
            .exclude(Exists(recent_alert))
            .select_related("family__branch")
        )
    return found


def raise_silent_match_alerts(*, today: date) -> int:
    """A task for the person responsible for each silent match; the unique open-alert
    constraint makes a second run the same day create nothing."""
    tasks = [_new_task(match, Kind.SILENT, today) for match in silent_matches(today=today)]
    created = FollowUpTask.objects.bulk_create(tasks, ignore_conflicts=True)
    return len(created)


# ---------------------------------------------------------------------------
# Completing tasks and the end-of-course review


def complete_task(task, *, outcome: str, note: str = "", actor, on: date) -> FollowUpTask:
    """Record a follow-up's outcome (going well, needs attention, ending soon) and a note
    (issue 5 item 2). The end-of-course review is answered with ``review_end``."""
    if not task.is_open:
        raise FollowUpError(_("This task is already done."))
    if task.kind == Kind.END_REVIEW:
        raise FollowUpError(_("Answer the end-of-course review: extend, close or new volunteer."))
    if outcome not in FollowUpTask.Outcome.values:
        raise FollowUpError(_("Choose how the match is going."))
    task.outcome = outcome
    task.note = note.strip()
    task.done_on = on
    task.done_by = actor
    task.save(update_fields=["outcome", "note", "done_on", "done_by"])
    return task


def _close(match, *, reason_label, actor, on):
    from matching import lifecycle

    if match.status == Match.Status.ACTIVE:
        lifecycle.start_ending(match, actor=actor)
    lifecycle.close_match(match, reason=reason_label, actor=actor, on=on)


def reopen_request_after(match, *, actor, on: date) -> SupportRequest:
    """ "New volunteer wanted": a new request for the same person and programme, first
    on the waiting list and linked to the old match (report section 7.3: parents who
    wanted a new mentor were never contacted)."""
    old = match.request
    return SupportRequest.objects.create(
        family=match.family,
        programme=match.programme,
        for_parent_id=old.for_parent_id if old else None,
        for_child_id=old.for_child_id if old else None,
        wishes=old.wishes if old else "",
        focus=(old.focus if old else match.focus)[:300],
        mode=old.mode if old else SupportRequest._meta.get_field("mode").default,
        availability=list(old.availability) if old else [],
        status=SupportRequest.Status.WAITING,
        waiting_since=on,
        priority=True,
        previous_match=match,
        handled_centrally=old.handled_centrally if old else False,
        created_by=actor,
    )


def review_end(
    task,
    *,
    decision: str,
    actor,
    on: date,
    new_end: date | None = None,
    reason: str = "",
    note: str = "",
):
    """Answer the end-of-course review (issue 5 item 4; report section 7.3, Boks 7.1):
    extend to ``new_end``; close with a ``reason`` from CloseReason; or "new volunteer
    wanted", which closes the match and at once puts a new request at the top of the
    waiting list, linked to this match. Returns the new request for the last, else None.
    Closing goes through matching.lifecycle.close_match, which calls the survey rules."""
    if task.kind != Kind.END_REVIEW or not task.is_open:
        raise FollowUpError(_("This review is already answered."))
    match = task.match
    new_request = None
    try:
        with transaction.atomic():
            # Done first: extending re-plans the match and moves its open review.
            task.decision = decision
            task.note = note.strip()
            task.done_on = on
            task.done_by = actor
            task.save(update_fields=["decision", "note", "done_on", "done_by"])
            if decision == FollowUpTask.Decision.EXTEND:
                if new_end is None:
                    raise FollowUpError(_("Choose the new end date."))
                from matching import lifecycle

                lifecycle.extend_match(match, new_end=new_end, actor=actor, today=on)
            elif decision == FollowUpTask.Decision.CLOSE:
                if reason not in CloseReason.values or reason == CloseReason.NEW_VOLUNTEER:
                    raise FollowUpError(_("Choose why the match ends."))
                with translation.override("da"):
                    label = str(CloseReason(reason).label)
                _close(match, reason_label=label, actor=actor, on=on)
            elif decision == FollowUpTask.Decision.NEW_VOLUNTEER:
                with translation.override("da"):
                    label = str(CloseReason.NEW_VOLUNTEER.label)
                _close(match, reason_label=label, actor=actor, on=on)
                new_request = reopen_request_after(match, actor=actor, on=on)
            else:
                raise FollowUpError(_("Choose extend, close or new volunteer."))
    except MatchingError as error:
        raise FollowUpError(str(error)) from error
    return new_request


# ---------------------------------------------------------------------------
# Background work


def run_daily_follow_up(*, today: date) -> dict:
    """What beat runs each day: raise silent-match alerts. Follow-ups and reviews are rows
    planned at the start, so nothing else is due to be created; a missed day is caught up
    by the next run, which compares dates, not "yesterday"."""
    return {"silent": raise_silent_match_alerts(today=today)}
