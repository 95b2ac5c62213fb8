"""Notifications and the administrator's personal-data tools (GDPR)."""

from django.urls import path

from familien import notification_views as views

urlpatterns = [
    path("notifikationer/", views.notification_list, name="notification_list"),
    path("notifikationer/<id:pk>/laest/", views.notification_read, name="notification_read"),
    path("notifikationer/laest/", views.notification_read_all, name="notification_read_all"),
    path("persondata/", views.privacy_search, name="privacy_search"),
    path(
        "persondata/familie/<id:pk>/eksport/",
        views.privacy_family_export,
        name="privacy_family_export",
    ),
    path(
        "persondata/familie/<id:pk>/slet/bekraeft/",
        views.privacy_family_erase_confirm,
        name="privacy_family_erase_confirm",
    ),
    path(
        "persondata/familie/<id:pk>/slet/",
        views.privacy_family_erase,
        name="privacy_family_erase",
    ),
    path(
        "persondata/frivillig/<id:pk>/eksport/",
        views.privacy_volunteer_export,
        name="privacy_volunteer_export",
    ),
    path(
        "persondata/frivillig/<id:pk>/slet/bekraeft/",
        views.privacy_volunteer_erase_confirm,
        name="privacy_volunteer_erase_confirm",
    ),
    path(
        "persondata/frivillig/<id:pk>/slet/",
        views.privacy_volunteer_erase,
        name="privacy_volunteer_erase",
    ),
]
