"""The request for a report or an export (issue 7 item 4): what to build, the period, a
branch and a programme. The kinds offered follow the role: the evaluator may only ask for
the pseudonymised exports (issue 7 item 5), everyone else who may use the page only for
the PDF report. Branches are those the user may see (surveys.scoping), so a leader
cannot ask for another branch's figures."""

from django import forms
from django.utils.translation import gettext_lazy as _

from familien.models import Programme, Role
from familien.widgets import DatePicker
from surveys.models import ReportJob

EXPORT_KINDS = (ReportJob.Kind.EXPORT_CSV, ReportJob.Kind.EXPORT_XLSX)
REPORT_KINDS = (ReportJob.Kind.REPORT_PDF,)


def kinds_for(user):
    """The kinds ``user`` may request: exports for the evaluator, the report otherwise."""
    return EXPORT_KINDS if user.role == Role.EVALUATOR else REPORT_KINDS


class ReportRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("What"), choices=())
    date_from = forms.DateField(
        label=_("Period from"),
        required=False,
        widget=DatePicker(attrs={"class": "form-control"}),
    )
    date_to = forms.DateField(
        label=_("Period until"),
        required=False,
        widget=DatePicker(attrs={"class": "form-control"}),
    )
    branch = forms.ModelChoiceField(
        label=_("Branch"), queryset=None, required=False, empty_label=_("All")
    )
    programme = forms.ChoiceField(
        label=_("Programme"), choices=[("", _("All"))] + Programme.choices, required=False
    )

    def __init__(self, *args, user, branches, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = kinds_for(user)
        self.fields["kind"].choices = [(kind.value, kind.label) for kind in kinds]
        self.fields["kind"].initial = kinds[0].value
        self.fields["branch"].queryset = branches
        for name in ("kind", "branch", "programme"):
            self.fields[name].widget.attrs["class"] = "form-select"
        if user.role == Role.EVALUATOR:
            # The export names regions, never branches (surveys.exports.ExportFilters).
            del self.fields["branch"]

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end of the period is before its start."))
        return data

    def job_filters(self):
        """The cleaned filters as JSON for ReportJob.filters: ISO dates, the branch's id
        (and its name, shown in the list of jobs), a programme value. No person."""
        data = self.cleaned_data
        branch = data.get("branch")
        return {
            "date_from": data["date_from"].isoformat() if data.get("date_from") else None,
            "date_to": data["date_to"].isoformat() if data.get("date_to") else None,
            "branch": branch.pk if branch else None,
            "branch_name": branch.name if branch else "",
            "programme": data.get("programme") or "",
        }
