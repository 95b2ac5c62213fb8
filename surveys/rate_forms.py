"""The response-rate page's filter (issue 6 item 8): the period the invitations were made
in, a branch and a programme. A GET form; a bad value is shown and left out, never a 500."""

from django import forms
from django.utils.translation import gettext_lazy as _

from familien.models import Programme
from familien.widgets import DatePicker


class RateFilterForm(forms.Form):
    date_from = forms.DateField(
        label=_("Invited from"), required=False, widget=DatePicker(attrs={"class": "form-control"})
    )
    date_to = forms.DateField(
        label=_("Invited until"), required=False, widget=DatePicker(attrs={"class": "form-control"})
    )
    branch = forms.ModelChoiceField(
        label=_("Branch"), queryset=None, required=False, empty_label=_("All")
    )
    programme = forms.ChoiceField(
        label=_("Programme"), choices=[("", _("All"))] + Programme.choices, required=False
    )

    def __init__(self, *args, branches, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches
        for name in ("branch", "programme"):
            self.fields[name].widget.attrs["class"] = "form-select"

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end of the period is before its start."))
        return data

    @property
    def valid_filters(self):
        """The valid filters only: an invalid field drops out, the others still apply."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}

    def apply(self, invitations):
        """``invitations`` narrowed to the period (the day each was made, local time),
        the branch of the match's family and the match's programme."""
        data = self.valid_filters
        if data.get("date_from"):
            invitations = invitations.filter(created_at__date__gte=data["date_from"])
        if data.get("date_to"):
            invitations = invitations.filter(created_at__date__lte=data["date_to"])
        if data.get("branch"):
            invitations = invitations.filter(match__family__branch=data["branch"])
        if data.get("programme"):
            invitations = invitations.filter(match__programme=data["programme"])
        return invitations
