"""The administrator's extract of one person's access log."""

from django.urls import path

from familien import access_log_views as views

urlpatterns = [
    path("system/adgangslog/", views.access_log, name="access_log"),
    path("system/adgangslog.csv", views.access_log_csv, name="access_log_csv"),
]
