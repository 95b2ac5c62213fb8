"""The outcome report page (issue 7 item 1): per programme, each measure before and after
the course with N, the distributions, the change and a chart (surveys.outcome_report).

Counts only, no names, so the evaluator sees it too. A leader counts the answers of the
matches in their branches (access.matches_for); the central corps, administrators and
the evaluator count all. Queries: the scope's branches (a leader), the filter's branches,
the questions and, when not cached (surveys.figure_cache), the two counts: the same at
any number of answers.
"""

from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from familien.access import role_required
from familien.models import Programme, Role
from surveys.figure_cache import cached_figures
from surveys.outcome_forms import OutcomeFilterForm
from surveys.outcome_report import MIN_RESPONDENTS, outcome_figures, outcome_reports
from surveys.scoping import outcome_responses_for, rate_branches_for

# Counts only: as the response rates (surveys.scoping.RATE_VIEWERS).
OUTCOME_VIEWERS = (Role.LEADER, Role.CENTRAL, Role.ADMIN, Role.EVALUATOR)


def _figures_for(request, *, recompute=False):
    """(the filter form, its programmes, Figures of the counted answers for the user's
    scope and filters)."""
    user = request.user
    filters = OutcomeFilterForm(
        request.GET or None, branches=rate_branches_for(user).only("name").order_by("name")
    )
    programmes = filters.programmes()
    figures = cached_figures(
        "outcomes",
        user,
        filters.valid_filters,
        lambda: outcome_figures(programmes, responses=filters.apply(outcome_responses_for(user))),
        recompute=recompute,
    )
    return filters, programmes, figures


@require_http_methods(["GET", "POST"])
@role_required(*OUTCOME_VIEWERS)
def survey_outcomes(request):
    """The outcome report for the chosen programme (default: all three), period and
    branch; a POST recomputes the figures for the filters in the query string."""
    if request.method == "POST":
        _figures_for(request, recompute=True)
        return redirect(request.get_full_path())
    filters, programmes, figures = _figures_for(request)
    reports = outcome_reports(programmes, figures=figures.value)
    labels = dict(Programme.choices)
    sections = [
        {"programme": programme, "title": labels[programme], "results": results}
        for programme, results in reports.items()
    ]
    return render(
        request,
        "surveys/outcomes.html",
        {
            "filters": filters,
            "sections": sections,
            "min_respondents": MIN_RESPONDENTS,
            "computed_at": figures.computed_at,
        },
    )
