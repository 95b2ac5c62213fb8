"""Raise the follow-up alerts due on a day, as the hourly job does.

``--at`` runs it as of another day: after downtime, the job's next run catches up by
itself (it compares dates), and this command lets an operator do it at once or see what a
given day raises. It prints counts, never names.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from familien.management.commands.anonymise_expired import parse_moment
from followup.services import run_daily_follow_up


class Command(BaseCommand):
    help = "Raise silent-match alerts due on a day (default: today)."

    def add_arguments(self, parser):
        parser.add_argument("--at", help="run as of this ISO date (default: today)")

    def handle(self, *args, at=None, **options):
        today = timezone.localdate(parse_moment(at)) if at else timezone.localdate()
        counts = run_daily_follow_up(today=today)
        self.stdout.write(f"{today.isoformat()}: {counts['silent']} silent-match alerts raised")
