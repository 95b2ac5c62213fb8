"""Who sees which survey invitations (issue 6 items 4, 6 and 8), built on familien.access.

* ``invitations_for(user)``: the invitations of the matches the user may see
  (access.matches_for); volunteers and evaluators none, as with follow-up tasks: the calls
  and letters name the respondent.
* ``call_queue_for(user)``: the calls the user is responsible for now. The person who
  follows a match up also makes its survey calls (DOMAIN.md §14, "contacted personally";
  §2.2 for who follows up), so the filter is access.task_queue_for's.
* ``rate_invitations_for(user)``: what the response rates count. Counts name no one, so
  the evaluator, the central corps and administrators count every invitation; a leader
  their branches' (DOMAIN.md §15).
* ``outcome_responses_for(user)``: what the outcome report counts, scoped the same way.
"""

from django.utils import timezone

from familien import access
from familien.models import Branch, Role
from matching.models import Match
from surveys.models import Invitation, Response, Step

# Roles that work with the respondents' names and numbers: those who follow matches up.
CALLERS = (Role.LEADER, Role.CENTRAL, Role.FOLLOWUP, Role.ADMIN)
# Roles that see the response rates: counts only, so the evaluator too.
RATE_VIEWERS = (Role.LEADER, Role.CENTRAL, Role.ADMIN, Role.EVALUATOR)


def invitations_for(user):
    """Invitations of the matches ``user`` may see; none for volunteers and evaluators."""
    if user.role not in CALLERS:
        return Invitation.objects.none()
    if user.role in access.NATIONAL_ROLES:
        return Invitation.objects.all()
    return Invitation.objects.filter(match__in=access.matches_for(user))


def call_queue_for(user, *, now=None):
    """Open invitations waiting for a person's call whose call is due (DOMAIN.md §14),
    for the user responsible (followup.services.responsibility, access.task_queue_for): a
    leader those of the locally started matches in their branches, a follow-up volunteer
    those of the matches assigned to them, the central corps the centrally started ones,
    an administrator all."""
    now = now or timezone.now()
    calls = invitations_for(user).filter(
        status=Invitation.Status.OPEN, next_step=Step.CALL, next_step_at__lte=now
    )
    if user.role == Role.LEADER:
        return calls.filter(match__started_by=Match.StartedBy.LOCAL)
    if user.role == Role.FOLLOWUP:
        return calls.filter(match__followup_volunteer=user)
    if user.role == Role.CENTRAL:
        return calls.filter(match__started_by=Match.StartedBy.CENTRAL)
    return calls


def rate_invitations_for(user):
    """Invitations counted in the response rates: all for the evaluator, the central corps
    and administrators; a leader those of their branches' matches; nobody else any."""
    if user.role in (Role.EVALUATOR, *access.NATIONAL_ROLES):
        return Invitation.objects.all()
    if user.role == Role.LEADER:
        return Invitation.objects.filter(match__family__branch__in=_branch_ids(user))
    return Invitation.objects.none()


def _branch_ids(user):
    """A leader's branches (access.branches_for) as a list of ids: the counts' scope,
    access.matches_for's, written with the ids themselves. Given a subquery over the
    user's branches the planner guessed one matching row and, for the outcome report's
    "later answer" test, compared every answer with every other (2 s instead of 0.3 s
    at national scale, issue 8)."""
    return list(access.branches_for(user).values_list("pk", flat=True))


def outcome_responses_for(user):
    """The responses counted in the outcome report: a leader their branches' matches',
    the evaluator, the central corps and administrators all, anyone else none."""
    if user.role in (Role.EVALUATOR, *access.NATIONAL_ROLES):
        return Response.objects.all()
    if user.role == Role.LEADER:
        return Response.objects.filter(invitation__match__family__branch__in=_branch_ids(user))
    return Response.objects.none()


def rate_branches_for(user):
    """The branches a user may filter the response rates by: a leader their own, the
    evaluator, the central corps and administrators all."""
    if user.role in (Role.EVALUATOR, *access.NATIONAL_ROLES):
        return Branch.objects.all()
    return access.branches_for(user)
