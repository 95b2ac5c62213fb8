"""The outcome report's filter (issue 7 item 1): the programme, the period the answers
were sent in (submitted_at, local days) and a branch. A GET form: a bad value is shown
beside its field and left out, never a 500."""

from django import forms
from django.utils.translation import gettext_lazy as _

from familien.models import Programme
from familien.widgets import DatePicker
from surveys.measures import REPORTED_PROGRAMMES


class OutcomeFilterForm(forms.Form):
    programme = forms.ChoiceField(
        label=_("Programme"),
        choices=[("", _("All"))]
        + [(value, label) for value, label in Programme.choices if value in REPORTED_PROGRAMMES],
        required=False,
    )
    date_from = forms.DateField(
        label=_("Answered from"),
        required=False,
        widget=DatePicker(attrs={"class": "form-control"}),
    )
    date_to = forms.DateField(
        label=_("Answered until"),
        required=False,
        widget=DatePicker(attrs={"class": "form-control"}),
    )
    branch = forms.ModelChoiceField(
        label=_("Branch"), queryset=None, required=False, empty_label=_("All")
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

    def programmes(self):
        """The programmes to report: the one chosen, else all the report analyses."""
        chosen = self.valid_filters.get("programme")
        return [chosen] if chosen else list(REPORTED_PROGRAMMES)

    def apply(self, responses):
        """``responses`` narrowed to the period (the local day each was sent) and the
        branch of the match's family."""
        data = self.valid_filters
        if data.get("date_from"):
            responses = responses.filter(submitted_at__date__gte=data["date_from"])
        if data.get("date_to"):
            responses = responses.filter(submitted_at__date__lte=data["date_to"])
        if data.get("branch"):
            responses = responses.filter(invitation__match__family__branch=data["branch"])
        return responses
