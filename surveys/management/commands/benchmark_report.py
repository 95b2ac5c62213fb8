"""Time the PDF report (issue 7 item 4: a 20-page report in under 5 seconds).

Builds invented data (surveys.report_sample) inside a transaction, renders the report
as the central corps ``--runs`` times, prints the page count and the median and p95
seconds, and rolls everything back: the database is left as it was.

    python manage.py benchmark_report --runs 5
"""

import logging
import statistics
import subprocess
import tempfile
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from familien.models import Role, User
from surveys.report_pdf import render_report_pdf
from surveys.report_sample import build_sample, sample_filters

TARGET_SECONDS = 5.0


class Rollback(Exception):
    """Raised to leave the benchmark's transaction without keeping its rows."""


def page_count(pdf):
    """Pages of ``pdf`` by pdfinfo (poppler-utils), or by counting page objects."""
    try:
        with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
            handle.write(pdf)
            handle.flush()
            info = subprocess.run(  # noqa: S603 - a fixed program on our own file
                ["pdfinfo", handle.name],  # noqa: S607
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        return int(next(line for line in info.splitlines() if line.startswith("Pages:")).split()[1])
    except (OSError, subprocess.CalledProcessError, StopIteration):
        return pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")


class Command(BaseCommand):
    help = "Time the PDF report on invented data (rolled back afterwards)."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=5)
        parser.add_argument("--branches", type=int, default=60)
        parser.add_argument("--families", type=int, default=6, help="families per branch")
        parser.add_argument(
            "--seed-dataset",
            action="store_true",
            help="time the report of manage.py generate_seed_dataset's data instead "
            "(with the outcome measures' charts)",
        )

    def handle(self, *args, runs, branches, families, seed_dataset, **options):
        # WeasyPrint logs every page at INFO; the timings are what matter here.
        logging.getLogger("weasyprint").setLevel(logging.WARNING)
        today = timezone.localdate()
        try:
            with transaction.atomic():
                if seed_dataset:
                    call_command("generate_seed_dataset", "--yes-i-know", verbosity=0)
                    counts = {"seed data set": "generate_seed_dataset"}
                    filters = {}
                else:
                    counts = build_sample(
                        branches=branches, families_per_branch=families, today=today
                    )
                    filters = sample_filters(today=today)
                user = User.objects.create(
                    email="benchmark@example.invalid", full_name="Benchmark", role=Role.CENTRAL
                )
                self.stdout.write(
                    "Sample: " + ", ".join(f"{key} {value}" for key, value in counts.items())
                )
                timings, pages = [], 0
                for run in range(1, runs + 1):
                    began = time.perf_counter()
                    pdf = render_report_pdf(user, filters, today=today)
                    timings.append(time.perf_counter() - began)
                    pages = page_count(pdf)
                    self.stdout.write(f"run {run}: {timings[-1]:.2f} s, {pages} pages")
                raise Rollback
        except Rollback:
            pass
        timings.sort()
        median = statistics.median(timings)
        p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
        verdict = "OK" if median <= TARGET_SECONDS else "TOO SLOW"
        self.stdout.write(
            f"{pages} pages; median {median:.2f} s, p95 {p95:.2f} s "
            f"(target median <= {TARGET_SECONDS:.0f} s): {verdict}"
        )
