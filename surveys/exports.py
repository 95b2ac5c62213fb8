"""The evaluators' exports: pseudonymised answers, the scored scales and a codebook
(issue 7 item 5; DOMAIN.md §13, §15, §16, §26).

One row per submitted response, parents' and volunteers' alike. What leaves Familien:

* people as stable pseudonyms (surveys.pseudonyms): the respondent (P-/V-), the family
  (F-) and the match (M-), so an evaluator can pair a parent's pre and post answers and
  the volunteer's form about the same match, across exports;
* the match's programme, region, local/central start, start month and, once closed, its
  length in whole weeks; the month the answer was sent, complete or partial;
* the scores (SWEMWBS raw and metric, PSS PS and LPS) as stored at submission;
* one column per question code with the answer's value: a choice's value, several
  choices joined with "|" in the questionnaire's order, a scale's number.

What never leaves: names, addresses, phone numbers, e-mails, birth years, notes, the
branch's name and municipality (a small branch's municipality could point at a family:
the region is given instead), exact dates (months only, and a length in weeks), and free
text. A TEXT question's answers are left out: a story in a person's own words can name
them, their children or their street, and no filter can tell. The codebook lists those
questions as "not exported" so the evaluator knows they exist.

Families who refused or withdrew their evaluation consent and volunteers who opted out
are left out: their answers were given under a consent that no longer stands, and an
export is a new disclosure.

Formats: CSV for Danish Excel (UTF-8 with BOM, ";" between fields, decimal comma, the
codebook a separate file from ``build_codebook``) and XLSX (sheets "data" and
"kodebog"). Every text cell that a spreadsheet would run as a formula (starting with
=, +, -, @, tab or carriage return; OWASP "CSV Injection") gets a leading single quote;
numbers stay numbers.

Queries: the questions (one), the responses as a values() list (one) and their answers
(one), whatever the number of rows.
"""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone, translation

from familien.models import ConsentState, Programme, Region
from matching.models import Match
from surveys.models import (
    Answer,
    AnswerType,
    Instrument,
    Invitation,
    Question,
    Questionnaire,
    Respondent,
    Response,
    SurveyKind,
    SurveyOptOut,
)
from surveys.pseudonyms import FAMILY, MATCH, PARENT, VOLUNTEER, pseudonym, pseudonym_secret
from surveys.scoring import PSS_DROPPED, PSS_LPS_ITEMS, PSS_PS_ITEMS

CSV, XLSX = "csv", "xlsx"
FORMATS = (CSV, XLSX)
DATA_SHEET, CODEBOOK_SHEET = "data", "kodebog"
FILENAME = "familien-evaluering-{day}.{ext}"
CODEBOOK_FILENAME = "familien-evaluering-kodebog-{day}.{ext}"

# OWASP "CSV Injection": the characters a spreadsheet reads as the start of a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MULTI_SEPARATOR = "|"
# A family that said no, or said yes and took it back.
DECLINED = (ConsentState.REFUSED, ConsentState.WITHDRAWN)
FORM_ORDER = {kind: order for order, kind in enumerate(SurveyKind.values)}


