"""Load the demo: branches in all five regions, a login for every role, families,
volunteers and matches, all invented with Faker's Danish locale.

Running it again adds nothing: branches and users are looked up by name and e-mail, and
a branch that already has families is left as it is.
"""

import random
from datetime import date, timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import translation
from faker import Faker

from familien.demo.branch_locations import BRANCH_LOCATIONS
from familien.demo.families import MATCH_FOCUS, make_family, make_partners
from familien.demo.volunteers import make_courses, make_volunteer
from familien.models import Branch, Programme, Region, Role, User, Volunteer
from followup.demo import make_follow_up_history
from matching.demo import make_requests
from matching.distances import compute_branch_distances
from matching.models import Match
from surveys.demo import make_survey_history

DEMO_PASSWORD = "familien-demo"  # noqa: S105 - the embedded demo's published password

# (municipality, region, postcode): real municipalities, five regions.
BRANCHES = [
    ("København", Region.HOVEDSTADEN, "1550"),
    ("Frederiksberg", Region.HOVEDSTADEN, "2000"),
    ("Gentofte", Region.HOVEDSTADEN, "2820"),
    ("Gladsaxe", Region.HOVEDSTADEN, "2860"),
    ("Hvidovre", Region.HOVEDSTADEN, "2650"),
    ("Helsingør", Region.HOVEDSTADEN, "3000"),
    ("Hillerød", Region.HOVEDSTADEN, "3400"),
    ("Bornholm", Region.HOVEDSTADEN, "3700"),
    ("Roskilde", Region.SJAELLAND, "4000"),
    ("Køge", Region.SJAELLAND, "4600"),
    ("Holbæk", Region.SJAELLAND, "4300"),
    ("Slagelse", Region.SJAELLAND, "4200"),
    ("Næstved", Region.SJAELLAND, "4700"),
    ("Guldborgsund", Region.SJAELLAND, "4800"),
    ("Odense", Region.SYDDANMARK, "5000"),
    ("Svendborg", Region.SYDDANMARK, "5700"),
    ("Esbjerg", Region.SYDDANMARK, "6700"),
    ("Kolding", Region.SYDDANMARK, "6000"),
    ("Vejle", Region.SYDDANMARK, "7100"),
    ("Sønderborg", Region.SYDDANMARK, "6400"),
    ("Aabenraa", Region.SYDDANMARK, "6200"),
    ("Aarhus", Region.MIDTJYLLAND, "8000"),
    ("Randers", Region.MIDTJYLLAND, "8900"),
    ("Horsens", Region.MIDTJYLLAND, "8700"),
    ("Silkeborg", Region.MIDTJYLLAND, "8600"),
    ("Herning", Region.MIDTJYLLAND, "7400"),
    ("Viborg", Region.MIDTJYLLAND, "8800"),
    ("Holstebro", Region.MIDTJYLLAND, "7500"),
    ("Aalborg", Region.NORDJYLLAND, "9000"),
    ("Hjørring", Region.NORDJYLLAND, "9800"),
    ("Frederikshavn", Region.NORDJYLLAND, "9900"),
    ("Thisted", Region.NORDJYLLAND, "7700"),
    ("Vesthimmerland", Region.NORDJYLLAND, "9600"),
]

# (e-mail, name, role, municipalities led). One login per role, two leaders so a leader
# can see that another branch's families are not theirs.
USERS = [
    ("leder@familien.demo", "Lene Aktivitetsleder", Role.LEADER, ["Odense", "Svendborg"]),
    ("leder2@familien.demo", "Anders Aktivitetsleder", Role.LEADER, ["Aarhus"]),
    ("korps@familien.demo", "Karen Konsulent", Role.CENTRAL, []),
    ("opfoelgning@familien.demo", "Ole Opfølgningsfrivillig", Role.FOLLOWUP, []),
    ("frivillig@familien.demo", "Freja Familieven", Role.VOLUNTEER, []),
    ("evaluator@familien.demo", "Eva Evaluator", Role.EVALUATOR, []),
    ("admin@familien.demo", "Adam Administrator", Role.ADMIN, []),
]

PROGRAMME_MIX = [Programme.FAMILY_FRIEND] * 6 + [
    Programme.JOB_MENTOR,
    Programme.JOB_MENTOR,
    Programme.EDUCATION_MENTOR,
    Programme.WORKPLACE_MENTOR,
]


