"""The outcome report per programme (issue 7 item 1; DOMAIN.md §27 Boks 2.1/2.2, §28):
each measure of surveys.measures before and after the course, with N, both
distributions, the change and a chart.

Conventions (DOMAIN.md §13, §16; report section 2.2, Bilag 2):

* Only submitted responses of parents count; before = the pre survey, after = the latest
  answered after-form per match (the post survey wins over the follow-up survey;
  surveys.outcomes). Pre and post are compared unpaired, all answers used.
* N is per measure: the respondents who answered that item (not applicable answers left
  out); it varies from figure to figure.
* Percents are whole, rounded half up (surveys.rates.percent); a headline of several
  categories is the percent of their summed counts. The change is the headline's percent
  after minus before, in percentage points; for a score or a scale, the mean (one
  decimal, half up) after minus before.
* A side with fewer than 5 respondents suppresses the measure: no distribution, no mean,
  no chart (MIN_RESPONDENTS).

Queries: all in SQL, grouped, never per respondent: one for the question texts, one for
the answers grouped by item, form side and value (a CHOICE value is a JSON string, a MULTI
value a JSON list, a SCALE value a JSON number; grouping by the JSON column works on
PostgreSQL and SQLite), and one for the score means (Avg on Response fields): three at
most however many programmes, measures and respondents.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import reduce
from operator import or_

from django.db.models import Avg, Case, CharField, Count, Exists, F, OuterRef, Q, Value, When
from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from surveys.measures import MULTI, REPORTED_PROGRAMMES, SCALE, SCORE, measures_for
from surveys.models import Answer, Question, Respondent, SurveyKind
from surveys.outcome_charts import colours, distribution_svg, mean_svg
from surveys.outcomes import counted_responses
from surveys.rates import percent

# Cells under 5 respondents are not shown (issue 7 item 1).
MIN_RESPONDENTS = 5
BEFORE, AFTER = "before", "after"
TENTH = Decimal("0.1")


@dataclass
class Row:
    """One category: its label and colour, and (count, percent) before and after."""

    label: str
    colour: str
    before_count: int | None = None
    before_percent: int | None = None
    after_count: int | None = None
    after_percent: int | None = None
    headline: bool = False


@dataclass
class MeasureResult:
    measure: object
    question: str
    n_before: int | None
    n_after: int
    before: list = field(default_factory=list)  # [(label, count, percent)]
    after: list = field(default_factory=list)
    rows: list = field(default_factory=list)
    headline_label: str = ""
    headline_before: int | None = None
    headline_after: int | None = None
    change: int | None = None  # percentage points of the headline
    mean_before: Decimal | None = None
    mean_after: Decimal | None = None
    mean_change: Decimal | None = None
    suppressed: bool = False
    svg: str = ""

    @property
    def key(self):
        return self.measure.key

    @property
    def title(self):
        return self.measure.title

    @property
    def post_only(self):
        return self.measure.post_only

    @property
    def is_score(self):
        return self.measure.kind == SCORE

    @property
    def has_mean(self):
        return self.measure.kind in (SCORE, SCALE)

    @property
    def codes(self):
        return ", ".join(self.measure.codes)

    @property
    def change_text(self):
        """The change with its sign ("+13", "−0,4"), formatted for the active language."""
        if self.change is not None:
            return _signed(self.change, 0)
        return ""

    @property
    def mean_change_text(self):
        if self.mean_change is not None:
            return _signed(self.mean_change, 1)
        return ""


def _signed(value, decimals):
    text = number_format(abs(value), decimals)
    if value > 0:
        return f"+{text}"
    if value < 0:
        return f"\u2212{text}"
    return text


def _english():
    return (get_language() or "da").startswith("en")


def _question_text(question, measure):
    if question is None:
        return str(measure.title)
    return (question.text_en if _english() and question.text_en else question.text_da) or ""


def _choice_labels(question):
    if question is None:
        return {}
    english = _english()
    return {
        choice["value"]: (choice.get("en") if english and choice.get("en") else choice["da"])
        for choice in question.choices or []
    }


def _group_label(group, measure, labels):
    if measure.kind == SCALE:
        low, high = group.values
        return str(low) if low == high else f"{low}\u2013{high}"
    return " / ".join(labels.get(value, value) for value in group.values)


def _round_mean(value):
    if value is None:
        return None
    return Decimal(str(value)).quantize(TENTH, rounding=ROUND_HALF_UP)


def _questions(programmes):
    """{code: Question} for the measures' items, the newest published version of each
    parent questionnaire winning. One query."""
    codes = {code for programme in programmes for m in measures_for(programme) for code in m.codes}
    questions = (
        Question.objects.filter(
            code__in=codes,
            questionnaire__respondent=Respondent.PARENT,
            questionnaire__programme__in=programmes,
            questionnaire__published_at__isnull=False,
        )
        .only("code", "text_da", "text_en", "choices")
        .order_by("questionnaire__version")
    )
    return {question.code: question for question in questions}


def _side():
    return Case(
        When(response__invitation__kind=SurveyKind.PRE, then=Value(BEFORE)),
        default=Value(AFTER),
        output_field=CharField(),
    )


def _answer_counts(programmes, sides):
    """{(code, side): Counter(value → respondents)} in one grouped query. A MULTI value
    (a list) is counted as a tuple. ``unless`` rules leave out the answers of respondents
    whose answer to another item rules them out (J18 of parents in work)."""
    measures = [m for p in programmes for m in measures_for(p) if m.kind != SCORE]
    if not measures:
        return {}
    answers = Answer.objects.filter(
        question__code__in={m.code for m in measures},
        question__questionnaire__respondent=Respondent.PARENT,
        question__questionnaire__programme__in=programmes,
    ).filter(sides)
    for measure in measures:
        if measure.unless:
            code, values = measure.unless
            ruled_out = Answer.objects.filter(
                response=OuterRef("response"),
                question__code=code,
            ).filter(reduce(or_, (Q(value=value) for value in values)))
            answers = answers.exclude(Q(question__code=measure.code) & Q(Exists(ruled_out)))
    rows = (
        answers.order_by()
        .values("value", code=F("question__code"), side=_side())
        .annotate(respondents=Count("pk"))
    )
    counts = defaultdict(Counter)
    for row in rows:
        value = row["value"]
        if isinstance(value, list):
            value = tuple(value)
        counts[(row["code"], row["side"])][value] += row["respondents"]
    return counts


def _score_means(programmes, counted):
    """{(programme, side): {field: (n, mean)}} for the SCORE measures of the ``counted``
    responses (outcomes.counted_responses), one query."""
    fields = sorted({m.score_field for p in programmes for m in measures_for(p) if m.kind == SCORE})
    if not fields:
        return {}
    aggregates = {}
    for name in fields:
        aggregates[f"n_{name}"] = Count(name)
        aggregates[f"avg_{name}"] = Avg(name)
    rows = (
        counted.filter(invitation__questionnaire__programme__in=programmes)
        .order_by()
        .values(
            programme=F("invitation__questionnaire__programme"),
            side=Case(
                When(invitation__kind=SurveyKind.PRE, then=Value(BEFORE)),
                default=Value(AFTER),
                output_field=CharField(),
            ),
        )
        .annotate(**aggregates)
    )
    return {
        (row["programme"], row["side"]): {
            name: (row[f"n_{name}"], row[f"avg_{name}"]) for name in fields
        }
        for row in rows
    }


def _bucket(measure, value):
    """The index of the group ``value`` falls into, or None (not applicable, unknown)."""
    if measure.kind == SCALE:
        if not isinstance(value, int) or isinstance(value, bool):
            return None
        for index, group in enumerate(measure.groups):
            low, high = group.values
            if low <= value <= high:
                return index
        return None
    chosen = set(value) if measure.kind == MULTI and isinstance(value, tuple) else {value}
    for index, group in enumerate(measure.groups):
        if chosen & set(group.values):
            return index
    return None


def _distribution(measure, counter):
    """(per-group counts, N, mean of a scale or None)."""
    counts = [0] * len(measure.groups)
    total = weighted = 0
    for value, respondents in (counter or {}).items():
        if value in measure.excluded:
            continue
        index = _bucket(measure, value)
        if index is None:
            continue
        counts[index] += respondents
        total += respondents
        if measure.kind == SCALE:
            weighted += value * respondents
    mean = _round_mean(weighted / total) if measure.kind == SCALE and total else None
    return counts, total, mean


def _side_label(side, n, mean=None):
    """The bar's label: short enough for the chart's left margin. A scale's mean is
    printed under the chart (the partial's "Mean … before and … after")."""
    word = _("Before") if side == BEFORE else _("After")
    return f"{word} (N = {n})"


def _choice_result(measure, question, counts):
    labels = _choice_labels(question)
    before_counts, n_before, mean_before = _distribution(
        measure, counts.get((measure.code, BEFORE))
    )
    after_counts, n_after, mean_after = _distribution(measure, counts.get((measure.code, AFTER)))
    result = MeasureResult(
        measure=measure,
        question=_question_text(question, measure),
        n_before=None if measure.post_only else n_before,
        n_after=n_after,
    )
    small = n_after < MIN_RESPONDENTS or (not measure.post_only and n_before < MIN_RESPONDENTS)
    if small:
        result.suppressed = True
        return result
    group_labels = [_group_label(group, measure, labels) for group in measure.groups]
    group_colours = colours([group.neutral for group in measure.groups])
    result.headline_label = " / ".join(group_labels[index] for index in measure.headline)
    result.rows = [
        Row(label=label, colour=colour, headline=index in measure.headline)
        for index, (label, colour) in enumerate(zip(group_labels, group_colours, strict=True))
    ]
    sides = []
    for side, side_counts, n, mean in (
        (BEFORE, before_counts, n_before, mean_before),
        (AFTER, after_counts, n_after, mean_after),
    ):
        if side == BEFORE and measure.post_only:
            continue
        shares = [(count, percent(count, n)) for count in side_counts]
        distribution = []
        for row, (count, share) in zip(result.rows, shares, strict=True):
            setattr(row, f"{side}_count", count)
            setattr(row, f"{side}_percent", share)
            distribution.append((row.label, count, share))
        setattr(result, side, distribution)
        headline = percent(sum(side_counts[index] for index in measure.headline), n)
        setattr(result, f"headline_{side}", headline)
        setattr(result, f"mean_{side}", mean)
        sides.append((_side_label(side, n, mean), shares, n))
    if not measure.post_only:
        result.change = result.headline_after - result.headline_before
        if measure.kind == SCALE:
            result.mean_change = mean_after - mean_before
    result.svg = distribution_svg(
        measure.key,
        f"{measure.title}: {result.question}",
        sides,
        list(zip(group_labels, group_colours, strict=True)),
    )
    return result


def _score_result(measure, question, means):
    before_n, before_mean = means.get((measure.programme, BEFORE), {}).get(
        measure.score_field, (0, None)
    )
    after_n, after_mean = means.get((measure.programme, AFTER), {}).get(
        measure.score_field, (0, None)
    )
    result = MeasureResult(
        measure=measure, question=str(measure.description), n_before=before_n, n_after=after_n
    )
    if before_n < MIN_RESPONDENTS or after_n < MIN_RESPONDENTS:
        result.suppressed = True
        return result
    result.mean_before = _round_mean(before_mean)
    result.mean_after = _round_mean(after_mean)
    result.mean_change = result.mean_after - result.mean_before
    result.svg = mean_svg(
        measure.key,
        str(measure.title),
        [
            (_side_label(BEFORE, before_n), result.mean_before),
            (_side_label(AFTER, after_n), result.mean_after),
        ],
        measure.scale,
    )
    return result


def outcome_figures(programmes=REPORTED_PROGRAMMES, *, responses=None):
    """The counted part of the report, as plain data (surveys.figure_cache keeps it):
    {"counts": the answers per item, side and value, "means": the scores per programme
    and side}. Two grouped queries, whatever the number of respondents."""
    programmes = [p for p in programmes if measures_for(p)]
    if not programmes:
        return {"counts": {}, "means": {}}
    counted = counted_responses(responses)
    return {
        "counts": dict(_answer_counts(programmes, Q(response__in=counted))),
        "means": _score_means(programmes, counted),
    }


def outcome_reports(programmes=REPORTED_PROGRAMMES, *, responses=None, figures=None):
    """{programme: [MeasureResult]} for ``programmes``; ``responses`` is an optional
    Response queryset already narrowed to the user's scope and the period; ``figures``
    (outcome_figures' result for the same programmes) saves counting again. Three
    queries at most, whatever the number of respondents."""
    programmes = [p for p in programmes if measures_for(p)]
    if not programmes:
        return {}
    if figures is None:
        figures = outcome_figures(programmes, responses=responses)
    questions = _questions(programmes)
    counts, means = figures["counts"], figures["means"]
    reports = {}
    for programme in programmes:
        results = []
        for measure in measures_for(programme):
            question = questions.get(measure.code)
            if measure.kind == SCORE:
                results.append(_score_result(measure, question, means))
            else:
                results.append(_choice_result(measure, question, counts))
        reports[programme] = results
    return reports


def outcome_report(programme, *, responses=None):
    """The measures of one programme (see ``outcome_reports``)."""
    return outcome_reports([programme], responses=responses).get(programme, [])
