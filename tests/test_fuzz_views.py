"""Every view that takes a POST, driven through the test client with hostile input as a
role allowed to post (hypothesis; strategies in tests/hostile.py).

Per example: the status is never a 500 (the test client raises the view's exception);
a refused post (the page again, 200 or 400, or 429) changes no row in any table, and
neither does a post whose form is invalid, whatever the answer; an accepted post saves
rows that pass their model's own validation; markup comes back escaped, on the page
and on the page a redirect leads to. Each example runs in a savepoint that is rolled
back, so examples do not see each other's rows.

A URL added later must be listed here as a POST view or as GET only, else
``test_every_url_is_classified`` fails. The survey's public pages have their own module
(tests/test_fuzz_survey.py).
"""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import transaction
from django.http import QueryDict
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import login
from tests.hostile import (
    HTTP_EXAMPLES,
    UNESCAPED,
    examples,
    has_markup,
    hostile_data,
    plausible_data,
)
from tests.url_walk import iter_named_patterns

pytestmark = pytest.mark.django_db

APPS = ("familien", "matching", "followup", "surveys", "auditlog")
# Tables written on every request, refused or not: the record of who read what.
REQUEST_LOGS = {"familien.AccessLogEntry"}
REFUSED = {200, 400, 429}
ACCEPTED = {302}


def _kwargs(name):
    from tests.test_every_url import URL_KWARGS

    return URL_KWARGS.get(name, lambda world: {})


def _fields(form, prefix=""):
    names = list(form.fields)
    return [f"{prefix}-{n}" if prefix else n for n in names]


