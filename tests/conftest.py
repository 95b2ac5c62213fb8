from dataclasses import dataclass
from datetime import datetime

import pytest
from celery.signals import before_task_publish
from django.core.cache import cache
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from familien.models import Heartbeat, Role
from matching.models import Match
from tests.factories import (
    BranchFactory,
    ChildFactory,
    FamilyFactory,
    MatchFactory,
    ParentFactory,
    UserFactory,
    VolunteerFactory,
)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Cached figures never leak from one test's data into another's."""
    cache.clear()


# The longest wait a message may carry in the broker (docs/operations.md, "Faults"): the
# database is the schedule; a broker countdown or ETA is lost or repeated across a Redis
# restart or past the visibility timeout.
MAX_BROKER_DELAY = 300


@pytest.fixture(autouse=True)
def no_long_broker_delays():
    """Every message published during a fault test: no eta further than MAX_BROKER_DELAY
    seconds ahead (a countdown becomes an eta in the message headers)."""
    seen = []

    def check(sender=None, headers=None, **kwargs):
        eta = (headers or {}).get("eta")
        seen.append((sender, eta))

    before_task_publish.connect(check, weak=False)
    yield seen
    before_task_publish.disconnect(check)
    now = timezone.now()
    for task, eta in seen:
        if eta:
            delay = (datetime.fromisoformat(eta) - now).total_seconds()
            assert delay <= MAX_BROKER_DELAY, f"{task} published with an eta {delay:.0f} s ahead"


def login(client, user):
    """Log ``user`` in with a verified second factor, as after a real TOTP login."""
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="test", defaults={"confirmed": True}
    )
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@dataclass
class World:
    """Two branches, A and B, and for each role a person inside A's records and an
    outsider with the same role who must not see them."""

    branch_a: object
    branch_b: object
    family_a: object
    family_b: object
    volunteer_a: object
    match_a: object
    users: dict


@pytest.fixture
def world(db):
    branch_a, branch_b = (
        BranchFactory(name="Røde Kors Odense"),
        BranchFactory(name="Røde Kors Aalborg"),
    )
    family_a, family_b = FamilyFactory(branch=branch_a), FamilyFactory(branch=branch_b)
    ParentFactory(family=family_a, first_name="Mette", phone="+45 21 22 23 24")
    ChildFactory(family=family_a)
    ParentFactory(family=family_b, first_name="Bodil")
    users = {
        "leader": UserFactory(role=Role.LEADER, branches=[branch_a]),
        "leader_other": UserFactory(role=Role.LEADER, branches=[branch_b]),
        "central": UserFactory(role=Role.CENTRAL),
        "followup": UserFactory(role=Role.FOLLOWUP),
        "followup_other": UserFactory(role=Role.FOLLOWUP),
        "volunteer": UserFactory(role=Role.VOLUNTEER),
        "volunteer_other": UserFactory(role=Role.VOLUNTEER),
        "evaluator": UserFactory(role=Role.EVALUATOR),
        "admin": UserFactory(role=Role.ADMIN),
    }
    volunteer_a = VolunteerFactory(branch=branch_a, user=users["volunteer"])
    VolunteerFactory(branch=branch_b, user=users["volunteer_other"])
    match_a = MatchFactory(
        family=family_a,
        volunteer=volunteer_a,
        started_by=Match.StartedBy.CENTRAL,
        followup_volunteer=users["followup"],
        focus="Faste rutiner",
    )
    MatchFactory(family=family_b)
    now = timezone.now()
    for source in ("beat", "worker"):
        Heartbeat.objects.create(source=source, seen_at=now, detail="test")
    return World(branch_a, branch_b, family_a, family_b, volunteer_a, match_a, users)
