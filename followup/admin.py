from django.contrib import admin

from followup.models import FollowUpRule


@admin.register(FollowUpRule)
class FollowUpRuleAdmin(admin.ModelAdmin):
    """Administrators change how each programme's matches are followed up (issue 5 item 2);
    a rule with a branch overrides the national rule for that branch."""

    list_display = (
        "programme",
        "branch",
        "first_after_days",
        "every_days",
        "silent_after_days",
        "review_before_days",
    )
    list_filter = ("programme",)
