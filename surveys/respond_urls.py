"""The respondent's page and staff keying in a paper questionnaire (issue 6 item 7).

"s/" is short on purpose: the link goes out by sms. The catch-all after the token pages
gives any other path under /s/ the same closed page as an expired link.
"""

from django.urls import path, re_path

from surveys import paper_views, respond_views

urlpatterns = [
    path("s/<str:token>/", respond_views.survey_respond, name="survey_respond"),
    path("s/<str:token>/afmeld/", respond_views.survey_opt_out, name="survey_opt_out"),
    re_path(r"^s/(?P<rest>.*)$", respond_views.survey_link_unknown, name="survey_link_unknown"),
    path(
        "spoergeskema/<id:pk>/papir/",
        paper_views.survey_paper_entry,
        name="survey_paper_entry",
    ),
]
