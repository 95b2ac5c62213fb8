"""Access rows for notifications and the administrator's personal-data tools."""

from familien.models import Notification
from tests.access_rules import OK, everyone, only

# POST-only views answer 405 to a GET, before any login check.
POST_ONLY = everyone(405, anonymous=405)

NOTIFICATION_RULES = {
    # Everyone has an inbox; it shows their own notifications only.
    "notification_list": everyone(OK),
    "notification_read": POST_ONLY,
    "notification_read_all": POST_ONLY,
    # Subject access and erasure are the administrators' tools alone.
    "privacy_search": only({"admin"}),
    "privacy_family_export": only({"admin"}),
    "privacy_volunteer_export": only({"admin"}),
    "privacy_family_erase_confirm": only({"admin"}),
    "privacy_volunteer_erase_confirm": only({"admin"}),
    "privacy_family_erase": POST_ONLY,
    "privacy_volunteer_erase": POST_ONLY,
}


def _leader_notification(world):
    notification = Notification.objects.create(
        recipient=world.users["leader"],
        kind=Notification.Kind.CENTRAL_FAMILY,
        text="Det centrale korps har registreret en ny familie.",
        link=f"/familier/{world.family_a.pk}/",
    )
    return {"pk": notification.pk}


NOTIFICATION_URL_KWARGS = {
    "notification_read": _leader_notification,
    "privacy_family_export": lambda w: {"pk": w.family_a.pk},
    "privacy_volunteer_export": lambda w: {"pk": w.volunteer_a.pk},
    "privacy_family_erase_confirm": lambda w: {"pk": w.family_a.pk},
    "privacy_volunteer_erase_confirm": lambda w: {"pk": w.volunteer_a.pk},
    "privacy_family_erase": lambda w: {"pk": w.family_a.pk},
    "privacy_volunteer_erase": lambda w: {"pk": w.volunteer_a.pk},
}
