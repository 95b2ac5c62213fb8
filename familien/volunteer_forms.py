"""Forms for volunteers, their pipeline, contact attempts, courses and børneattest.

Forms validate and normalise; the services in familien/services/volunteers.py save.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from familien import access
from familien.converters import LARGEST_ID
from familien.models import (
    Availability,
    CertificateState,
    ChildCertificate,
    Course,
    CourseAttendance,
    Language,
    Parent,
    PipelineStep,
    Programme,
    RecruitmentContact,
    Role,
    Tag,
    Volunteer,
    VolunteerPreference,
)
from familien.phone import display_phone, normalise_phone
from familien.widgets import DatePicker

OLDEST_BIRTH_YEAR = 1930
YOUNGEST_AGE = 15
MAX_TRAVEL_KM = 300
MAX_MATCHES = 5


def reject_markup(value):
    """Names are plain text: angle brackets are almost always a pasted tag or a script."""
    if value and re.search(r"[<>]", value):
        raise ValidationError(_("Use letters only; < and > are not allowed."))


class IdChoices(forms.ModelMultipleChoiceField):
    """Several records chosen by id. An id too large for the database is refused like an
    unknown one: SQLite raises OverflowError for it instead of finding nothing."""

    def _check_values(self, value):
        for pk in value if isinstance(value, list | tuple) else ():
            try:
                too_large = abs(int(pk)) > LARGEST_ID
            except (TypeError, ValueError):
                continue  # Django's own check refuses it
            if too_large:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": str(pk)[:30]},
                )
        return super()._check_values(value)


class VolunteerForm(forms.ModelForm):
    """A volunteer's profile. Needs ``user`` to limit branches and to show duplicates."""

    programmes = forms.MultipleChoiceField(
        label=_("Programmes"),
        choices=Programme.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=Language.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    availability = forms.MultipleChoiceField(
        label=_("Availability"),
        choices=Availability.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    preferences = forms.MultipleChoiceField(
        label=_("Preferences"),
        choices=VolunteerPreference.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    tags = IdChoices(
        label=_("Competences and interests"),
        queryset=Tag.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    new_tags = forms.CharField(
        label=_("New competences or interests"),
        required=False,
        max_length=300,
        help_text=_("Separate several with commas, e.g. cooking, football, homework help."),
    )
    save_anyway = forms.BooleanField(
        label=_("Save anyway: this is another person"),
        required=False,
    )

    class Meta:
        model = Volunteer
        fields = [
            "first_name",
            "last_name",
            "phone",
            "email",
            "postcode",
            "gender",
            "birth_year",
            "education",
            "employment",
            "occupation",
            "sector",
            "branch",
            "served_branches",
            "travel_km",
            "programmes",
            "online",
            "tags",
            "languages",
            "availability",
            "max_matches",
            "preferences",
            "preferences_note",
            "self_description",
        ]
        field_classes = {"served_branches": IdChoices}
        widgets = {
            "self_description": forms.Textarea(attrs={"rows": 4}),
            "served_branches": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.duplicates = []  # (label, url or None) of records with the same phone/e-mail
        self.fields["branch"].queryset = access.branches_for(user)
        self.fields["branch"].empty_label = None
        self.fields["phone"].help_text = _("Any common writing, e.g. 12 34 56 78 or +45 12345678.")
        self.fields["phone"].widget.attrs["inputmode"] = "tel"
        self.fields["birth_year"].widget.attrs.update(
            {"min": OLDEST_BIRTH_YEAR, "max": self._youngest_year()}
        )
        self.fields["travel_km"].widget.attrs.update({"min": 0, "max": MAX_TRAVEL_KM})
        self.fields["max_matches"].widget.attrs.update({"min": 1, "max": MAX_MATCHES})
        self.fields["postcode"].widget.attrs.update({"inputmode": "numeric", "maxlength": 4})
        if self.instance.pk:
            self.initial.setdefault("programmes", self.instance.programmes)

    @staticmethod
    def _youngest_year():
        return timezone.localdate().year - YOUNGEST_AGE

    def clean_first_name(self):
        value = self.cleaned_data["first_name"].strip()
        reject_markup(value)
        return value

    def clean_last_name(self):
        value = self.cleaned_data["last_name"].strip()
        reject_markup(value)
        return value

    def clean_phone(self):
        return normalise_phone(self.cleaned_data.get("phone", ""))

    def clean_email(self):
        return (self.cleaned_data.get("email") or "").strip().lower()

    def clean_postcode(self):
        value = (self.cleaned_data.get("postcode") or "").strip()
        if value and not re.fullmatch(r"[0-9]{4}", value):
            raise ValidationError(_("A Danish postcode has four digits, e.g. 5000."))
        return value

    def clean_birth_year(self):
        year = self.cleaned_data.get("birth_year")
        if year is not None and not OLDEST_BIRTH_YEAR <= year <= self._youngest_year():
            raise ValidationError(
                _("Enter a birth year between %(oldest)s and %(youngest)s.")
                % {"oldest": OLDEST_BIRTH_YEAR, "youngest": self._youngest_year()}
            )
        return year

    def clean_travel_km(self):
        km = self.cleaned_data.get("travel_km")
        if km is not None and not 0 <= km <= MAX_TRAVEL_KM:
            raise ValidationError(
                _("Enter a distance from 0 to %(max)s km.") % {"max": MAX_TRAVEL_KM}
            )
        return km

    def clean_max_matches(self):
        count = self.cleaned_data.get("max_matches")
        if count is None or not 1 <= count <= MAX_MATCHES:
            raise ValidationError(_("Enter a number from 1 to %(max)s.") % {"max": MAX_MATCHES})
        return count

    def clean_new_tags(self):
        names = []
        for raw in (self.cleaned_data.get("new_tags") or "").split(","):
            name = " ".join(raw.split())
            if not name:
                continue
            reject_markup(name)
            if len(name) > Tag._meta.get_field("name").max_length:
                raise ValidationError(
                    _("“%(name)s” is too long: at most 60 characters.") % {"name": name[:20]}
                )
            if name.lower() not in {n.lower() for n in names}:
                names.append(name)
        return names

    def clean(self):
        cleaned = super().clean()
        phone, email = cleaned.get("phone"), cleaned.get("email")
        if (phone or email) and not self.errors:
            self.duplicates = self._find_duplicates(phone, email)
            if self.duplicates and not cleaned.get("save_anyway"):
                raise ValidationError(
                    _(
                        "A person with this phone number or e-mail is already registered. "
                        "Check the record below; if this is another person, tick “save "
                        "anyway”."
                    ),
                    code="duplicate",
                )
        return cleaned

    def _find_duplicates(self, phone, email):
        """Volunteers and parents with the same phone or e-mail: a link where the user
        may see the record, otherwise only the fact that one exists."""
        from django.urls import reverse

        match = Q()
        if phone:
            match |= Q(phone__in=[phone, display_phone(phone)])
        if email:
            match |= Q(email__iexact=email)
        found = []
        volunteers = Volunteer.objects.filter(match).exclude(pk=self.instance.pk)
        visible = set(
            access.volunteers_for(self.user)
            .filter(pk__in=volunteers.values("pk"))
            .values_list("pk", flat=True)
        )
        for volunteer in volunteers[:5]:
            if volunteer.pk in visible:
                found.append((str(volunteer), reverse("volunteer_detail", args=[volunteer.pk])))
            else:
                found.append((_("A volunteer you cannot see"), None))
        parents = Parent.objects.filter(match).select_related("family")
        visible_families = set(
            access.families_for(self.user)
            .filter(pk__in=parents.values("family"))
            .values_list("pk", flat=True)
        )
        for parent in parents[:5]:
            if parent.family_id in visible_families:
                found.append(
                    (
                        f"{parent} ({parent.family.name})",
                        reverse("family_detail", args=[parent.family_id]),
                    )
                )
            else:
                found.append((_("A parent in a family you cannot see"), None))
        return found


class VolunteerFilterForm(forms.Form):
    """The list's search, filters and sorting (GET)."""

    SORTS = {
        "name": ("first_name", "last_name", "pk"),
        "-name": ("-first_name", "-last_name", "-pk"),
        "branch": ("branch__name", "first_name", "pk"),
        "step": ("pipeline_step", "first_name", "pk"),
        "step_on": ("pipeline_step_on", "pk"),
        "-step_on": ("-pipeline_step_on", "-pk"),
        "-created": ("-created_at", "-pk"),
    }
    SORT_CHOICES = [
        ("name", _("Name A–Z")),
        ("-name", _("Name Z–A")),
        ("branch", _("Branch")),
        ("step", _("Step")),
        ("-step_on", _("Newest step first")),
        ("step_on", _("Oldest step first")),
        ("-created", _("Newest registered first")),
    ]

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    branch = forms.ModelChoiceField(label=_("Branch"), queryset=None, required=False)
    step = forms.ChoiceField(
        label=_("Step"), choices=[("", _("All steps")), *PipelineStep.choices], required=False
    )
    programme = forms.ChoiceField(
        label=_("Programme"),
        choices=[("", _("All programmes")), *Programme.choices],
        required=False,
    )
    certificate = forms.ChoiceField(
        label=_("Child-protection certificate"),
        choices=[("", _("Any state")), *CertificateState.choices],
        required=False,
    )
    unreachable = forms.BooleanField(label=_("Only not reached"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), choices=SORT_CHOICES, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = access.branches_for(user)
        self.fields["branch"].empty_label = _("All my branches")
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs["class"] = "form-check-input"
            elif isinstance(widget, forms.Select):
                widget.attrs["class"] = "form-select"
            else:
                widget.attrs["class"] = "form-control"

    def order_by(self):
        return self.SORTS.get(self.cleaned_data.get("sort") or "name", self.SORTS["name"])


class PipelineForm(forms.Form):
    step = forms.ChoiceField(label=_("New step"), choices=PipelineStep.choices)
    on = forms.DateField(label=_("Date"), widget=DatePicker())
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(self, *args, steps=None, **kwargs):
        super().__init__(*args, **kwargs)
        if steps is not None:
            self.fields["step"].choices = [(s, PipelineStep(s).label) for s in steps]
        self.fields["on"].initial = timezone.localdate()

    def clean_on(self):
        on = self.cleaned_data["on"]
        if on > timezone.localdate():
            raise ValidationError(_("The date cannot be in the future."))
        return on


class ContactForm(forms.ModelForm):
    class Meta:
        model = RecruitmentContact
        fields = ["channel", "outcome", "note"]


class CourseForm(forms.ModelForm):
    """A course; leaders create them for their own branches, the central corps also
    national ones (no branch)."""

    class Meta:
        model = Course
        fields = ["name", "kind", "on", "branch"]
        widgets = {"on": DatePicker()}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = access.branches_for(user)
        if user.role == Role.LEADER:
            self.fields["branch"].required = True
            self.fields["branch"].empty_label = None

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        reject_markup(name)
        return name


def bookable_by(user):
    """The condition on courses a user may book: their branches' and the national ones."""
    return Q(branch__isnull=True) | Q(branch__in=access.branches_for(user))


def courses_for(user):
    """Courses a user may book: their branches' courses and the national ones."""
    return Course.objects.filter(bookable_by(user))


class BookCourseForm(forms.Form):
    course = forms.ModelChoiceField(label=_("Course"), queryset=Course.objects.none())

    def __init__(self, *args, user, courses=None, **kwargs):
        """``courses``: the bookable courses when the caller has read them already (the
        volunteer's page reads them with the volunteer's own bookings), so rendering the
        field costs no query; the queryset still decides what a submitted form accepts."""
        super().__init__(*args, **kwargs)
        field = self.fields["course"]
        field.queryset = courses_for(user)
        if courses is not None:
            field.choices = [
                ("", field.empty_label),
                *((course.pk, field.label_from_instance(course)) for course in courses),
            ]


class AttendanceForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Attendance"),
        choices=[
            (CourseAttendance.Status.ATTENDED, CourseAttendance.Status.ATTENDED.label),
            (CourseAttendance.Status.NO_SHOW, CourseAttendance.Status.NO_SHOW.label),
        ],
    )


class CertificateOrderForm(forms.Form):
    ordered_on = forms.DateField(
        label=_("Ordered on"),
        widget=DatePicker(),
        help_text=_(
            "Order it at politi.dk. Never write the CPR number or the certificate here: "
            "Familien keeps only the dates and the assessment."
        ),
    )

    def clean_ordered_on(self):
        on = self.cleaned_data["ordered_on"]
        if on > timezone.localdate():
            raise ValidationError(_("The date cannot be in the future."))
        return on


class CertificateAssessmentForm(forms.Form):
    assessed_on = forms.DateField(label=_("Assessed on"), widget=DatePicker())
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=ChildCertificate.Outcome.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].help_text = _(
            "Record only the assessment. Delete the certificate itself once assessed; "
            "it and the CPR number are never stored in Familien."
        )

    def clean_assessed_on(self):
        on = self.cleaned_data["assessed_on"]
        if on > timezone.localdate():
            raise ValidationError(_("The date cannot be in the future."))
        return on


class FrameworkAgreementForm(forms.Form):
    family = forms.ModelChoiceField(label=_("Family"), queryset=None)
    scope = forms.CharField(
        label=_("What the agreement allows"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_(
            "The concrete situations in which the volunteer may be alone with the children."
        ),
    )
    valid_from = forms.DateField(label=_("Valid from"), widget=DatePicker())
    valid_to = forms.DateField(label=_("Valid to"), widget=DatePicker())

    def __init__(self, *args, user, volunteer, matched_families=None, **kwargs):
        """``matched_families``: the ids of the families matched with the volunteer when
        the caller has them (the volunteer's page has read the matches), else a subquery.
        An OR over an id list instead of a join with DISTINCT over every match, so the
        choices are read through the family indexes (branch, primary key)."""
        super().__init__(*args, **kwargs)
        if matched_families is None:
            matched_families = volunteer.matches.values("family")
        # Families the user may see, in the volunteer's branch or matched with them.
        self.fields["family"].queryset = (
            access.families_for(user)
            .filter(Q(branch=volunteer.branch_id) | Q(pk__in=matched_families))
            .only("name")
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("valid_from"), cleaned.get("valid_to")
        if start and end and end < start:
            self.add_error("valid_to", _("The agreement must end on or after its first day."))
        return cleaned
