"""Families, their consents, and partners with their referrals."""

from django.urls import path

from familien import family_views

urlpatterns = [
    path("familier/", family_views.family_list, name="family_list"),
    path("familier/ny/", family_views.family_create, name="family_create"),
    path("familier/<id:pk>/", family_views.family_detail, name="family_detail"),
    path("familier/<id:pk>/rediger/", family_views.family_edit, name="family_edit"),
    path("familier/<id:pk>/samtykke/", family_views.family_consent, name="family_consent"),
    path("partnere/", family_views.partner_list, name="partner_list"),
    path("partnere/ny/", family_views.partner_create, name="partner_create"),
    path("partnere/<id:pk>/", family_views.partner_detail, name="partner_detail"),
    path("partnere/<id:pk>/rediger/", family_views.partner_edit, name="partner_edit"),
    path(
        "partnere/<id:pk>/kontaktpersoner/ny/",
        family_views.partner_contact_create,
        name="partner_contact_create",
    ),
]
