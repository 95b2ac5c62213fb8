"""Restore a backup made by `make backup` (`make restore`)."""

import dj_database_url
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from familien.backups import BackupError, newest, restore


class Command(BaseCommand):
    help = (
        "Restore a database dump (and optionally a media archive) into DATABASE_URL or "
        "--database-url, replacing what is there. Stop web, worker and beat first."
    )

    def add_arguments(self, parser):
        parser.add_argument("dump", nargs="?", help="The dump; default: the newest in backups/.")
        parser.add_argument("--media", help="A media-*.tar.gz to unpack into MEDIA_ROOT.")
        parser.add_argument(
            "--database-url", help="Restore here instead of the configured database."
        )
        parser.add_argument("--from", dest="folder", default="backups")

    def handle(self, *args, dump, media, database_url, folder, **options):
        target = (
            dj_database_url.parse(database_url) if database_url else settings.DATABASES["default"]
        )
        if dump is None:
            postgres = target["ENGINE"] == "django.db.backends.postgresql"
            pattern = "familien-*.dump" if postgres else "familien-*.sqlite3"
            dump = newest(folder, pattern)
            if dump is None:
                raise CommandError(f"No backup matching {pattern} in {folder}/.")
        try:
            restore(dump, target, media_archive=media, media_root=settings.MEDIA_ROOT)
        except BackupError as exc:
            raise CommandError(f"Restore failed: {exc}") from exc
        self.stdout.write(f"restored {dump}")
        self.stdout.write("Now run `manage.py migrate` and start the services.")
