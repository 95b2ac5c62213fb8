"""Families, their consents, and partners with their referrals."""

from django.urls import path

from familien import family_views

urlpatterns = [
    path("familier/", family_views.family_list, name="family_list"),
    path("familier/<int:pk>/", family_views.family_detail, name="family_detail"),
]
