"""The access table's vocabulary, and the rows for the foundation's own pages.

Each area keeps its rows in its own module (access_rules_*.py); test_every_url.py joins
them. A URL in the URL conf without a row fails the walk.
"""

from tests.url_walk import LOGIN, ROLES

OK = 200
NONE = 403  # the role may not use the page at all
HIDDEN = 404  # the role may use the page, but not for another branch's or person's record


def everyone(expected, anonymous=LOGIN):
    return {role: (anonymous if role == "anonymous" else expected) for role in ROLES}


def only(allowed, otherwise=NONE, **overrides):
    rule = {
        role: LOGIN if role == "anonymous" else (OK if role in allowed else otherwise)
        for role in ROLES
    }
    rule.update(overrides)
    return rule


CORE_RULES = {
    "home": everyone(OK),
    "system_status": only({"admin"}),
    # 200 or 503: the walk's data has a survey step overdue, which /healthz reports.
    "healthz": everyone({OK, 503}, anonymous={OK, 503}),
    # Logged-in people are sent on from the login page.
    "login": everyone(302, anonymous=OK),
    # Logging out is POST only.
    "logout": everyone(405, anonymous=405),
    "account": everyone(OK),
    "two_factor_verify": everyone(OK),
    # Everyone in the test world already has a confirmed device: setup sends them on.
    "two_factor_setup": everyone(302),
    "two_factor_setup_email": everyone(302),
    # The password reset is for people who cannot log in; a logged-in visitor may use it too.
    "password_reset": everyone(OK, anonymous=OK),
    "password_reset_done": everyone(OK, anonymous=OK),
    # A made-up link: the page says it is used or too old.
    "password_reset_confirm": everyone(OK, anonymous=OK),
    "password_reset_complete": everyone(OK, anonymous=OK),
    # A GET changes nothing and sends the browser back.
    "set_language": everyone(302, anonymous=302),
}

CORE_URL_KWARGS = {
    "password_reset_confirm": lambda world: {"uidb64": "MA", "token": "made-up-token"},
}
