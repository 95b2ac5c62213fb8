"""The evaluators' pseudonymised exports (issue 7 item 5)."""

import csv
import io
import re
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from familien.models import ConsentState, Programme, Region
from matching.models import Match
from surveys.answers import asked_questions, save_progress, submit
from surveys.exports import (
    FIXED_NAMES,
    build_codebook,
    build_export,
    codebook,
    export_rows,
    neutralise,
)
from surveys.models import (
    AnswerType,
    Instrument,
    Invitation,
    Question,
    Questionnaire,
    Respondent,
    SurveyKind,
    SurveyOptOut,
)
from surveys.pseudonyms import pseudonym
from surveys.tokens import hash_token, new_salt, token_for
from tests.factories import BranchFactory, FamilyFactory, ParentFactory, VolunteerFactory

pytestmark = pytest.mark.django_db

FIVE = [{"value": str(n), "da": f"Svar {n}", "en": f"Answer {n}"} for n in range(1, 6)]
# Choice values a spreadsheet would run as formulas (OWASP "CSV Injection").
FORMULAS = ["=1+1", "+45 20 30 40 50", "-3", "@SUM(A1)"]
STORY = "Min nabo Hr. Hemmelig bor på Skovvej 12"

# Everything that identifies the people below; none of it may leave in an export.
SECRETS = [
    "Hemmeligsen",
    "Skovvej",
    "Lilleby",
    "31 41 59 26",
    "mette.hemmelig@example.org",
    "Frivilligsen",
    "frida.frivillig@example.org",
    "Stjernekrog",
    "Sagen er fortrolig",
    "Flyttede til udlandet",
    "Hemmelig",
    "1987",
    "2026-01-15",
    "2026-07-16",
    "2027-03-04",
]


def when(month, day, year=2027):
    return timezone.make_aware(datetime(year, month, day, 12))


def add_question(questionnaire, position, code, answer_type, **fields):
    return Question.objects.create(
        questionnaire=questionnaire,
        position=position,
        code=code,
        kinds=fields.pop("kinds", ["pre", "follow_up", "post", "volunteer"]),
        text_da=fields.pop("text_da", f"Dansk spørgsmål {code}"),
        text_en=fields.pop("text_en", f"English question {code}"),
        answer_type=answer_type,
        **fields,
    )


@pytest.fixture
def forms():
    """A parent questionnaire with SWEMWBS and PSS items, formula-looking choices, a
    scale, several-choice and free-text items; a volunteer one; a job-mentor one."""
    now = timezone.now()
    parent = Questionnaire.objects.create(
        code="xport-parent",
        respondent=Respondent.PARENT,
        programme=Programme.FAMILY_FRIEND,
        title_da="Forælder",
        title_en="Parent",
        published_at=now,
    )
    position = 0
    for item in range(1, 8):
        position += 1
        add_question(
            parent,
            position,
            f"XW{item}",
            AnswerType.CHOICE,
            choices=FIVE,
            instrument=Instrument.SWEMWBS,
            instrument_item=item,
        )
    for item in range(1, 19):
        position += 1
        lps = item in {1, 2, 5, 6, 7, 8, 17, 18}
        add_question(
            parent,
            position,
            f"XP{item}",
            AnswerType.CHOICE,
            choices=FIVE,
            instrument=Instrument.PSS_LPS if lps else Instrument.PSS_PS,
            instrument_item=item,
        )
    for number, formula in enumerate(FORMULAS, start=1):
        position += 1
        add_question(
            parent,
            position,
            f"XF{number}",
            AnswerType.CHOICE,
            choices=[
                {"value": formula, "da": "Formel", "en": "Formula"},
                {"value": "plain", "da": "Almindelig", "en": "Plain"},
            ],
        )
    add_question(parent, position + 1, "XN", AnswerType.SCALE, scale_min=-5, scale_max=5)
    add_question(
        parent,
        position + 2,
        "XM",
        AnswerType.MULTI,
        choices=[
            {"value": "a", "da": "Æbler", "en": "Apples"},
            {"value": "b", "da": "Bananer", "en": "Bananas"},
            {"value": "c", "da": "Citroner", "en": "Lemons"},
        ],
    )
    add_question(parent, position + 3, "XT", AnswerType.TEXT)
    volunteer = Questionnaire.objects.create(
        code="xport-volunteer",
        respondent=Respondent.VOLUNTEER,
        programme=Programme.FAMILY_FRIEND,
        title_da="Frivillig",
        title_en="Volunteer",
        published_at=now,
    )
    add_question(volunteer, 1, "XV1", AnswerType.CHOICE, choices=FIVE)
    add_question(volunteer, 2, "XV2", AnswerType.TEXT)
    job = Questionnaire.objects.create(
        code="xport-job",
        respondent=Respondent.PARENT,
        programme=Programme.JOB_MENTOR,
        title_da="Job",
        title_en="Job",
        published_at=now,
    )
    add_question(job, 1, "XJ1", AnswerType.SCALE, scale_min=0, scale_max=10)
    return {"parent": parent, "volunteer": volunteer, "job": job}


