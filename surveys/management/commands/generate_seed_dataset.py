"""Build the seed-calibrated data set (issue 7 item 6; surveys/seed_dataset.py): families,
volunteers and matches whose survey invitations and answers reproduce the report's Tabel
2.1 and 2.2 (DOMAIN.md §15) and follow its headline results (DOMAIN.md §28).

It adds to the database, so it refuses to run where families exist unless told
--yes-i-know: it is for an empty database, a demo or an evaluator's test copy, never for
production. It prints counts, never names.
"""

import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from familien.models import Family
from surveys.seed_dataset import TABLES, build_seed_dataset


class Command(BaseCommand):
    help = "Build a data set that reproduces the report's response rates and headline results."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2022, help="random seed (default 2022)")
        parser.add_argument(
            "--today",
            type=date.fromisoformat,
            help="the data set's day, YYYY-MM-DD (default: today); every date lies before it",
        )
        parser.add_argument(
            "--yes-i-know",
            action="store_true",
            help="add the data set even though the database already holds families",
        )

    def handle(self, *args, seed, today, yes_i_know, **options):
        if Family.objects.exists() and not yes_i_know:
            raise CommandError(
                "The database holds families: build the data set in an empty database "
                "(or add --yes-i-know to add it to what is there)."
            )
        started = time.perf_counter()
        summary = build_seed_dataset(seed=seed, today=today or timezone.localdate())
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"Seed data set (seed {seed}) on {connection.vendor}: {summary.branches} new "
            f"branches, {summary.families} families, {summary.volunteers} volunteers, "
            f"{summary.matches} matches, {summary.attempts} contact attempts, "
            f"{summary.answers} answers."
        )
        for kind, programme in TABLES:
            key = (kind, programme)
            self.stdout.write(
                f"  {kind:<9} {programme:<16} sent {summary.invitations[key]:>3}, "
                f"answered {summary.answered[key]:>3} ({summary.partial[key]} partly)"
            )
        self.stdout.write(f"Done in {elapsed:.1f} s.")
