"""Demo support requests: every branch gets a few families on its waiting list, with
varied days waiting, some handled by the central corps and some with an intro meeting.

Called by familien/management/commands/seed_demo.py after the families exist.
"""

from collections import defaultdict
from datetime import timedelta

from django.utils import timezone

from familien.models import Family, Programme, Role
from matching.models import IntroMeeting, MeetingMode, SupportRequest

REQUESTS_PER_BRANCH = 3
WISHES = [
    "En voksen at tale med om hverdagen og overskud til børnene",
    "Hjælp til lektier og kontakt til skolen",
    "Komme ud og opleve noget sammen med børnene",
    "Støtte til at finde job og skrive ansøgninger",
    "Hjælp til at gennemføre uddannelsen",
    "Et netværk i byen, vi er nye her",
]
FOCUS = [
    "Faste rutiner i hverdagen",
    "Lektiehjælp",
    "Fritidsaktiviteter",
    "Jobsøgning",
    "Uddannelse",
    "Netværk",
]
# Family friend is the largest programme (DOMAIN.md §3); mentors are fewer.
PROGRAMMES = [Programme.FAMILY_FRIEND] * 4 + [Programme.JOB_MENTOR, Programme.EDUCATION_MENTOR]


def _first_user(users, role):
    return next((u for u in users if u.role == role), None)


def make_requests(rng, families, today, users):
    """Waiting support requests for ``families`` (several branches), at most
    REQUESTS_PER_BRANCH per branch, skipping families that already have one.

    ``users`` is an iterable of User (seed_demo's ``users.values()``): the first leader
    registers the requests and the central corps user takes some over. About a third
    are handled centrally (report section 7.1: 161 of 509 family-friend courses), one in
    ten is first on the list (section 7.3), and about half have had their intro meeting.
    Returns the requests made.
    """
    users = list(users)
    central = _first_user(users, Role.CENTRAL)
    leader = _first_user(users, Role.LEADER)
    busy = set(
        SupportRequest.objects.filter(family__in=families).values_list("family_id", flat=True)
    )
    by_branch = defaultdict(list)
    for family in families:
        if family.pk not in busy and family.status == Family.Status.ACTIVE:
            by_branch[family.branch_id].append(family)

    made = []
    for branch_families in by_branch.values():
        for family in rng.sample(branch_families, min(REQUESTS_PER_BRANCH, len(branch_families))):
            parents = list(family.parents.all())
            children = list(family.children.all())
            if not parents:
                continue
            programme = rng.choice(PROGRAMMES)
            for_child = None
            if programme == Programme.FAMILY_FRIEND and children and rng.random() < 0.3:
                for_child = rng.choice(children)
            centrally = rng.random() < (0.75 if programme != Programme.FAMILY_FRIEND else 0.3)
            waited = rng.choice([rng.randint(2, 30), rng.randint(30, 120), rng.randint(120, 300)])
            request = SupportRequest.objects.create(
                family=family,
                programme=programme,
                for_parent=None if for_child else rng.choice(parents),
                for_child=for_child,
                wishes=rng.choice(WISHES),
                focus=rng.choice(FOCUS),
                mode=rng.choice([MeetingMode.IN_PERSON] * 3 + [MeetingMode.EITHER]),
                waiting_since=today - timedelta(days=waited),
                priority=rng.random() < 0.1,
                handled_centrally=centrally,
                taken_over_by=central if centrally else None,
                taken_over_at=timezone.now() - timedelta(days=waited // 2) if centrally else None,
                created_by=leader,
            )
            if rng.random() < 0.5:
                IntroMeeting.objects.create(
                    request=request,
                    held_on=today - timedelta(days=rng.randint(0, waited)),
                    attendees=rng.choice(
                        [
                            "Mor og aktivitetsleder",
                            "Mor, far og aktivitetsleder",
                            "Far og konsulent",
                        ]
                    ),
                    needs=request.wishes,
                    wishes=request.focus,
                    expectations_aligned=rng.random() < 0.8,
                    held_by=central if centrally else leader,
                )
            made.append(request)
    return made
