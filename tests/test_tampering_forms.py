"""Id tampering through forms (S4, ASVS 8.2.2): every staff form's choice of records is
scoped to the user, and pages an outsider may use refuse branch A's ids in their forms
and filters with a form error or 404, showing nothing of A and saving nothing.

A new form class with a ModelChoiceField fails test_every_choice_field_is_known until it
gets a row in BUILDERS (or a reason in GLOBAL_CHOICES).
"""

import importlib
import inspect
from datetime import timedelta
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from familien import access
from familien.models import Course, Family, Partner, PartnerContact, Volunteer
from matching.models import Match, SupportRequest
from surveys.models import ReportJob
from surveys.scoping import rate_branches_for
from tests.conftest import login
from tests.factories import SupportRequestFactory, VolunteerFactory
from tests.test_tampering import fingerprint

APPS = ("familien", "matching", "followup", "surveys")
GLOBAL_CHOICES = {
    # A shared vocabulary, not records of any branch.
    ("familien.volunteer_forms.VolunteerForm", "tags"),
    # Where a volunteer is willing to help: matching reaches across branches within the
    # volunteer's travel range, so any branch may be named (its name is not personal data).
    ("familien.volunteer_forms.VolunteerForm", "served_branches"),
}
# Bases that only their subclasses (listed in BUILDERS) instantiate.
ABSTRACT_FORMS = {"surveys.filter_forms.PeriodFilterForm"}


def form_classes():
    for app in APPS:
        for path in sorted(Path(settings.BASE_DIR, app).glob("*forms.py")):
            module = importlib.import_module(f"{app}.{path.stem}")
            for name, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                    yield f"{module.__name__}.{name}", cls


def choice_fields(cls):
    return [
        name for name, field in cls.base_fields.items() if isinstance(field, forms.ModelChoiceField)
    ]


@pytest.fixture
def branch_a_records(world):
    """Records of branch A of every kind a choice field offers."""
    partner = Partner.objects.create(name="Skolen i Odense", kind="school", branch=world.branch_a)
    PartnerContact.objects.create(partner=partner, name="Lærer Lis")
    Course.objects.create(
        name="Kursus Odense", kind="basic", on="2026-12-01", branch=world.branch_a
    )
    return world


def a_rows(model, world):
    """Branch A's rows of ``model`` (at least one, or the check below proves nothing)."""
    by_model = {
        "Branch": {"pk": world.branch_a.pk},
        "PartnerContact": {"partner__branch": world.branch_a},
    }
    lookup = by_model.get(model.__name__, {"branch": world.branch_a})
    rows = model._default_manager.filter(**lookup)
    assert rows.exists(), model
    return rows


def builders(world, user):
    """Each form as its view builds it for ``user`` (the scoping the view passes in)."""
    volunteer_b = Volunteer.objects.filter(branch=world.branch_b).first()
    request_b = SupportRequestFactory(family=world.family_b)
    from familien import family_forms, volunteer_forms
    from followup import task_forms
    from matching import request_forms
    from surveys import outcome_forms, rate_forms, report_forms

    national = rate_branches_for(user)
    return {
        "familien.family_forms.FamilyFilterForm": lambda: family_forms.FamilyFilterForm(user=user),
        "familien.family_forms.FamilyForm": lambda: family_forms.FamilyForm(user=user),
        "familien.family_forms.PartnerForm": lambda: family_forms.PartnerForm(user=user),
        "familien.volunteer_forms.BookCourseForm": lambda: volunteer_forms.BookCourseForm(
            user=user
        ),
        "familien.volunteer_forms.CourseForm": lambda: volunteer_forms.CourseForm(user=user),
        "familien.volunteer_forms.FrameworkAgreementForm": (
            lambda: volunteer_forms.FrameworkAgreementForm(user=user, volunteer=volunteer_b)
        ),
        "familien.volunteer_forms.VolunteerFilterForm": (
            lambda: volunteer_forms.VolunteerFilterForm(user=user)
        ),
        "familien.volunteer_forms.VolunteerForm": lambda: volunteer_forms.VolunteerForm(user=user),
        "matching.request_forms.VolunteerTalkForm": (
            lambda: request_forms.VolunteerTalkForm(user=user, request=request_b)
        ),
        "matching.request_forms.WaitingListFilterForm": (
            lambda: request_forms.WaitingListFilterForm(user=user)
        ),
        "followup.task_forms.FiguresFilterForm": (
            lambda: task_forms.FiguresFilterForm(branches=access.branches_for(user))
        ),
        # The figures below are counts, never records: a leader filters by their own
        # branches, the evaluator and national roles by any (surveys.scoping).
        "surveys.outcome_forms.OutcomeFilterForm": (
            lambda: outcome_forms.OutcomeFilterForm(branches=national)
        ),
        "surveys.rate_forms.RateFilterForm": lambda: rate_forms.RateFilterForm(branches=national),
        "surveys.report_forms.ReportRequestForm": (
            lambda: report_forms.ReportRequestForm(user=user, branches=national)
        ),
    }


def test_every_choice_field_is_known(world):
    known = builders(world, world.users["leader_other"])
    missing = [
        name
        for name, cls in form_classes()
        if any((name, field) not in GLOBAL_CHOICES for field in choice_fields(cls))
        and name not in known
        and name not in ABSTRACT_FORMS
    ]
    assert missing == []


def test_no_choice_field_offers_another_branchs_records(branch_a_records):
    world = branch_a_records
    leaks = []
    for name, build in builders(world, world.users["leader_other"]).items():
        form = build()
        for field_name, field in form.fields.items():
            if not isinstance(field, forms.ModelChoiceField):
                continue
            if (name, field_name) in GLOBAL_CHOICES:
                continue
            offered = field.queryset.filter(pk__in=a_rows(field.queryset.model, world))
            if offered.exists():
                leaks.append(f"{name}.{field_name}")
    assert leaks == []


