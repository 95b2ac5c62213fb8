"""Backing up and restoring the database and the media folder (`make backup`, `make restore`).

PostgreSQL is dumped with ``pg_dump --format=custom`` and restored with ``pg_restore``; the
embedded SQLite file is copied with SQLite's online backup, so the demo can be backed up
while it runs. Media files (generated reports, uploads) go into a tar beside the dump.
The password never appears on a command line: it goes to the client tools in PGPASSWORD.
"""

import os
import sqlite3
import subprocess
import tarfile
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone


class BackupError(Exception):
    """A dump or restore could not be made; the message says why, without secrets."""


@dataclass(frozen=True)
class Backup:
    database: Path
    media: Path | None


def _postgres_client_env(db):
    env = {**os.environ, "PGPASSWORD": str(db.get("PASSWORD") or "")}
    env["PGHOST"] = str(db.get("HOST") or "")
    env["PGPORT"] = str(db.get("PORT") or "")
    env["PGUSER"] = str(db.get("USER") or "")
    return {key: value for key, value in env.items() if value}


def _run(command, env):
    # The command is a fixed list naming pg_dump/pg_restore; no shell, no user text.
    completed = subprocess.run(  # noqa: S603
        command, env=env, capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        # The tools' own words (a missing database, a refused connection) help the operator;
        # they never contain the password, which travels in the environment.
        raise BackupError(completed.stderr.strip() or f"{command[0]} failed")


def _sqlite_copy(source_path, target_path):
    # SQLite's online backup copies a consistent snapshot even while the demo writes.
    with (
        closing(sqlite3.connect(source_path)) as source,
        closing(sqlite3.connect(target_path)) as target,
    ):
        source.backup(target)


def _is_postgres(db):
    return db["ENGINE"] == "django.db.backends.postgresql"


def back_up(db, media_root, target_dir, *, now=None):
    """Write a dump of ``db`` (a Django DATABASES entry) and a tar of ``media_root`` into
    ``target_dir``, named by the time, and return their paths."""
    stamp = (now or timezone.now()).strftime("%Y%m%d-%H%M%S")
    target_dir = Path(target_dir)
    target_dir.mkdir(parents=True, exist_ok=True)
    if _is_postgres(db):
        database = target_dir / f"familien-{stamp}.dump"
        _run(
            ["pg_dump", "--format=custom", "--no-owner", f"--file={database}", db["NAME"]],
            _postgres_client_env(db),
        )
    else:
        if not Path(db["NAME"]).is_file():
            raise BackupError(f"There is no database at {db['NAME']} yet.")
        database = target_dir / f"familien-{stamp}.sqlite3"
        _sqlite_copy(db["NAME"], database)
    media = None
    media_root = Path(media_root)
    if media_root.is_dir() and any(media_root.iterdir()):
        media = target_dir / f"media-{stamp}.tar.gz"
        with tarfile.open(media, "w:gz") as archive:
            archive.add(media_root, arcname="media")
    return Backup(database=database, media=media)


def restore(dump, db, *, media_archive=None, media_root=None):
    """Restore ``dump`` into ``db`` (a Django DATABASES entry), replacing what is there.

    A PostgreSQL target must exist (it may be empty); the dump's tables replace its own.
    A SQLite target file is overwritten. ``media_archive`` is unpacked into ``media_root``.
    """
    dump = Path(dump)
    if not dump.is_file():
        raise BackupError(f"{dump} is not a file.")
    if _is_postgres(db):
        if dump.suffix == ".sqlite3":
            raise BackupError("A SQLite backup cannot be restored into PostgreSQL.")
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--exit-on-error",
                "--single-transaction",
                f"--dbname={db['NAME']}",
                str(dump),
            ],
            _postgres_client_env(db),
        )
    else:
        if dump.suffix != ".sqlite3":
            raise BackupError("A PostgreSQL dump cannot be restored into SQLite.")
        _sqlite_copy(dump, db["NAME"])
    if media_archive:
        media_root = Path(media_root)
        media_root.mkdir(parents=True, exist_ok=True)
        with tarfile.open(media_archive, "r:gz") as archive:
            # The "data" filter refuses absolute paths, links out of the folder and devices.
            archive.extractall(media_root.parent, filter="data")


def newest(target_dir, pattern):
    """The most recent file in ``target_dir`` matching ``pattern``, or None."""
    found = sorted(Path(target_dir).glob(pattern))
    return found[-1] if found else None
