"""Every form of Familien, driven with hostile input (hypothesis): very long strings,
control characters and NUL, RTL marks, emoji, æøå, markup, SQL-ish text, formula cells,
numbers where text is expected and text where numbers, dates, ids and choices are,
missing fields, unknown fields and repeated fields (a list where one value is expected).

Form level: ``is_valid()`` never raises, and every message on an invalid form is in
Danish: the same form validated in English gives other words for each message.

A new form class in the project's modules without a case here fails
``test_every_form_has_a_fuzz_case``. The Django admin's forms are left out: they are
Django's own, for administrators only, behind the second factor.
"""

import functools
import importlib
import inspect
import pkgutil
from datetime import date

import pytest
from django import forms
from django.http import QueryDict
from django.utils import timezone, translation
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.hostile import FORM_EXAMPLES, examples, hostile_data, hostile_value

pytestmark = pytest.mark.django_db

PACKAGES = ("familien", "matching", "followup", "surveys")
# Modules whose forms are not ours to fuzz: the admin (see the docstring) and code that
# runs outside requests.
SKIPPED_MODULES = ("admin", "admin_site", "migrations", "management", "benchmark", "demo")
# Bases only: instantiated through their subclasses, each of which has a case.
BASES = {"surveys.filter_forms.PeriodFilterForm"}


@functools.cache
def project_forms():
    """Every Form or ModelForm class defined in the project's modules, by dotted name."""
    found = {}
    for package_name in PACKAGES:
        package = importlib.import_module(package_name)
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{package_name}."):
            if any(part in SKIPPED_MODULES for part in info.name.split(".")[1:]):
                continue
            module = importlib.import_module(info.name)
            for _name, cls in inspect.getmembers(module, inspect.isclass):
                if (
                    issubclass(cls, forms.BaseForm)
                    and cls.__module__ == module.__name__
                    and not cls.__name__.startswith("_")
                ):
                    found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return found


# --- how to build each form -------------------------------------------------------------


def _questionnaire_items():
    from tests.test_respond import make_questionnaire

    questionnaire = make_questionnaire()
    return list(questionnaire.questions.order_by("position"))


def _support_request_kwargs(world):
    family = world.family_a
    return {
        "family": family,
        "parents": list(family.parents.all()),
        "children": list(family.children.all()),
    }


def _volunteer_talk_kwargs(world):
    from matching.models import SupportRequest

    request, _created = SupportRequest.objects.get_or_create(
        family=world.family_a, programme="job_mentor"
    )
    return {"user": world.users["central"], "request": request}


def _branches(world):
    from familien.access import branches_for

    return branches_for(world.users["leader"])