def neutralise(value):
    """``value`` safe for a spreadsheet cell: a string a spreadsheet would run as a
    formula gets a leading single quote. Only strings: the number -3 is a number, the
    text "-3" could be the start of "-3+HYPERLINK(...)"."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@dataclass(frozen=True)
class ExportFilters:
    """Which responses an export holds: sent from/to a local day (both included), one
    programme, one kind of respondent (parent or volunteer), one form."""

    submitted_from: date | None = None
    submitted_to: date | None = None
    programme: str = ""
    respondent: str = ""
    form: str = ""

    @classmethod
    def from_data(cls, data):
        """From a mapping of plain values (dates as "YYYY-MM-DD"), as a background job
        keeps them (ReportJob.filters: "date_from"/"date_to" are read as the period,
        "kind" as "respondent"). Raises ValueError on a value that is not one of the
        choices or not a date, and on a branch: the export names regions, never
        branches, and an export of one chosen branch would say which branch every row
        came from."""
        data = dict(data or {})
        if data.get("branch"):
            raise ValueError("The evaluators' export is not filtered by branch.")
        filters = cls(
            submitted_from=_day(data.get("submitted_from") or data.get("date_from")),
            submitted_to=_day(data.get("submitted_to") or data.get("date_to")),
            programme=data.get("programme") or "",
            respondent=data.get("respondent") or data.get("kind") or "",
            form=data.get("form") or "",
        )
        for value, allowed in (
            (filters.programme, Programme.values),
            (filters.respondent, Respondent.values),
            (filters.form, SurveyKind.values),
        ):
            if value and value not in allowed:
                raise ValueError(f"Unknown filter value: {value!r}")
        return filters

    def as_data(self) -> dict:
        """Plain values for a job row (the reverse of ``from_data``)."""
        return {
            "submitted_from": self.submitted_from.isoformat() if self.submitted_from else "",
            "submitted_to": self.submitted_to.isoformat() if self.submitted_to else "",
            "programme": self.programme,
            "respondent": self.respondent,
            "form": self.form,
        }


def _day(value):
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        raise ValueError("A day, not a moment, is expected.")
    if isinstance(value, date):
        return value
    return date.fromisoformat(value)


def _filters(filters):
    if filters is None:
        return ExportFilters()
    if isinstance(filters, ExportFilters):
        return filters
    return ExportFilters.from_data(filters)


def _start_of(day):
    """The first moment of a local day."""
    return timezone.make_aware(datetime.combine(day, time.min))


# --- The columns ---------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A fixed column: its name, what it holds in Danish and English, and the values it
    takes (an enum's choices) when it is coded."""

    name: str
    da: str
    en: str
    choices: type | None = None


FIXED_COLUMNS = (
    Column(
        "respondent",
        "Respondentens pseudonym: P- for en forælder, V- for en frivillig. Samme person har "
        "samme pseudonym i alle udtræk.",
        "The respondent's pseudonym: P- for a parent, V- for a volunteer. The same person "
        "has the same pseudonym in every export.",
    ),
    Column("respondent_kind", "Hvem der svarede.", "Who answered.", Respondent),
    Column(
        "family",
        "Familiens pseudonym (F-).",
        "The family's pseudonym (F-).",
    ),
    Column(
        "match",
        "Forløbets pseudonym (M-): forælderens og den frivilliges skemaer om samme forløb "
        "har samme værdi.",
        "The match's pseudonym (M-): the parent's and the volunteer's forms about the same "
        "match share it.",
    ),
    Column("programme", "Forløbstype.", "Programme.", Programme),
    Column(
        "form",
        "Skemaet: før, opfølgning, efter eller den frivilliges. Kun det seneste af "
        "opfølgnings- og efterskema tæller i analyserne (Bilag 2).",
        "The form: pre, follow-up, post or the volunteer's. Only the latest of the "
        "follow-up and post forms counts in the analyses (Bilag 2).",
        SurveyKind,
    ),
    Column("questionnaire", "Spørgeskemaets kode.", "The questionnaire's code."),
    Column(
        "questionnaire_version",
        "Spørgeskemaets version: svarene hører til netop den version.",
        "The questionnaire's version: the answers belong to exactly that version.",
    ),
    Column(
        "region",
        "Regionen for forløbets lokalafdeling. Afdelingens navn og kommune udelades: en "
        "lille afdeling kunne pege på personer.",
        "The region of the match's branch. The branch's name and municipality are left "
        "out: a small branch could point at people.",
        Region,
    ),
    Column(
        "match_started_by",
        "Om forløbet blev startet lokalt eller centralt.",
        "Whether the match was started locally or centrally.",
        Match.StartedBy,
    ),
    Column(
        "match_start_month",
        "Måneden forløbet startede (ÅÅÅÅ-MM; dagen udelades).",
        "The month the match started (YYYY-MM; the day is left out).",
    ),
    Column(
        "match_length_weeks",
        "Forløbets længde i hele uger (slutdato − startdato), kun for afsluttede forløb.",
        "The match's length in whole weeks (end date − start date), closed matches only.",
    ),
    Column(
        "submitted_month",
        "Måneden svaret blev sendt (ÅÅÅÅ-MM).",
        "The month the answers were sent (YYYY-MM).",
    ),
    Column(
        "complete",
        "1 = alle stillede spørgsmål besvaret, 0 = delvis besvarelse. Begge tæller som "
        "besvaret (Bilag 2).",
        "1 = every question asked was answered, 0 = partly answered. Both count as "
        "answered (Bilag 2).",
    ),
    Column(
        "swemwbs_raw",
        "SWEMWBS råscore 7–35: summen af de syv items (1–5). Tom, hvis ikke alle syv er "
        "besvaret (ingen imputering).",
        "SWEMWBS raw score 7–35: the sum of the seven items (1–5). Empty unless all seven "
        "were answered (no imputation).",
    ),
    Column(
        "swemwbs_metric",
        "SWEMWBS metrisk score 7,00–35,00, omregnet fra råscoren efter Stewart-Brown m.fl. "
        "(2009). Højere = bedre mentalt velbefindende. Decimalkomma i CSV.",
        "SWEMWBS metric score 7.00–35.00, converted from the raw score after "
        "Stewart-Brown et al. (2009). Higher = better mental well-being. Decimal comma in "
        "the CSV.",
    ),
    Column(
        "pss_ps",
        "PSS forældrestress (PS) 0–9: item 3, 4, 9, 10, 12–16 dikotomiseret (1–2 → 0, "
        "3–5 → 1) og lagt sammen. Højere = mere stress. Tom, hvis et item mangler.",
        "PSS parental stress (PS) 0–9: items 3, 4, 9, 10, 12–16 dichotomised (1–2 → 0, "
        "3–5 → 1) and summed. Higher = more stress. Empty if an item is missing.",
    ),
    Column(
        "pss_lps",
        "PSS manglende forældretilfredshed (LPS) 0–7: item 1, 5–8, 17, 18 vendt (6 − svar), "
        "dikotomiseret (1–2 → 0, 3–5 → 1) og lagt sammen. Højere = mere stress. Tom, hvis "
        "et item mangler.",
        "PSS lack of parental satisfaction (LPS) 0–7: items 1, 5–8, 17, 18 reversed "
        "(6 − answer), dichotomised (1–2 → 0, 3–5 → 1) and summed. Higher = more stress. "
        "Empty if an item is missing.",
    ),
)
FIXED_NAMES = tuple(column.name for column in FIXED_COLUMNS)
SCORE_FIELDS = ("swemwbs_raw", "swemwbs_metric", "pss_ps", "pss_lps")