# --- the pages themselves, with A's ids in their forms -------------------------------


def as_(world, role):
    return login(Client(), world.users[role])


def test_a_family_form_with_branch_a_is_refused(world):
    client = as_(world, "leader_other")
    before = Family.objects.count()
    response = client.post(
        reverse("family_create"), {"name": "Familien Indtrænger", "branch": world.branch_a.pk}
    )
    assert response.status_code == 200
    assert "branch" in response.context["form"].errors
    assert Family.objects.count() == before


def test_a_volunteer_form_with_branch_a_is_refused(world):
    client = as_(world, "leader_other")
    before = Volunteer.objects.count()
    response = client.post(
        reverse("volunteer_create"),
        {
            "first_name": "Ib",
            "last_name": "Indtrænger",
            "branch": world.branch_a.pk,
            "served_branches": [world.branch_a.pk],
        },
    )
    assert response.status_code == 200
    assert "branch" in response.context["form"].errors
    assert Volunteer.objects.count() == before


@pytest.mark.parametrize(
    "url_name",
    [
        "family_list",
        "volunteer_list",
        "waiting_list",
        "followup_task_queue",
        "followup_figures",
        "survey_rates",
        "survey_rates_csv",
        "survey_outcomes",
        "survey_call_queue",
        "survey_letters",
    ],
)
def test_a_list_filtered_by_branch_a_shows_nothing_of_a(world, url_name):
    SupportRequestFactory(family=world.family_a)
    client = as_(world, "leader_other")
    response = client.get(reverse(url_name), {"branch": world.branch_a.pk})
    assert response.status_code in (200, 400)
    page = response.content.decode()
    assert world.family_a.name not in page
    assert world.volunteer_a.last_name not in page
    assert world.branch_a.name not in page


def test_the_same_filter_shows_a_to_as_own_leader(world):
    """The control for the test above: the check would see A's records if they leaked."""
    client = as_(world, "leader")
    page = client.get(reverse("family_list"), {"branch": world.branch_a.pk}).content.decode()
    assert world.family_a.name in page


def test_a_report_for_branch_a_is_refused_to_another_leader(world):
    client = as_(world, "leader_other")
    before = fingerprint()
    response = client.post(
        reverse("reports"), {"kind": ReportJob.Kind.REPORT_PDF, "branch": world.branch_a.pk}
    )
    assert response.status_code in (200, 400)
    assert not ReportJob.objects.exists()
    assert fingerprint() == before


def test_a_talk_with_a_volunteer_of_branch_a_is_refused(world):
    request_b = SupportRequestFactory(family=world.family_b)
    client = as_(world, "leader_other")
    before = fingerprint()
    response = client.post(
        reverse("request_volunteer_talk", kwargs={"pk": request_b.pk}),
        {"talk-volunteer": world.volunteer_a.pk, "talk-held_on": "2026-11-01"},
    )
    assert response.status_code in (200, 400)
    assert world.volunteer_a.last_name not in response.content.decode()
    assert fingerprint() == before


def test_proposing_a_volunteer_of_branch_a_for_a_request_of_b_is_404(world):
    request_b = SupportRequestFactory(family=world.family_b)
    client = as_(world, "leader_other")
    before = Match.objects.count()
    url = reverse(
        "match_propose", kwargs={"pk": request_b.pk, "volunteer_pk": world.volunteer_a.pk}
    )
    # Proposing is POST only.
    assert client.get(url).status_code in (404, 405)
    assert client.post(url).status_code == 404
    assert Match.objects.count() == before
    assert SupportRequest.objects.get(pk=request_b.pk).status == request_b.status


def test_a_framework_agreement_with_family_a_is_refused(world):
    volunteer_b = VolunteerFactory(branch=world.branch_b)
    client = as_(world, "leader_other")
    before = fingerprint()
    response = client.post(
        reverse("framework_agreement_add", kwargs={"pk": volunteer_b.pk}),
        {
            "family": world.family_a.pk,
            "scope": "Alene med børnene",
            "valid_from": "2026-11-01",
            "valid_to": "2027-11-01",
        },
    )
    assert response.status_code in (200, 302, 400)
    assert fingerprint() == before


def test_booking_a_course_of_branch_a_is_refused(branch_a_records):
    world = branch_a_records
    volunteer_b = VolunteerFactory(branch=world.branch_b)
    course_a = Course.objects.get(branch=world.branch_a)
    client = as_(world, "leader_other")
    before = fingerprint()
    response = client.post(
        reverse("volunteer_course_book", kwargs={"pk": volunteer_b.pk}), {"course": course_a.pk}
    )
    assert response.status_code in (200, 302, 400)
    assert fingerprint() == before


def test_a_check_in_with_match_a_in_its_form_lands_on_the_volunteers_own_match(world):
    """The check-in's match comes from its address only: a volunteer who adds match A's
    id (and family A's) to the form of their own match logs on their own match."""
    from followup.models import CheckIn
    from tests.factories import MatchFactory

    own = MatchFactory(
        family=world.family_b,
        volunteer=Volunteer.objects.get(user=world.users["volunteer_other"]),
    )
    client = as_(world, "volunteer_other")
    response = client.post(
        reverse("checkin_create", kwargs={"pk": own.pk}),
        {
            "met_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
            "duration": "60",
            "place": "home",
            "activities": ["outing"],
            "note": "Tur i skoven",
            "match": world.match_a.pk,
            "match_id": world.match_a.pk,
            "family": world.family_a.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert not CheckIn.objects.filter(match=world.match_a).exists()
    assert CheckIn.objects.filter(match=own).count() == 1