# Dotted name -> callable(world) giving the constructor's keyword arguments (besides data).
CASES = {
    # familien
    "familien.family_forms.FamilyForm": lambda w: {"user": w.users["leader"]},
    "familien.family_forms.ConsentOnCreateForm": lambda w: {},
    "familien.family_forms.ConsentForm": lambda w: {},
    "familien.family_forms.DuplicateConfirmForm": lambda w: {},
    "familien.family_forms.ParentForm": lambda w: {},
    "familien.family_forms.ChildForm": lambda w: {},
    "familien.family_forms.FamilyFilterForm": lambda w: {"user": w.users["central"]},
    "familien.family_forms.PartnerFilterForm": lambda w: {},
    "familien.family_forms.PartnerForm": lambda w: {"user": w.users["leader"]},
    "familien.family_forms.PartnerContactForm": lambda w: {},
    "familien.volunteer_forms.VolunteerForm": lambda w: {"user": w.users["leader"]},
    "familien.volunteer_forms.VolunteerFilterForm": lambda w: {"user": w.users["leader"]},
    "familien.volunteer_forms.PipelineForm": lambda w: {},
    "familien.volunteer_forms.ContactForm": lambda w: {},
    "familien.volunteer_forms.CourseForm": lambda w: {"user": w.users["leader"]},
    "familien.volunteer_forms.BookCourseForm": lambda w: {"user": w.users["leader"]},
    "familien.volunteer_forms.AttendanceForm": lambda w: {},
    "familien.volunteer_forms.CertificateOrderForm": lambda w: {},
    "familien.volunteer_forms.CertificateAssessmentForm": lambda w: {},
    "familien.volunteer_forms.FrameworkAgreementForm": lambda w: {
        "user": w.users["leader"],
        "volunteer": w.volunteer_a,
    },
    "familien.forms.TokenForm": lambda w: {},
    "familien.forms.ReauthenticateForm": lambda w: {"user": w.users["leader"]},
    "familien.forms.EmailAuthenticationForm": lambda w: {"request": None},
    "familien.notification_views.ConfirmNameForm": lambda w: {"expected": str(w.family_a)},
    "familien.import_views.ImportForm": lambda w: {"user": w.users["leader"]},
    "familien.access_log_views.PersonForm": lambda w: {},
    # matching
    "matching.match_forms.NoteForm": lambda w: {},
    "matching.match_forms.MeetingForm": lambda w: {},
    "matching.match_forms.AnswerForm": lambda w: {},
    "matching.match_forms.AgreementForm": lambda w: {},
    "matching.match_forms.SignForm": lambda w: {},
    "matching.match_forms.ActivateForm": lambda w: {},
    "matching.match_forms.ExtendForm": lambda w: {},
    "matching.match_forms.ReasonForm": lambda w: {},
    "matching.match_forms.CloseForm": lambda w: {},
    "matching.request_forms.SupportRequestForm": _support_request_kwargs,
    "matching.request_forms.WaitingListFilterForm": lambda w: {"user": w.users["leader"]},
    "matching.request_forms.WithdrawRequestForm": lambda w: {},
    "matching.request_forms.IntroMeetingForm": lambda w: {},
    "matching.request_forms.VolunteerTalkForm": _volunteer_talk_kwargs,
    # followup
    "followup.task_forms.TaskFilterForm": lambda w: {},
    "followup.task_forms.CompleteTaskForm": lambda w: {},
    "followup.task_forms.EndReviewForm": lambda w: {
        "match": w.match_a,
        "today": timezone.localdate(),
    },
    "followup.task_forms.FiguresFilterForm": lambda w: {"branches": _branches(w)},
    "followup.checkin_forms.CheckInForm": lambda w: {"today": date(2026, 3, 1)},
    # surveys
    "surveys.call_forms.CallAttemptForm": lambda w: {},
    "surveys.outcome_forms.OutcomeFilterForm": lambda w: {"branches": _branches(w)},
    "surveys.rate_forms.RateFilterForm": lambda w: {"branches": _branches(w)},
    "surveys.report_forms.ReportRequestForm": lambda w: {
        "user": w.users["leader"],
        "branches": _branches(w),
    },
    "surveys.respond_forms.AnswerForm": lambda w: {
        "questions": _questionnaire_items(),
        "language": "da",
    },
}


# Forms that accept anything: a single optional tick box.
ALWAYS_VALID = {"familien.family_forms.DuplicateConfirmForm"}


def test_every_form_has_a_fuzz_case():
    """A form added later without a case here fails: every form is fuzzed."""
    found = set(project_forms()) - BASES
    assert found - set(CASES) == set(), "forms without a fuzz case"
    assert set(CASES) - found == set(), "cases for forms that no longer exist"


def as_post(data):
    """The data as a request's POST: every value a list of strings."""
    post = QueryDict(mutable=True)
    for key, value in data.items():
        post.setlist(key, value if isinstance(value, list) else [value])
    return post


def _language_of_errors(form_class, kwargs, data, files, language):
    with translation.override(language):
        form = form_class(data=as_post(data), files=files, **kwargs)
        valid = form.is_valid()
        errors = {field: [str(m) for m in messages] for field, messages in form.errors.items()}
    return form, valid, errors


