"""Forms for support requests, the waiting list filters, intro meetings and talks.

Forms validate and normalise; matching.requests saves.
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from familien import access
from familien.models import Availability, Programme
from familien.widgets import DatePicker
from matching.models import MeetingMode, SupportRequest


def _not_in_future(value):
    if value and value > timezone.localdate():
        raise forms.ValidationError(_("The date cannot be in the future."))
    return value


class SupportRequestForm(forms.Form):
    """A family's wish: for whom, which programme, wishes, focus and how to meet."""

    for_whom = forms.ChoiceField(label=_("For whom"))
    programme = forms.ChoiceField(label=_("Programme"), choices=Programme.choices)
    wishes = forms.CharField(
        label=_("Wishes"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the family wishes from a volunteer, in its own words."),
    )
    focus = forms.CharField(label=_("Focus"), required=False, max_length=300)
    mode = forms.ChoiceField(
        label=_("Meetings"), choices=MeetingMode.choices, initial=MeetingMode.IN_PERSON
    )
    availability = forms.MultipleChoiceField(
        label=_("When the family can meet"),
        choices=Availability.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Suggestions rank volunteers who can meet at the same times higher."),
    )

    def __init__(self, *args, family, parents, children, **kwargs):
        super().__init__(*args, **kwargs)
        self.family = family
        self._people = {f"parent:{p.pk}": p for p in parents}
        self._people.update({f"child:{c.pk}": c for c in children})
        choices = [("", "–")]
        if parents:
            choices.append(
                (
                    _("Parents"),
                    [(f"parent:{p.pk}", f"{p.first_name} {p.last_name}") for p in parents],
                )
            )
        if children:
            choices.append(
                (
                    _("Children (family friend only)"),
                    [(f"child:{c.pk}", f"{c.first_name} ({c.birth_year})") for c in children],
                )
            )
        self.fields["for_whom"].choices = choices

    def clean(self):
        data = super().clean()
        key = data.get("for_whom")
        if not key:
            return data
        person = self._people.get(key)
        if person is None:  # a stale page or a tampered value
            self.add_error("for_whom", _("Choose a parent or a child of this family."))
            return data
        data["for_parent"] = person if key.startswith("parent:") else None
        data["for_child"] = person if key.startswith("child:") else None
        programme = data.get("programme")
        if data["for_child"] is not None and programme and programme != Programme.FAMILY_FRIEND:
            self.add_error(
                "for_whom",
                _("Only a family friend can be for a child; a mentor is always for a parent."),
            )
        return data


class WaitingListFilterForm(forms.Form):
    CENTRAL_CHOICES = [("", _("All")), ("yes", _("Yes")), ("no", _("No"))]

    branch = forms.ModelChoiceField(
        label=_("Branch"), queryset=None, required=False, empty_label=_("All")
    )
    programme = forms.ChoiceField(
        label=_("Programme"), choices=[("", _("All"))] + Programme.choices, required=False
    )
    central = forms.ChoiceField(
        label=_("Handled by the central corps"), choices=CENTRAL_CHOICES, required=False
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            ("", _("All")),
            (SupportRequest.Status.WAITING, SupportRequest.Status.WAITING.label),
            (SupportRequest.Status.MATCHING, SupportRequest.Status.MATCHING.label),
        ],
        required=False,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = access.branches_for(user).only("name")
        for field in self.fields.values():  # rendered bare in the filter row
            field.widget.attrs["class"] = "form-select form-select-sm"

    def apply(self, requests):
        """``requests`` narrowed by the valid filters; a bad value is ignored, never a 500."""
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("branch"):
            requests = requests.filter(family__branch=data["branch"])
        if data.get("programme"):
            requests = requests.filter(programme=data["programme"])
        if data.get("central") == "yes":
            requests = requests.filter(handled_centrally=True)
        elif data.get("central") == "no":
            requests = requests.filter(handled_centrally=False)
        if data.get("status"):
            requests = requests.filter(status=data["status"])
        return requests


class WithdrawRequestForm(forms.Form):
    reason = forms.CharField(label=_("Reason for withdrawal"), max_length=300)


class IntroMeetingForm(forms.Form):
    held_on = forms.DateField(label=_("Held on"), widget=DatePicker(), validators=[_not_in_future])
    attendees = forms.CharField(
        label=_("Who attended"),
        max_length=300,
        help_text=_("For example the mother, the father and the activity leader."),
    )
    needs = forms.CharField(
        label=_("Needs"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    wishes = forms.CharField(
        label=_("Wishes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    expectations_aligned = forms.BooleanField(label=_("Expectations aligned"), required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class VolunteerTalkForm(forms.Form):
    volunteer = forms.ModelChoiceField(label=_("Volunteer"), queryset=None)
    held_on = forms.DateField(label=_("Held on"), widget=DatePicker(), validators=[_not_in_future])
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Competences, interests and what the volunteer can offer."),
    )

    def __init__(self, *args, user, request, **kwargs):
        super().__init__(*args, **kwargs)
        volunteers = access.volunteers_for(user).filter(anonymised_at__isnull=True)
        if user.role in access.NATIONAL_ROLES:
            # Nationally that is every volunteer in Denmark: offer the family's branch.
            volunteers = volunteers.filter(branch_id=request.family.branch_id)
        self.fields["volunteer"].queryset = volunteers.only("first_name", "last_name")
