"""The match's follow-up page and the volunteer's check-in (issue 5 item 1)."""

from django.urls import path

from followup import checkin_views

urlpatterns = [
    path("forloeb/<id:pk>/opfoelgning/", checkin_views.followup_match, name="followup_match"),
    path("forloeb/<id:pk>/moede/ny/", checkin_views.checkin_create, name="checkin_create"),
]
