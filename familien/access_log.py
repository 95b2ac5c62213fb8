"""The access log: every use of personal data by a logged-in person is written down.

Datatilsynet's catalogue of measures ("Logning af brugernes anvendelser af
personoplysninger") asks for a log of all uses, reading and searching (with the criterion)
included, and after CJEU C-579/21 a person may ask who looked them up. So:

- ``AccessLogMiddleware`` writes, after every request of a logged-in person to one of our
  pages, who (user, e-mail, name and role as they were), when, what (the page's URL name and
  the family, volunteer or other object its address names), how (view, search, export,
  create, change, delete) and the answer's status. Pages with no personal data on them
  (``NOT_PERSONAL``) are left out.
- A list, search or export names the people it showed with ``record()``. Each person a
  request concerned gets an entry of their own, so one person's extract finds every page
  that showed them.
- All entries of a request go to the database in one INSERT, after the view, and the object
  a page names is resolved to its family and volunteer only when an extract is made: no
  page pays a SELECT for its log.

The search criterion goes here, into the protected table, and never into the server's
stderr log. Entries are append-only (familien.models.access_log) and purged after
ACCESS_LOG_RETENTION_DAYS by a daily task (familien/access_log_tasks.py).
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from familien.models import AccessLogEntry

Action = AccessLogEntry.Action

# Pages without personal data, and the ones a person uses before or to log in.
NOT_PERSONAL = {
    "account",
    "two_factor_setup_email",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "login",
    "logout",
    "two_factor_verify",
    "two_factor_setup",
    "set_language",
    "javascript-catalog",
    "healthz",
    # Polled every few seconds; they show the system's and a report job's state.
    "system_status",
    "report_job",
}

FAMILY = "familien.family"
VOLUNTEER = "familien.volunteer"
SUPPORT_REQUEST = "matching.supportrequest"
MATCH = "matching.match"
FOLLOW_UP_TASK = "followup.followuptask"
INVITATION = "surveys.invitation"
LETTER = "surveys.contactattempt"

# What the numbers in an address are, per URL name: {kwarg: model label}. A family or a
# volunteer is written as the entry's subject; any other object is kept as it is and
# resolved to its family and volunteer when an extract is made
# (AccessLogQuerySet.for_family / for_volunteer). A URL with an id not named here is
# logged with the id as a plain object (tests/test_access_log_walk.py lists them all).
URL_OBJECTS = {
    "family_detail": {"pk": FAMILY},
    "family_edit": {"pk": FAMILY},
    "family_consent": {"pk": FAMILY},
    "request_create": {"family_pk": FAMILY},
    "privacy_family_export": {"pk": FAMILY},
    "privacy_family_erase_confirm": {"pk": FAMILY},
    "privacy_family_erase": {"pk": FAMILY},
    "volunteer_detail": {"pk": VOLUNTEER},
    "volunteer_edit": {"pk": VOLUNTEER},
    "volunteer_advance": {"pk": VOLUNTEER},
    "volunteer_contact_add": {"pk": VOLUNTEER},
    "volunteer_course_book": {"pk": VOLUNTEER},
    "volunteer_attendance": {"pk": VOLUNTEER, "attendance_pk": "familien.courseattendance"},
    "certificate_order": {"pk": VOLUNTEER},
    "certificate_assess": {"pk": VOLUNTEER, "certificate_pk": "familien.childcertificate"},
    "framework_agreement_add": {"pk": VOLUNTEER},
    "privacy_volunteer_export": {"pk": VOLUNTEER},
    "privacy_volunteer_erase_confirm": {"pk": VOLUNTEER},
    "privacy_volunteer_erase": {"pk": VOLUNTEER},
    "request_detail": {"pk": SUPPORT_REQUEST},
    "request_intro_meeting": {"pk": SUPPORT_REQUEST},
    "request_volunteer_talk": {"pk": SUPPORT_REQUEST},
    "request_withdraw": {"pk": SUPPORT_REQUEST},
    "request_take_over": {"pk": SUPPORT_REQUEST},
    "suggestions": {"pk": SUPPORT_REQUEST},
    "match_propose": {"pk": SUPPORT_REQUEST, "volunteer_pk": VOLUNTEER},
    "match_detail": {"pk": MATCH},
    "match_step": {"pk": MATCH},
    "agreement_pdf": {"pk": MATCH},
    "followup_match": {"pk": MATCH},
    "checkin_create": {"pk": MATCH},
    "followup_task": {"pk": FOLLOW_UP_TASK},
    "survey_call": {"pk": INVITATION},
    "survey_paper_entry": {"pk": INVITATION},
    "survey_letter_pdf": {"pk": LETTER},
    "survey_letter_posted": {"pk": LETTER},
    "partner_detail": {"pk": "familien.partner"},
    "partner_edit": {"pk": "familien.partner"},
    "partner_contact_create": {"pk": "familien.partner"},
    "notification_read": {"pk": "familien.notification"},
    "report_download": {"pk": "surveys.reportjob"},
}

# A list or search page's address parameter that only turns the page.
PAGE_PARAMS = {"side"}
CRITERION_LENGTH = 500


class _Collected:
    """What a view adds to its request's entry with ``record``."""

    def __init__(self):
        self.action = None
        self.criterion = None
        self.rows = None
        self.families = []
        self.volunteers = []


