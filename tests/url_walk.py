"""Walk every URL pattern of a URL conf as every role and compare with the expected status.

A URL without a rule is itself a failure, so a view added later without an access rule
fails the build. Object URLs are requested with objects of branch A; the "_other" people
hold the same role elsewhere and must get 404 (scoping) or 403 (role), never the data.
"""

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import login

ROLES = [
    "anonymous",
    "leader",
    "leader_other",
    "central",
    "followup",
    "followup_other",
    "volunteer",
    "volunteer_other",
    "evaluator",
    "admin",
]
LOGIN = "login"  # a redirect to the login page
ADMIN_LOGIN = "admin-login"  # the admin's redirect to its login (which answers 403)


@dataclass(frozen=True)
class Mismatch:
    url_name: str
    role: str
    expected: object
    got: object

    def __str__(self):
        return f"{self.url_name} as {self.role}: expected {self.expected}, got {self.got}"


def iter_named_patterns(urlconf=None):
    """Yield (qualified name, pattern) for every pattern, descending into includes."""

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                yield from walk(pattern.url_patterns, inner if pattern.namespace else namespace)
            elif isinstance(pattern, URLPattern):
                name = pattern.name or f"<unnamed {pattern.pattern}>"
                yield (f"{namespace}:{name}" if namespace else name), pattern

    yield from walk(get_resolver(urlconf).url_patterns, "")


def outcome(response):
    """Reduce a response to what the rules speak of."""
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith(reverse("admin:login")):
            return ADMIN_LOGIN
        if location.startswith(reverse("login")):
            return LOGIN
    return response.status_code


def walk(client_factory, world, rules, url_kwargs, urlconf=None, only=None):
    """Request every pattern (or the names in ``only``) as every role; return the
    mismatches (empty means all good).

    ``rules`` maps a URL name to {role: expected} or to a callable(role) -> expected;
    ``url_kwargs`` maps a URL name to a callable(world) -> kwargs for reverse().
    """
    mismatches = []
    clients = {}
    for role in ROLES:
        client = client_factory()
        if role != "anonymous":
            login(client, world.users[role])
        clients[role] = client
    for name, _pattern in iter_named_patterns(urlconf):
        if only is not None and name not in only:
            continue
        if name.startswith("admin:<unnamed"):
            # The admin's object redirect and catch-all cannot be reversed; both answer
            # through the admin's own permission check, like its named views walked here.
            continue
        rule = rules.get(name)
        if rule is None:
            mismatches.append(Mismatch(name, "-", "a rule in the access table", "none"))
            continue
        kwargs = url_kwargs[name](world) if name in url_kwargs else {}
        url = reverse(name, kwargs=kwargs, urlconf=urlconf)
        for role in ROLES:
            expected = rule(role) if callable(rule) else rule[role]
            got = outcome(clients[role].get(url))
            if got != expected and not (isinstance(expected, set) and got in expected):
                mismatches.append(Mismatch(name, role, expected, got))
    return mismatches
