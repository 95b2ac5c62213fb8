"""`make backup` and `make restore`: a backup restored into a fresh database holds the data
whole, every table with the same rows, and the media files come back too."""

import hashlib
import sqlite3
import uuid
from contextlib import closing

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from familien.backups import BackupError, restore
from tests.factories import CheckInFactory, FamilyFactory, MatchFactory, VolunteerFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _fingerprint(cursor, tables, quote):
    """Per table: the row count and a hash of every row, order-independent."""
    prints = {}
    for table in tables:
        cursor.execute(f"SELECT * FROM {quote(table)}")  # noqa: S608 (table names from the schema)
        rows = sorted(repr(row) for row in cursor.fetchall())
        prints[table] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return prints


def _postgres_fingerprint(db, tables):
    with psycopg.connect(
        host=db["HOST"] or None,
        port=db["PORT"] or None,
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        dbname=db["NAME"],
    ) as conn:
        return _fingerprint(conn.cursor(), tables, connection.ops.quote_name)


def _sqlite_fingerprint(path, tables):
    with closing(sqlite3.connect(path)) as conn:
        return _fingerprint(conn.cursor(), tables, connection.ops.quote_name)


def _seed(world):
    family = FamilyFactory(branch=world.branch_a, name="Backupfamilien Østergaard")
    volunteer = VolunteerFactory(branch=world.branch_a)
    match = MatchFactory(family=family, volunteer=volunteer)
    CheckInFactory(match=match)


@pytest.fixture
def fresh_postgres_database():
    db = connection.settings_dict
    name = f"familien_restore_{uuid.uuid4().hex[:8]}"
    admin = psycopg.connect(
        host=db["HOST"] or None,
        port=db["PORT"] or None,
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {**db, "NAME": name}
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump/pg_restore: PostgreSQL only")
def test_postgres_backup_restores_whole_into_a_fresh_database(
    world, tmp_path, settings, fresh_postgres_database
):
    _seed(world)
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "reports").mkdir(parents=True)
    (settings.MEDIA_ROOT / "reports" / "rapport.pdf").write_bytes(b"%PDF-1.7 test")

    call_command("backup", to=str(tmp_path / "backups"))
    dumps = list((tmp_path / "backups").glob("familien-*.dump"))
    archives = list((tmp_path / "backups").glob("media-*.tar.gz"))
    assert len(dumps) == 1 and len(archives) == 1

    target = fresh_postgres_database
    restored_media = tmp_path / "restored" / "media"
    settings.MEDIA_ROOT = restored_media
    call_command(
        "restore",
        str(dumps[0]),
        media=str(archives[0]),
        database_url=(
            f"postgres://{target['USER']}@{target['HOST'] or 'localhost'}:"
            f"{target['PORT'] or 5432}/{target['NAME']}"
        ),
    )

    # Both sides read through plain psycopg, so both get the same Python values.
    tables = connection.introspection.table_names()
    before, after = (
        _postgres_fingerprint({**target, "NAME": name}, tables)
        for name in (connection.settings_dict["NAME"], target["NAME"])
    )
    assert before == after
    assert before["familien_family"][0] >= 3  # the world's families and the seeded one
    assert (restored_media / "reports" / "rapport.pdf").read_bytes() == b"%PDF-1.7 test"


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the embedded SQLite demo's backup")
def test_sqlite_backup_restores_whole(world, tmp_path, settings):
    _seed(world)
    settings.MEDIA_ROOT = tmp_path / "no-media"
    call_command("backup", to=str(tmp_path / "backups"))
    (dump,) = (tmp_path / "backups").glob("familien-*.sqlite3")
    assert not list((tmp_path / "backups").glob("media-*"))

    target = tmp_path / "restored.sqlite3"
    call_command("restore", str(dump), database_url=f"sqlite:///{target}")

    tables = connection.introspection.table_names()
    before, after = (
        _sqlite_fingerprint(path, tables) for path in (connection.settings_dict["NAME"], target)
    )
    assert before == after
    assert before["familien_family"][0] >= 3


def test_restore_refuses_a_dump_of_the_other_kind(tmp_path):
    dump = tmp_path / "familien-1.sqlite3"
    dump.write_bytes(b"")
    with pytest.raises(BackupError, match="SQLite backup cannot be restored into PostgreSQL"):
        restore(dump, {"ENGINE": "django.db.backends.postgresql", "NAME": "x"})
    with pytest.raises(BackupError, match="is not a file"):
        restore(tmp_path / "missing.dump", {"ENGINE": "django.db.backends.sqlite3"})
