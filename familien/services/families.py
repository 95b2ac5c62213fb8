"""Families, their consents, and the partners who refer them.

Views call these functions for every write that touches more than one row, so the
household, its parents and children, its search text, its consent history and the
notification to the branch are saved together or not at all.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, DateField, Q
from django.db.models.functions import Coalesce, ExtractYear, TruncDate
from django.urls import reverse
from django.utils import timezone

from familien import access
from familien.models import (
    Consent,
    ConsentState,
    Family,
    Notification,
    Parent,
    PartnerContact,
    Role,
    Volunteer,
)
from familien.search import search_text_for

PARTNER_ROLES = (Role.LEADER, Role.CENTRAL, Role.ADMIN)


class FamilyError(Exception):
    """A rule about families was broken; the message is for the person at the screen."""


# --- search text ---------------------------------------------------------------------


def family_search_text(family, parents):
    """What the family lists search: the family name and each parent's names, phone and
    e-mail, normalised by familien.search (issue 3, "search … Danish letters handled")."""
    values = [family.name]
    for parent in parents:
        values += [parent.first_name, parent.last_name, parent.phone, parent.email]
    return search_text_for(*values)


def refresh_search_text(family):
    """Rewrite ``family.search_text`` from the parents in the database."""
    family.search_text = family_search_text(family, list(family.parents.all()))
    Family.objects.filter(pk=family.pk).update(search_text=family.search_text)


# --- families --------------------------------------------------------------------------


def _save_members(family, parents, children, removed=()):
    for obj in removed:
        if obj.pk:
            obj.delete()
    for parent in parents:
        parent.family = family
        parent.save()
    for child in children:
        child.family = family
        child.save()


@transaction.atomic
def register_family(
    family, parents, children, *, actor, data_consent, evaluation_consent, notify=True
):
    """Save a new household with its parents and children and its two consent answers.

    ``family``, ``parents`` and ``children`` are unsaved model instances. The consents are
    ConsentState values, recorded through record_consent so the history starts with who
    asked and when (DOMAIN.md §29.13, participants may decline; issue 3 item 2).

    When the central corps registers the family, the branch's activity leaders are told
    in the app and by mail (report section 7.1: Røde Kors brings the information to the
    leader; DOMAIN.md §29.8).
    """
    family.registered_by = actor
    family.registered_centrally = actor.role == Role.CENTRAL
    family.search_text = family_search_text(family, parents)
    family.save()
    _save_members(family, parents, children)
    for kind, state in (
        (Consent.Kind.DATA, data_consent),
        (Consent.Kind.EVALUATION, evaluation_consent),
    ):
        if state and state != ConsentState.MISSING:
            record_consent(family, kind=kind, state=state, actor=actor)
    if family.registered_centrally and notify:
        _notify_branch_of_central_family(family)
    return family


def _notify_branch_of_central_family(family):
    from familien.services.notifications import notify_branch_leaders

    notify_branch_leaders(
        family.branch,
        kind=Notification.Kind.CENTRAL_FAMILY,
        link=reverse("family_detail", args=[family.pk]),
    )


@transaction.atomic
def update_family(family, parents, children, *, actor, removed=()):
    """Save an edited household: the family, its changed, new and removed parents and
    children, and its search text, in one transaction (issue 3 items 1 and 8).

    A family first registered centrally stays marked so; an edit by the central corps of a
    family the branch registered does not make it central.
    """
    if family.registered_by_id is None and actor.role == Role.CENTRAL:
        family.registered_by = actor
        family.registered_centrally = True
    family.save()
    _save_members(family, parents, children, removed)
    refresh_search_text(family)
    return family


@transaction.atomic
def record_consent(family, *, kind, state, actor, note=""):
    """Record one answer to a consent question and make it the one in force.

    The Consent row is the history (who, when, what); Family.data_consent and
    Family.evaluation_consent hold the current answer that later issues read: a withdrawn
    or refused evaluation consent means no survey and no reminder (DOMAIN.md §29.13 and
    §13; issue 3 item 2).
    """
    if kind not in Consent.Kind.values:
        raise FamilyError("unknown consent kind")
    if state not in ConsentState.values or state == ConsentState.MISSING:
        raise FamilyError("unknown consent state")
    consent = Consent.objects.create(
        family=family,
        kind=kind,
        state=state,
        recorded_at=timezone.now(),
        recorded_by=actor,
        note=note,
    )
    field = "data_consent" if kind == Consent.Kind.DATA else "evaluation_consent"
    # Lock the family row so two people answering at once leave the newest answer in force.
    Family.objects.select_for_update().filter(pk=family.pk).update(**{field: state})
    setattr(family, field, state)
    return consent


# --- duplicates ------------------------------------------------------------------------


@dataclass
class Duplicate:
    """A phone or e-mail typed for a parent that another record already holds."""

    value: str
    kind: str  # "parent" or "volunteer"
    name: str = ""
    url: str = ""  # empty when the user may not see the other record


def find_duplicates(user, parents, *, family=None):
    """Other records (parents of another family, volunteers) with a phone or e-mail of
    ``parents``. Records the user may not see come back without name or link, so the
    warning tells that the number is known without telling to whom (issue 3 item 8).
    Three or four queries, whatever the number of parents."""
    phones = {p.phone for p in parents if p.phone}
    emails = {p.email.lower() for p in parents if p.email}
    if not phones and not emails:
        return []
    match = Q()
    if phones:
        match |= Q(phone__in=phones)
    if emails:
        match |= Q(email__in=emails)
    other_parents = Parent.objects.filter(match).select_related("family")
    if family is not None and family.pk:
        other_parents = other_parents.exclude(family=family)
    other_parents = list(other_parents[:20])
    volunteers = list(Volunteer.objects.filter(match)[:20])
    visible_families = set(
        access.families_for(user)
        .filter(pk__in=[p.family_id for p in other_parents])
        .values_list("pk", flat=True)
    )
    visible_volunteers = set(
        access.volunteers_for(user)
        .filter(pk__in=[v.pk for v in volunteers])
        .values_list("pk", flat=True)
    )
    found = []
    for parent in other_parents:
        value = parent.phone if parent.phone in phones else parent.email
        if parent.family_id in visible_families:
            found.append(
                Duplicate(
                    value,
                    "parent",
                    f"{parent} ({parent.family.name})",
                    reverse("family_detail", args=[parent.family_id]),
                )
            )
        else:
            found.append(Duplicate(value, "parent"))
    for volunteer in volunteers:
        value = volunteer.phone if volunteer.phone in phones else volunteer.email
        if volunteer.pk in visible_volunteers:
            found.append(
                Duplicate(
                    value,
                    "volunteer",
                    f"{volunteer.first_name} {volunteer.last_name}",
                    reverse("volunteer_detail", args=[volunteer.pk]),
                )
            )
        else:
            found.append(Duplicate(value, "volunteer"))
    return found


# --- partners --------------------------------------------------------------------------


def partners_for_family_branch(user, branch):
    """The partners that may be named as a family's referrer: the branch's own and the
    national ones, among those ``user`` may see."""
    qs = access.partners_for(user)
    if branch is None:
        return qs
    return qs.filter(Q(branch=branch) | Q(branch__isnull=True))


def may_edit_partner(user, partner):
    """A leader edits their branches' partners; national partners belong to the central
    corps and administrators."""
    if user.role in access.NATIONAL_ROLES:
        return True
    return partner.branch_id is not None and user.role == Role.LEADER


def partners_with_referrals(user):
    """The partners ``user`` may see, each with the number of families it referred that
    ``user`` may see."""
    return (
        access.partners_for(user)
        .select_related("branch")
        .annotate(
            referrals=Count(
                "referred_families",
                filter=Q(referred_families__in=access.families_for(user)),
                distinct=True,
            )
        )
    )


def referrals_per_year(families):
    """[(year, count)] of ``families`` by the year they were referred (or registered, when
    no referral date is known), newest first: which partners send families (issue 3
    item 6, Boks 8.1)."""
    rows = (
        families.annotate(
            year=ExtractYear(
                Coalesce("referred_on", TruncDate("created_at"), output_field=DateField())
            )
        )
        .values("year")
        .annotate(count=Count("pk"))
        .order_by("-year")
    )
    return [(row["year"], row["count"]) for row in rows]


@transaction.atomic
def add_partner_contact(partner, *, name, title="", phone="", email=""):
    """The partner's fixed contact person (Boks 8.1, DOMAIN.md §29.10)."""
    return PartnerContact.objects.create(
        partner=partner, name=name, title=title, phone=phone, email=email
    )
