"""Support requests, the waiting list and intro meetings."""

from django.urls import path

from matching import request_views

urlpatterns = [
    path("venteliste/", request_views.waiting_list, name="waiting_list"),
    path(
        "familier/<id:family_pk>/oensker/nyt/",
        request_views.request_create,
        name="request_create",
    ),
    path("oensker/<id:pk>/", request_views.request_detail, name="request_detail"),
    path(
        "oensker/<id:pk>/introduktionsmoede/",
        request_views.request_intro_meeting,
        name="request_intro_meeting",
    ),
    path(
        "oensker/<id:pk>/samtale/",
        request_views.request_volunteer_talk,
        name="request_volunteer_talk",
    ),
    path("oensker/<id:pk>/traek-tilbage/", request_views.request_withdraw, name="request_withdraw"),
    path("oensker/<id:pk>/overtag/", request_views.request_take_over, name="request_take_over"),
]
