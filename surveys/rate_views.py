"""The response rates (issue 6 item 8; DOMAIN.md §15) as a page and as a CSV file.

Counts only, no names: the evaluator sees them too. surveys.scoping decides whose
invitations count (a leader their branches'), surveys.rate_forms filters,
surveys.rates counts in one query.

The CSV uses ";" between fields and starts with a UTF-8 byte-order mark: Danish Excel
reads a comma as the decimal sign and expects ";" as the list separator, and without the
mark it shows æ, ø and å garbled. The headers and labels are Danish whatever the user's
language, as the report's tables.

The counts run over every invitation in the user's scope (seconds at national scale), so
they come from surveys.figure_cache: the page says when they were computed, and a POST
to the page recomputes them for its filters.
"""

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_http_methods

from familien.access import role_required
from surveys.figure_cache import cached_figures
from surveys.rate_forms import RateFilterForm
from surveys.rates import rate_counts, rate_tables, write_csv
from surveys.scoping import RATE_VIEWERS, rate_branches_for, rate_invitations_for


def _figures_for(request, *, recompute=False):
    """(the filter form, Figures of rate_counts for the user's scope and filters)."""
    user = request.user
    filters = RateFilterForm(
        request.GET or None, branches=rate_branches_for(user).only("name").order_by("name")
    )
    figures = cached_figures(
        "rates",
        user,
        filters.valid_filters,
        lambda: rate_counts(filters.apply(rate_invitations_for(user))),
        recompute=recompute,
    )
    return filters, figures


@require_http_methods(["GET", "POST"])
@role_required(*RATE_VIEWERS)
def survey_rates(request):
    """Tabel 2.1 and 2.2 for the chosen period, branch and programme; a POST recomputes
    the figures for the filters in the query string and shows the page again. Queries:
    the scope's branches (a leader), the filter's branches and, when not cached, the one
    count: the same at any number of invitations."""
    if request.method == "POST":
        _figures_for(request, recompute=True)
        return redirect(request.get_full_path())
    filters, figures = _figures_for(request)
    query = request.GET.urlencode()
    csv_url = reverse("survey_rates_csv") + (f"?{query}" if query else "")
    return render(
        request,
        "surveys/rates.html",
        {
            "filters": filters,
            "tables": rate_tables(counts=figures.value),
            "computed_at": figures.computed_at,
            "csv_url": csv_url,
        },
    )


@role_required(*RATE_VIEWERS)
def survey_rates_csv(request):
    """The same rows as the page, as a CSV download for Danish Excel."""
    with translation.override("da"):
        _filters, figures = _figures_for(request)
        tables = rate_tables(counts=figures.value)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="svarprocenter.csv"'
        response["Cache-Control"] = "no-store"
        response.write("\ufeff")
        write_csv(response, tables)
    return response
