"""The main menu, per role. Each entry is (url name, label); the access rules of the
views themselves decide what a user may open, the menu only shows what is useful."""

from django.utils.translation import gettext_lazy as _

from familien.models import Role

HOME = ("home", _("Overview"))
FAMILIES = ("family_list", _("Families"))
VOLUNTEERS = ("volunteer_list", _("Volunteers"))
WAITING_LIST = ("waiting_list", _("Waiting list"))
FOLLOW_UP = ("followup_dashboard", _("Follow-up"))
# The survey calls page links the letters to post, which keeps the menu short.
SURVEY_CALLS = ("survey_call_queue", _("Survey calls"))
RESPONSE_RATES = ("survey_rates", _("Response rates"))
# One page for both: the report for staff, the pseudonymised exports for the evaluator.
REPORTS = ("reports", _("Reports"))
EXPORTS = ("reports", _("Exports"))
OUTCOMES = ("survey_outcomes", _("Results"))
PARTNERS = ("partner_list", _("Partners"))
CERTIFICATES = ("certificate_warnings", _("Child-protection certificates"))
COURSES = ("course_list", _("Courses"))
IMPORT = ("import_upload", _("Import"))
STATUS = ("system_status", _("System status"))
PRIVACY = ("privacy_search", _("Personal data"))
ACCESS_LOG = ("access_log", _("Access log"))
ADMIN = ("admin:index", _("Administration"))

MENUS = {
    Role.LEADER: [
        HOME,
        FOLLOW_UP,
        SURVEY_CALLS,
        WAITING_LIST,
        FAMILIES,
        VOLUNTEERS,
        CERTIFICATES,
        COURSES,
        PARTNERS,
        IMPORT,
        RESPONSE_RATES,
        OUTCOMES,
        REPORTS,
    ],
    Role.CENTRAL: [
        HOME,
        FOLLOW_UP,
        SURVEY_CALLS,
        WAITING_LIST,
        FAMILIES,
        VOLUNTEERS,
        CERTIFICATES,
        COURSES,
        PARTNERS,
        IMPORT,
        RESPONSE_RATES,
        OUTCOMES,
        REPORTS,
    ],
    Role.FOLLOWUP: [HOME, FOLLOW_UP, SURVEY_CALLS, FAMILIES],
    Role.VOLUNTEER: [HOME],
    Role.EVALUATOR: [HOME, RESPONSE_RATES, OUTCOMES, EXPORTS],
    Role.ADMIN: [
        HOME,
        FOLLOW_UP,
        SURVEY_CALLS,
        WAITING_LIST,
        FAMILIES,
        VOLUNTEERS,
        PARTNERS,
        IMPORT,
        RESPONSE_RATES,
        OUTCOMES,
        REPORTS,
        PRIVACY,
        ACCESS_LOG,
        STATUS,
        ADMIN,
    ],
}


def navigation_for(user):
    return MENUS.get(user.role, [HOME])
