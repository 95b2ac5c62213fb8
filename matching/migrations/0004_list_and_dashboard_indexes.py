from django.db import migrations, models


class Migration(migrations.Migration):
    """The waiting list's page reads 25 open requests in its order from an index (the
    central corps' list sorted all 18,000 open requests for every page); the dashboard's
    matches ending soon and per-branch counts read matches from indexes (helper c)."""

    dependencies = [
        ("matching", "0003_request_availability"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="supportrequest",
            index=models.Index(
                condition=models.Q(("status__in", ["waiting", "matching"])),
                fields=["-priority", "waiting_since", "id"],
                name="request_open_order",
            ),
        ),
        migrations.AddIndex(
            model_name="match",
            index=models.Index(
                condition=models.Q(("status__in", ["active", "ending"])),
                fields=["planned_end", "id"],
                include=("family",),
                name="match_running_planned_end",
            ),
        ),
        migrations.AddIndex(
            model_name="match",
            index=models.Index(fields=["id"], include=("family",), name="match_family_of"),
        ),
    ]
