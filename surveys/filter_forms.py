"""The filter the survey pages share: a period, a branch from the user's scope and a
programme (response rates, outcomes, report requests). A bad value is shown beside its
field and left out, never a 500."""

from django import forms
from django.utils.translation import gettext_lazy as _

from familien.models import Programme
from familien.widgets import DatePicker


def period_field(label):
    return forms.DateField(
        label=label, required=False, widget=DatePicker(attrs={"class": "form-control"})
    )


def programme_field(programmes=None):
    choices = [(v, label) for v, label in Programme.choices if not programmes or v in programmes]
    return forms.ChoiceField(
        label=_("Programme"), choices=[("", _("All")), *choices], required=False
    )


class PeriodFilterForm(forms.Form):
    """Subclasses declare ``date_from`` and ``date_to`` with their own labels (invited,
    answered, period) and ``programme``; ``branches`` is the user's scope."""

    branch = forms.ModelChoiceField(
        label=_("Branch"), queryset=None, required=False, empty_label=_("All")
    )
    select_fields = ("branch", "programme")
    field_order = ["date_from", "date_to", "branch", "programme"]

    def __init__(self, *args, branches, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches
        for name in self.select_fields:
            self.fields[name].widget.attrs["class"] = "form-select"
            # The same markup as Django's select, written in one template (issue 8).
            self.fields[name].widget.template_name = "surveys/widgets/select.html"

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
