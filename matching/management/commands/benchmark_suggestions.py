"""Time the volunteer suggestions on a large synthetic set (issue 4 item 3: the top 10
among 50,000 volunteers in under 200 ms).

Everything it creates lives inside one transaction that is rolled back at the end, so the
database is left as it was. It still refuses to run on a database holding families unless
told --yes-i-know: the load and the locks are not for a production database.
"""

import random
import statistics
import time
from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from familien.benchmark.measuring import Rollback, percentile
from familien.models import (
    Availability,
    Branch,
    Child,
    ChildCertificate,
    Family,
    Language,
    Parent,
    PipelineStep,
    Programme,
    Region,
    Tag,
    Volunteer,
    VolunteerPreference,
)
from matching.distances import compute_branch_distances
from matching.models import Match, MeetingMode, SupportRequest
from matching.suggestions import suggest_volunteers

INTERESTS = [
    "fodbold", "lektiehjælp", "madlavning", "cykling", "svømning", "musik", "sang",
    "strikning", "natur", "friluftsliv", "jobsøgning", "cv", "økonomi", "budget", "it",
    "computer", "sundhed", "motion", "yoga", "læsning", "bibliotek", "museum", "kunst",
    "tegning", "håndarbejde", "have", "dyr", "ridning", "spejder", "dans", "teater",
    "film", "foto", "engelsk", "matematik", "dansk", "lektier", "uddannelse", "sygepleje",
    "pædagogik", "rengøring", "byggeri", "transport", "handel", "kontor", "iværksætteri",
]  # fmt: skip
WISHES = [
    "Hjælp til lektier og kontakt til skolen",
    "Én der kan tage med til fodbold og svømning",
    "Støtte til jobsøgning og cv",
    "Hjælp med økonomi og budget",
    "Komme ud i naturen og friluftsliv med børnene",
    "Gennemføre uddannelsen i sygepleje",
    "Netværk, madlavning og motion",
]
# Denmark, roughly: where the synthetic branches lie.
LAT = (54.8, 57.6)
LON = (8.2, 12.6)


def time_suggestions(requests, runs, *, rng, today):
    """One warm-up call (caches, the weights row), then ``runs`` timed calls on requests
    drawn from ``requests``: (milliseconds, queries, suggestions) per call."""
    suggest_volunteers(rng.choice(requests), today=today)
    timings, queries, found = [], [], []
    for _ in range(runs):
        request = SupportRequest.objects.get(pk=rng.choice(requests).pk)
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            result = suggest_volunteers(request, today=today)
            timings.append((time.perf_counter() - started) * 1000)
        queries.append(len(captured))
        found.append(len(result))
    return timings, queries, found


