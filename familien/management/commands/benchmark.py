"""Measure issue 8's targets on the data the database holds, in four sections, all run
by default (``--sections`` picks some):

* pages: the main pages per role: queries, server time p50/p95, the SQL alone, and the
  admin's family change list beside the lists (familien.benchmark_pages);
* engine: due survey steps per second on one worker process and its peak memory
  (familien.benchmark.engine);
* pdf: the PDF report's median and p95 over several renders after a warm-up, and the
  peak memory of the process rendering it (familien.benchmark.pdf);
* suggestions: the volunteer suggestions at 50,000 volunteers
  (familien.benchmark.suggestions).

It runs as production does, with DEBUG off, unless ``--debug``; static files come from
the plain storage, so no collectstatic is needed. Pages, PDF and suggestions run inside
transactions that are rolled back; the engine's due steps must be committed for its
worker process to see them and are deleted afterwards. A table is printed and the same
figures go to a JSON file with the machine and the git commit, so runs can be compared.
"""

import json
import subprocess
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings

from familien import benchmark_pages
from familien.benchmark import engine, pdf, suggestions
from familien.benchmark.child import run_in_child
from familien.benchmark.measuring import Rollback

SECTIONS = ["pages", "engine", "pdf", "suggestions"]
PLAIN_STATIC = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