def make_match(*, programme=Programme.FAMILY_FRIEND, branch=None, closed=False, n=0):
    branch = branch or BranchFactory(region=Region.NORDJYLLAND)
    family = FamilyFactory(
        branch=branch,
        evaluation_consent=ConsentState.GIVEN,
        address="Skovvej 12",
        city="Lilleby",
        sensitive_notes="Sagen er fortrolig",
    )
    parent = ParentFactory(
        family=family,
        last_name=f"Hemmeligsen{n}",
        phone="+45 31 41 59 26",
        email="mette.hemmelig@example.org",
        postal_address="Skovvej 12",
        birth_year=1987,
    )
    volunteer = VolunteerFactory(
        branch=branch,
        last_name=f"Frivilligsen{n}",
        email="frida.frivillig@example.org",
        phone="+45 31 41 59 26",
    )
    match = Match.objects.create(
        family=family,
        volunteer=volunteer,
        programme=programme,
        status=Match.Status.CLOSED if closed else Match.Status.ACTIVE,
        started_by=Match.StartedBy.CENTRAL,
        started_on=date(2026, 1, 15),
        ended_on=date(2026, 7, 16) if closed else None,
        focus="Stjernekrog",
        end_reason="Flyttede til udlandet" if closed else "",
    )
    return match, parent, volunteer


def answer(questionnaire, match, kind, values, *, parent=None, volunteer=None, at=None):
    """Send ``values`` ({code: value}) through the real submit, scores and all."""
    salt = new_salt()
    invitation = Invitation.objects.create(
        questionnaire=questionnaire,
        kind=kind,
        match=match,
        parent=parent,
        volunteer=volunteer,
        token_salt=salt,
        token_hash=hash_token(token_for(salt)),
    )
    asked = asked_questions(invitation)
    by_code = {question.code: question for question in asked}
    submit(
        invitation,
        {by_code[code]: value for code, value in values.items()},
        questions=asked,
        now=at or when(3, 4),
    )
    return invitation


def full_parent_answers(level="4"):
    values = {f"XW{item}": level for item in range(1, 8)}
    values.update({f"XP{item}": "2" for item in range(1, 19)})
    values.update({f"XF{number}": formula for number, formula in enumerate(FORMULAS, start=1)})
    values.update({"XN": -3, "XM": ["a", "c"], "XT": STORY})
    return values


@pytest.fixture
def data(forms):
    match, parent, volunteer = make_match(closed=True)
    pre = answer(forms["parent"], match, SurveyKind.PRE, full_parent_answers(), parent=parent)
    post = answer(
        forms["parent"],
        match,
        SurveyKind.POST,
        {"XW1": "5", "XM": ["b"]},
        parent=parent,
        at=when(9, 1),
    )
    answer(
        forms["volunteer"],
        match,
        SurveyKind.VOLUNTEER,
        {"XV1": "3", "XV2": STORY},
        volunteer=volunteer,
        at=when(9, 2),
    )
    other_match, other_parent, _volunteer = make_match(programme=Programme.JOB_MENTOR, n=1)
    answer(
        forms["job"], other_match, SurveyKind.PRE, {"XJ1": 7}, parent=other_parent, at=when(5, 5)
    )
    return {
        "match": match,
        "parent": parent,
        "volunteer": volunteer,
        "pre": pre,
        "post": post,
        "other_parent": other_parent,
    }