def record(request, action=None, *, families=(), volunteers=(), criterion=None, rows=None):
    """Add to this request's access-log entry: the families and volunteers the page showed
    (objects, ids, or a function returning them; a page of a list, or a function reading
    it, is read after the page is drawn, so it costs no query), the action if the address
    alone does not tell it (a posted search), the search criterion, and an export's row
    count.

    The rule (Datatilsynet): every read, search, change and export of a person's data is
    logged with the person concerned or the search criterion.
    """
    collected = _collected(request)
    if action:
        collected.action = action
    if criterion is not None:
        collected.criterion = criterion
    if rows is not None:
        collected.rows = rows
    collected.families.append(families)
    collected.volunteers.append(volunteers)


def _collected(request):
    if not hasattr(request, "_access_log"):
        request._access_log = _Collected()
    return request._access_log


class AccessLogMiddleware:
    """Write the request's access-log entries once the view has answered.

    Stands after AuthenticationMiddleware (it needs the user) and writes after the view,
    so the status and the people a list showed are known. If the entry cannot be written
    the request fails: a read that is not logged must not look like a success.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        match = request.resolver_match
        if (
            user is not None
            and user.is_authenticated
            and match is not None
            and match.view_name not in NOT_PERSONAL
        ):
            write_entries(request, response, match)
        return response


def write_entries(request, response, match):
    """One INSERT: an entry per family or volunteer the request concerned (the one its
    address names and those the page showed), or a single entry if it concerned none."""
    collected = getattr(request, "_access_log", None) or _Collected()
    user = request.user
    criterion = collected.criterion
    if criterion is None:
        criterion = _criterion_of(request)
    base = {
        "at": timezone.now(),
        "request_id": uuid.uuid4(),
        "user_id": user.pk,
        "user_email": user.email,
        "user_name": user.get_full_name(),
        "role": getattr(user, "role", ""),
        "action": collected.action or _action_of(request, response, match),
        "what": match.view_name[:100],
        # PostgreSQL text cannot hold NUL; a criterion a view passes as typed might.
        "criterion": criterion.replace("\x00", "")[:CRITERION_LENGTH],
        "rows": collected.rows,
        "method": request.method[:10],
        "status": response.status_code,
    }
    subject = _subject_of(match)
    obj = {k: subject.pop(k) for k in ("object_type", "object_id") if k in subject}
    people = list(subject.items())
    shown = (("family_id", collected.families), ("volunteer_id", collected.volunteers))
    for field, groups in shown:
        people.extend((field, pk) for pk in _ids(groups))
    entries = [
        AccessLogEntry(**base, **obj, **{field: pk}) for field, pk in dict.fromkeys(people)
    ] or [AccessLogEntry(**base, **obj)]
    AccessLogEntry.objects.bulk_create(entries)


def _ids(groups):
    for group in groups:
        for item in group() if callable(group) else group:
            pk = getattr(item, "pk", item)
            if pk is not None:
                yield int(pk)


def _subject_of(match):
    """The family, volunteer or other object the page's address names."""
    subject = {}
    kwargs = match.kwargs
    name = match.view_name
    model_admin = getattr(match.func, "model_admin", None)
    if model_admin is not None:
        # A Django admin page of one model; its object's id is text in the address.
        label = model_admin.model._meta.label_lower
        object_id = str(kwargs.get("object_id", ""))
        if not (object_id.isascii() and object_id.isdigit()):
            return {}
        if label in _SUBJECT_FIELDS:
            return {_SUBJECT_FIELDS[label]: int(object_id)}
        return {"object_type": label, "object_id": int(object_id)}
    for kwarg, label in URL_OBJECTS.get(name, {}).items():
        value = kwargs.get(kwarg)
        if value is None:
            continue
        if label in _SUBJECT_FIELDS:
            subject[_SUBJECT_FIELDS[label]] = int(value)
        elif "object_id" not in subject:
            subject["object_type"], subject["object_id"] = label, int(value)
    if not subject:
        # An id the table above does not name is still kept, so the entry can be traced.
        for value in kwargs.values():
            if isinstance(value, int):
                return {"object_type": name[:60], "object_id": value}
    return subject


_SUBJECT_FIELDS = {FAMILY: "family_id", VOLUNTEER: "volunteer_id"}


def _action_of(request, response, match):
    if "attachment" in response.get("Content-Disposition", ""):
        return Action.EXPORT
    if request.method in ("GET", "HEAD"):
        return Action.SEARCH if request.GET.get("q", "").strip() else Action.VIEW
    name = match.url_name or ""
    if "erase" in name or name.endswith("_delete"):
        return Action.DELETE
    if name.endswith(("_create", "_add", "_new")):
        return Action.CREATE
    return Action.CHANGE


def _criterion_of(request):
    """A list's filters and search words, as its address gave them (the page number aside)."""
    if request.method not in ("GET", "HEAD") or not request.GET:
        return ""
    query = request.GET.copy()
    for param in PAGE_PARAMS:
        query.pop(param, None)
    return query.urlencode()


def purge_expired(now=None):
    """Delete the entries older than ACCESS_LOG_RETENTION_DAYS (storage limitation, GDPR
    Art. 5(1)(e); Danish practice keeps such logs about six months). On PostgreSQL the
    append-only trigger lets this transaction, and only rows over 30 days old, through."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.ACCESS_LOG_RETENTION_DAYS)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL familien.access_log_purge = 'on'")
        deleted, _ = AccessLogEntry.objects.purge_older_than(cutoff)
    return deleted