class Command(BaseCommand):
    help = "Load demo branches, users, families, volunteers and matches (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--families-per-branch", type=int, default=8)
        parser.add_argument("--seed", type=int, default=2018)

    @transaction.atomic
    def handle(self, *args, families_per_branch, seed, **options):
        fake = Faker("da_DK")
        fake.seed_instance(seed)
        rng = random.Random(seed)  # noqa: S311 - invented demo data, not secrets
        today = date.today()

        branches = {}
        for municipality, region, postcode in BRANCHES:
            latitude, longitude = BRANCH_LOCATIONS[municipality]
            # Coordinates are set on existing demo branches too, for the distances.
            branches[municipality], _ = Branch.objects.update_or_create(
                name=f"Røde Kors {municipality}",
                defaults={"latitude": latitude, "longitude": longitude},
                create_defaults={
                    "municipality": municipality,
                    "region": region,
                    "postcode": postcode,
                    "latitude": latitude,
                    "longitude": longitude,
                    "programmes": [
                        Programme.FAMILY_FRIEND,
                        Programme.JOB_MENTOR,
                        Programme.EDUCATION_MENTOR,
                    ],
                },
            )

        users = {}
        for email, name, role, led in USERS:
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(email, DEMO_PASSWORD, full_name=name, role=role)
                user.branches.set([branches[m] for m in led])
            users[email] = user

        new_families = []
        for branch in branches.values():
            if branch.families.exists():
                continue
            courses = make_courses(branch, today)
            volunteers = [
                make_volunteer(fake, rng, branch, today=today, courses=courses)
                for _ in range(max(2, families_per_branch // 2))
            ]
            partners = make_partners(fake, rng, branch)
            for index in range(families_per_branch):
                family = make_family(fake, rng, branch, today, partners)
                new_families.append(family)
                if index % 3 != 2:  # about two in three families have a match
                    self._match(rng, family, rng.choice(volunteers), today)

        make_requests(rng, new_families, today, users.values())
        compute_branch_distances()
        self._link_demo_people(users, branches, today)
        make_follow_up_history(rng, today)
        make_survey_history(rng, today)
        self._print_logins()

    def _match(self, rng, family, volunteer, today, **fields):
        programme = fields.pop("programme", rng.choice(PROGRAMME_MIX))
        started_by = (
            Match.StartedBy.CENTRAL
            if programme != Programme.FAMILY_FRIEND and rng.random() < 0.75
            else Match.StartedBy.LOCAL
        )
        status = Match.Status.ACTIVE if rng.random() < 0.8 else Match.Status.CLOSED
        return Match.objects.create(
            family=family,
            volunteer=volunteer,
            programme=programme,
            status=fields.pop("status", status),
            started_by=fields.pop("started_by", started_by),
            started_on=today - timedelta(days=rng.randint(10, 400)),
            focus=rng.choice(MATCH_FOCUS),
            **fields,
        )

    def _link_demo_people(self, users, branches, today):
        """Give the demo volunteer and follow-up volunteer matches of their own."""
        rng = random.Random(7)  # noqa: S311
        volunteer_user = users["frivillig@familien.demo"]
        if not Volunteer.objects.filter(user=volunteer_user).exists():
            odense = branches["Odense"]
            volunteer = Volunteer.objects.create(
                user=volunteer_user,
                branch=odense,
                first_name="Freja",
                last_name="Familieven",
                email=volunteer_user.email,
                phone="+45 20 30 40 50",
                programmes=[Programme.FAMILY_FRIEND],
            )
            for family in odense.families.all()[:2]:
                self._match(
                    rng,
                    family,
                    volunteer,
                    today,
                    programme=Programme.FAMILY_FRIEND,
                    started_by=Match.StartedBy.LOCAL,
                    status=Match.Status.ACTIVE,
                )
        followup_user = users["opfoelgning@familien.demo"]
        if not Match.objects.filter(followup_volunteer=followup_user).exists():
            central_matches = Match.objects.filter(
                started_by=Match.StartedBy.CENTRAL, status=Match.Status.ACTIVE
            ).order_by("pk")[:5]
            Match.objects.filter(pk__in=[m.pk for m in central_matches]).update(
                followup_volunteer=followup_user
            )

    def _print_logins(self):
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {DEMO_PASSWORD})"))
        with translation.override("da"):
            for email, _name, role, led in USERS:
                scope = f" ({', '.join(led)})" if led else ""
                self.stdout.write(f"  {Role(role).label!s:<30} {email}{scope}")
        self.stdout.write("")
