"""The outcome report (issue 7 item 1)."""

from django.urls import path

from surveys import outcome_views

urlpatterns = [
    path("rapporter/resultater/", outcome_views.survey_outcomes, name="survey_outcomes"),
]
