"""Volunteers: profiles, recruitment pipeline, courses and børneattest."""

from django.urls import path

from familien import volunteer_views

urlpatterns = [
    path("frivillige/", volunteer_views.volunteer_list, name="volunteer_list"),
    path("frivillige/<int:pk>/", volunteer_views.volunteer_detail, name="volunteer_detail"),
]
