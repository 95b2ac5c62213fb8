"""Access rows for suggestions."""

from tests.access_rules import HIDDEN, only


def _request_a(world):
    """A waiting family-friend request of family A, made once per world."""
    from familien.models import Programme
    from matching.models import SupportRequest

    request, _ = SupportRequest.objects.get_or_create(
        family=world.family_a, programme=Programme.FAMILY_FRIEND
    )
    return {"pk": request.pk}


SUGGESTION_RULES = {
    # Leaders of the family's branch, the central corps and administrators; another
    # branch's leader does not learn that the request exists.
    "suggestions": only({"leader", "central", "admin"}, leader_other=HIDDEN),
}

SUGGESTION_URL_KWARGS = {
    "suggestions": _request_a,
}
