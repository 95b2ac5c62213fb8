from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from familien.admin_site import ReadOnlyAdmin
from familien.models import (
    AccessLogEntry,
    Branch,
    Child,
    ChildCertificate,
    Consent,
    Course,
    CourseAttendance,
    Family,
    FrameworkAgreement,
    Heartbeat,
    Notification,
    Parent,
    Partner,
    PartnerContact,
    PipelineEvent,
    RecruitmentContact,
    Tag,
    User,
    Volunteer,
)


@admin.register(Branch)
class BranchAdmin(admin.ModelAdmin):
    list_display = ["name", "municipality", "region", "postcode"]
    list_filter = ["region"]
    search_fields = ["name", "municipality", "postcode"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["full_name"]
    list_display = ["email", "full_name", "role", "is_active", "last_login"]
    list_filter = ["role", "is_active"]
    search_fields = ["email", "full_name"]
    filter_horizontal = ["branches"]
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["full_name", "role", "branches", "is_active"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "full_name", "role", "branches", "password1", "password2"],
            },
        )
    ]


class ParentInline(admin.TabularInline):
    model = Parent
    extra = 0


class ChildInline(admin.TabularInline):
    model = Child
    extra = 0


class ConsentInline(admin.TabularInline):
    model = Consent
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "state", "recorded_at", "recorded_by", "note"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Family)
class FamilyAdmin(admin.ModelAdmin):
    list_display = ["name", "branch", "status", "evaluation_consent", "created_at"]
    list_filter = ["status", "evaluation_consent", "branch__region"]
    list_select_related = ["branch"]
    search_fields = ["name"]
    raw_id_fields = ["referral_partner", "referral_contact", "registered_by"]
    # Consents change only through the recorded answers (familien/services/families.py).
    readonly_fields = ["data_consent", "evaluation_consent", "anonymised_at"]
    inlines = [ParentInline, ChildInline, ConsentInline]


class PipelineEventInline(admin.TabularInline):
    model = PipelineEvent
    extra = 0


class CertificateInline(admin.TabularInline):
    model = ChildCertificate
    extra = 0


@admin.register(Volunteer)
class VolunteerAdmin(admin.ModelAdmin):
    list_display = ["first_name", "last_name", "branch", "pipeline_step"]
    list_filter = ["pipeline_step", "branch__region"]
    list_select_related = ["branch"]
    search_fields = ["first_name", "last_name", "email"]
    raw_id_fields = ["user", "registered_by"]
    filter_horizontal = ["served_branches", "tags"]
    readonly_fields = ["anonymised_at"]
    inlines = [PipelineEventInline, CertificateInline]


class PartnerContactInline(admin.TabularInline):
    model = PartnerContact
    extra = 0


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "branch", "municipality"]
    list_filter = ["kind"]
    list_select_related = ["branch"]
    search_fields = ["name", "municipality"]
    inlines = [PartnerContactInline]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "on", "branch"]
    list_filter = ["kind"]


admin.site.register(CourseAttendance)
admin.site.register(RecruitmentContact)
admin.site.register(FrameworkAgreement)
admin.site.register(Notification)


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ["source", "seen_at", "detail"]


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(ReadOnlyAdmin):
    """Read only: the access log is append-only (familien/access_log.py). One person's
    entries, their matches' and requests' pages included, are at /system/adgangslog/."""

    list_display = ["at", "user_email", "role", "action", "what", "family_id", "volunteer_id"]
    list_filter = ["action", "role"]
    search_fields = ["user_email", "what"]
    show_full_result_count = False
