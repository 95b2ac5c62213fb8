"""Support requests: a family's wish for a volunteer, the waiting list, the intro meeting
and the leader's talks with volunteers (issue 4 items 1 and 2; DOMAIN.md §8).

Views call these functions; they check the rule, save, and raise MatchingError with a
Danish message when a step makes no sense.
"""

from datetime import date

from django.core.cache import cache
from django.db import transaction
from django.db.models import Avg, Count, Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from familien.days import days_since
from familien.models import Family, Programme, Role
from matching.errors import MatchingError
from matching.lifecycle import BEFORE_ACTIVE
from matching.models import IntroMeeting, MeetingMode, SupportRequest, VolunteerTalk

# Requests still on the list: waiting, or a match is being tried (DOMAIN.md §8 step 3-6).
OPEN_STATUSES = (SupportRequest.Status.WAITING, SupportRequest.Status.MATCHING)
# A match before active still holds the request: withdraw it in the lifecycle first.
MATCH_IN_PROGRESS = BEFORE_ACTIVE


# ---------------------------------------------------------------------------------------
# Reading


def waiting_days(request: SupportRequest, today: date) -> int:
    """Days the request has waited since it was put on the list (issue 4 item 1)."""
    return max(0, (today - request.waiting_since).days)


def with_days_waiting(requests, *, today: date):
    """``requests`` annotated with ``days_waiting`` counted in SQL, so a page of 25 rows
    and a summary over thousands cost one query each."""
    return requests.annotate(days_waiting=days_since("waiting_since", today=today))


def waiting_list(requests, *, today: date):
    """The waiting list: open requests, first-on-the-list (a family asking again after a
    match ended, report section 7.3) before the rest, then oldest first; each row with
    its family, branch, target person, days waiting and whether an intro meeting was held.

    ``requests`` comes from familien.access.requests_for(user), so the scope stays there.
    """
    held = IntroMeeting.objects.filter(request=OuterRef("pk"))
    return (
        with_days_waiting(requests.filter(status__in=OPEN_STATUSES), today=today)
        .annotate(has_intro_meeting=Exists(held))
        .select_related("family__branch", "for_parent", "for_child")
        .waiting_list_order()
    )


def waiting_by_branch(requests, *, today: date):
    """Per branch: how many requests wait, and their average days waiting (the central
    corps' overview of where it can relieve busy leaders, report section 7.1)."""
    return (
        with_days_waiting(requests.filter(status=SupportRequest.Status.WAITING), today=today)
        .values(branch_name=F("family__branch__name"), branch_pk=F("family__branch"))
        .annotate(waiting=Count("pk"), average_days=Avg("days_waiting"))
        .order_by("-waiting", "branch_name")
    )


# The national per-branch summary joins every waiting request in the country (10,000) to
# its family's branch: tens of milliseconds on each visit of the central corps' list. It
# is the same for every national user and holds no personal data (branch names, counts,
# average days), and a few minutes old still shows where to help, so it is cached.
NATIONAL_SUMMARY_SECONDS = 5 * 60
NATIONAL_SUMMARY_VERSION = 1


def national_waiting_by_branch(*, today: date):
    """``waiting_by_branch`` over every request, as the national roles see them, and when
    it was computed: ``(rows, computed_at)``, kept NATIONAL_SUMMARY_SECONDS."""
    key = f"matching:national-waiting-by-branch:{NATIONAL_SUMMARY_VERSION}:{today.isoformat()}"
    cached = cache.get(key)
    if cached is None:
        rows = list(waiting_by_branch(SupportRequest.objects.all(), today=today))
        cached = (rows, timezone.now())
        cache.set(key, cached, NATIONAL_SUMMARY_SECONDS)
    return cached


# ---------------------------------------------------------------------------------------
# Writing


def _check_target(family, programme, for_parent, for_child):
    if for_parent is None and for_child is None:
        raise MatchingError(_("Choose who the volunteer is for: a parent or a child."))
    if for_parent is not None and for_child is not None:
        raise MatchingError(_("A request is for one person: a parent or a child, not both."))
    if for_child is not None and programme != Programme.FAMILY_FRIEND:
        raise MatchingError(
            _("Only a family friend can be for a child; a mentor is always for a parent.")
        )
    person = for_parent or for_child
    if person.family_id != family.pk:
        raise MatchingError(_("The person belongs to another family."))


