"""Load-test Familien through gunicorn with locust (issue 8 item 4): a mix of real users
with think time, then a saturation run without it. Prints a table and writes JSON.

The sessions and second-factor devices it makes are deleted at the end; pages are only
read, so the database is as it was (familien/benchmark/load.py).
"""

import json
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from familien import benchmark_pages
from familien.benchmark import load


class Command(BaseCommand):
    help = (
        "Load-test the main pages through gunicorn with locust: users with think time, "
        "then saturation without it."
    )

    def add_arguments(self, parser):
        defaults = load.Options()
        parser.add_argument("--users", type=int, default=defaults.users)
        parser.add_argument(
            "--duration", type=int, default=defaults.seconds, help="seconds of the mix run"
        )
        parser.add_argument(
            "--think",
            type=float,
            nargs=2,
            default=defaults.think,
            metavar=("MIN", "MAX"),
            help="seconds between a user's pages (0 0: none)",
        )
        parser.add_argument("--spawn-rate", type=float, default=defaults.spawn_rate)
        parser.add_argument(
            "--steps",
            type=int,
            nargs="+",
            default=defaults.steps,
            help="user counts of the saturation run, without think time",
        )
        parser.add_argument("--step-duration", type=int, default=defaults.step_seconds)
        parser.add_argument(
            "--per-role", type=int, default=defaults.per_role, help="real users per role"
        )
        parser.add_argument("--workers", type=int, default=defaults.workers)
        parser.add_argument(
            "--threads",
            type=int,
            default=defaults.threads,
            help="threads per gunicorn worker (1: sync workers)",
        )
        parser.add_argument("--p95-limit", type=int, default=defaults.p95_limit_ms)
        parser.add_argument(
            "--only", choices=["load", "saturation"], help="run one of the two (default: both)"
        )
        parser.add_argument("--json", help="where to write the report (default: DATA_DIR)")

    def handle(self, *args, **o):
        if o["users"] < 1 or o["duration"] < 1 or o["step_duration"] < 1 or o["per_role"] < 1:
            raise CommandError("--users, --duration, --step-duration and --per-role must be >= 1")
        if o["workers"] < 1 or o["threads"] < 1 or min(o["steps"]) < 1:
            raise CommandError("--workers, --threads and --steps must be >= 1")
        low, high = o["think"]
        if low < 0 or high < low:
            raise CommandError("--think needs 0 <= MIN <= MAX")
        options = load.Options(
            users=o["users"],
            seconds=o["duration"],
            spawn_rate=o["spawn_rate"],
            think=(low, high),
            steps=tuple(sorted(set(o["steps"]))),
            step_seconds=o["step_duration"],
            per_role=o["per_role"],
            workers=o["workers"],
            threads=o["threads"],
            p95_limit_ms=o["p95_limit"],
            load=o["only"] != "saturation",
            saturate=o["only"] != "load",
        )
        path = Path(o["json"]) if o["json"] else self.default_path()
        counts = benchmark_pages.table_counts()
        self.stdout.write("Data: " + ", ".join(f"{count} {name}" for name, count in counts.items()))
        try:
            report = load.run_load_test(options, say=self.stdout.write)
        except RuntimeError as error:
            raise CommandError(str(error)) from error
        for note in report.get("notes", []):
            self.stdout.write(f"  note: {note}")
        self.print_report(report)
        document = {
            "created_at": datetime.now().isoformat(timespec="seconds"),
            "machine": benchmark_pages.machine(),
            "counts": counts,
            **report,
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(document, indent=2))
        self.stdout.write(f"Wrote {path}")

    def print_report(self, report):
        server = report["server"]
        self.stdout.write(
            f"Server: gunicorn {server['workers']} x {server['threads']} "
            f"({server['worker_class']}), {server['settings']}; "
            f"locust pinned to core {report['generator']['pinned_core']}"
        )
        if report["users_made"]:
            self.stdout.write(f"Users made for the run and deleted after: {report['users_made']}")
        self.stdout.write(f"Users per role: {report['identities']}")
        limit = report["p95_limit_ms"]
        if "load" in report:
            result = report["load"]
            total = result["total"]
            self.stdout.write(
                f"\nMix: {result['users']} users, think {result['think_s'][0]:g}-"
                f"{result['think_s'][1]:g} s, {result['seconds']} s"
            )
            self.stdout.write(load.table(result))
            self.stdout.write(
                f"Mix: {total['rps']} req/s, p50 {total['p50_ms']} ms, p95 {total['p95_ms']} ms"
                f" (in gunicorn: p50 {total['server_p50_ms']} ms, p95 {total['server_p95_ms']} "
                f"ms), {total['failures']} errors (target: 0 errors, p95 < {limit} ms): "
                f"{result['verdict']}"
            )
        if "saturation" in report:
            best = report["saturation"]["best"]
            peak = report["saturation"]["peak_rps"]
            if best:
                self.stdout.write(
                    f"Saturation: {best['rps']} req/s at {best['users']} users with p95 "
                    f"{best['p95_ms']} ms < {limit} ms and no errors (peak {peak} req/s)"
                )
            else:
                self.stdout.write(
                    f"Saturation: no step stayed under p95 {limit} ms (peak {peak} req/s)"
                )
        self.stdout.write(
            "Percentiles are locust's (exact ms below 100 ms, then rounded to 2 significant "
            "digits), 'srv' ones gunicorn's own time per request (no queue, network or "
            "generator); the total includes the floor probe (1 req/s). "
            f"Audit entries written during the run: {report['audit_entries_written']}; "
            f"sessions and devices deleted: {report['cleaned_up']}."
        )

    def default_path(self):
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        return Path(settings.DATA_DIR) / f"loadtest-{stamp}.json"