def read_csv(content):
    assert content.startswith(b"\xef\xbb\xbf")
    text = content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def csv_dicts(content):
    header, *rows = read_csv(content)
    return header, [dict(zip(header, row, strict=True)) for row in rows]


def sheet_rows(workbook, title):
    return [list(row) for row in workbook[title].iter_rows(values_only=True)]


def sheet_dicts(workbook, title):
    header, *rows = sheet_rows(workbook, title)
    return header, [dict(zip(header, row, strict=True)) for row in rows]


def xlsx(content):
    return load_workbook(io.BytesIO(content))


def all_cells(workbook):
    return [
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    ]


def row_of(rows, pseudonym_, form):
    return next(row for row in rows if row["respondent"] == pseudonym_ and row["form"] == form)


# --- Pseudonyms -----------------------------------------------------------------------


def test_a_pseudonym_is_stable_keyed_and_distinct(settings):
    settings.SURVEY_PSEUDONYM_SECRET = "one secret"
    first = pseudonym("parent", 1)
    assert re.fullmatch(r"P-[A-Z2-7]{10}", first)
    assert first == pseudonym("parent", 1)
    assert re.fullmatch(r"V-[A-Z2-7]{10}", pseudonym("volunteer", 1))
    assert re.fullmatch(r"F-[A-Z2-7]{10}", pseudonym("family", 1))
    assert re.fullmatch(r"M-[A-Z2-7]{10}", pseudonym("match", 1))
    # The kind is part of the key: parent 1 and volunteer 1 are not the same person.
    assert first[2:] != pseudonym("volunteer", 1)[2:]
    assert len({pseudonym("parent", pk) for pk in range(1, 2001)}) == 2000
    assert pseudonym("parent", None) == ""
    settings.SURVEY_PSEUDONYM_SECRET = "another secret"
    assert pseudonym("parent", 1) != first


def test_without_its_own_secret_the_pseudonym_uses_secret_key(settings):
    settings.SURVEY_PSEUDONYM_SECRET = ""
    settings.SECRET_KEY = "k" * 50
    via_key = pseudonym("parent", 7)
    settings.SURVEY_PSEUDONYM_SECRET = "k" * 50
    assert pseudonym("parent", 7) == via_key


# --- Neutralising formulas ------------------------------------------------------------


