"""The request for a report or an export (issue 7 item 4): what to build, the period, a
branch and a programme. The kinds offered follow the role: the evaluator may only ask for
the pseudonymised exports (issue 7 item 5), everyone else who may use the page only for
the PDF report. Branches are those the user may see (surveys.scoping), so a leader
cannot ask for another branch's figures."""

from django import forms
from django.utils.translation import gettext_lazy as _

from familien.models import Role
from surveys.filter_forms import PeriodFilterForm, period_field, programme_field
from surveys.models import ReportJob

EXPORT_KINDS = (ReportJob.Kind.EXPORT_CSV, ReportJob.Kind.EXPORT_XLSX)
REPORT_KINDS = (ReportJob.Kind.REPORT_PDF,)


def kinds_for(user):
    """The kinds ``user`` may request: exports for the evaluator, the report otherwise."""
    return EXPORT_KINDS if user.role == Role.EVALUATOR else REPORT_KINDS


class ReportRequestForm(PeriodFilterForm):
    kind = forms.ChoiceField(label=_("What"), choices=())
    date_from = period_field(_("Period from"))
    date_to = period_field(_("Period until"))
    programme = programme_field()
    select_fields = ("kind", "branch", "programme")
    field_order = ["kind", "date_from", "date_to", "branch", "programme"]

    def __init__(self, *args, user, branches, **kwargs):
        super().__init__(*args, branches=branches, **kwargs)
        kinds = kinds_for(user)
        self.fields["kind"].choices = [(kind.value, kind.label) for kind in kinds]
        self.fields["kind"].initial = kinds[0].value
        if user.role == Role.EVALUATOR:
            # The export names regions, never branches (surveys.exports.ExportFilters).
            del self.fields["branch"]

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
