from django.contrib import admin

from matching.models import Match


@admin.register(Match)
class MatchAdmin(admin.ModelAdmin):
    list_display = ["pk", "programme", "status", "started_by", "started_on"]
    list_filter = ["programme", "status", "started_by"]
    raw_id_fields = ["family", "volunteer", "followup_volunteer"]
