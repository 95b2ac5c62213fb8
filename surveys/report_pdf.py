"""The report as a PDF, in Danish (issue 7 items 1–4): a cover with the period and the
filters used, a contents list with page numbers, one section per programme with (a) the
outcome measures against the success criteria (surveys.outcome_report), (b) the
operational figures (surveys.operations) and (c) the programme's response rates
(surveys.rates), then the full Tabel 2.1 and 2.2, the volunteers' recruitment pipeline
and an appendix per branch.

Scope: the figures are those the requester may see (familien.access, surveys.scoping),
computed again when the job runs, so a leader's report holds their branches only. Every
figure is one grouped query (a handful in all, plus the outcome measures per programme);
the template triggers none.

Layout: plain blocks and tables, no flex or grid (WeasyPrint paginates blocks reliably
and fast); page numbers and the contents' page references are CSS counters
(``counter(page)``, ``target-counter``). The style sheet lives here, as in
matching.agreement_pdf, because the page is never served to a browser.
"""

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.utils import translation
from django.utils.dateformat import format as format_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from familien import access
from familien.models import Branch, Programme
from surveys import operations
from surveys.models import Response, SurveyKind
from surveys.operations import Period
from surveys.rate_forms import RateFilterForm
from surveys.rates import REPORTED_PROGRAMMES, RateRow, rate_counts, rate_tables
from surveys.scoping import rate_branches_for, rate_invitations_for

logger = logging.getLogger(__name__)

OUTCOME_PARTIAL = "surveys/_outcome_measure.html"

PRINT_CSS = """
@page {
  size: A4; margin: 1.8cm 1.8cm 2cm 1.8cm;
  @bottom-left { content: "Familien i Fokus"; font-family: "DejaVu Sans", sans-serif;
                 font-size: 8pt; color: #666; }
  @bottom-right { content: "__PAGE__ " counter(page) " __OF__ " counter(pages);
                  font-family: "DejaVu Sans", sans-serif; font-size: 8pt; color: #666; }
}
@page :first { @bottom-left { content: none; } @bottom-right { content: none; } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 9.5pt; line-height: 1.35; }
h1 { font-size: 18pt; margin: 0 0 .3cm 0; }
h2 { font-size: 14pt; margin: 0 0 .3cm 0; }
h3 { font-size: 11pt; margin: .5cm 0 .15cm 0; break-after: avoid; }
p { margin: 0 0 .2cm 0; }
.cover { padding-top: 5cm; }
.cover h1 { font-size: 26pt; }
.cover .lead { font-size: 13pt; color: #444; margin-bottom: 1cm; }
.facts { border-top: 1px solid #999; padding-top: .3cm; }
.section { break-before: page; }
.toc { list-style: none; padding: 0; margin: 0; }
.toc li { margin: 0 0 .15cm 0; }
.toc .toc { margin: .1cm 0 0 .6cm; }
.outcome-measure { break-inside: avoid; }
.toc a { color: #000; text-decoration: none; }
.toc a::after { content: leader(".") target-counter(attr(href), page); }
table { width: 100%; border-collapse: collapse; margin: 0 0 .3cm 0; table-layout: fixed; }
thead th:first-child { width: 36%; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
th, td { border-bottom: .5pt solid #bbb; padding: 2pt 4pt; text-align: left;
         vertical-align: top; }
thead th { border-bottom: 1pt solid #333; }
.num { text-align: right; }
.total td, .total th { font-weight: bold; }
.group th { background: #eee; }
.note { font-size: 8pt; color: #555; }
.empty { color: #555; font-style: italic; }
.stall th, .stall td { font-weight: bold; }
.bar { display: block; }
"""


@dataclass
class ReportFilters:
    """The filters of a ReportJob, resolved: the period, a branch the user may see (or
    none) and a programme value (or "")."""

    period: Period
    branch: Branch | None
    programme: str

    @classmethod
    def from_json(cls, user, data):
        data = data or {}

        def day(value):
            return date.fromisoformat(value) if value else None

        branch = None
        if data.get("branch"):
            # Only a branch the user may still see: a changed role narrows the report.
            branch = rate_branches_for(user).filter(pk=data["branch"]).first()
        programme = data.get("programme") or ""
        if programme not in Programme.values:
            programme = ""
        return cls(
            period=Period(day(data.get("date_from")), day(data.get("date_to"))),
            branch=branch,
            programme=programme,
        )


