from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    """pg_trgm for typo-tolerant name search (familien/search.py); nothing on SQLite."""

    dependencies = [("familien", "0002_records")]

    operations = [TrigramExtension()]