def check_form(form_class, kwargs, data):
    """is_valid() never raises; every message of an invalid form is in Danish."""
    files = {} if "file" not in getattr(form_class, "base_fields", {}) else None
    _form, valid, danish = _language_of_errors(form_class, kwargs, data, files, "da")
    _form, _valid, english = _language_of_errors(form_class, kwargs, data, files, "en")
    # Dates are read in the language's formats too (31.12.2025 in Danish), so validity
    # may differ between the languages; a message must differ wherever both have one.
    for field, messages in danish.items():
        assert messages and all(message.strip() for message in messages), field
        for message in messages:
            assert message not in english.get(field, []), f"{field}: “{message[:80]}” in English"
    return valid


@pytest.fixture
def built(world):
    """built(name): the form class and its constructor arguments (read only)."""
    classes = project_forms()
    return lambda name: (classes[name], CASES[name](world))


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_input_never_breaks_a_form(name, built):
    form_class, kwargs = built(name)
    fields = list(form_class(**kwargs).fields)
    # A few names the form does not expect, so missing and extra fields are both drawn.
    seen = {"valid": 0, "invalid": 0}

    @settings(max_examples=examples(FORM_EXAMPLES))
    @given(data=hostile_data(fields))
    def run(data):
        seen["valid" if check_form(form_class, kwargs, data) else "invalid"] += 1

    run()
    if name not in ALWAYS_VALID:
        assert seen["invalid"] > 0  # hostile input is refused somewhere, or nothing is tested


@pytest.mark.parametrize(
    "name",
    [
        "familien.volunteer_forms.VolunteerForm",
        "familien.family_forms.ParentForm",
        "familien.family_forms.PartnerForm",
    ],
)
def test_hostile_text_in_one_field_of_a_valid_form(name, built):
    """A valid form with one field made hostile: each field's own check is reached."""
    form_class, kwargs = built(name)
    valid = VALID[name](kwargs)
    fields = list(form_class(**kwargs).fields)
    assert check_form(form_class, kwargs, valid)

    @settings(max_examples=examples(FORM_EXAMPLES))
    @given(field=st.sampled_from(fields), value=st.data())
    def run(field, value):
        check_form(form_class, kwargs, {**valid, field: value.draw(hostile_value)})

    run()


VALID = {
    "familien.volunteer_forms.VolunteerForm": lambda kwargs: {
        "first_name": "Søren",
        "last_name": "Ærø",
        "phone": "12 34 56 78",
        "email": "soeren@example.dk",
        "postcode": "5000",
        "birth_year": "1980",
        "branch": str(kwargs["user"].branches.first().pk),
        "travel_km": "10",
        "max_matches": "1",
        "gender": "female",
        "programmes": ["family_friend"],
    },
    "familien.family_forms.ParentForm": lambda kwargs: {
        "first_name": "Mette",
        "last_name": "Østergård",
        "phone": "+45 21 22 23 24",
        "preferred_channel": "sms",
        "gender": "unstated",
        "birth_year": "1985",
    },
    "familien.family_forms.PartnerForm": lambda kwargs: {
        "name": "Jobcenter",
        "kind": "jobcenter",
        "branch": str(kwargs["user"].branches.first().pk),
    },
}


@pytest.mark.parametrize("field", ["tags", "served_branches"])
def test_an_id_too_large_for_the_database_is_an_unknown_choice(field, built):
    """Found by the fuzz: SQLite raised OverflowError (a 500) for such an id in a
    multiple choice; now it is refused like any unknown id, in Danish."""
    form_class, kwargs = built("familien.volunteer_forms.VolunteerForm")
    with translation.override("da"):
        form = form_class(data=as_post({field: ["1", "99999999999999999999999"]}), **kwargs)
        assert not form.is_valid()
        assert "gyldig" in form.errors[field][0]


def test_a_forged_form_count_builds_few_forms(world):
    """Found by the fuzz: a posted TOTAL_FORMS of 1000 built and drew 1000 parent forms
    (seconds per request); now the count is capped and the post refused."""
    from familien.family_forms import MAX_PARENTS, ParentFormSetFactory
    from familien.models import Family

    data = {"parents-TOTAL_FORMS": "1000", "parents-INITIAL_FORMS": "0"}
    formset = ParentFormSetFactory(as_post(data), instance=Family(), prefix="parents")
    assert len(formset.forms) <= MAX_PARENTS + 2
    assert not formset.is_valid()