def sources_for(user, filters: ReportFilters):
    """The scoped querysets the figures count, narrowed to the branch and programme."""
    sources = {
        "matches": access.matches_for(user),
        "requests": access.requests_for(user),
        "tasks": access.follow_up_tasks_for(user),
        "check_ins": access.check_ins_for(user),
        "volunteers": access.volunteers_for(user),
    }
    if filters.branch:
        branch = filters.branch
        sources["matches"] = sources["matches"].filter(family__branch=branch)
        sources["requests"] = sources["requests"].filter(family__branch=branch)
        sources["tasks"] = sources["tasks"].filter(match__family__branch=branch)
        sources["check_ins"] = sources["check_ins"].filter(match__family__branch=branch)
        sources["volunteers"] = sources["volunteers"].filter(branch=branch)
    if filters.programme:
        programme = filters.programme
        sources["matches"] = sources["matches"].filter(programme=programme)
        sources["requests"] = sources["requests"].filter(programme=programme)
        sources["tasks"] = sources["tasks"].filter(match__programme=programme)
        sources["check_ins"] = sources["check_ins"].filter(match__programme=programme)
        # Volunteers hold a list of programmes (JSON), which SQLite cannot search: the
        # pipeline stays for all programmes, as its note says.
    # The response rates' own filter, so the report counts exactly as the rates page.
    rate_filter = RateFilterForm(
        {
            "date_from": filters.period.start.isoformat() if filters.period.start else "",
            "date_to": filters.period.end.isoformat() if filters.period.end else "",
            "branch": filters.branch.pk if filters.branch else "",
            "programme": filters.programme,
        },
        branches=rate_branches_for(user),
    )
    sources["invitations"] = rate_filter.apply(rate_invitations_for(user))
    return sources


def _outcome_reports():
    """surveys.outcome_report.outcome_reports and its partial, when both are there."""
    try:
        from surveys.outcome_report import outcome_reports
    except ImportError:
        return None
    try:
        get_template(OUTCOME_PARTIAL)
    except TemplateDoesNotExist:
        return None
    return outcome_reports


# The per-programme response rows: the forms as the report's Tabel 2.1 and 2.2 group them.
PROGRAMME_RATE_ROWS = (
    (gettext_lazy("Pre survey"), (SurveyKind.PRE,)),
    (
        gettext_lazy("Post survey, including the follow-up survey"),
        (SurveyKind.POST, SurveyKind.FOLLOW_UP),
    ),
    (gettext_lazy("Of these, the follow-up survey"), (SurveyKind.FOLLOW_UP,)),
    (gettext_lazy("Volunteer survey"), (SurveyKind.VOLUNTEER,)),
)


def _programme_rates(counts, programme):
    rows = []
    for label, kinds in PROGRAMME_RATE_ROWS:
        row = RateRow(label=str(label))
        for kind in kinds:
            if (kind, programme) in counts:
                row.add(counts[(kind, programme)])
        rows.append(row)
    return rows


def _has_data(figures, programme, counts):
    return any(programme in figure for figure in figures.values()) or any(
        key[1] == programme for key in counts
    )


def period_label(period: Period):
    def day(value):
        return format_date(value, "j. F Y")

    if period.start and period.end:
        return _("%(start)s to %(end)s") % {"start": day(period.start), "end": day(period.end)}
    if period.start:
        return _("From %(start)s") % {"start": day(period.start)}
    if period.end:
        return _("Until %(end)s") % {"end": day(period.end)}
    return _("The whole period")


