"""Access rows for families, consents and partners."""

from tests.access_rules import HIDDEN, only

FAMILY_RULES = {
    "family_list": only(
        {"leader", "leader_other", "central", "followup", "followup_other", "admin"}
    ),
    "family_detail": only(
        {"leader", "central", "followup", "volunteer", "admin"},
        leader_other=HIDDEN,
        followup_other=HIDDEN,
        volunteer_other=HIDDEN,
    ),
}

FAMILY_URL_KWARGS = {
    "family_detail": lambda w: {"pk": w.family_a.pk},
}
