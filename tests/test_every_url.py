"""Every URL in the URL conf, as every role: the access table of Familien.

Add a view, add its row here. A URL without a row fails this test.
"""

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.http import HttpResponse
from django.test import Client

from tests.access_rules import CORE_RULES, CORE_URL_KWARGS, HIDDEN, LOGIN, NONE, OK, everyone
from tests.access_rules_access_log import ACCESS_LOG_RULES, ACCESS_LOG_URL_KWARGS
from tests.access_rules_checkins import CHECKIN_RULES, CHECKIN_URL_KWARGS
from tests.access_rules_families import FAMILY_RULES, FAMILY_URL_KWARGS
from tests.access_rules_followup import FOLLOWUP_TASK_RULES, FOLLOWUP_TASK_URL_KWARGS
from tests.access_rules_imports import IMPORT_RULES, IMPORT_URL_KWARGS
from tests.access_rules_matches import MATCH_RULES, MATCH_URL_KWARGS
from tests.access_rules_notifications import NOTIFICATION_RULES, NOTIFICATION_URL_KWARGS
from tests.access_rules_outcomes import OUTCOME_RULES, OUTCOME_URL_KWARGS
from tests.access_rules_reports import REPORT_RULES, REPORT_URL_KWARGS
from tests.access_rules_requests import REQUEST_RULES, REQUEST_URL_KWARGS
from tests.access_rules_respond import RESPOND_RULES, RESPOND_URL_KWARGS
from tests.access_rules_suggestions import SUGGESTION_RULES, SUGGESTION_URL_KWARGS
from tests.access_rules_surveys import SURVEY_STAFF_RULES, SURVEY_STAFF_URL_KWARGS
from tests.access_rules_volunteers import VOLUNTEER_RULES, VOLUNTEER_URL_KWARGS
from tests.url_walk import ADMIN_LOGIN, iter_named_patterns, walk

RULES = {
    **CORE_RULES,
    **FAMILY_RULES,
    **VOLUNTEER_RULES,
    **NOTIFICATION_RULES,
    **IMPORT_RULES,
    **REQUEST_RULES,
    **SUGGESTION_RULES,
    **MATCH_RULES,
    **FOLLOWUP_TASK_RULES,
    **CHECKIN_RULES,
    **RESPOND_RULES,
    **SURVEY_STAFF_RULES,
    **OUTCOME_RULES,
    **REPORT_RULES,
    **ACCESS_LOG_RULES,
}
URL_KWARGS = {
    **CORE_URL_KWARGS,
    **FAMILY_URL_KWARGS,
    **VOLUNTEER_URL_KWARGS,
    **NOTIFICATION_URL_KWARGS,
    **IMPORT_URL_KWARGS,
    **REQUEST_URL_KWARGS,
    **SUGGESTION_URL_KWARGS,
    **MATCH_URL_KWARGS,
    **FOLLOWUP_TASK_URL_KWARGS,
    **CHECKIN_URL_KWARGS,
    **RESPOND_URL_KWARGS,
    **SURVEY_STAFF_URL_KWARGS,
    **OUTCOME_URL_KWARGS,
    **REPORT_URL_KWARGS,
    **ACCESS_LOG_URL_KWARGS,
}


def admin_rule(name):
    """The Django admin is for administrators; everyone else is sent to its login,
    which refuses logged-in non-administrators with 403 (see admin:login)."""
    if name == "admin:login":
        return everyone(NONE, anonymous=LOGIN) | {"admin": 302}
    if name == "admin:logout":
        # POST only for administrators; others are sent to the admin index, which refuses.
        return everyone(302, anonymous=302) | {"admin": 405}
    admin_expected = {
        "admin:autocomplete": NONE,  # needs a field to complete; without one, refused
        "admin:view_on_site": HIDDEN,  # no model here has a public page
        # TOTP secrets are never shown again, not even to administrators.
        "admin:otp_totp_totpdevice_config": NONE,
        "admin:otp_totp_totpdevice_qrcode": NONE,
        # Login-attempt logs are written by the system only.
        "admin:axes_accessattempt_add": NONE,
        "admin:axes_accesslog_add": NONE,
        "admin:axes_accessfailurelog_add": NONE,
        # The audit trail is append-only: nobody adds or deletes entries by hand.
        "admin:auditlog_logentry_add": NONE,
        "admin:auditlog_logentry_delete": NONE,
        "admin:familien_accesslogentry_add": NONE,
        "admin:familien_accesslogentry_delete": NONE,
    }.get(name, {OK, 302})
    return everyone(ADMIN_LOGIN, anonymous=ADMIN_LOGIN) | {"admin": admin_expected}


