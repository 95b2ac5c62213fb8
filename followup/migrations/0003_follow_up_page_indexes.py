# Issue 8, the follow-up pages at national scale (3 M check-ins, 150,000 tasks):
# the check-in index carries the minutes, so the figures' window sums and the dashboard's
# last check-in never touch the table; the open-task indexes serve each queue's lists
# (first ten of a kind by due date) and counts from the index alone: one led by the
# responsibility (the central corps, the branches), one for the administrators' queue of
# every task.

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("followup", "0002_seed_rules"),
        ("matching", "0003_request_availability"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The new check-in index first, so the old one is only dropped once it exists.
        migrations.AddIndex(
            model_name="checkin",
            index=models.Index(
                fields=["match", "met_on"], include=("minutes",), name="checkin_match_date_minutes"
            ),
        ),
        migrations.RemoveIndex(model_name="checkin", name="checkin_match_date"),
        migrations.AddIndex(
            model_name="followuptask",
            index=models.Index(
                condition=models.Q(("cancelled_on__isnull", True), ("done_on__isnull", True)),
                fields=["responsible", "kind", "due_on", "id"],
                include=("match",),
                name="followup_task_open_queue",
            ),
        ),
        migrations.AddIndex(
            model_name="followuptask",
            index=models.Index(
                condition=models.Q(("cancelled_on__isnull", True), ("done_on__isnull", True)),
                fields=["kind", "due_on", "id"],
                include=("responsible", "match"),
                name="followup_task_open_kind",
            ),
        ),
    ]
