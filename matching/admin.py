"""The matching records in the Django admin (administrators only, familien.admin_site).

The lifecycle itself is changed on the match pages, through matching.lifecycle; here the
events are read-only, the weights are one editable row and distances are computed.
"""

from django.contrib import admin, messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from familien.admin_site import ReadOnlyAdmin
from matching.models import (
    Agreement,
    BranchDistance,
    IntroMeeting,
    Match,
    MatchEvent,
    MatchingWeights,
    SupportRequest,
    VolunteerTalk,
)


@admin.register(SupportRequest)
class SupportRequestAdmin(admin.ModelAdmin):
    list_display = ["pk", "programme", "status", "waiting_since", "priority", "handled_centrally"]
    list_filter = ["programme", "status", "handled_centrally", "priority"]
    raw_id_fields = [
        "family",
        "for_parent",
        "for_child",
        "previous_match",
        "taken_over_by",
        "created_by",
    ]


@admin.register(IntroMeeting)
class IntroMeetingAdmin(admin.ModelAdmin):
    list_display = ["pk", "request", "held_on", "expectations_aligned"]
    raw_id_fields = ["request", "held_by"]


@admin.register(VolunteerTalk)
class VolunteerTalkAdmin(admin.ModelAdmin):
    list_display = ["pk", "volunteer", "held_on"]
    raw_id_fields = ["volunteer", "request", "held_by"]


class MatchEventInline(admin.TabularInline):
    """The dated, attributed steps: written by matching.lifecycle only."""

    model = MatchEvent
    extra = 0
    fields = ["at", "from_status", "to_status", "by", "note"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Match)
class MatchAdmin(admin.ModelAdmin):
    list_display = ["pk", "programme", "status", "started_by", "started_on", "planned_end"]
    list_filter = ["programme", "status", "started_by"]
    raw_id_fields = ["request", "family", "volunteer", "followup_volunteer", "proposed_by"]
    # The status moves only through matching.lifecycle, which records each step.
    readonly_fields = ["status"]
    inlines = [MatchEventInline]


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = ["pk", "match", "planned_end", "family_signed_on", "volunteer_signed_on"]
    raw_id_fields = ["match"]


@admin.register(MatchingWeights)
class MatchingWeightsAdmin(admin.ModelAdmin):
    """One row of weights (pk 1): every admin URL leads to its change page."""

    def _change_page(self):
        weights = MatchingWeights.current()
        return redirect(reverse("admin:matching_matchingweights_change", args=[weights.pk]))

    def changelist_view(self, request, extra_context=None):
        return self._change_page()

    def add_view(self, request, form_url="", extra_context=None):
        return self._change_page()

    def delete_view(self, request, object_id, extra_context=None):
        messages.info(request, _("The matching weights cannot be deleted, only changed."))
        return self._change_page()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BranchDistance)
class BranchDistanceAdmin(ReadOnlyAdmin):
    """Read-only: distances are computed from the branches' coordinates."""

    list_display = ["from_branch", "to_branch", "km"]
    list_select_related = ["from_branch", "to_branch"]
    list_filter = ["from_branch"]

    def _to_list(self, request):
        messages.info(request, _("Distances are computed from the branches' coordinates."))
        return redirect(reverse("admin:matching_branchdistance_changelist"))

    def add_view(self, request, form_url="", extra_context=None):
        return self._to_list(request)

    def delete_view(self, request, object_id, extra_context=None):
        return self._to_list(request)