def _management(prefix):
    return [f"{prefix}-{n}" for n in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS")]


def family_fields(world, *, create):
    from familien.family_forms import (
        ChildForm,
        ConsentOnCreateForm,
        DuplicateConfirmForm,
        FamilyForm,
        ParentForm,
    )

    names = _fields(FamilyForm(user=world.users["leader"]), "family")
    names += _fields(DuplicateConfirmForm())
    if create:
        names += _fields(ConsentOnCreateForm())
    names += _management("parents") + _fields(ParentForm(), "parents-0") + ["parents-0-DELETE"]
    names += _management("children") + _fields(ChildForm(), "children-0") + ["children-0-id"]
    return names


def family_valid(world):
    return {
        "family-name": "Familien Østergård",
        "family-branch": str(world.branch_a.pk),
        "data_consent": "given",
        "evaluation_consent": "refused",
        "parents-TOTAL_FORMS": "1",
        "parents-INITIAL_FORMS": "0",
        "parents-MIN_NUM_FORMS": "0",
        "parents-0-first_name": "Åse",
        "parents-0-last_name": "Østergård",
        "parents-0-phone": "31 32 33 34",
        "parents-0-preferred_channel": "sms",
        "parents-0-gender": "female",
        "children-TOTAL_FORMS": "1",
        "children-INITIAL_FORMS": "0",
        "children-MIN_NUM_FORMS": "0",
        "children-0-first_name": "Ida",
        "children-0-birth_year": str(timezone.localdate().year - 8),
    }


def volunteer_fields(world):
    from familien.volunteer_forms import VolunteerForm

    return _fields(VolunteerForm(user=world.users["leader"]))


def volunteer_valid(world):
    return {
        "first_name": "Søren",
        "last_name": "Ærø",
        "phone": "41 42 43 44",
        "email": "soeren.fuzz@example.dk",
        "postcode": "5000",
        "gender": "male",
        "birth_year": "1980",
        "branch": str(world.branch_a.pk),
        "travel_km": "10",
        "max_matches": "1",
        "programmes": ["family_friend"],
        "new_tags": "madlavning, fodbold",
    }


def form_fields(dotted, prefix="", **kwargs):
    """Fields of a form that needs nothing from the world to be built."""

    def fields(world):
        module, name = dotted.rsplit(".", 1)
        form_class = getattr(__import__(module, fromlist=[name]), name)
        return _fields(form_class(**kwargs), prefix)

    return fields


def step_fields(step):
    from matching.match_views import STEPS

    return lambda world: _fields(STEPS[step][0](), step)


@dataclass
class Case:
    role: str
    fields: object  # callable(world) -> field names
    valid: object = None  # callable(world) -> a valid post
    kwargs: object = None  # callable(world) -> URL kwargs; default from test_every_url
    follow: bool = True  # read the page a redirect leads to (markup escaped there too)


POST_VIEWS = {
    "family_create": Case(
        "leader", lambda w: family_fields(w, create=True), family_valid, follow=True
    ),
    "family_edit": Case("leader", lambda w: family_fields(w, create=False)),
    "family_consent": Case(
        "leader",
        form_fields("familien.family_forms.ConsentForm"),
        lambda w: {"kind": "evaluation", "state": "given", "note": "ok"},
    ),
    "partner_create": Case(
        "central",
        lambda w: _fields(
            __import__("familien.family_forms", fromlist=["x"]).PartnerForm(user=w.users["central"])
        ),
        lambda w: {"name": "Jobcenter Æbeltoft", "kind": "jobcenter"},
    ),
    "partner_edit": Case(
        "central",
        lambda w: _fields(
            __import__("familien.family_forms", fromlist=["x"]).PartnerForm(user=w.users["central"])
        ),
    ),
    "partner_contact_create": Case(
        "leader",
        form_fields("familien.family_forms.PartnerContactForm"),
        lambda w: {"name": "Karen Ørsted", "title": "Sagsbehandler"},
    ),
    "volunteer_create": Case("leader", volunteer_fields, volunteer_valid),
    "volunteer_edit": Case("leader", volunteer_fields),
    "volunteer_advance": Case("leader", form_fields("familien.volunteer_forms.PipelineForm")),
    "volunteer_contact_add": Case("leader", form_fields("familien.volunteer_forms.ContactForm")),
    "volunteer_course_book": Case("leader", lambda w: ["course"]),
    "volunteer_attendance": Case("leader", form_fields("familien.volunteer_forms.AttendanceForm")),
    "certificate_order": Case(
        "leader",
        form_fields("familien.volunteer_forms.CertificateOrderForm"),
        lambda w: {"ordered_on": (timezone.localdate() - timedelta(days=1)).isoformat()},
    ),
    "certificate_assess": Case("leader", lambda w: ["assessed_on", "outcome"]),
    "framework_agreement_add": Case(
        "leader", lambda w: ["family", "scope", "valid_from", "valid_to"]
    ),
    "course_create": Case(
        "leader",
        lambda w: ["name", "kind", "on", "branch"],
        lambda w: {
            "name": "Kursus for nye",
            "kind": "volunteer",
            "on": "2026-05-01",
            "branch": str(w.branch_a.pk),
        },
    ),
    "notification_read": Case("leader", lambda w: ["next"]),
    "notification_read_all": Case("leader", lambda w: ["next"]),
    "privacy_search": Case("admin", lambda w: ["q"]),
    "privacy_family_erase": Case("admin", lambda w: ["name"]),
    "privacy_volunteer_erase": Case("admin", lambda w: ["name"]),
    "import_commit": Case("leader", lambda w: ["token"]),
    "request_create": Case(
        "leader",
        lambda w: ["for_whom", "programme", "wishes", "focus", "mode", "availability"],
        lambda w: {
            "for_whom": f"parent:{w.family_a.parents.first().pk}",
            "programme": "job_mentor",
            "mode": "in_person",
            "wishes": "Hjælp til CV",
        },
        kwargs=lambda w: {"family_pk": w.family_a.pk},
    ),
    "request_intro_meeting": Case(
        "leader",
        lambda w: [
            f"intro-{n}"
            for n in ("held_on", "attendees", "needs", "wishes", "expectations_aligned", "notes")
        ],
    ),
    "request_volunteer_talk": Case(
        "leader", lambda w: [f"talk-{n}" for n in ("volunteer", "held_on", "notes")]
    ),
    "request_withdraw": Case("leader", lambda w: ["withdraw-reason"]),
    "request_take_over": Case("central", lambda w: ["next"]),
    "match_propose": Case("leader", lambda w: ["next"]),
    "match_step": Case(
        "central",
        step_fields("extend"),
        lambda w: {"extend-new_end": (timezone.localdate() + timedelta(days=400)).isoformat()},
    ),
    "followup_task": Case(
        "central", lambda w: ["outcome", "note", "decision", "new_end", "reason"]
    ),
    "checkin_create": Case(
        "volunteer",
        form_fields("followup.checkin_forms.CheckInForm"),
        lambda w: {
            "met_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
            "duration": "60",
            "place": "home",
            "activities": [],
            "note": "Vi bagte kage",
        },
    ),
    "survey_call": Case("central", form_fields("surveys.call_forms.CallAttemptForm")),
    "survey_letter_posted": Case("central", lambda w: ["next"]),
    "reports": Case("leader", lambda w: ["kind", "date_from", "date_to", "branch", "programme"]),
    "import_upload": Case("leader", lambda w: ["kind", "branch"]),
}

# The match steps besides "extend": each form, posted to a match in a state where the
# step makes sense or not (the lifecycle refuses with a message, never a 500).
STEP_NAMES = [
    "ask",
    "meeting",
    "answer",
    "agreement",
    "sign",
    "activate",
    "ending",
    "close",
    "withdraw",
]

# Pages that only read (GET), and pages fuzzed elsewhere.
NOT_POSTED = {
    "home": "GET only",
    "family_list": "GET filter form, fuzzed at form level",
    "family_detail": "GET only",
    "partner_list": "GET filter form, fuzzed at form level",
    "partner_detail": "GET only",
    "volunteer_list": "GET filter form, fuzzed at form level",
    "certificate_warnings": "GET only",
    "volunteer_detail": "GET only",
    "course_list": "GET only",
    "notification_list": "GET only",
    "privacy_family_export": "GET only",
    "privacy_family_erase_confirm": "GET only",
    "privacy_volunteer_erase_confirm": "GET only",
    "privacy_volunteer_export": "GET only",
    "waiting_list": "GET filter form, fuzzed at form level",
    "request_detail": "GET only",
    "suggestions": "GET only",
    "match_detail": "GET only",
    "agreement_pdf": "GET only",
    "followup_dashboard": "GET only",
    "followup_task_queue": "GET filter form, fuzzed at form level",
    "followup_figures": "GET filter form, fuzzed at form level",
    "followup_match": "GET only",
    "survey_respond": "tests/test_fuzz_survey.py",
    "survey_opt_out": "tests/test_fuzz_survey.py",
    "survey_link_unknown": "tests/test_fuzz_survey.py",
    "survey_paper_entry": "tests/test_fuzz_survey.py",
    "survey_call_queue": "GET only",
    "survey_letters": "GET only",
    "survey_letter_pdf": "GET only",
    "survey_rates": "GET filter form, fuzzed at form level",
    "survey_rates_csv": "GET filter form, fuzzed at form level",
    "report_job": "GET only",
    "report_download": "GET only",
    "survey_outcomes": "GET filter form, fuzzed at form level",
    "system_status": "GET only",
    "healthz": "GET only",
    "login": "the login form is fuzzed at form level; posting it would lock accounts (axes)",
    "logout": "no input",
    "two_factor_verify": "TokenForm, fuzzed at form level",
    "two_factor_setup": "TokenForm, fuzzed at form level",
    "set_language": "Django's own view",
    "two_factor_setup_email": "TokenForm, fuzzed at form level",
    "account": "ReauthenticateForm, fuzzed at form level; wrong passwords count to a lockout",
    "password_reset": "Django's own form; posting it sends mail",
    "password_reset_done": "GET only",
    "password_reset_confirm": "Django's own form, behind a one-time link",
    "password_reset_complete": "GET only",
    "access_log": "GET form (PersonForm), fuzzed at form level",
    "access_log_csv": "GET form (PersonForm), fuzzed at form level",
}


def test_every_url_is_classified():
    """A new URL must be fuzzed here or named as GET only."""
    names = {
        name
        for name, _pattern in iter_named_patterns()
        if not name.startswith("admin:") and "<unnamed" not in name
    }
    unclassified = names - set(POST_VIEWS) - set(NOT_POSTED)
    assert unclassified == set()


# --- the checks -------------------------------------------------------------------------


def _models():
    return [
        m
        for m in apps.get_models()
        if m._meta.app_label in APPS and m._meta.managed and m._meta.label not in REQUEST_LOGS
    ]


def snapshot():
    """Row count and largest id per table, in one query."""
    from django.db import connection

    models = _models()
    quote = connection.ops.quote_name
    parts = []
    for model in models:
        table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
        parts.append(f"(SELECT COUNT(*) FROM {table}), (SELECT MAX({pk}) FROM {table})")  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))  # noqa: S608 - table names from the models
        row = cursor.fetchone()
    return {model: (row[2 * i], row[2 * i + 1]) for i, model in enumerate(models)}


