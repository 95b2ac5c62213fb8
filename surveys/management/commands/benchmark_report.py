"""Time the PDF report (issue 7 item 4, issue 8: a 20-page report, median at most 5 s and
p95 at most 7 s).

Builds invented data (surveys.report_sample) inside a transaction, renders the report
as the central corps once to warm up and then ``--runs`` times, prints the page count,
the median and p95 seconds and this process's peak memory, and rolls everything back:
the database is left as it was. ``manage.py benchmark --sections pdf`` measures the same
in a process of its own and keeps the figures in its JSON.

    python manage.py benchmark_report --runs 5
"""

import subprocess
import tempfile

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from familien.benchmark import pdf
from familien.benchmark.child import peak_mb


class Rollback(Exception):
    """Raised to leave the benchmark's transaction without keeping its rows."""


def page_count(pdf_bytes):
    """Pages of ``pdf_bytes`` by pdfinfo (poppler-utils), or by counting page objects."""
    try:
        with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
            handle.write(pdf_bytes)
            handle.flush()
            info = subprocess.run(  # noqa: S603 - a fixed program on our own file
                ["pdfinfo", handle.name],  # noqa: S607
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        return int(next(line for line in info.splitlines() if line.startswith("Pages:")).split()[1])
    except (OSError, subprocess.CalledProcessError, StopIteration):
        return pdf_bytes.count(b"/Type /Page") - pdf_bytes.count(b"/Type /Pages")


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
        if seed_dataset:
            try:
                with transaction.atomic():
                    call_command("generate_seed_dataset", "--yes-i-know", verbosity=0)
                    result = pdf.measure_report(runs=runs, data="existing", say=self.stdout.write)
                    raise Rollback
            except Rollback:
                pass
        else:
            result = pdf.measure_report(
                runs=runs,
                data="sample",
                branches=branches,
                families=families,
                say=self.stdout.write,
            )
        result["peak_mb"] = round(peak_mb(), 1)
        pdf.judge(result)
        self.stdout.write(
            f"{result['pages']} pages; median {result['median_s']:.2f} s, p95 "
            f"{result['p95_s']:.2f} s (figures and HTML {result['html_median_s']:.2f} s); "
            f"peak {result['peak_mb']:.0f} MB (this process); target {result['target']}: "
            f"{result['verdict']}"
        )
