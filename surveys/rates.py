"""Response rates as the report's Tabel 2.1 (parents) and Tabel 2.2 (volunteers) print
them (issue 6 item 8; DOMAIN.md §15): per form and programme, how many were sent, how
many answered (full and partial answers both count), of which partial, and the percent.

Definitions (DOMAIN.md §15, "Udsendt", "Besvaret", "Opnåelse i procent"):

* **Sent**: an invitation that actually went out, i.e. with at least one contact attempt
  that was sent, left as a letter to post, or made by a person (ContactAttempt status
  SENT, TO_POST or DONE); an answered invitation always counts as sent. An invitation
  cancelled (withdrawn consent, closed match) before anything went out is not counted,
  as the report counts fewer pre surveys sent than courses started (§13).
* **Answered**: the invitation has a Response with ``submitted_at``; **partial** when that
  response is not complete.
* **Percent**: answered / sent in whole percent, rounded half up; none when nothing was
  sent. (The report prints 87 for 83/96, which is 86 by this rule; DOMAIN.md §30 #4.)
* The follow-up survey is the long courses' *efterskema* (DOMAIN.md §13, §30 #18): it is
  counted with the post survey, and shown again on its own below it.

Everything is counted in one SQL query with conditional counts grouped by form and
programme; the tables are put together here in Python from those few numbers.
"""

import csv
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from familien.models import Programme
from surveys.models import ContactAttempt, SurveyKind

# An attempt in one of these went out to the respondent (a letter counts once printed
# for posting: the report counts questionnaires sent, whatever the channel).
WENT_OUT = (
    ContactAttempt.Status.SENT,
    ContactAttempt.Status.TO_POST,
    ContactAttempt.Status.DONE,
)
# The programmes the report tabulates, in its order. The workplace-mentor forms were never
# reported (DOMAIN.md §25): their row appears only when there is something to count.
REPORTED_PROGRAMMES = (Programme.FAMILY_FRIEND, Programme.JOB_MENTOR, Programme.EDUCATION_MENTOR)
PARENT_GROUPS = {
    Programme.FAMILY_FRIEND: _("Parents with a family friend"),
    Programme.JOB_MENTOR: _("Parents with a job mentor"),
    Programme.EDUCATION_MENTOR: _("Parents with an education mentor"),
    Programme.WORKPLACE_MENTOR: _("Parents with a workplace mentor"),
}
VOLUNTEER_GROUPS = {
    Programme.FAMILY_FRIEND: _("Family friends"),
    Programme.JOB_MENTOR: _("Job mentors"),
    Programme.EDUCATION_MENTOR: _("Education mentors"),
    Programme.WORKPLACE_MENTOR: _("Workplace mentors"),
}


def percent(answered, sent):
    """``answered`` of ``sent`` in whole percent, rounded half up; None when none sent."""
    if not sent:
        return None
    return (200 * answered + sent) // (2 * sent)


@dataclass
class RateRow:
    label: str
    sent: int = 0
    answered: int = 0
    partial: int = 0
    is_total: bool = False

    @property
    def percent(self):
        return percent(self.answered, self.sent)

    def add(self, other):
        self.sent += other.sent
        self.answered += other.answered
        self.partial += other.partial


@dataclass
class RateSection:
    """One block of a table: a form's rows per programme and their total."""

    key: str
    title: str
    rows: list
    total: RateRow


@dataclass
class RateTable:
    key: str
    title: str
    note: str
    sections: list


def rate_counts(invitations):
    """{(kind, programme): RateRow} for ``invitations`` (already scoped and filtered), in
    one query: conditional counts grouped by form and the match's programme."""
    went_out = ContactAttempt.objects.filter(invitation=OuterRef("pk"), status__in=WENT_OUT)
    answered = Q(response__submitted_at__isnull=False)
    rows = (
        invitations.order_by()
        .values("kind", "match__programme")
        .annotate(
            # The answered test first: it spares the attempts lookup for every answered
            # invitation (the database evaluates an OR from the left).
            sent=Count("pk", filter=answered | Q(Exists(went_out))),
            answered=Count("pk", filter=answered),
            partial=Count("pk", filter=answered & Q(response__complete=False)),
        )
    )
    return {
        (row["kind"], row["match__programme"]): RateRow(
            label="", sent=row["sent"], answered=row["answered"], partial=row["partial"]
        )
        for row in rows
    }


