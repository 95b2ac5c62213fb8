"""Anonymise closed families and volunteers who left, as the daily job does.

``--at`` runs it as of another moment (to catch up, or to see what a date would take);
``--dry-run`` only counts. It prints counts, never names.
"""

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from familien.services.privacy import anonymise_expired


def parse_moment(value):
    moment = parse_datetime(value)
    if moment is None:
        day = parse_date(value)
        if day is None:
            raise CommandError(f"--at must be an ISO date or date-time, not {value!r}.")
        moment = datetime(day.year, day.month, day.day)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


class Command(BaseCommand):
    help = "Anonymise families closed and volunteers left longer ago than the retention period."

    def add_arguments(self, parser):
        parser.add_argument("--at", help="run as of this ISO date-time (default: now)")
        parser.add_argument("--dry-run", action="store_true", help="only count, change nothing")

    def handle(self, *args, at=None, dry_run=False, **options):
        now = parse_moment(at) if at else timezone.now()
        counts = anonymise_expired(now=now, dry_run=dry_run)
        verb = "would anonymise" if dry_run else "anonymised"
        self.stdout.write(
            f"{verb} {counts['families']} families and {counts['volunteers']} volunteers "
            f"(as of {now.isoformat()})"
        )
