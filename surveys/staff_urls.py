"""The survey pages for staff: the call queue and one call, letters to post, and the
response rates (issue 6 items 4, 6 and 8)."""

from django.urls import path

from surveys import call_views, letter_views, rate_views

urlpatterns = [
    path("spoergeskema/opkald/", call_views.survey_call_queue, name="survey_call_queue"),
    path("spoergeskema/opkald/<id:pk>/", call_views.survey_call, name="survey_call"),
    path("spoergeskema/breve/", letter_views.survey_letters, name="survey_letters"),
    path(
        "spoergeskema/breve/<id:pk>.pdf", letter_views.survey_letter_pdf, name="survey_letter_pdf"
    ),
    path(
        "spoergeskema/breve/<id:pk>/sendt/",
        letter_views.survey_letter_posted,
        name="survey_letter_posted",
    ),
    path("spoergeskema/svarprocenter/", rate_views.survey_rates, name="survey_rates"),
    path("spoergeskema/svarprocenter.csv", rate_views.survey_rates_csv, name="survey_rates_csv"),
]