def git_sha():
    try:
        return subprocess.run(  # noqa: S603 - a fixed program
            ["git", "rev-parse", "HEAD"],  # noqa: S607
            capture_output=True,
            text=True,
            check=True,
            cwd=settings.BASE_DIR,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


class Command(BaseCommand):
    help = "Measure pages, engine, PDF and suggestions on the current data (issue 8)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--sections", nargs="+", choices=SECTIONS, help="what to measure (default: all)"
        )
        parser.add_argument("--runs", type=int, default=20, help="timed requests per page")
        parser.add_argument("--json", help="where to write the rows (default: DATA_DIR)")
        parser.add_argument("--roles", nargs="+", choices=benchmark_pages.ROLES)
        parser.add_argument(
            "--pages", nargs="+", help="page keys or url names (default: every page)"
        )
        parser.add_argument(
            "--engine-steps", type=int, default=engine.STEPS, help="due steps for the engine"
        )
        parser.add_argument("--pdf-runs", type=int, default=5, help="timed PDF renders")
        parser.add_argument(
            "--pdf-data",
            choices=["existing", "sample"],
            help="report on the database's data, or on invented branches written first "
            "(default: existing from 1,000 families, else sample)",
        )
        parser.add_argument("--pdf-branches", type=int, default=60, help="sample branches")
        parser.add_argument(
            "--suggestion-volunteers",
            type=int,
            default=suggestions.VOLUNTEERS,
            help="volunteers to rank among (built when the data has fewer)",
        )
        parser.add_argument("--suggestion-runs", type=int, default=20)
        parser.add_argument(
            "--suggestion-families", type=int, default=2000, help="families built with them"
        )
        parser.add_argument(
            "--suggestion-branches", type=int, default=202, help="branches built with them"
        )
        parser.add_argument(
            "--debug", action="store_true", help="keep DEBUG as configured (default: off)"
        )

    def handle(self, *args, sections, runs, roles, pages, debug, **options):
        sections = sections or SECTIONS
        if runs < 1 or options["pdf_runs"] < 1 or options["suggestion_runs"] < 1:
            raise CommandError("the runs must be at least 1")
        known = {p.key for p in benchmark_pages.PAGES} | {p.url_name for p in benchmark_pages.PAGES}
        unknown = sorted(set(pages or []) - known)
        if unknown:
            raise CommandError(f"unknown pages: {', '.join(unknown)}")
        path = Path(options["json"]) if options["json"] else self.default_path()
        self.mode = {} if debug else {"DEBUG": False, "STORAGES": PLAIN_STATIC}
        with override_settings(**self.mode):
            self.stdout.write(
                f"Mode: DEBUG {'on' if settings.DEBUG else 'off'}"
                + ("" if debug else " (production-like; static files from the plain storage)")
                + f"; sections: {', '.join(sections)}"
            )
            counts = benchmark_pages.table_counts()
            self.stdout.write(
                "Data: " + ", ".join(f"{count} {name}" for name, count in counts.items())
            )
            document = {
                "created_at": datetime.now().isoformat(timespec="seconds"),
                "sections": sections,
                "machine": {**benchmark_pages.machine(), "git_sha": git_sha()},
                "counts": counts,
            }
            if "pages" in sections:
                document.update(self.pages(runs, roles, pages))
            if "engine" in sections:
                document["engine"] = self.engine(options["engine_steps"])
            if "pdf" in sections:
                document["pdf"] = self.pdf(options)
            if "suggestions" in sections:
                document["suggestions"] = self.suggestions(options)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(document, indent=2))
        self.stdout.write(f"Wrote {path}")

    def pages(self, runs, roles, pages):
        result = {}
        try:
            # The test client's host; HTTPS requests, so production's redirect stays quiet.
            hosts = [*settings.ALLOWED_HOSTS, "testserver"]
            with override_settings(ALLOWED_HOSTS=hosts), transaction.atomic():
                result["rows"], result["skipped"], result["made"] = benchmark_pages.run_pages(
                    runs, roles, pages, say=self.stdout.write
                )
                raise Rollback
        except Rollback:
            pass
        rows = result["rows"]
        self.stdout.write(benchmark_pages.table(rows))
        self.stdout.write(benchmark_pages.OVERHEAD_NOTE)
        misses = sum(1 for row in rows if row["verdict"] == "MISS")
        self.stdout.write(
            f"{len(rows)} rows, {misses} missing a target, {len(result['skipped'])} skipped; "
            f"{runs} timed runs each after one warm-up; {result['made']} benchmark users "
            "made and rolled back: the database is as it was."
        )
        return {
            "runs": runs,
            "note": benchmark_pages.OVERHEAD_NOTE,
            "rows": rows,
            "skipped": result["skipped"],
        }

    def engine(self, steps):
        result = engine.measure_engine(steps, say=self.stdout.write)
        self.stdout.write(
            f"Engine: {result['steps_processed']} of {result['steps_due']} due steps "
            f"({result['attempts']} attempts: {result['attempt_statuses']}) in "
            f"{result['seconds']:.1f} s = {result['steps_per_second']} steps/s (CPU: worker "
            f"{result['worker_cpu_seconds']} s, database {result['database_cpu_seconds']} s: "
            f"{result['cpu_bound_steps_per_second']} steps/s on free cores); worker "
            f"peak {result['worker_peak_mb']:.0f} MB (at start {result['worker_start_mb']:.0f})"
            f"; target {result['target']}: {result['verdict']}"
        )
        return result

    def pdf(self, options):
        data = options["pdf_data"] or pdf.default_data()
        self.stdout.write(f"PDF: {options['pdf_runs']} renders after a warm-up, {data} data …")
        result, memory = run_in_child(
            "familien.benchmark.pdf.measure_report",
            overrides=self.mode,
            runs=options["pdf_runs"],
            data=data,
            branches=options["pdf_branches"],
        )
        result["peak_mb"] = memory["peak_mb"]
        result["start_mb"] = memory["start_mb"]
        pdf.judge(result)
        self.stdout.write(
            f"PDF: {result['pages']} pages; median {result['median_s']:.2f} s, p95 "
            f"{result['p95_s']:.2f} s (figures and HTML {result['html_median_s']:.2f} s, "
            f"layout {result['layout_median_s']:.2f} s); peak {result['peak_mb']:.0f} MB; "
            f"target {result['target']}: {result['verdict']}"
        )
        return result

    def suggestions(self, options):
        result = suggestions.measure_suggestions(
            volunteers=options["suggestion_volunteers"],
            runs=options["suggestion_runs"],
            families=options["suggestion_families"],
            branches=options["suggestion_branches"],
            say=self.stdout.write,
        )
        self.stdout.write(
            f"Suggestions among {result['volunteers']} volunteers: p50 {result['p50_ms']} ms, "
            f"p95 {result['p95_ms']} ms, {result['queries']} queries; target "
            f"{result['target']}: {result['verdict']}"
        )
        return result

    def default_path(self):
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        return Path(settings.DATA_DIR) / f"benchmark-{stamp}.json"