def _questions(filters):
    """The questions of the questionnaires the filters select, in a stable order: the
    parents' questionnaires before the volunteers', then by code, version and position.
    Drafts never used are left out. One query."""
    used = Invitation.objects.filter(questionnaire=OuterRef("pk"))
    questionnaires = Questionnaire.objects.filter(Q(published_at__isnull=False) | Exists(used))
    if filters.programme:
        questionnaires = questionnaires.filter(programme=filters.programme)
    if filters.respondent:
        questionnaires = questionnaires.filter(respondent=filters.respondent)
    return list(
        Question.objects.filter(questionnaire__in=questionnaires)
        .select_related("questionnaire")
        .order_by(
            "questionnaire__respondent", "questionnaire__code", "questionnaire__version", "position"
        )
    )


def _question_columns(questions):
    """One column per question code (a later version's item with the same code shares
    it), free-text questions left out."""
    names = []
    for question in questions:
        if question.answer_type != AnswerType.TEXT and question.code not in names:
            names.append(question.code)
    return names


# --- The rows ------------------------------------------------------------------------

RESPONSE_FIELDS = {
    "pk": "pk",
    "submitted_at": "submitted_at",
    "complete": "complete",
    "swemwbs_raw": "swemwbs_raw",
    "swemwbs_metric": "swemwbs_metric",
    "pss_ps": "pss_ps",
    "pss_lps": "pss_lps",
    "form": "invitation__kind",
    "questionnaire": "invitation__questionnaire__code",
    "questionnaire_version": "invitation__questionnaire__version",
    "programme": "invitation__questionnaire__programme",
    "respondent_kind": "invitation__questionnaire__respondent",
    "parent": "invitation__parent_id",
    "volunteer": "invitation__volunteer_id",
    "match": "invitation__match_id",
    "family": "invitation__match__family_id",
    "region": "invitation__match__family__branch__region",
    "match_started_by": "invitation__match__started_by",
    "started_on": "invitation__match__started_on",
    "ended_on": "invitation__match__ended_on",
    "match_status": "invitation__match__status",
}