def admin_kwargs(name):
    """Real ids for the admin's object URLs, taken from the test world."""
    action_split = name.removeprefix("admin:").rsplit("_", 1)

    def kwargs(world):
        if name == "admin:app_list":
            return {"app_label": "familien"}
        if name == "admin:view_on_site":
            family = world.family_a
            return {
                "content_type_id": ContentType.objects.get_for_model(family).pk,
                "object_id": family.pk,
            }
        if name == "admin:auth_user_password_change":
            return {"id": world.users["admin"].pk}
        app_model = action_split[0]
        for model in apps.get_models():
            prefix = f"{model._meta.app_label}_{model._meta.model_name}"
            if app_model.startswith(prefix):
                obj = model._default_manager.order_by("pk").first()
                pk = obj.pk if obj else 1
                return {"pk": pk} if action_split[1] in {"config", "qrcode"} else {"object_id": pk}
        return {}

    return kwargs


def full_rules():
    rules, url_kwargs = dict(RULES), dict(URL_KWARGS)
    for name, pattern in iter_named_patterns():
        if name.startswith("admin:") and not name.startswith("admin:<unnamed"):
            rules[name] = admin_rule(name)
            if pattern.pattern.converters or "(?P<" in str(pattern.pattern):
                url_kwargs[name] = admin_kwargs(name)
    return rules, url_kwargs


def test_our_url_patterns_are_all_named():
    unnamed = [
        n for n, _ in iter_named_patterns() if "<unnamed" in n and not n.startswith("admin:")
    ]
    assert unnamed == []


# Views that decide without role_required, and why. Everything else must carry it, so a
# view's roles are stated in one place and the walk below checks them.
UNGUARDED = {
    "home": "every logged-in role has a start page; anonymous visitors go to the login",
    "healthz": "the load balancer's probe: no data, no login",
    "survey_respond": "the respondent's link is the credential (surveys/respond_views.py)",
    "survey_opt_out": "the respondent's link is the credential",
    "survey_link_unknown": "the closed page for every other path under /s/",
    "set_language": "Django's language switch, also on the respondent's pages",
}
# The login machinery opens before anyone has a role.
ACCOUNT_MODULES = ("familien.account_views", "django.contrib.auth.views")


def test_every_view_states_its_roles_or_why_not():
    unguarded = sorted(
        name
        for name, pattern in iter_named_patterns()
        if not name.startswith("admin:")
        and not hasattr(pattern.callback, "allowed_roles")
        and name not in UNGUARDED
        and pattern.callback.__module__ not in ACCOUNT_MODULES
    )
    assert unguarded == []


def test_every_url_as_every_role(world):
    rules, url_kwargs = full_rules()
    mismatches = walk(Client, world, rules, url_kwargs)
    assert not mismatches, "\n".join(str(m) for m in mismatches)


def unscoped_family_view(request, pk):
    """What a careless view looks like: any logged-in user may read any family."""
    from familien.models import Family

    if not request.user.is_authenticated:
        return HttpResponse(status=302, headers={"Location": "/konto/log-ind/"})
    return HttpResponse(Family.objects.get(pk=pk).name)


@pytest.mark.urls("tests.unscoped_urls")
def test_the_walk_catches_an_unscoped_view_and_a_url_without_a_rule(world):
    rules, url_kwargs = full_rules()
    # The real views pass in test_every_url_as_every_role; beside one of them, the new URL
    # is reported on its own.
    only = {"family_detail", "dummy_unscoped"}
    mismatches = walk(Client, world, rules, url_kwargs, only=only)
    assert [m.url_name for m in mismatches] == ["dummy_unscoped"]

    rules["dummy_unscoped"] = FAMILY_RULES["family_detail"]
    url_kwargs["dummy_unscoped"] = FAMILY_URL_KWARGS["family_detail"]
    found = {(m.url_name, m.role, m.got) for m in walk(Client, world, rules, url_kwargs, only=only)}
    # The other branch's leader, a stranger follow-up volunteer and the evaluator read
    # family A: each one is caught.
    assert ("dummy_unscoped", "leader_other", 200) in found
    assert ("dummy_unscoped", "followup_other", 200) in found
    assert ("dummy_unscoped", "evaluator", 200) in found
