"""The outcome report's filter (issue 7 item 1): the programme, the period the answers
were sent in (submitted_at, local days) and a branch. A GET form: a bad value is shown
beside its field and left out, never a 500."""

from django.utils.translation import gettext_lazy as _

from surveys.filter_forms import PeriodFilterForm, period_field, programme_field
from surveys.measures import REPORTED_PROGRAMMES


class OutcomeFilterForm(PeriodFilterForm):
    programme = programme_field(REPORTED_PROGRAMMES)
    date_from = period_field(_("Answered from"))
    date_to = period_field(_("Answered until"))
    field_order = ["programme", "date_from", "date_to", "branch"]

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
