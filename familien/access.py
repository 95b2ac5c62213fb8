"""The one place that decides who may see which records.

Every view gets families, volunteers and matches through these functions; no view filters
by branch itself. The rules follow docs/architecture.md, "Who uses it":

* administrator and central corps: everything, nationally;
* activity leader: the branches they lead;
* follow-up volunteer: the matches assigned to them, and their families and volunteers;
* volunteer: their own matches and their families, and themselves;
* evaluator: no named records at all (pseudonymised exports only).
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404

from familien.models import Branch, Family, Partner, Role, Volunteer
from matching.models import Match

NATIONAL_ROLES = {Role.ADMIN, Role.CENTRAL}
VOLUNTEER_KNOWS_FAMILY = (
    Match.Status.DECIDED,
    Match.Status.AGREEMENT_SIGNED,
    Match.Status.ACTIVE,
    Match.Status.ENDING,
)
# Roles that work with named families and volunteers.
CASEWORK_ROLES = (Role.LEADER, Role.CENTRAL, Role.FOLLOWUP, Role.VOLUNTEER, Role.ADMIN)


def role_required(*roles):
    """Let a view through only for logged-in users holding one of ``roles``.

    Anonymous users go to the login page; a logged-in user with another role gets 403.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if user.role not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.allowed_roles = frozenset(roles)
        return wrapper

    return decorator


def branches_for(user):
    if user.role in NATIONAL_ROLES:
        return Branch.objects.all()
    if user.role == Role.LEADER:
        return user.branches.all()
    return Branch.objects.none()


def matches_for(user):
    matches = Match.objects.all()
    if user.role in NATIONAL_ROLES:
        return matches
    if user.role == Role.LEADER:
        return matches.filter(family__branch__in=user.branches.all())
    if user.role == Role.FOLLOWUP:
        return matches.filter(followup_volunteer=user)
    if user.role == Role.VOLUNTEER:
        return matches.filter(volunteer__user=user)
    return matches.none()


def families_for(user):
    families = Family.objects.all()
    if user.role in NATIONAL_ROLES:
        return families
    if user.role == Role.LEADER:
        return families.filter(branch__in=user.branches.all())
    if user.role == Role.FOLLOWUP:
        return families.filter(pk__in=matches_for(user).values("family"))
    if user.role == Role.VOLUNTEER:
        # A volunteer asked to consider a family learns who they are only once both
        # sides have said yes (the proposal tells the town and the children's number).
        agreed = matches_for(user).filter(status__in=VOLUNTEER_KNOWS_FAMILY)
        return families.filter(pk__in=agreed.values("family"))
    return families.none()


def volunteers_for(user):
    volunteers = Volunteer.objects.all()
    if user.role in NATIONAL_ROLES:
        return volunteers
    if user.role == Role.LEADER:
        return volunteers.filter(branch__in=user.branches.all())
    if user.role == Role.FOLLOWUP:
        return volunteers.filter(pk__in=matches_for(user).values("volunteer"))
    if user.role == Role.VOLUNTEER:
        return volunteers.filter(user=user)
    return volunteers.none()


def partners_for(user):
    """Partners: a leader sees those of their branches and the national ones (no branch);
    the central corps and administrators all; other roles none (DOMAIN.md §2.3)."""
    partners = Partner.objects.all()
    if user.role in NATIONAL_ROLES:
        return partners
    if user.role == Role.LEADER:
        return partners.filter(Q(branch__in=user.branches.all()) | Q(branch__isnull=True))
    return partners.none()


def requests_for(user):
    """Support requests: a leader sees those of their branches' families (also when the
    central corps has taken one over); the central corps and administrators all."""
    from matching.models import SupportRequest

    requests = SupportRequest.objects.all()
    if user.role in NATIONAL_ROLES:
        return requests
    if user.role == Role.LEADER:
        return requests.filter(family__branch__in=user.branches.all())
    return requests.none()


def follow_up_tasks_for(user):
    """Follow-up tasks: of the matches the user may see (a leader's branches, a follow-up
    volunteer's assigned matches, the central corps nationally). Volunteers and
    evaluators see none: the tasks are about the volunteer."""
    from followup.models import FollowUpTask

    if user.role == Role.VOLUNTEER:
        return FollowUpTask.objects.none()
    if user.role in NATIONAL_ROLES:
        # Everything: no "IN (every match)" for the database to work through.
        return FollowUpTask.objects.all()
    if user.role == Role.LEADER:
        # matches_for's rule as plain joins (a family has one branch, so no row is
        # repeated), not "match IN (subquery)": on top of the pages' own joins of match,
        # family and volunteer a subquery leaves the planner walking every open task in
        # the country by due date (350 ms for a 25-row page at national scale).
        return FollowUpTask.objects.filter(match__family__branch__leaders=user)
    return FollowUpTask.objects.filter(match__in=matches_for(user))


def task_queue_for(user):
    """The open tasks the user is responsible for (DOMAIN.md §2.2): a leader those of the
    locally started matches in their branches; a follow-up volunteer those assigned to
    them; the central corps those of centrally started matches; an administrator all."""
    from followup.models import FollowUpTask

    tasks = follow_up_tasks_for(user).open()
    if user.role == Role.LEADER:
        return tasks.filter(responsible=FollowUpTask.Responsible.BRANCH)
    if user.role == Role.FOLLOWUP:
        return tasks.filter(assignee=user)
    if user.role == Role.CENTRAL:
        return tasks.filter(responsible=FollowUpTask.Responsible.CENTRAL)
    return tasks


def check_ins_for(user):
    """Check-ins of the matches the user may see; an evaluator none."""
    from followup.models import CheckIn

    if user.role in NATIONAL_ROLES:
        return CheckIn.objects.all()
    return CheckIn.objects.filter(match__in=matches_for(user))


def get_request_for(user, pk):
    return get_object_or_404(requests_for(user), pk=pk)


def get_family_for(user, pk):
    """The family ``pk`` if ``user`` may see it, else 404 (never 403: no hint it exists)."""
    return get_object_or_404(families_for(user), pk=pk)


def get_volunteer_for(user, pk):
    return get_object_or_404(volunteers_for(user), pk=pk)


def get_partner_for(user, pk):
    return get_object_or_404(partners_for(user), pk=pk)


def get_match_for(user, pk):
    return get_object_or_404(matches_for(user), pk=pk)
