import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.cache import patch_vary_headers

# Views a user may reach before the second factor: the 2FA pages themselves, logging out,
# choosing the language and the monitors' health check.
SECOND_FACTOR_EXEMPT = {
    "two_factor_setup",
    "two_factor_setup_email",
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
    """Send every role in FAMILIEN_2FA_ROLES to second-factor setup or verification
    until this session is verified (ASVS 5.0 6.3.3: no personal data behind a password
    alone). A password reset only changes the password, so it never skips this.

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
            from familien.second_factor import usable_devices

            target = "two_factor_verify" if usable_devices(user) else "two_factor_setup"
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


# The session key holding when the session's login happened (seconds since the epoch).
SESSION_STARTED_KEY = "_started_at"


class AbsoluteSessionLifetimeMiddleware:
    """Ends a logged-in session SESSION_MAX_AGE_SECONDS after the login however active it
    has been (ASVS 4.0.3 3.3.2: 12 hours), on top of the idle timeout.

    The start is stamped on the response of the request that logged in (or, for a
    session made some other way, its first request); a later request past the limit is
    logged out, which deletes the session on the server, and sent to the login page.
    Stands after AuthenticationMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            started = request.session.get(SESSION_STARTED_KEY)
            if started is not None and time.time() - started >= settings.SESSION_MAX_AGE_SECONDS:
                logout(request)
                return redirect_to_login(request.get_full_path())
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and SESSION_STARTED_KEY not in request.session
        ):
            request.session[SESSION_STARTED_KEY] = int(time.time())
        return response