@pytest.mark.parametrize("text", [*FORMULAS, "\tx", "\rx"])
def test_a_string_a_spreadsheet_would_run_is_neutralised(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", [-3, 0, 4, Decimal("-3.50"), -2.5, None, "Svar", "a|c", ""])
def test_numbers_and_plain_text_stay_as_they_are(value):
    assert neutralise(value) == value


# --- The rows -------------------------------------------------------------------------


def test_rows_carry_pseudonyms_scores_and_answers(data):
    columns, rows = export_rows()
    assert columns[: len(FIXED_NAMES)] == list(FIXED_NAMES)
    assert "XT" not in columns and "XV2" not in columns
    parent_pseudonym = pseudonym("parent", data["parent"].pk)
    pre = row_of(rows, parent_pseudonym, SurveyKind.PRE)
    assert pre["respondent_kind"] == Respondent.PARENT
    assert pre["family"] == pseudonym("family", data["match"].family_id)
    assert pre["match"] == pseudonym("match", data["match"].pk)
    assert pre["programme"] == Programme.FAMILY_FRIEND
    assert pre["questionnaire"] == "xport-parent"
    assert pre["questionnaire_version"] == 1
    assert pre["region"] == Region.NORDJYLLAND
    assert pre["match_started_by"] == Match.StartedBy.CENTRAL
    assert pre["match_start_month"] == "2026-01"
    # 15 January to 16 July 2026: 182 days, 26 whole weeks.
    assert pre["match_length_weeks"] == 26
    assert pre["submitted_month"] == "2027-03"
    assert pre["complete"] == 1
    # Seven items at 4: raw 28, metric 25.03 (DOMAIN.md §26.1). Every PSS item at 2:
    # PS items score 0; LPS items reversed to 4 score 1 each, seven of them.
    assert (pre["swemwbs_raw"], pre["swemwbs_metric"]) == (28, Decimal("25.03"))
    assert (pre["pss_ps"], pre["pss_lps"]) == (0, 7)
    assert pre["XW1"] == 4
    assert pre["XM"] == "a|c"
    assert pre["XN"] == -3
    assert [pre[f"XF{n}"] for n in range(1, 5)] == FORMULAS
    assert "XT" not in pre
    post = row_of(rows, parent_pseudonym, SurveyKind.POST)
    assert post["complete"] == 0
    assert post["swemwbs_raw"] is None
    assert post["XM"] == "b"
    assert post["match"] == pre["match"]
    volunteer = row_of(rows, pseudonym("volunteer", data["volunteer"].pk), SurveyKind.VOLUNTEER)
    assert volunteer["respondent_kind"] == Respondent.VOLUNTEER
    assert volunteer["match"] == pre["match"]
    assert volunteer["XV1"] == 3
    job = row_of(rows, pseudonym("parent", data["other_parent"].pk), SurveyKind.PRE)
    assert job["match_length_weeks"] is None
    assert job["XJ1"] == 7
    assert len(rows) == 4


def test_the_csv_holds_pseudonyms_scores_and_answers_and_no_personal_data(data):
    filename, content = build_export("csv", today=date(2027, 3, 1))
    assert filename == "familien-evaluering-2027-03-01.csv"
    header, rows = csv_dicts(content)
    assert header[:3] == ["respondent", "respondent_kind", "family"]
    pre = row_of(rows, pseudonym("parent", data["parent"].pk), SurveyKind.PRE)
    assert pre["swemwbs_raw"] == "28"
    # Danish Excel: ";" between fields, a decimal comma.
    assert pre["swemwbs_metric"] == "25,03"
    assert (pre["pss_ps"], pre["pss_lps"]) == ("0", "7")
    assert pre["XW1"] == "4"
    assert pre["XM"] == "a|c"
    text = content.decode("utf-8-sig")
    for secret in SECRETS:
        assert secret not in text, secret
    for person in (data["parent"], data["volunteer"]):
        assert person.first_name not in text
    assert data["match"].family.branch.name not in text
    assert data["match"].family.branch.municipality not in text
    assert data["match"].family.name not in text


def test_the_csv_neutralises_formulas_but_keeps_numbers(data):
    _filename, content = build_export("csv")
    _header, rows = csv_dicts(content)
    pre = row_of(rows, pseudonym("parent", data["parent"].pk), SurveyKind.PRE)
    assert [pre[f"XF{n}"] for n in range(1, 5)] == ["'" + formula for formula in FORMULAS]
    # The scale's answer is the number -3, not text: it is left for Excel to read.
    assert pre["XN"] == "-3"
    for row in read_csv(content):
        for cell in row:
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell


def test_the_xlsx_holds_data_and_codebook_and_no_personal_data(data):
    filename, content = build_export("xlsx", today=date(2027, 3, 1))
    assert filename == "familien-evaluering-2027-03-01.xlsx"
    workbook = xlsx(content)
    assert workbook.sheetnames == ["data", "kodebog"]
    _header, rows = sheet_dicts(workbook, "data")
    pre = row_of(rows, pseudonym("parent", data["parent"].pk), SurveyKind.PRE)
    assert (pre["swemwbs_raw"], pre["swemwbs_metric"]) == (28, 25.03)
    assert (pre["pss_ps"], pre["pss_lps"]) == (0, 7)
    assert pre["XW1"] == 4
    assert pre["XM"] == "a|c"
    assert pre["XN"] == -3
    assert [pre[f"XF{n}"] for n in range(1, 5)] == ["'" + formula for formula in FORMULAS]
    # No cell is a formula.
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.value
    cells = "\n".join(all_cells(workbook))
    for secret in SECRETS:
        assert secret not in cells, secret
    assert data["match"].family.branch.name not in cells
    assert data["match"].family.name not in cells


def test_the_same_person_has_the_same_pseudonym_in_two_exports(data, forms):
    _columns, first = export_rows()
    # A later export, after more answers came in.
    match, parent, _volunteer = make_match(n=2)
    answer(forms["parent"], match, SurveyKind.PRE, {"XW1": "1"}, parent=parent, at=when(10, 1))
    _columns, second = export_rows()
    assert len(second) == len(first) + 1
    parent_pseudonym = pseudonym("parent", data["parent"].pk)
    assert {row["respondent"] for row in first} <= {row["respondent"] for row in second}
    assert [row["form"] for row in second if row["respondent"] == parent_pseudonym] == [
        SurveyKind.PRE,
        SurveyKind.POST,
    ]
    respondents = {row["respondent"] for row in second}
    # Three parents and a volunteer: four people, four pseudonyms.
    assert len(respondents) == 4
    assert len({row["family"] for row in second}) == 3
    assert len({row["match"] for row in second}) == 3


# --- Filters --------------------------------------------------------------------------


def test_filters_select_period_programme_respondent_and_form(data):
    def forms_of(**filters):
        _columns, rows = export_rows(filters=filters)
        return sorted((row["questionnaire"], row["form"]) for row in rows)

    assert forms_of(submitted_from="2027-03-04", submitted_to="2027-03-04") == [
        ("xport-parent", "pre")
    ]
    assert forms_of(submitted_from=date(2027, 5, 5)) == [
        ("xport-job", "pre"),
        ("xport-parent", "post"),
        ("xport-volunteer", "volunteer"),
    ]
    assert forms_of(submitted_to=date(2027, 5, 4)) == [("xport-parent", "pre")]
    # As the report page's job keeps them (surveys.report_forms.job_filters).
    assert forms_of(date_from="2027-05-05", date_to="2027-09-01", branch=None, programme="") == [
        ("xport-job", "pre"),
        ("xport-parent", "post"),
    ]
    assert forms_of(programme=Programme.JOB_MENTOR) == [("xport-job", "pre")]
    assert forms_of(respondent=Respondent.VOLUNTEER) == [("xport-volunteer", "volunteer")]
    assert forms_of(kind=Respondent.VOLUNTEER) == [("xport-volunteer", "volunteer")]
    assert forms_of(form=SurveyKind.POST) == [("xport-parent", "post")]
    # The columns follow the programme: no family-friend items in a job-mentor export.
    columns, _rows = export_rows(filters={"programme": Programme.JOB_MENTOR})
    assert "XJ1" in columns and "XW1" not in columns and "XV1" not in columns


def test_an_unknown_filter_value_is_refused(data):
    with pytest.raises(ValueError):
        export_rows(filters={"programme": "astronaut"})
    with pytest.raises(ValueError):
        export_rows(filters={"submitted_from": "yesterday"})
    with pytest.raises(ValueError):
        build_export("pdf")
    # Regions, never branches: an export of one chosen branch would name its rows' branch.
    with pytest.raises(ValueError):
        build_export("csv", filters={"branch": data["match"].family.branch_id})


def test_declined_consent_and_opted_out_volunteers_leave_the_export(data):
    family = data["match"].family
    family.evaluation_consent = ConsentState.WITHDRAWN
    family.save(update_fields=["evaluation_consent"])
    SurveyOptOut.objects.create(volunteer=data["volunteer"])
    _columns, rows = export_rows()
    assert [(row["questionnaire"], row["form"]) for row in rows] == [("xport-job", "pre")]


def test_unsubmitted_answers_are_not_exported(data, forms):
    match, parent, _volunteer = make_match(n=3)
    salt = new_salt()
    invitation = Invitation.objects.create(
        questionnaire=forms["parent"],
        kind=SurveyKind.PRE,
        match=match,
        parent=parent,
        token_salt=salt,
        token_hash=hash_token(token_for(salt)),
    )
    first_item = Question.objects.get(questionnaire=forms["parent"], code="XW1")
    save_progress(invitation, {first_item: "2"})
    _columns, rows = export_rows()
    assert pseudonym("parent", parent.pk) not in {row["respondent"] for row in rows}


# --- The codebook ---------------------------------------------------------------------


def test_the_codebook_lists_every_column_and_every_question_in_both_languages(data, forms):
    columns, _rows = export_rows()
    entries = codebook()
    assert set(columns) <= {entry["column"] for entry in entries}
    by_column = {}
    for entry in entries:
        by_column.setdefault(entry["column"], []).append(entry)
    for question in Question.objects.filter(questionnaire__in=forms.values()):
        (entry,) = [
            item
            for item in by_column[question.code]
            if item["questionnaire"] == question.questionnaire.code
        ]
        assert entry["question_da"] == question.text_da
        assert entry["question_en"] == question.text_en
        assert entry["version"] == 1
        assert entry["description_da"] and entry["description_en"]
    for name in FIXED_NAMES:
        (entry,) = by_column[name]
        assert entry["description_da"] and entry["description_en"]
    (free_text,) = by_column["XT"]
    assert free_text["exported"] == "nej"
    assert "eksporteres ikke" in free_text["description_da"]
    (w1,) = by_column["XW1"]
    assert w1["exported"] == "ja"
    assert "1 = Svar 1 / Answer 1" in w1["values"]
    assert w1["instrument"] == "SWEMWBS"
    assert "swemwbs_raw" in w1["scoring"]
    (lps,) = by_column["XP1"]
    assert lps["instrument"] == "PSS (LPS)" and "6 − svar" in lps["scoring"]
    (dropped,) = by_column["XP11"]
    assert "indgår ikke" in dropped["scoring"]
    (scale,) = by_column["XN"]
    assert scale["scale"] == "-5–5"
    (region,) = by_column["region"]
    assert "nordjylland = Region Nordjylland / North Denmark Region" in region["values"]
    (programme,) = by_column["programme"]
    assert "job_mentor = Jobmentor / Job mentor" in programme["values"]


def test_the_real_questionnaires_are_all_in_the_codebook(db):
    """Version 1 of the six questionnaires (migration 0002): every item has an entry with
    both languages, free text marked not exported."""
    entries = codebook()
    questions = Question.objects.filter(questionnaire__version=1).exclude(
        questionnaire__code__startswith="xport"
    )
    assert questions.count() > 100
    listed = {(entry["questionnaire"], entry["column"]) for entry in entries}
    for question in questions.select_related("questionnaire"):
        assert (question.questionnaire.code, question.code) in listed
    for entry in entries:
        if entry["questionnaire"]:
            assert entry["question_da"] and entry["question_en"]
            assert entry["exported"] == ("nej" if entry["answer_type"] == "text" else "ja")


def test_the_codebook_files(data):
    filename, content = build_codebook("csv", today=date(2027, 3, 1))
    assert filename == "familien-evaluering-kodebog-2027-03-01.csv"
    header, rows = csv_dicts(content)
    assert header[:4] == ["kolonne", "eksporteret", "beskrivelse", "description"]
    assert {row["kolonne"] for row in rows} >= {"respondent", "swemwbs_metric", "XW1", "XT"}
    _filename, content = build_codebook("xlsx")
    workbook = xlsx(content)
    assert workbook.sheetnames == ["kodebog"]
    _header, entries = sheet_dicts(workbook, "kodebog")
    (xf1,) = [entry for entry in entries if entry["kolonne"] == "XF1"]
    # The codebook's cells are neutralised too.
    assert xf1["værdier"].startswith("'=1+1")
    # The XLSX export carries the same codebook as its second sheet.
    _filename, export = build_export("xlsx")
    _header, in_export = sheet_dicts(xlsx(export), "kodebog")
    assert len(in_export) == len(entries)


# --- Queries --------------------------------------------------------------------------


def populate(forms, count, offset):
    branch = BranchFactory(region=Region.HOVEDSTADEN)
    for n in range(offset, offset + count):
        match, parent, volunteer = make_match(branch=branch, closed=n % 2 == 0, n=n)
        answer(forms["parent"], match, SurveyKind.PRE, full_parent_answers(), parent=parent)
        answer(forms["volunteer"], match, SurveyKind.VOLUNTEER, {"XV1": "2"}, volunteer=volunteer)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_costs_the_same_few_queries_at_two_sizes(
    forms, fmt, django_assert_max_num_queries
):
    populate(forms, 2, 0)
    with CaptureQueriesContext(connection) as small:
        build_export(fmt)
    populate(forms, 10, 100)
    with django_assert_max_num_queries(len(small.captured_queries)):
        _filename, content = build_export(fmt)
    assert len(small.captured_queries) <= 4
    if fmt == "csv":
        assert len(read_csv(content)) == 1 + 24
    with django_assert_max_num_queries(1):
        codebook()
