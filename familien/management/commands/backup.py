"""Back up the database and the media folder (`make backup`)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from familien.backups import BackupError, back_up


class Command(BaseCommand):
    help = "Dump the database (pg_dump, or SQLite's online backup) and tar the media folder."

    def add_arguments(self, parser):
        parser.add_argument("--to", default="backups", help="Folder for the files (backups/).")

    def handle(self, *args, to, **options):
        try:
            made = back_up(settings.DATABASES["default"], settings.MEDIA_ROOT, to)
        except BackupError as exc:
            raise CommandError(f"Backup failed: {exc}") from exc
        self.stdout.write(f"database: {made.database}")
        self.stdout.write(f"media: {made.media or '(no media files)'}")