def exported_responses(filters=None):
    """The submitted responses an export holds (DOMAIN.md §15: complete and partial
    alike), without those of families who refused or withdrew their evaluation consent
    and of volunteers who opted out."""
    filters = _filters(filters)
    responses = Response.objects.filter(submitted_at__isnull=False)
    if filters.submitted_from:
        responses = responses.filter(submitted_at__gte=_start_of(filters.submitted_from))
    if filters.submitted_to:
        next_day = filters.submitted_to + timedelta(days=1)
        responses = responses.filter(submitted_at__lt=_start_of(next_day))
    if filters.programme:
        responses = responses.filter(invitation__questionnaire__programme=filters.programme)
    if filters.respondent:
        responses = responses.filter(invitation__questionnaire__respondent=filters.respondent)
    if filters.form:
        responses = responses.filter(invitation__kind=filters.form)
    opted_out = SurveyOptOut.objects.filter(volunteer=OuterRef("invitation__volunteer"))
    return responses.exclude(
        invitation__questionnaire__respondent=Respondent.PARENT,
        invitation__match__family__evaluation_consent__in=DECLINED,
    ).exclude(Exists(opted_out))


def _month(day):
    return f"{day.year:04d}-{day.month:02d}" if day else None


def _choice_cell(value):
    """A choice's value; a whole number ("1".."5") as a number, so a spreadsheet can
    count with it."""
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return value


def _answer_cell(question, value):
    if question.answer_type == AnswerType.MULTI:
        values = value if isinstance(value, list) else [value]
        return MULTI_SEPARATOR.join(str(item) for item in values)
    if question.answer_type == AnswerType.CHOICE:
        return _choice_cell(value)
    return value


def _rows(filters, questions):
    responses = exported_responses(filters)
    records = list(responses.values(*RESPONSE_FIELDS.values()))
    by_pk = {question.pk: question for question in questions}
    answers = {}
    for response_pk, question_pk, value in (
        Answer.objects.filter(response__in=responses.values("pk"))
        .exclude(question__answer_type=AnswerType.TEXT)
        .values_list("response_id", "question_id", "value")
    ):
        question = by_pk.get(question_pk)
        if question is not None:
            answers.setdefault(response_pk, {})[question.code] = _answer_cell(question, value)

    secret = pseudonym_secret()
    rows = []
    for record in records:
        item = {name: record[field] for name, field in RESPONSE_FIELDS.items()}
        is_parent = item["respondent_kind"] == Respondent.PARENT
        started_on, ended_on = item["started_on"], item["ended_on"]
        closed = item["match_status"] == Match.Status.CLOSED and started_on and ended_on
        row = {
            "respondent": (
                pseudonym(PARENT, item["parent"], secret=secret)
                if is_parent
                else pseudonym(VOLUNTEER, item["volunteer"], secret=secret)
            ),
            "respondent_kind": item["respondent_kind"],
            "family": pseudonym(FAMILY, item["family"], secret=secret),
            "match": pseudonym(MATCH, item["match"], secret=secret),
            "programme": item["programme"],
            "form": item["form"],
            "questionnaire": item["questionnaire"],
            "questionnaire_version": item["questionnaire_version"],
            "region": item["region"],
            "match_started_by": item["match_started_by"],
            "match_start_month": _month(started_on),
            "match_length_weeks": (ended_on - started_on).days // 7 if closed else None,
            "submitted_month": _month(timezone.localtime(item["submitted_at"])),
            "complete": 1 if item["complete"] else 0,
        }
        for field in SCORE_FIELDS:
            row[field] = item[field]
        row.update(answers.get(item["pk"], {}))
        rows.append(row)
    # Ordered by pseudonym, not by when answers came in, so row order says nothing about
    # who registered first.
    rows.sort(
        key=lambda row: (
            row["respondent"],
            row["match"],
            FORM_ORDER.get(row["form"], 0),
            row["submitted_month"],
        )
    )
    return rows


