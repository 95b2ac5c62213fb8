"""Access rows for families, consents and partners."""

from tests.access_rules import HIDDEN, only
from tests.url_walk import ROLES

CASEWORKERS = {"leader", "central", "admin"}
PARTNER_USERS = {"leader", "leader_other", "central", "admin"}


def _partner_a(world):
    """A partner of branch A, made once per world."""
    from familien.models import Partner, PartnerContact

    partner, created = Partner.objects.get_or_create(
        name="Jobcenter Odense", branch=world.branch_a, defaults={"kind": Partner.Kind.JOBCENTER}
    )
    if created:
        PartnerContact.objects.create(partner=partner, name="Karin Kontakt")
    return {"pk": partner.pk}


FAMILY_RULES = {
    "family_list": only(
        {"leader", "leader_other", "central", "followup", "followup_other", "admin"}
    ),
    "family_create": only(CASEWORKERS | {"leader_other"}),
    "family_detail": only(
        {"leader", "central", "followup", "volunteer", "admin"},
        leader_other=HIDDEN,
        followup_other=HIDDEN,
        volunteer_other=HIDDEN,
    ),
    "family_edit": only(CASEWORKERS, leader_other=HIDDEN),
    # POST only: a GET is refused before anything else.
    "family_consent": {role: 405 for role in ROLES},
    "partner_list": only(PARTNER_USERS),
    "partner_create": only(PARTNER_USERS),
    "partner_detail": only(CASEWORKERS, leader_other=HIDDEN),
    "partner_edit": only(CASEWORKERS, leader_other=HIDDEN),
    "partner_contact_create": only(CASEWORKERS, leader_other=HIDDEN),
}

FAMILY_URL_KWARGS = {
    "family_detail": lambda w: {"pk": w.family_a.pk},
    "family_edit": lambda w: {"pk": w.family_a.pk},
    "family_consent": lambda w: {"pk": w.family_a.pk},
    "partner_detail": _partner_a,
    "partner_edit": _partner_a,
    "partner_contact_create": _partner_a,
}
