import time
from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.cache import patch_vary_headers

# Views a user may reach before the second factor: the 2FA pages themselves, logging out,
# choosing the language and the monitors' health check.
SECOND_FACTOR_EXEMPT = {
    "two_factor_setup",
    "two_factor_verify",
    "logout",
    "set_language",
    "healthz",
    "javascript-catalog",
    # The survey respondent's pages: no account, the token is the only credential.
    "survey_respond",
    "survey_opt_out",
    "survey_link_unknown",
}


class SecondFactorRequiredMiddleware:
    """Send staff roles to TOTP setup or verification until this session is verified.

    Runs after django_otp's OTPMiddleware, which sets ``request.user.is_verified``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            settings.FAMILIEN_REQUIRE_2FA
            and user.is_authenticated
            and user.role in settings.FAMILIEN_2FA_ROLES
            and not user.is_verified()
            and not self._exempt(request.path_info)
        ):
            from django_otp import devices_for_user

            target = (
                "two_factor_verify"
                if any(True for _ in devices_for_user(user, confirmed=True))
                else "two_factor_setup"
            )
            return redirect(f"{_url(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    @staticmethod
    def _exempt(path):
        if path.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return True
        try:
            return resolve(path).url_name in SECOND_FACTOR_EXEMPT
        except Resolver404:
            return True


def _url(name):
    from django.urls import reverse

    return reverse(name)


class DanishFirstLocaleMiddleware:
    """Danish unless the person chose another language with the switch (a cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language, and many
    coordinators' browsers are set to English; the programme works in Danish.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ["Cookie"])
        return response


# The session key holding when the session's expiry was last pushed forward.
SESSION_REFRESHED_KEY = "_refreshed_at"


class IdleSessionRefreshMiddleware:
    """Keeps the idle timeout (SESSION_COOKIE_AGE after the last request) without writing
    the session on every request: it is saved, and its expiry moved forward, when the last
    save is SESSION_REFRESH_SECONDS old or more. The timeout is then exact to within that
    many seconds, and a page costs no UPDATE of the session table (issue 8: a write per
    page view is the largest cost of a page under load).

    Stands after SessionMiddleware in MIDDLEWARE, so the session it marks is saved by it.
    A visitor without a session gets none.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.is_empty():
            return response
        now = int(time.time())
        if now - session.get(SESSION_REFRESHED_KEY, 0) >= settings.SESSION_REFRESH_SECONDS:
            session[SESSION_REFRESHED_KEY] = now
        return response