def _programmes(counts, kinds):
    """The reported programmes, and the workplace mentor's when it has any invitation."""
    extra = [
        programme
        for programme in Programme.values
        if programme not in REPORTED_PROGRAMMES
        and any(counts.get((kind, programme)) for kind in kinds)
    ]
    return [*REPORTED_PROGRAMMES, *extra]


def _section(counts, *, key, title, total_label, kinds, groups):
    rows = []
    total = RateRow(label=total_label, is_total=True)
    for programme in _programmes(counts, kinds):
        row = RateRow(label=groups[programme])
        for kind in kinds:
            if (kind, programme) in counts:
                row.add(counts[(kind, programme)])
        rows.append(row)
        total.add(row)
    return RateSection(key=key, title=title, rows=rows, total=total)


def rate_tables(invitations=None, *, counts=None):
    """The two tables of DOMAIN.md §15 for ``invitations``: the parents' (pre; post with
    the follow-up survey; the follow-up survey on its own) and the volunteers'. ``counts``
    (rate_counts' result, e.g. from surveys.figure_cache) saves counting again."""
    if counts is None:
        counts = rate_counts(invitations)
    parents = RateTable(
        key="parents",
        title=_("Parents"),
        note=_("As the report's Tabel 2.1."),
        sections=[
            _section(
                counts,
                key="pre",
                title=_("Pre survey"),
                total_label=_("Total participants, pre"),
                kinds=(SurveyKind.PRE,),
                groups=PARENT_GROUPS,
            ),
            _section(
                counts,
                key="post",
                title=_("Post survey, including the follow-up survey"),
                total_label=_("Total participants, post"),
                kinds=(SurveyKind.POST, SurveyKind.FOLLOW_UP),
                groups=PARENT_GROUPS,
            ),
            _section(
                counts,
                key="follow_up",
                title=_("Of these, the follow-up survey"),
                total_label=_("Total participants, follow-up"),
                kinds=(SurveyKind.FOLLOW_UP,),
                groups=PARENT_GROUPS,
            ),
        ],
    )
    volunteers = RateTable(
        key="volunteers",
        title=_("Volunteers"),
        note=_("As the report's Tabel 2.2."),
        sections=[
            _section(
                counts,
                key="volunteer",
                title=_("Volunteer survey"),
                total_label=_("Total"),
                kinds=(SurveyKind.VOLUNTEER,),
                groups=VOLUNTEER_GROUPS,
            )
        ],
    )
    return [parents, volunteers]


# Danish Excel reads ";" as the column separator.
CSV_SEPARATOR = ";"


def csv_headers():
    """The CSV's column names, in the active language."""
    return [
        str(_("Table")),
        str(_("Form")),
        str(_("Group")),
        str(_("Sent")),
        str(_("Answered")),
        str(_("Of which partial")),
        str(_("Percent answered")),
    ]


def write_csv(stream, tables, *, lineterminator="\r\n"):
    """The response-rate tables as CSV on ``stream`` (the page's download and the
    response_rates command share it)."""
    writer = csv.writer(stream, delimiter=CSV_SEPARATOR, lineterminator=lineterminator)
    writer.writerow(csv_headers())
    writer.writerows(csv_rows(tables))


def csv_rows(tables):
    """The tables as flat rows for the CSV: table, form, group, then the four figures."""
    for table in tables:
        for section in table.sections:
            for row in [*section.rows, section.total]:
                yield [
                    str(table.title),
                    str(section.title),
                    str(row.label),
                    row.sent,
                    row.answered,
                    row.partial,
                    "" if row.percent is None else row.percent,
                ]
