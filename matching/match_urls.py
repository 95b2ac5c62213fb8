"""Matches: the lifecycle from proposal to close, and the agreement."""

from django.urls import path

from matching import match_views

urlpatterns = [
    path(
        "oensker/<id:pk>/foreslaa/<id:volunteer_pk>/",
        match_views.match_propose,
        name="match_propose",
    ),
    path("forloeb/<id:pk>/", match_views.match_detail, name="match_detail"),
    path("forloeb/<id:pk>/trin/<slug:step>/", match_views.match_step, name="match_step"),
    path("forloeb/<id:pk>/aftale.pdf", match_views.agreement_pdf, name="agreement_pdf"),
]
