"""The national follow-up rules, seeded with the practices DOMAIN.md §10.1 records; an
administrator changes them afterwards (issue 5 item 2)."""

from django.db import migrations

RULES = {
    # programme: (first after, every, silent after, review before), in days
    "family_friend": (21, 30, 30, 30),
    "job_mentor": (14, 60, 21, 14),
    "education_mentor": (14, 60, 30, 21),
    "workplace_mentor": (14, 60, 21, 14),
}


def seed(apps, schema_editor):
    FollowUpRule = apps.get_model("followup", "FollowUpRule")
    for programme, (first, every, silent, review) in RULES.items():
        FollowUpRule.objects.get_or_create(
            programme=programme,
            branch=None,
            defaults={
                "first_after_days": first,
                "every_days": every,
                "silent_after_days": silent,
                "review_before_days": review,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("followup", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