@transaction.atomic
def create_request(
    family: Family,
    *,
    programme: str,
    actor,
    for_parent=None,
    for_child=None,
    wishes: str = "",
    focus: str = "",
    mode: str = MeetingMode.IN_PERSON,
    availability=(),
) -> SupportRequest:
    """Put a family's wish for a volunteer on the waiting list.

    A request is for one parent, or for one child when the programme is family friend
    (mentors work with the parents, DOMAIN.md §3). A family may hold several requests at
    once: a family friend and a mentor, or two family friends, one for a parent and one
    for a child (DOMAIN.md §1, "2020 changes"). What is refused: a child for a mentor, a
    person of another family, a closed family, and a second open request for the same
    person in the same programme. A request registered by the central corps is handled
    centrally from the start (report section 7.1).
    """
    if programme not in Programme.values:
        raise MatchingError(_("Choose a programme."))
    if mode not in MeetingMode.values:
        raise MatchingError(_("Choose how the meetings take place."))
    if family.status != Family.Status.ACTIVE:
        raise MatchingError(_("The family's case is closed."))
    _check_target(family, programme, for_parent, for_child)
    # Lock the family's open requests so two clicks cannot put the same wish on twice.
    open_requests = SupportRequest.objects.select_for_update().filter(
        family=family, programme=programme, status__in=OPEN_STATUSES
    )
    if for_parent is not None:
        open_requests = open_requests.filter(for_parent=for_parent)
    else:
        open_requests = open_requests.filter(for_child=for_child)
    if open_requests.exists():
        raise MatchingError(_("This person already waits for a volunteer in this programme."))
    central = actor.role == Role.CENTRAL
    return SupportRequest.objects.create(
        family=family,
        programme=programme,
        for_parent=for_parent,
        for_child=for_child,
        wishes=wishes.strip(),
        focus=focus.strip(),
        mode=mode,
        availability=list(availability),
        status=SupportRequest.Status.WAITING,
        waiting_since=timezone.localdate(),
        handled_centrally=central,
        created_by=actor,
    )


@transaction.atomic
def withdraw_request(request: SupportRequest, *, actor, reason: str) -> SupportRequest:
    """Take a request off the list, with the reason (the family no longer wants it, moved
    away, ...). A withdrawn request can never be matched (issue 4 item 7); a request with
    a match under way keeps it until that match is withdrawn in the lifecycle first.
    """
    reason = (reason or "").strip()
    if not reason:
        raise MatchingError(_("Give a reason for withdrawing the request."))
    request = SupportRequest.objects.select_for_update().get(pk=request.pk)
    if request.status not in OPEN_STATUSES:
        raise MatchingError(_("Only a request on the waiting list can be withdrawn."))
    if request.matches.filter(status__in=MATCH_IN_PROGRESS).exists():
        raise MatchingError(_("A match is under way for this request: withdraw the match first."))
    request.status = SupportRequest.Status.WITHDRAWN
    request.withdrawn_reason = reason[:300]
    request.withdrawn_at = timezone.now()
    request.save(update_fields=["status", "withdrawn_reason", "withdrawn_at"])
    return request


@transaction.atomic
def take_over_request(request: SupportRequest, *, actor) -> SupportRequest:
    """The central corps takes over a branch's request: it recruits and matches, the
    branch keeps seeing it (report section 7.1). Matches made from it count as started
    centrally, as the report counts them (section 2.2): matching.lifecycle.propose_match
    reads ``handled_centrally`` into Match.started_by."""
    if actor.role != Role.CENTRAL:
        raise MatchingError(_("Only the central corps can take over a request."))
    request = SupportRequest.objects.select_for_update().get(pk=request.pk)
    if request.status not in OPEN_STATUSES:
        raise MatchingError(_("Only a request on the waiting list can be taken over."))
    if request.handled_centrally:
        raise MatchingError(_("The central corps already handles this request."))
    request.handled_centrally = True
    request.taken_over_by = actor
    request.taken_over_at = timezone.now()
    request.save(update_fields=["handled_centrally", "taken_over_by", "taken_over_at"])
    return request


def _check_past(held_on: date):
    if held_on > timezone.localdate():
        raise MatchingError(_("The date cannot be in the future."))


def record_intro_meeting(
    request: SupportRequest,
    *,
    held_on: date,
    attendees: str,
    needs: str,
    wishes: str,
    expectations_aligned: bool,
    notes: str,
    actor,
) -> IntroMeeting:
    """Record the introduction meeting with the family: who came, their needs and wishes,
    and whether expectations about the course were aligned (DOMAIN.md §8 step 2; report
    section 7.2, section 3.1.4)."""
    if request.status == SupportRequest.Status.WITHDRAWN:
        raise MatchingError(_("The request was withdrawn."))
    _check_past(held_on)
    if not attendees.strip():
        raise MatchingError(_("Write who attended."))
    return IntroMeeting.objects.create(
        request=request,
        held_on=held_on,
        attendees=attendees.strip()[:300],
        needs=needs.strip(),
        wishes=wishes.strip(),
        expectations_aligned=expectations_aligned,
        notes=notes.strip(),
        held_by=actor,
    )


def record_volunteer_talk(
    volunteer, *, held_on: date, notes: str, actor, request: SupportRequest | None = None
) -> VolunteerTalk:
    """Record the leader's personal talk with a volunteer about competences, interests
    and what they can offer, optionally about one request (DOMAIN.md §8 step 3)."""
    _check_past(held_on)
    if request is not None and request.status == SupportRequest.Status.WITHDRAWN:
        raise MatchingError(_("The request was withdrawn."))
    return VolunteerTalk.objects.create(
        volunteer=volunteer, request=request, held_on=held_on, notes=notes.strip(), held_by=actor
    )
