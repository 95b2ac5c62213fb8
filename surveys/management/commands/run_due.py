"""Run the survey engine for a moment, as the beat tick does for now.

``--at 2027-03-01T09:00`` runs it as of that local time: to catch up after downtime at
once, or to see what a moment brings (the engine takes ``now`` as an argument). Running
it twice for the same moment sends nothing twice. It prints counts, never names.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from familien.management.commands.anonymise_expired import parse_moment
from surveys.engine import run_due


class Command(BaseCommand):
    help = "Run the survey engine: follow-up surveys, due invitations and reminders."

    def add_arguments(self, parser):
        parser.add_argument("--at", help="run as of this ISO date-time (default: now)")

    def handle(self, *args, at=None, **options):
        now = parse_moment(at) if at else timezone.now()
        counts = run_due(now=now)
        self.stdout.write(
            f"{timezone.localtime(now).isoformat(timespec='minutes')}: "
            f"{counts['follow_up_surveys']} follow-up surveys, {counts['attempts']} messages "
            f"queued, {counts['requeued']} handed out again"
        )
