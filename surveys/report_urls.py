"""The reports page and its jobs (issue 7 item 4)."""

from django.urls import path

from surveys import report_views

urlpatterns = [
    path("rapporter/", report_views.reports, name="reports"),
    path("rapporter/<id:pk>/", report_views.report_job, name="report_job"),
    path("rapporter/<id:pk>/hent/", report_views.report_download, name="report_download"),
]
