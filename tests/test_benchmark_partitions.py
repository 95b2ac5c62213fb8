"""`manage.py benchmark_partitions` (docs/scaling.md): on PostgreSQL it measures the
plain and the partitioned check-ins and leaves both as they were; elsewhere it refuses."""

import json
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from followup.models import CheckIn
from tests.factories import CheckInFactory, MatchFactory

pytestmark = pytest.mark.django_db


def test_it_measures_and_leaves_the_check_ins_as_they_were(tmp_path):
    if connection.vendor != "postgresql":
        with pytest.raises(CommandError):
            call_command("benchmark_partitions")
        return
    match = MatchFactory()
    days = [date(2021, 3, 1) + timedelta(days=40 * i) for i in range(40)]
    for day in days:
        CheckInFactory(match=match, met_on=day)
    path = tmp_path / "partitions.json"

    call_command("benchmark_partitions", "--json", str(path))

    figures = json.loads(path.read_text())
    oldest_two_years = sum(1 for day in days if day < date(2023, 1, 1))
    assert figures["check_ins"] == 40
    assert figures["partitions"] == days[-1].year - 2021 + 1
    assert figures["delete_two_oldest_years_rows"] == oldest_two_years
    assert figures["plain_latest_10_of_a_match_ms"] > 0
    assert figures["by_year_last_13_weeks_minutes_ms"] > 0
    assert CheckIn.objects.count() == 40
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('benchmark_checkin_by_year')")
        assert cursor.fetchone()[0] is None
