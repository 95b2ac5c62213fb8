"""Spreadsheet import of families and volunteers."""

from django.urls import path

from familien import import_views

urlpatterns = [
    path("import/", import_views.import_upload, name="import_upload"),
    path("import/gem/", import_views.import_commit, name="import_commit"),
]
