"""The facts docs/scaling.md rests on (issue 8 item 6): what partitioning the check-ins
by year would change, measured on the data the database holds.

It builds a partitioned copy of ``followup_checkin`` beside the real table, times the
per-match reads and a time-bounded aggregate on both, times removing the two oldest years
by ``DELETE`` (rolled back) against ``DETACH`` + ``DROP`` of their partitions (rolled
back), and drops the copy. PostgreSQL only; run it on a scratch copy of the national set.
"""

import json
import statistics
import time
from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from familien.benchmark.measuring import Rollback

COPY = "benchmark_checkin_by_year"


def median_ms(cursor, sql, params=(), runs=5):
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        cursor.execute(sql, params)
        cursor.fetchall()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 2)


class Command(BaseCommand):
    help = "Measure what partitioning the check-ins by year changes (PostgreSQL; a scratch copy)."

    def add_arguments(self, parser):
        parser.add_argument("--json", help="also write the figures to this file")

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("benchmark_partitions needs PostgreSQL.")
        with connection.cursor() as cursor:
            cursor.execute("SELECT min(met_on), max(met_on), count(*) FROM followup_checkin")
            first, last, rows = cursor.fetchone()
            if not rows:
                raise CommandError("There are no check-ins to measure.")
            try:
                figures = self.measure(cursor, first, last)
            finally:
                cursor.execute(f"DROP TABLE IF EXISTS {COPY} CASCADE")
        figures["check_ins"] = rows
        text = json.dumps(figures, indent=2)
        self.stdout.write(text)
        if options["json"]:
            with open(options["json"], "w") as out:
                out.write(text)

    def measure(self, cursor, first, last):
        figures = {}
        started = time.perf_counter()
        cursor.execute(
            f"CREATE TABLE {COPY} (LIKE followup_checkin INCLUDING DEFAULTS) "
            "PARTITION BY RANGE (met_on)"
        )
        for year in range(first.year, last.year + 1):
            cursor.execute(
                f"CREATE TABLE {COPY}_{year} PARTITION OF {COPY} "
                f"FOR VALUES FROM ('{year}-01-01') TO ('{year + 1}-01-01')"
            )
        cursor.execute(f"INSERT INTO {COPY} SELECT * FROM followup_checkin")  # noqa: S608
        cursor.execute(f"CREATE INDEX ON {COPY} (match_id, met_on)")
        cursor.execute(f"CREATE INDEX ON {COPY} (met_on)")
        # As the real table is: vacuumed, so index-only scans see an all-visible map.
        # VACUUM cannot run inside a transaction (as in the tests); ANALYZE can.
        cursor.execute(f"{'ANALYZE' if connection.in_atomic_block else 'VACUUM ANALYZE'} {COPY}")
        figures["partitioned_copy_build_s"] = round(time.perf_counter() - started, 1)
        figures["partitions"] = last.year - first.year + 1

        cursor.execute(
            "SELECT match_id FROM followup_checkin GROUP BY match_id ORDER BY count(*) DESC LIMIT 1"
        )
        busiest = cursor.fetchone()[0]
        since = last - timedelta(weeks=13)
        # The table names below are this module's constants, never input.
        for name, table in (("plain", "followup_checkin"), ("by_year", COPY)):
            figures[f"{name}_latest_10_of_a_match_ms"] = median_ms(
                cursor,
                f"SELECT id, met_on, minutes FROM {table} WHERE match_id = %s "  # noqa: S608
                "ORDER BY met_on DESC LIMIT 10",
                [busiest],
                runs=50,
            )
            figures[f"{name}_hours_of_a_match_ms"] = median_ms(
                cursor,
                f"SELECT count(*), sum(minutes) FROM {table} WHERE match_id = %s",  # noqa: S608
                [busiest],
                runs=50,
            )
            figures[f"{name}_last_13_weeks_minutes_ms"] = median_ms(
                cursor,
                f"SELECT sum(minutes) FROM {table} WHERE met_on >= %s",  # noqa: S608
                [since],
            )
        figures.update(self.retention(cursor, first))
        return figures

    def retention(self, cursor, first):
        """Removing the two oldest years: a DELETE on the plain table against dropping the
        partitions, both rolled back. Check-ins a follow-up task points at stay."""
        cutoff = date(first.year + 2, 1, 1)
        figures = {}
        try:
            with transaction.atomic():
                started = time.perf_counter()
                cursor.execute(
                    "DELETE FROM followup_checkin WHERE met_on < %s AND id NOT IN "
                    "(SELECT check_in_id FROM followup_followuptask "
                    "WHERE check_in_id IS NOT NULL)",
                    [cutoff],
                )
                figures["delete_two_oldest_years_rows"] = cursor.rowcount
                figures["delete_two_oldest_years_s"] = round(time.perf_counter() - started, 2)
                raise Rollback
        except Rollback:
            pass
        try:
            with transaction.atomic():
                started = time.perf_counter()
                for year in (first.year, first.year + 1):
                    cursor.execute(f"ALTER TABLE {COPY} DETACH PARTITION {COPY}_{year}")
                    cursor.execute(f"DROP TABLE {COPY}_{year}")
                figures["drop_two_oldest_partitions_ms"] = round(
                    (time.perf_counter() - started) * 1000, 1
                )
                raise Rollback
        except Rollback:
            pass
        return figures
