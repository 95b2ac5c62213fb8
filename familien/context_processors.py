from django.conf import settings
from django.utils.functional import SimpleLazyObject

from familien.models import Notification
from familien.navigation import navigation_for


def _unread_count(user):
    # One COUNT over the partial index "notification_unread", and only if the page
    # shows the badge (lazy): a page that never renders the menu costs nothing.
    return SimpleLazyObject(lambda: Notification.objects.filter(recipient=user).unread().count())


def familien(request):
    user = getattr(request, "user", None)
    authenticated = user is not None and user.is_authenticated
    return {
        "EMBEDDED": settings.EMBEDDED,
        "REQUIRE_2FA": settings.FAMILIEN_REQUIRE_2FA,
        "nav_items": navigation_for(user) if authenticated else [],
        "unread_notifications": _unread_count(user) if authenticated else 0,
    }