def changed_tables(before, after):
    return sorted(m._meta.label for m in before if before[m] != after[m])


def assert_new_rows_are_valid(before):
    """Every row added is whole: it passes its model's own validation."""
    for model, (_count, last) in before.items():
        if model._meta.app_label == "auditlog":
            continue
        rows = model._base_manager.all()
        if last is not None:
            rows = rows.filter(pk__gt=last)
        for row in rows[:20]:
            row.full_clean(validate_unique=False, validate_constraints=False)


def as_post(data):
    post = QueryDict(mutable=True)
    for key, value in data.items():
        post.setlist(key, value if isinstance(value, list) else [value])
    return post


def assert_escaped(content):
    text = content.decode("utf-8", "replace")
    for marker in UNESCAPED:
        assert marker not in text, f"unescaped markup: {marker}"


def post_and_check(client, url, data):
    before = snapshot()
    with transaction.atomic():
        response = client.post(url, data)
        status = response.status_code
        assert status in REFUSED | ACCEPTED, status
        after = snapshot()
        if status in REFUSED:
            assert changed_tables(before, after) == [], "a refused post changed rows"
            if has_markup(data):
                assert_escaped(response.content)
        else:
            assert_new_rows_are_valid(before)
            if has_markup(data):
                page = client.get(response["Location"])
                assert page.status_code in (200, 302, 404)
                assert_escaped(page.content)
        transaction.set_rollback(True)
    return status