def export_rows(*, filters=None):
    """(columns, rows): the column names and one dict per submitted response, keyed by
    column name (a question not asked or not answered is missing from its dict). Three
    queries however many responses."""
    filters = _filters(filters)
    questions = _questions(filters)
    columns = [*FIXED_NAMES, *_question_columns(questions)]
    return columns, _rows(filters, questions)


# --- The codebook --------------------------------------------------------------------

CODEBOOK_FIELDS = (
    ("column", "kolonne"),
    ("exported", "eksporteret"),
    ("description_da", "beskrivelse"),
    ("description_en", "description"),
    ("questionnaire", "skema"),
    ("version", "version"),
    ("question_da", "spørgsmål"),
    ("question_en", "question"),
    ("answer_type", "svartype"),
    ("values", "værdier"),
    ("scale", "skala"),
    ("instrument", "instrument"),
    ("scoring", "scoring"),
)
YES, NO = "ja", "nej"

ANSWER_TYPE_TEXT = {
    AnswerType.CHOICE: ("Ét svar: den valgte værdi.", "One answer: the chosen value."),
    AnswerType.MULTI: (
        "Flere svar: de valgte værdier adskilt af |, i skemaets rækkefølge.",
        "Several answers: the chosen values separated by |, in the questionnaire's order.",
    ),
    AnswerType.SCALE: ("Et tal på skalaen.", "A number on the scale."),
    AnswerType.TEXT: (
        "Fritekst: eksporteres ikke, fordi en tekst med egne ord kan pege på personer.",
        "Free text: not exported, because a text in a person's own words can point at people.",
    ),
}
INSTRUMENT_NAMES = {
    Instrument.SWEMWBS: "SWEMWBS",
    Instrument.PSS_PS: "PSS (PS)",
    Instrument.PSS_LPS: "PSS (LPS)",
}


def _labels(choices):
    """{value: (Danish label, English label)} of an enum's choices."""
    labels = {}
    for value, label in choices.choices:
        with translation.override("da"):
            danish = str(label)
        with translation.override("en"):
            english = str(label)
        labels[value] = (danish, english)
    return labels


def _values_text(pairs):
    return "; ".join(f"{value} = {da} / {en}" for value, (da, en) in pairs)


def _scoring_note(question):
    """How the item enters the scores (DOMAIN.md §26; report Bilag 2)."""
    item = question.instrument_item
    if question.instrument == Instrument.SWEMWBS:
        return (
            f"SWEMWBS item {item}: indgår i swemwbs_raw (summen af item 1–7) og swemwbs_metric "
            "(omregnet efter Stewart-Brown m.fl. 2009); kun når alle syv er besvaret. "
            "DOMAIN.md §26.1."
        )
    if item in PSS_DROPPED:
        return (
            f"PSS item {item}: stilles, men indgår ikke i scorerne (Rayce, Pontoppidan & "
            "Nielsen 2020). DOMAIN.md §26.2."
        )
    if item in PSS_PS_ITEMS:
        return (
            f"PSS item {item}, PS: dikotomiseret (1–2 → 0, 3–5 → 1) og lagt sammen i pss_ps "
            "(0–9); tom, hvis et item mangler. DOMAIN.md §26.2."
        )
    if item in PSS_LPS_ITEMS:
        return (
            f"PSS item {item}, LPS: vendt (6 − svar), dikotomiseret (1–2 → 0, 3–5 → 1) og "
            "lagt sammen i pss_lps (0–7); tom, hvis et item mangler. DOMAIN.md §26.2."
        )
    return ""


def _empty_entry(column):
    entry = dict.fromkeys(field for field, _header in CODEBOOK_FIELDS)
    entry.update(column=column, exported=YES)
    return entry


def _fixed_entries():
    entries = []
    for column in FIXED_COLUMNS:
        entry = _empty_entry(column.name)
        entry.update(description_da=column.da, description_en=column.en)
        if column.choices is not None:
            entry["values"] = _values_text(_labels(column.choices).items())
        if column.name.startswith("swemwbs"):
            entry["instrument"] = INSTRUMENT_NAMES[Instrument.SWEMWBS]
        elif column.name == "pss_ps":
            entry["instrument"] = INSTRUMENT_NAMES[Instrument.PSS_PS]
        elif column.name == "pss_lps":
            entry["instrument"] = INSTRUMENT_NAMES[Instrument.PSS_LPS]
        entries.append(entry)
    return entries


