"""Access rows for volunteers, their recruitment, courses and børneattest."""

from datetime import date

from tests.access_rules import HIDDEN, everyone, only

EDITORS = {"leader", "leader_other", "central", "admin"}
# Small actions on a volunteer's page are POST only: a GET is refused for everyone.
POST_ONLY = everyone(405, anonymous=405)

VOLUNTEER_RULES = {
    "volunteer_list": only(EDITORS),
    "volunteer_create": only(EDITORS),
    "volunteer_detail": only(
        {"leader", "central", "followup", "admin"}, leader_other=HIDDEN, followup_other=HIDDEN
    ),
    "volunteer_edit": only({"leader", "central", "admin"}, leader_other=HIDDEN),
    "volunteer_advance": POST_ONLY,
    "volunteer_contact_add": POST_ONLY,
    "volunteer_course_book": POST_ONLY,
    "volunteer_attendance": POST_ONLY,
    "certificate_order": POST_ONLY,
    "certificate_assess": POST_ONLY,
    "framework_agreement_add": POST_ONLY,
    "certificate_warnings": only(EDITORS),
    "course_list": only(EDITORS),
    "course_create": only(EDITORS),
}


def _attendance(world):
    from familien.models import Course, CourseAttendance

    course = Course.objects.create(
        name="Frivilligkursus",
        kind=Course.Kind.VOLUNTEER,
        on=date(2026, 2, 1),
        branch=world.branch_a,
    )
    attendance = CourseAttendance.objects.create(volunteer=world.volunteer_a, course=course)
    return {"pk": world.volunteer_a.pk, "attendance_pk": attendance.pk}


def _certificate(world):
    from familien.models import ChildCertificate

    certificate = ChildCertificate.objects.create(
        volunteer=world.volunteer_a, ordered_on=date(2026, 1, 1), consent_deadline=date(2026, 1, 15)
    )
    return {"pk": world.volunteer_a.pk, "certificate_pk": certificate.pk}


def _volunteer_a(world):
    return {"pk": world.volunteer_a.pk}


VOLUNTEER_URL_KWARGS = {
    "volunteer_detail": _volunteer_a,
    "volunteer_edit": _volunteer_a,
    "volunteer_advance": _volunteer_a,
    "volunteer_contact_add": _volunteer_a,
    "volunteer_course_book": _volunteer_a,
    "volunteer_attendance": _attendance,
    "certificate_order": _volunteer_a,
    "certificate_assess": _certificate,
    "framework_agreement_add": _volunteer_a,
}
