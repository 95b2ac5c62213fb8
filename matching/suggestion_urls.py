"""Ranked volunteer suggestions for a support request."""

from django.urls import path

from matching import suggestion_views as views

urlpatterns = [
    path("oensker/<id:pk>/forslag/", views.suggestions, name="suggestions"),
]
