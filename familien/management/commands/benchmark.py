"""Time the main pages per role on the data the database holds (issue 8 items 2 and 3):
queries, server time p50/p95, the SQL alone, and the admin's family change list beside
the lists. Prints a table and writes the same rows as JSON, so runs can be compared.

Everything runs inside one transaction that is rolled back at the end: benchmark users
made for a missing role, sessions, devices and whatever a page writes leave no trace.
"""

import json
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings

from familien import benchmark_pages


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Time the main pages per role on the current data; everything is rolled back."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=20, help="timed requests per page")
        parser.add_argument("--json", help="where to write the rows (default: DATA_DIR)")
        parser.add_argument("--roles", nargs="+", choices=benchmark_pages.ROLES)
        parser.add_argument(
            "--pages", nargs="+", help="page keys or url names (default: every page)"
        )

    def handle(self, *args, runs, roles, pages, **options):
        if runs < 1:
            raise CommandError("--runs must be at least 1")
        known = {p.key for p in benchmark_pages.PAGES} | {p.url_name for p in benchmark_pages.PAGES}
        unknown = sorted(set(pages or []) - known)
        if unknown:
            raise CommandError(f"unknown pages: {', '.join(unknown)}")
        path = Path(options["json"]) if options["json"] else self.default_path()
        counts = benchmark_pages.table_counts()
        self.stdout.write("Data: " + ", ".join(f"{count} {name}" for name, count in counts.items()))
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
        self.write_json(path, runs, counts, result)

    def default_path(self):
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        return Path(settings.DATA_DIR) / f"benchmark-{stamp}.json"

    def write_json(self, path, runs, counts, result):
        document = {
            "created_at": datetime.now().isoformat(timespec="seconds"),
            "runs": runs,
            "note": benchmark_pages.OVERHEAD_NOTE,
            "machine": benchmark_pages.machine(),
            "counts": counts,
            "rows": result["rows"],
            "skipped": result["skipped"],
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(document, indent=2))
        self.stdout.write(f"Wrote {path}")
