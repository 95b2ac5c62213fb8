from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from familien import account_views, views
from familien.forms import EmailAuthenticationForm

urlpatterns = [
    path("", views.home, name="home"),
    path("", include("familien.family_urls")),
    path("", include("familien.volunteer_urls")),
    path("", include("familien.notification_urls")),
    path("", include("familien.import_urls")),
    path("", include("matching.request_urls")),
    path("", include("matching.suggestion_urls")),
    path("", include("matching.match_urls")),
    path("", include("followup.task_urls")),
    path("", include("followup.checkin_urls")),
    path("", include("surveys.respond_urls")),
    path("", include("surveys.staff_urls")),
    path("", include("surveys.report_urls")),
    path("", include("surveys.outcome_urls")),
    path("", include("familien.access_log_urls")),
    path("system/status/", views.system_status, name="system_status"),
    path("healthz", views.healthz, name="healthz"),
    path(
        "konto/log-ind/",
        auth_views.LoginView.as_view(
            authentication_form=EmailAuthenticationForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("konto/log-ud/", auth_views.LogoutView.as_view(), name="logout"),
    path("konto/", account_views.account, name="account"),
    path("konto/to-faktor/", account_views.two_factor_verify, name="two_factor_verify"),
    path("konto/to-faktor/opsaet/", account_views.two_factor_setup, name="two_factor_setup"),
    path(
        "konto/to-faktor/opsaet/email/",
        account_views.two_factor_setup_email,
        name="two_factor_setup_email",
    ),
    path(
        "konto/glemt-adgangskode/",
        account_views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "konto/glemt-adgangskode/sendt/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "konto/ny-adgangskode/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "konto/ny-adgangskode/faerdig/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
