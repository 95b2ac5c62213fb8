"""The response-rate page's filter (issue 6 item 8): the period the invitations were made
in, a branch and a programme. A GET form; a bad value is shown and left out, never a 500."""

from django.utils.translation import gettext_lazy as _

from surveys.filter_forms import PeriodFilterForm, period_field, programme_field


class RateFilterForm(PeriodFilterForm):
    date_from = period_field(_("Invited from"))
    date_to = period_field(_("Invited until"))
    programme = programme_field()

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