def _question_entry(question):
    questionnaire = question.questionnaire
    entry = _empty_entry(question.code)
    da, en = ANSWER_TYPE_TEXT[question.answer_type]
    entry.update(
        exported=NO if question.answer_type == AnswerType.TEXT else YES,
        description_da=da,
        description_en=en,
        questionnaire=questionnaire.code,
        version=questionnaire.version,
        question_da=question.text_da,
        question_en=question.text_en,
        answer_type=question.answer_type,
        instrument=INSTRUMENT_NAMES.get(question.instrument, ""),
        scoring=_scoring_note(question),
    )
    if question.choices:
        entry["values"] = _values_text(
            (choice["value"], (choice.get("da", ""), choice.get("en", "")))
            for choice in question.choices
        )
    if question.answer_type == AnswerType.SCALE:
        entry["scale"] = f"{question.scale_min}–{question.scale_max}"
    return entry


def _codebook(questions):
    return [*_fixed_entries(), *(_question_entry(question) for question in questions)]


def codebook(*, filters=None):
    """One entry per column: its name, whether it is exported, what it holds in Danish
    and English, and for a question its questionnaire and version, wording in both
    languages, answer type, values with their labels, scale and instrument with how it
    is scored (DOMAIN.md §26). A question code used by several versions has one entry per
    version; a free-text question has an entry marked not exported. One query."""
    return _codebook(_questions(_filters(filters)))


# --- The files -----------------------------------------------------------------------


def _csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Decimal | float):
        # Danish Excel reads "20.73" as text or a date: a decimal comma, as ";" implies.
        return str(value).replace(".", ",")
    return neutralise(value)


def _csv_bytes(header, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([_csv_cell(value) for value in header])
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row])
    # The byte-order mark tells Excel the file is UTF-8 (æ, ø, å).
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _append(sheet, header, rows):
    sheet.append([neutralise(value) for value in header])
    for row in rows:
        sheet.append([neutralise(value) for value in row])


def _xlsx_bytes(sheets):
    """A workbook of (title, header, rows) sheets. Write-only: rows stream out instead of
    a cell object each staying in memory."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    workbook.properties.creator = "Familien"
    for title, header, rows in sheets:
        _append(workbook.create_sheet(title), header, rows)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _data_table(columns, rows):
    return [[row.get(column) for column in columns] for row in rows]


def _codebook_table(entries):
    header = [header for _field, header in CODEBOOK_FIELDS]
    return header, [[entry[field] for field, _header in CODEBOOK_FIELDS] for entry in entries]


def _check_format(fmt):
    if fmt not in FORMATS:
        raise ValueError(f"Unknown export format: {fmt!r}")


def build_export(fmt, *, filters=None, today=None):
    """(filename, bytes) of the export: CSV (the data only; the codebook is
    ``build_codebook``) or XLSX (sheets "data" and "kodebog"). The filename holds only
    the day it was made. Four queries at most, whatever the number of rows."""
    _check_format(fmt)
    filters = _filters(filters)
    day = today or timezone.localdate()
    questions = _questions(filters)
    columns = [*FIXED_NAMES, *_question_columns(questions)]
    table = _data_table(columns, _rows(filters, questions))
    filename = FILENAME.format(day=day.isoformat(), ext=fmt)
    if fmt == CSV:
        return filename, _csv_bytes(columns, table)
    header, entries = _codebook_table(_codebook(questions))
    return filename, _xlsx_bytes([(DATA_SHEET, columns, table), (CODEBOOK_SHEET, header, entries)])


def build_codebook(fmt, *, filters=None, today=None):
    """(filename, bytes) of the codebook alone, CSV or XLSX (one sheet "kodebog")."""
    _check_format(fmt)
    day = today or timezone.localdate()
    header, entries = _codebook_table(codebook(filters=filters))
    filename = CODEBOOK_FILENAME.format(day=day.isoformat(), ext=fmt)
    if fmt == CSV:
        return filename, _csv_bytes(header, entries)
    return filename, _xlsx_bytes([(CODEBOOK_SHEET, header, entries)])
