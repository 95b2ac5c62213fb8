"""Access rows for volunteers, their recruitment, courses and børneattest."""

from tests.access_rules import HIDDEN, only

VOLUNTEER_RULES = {
    "volunteer_list": only({"leader", "leader_other", "central", "admin"}),
    "volunteer_detail": only(
        {"leader", "central", "followup", "admin"}, leader_other=HIDDEN, followup_other=HIDDEN
    ),
}

VOLUNTEER_URL_KWARGS = {
    "volunteer_detail": lambda w: {"pk": w.volunteer_a.pk},
}
