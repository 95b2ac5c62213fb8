"""The simulated users of ``manage.py loadtest`` (familien/benchmark/load.py), for locust.

Loaded by locust in its own process, never imported by Django: it reads the plan the
command wrote (FAMILIEN_LOAD_PLAN: per role, its share of the users and, per real user,
a session cookie and the pages of the role's mix) and the think time
(FAMILIEN_LOAD_THINK: [min, max] seconds; [0, 0] for the saturation run). Beside the
people runs one floor probe (locust's user count is theirs plus one).

Statistics are named "<role> <page>", never by URL: URLs hold survey links and record ids;
the same name goes to the server in X-Familien-Load, for its access log of server times.
A page counts as an error unless it answers 200; redirects are not followed, so a session
the server does not accept shows as errors, not as a fast login page.
"""

import itertools
import json
import os
import random

from locust import FastHttpUser, between, constant, constant_pacing, task

with open(os.environ["FAMILIEN_LOAD_PLAN"]) as handle:
    PLAN = json.load(handle)
THINK = json.loads(os.environ.get("FAMILIEN_LOAD_THINK", "[3, 10]"))
# Sent as X-Familien-Load with each request: gunicorn's access log keeps it beside its own
# time for the request, so the command can tell server time from queueing per page.
RUN = os.environ.get("FAMILIEN_LOAD_RUN", "run")


def roles_in_turn(roles):
    """Role after role for the users as they start: each role once first, so a short run
    with few users still covers every role, then in proportion to the roles' weights
    (smooth weighted round robin: no role waits long for its turn)."""
    yield from roles
    credit = dict.fromkeys(roles, 0)
    total = sum(spec["weight"] for spec in roles.values())
    while True:
        for role, spec in roles.items():
            credit[role] += spec["weight"]
        role = max(credit, key=credit.get)
        credit[role] -= total
        yield role


ROLES = roles_in_turn(PLAN["roles"])
# Spread each role over its real users in turn: its i-th simulated user takes identity i mod n.
IDENTITIES = {role: itertools.count() for role in PLAN["roles"]}


class Person(FastHttpUser):
    """One person of a role, browsing the role's pages in random order by weight."""

    wait_time = between(*THINK) if max(THINK) > 0 else constant(0)

    def on_start(self):
        self.role = next(ROLES)
        identities = PLAN["roles"][self.role]["identities"]
        identity = identities[next(IDENTITIES[self.role]) % len(identities)]
        # The proxy in front of production ends TLS and says so; the session cookie is
        # secure, so it is sent by hand over loopback's plain HTTP.
        self.headers = {"X-Forwarded-Proto": "https"}
        if identity["cookie"]:
            self.headers["Cookie"] = f"{PLAN['cookie_name']}={identity['cookie']}"
        self.pages = identity["pages"]
        self.weights = [page["weight"] for page in self.pages]

    @task
    def open_page(self):
        # Not security-relevant: which page a simulated user opens next.
        page = random.choices(self.pages, weights=self.weights)[0]  # noqa: S311
        name = f"{self.role} {page['key']}"
        with self.client.get(
            page["url"],
            name=name,
            headers={**self.headers, "X-Familien-Load": f"{RUN} {name}"},
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")


class Floor(FastHttpUser):
    """The framework floor: one probe a second at a page with one trivial query, in the
    same run, to normalise the figures across machines and load levels."""

    fixed_count = 1
    wait_time = constant_pacing(1)

    @task
    def probe(self):
        with self.client.get(
            PLAN["floor_url"],
            name="floor",
            headers={"X-Forwarded-Proto": "https", "X-Familien-Load": f"{RUN} floor"},
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
