"""Volunteers: profiles, recruitment pipeline, courses and børneattest."""

from django.urls import path

from familien import volunteer_views as views

urlpatterns = [
    path("frivillige/", views.volunteer_list, name="volunteer_list"),
    path("frivillige/ny/", views.volunteer_create, name="volunteer_create"),
    path("frivillige/boerneattester/", views.certificate_warnings, name="certificate_warnings"),
    path("frivillige/<id:pk>/", views.volunteer_detail, name="volunteer_detail"),
    path("frivillige/<id:pk>/ret/", views.volunteer_edit, name="volunteer_edit"),
    path("frivillige/<id:pk>/trin/", views.volunteer_advance, name="volunteer_advance"),
    path("frivillige/<id:pk>/kontakt/", views.volunteer_contact_add, name="volunteer_contact_add"),
    path("frivillige/<id:pk>/kursus/", views.volunteer_course_book, name="volunteer_course_book"),
    path(
        "frivillige/<id:pk>/kursus/<id:attendance_pk>/",
        views.volunteer_attendance,
        name="volunteer_attendance",
    ),
    path("frivillige/<id:pk>/boerneattest/", views.certificate_order, name="certificate_order"),
    path(
        "frivillige/<id:pk>/boerneattest/<id:certificate_pk>/",
        views.certificate_assess,
        name="certificate_assess",
    ),
    path(
        "frivillige/<id:pk>/rammeaftale/",
        views.framework_agreement_add,
        name="framework_agreement_add",
    ),
    path("kurser/", views.course_list, name="course_list"),
    path("kurser/nyt/", views.course_create, name="course_create"),
]