class Command(BaseCommand):
    help = "Time suggest_volunteers on a synthetic set; everything is rolled back."

    def add_arguments(self, parser):
        parser.add_argument("--volunteers", type=int, default=50_000)
        parser.add_argument("--runs", type=int, default=20)
        parser.add_argument("--branches", type=int, default=202)
        parser.add_argument("--families", type=int, default=2_000)
        parser.add_argument("--seed", type=int, default=4)
        parser.add_argument(
            "--yes-i-know",
            action="store_true",
            help="run even though the database holds families (all is rolled back)",
        )

    def handle(self, *args, volunteers, runs, branches, families, seed, yes_i_know, **options):
        if Family.objects.exists() and not yes_i_know:
            raise CommandError(
                "The database holds families: run the benchmark on an empty database "
                "(or add --yes-i-know; everything it creates is rolled back)."
            )
        self.rng = random.Random(seed)  # noqa: S311 - synthetic data, not secrets
        try:
            with transaction.atomic():
                self.run(volunteers, runs, branches, families)
                raise Rollback
        except Rollback:
            self.stdout.write("Rolled back: the database is as it was.")

    def step(self, label, started):
        self.stdout.write(f"  {label}: {time.perf_counter() - started:.1f} s")

    def run(self, volunteer_count, runs, branch_count, family_count):
        requests = self.build(volunteer_count, branch_count, family_count)
        self.measure(requests, volunteer_count, runs)

    def build(self, volunteer_count, branch_count, family_count):
        """The synthetic branches, volunteers, families, requests and matches."""
        rng = self.rng
        today = date.today()
        self.stdout.write(f"Building {volunteer_count} volunteers on {connection.vendor} …")

        started = time.perf_counter()
        have = Branch.objects.filter(latitude__isnull=False).count()
        Branch.objects.bulk_create(
            Branch(
                name=f"Benchmark afdeling {i}",
                municipality=f"Benchmark {i}",
                region=Region.SYDDANMARK,
                postcode="5000",
                latitude=rng.uniform(*LAT),
                longitude=rng.uniform(*LON),
            )
            for i in range(max(0, branch_count - have))
        )
        branch_ids = list(
            Branch.objects.filter(latitude__isnull=False).values_list("pk", flat=True)
        )
        self.step(f"{len(branch_ids)} branches", started)

        started = time.perf_counter()
        rows = compute_branch_distances()
        self.step(f"{rows} branch distances", started)

        started = time.perf_counter()
        existing = set(Tag.objects.values_list("name", flat=True))
        Tag.objects.bulk_create(Tag(name=n) for n in INTERESTS if n not in existing)
        tag_ids = list(Tag.objects.values_list("pk", flat=True))
        steps = (
            [PipelineStep.READY] * 4
            + [PipelineStep.ACTIVE] * 2
            + [
                PipelineStep.SIGNED_UP,
                PipelineStep.COURSE_BOOKED,
                PipelineStep.PAUSED,
                PipelineStep.LEFT,
            ]
        )
        programmes = list(Programme.values)
        languages = [c for c in Language.values if c != Language.OTHER]

        volunteers = Volunteer.objects.bulk_create(
            (
                Volunteer(
                    branch_id=rng.choice(branch_ids),
                    first_name="Bench",
                    last_name=f"Frivillig {i}",
                    programmes=rng.sample(programmes, rng.choice([1, 1, 2])),
                    pipeline_step=rng.choice(steps),
                    travel_km=rng.choice([None, 10, 20, 30, 50, 80]),
                    online=rng.random() < 0.3,
                    languages=[Language.DANISH] + rng.sample(languages, rng.choice([0, 0, 1, 2])),
                    preferences=rng.sample(list(VolunteerPreference.values), rng.choice([0, 1, 2])),
                    availability=rng.sample(list(Availability.values), rng.randint(1, 6)),
                    max_matches=rng.choice([1, 1, 2, 3]),
                )
                for i in range(volunteer_count)
            ),
            batch_size=2000,
        )
        volunteer_ids = [v.pk for v in volunteers]
        Volunteer.tags.through.objects.bulk_create(
            (
                Volunteer.tags.through(volunteer_id=pk, tag_id=tag)
                for pk in volunteer_ids
                for tag in rng.sample(tag_ids, rng.randint(1, 4))
            ),
            batch_size=5000,
        )
        Volunteer.served_branches.through.objects.bulk_create(
            (
                Volunteer.served_branches.through(volunteer_id=pk, branch_id=rng.choice(branch_ids))
                for pk in volunteer_ids
                if rng.random() < 0.1
            ),
            batch_size=5000,
        )
        ChildCertificate.objects.bulk_create(
            (
                ChildCertificate(
                    volunteer_id=pk,
                    ordered_on=today - timedelta(days=400),
                    consent_deadline=today - timedelta(days=386),
                    assessed_on=today - timedelta(days=370),
                    outcome=ChildCertificate.Outcome.APPROVED,
                    renewal_due=today + timedelta(days=rng.randint(-200, 700)),
                )
                for pk in volunteer_ids
                if rng.random() < 0.6
            ),
            batch_size=5000,
        )
        self.step("volunteers, tags, served branches, certificates", started)

        started = time.perf_counter()
        family_rows = Family.objects.bulk_create(
            (
                Family(
                    branch_id=rng.choice(branch_ids),
                    name=f"Benchmark familie {i}",
                    languages=[Language.DANISH] + rng.sample(languages, rng.choice([0, 1])),
                    needs_interpreter=rng.random() < 0.2,
                )
                for i in range(family_count)
            ),
            batch_size=2000,
        )
        Parent.objects.bulk_create(
            Parent(
                family=f,
                first_name="Bench",
                last_name="Forælder",
                single_provider=rng.random() < 0.4,
            )
            for f in family_rows
        )
        Child.objects.bulk_create(
            Child(family=f, first_name="Barn", birth_year=today.year - rng.randint(1, 17))
            for f in family_rows
            for _ in range(rng.randint(1, 3))
        )
        requests = SupportRequest.objects.bulk_create(
            SupportRequest(
                family=f,
                programme=rng.choice(
                    [Programme.FAMILY_FRIEND] * 3
                    + [Programme.JOB_MENTOR, Programme.EDUCATION_MENTOR]
                ),
                wishes=rng.choice(WISHES),
                mode=rng.choice([MeetingMode.IN_PERSON] * 3 + [MeetingMode.EITHER]),
                availability=rng.sample(list(Availability.values), rng.randint(2, 4)),
            )
            for f in family_rows
        )
        # Matches that take up places and declines that keep pairs apart.
        statuses = [Match.Status.ACTIVE] * 4 + [Match.Status.PROPOSED, Match.Status.DECLINED]
        Match.objects.bulk_create(
            (
                Match(
                    family=rng.choice(family_rows),
                    volunteer_id=pk,
                    programme=Programme.FAMILY_FRIEND,
                    status=rng.choice(statuses),
                )
                for pk in rng.sample(volunteer_ids, min(len(volunteer_ids), volunteer_count // 5))
            ),
            batch_size=5000,
        )
        self.step(f"{family_count} families with requests and matches", started)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        return requests

    def measure(self, requests, volunteer_count, runs):
        timings, queries, found = time_suggestions(requests, runs, rng=self.rng, today=date.today())
        self.stdout.write(
            f"suggest_volunteers, top 10 among {volunteer_count} volunteers, {runs} runs: "
            f"p50 {statistics.median(timings):.1f} ms, p95 {percentile(timings, 0.95):.1f} ms, "
            f"max {max(timings):.1f} ms; queries per call {min(queries)}–{max(queries)}; "
            f"suggestions per call {min(found)}–{max(found)}"
        )
