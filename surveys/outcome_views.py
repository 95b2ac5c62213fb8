"""The outcome report page (issue 7 item 1): per programme, each measure before and after
the course with N, the distributions, the change and a chart (surveys.outcome_report).

Counts only, no names, so the evaluator sees it too. A leader counts the answers of the
matches in their branches (access.matches_for); the central corps, administrators and
the evaluator count all. Queries: the filter's branches and the report's three, the same
at any number of answers.
"""

from django.shortcuts import render

from familien import access
from familien.access import role_required
from familien.models import Programme, Role
from surveys.models import Response
from surveys.outcome_forms import OutcomeFilterForm
from surveys.outcome_report import MIN_RESPONDENTS, outcome_reports
from surveys.scoping import rate_branches_for

# Counts only: as the response rates (surveys.scoping.RATE_VIEWERS).
OUTCOME_VIEWERS = (Role.LEADER, Role.CENTRAL, Role.ADMIN, Role.EVALUATOR)


def responses_for(user):
    """The responses counted for ``user``: a leader their branches' matches', the
    evaluator, the central corps and administrators all, anyone else none."""
    if user.role in (Role.EVALUATOR, *access.NATIONAL_ROLES):
        return Response.objects.all()
    if user.role == Role.LEADER:
        return Response.objects.filter(invitation__match__in=access.matches_for(user))
    return Response.objects.none()


@role_required(*OUTCOME_VIEWERS)
def survey_outcomes(request):
    """The outcome report for the chosen programme (default: all three), period and
    branch."""
    user = request.user
    filters = OutcomeFilterForm(
        request.GET or None, branches=rate_branches_for(user).only("name").order_by("name")
    )
    reports = outcome_reports(filters.programmes(), responses=filters.apply(responses_for(user)))
    labels = dict(Programme.choices)
    sections = [
        {"programme": programme, "title": labels[programme], "results": results}
        for programme, results in reports.items()
    ]
    return render(
        request,
        "surveys/outcomes.html",
        {"filters": filters, "sections": sections, "min_respondents": MIN_RESPONDENTS},
    )