def report_context(user, filter_data, *, today: date, progress=None):
    """Everything the template shows. ``progress(percent, step)`` is called as the
    sections are computed (surveys.tasks records it on the job)."""
    progress = progress or (lambda percent, step: None)
    filters = ReportFilters.from_json(user, filter_data)
    sources = sources_for(user, filters)
    period = filters.period

    progress(5, "figures")
    figures = operations.operational_figures(sources, period, today=today)
    counts = rate_counts(sources["invitations"])
    if filters.programme:
        programmes = [Programme(filters.programme)]
    else:
        programmes = [
            programme
            for programme in Programme
            if programme in REPORTED_PROGRAMMES or _has_data(figures, programme, counts)
        ]

    outcome_reports = _outcome_reports()
    outcomes = {}
    if outcome_reports is not None:
        progress(10, "outcomes")
        # All programmes at once (a few grouped queries), from the same invitations the
        # response rates count.
        responses = Response.objects.filter(invitation__in=sources["invitations"])
        outcomes = outcome_reports([p.value for p in programmes], responses=responses)
    sections = []
    for index, programme in enumerate(programmes):
        progress(20 + 50 * index // len(programmes), f"programme:{programme.value}")
        empty = operations.summarise_days(Counter())
        waiting_before = figures["waiting_before_start"].get(programme.value, empty)
        waiting_now = figures["waiting_now"].get(programme.value, empty)
        sections.append(
            {
                "anchor": f"programme-{programme.value}",
                "programme": programme,
                "outcomes": outcomes.get(programme.value),
                "started": _with_shares(figures["started"].get(programme.value)),
                "waiting_before_start": waiting_before,
                "waiting_now": waiting_now,
                "waiting_bands": [
                    {"label": label, "started": started, "now": now}
                    for label, started, now in zip(
                        _waiting_band_labels(),
                        waiting_before["bands"],
                        waiting_now["bands"],
                        strict=True,
                    )
                ],
                "lengths": _with_length_labels(figures["lengths"].get(programme.value)),
                "hours_bands": figures["hours_bands"].get(programme.value),
                "follow_ups": figures["follow_ups"].get(programme.value),
                "check_in_hours": figures["check_in_hours"].get(programme.value),
                "rates": _programme_rates(counts, programme.value),
            }
        )

    progress(72, "rates")
    # The counts read above, not a second pass over every invitation.
    tables = rate_tables(counts=counts)
    progress(75, "pipeline")
    pipeline = operations.pipeline(sources["volunteers"], today=today)
    progress(78, "branches")
    branches = operations.by_branch(
        sources["matches"], sources["requests"], sources["tasks"], period, today=today
    )
    appendix = [
        {"programme": programme, "rows": branches[programme.value]}
        for programme in programmes
        if branches.get(programme.value)
    ]
    return {
        "today": today,
        "period_label": period_label(period),
        "branch": filters.branch,
        "programme": Programme(filters.programme) if filters.programme else None,
        "sections": sections,
        "outcomes_available": outcome_reports is not None,
        "outcome_partial": OUTCOME_PARTIAL,
        "tables": tables,
        "pipeline": pipeline,
        "stalled_after_days": operations.STALLED_AFTER_DAYS,
        "appendix": appendix,
        "hour_band_labels": [_("Up to 4 h"), _("5–8 h"), _("9 h or more")],
    }


def _with_shares(started):
    """Matches started with the local and central shares in whole percent."""
    if not started:
        return None
    return {
        **started,
        "local_percent": operations.percent(started["local"], started["total"]),
        "central_percent": operations.percent(started["central"], started["total"]),
    }


def _with_length_labels(lengths):
    """followup.figures' length row with a label on each band, in its order."""
    if not lengths:
        return None
    labels = [_("Under 5 months"), _("5–8 months"), _("9–12 months"), _("Over 12 months")]
    bands = [{**band, "label": label} for band, label in zip(lengths["bands"], labels, strict=True)]
    return {**lengths, "bands": bands}


def _waiting_band_labels():
    return [
        _("Up to 14 days"),
        _("15–30 days"),
        _("31–60 days"),
        _("61–90 days"),
        _("Over 90 days"),
    ]


def render_report_html(user, filter_data, *, today: date, progress=None):
    with translation.override("da"):
        context = report_context(user, filter_data, today=today, progress=progress)
        return render_to_string("surveys/report_pdf.html", context)


def print_css():
    with translation.override("da"):
        return PRINT_CSS.replace("__PAGE__", _("Page")).replace("__OF__", _("of"))


def render_report_document(user, filter_data, *, today: date, progress=None):
    """The report laid out in pages (a WeasyPrint Document: its ``pages``, ``write_pdf``)."""
    from weasyprint import CSS, HTML

    html = render_report_html(user, filter_data, today=today, progress=progress)
    if progress:
        progress(85, "rendering")
    return HTML(string=html).render(stylesheets=[CSS(string=print_css())])


def render_report_pdf(user, filter_data, *, today: date, progress=None):
    """The report as PDF bytes."""
    return render_report_document(user, filter_data, today=today, progress=progress).write_pdf()