def run_case(world, name, case, *, url=None, count=HTTP_EXAMPLES):
    client = login(Client(), world.users[case.role])
    kwargs = (case.kwargs or _kwargs(name))(world)
    url = url or reverse(name, kwargs=kwargs)
    fields = case.fields(world)
    strategy = hostile_data(fields)
    if case.valid is not None:
        strategy = st.one_of(strategy, plausible_data(case.valid(world), fields))
    statuses = []

    @settings(max_examples=examples(count))
    @given(data=strategy)
    def run(data):
        statuses.append(post_and_check(client, url, data))

    run()
    return statuses


@pytest.mark.parametrize("name", sorted(POST_VIEWS))
def test_hostile_posts(name, world):
    statuses = run_case(world, name, POST_VIEWS[name])
    assert statuses


@pytest.mark.parametrize("step", STEP_NAMES)
def test_hostile_match_steps(step, world):
    url = reverse("match_step", kwargs={"pk": world.match_a.pk, "step": step})
    case = Case("central", step_fields(step))
    statuses = run_case(world, "match_step", case, url=url, count=max(HTTP_EXAMPLES // 2, 5))
    assert statuses


@pytest.mark.parametrize("name", sorted(n for n, c in POST_VIEWS.items() if c.valid))
def test_the_valid_post_is_accepted(name, world):
    """The baseline the hostile posts start from is itself accepted: the fuzz reaches the
    save, not only the first check."""
    case = POST_VIEWS[name]
    client = login(Client(), world.users[case.role])
    url = reverse(name, kwargs=(case.kwargs or _kwargs(name))(world))
    before = snapshot()
    response = client.post(url, case.valid(world))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert changed_tables(before, snapshot()) != []
    assert_new_rows_are_valid(before)


def test_a_post_over_the_request_size_limit_is_refused_and_saves_nothing(world):
    """Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB of form fields): a bigger post is
    answered 400 before any form sees it."""
    from django.conf import settings

    client = login(Client(), world.users["leader"])
    data = family_valid(world)
    data["family-sensitive_notes"] = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    before = snapshot()
    response = client.post(reverse("family_create"), data)
    assert response.status_code == 400
    assert "Intet er gemt" in response.content.decode()
    assert changed_tables(before, snapshot()) == []
