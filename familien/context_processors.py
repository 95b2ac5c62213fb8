from django.conf import settings

from familien.navigation import navigation_for


def familien(request):
    user = getattr(request, "user", None)
    return {
        "EMBEDDED": settings.EMBEDDED,
        "REQUIRE_2FA": settings.FAMILIEN_REQUIRE_2FA,
        "nav_items": navigation_for(user) if user is not None and user.is_authenticated else [],
    }
