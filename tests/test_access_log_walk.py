"""Every page that answers a logged-in person writes to the access log.

The walk takes every URL of the URL conf with the access table of test_every_url.py and
requests it as a role the table lets in; each 200 must leave at least one access-log entry
naming that page and that user. A view added later is logged by the middleware without
anyone remembering to; one left out on purpose must be named in NOT_PERSONAL.
"""

from django.test import Client
from django.urls import reverse
from django.urls.converters import IntConverter

from familien import access_log
from familien.models import AccessLogEntry
from tests.conftest import login
from tests.test_every_url import full_rules
from tests.url_walk import ROLES, iter_named_patterns

OK = 200
# As the code declares them; a test below narrows the middleware's copy, not this one.
DECLARED_NOT_PERSONAL = frozenset(access_log.NOT_PERSONAL)


def _first_role_let_in(rule):
    for role in ROLES:
        if role == "anonymous":
            continue
        expected = rule(role) if callable(rule) else rule[role]
        if expected == OK or (isinstance(expected, set) and OK in expected):
            return role
    return None


def unlogged_pages(world, only=None):
    """(URL name, role) of every page (or of those named in ``only``) answered with 200
    and no access-log entry."""
    rules, url_kwargs = full_rules()
    clients = {}
    missing = []
    walked = 0
    for name, _pattern in iter_named_patterns():
        if name.startswith("admin:<unnamed") or name in DECLARED_NOT_PERSONAL:
            continue
        if only is not None and name not in only:
            continue
        role = _first_role_let_in(rules[name])
        if role is None:
            continue
        if role not in clients:
            clients[role] = login(Client(), world.users[role])
        kwargs = url_kwargs[name](world) if name in url_kwargs else {}
        before = AccessLogEntry.objects.count()
        response = clients[role].get(reverse(name, kwargs=kwargs))
        if response.status_code != OK:
            continue
        walked += 1
        written = AccessLogEntry.objects.order_by("-pk")[: AccessLogEntry.objects.count() - before]
        if not any(e.what == name and e.user_id == world.users[role].pk for e in written):
            missing.append((name, role))
    return walked, missing


def test_every_page_a_logged_in_person_opens_is_logged(world):
    walked, missing = unlogged_pages(world)
    # Not a walk of nothing: the families', volunteers', matches' and admin's pages answer.
    assert walked > 60
    assert missing == []


def test_the_walk_catches_a_page_that_is_not_logged(world, monkeypatch):
    # The middleware leaves the family page out, as if it had been declared free of
    # personal data; the walk still requests it, and reports it.
    monkeypatch.setattr(access_log, "NOT_PERSONAL", DECLARED_NOT_PERSONAL | {"family_detail"})
    walked, missing = unlogged_pages(world, only={"family_list", "family_detail", "home"})
    assert walked == 3
    assert [name for name, _role in missing] == ["family_detail"]


def test_every_address_with_an_id_says_what_the_id_is():
    """A page named by an id is traced to its person at extraction; a URL with an id the
    table does not know would leave its entries unreachable from the person."""
    unknown = []
    for name, pattern in iter_named_patterns():
        if name.startswith("admin:") or name in DECLARED_NOT_PERSONAL:
            continue
        ids = {k for k, c in pattern.pattern.converters.items() if isinstance(c, IntConverter)}
        if ids - set(access_log.URL_OBJECTS.get(name, {})):
            unknown.append(name)
    assert unknown == []
