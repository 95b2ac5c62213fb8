"""The response rates (issue 6 item 8; DOMAIN.md §15) as a page and as a CSV file.

Counts only, no names: the evaluator sees them too. surveys.scoping decides whose
invitations count (a leader their branches'), surveys.rate_forms filters,
surveys.rates counts in one query.

The CSV uses ";" between fields and starts with a UTF-8 byte-order mark: Danish Excel
reads a comma as the decimal sign and expects ";" as the list separator, and without the
mark it shows æ, ø and å garbled. The headers and labels are Danish whatever the user's
language, as the report's tables.
"""

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation

from familien.access import role_required
from surveys.rate_forms import RateFilterForm
from surveys.rates import rate_tables, write_csv
from surveys.scoping import RATE_VIEWERS, rate_branches_for, rate_invitations_for


def _tables_for(request):
    user = request.user
    filters = RateFilterForm(
        request.GET or None, branches=rate_branches_for(user).only("name").order_by("name")
    )
    return filters, rate_tables(filters.apply(rate_invitations_for(user)))


@role_required(*RATE_VIEWERS)
def survey_rates(request):
    """Tabel 2.1 and 2.2 for the chosen period, branch and programme. Queries: the
    branches for the filter and the one count: the same at any number of invitations."""
    filters, tables = _tables_for(request)
    query = request.GET.urlencode()
    csv_url = reverse("survey_rates_csv") + (f"?{query}" if query else "")
    return render(
        request,
        "surveys/rates.html",
        {"filters": filters, "tables": tables, "csv_url": csv_url},
    )


@role_required(*RATE_VIEWERS)
def survey_rates_csv(request):
    """The same rows as the page, as a CSV download for Danish Excel."""
    with translation.override("da"):
        _filters, tables = _tables_for(request)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="svarprocenter.csv"'
        response["Cache-Control"] = "no-store"
        response.write("\ufeff")
        write_csv(response, tables)
    return response
