"""Forms for families, their parents and children, consents and partners.

Forms validate and normalise (phones to +45…, e-mails to lower case, postcodes, plausible
birth years) and show Danish messages beside the field; the views save through
familien.services.families.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from familien import access
from familien.access import partners_for
from familien.models import (
    ArrivalChannel,
    Branch,
    Child,
    Consent,
    ConsentState,
    Family,
    Language,
    Parent,
    Partner,
    PartnerContact,
    Role,
    SupportReason,
    SurveyChannel,
)
from familien.phone import normalise_phone
from familien.widgets import DatePicker

# The oldest parent we expect; a parent is at least 14 (issue 3, "plausible birth years").
OLDEST_PARENT_BIRTH_YEAR = 1930
YOUNGEST_PARENT_AGE = 14
# A child in the programme is at most 25 (the report's mentors also help young adults).
OLDEST_CHILD_AGE = 25


def clean_postcode(value):
    value = (value or "").strip()
    if value and not re.fullmatch(r"[0-9]{4}", value):
        raise ValidationError(_("A Danish postcode has four digits, e.g. 5000."))
    return value


def clean_phone(value):
    return normalise_phone(value)


# --- family ----------------------------------------------------------------------------


class FamilyForm(forms.ModelForm):
    reasons = forms.MultipleChoiceField(
        label=_("Reasons for wanting support"),
        choices=SupportReason.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Several may be ticked."),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=Language.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Family
        fields = [
            "name",
            "branch",
            "address",
            "postcode",
            "city",
            "status",
            "reasons",
            "arrival_channel",
            "referral_partner",
            "referral_contact",
            "referred_on",
            "languages",
            "needs_interpreter",
            "sensitive_notes",
        ]
        widgets = {
            "referred_on": DatePicker(),
            "sensitive_notes": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "sensitive_notes": _(
                "Shown only to activity leaders, the central corps and administrators."
            ),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["branch"].queryset = access.branches_for(user)
        self.fields["branch"].empty_label = None
        partners = partners_for(user).select_related("branch")
        self.fields["referral_partner"].queryset = partners
        self.fields["referral_contact"].queryset = PartnerContact.objects.filter(
            partner__in=partners
        ).select_related("partner")
        self.fields["referral_contact"].label_from_instance = lambda c: f"{c.name} ({c.partner})"
        if not self.instance.pk:
            del self.fields["status"]
        self.fields["name"].error_messages["required"] = _("Write the family's name.")

    def clean_postcode(self):
        return clean_postcode(self.cleaned_data.get("postcode"))

    def clean_referred_on(self):
        value = self.cleaned_data.get("referred_on")
        if value and value > timezone.localdate():
            raise ValidationError(_("The referral date cannot be in the future."))
        return value

    def clean(self):
        data = super().clean()
        branch = data.get("branch")
        partner = data.get("referral_partner")
        contact = data.get("referral_contact")
        channel = data.get("arrival_channel")
        if partner and branch and partner.branch_id not in (None, branch.pk):
            self.add_error(
                "referral_partner",
                _("Choose a partner of the family's branch or a national partner."),
            )
        if contact and contact.partner_id != getattr(partner, "pk", None):
            self.add_error(
                "referral_contact", _("The contact person must work at the referring partner.")
            )
        if channel == ArrivalChannel.PARTNER and not partner:
            self.add_error("referral_partner", _("Choose the partner that referred the family."))
        if partner and not channel:
            data["arrival_channel"] = ArrivalChannel.PARTNER
        return data


class ConsentOnCreateForm(forms.Form):
    """The two questions asked when a family is registered (issue 3 item 2)."""

    YES_NO = [(ConsentState.GIVEN, _("Yes")), (ConsentState.REFUSED, _("No"))]

    data_consent = forms.ChoiceField(
        label=_("Does the family consent to Røde Kors processing its data?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": _("Answer whether the family consents.")},
    )
    evaluation_consent = forms.ChoiceField(
        label=_("Does the family consent to taking part in the evaluation surveys?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": _("Answer whether the family consents.")},
    )


class ConsentForm(forms.Form):
    """Record a new answer (or a withdrawal) to one consent question."""

    kind = forms.ChoiceField(label=_("Consent to"), choices=Consent.Kind.choices)
    state = forms.ChoiceField(
        label=_("Answer"),
        choices=[
            (ConsentState.GIVEN, ConsentState.GIVEN.label),
            (ConsentState.REFUSED, ConsentState.REFUSED.label),
            (ConsentState.WITHDRAWN, ConsentState.WITHDRAWN.label),
        ],
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class DuplicateConfirmForm(forms.Form):
    save_anyway = forms.BooleanField(
        label=_("Save anyway: I have checked that this is not the same person."),
        required=False,
    )


# --- parents and children --------------------------------------------------------------


class ParentForm(forms.ModelForm):
    class Meta:
        model = Parent
        fields = [
            "first_name",
            "last_name",
            "phone",
            "email",
            "preferred_channel",
            "postal_address",
            "postal_postcode",
            "postal_city",
            "gender",
            "birth_year",
            "age_band",
            "education",
            "employment",
            "single_provider",
        ]
        widgets = {
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].error_messages["required"] = _("Write the first name.")
        self.fields["last_name"].error_messages["required"] = _("Write the last name.")
        self.fields["email"].error_messages["invalid"] = _(
            "Write a valid e-mail address, e.g. navn@example.dk."
        )
        self.fields["birth_year"].error_messages["invalid"] = _("Write the year as four digits.")

    def clean_phone(self):
        return clean_phone(self.cleaned_data.get("phone"))

    def clean_email(self):
        return (self.cleaned_data.get("email") or "").strip().lower()

    def clean_postal_postcode(self):
        return clean_postcode(self.cleaned_data.get("postal_postcode"))

    def clean_birth_year(self):
        year = self.cleaned_data.get("birth_year")
        latest = timezone.localdate().year - YOUNGEST_PARENT_AGE
        if year is not None and not OLDEST_PARENT_BIRTH_YEAR <= year <= latest:
            raise ValidationError(
                _("Write a birth year between %(first)s and %(last)s."),
                params={"first": OLDEST_PARENT_BIRTH_YEAR, "last": latest},
            )
        return year

    def clean(self):
        data = super().clean()
        channel = data.get("preferred_channel")
        needs_phone = channel in (SurveyChannel.SMS, SurveyChannel.BOTH)
        needs_email = channel in (SurveyChannel.MAIL, SurveyChannel.BOTH)
        if needs_phone and not data.get("phone") and "phone" not in self.errors:
            self.add_error("phone", _("Invitations by sms need a phone number."))
        if needs_email and not data.get("email") and "email" not in self.errors:
            self.add_error("email", _("Invitations by e-mail need an e-mail address."))
        postcode_missing = data.get("postal_address") and not data.get("postal_postcode")
        if postcode_missing and "postal_postcode" not in self.errors:
            self.add_error("postal_postcode", _("Write the postcode of the postal address."))
        return data


class ChildForm(forms.ModelForm):
    class Meta:
        model = Child
        fields = ["first_name", "birth_year", "school_class", "support_concerns"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].error_messages["required"] = _("Write the child's first name.")
        self.fields["birth_year"].error_messages["required"] = _("Write the child's birth year.")
        self.fields["birth_year"].error_messages["invalid"] = _("Write the year as four digits.")

    def clean_birth_year(self):
        year = self.cleaned_data.get("birth_year")
        this_year = timezone.localdate().year
        if year is not None and not this_year - OLDEST_CHILD_AGE <= year <= this_year:
            raise ValidationError(
                _("Write a birth year between %(first)s and %(last)s."),
                params={"first": this_year - OLDEST_CHILD_AGE, "last": this_year},
            )
        return year


class _MembersFormSet(BaseInlineFormSet):
    def saved_and_removed(self):
        """The members to save (new and changed, unsaved) and those to delete."""
        keep, removed = [], []
        for form in self.forms:
            if not form.has_changed() and not form.instance.pk:
                continue
            if self.can_delete and self._should_delete_form(form):
                if form.instance.pk:
                    removed.append(form.instance)
                continue
            keep.append(form.save(commit=False))
        return keep, removed


class ParentFormSet(_MembersFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = [
            f
            for f in self.forms
            if (f.instance.pk or f.has_changed()) and not self._should_delete_form(f)
        ]
        if not kept:
            raise ValidationError(_("Register at least one parent."))


# A posted form count is believed only up to these: without them a forged count builds
# and draws up to 2,000 empty forms (Django's absolute maximum) for one request.
MAX_PARENTS = 6
MAX_CHILDREN = 15
ParentFormSetFactory = inlineformset_factory(
    Family,
    Parent,
    form=ParentForm,
    formset=ParentFormSet,
    extra=2,
    can_delete=True,
    max_num=MAX_PARENTS,
    validate_max=True,
    absolute_max=MAX_PARENTS + 2,
)
ChildFormSetFactory = inlineformset_factory(
    Family,
    Child,
    form=ChildForm,
    formset=_MembersFormSet,
    extra=2,
    can_delete=True,
    max_num=MAX_CHILDREN,
    validate_max=True,
    absolute_max=MAX_CHILDREN + 2,
)


# --- lists -----------------------------------------------------------------------------


def _style_filters(form):
    """Bootstrap classes on the filter widgets: the list templates render them bare."""
    for field in form.fields.values():
        css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        field.widget.attrs["class"] = f"{css} form-control-sm" if css == "form-control" else css


class FamilyFilterForm(forms.Form):
    SORTS = {
        "name": ("name", "pk"),
        "newest": ("-created_at", "-pk"),
        "branch": ("branch__name", "name", "pk"),
    }

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    branch = forms.ModelChoiceField(
        label=_("Branch"), queryset=Branch.objects.none(), required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All"))] + Family.Status.choices, required=False
    )
    consent = forms.ChoiceField(
        label=_("Evaluation consent"),
        choices=[("", _("All"))] + ConsentState.choices,
        required=False,
    )
    arrival = forms.ChoiceField(
        label=_("How the family came"),
        choices=[("", _("All"))] + ArrivalChannel.choices,
        required=False,
    )
    partner = forms.ModelChoiceField(
        label=_("Referred by"), queryset=Partner.objects.none(), required=False
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        choices=[("name", _("Name")), ("newest", _("Newest")), ("branch", _("Branch"))],
        required=False,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        branches = access.branches_for(user)
        self.fields["branch"].queryset = branches
        self.fields["partner"].queryset = partners_for(user)
        if user.role not in (Role.LEADER, Role.CENTRAL, Role.ADMIN):
            del self.fields["branch"]
            del self.fields["partner"]
        _style_filters(self)

    @property
    def searches(self):
        return self.is_valid() and bool(self.cleaned_data.get("q"))

    def apply(self, families):
        """``families`` narrowed and ordered by the valid filters; bad values are ignored."""
        from familien.search import apply_search, search_ordering

        data = self.cleaned_data if self.is_valid() else {}
        if data.get("branch"):
            families = families.filter(branch=data["branch"])
        if data.get("status"):
            families = families.filter(status=data["status"])
        if data.get("consent"):
            families = families.filter(evaluation_consent=data["consent"])
        if data.get("arrival"):
            families = families.filter(arrival_channel=data["arrival"])
        if data.get("partner"):
            families = families.filter(referral_partner=data["partner"])
        ordering = self.SORTS.get(data.get("sort") or "name")
        if data.get("q"):
            families = apply_search(families, data["q"])
            ordering = search_ordering(ordering)
        return families.order_by(*ordering)


class PartnerFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All"))] + Partner.Kind.choices, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style_filters(self)


# --- partners --------------------------------------------------------------------------


class PartnerForm(forms.ModelForm):
    class Meta:
        model = Partner
        fields = ["name", "kind", "branch", "municipality", "phone", "email"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = access.branches_for(user)
        self.fields["name"].error_messages["required"] = _("Write the partner's name.")
        if user.role == Role.LEADER:
            # A national partner is the central corps' to create.
            self.fields["branch"].required = True
            self.fields["branch"].empty_label = None
        else:
            self.fields["branch"].empty_label = _("National (all branches)")
            self.fields["branch"].help_text = _("Leave empty for a national partner.")

    def clean_phone(self):
        return clean_phone(self.cleaned_data.get("phone"))

    def clean_email(self):
        return (self.cleaned_data.get("email") or "").strip().lower()


class PartnerContactForm(forms.ModelForm):
    class Meta:
        model = PartnerContact
        fields = ["name", "title", "phone", "email"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].error_messages["required"] = _("Write the contact person's name.")

    def clean_phone(self):
        return clean_phone(self.cleaned_data.get("phone"))

    def clean_email(self):
        return (self.cleaned_data.get("email") or "").strip().lower()
