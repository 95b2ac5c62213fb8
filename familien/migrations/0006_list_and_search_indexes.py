from django.db import migrations, models

# Search (familien/search.py) filters with ``search_text LIKE '%term%'`` and the word
# similarity operator ``search_text %> 'terms'``: a GIN trigram index answers both, so a
# search across every branch reads the index instead of every row. PostgreSQL only
# (SQLite has no GIN), hence SQL here and not a GinIndex in the models' Meta, which
# SQLite would fail on whenever it rebuilds the table.
TRIGRAM_INDEXES = {
    "family_search_trgm": "familien_family",
    "volunteer_search_trgm": "familien_volunteer",
}


def create_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table in TRIGRAM_INDEXES.items():
        # CONCURRENTLY: the registers stay writable while the index builds.
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} "
            f"ON {table} USING gin (search_text gin_trgm_ops)"
        )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in TRIGRAM_INDEXES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ("familien", "0005_notification_sparring"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="family",
            index=models.Index(fields=["name", "id"], name="family_name"),
        ),
        migrations.AddIndex(
            model_name="family",
            index=models.Index(fields=["created_at", "id"], name="family_created"),
        ),
        migrations.AddIndex(
            model_name="family",
            index=models.Index(fields=["id"], include=["branch"], name="family_branch_lookup"),
        ),
        migrations.AddIndex(
            model_name="volunteer",
            index=models.Index(fields=["first_name", "last_name", "id"], name="volunteer_name"),
        ),
        migrations.AddIndex(
            model_name="volunteer",
            index=models.Index(fields=["travel_km"], name="volunteer_travel_km"),
        ),
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes, elidable=False),
    ]
