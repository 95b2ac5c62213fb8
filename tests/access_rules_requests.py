"""Access rows for support requests: the waiting list, a new request and the request page.

Leaders see their branches' requests, the central corps and administrators all; the
other roles are refused (403); another branch's request or family is hidden (404).
"""

from tests.access_rules import HIDDEN, only
from tests.url_walk import ROLES

CASEWORKERS = {"leader", "central", "admin"}
# POST only: a GET is refused before anything else.
POST_ONLY = {role: 405 for role in ROLES}


def _request_a(world):
    """A waiting support request of family A (branch A), made once per world."""
    from matching.models import SupportRequest

    parent = world.family_a.parents.first()
    request, _ = SupportRequest.objects.get_or_create(
        family=world.family_a,
        programme="family_friend",
        for_parent=parent,
        defaults={"wishes": "Hjælp til hverdagen"},
    )
    return {"pk": request.pk}


REQUEST_RULES = {
    "waiting_list": only(CASEWORKERS | {"leader_other"}),
    "request_create": only(CASEWORKERS, leader_other=HIDDEN),
    "request_detail": only(CASEWORKERS, leader_other=HIDDEN),
    "request_intro_meeting": POST_ONLY,
    "request_volunteer_talk": POST_ONLY,
    "request_withdraw": POST_ONLY,
    "request_take_over": POST_ONLY,
}

REQUEST_URL_KWARGS = {
    "request_create": lambda w: {"family_pk": w.family_a.pk},
    "request_detail": _request_a,
    "request_intro_meeting": _request_a,
    "request_volunteer_talk": _request_a,
    "request_withdraw": _request_a,
    "request_take_over": _request_a,
}
