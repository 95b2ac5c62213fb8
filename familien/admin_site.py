from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class FamilienAdminSite(admin.AdminSite):
    """The Django admin, for administrators only, behind the same login and 2FA as the rest."""

    site_header = _("Familien i Fokus: administration")
    site_title = "Familien"
    index_title = _("Administration")

    def login(self, request, extra_context=None):
        if request.user.is_authenticated:
            if self.has_permission(request):
                return redirect(reverse("admin:index", current_app=self.name))
            # Logged in but not an administrator: say no instead of a login loop.
            raise PermissionDenied
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.GET.get("next", request.get_full_path()))


class FamilienAdminConfig(AdminConfig):
    default_site = "familien.admin_site.FamilienAdminSite"


class ReadOnlyAdmin(admin.ModelAdmin):
    """A list and detail view only: what the admin shows here is computed or append-only."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
