from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from familien.models import Branch, Child, Family, Heartbeat, Parent, User, Volunteer


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


@admin.register(Family)
class FamilyAdmin(admin.ModelAdmin):
    list_display = ["name", "branch", "postcode", "created_at"]
    list_filter = ["branch__region"]
    list_select_related = ["branch"]
    search_fields = ["name"]
    inlines = [ParentInline, ChildInline]


@admin.register(Volunteer)
class VolunteerAdmin(admin.ModelAdmin):
    list_display = ["first_name", "last_name", "branch"]
    list_select_related = ["branch"]
    search_fields = ["first_name", "last_name", "email"]
    raw_id_fields = ["user"]


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ["source", "seen_at", "detail"]
