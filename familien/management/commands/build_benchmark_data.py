"""Build the national-scale benchmark data set (issue 8 item 1) and keep it.

Unlike benchmark_suggestions nothing is rolled back: the set is for the page benchmark to
run on, so build it in a scratch database. It refuses a database that holds families
unless told --yes-i-know.
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from familien.benchmark.dataset import build_dataset
from familien.models import Family


class Command(BaseCommand):
    help = "Build the national-scale benchmark data set (kept, not rolled back)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0)
        parser.add_argument("--seed", type=int, default=8)
        parser.add_argument(
            "--yes-i-know",
            action="store_true",
            help="build even though the database holds families (the rows are added to them)",
        )

    def handle(self, *args, scale, seed, yes_i_know, **options):
        if scale <= 0:
            raise CommandError("--scale must be above 0.")
        if Family.objects.exists() and not yes_i_know:
            raise CommandError(
                "The database holds families: build the benchmark set in an empty database "
                "(or add --yes-i-know to add it to what is there)."
            )
        self.stdout.write(f"Building the benchmark set at scale {scale} on {connection.vendor} …")
        started = time.perf_counter()
        build_dataset(scale=scale, seed=seed, progress=self.report)
        self.stdout.write(f"Total: {time.perf_counter() - started:.1f} s")

    def report(self, label, count, seconds):
        rows = "" if count is None else f"{count:>10,} rows"
        self.stdout.write(f"  {label:<24}{rows:>16}  {seconds:7.1f} s")
