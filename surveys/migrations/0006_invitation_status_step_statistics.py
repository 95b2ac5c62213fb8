# The planner's row estimates for the open invitations at one step (issue 8).
#
# status and next_step depend on each other (every invitation that is not open is at
# "done"), so PostgreSQL, multiplying their selectivities, guessed about 400 due rows
# where 17,000 were due at national scale: the engine's claim then sorted every due row
# (380 ms a batch instead of 15 ms) and the call queue's count took a nested loop over
# the matches. Extended statistics on the pair give the planner the real shares.
# PostgreSQL only: SQLite has no such statistics and needs none.

from django.db import migrations

CREATE = """
CREATE STATISTICS IF NOT EXISTS invitation_status_step (dependencies, mcv)
ON status, next_step FROM surveys_invitation
"""


def create_statistics(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)
        schema_editor.execute("ANALYZE surveys_invitation")


def drop_statistics(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP STATISTICS IF EXISTS invitation_status_step")


class Migration(migrations.Migration):
    dependencies = [("surveys", "0005_invitation_due_auto_index")]

    operations = [migrations.RunPython(create_statistics, drop_statistics)]
