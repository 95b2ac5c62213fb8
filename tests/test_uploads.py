"""Hostile uploads to the spreadsheet import (the only upload Familien takes): the wrong
type under a .csv or .xlsx name, a file over the size cap, malformed files (bad UTF-8,
the wrong delimiter, a truncated zip, a zip bomb, 100,000 rows) and formula cells.

Each gets a Danish message on the page and saves nothing; a post over the cap is refused
from its declared length, before its body is read; a formula is refused as a formula,
never evaluated, and what the app exports is neutralised (surveys/exports.py, tested
in tests/test_exports.py; the access log's CSV in its own tests).
"""

import html
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from familien import imports
from familien.import_views import SESSION_KEY
from familien.models import Family, Parent, Volunteer
from tests.conftest import login

pytestmark = pytest.mark.django_db

FAMILY_HEADER = "familie;fornavn;efternavn;telefon;email;fødselsår\r\n"
VOLUNTEER_HEADER = "fornavn;efternavn;telefon;email;postnummer;fødselsår\r\n"

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\n%\xe2\xe3\xcf\xd3\ntrailer<<>>\n%%EOF\n"
SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script>'
    b'<rect onload="alert(1)"/></svg>'
)
HTML = b"<!doctype html><html><body><script>alert(1)</script>familie;fornavn</body></html>"


def _counts():
    return (Family.objects.count(), Parent.objects.count(), Volunteer.objects.count())


def _upload(client, world, name, content, *, kind="families"):
    return client.post(
        reverse("import_upload"),
        {
            "kind": kind,
            "branch": world.branch_a.pk,
            "file": SimpleUploadedFile(name, content, content_type="application/octet-stream"),
        },
    )


@pytest.fixture
def leader(world):
    return login(Client(), world.users["leader"])


def _xlsx(rows):
    """A real XLSX written by openpyxl (a cell starting with = is stored as a formula)."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _raw_xlsx(sheet_xml):
    """The smallest XLSX zip around a sheet's XML, for shapes openpyxl would not write."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxml'
            'formats-package.relationships+xml"/><Default Extension="xml" ContentType='
            '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override '
            'PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.worksheet+xml"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/'
            'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships"><sheets><sheet name="Ark1" sheetId="1" '
            'r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>',
        )
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    return buffer.getvalue()


def _sheet(rows_xml):
    return (
        '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        f'spreadsheetml/2006/main"><sheetData>{rows_xml}</sheetData></worksheet>'
    )


def _inline_row(number, values):
    cells = "".join(
        f'<c r="{chr(65 + i)}{number}" t="inlineStr"><is><t>{v}</t></is></c>'
        for i, v in enumerate(values)
    )
    return f'<row r="{number}">{cells}</row>'


def _many_rows_xlsx(count):
    header = _inline_row(1, ["fornavn", "efternavn"])
    body = "".join(_inline_row(n, ["Ida", "Jensen"]) for n in range(2, count + 2))
    return _raw_xlsx(_sheet(header + body))


def _bomb_xlsx():
    """A sheet of 80 MB of blank rows packed into well under 1 MB."""
    blank = '<row r="1"/>' * 7_000_000
    return _raw_xlsx(_sheet(blank))


def _truncated_xlsx():
    return _xlsx([["fornavn", "efternavn"], ["Ida", "Jensen"]])[:700]


WRONG_FILES = {
    "png named .csv": ("billede.csv", PNG, "The file is not a text file."),
    "pdf named .csv": (
        "brev.csv",
        PDF,
        "The first row must name the columns. Missing: %(columns)s.",
    ),
    "svg with script": ("tegning.svg", SVG, "Choose a CSV or XLSX file."),
    "svg named .csv": (
        "tegning.csv",
        SVG,
        "The first row must name the columns. Missing: %(columns)s.",
    ),
    "html named .csv": (
        "side.csv",
        HTML,
        "The first row must name the columns. Missing: %(columns)s.",
    ),
    "png named .xlsx": ("billede.xlsx", PNG, "The file is not a real XLSX spreadsheet."),
    "xlsx named .csv": (
        "ark.csv",
        b"PK\x03\x04" + b"\x00" * 40,
        "The file is a spreadsheet saved as .csv: save it as CSV.",
    ),
    "bad utf-8": (
        "familier.csv",
        FAMILY_HEADER.encode() + b"Familie \x81\x8d;\x9d;\x90\r\n",
        "The file's characters cannot be read; save it as UTF-8.",
    ),
    "wrong delimiter": (
        "familier.csv",
        b"familie|fornavn|efternavn\r\nHansen|Ida|Hansen\r\n",
        "The first row must name the columns. Missing: %(columns)s.",
    ),
    "truncated xlsx": ("ark.xlsx", None, "The XLSX file cannot be opened."),
    "zip bomb xlsx": (
        "ark.xlsx",
        None,
        "The XLSX file unpacks to far more than its size; save it again as XLSX.",
    ),
    "100k rows csv": (
        "frivillige.csv",
        (VOLUNTEER_HEADER + "Ida;Jensen;;;;\r\n" * 100_000).encode(),
        "At most %(n)s rows in one file.",
    ),
    "100k rows xlsx": ("frivillige.xlsx", None, "At most %(n)s rows in one file."),
    "empty": ("tom.csv", b"", "The file is empty."),
    "only blank lines": ("tom.csv", b"\r\n;;;\r\n\r\n", "The file has no rows."),
    "a csv field over the csv module's limit": (
        "familier.csv",
        FAMILY_HEADER.encode() + b'"' + b"x" * 200_000 + b'";Ida;Hansen\r\n',
        "The CSV file is malformed: %(error)s",
    ),
}
BUILT = {
    "truncated xlsx": _truncated_xlsx,
    "zip bomb xlsx": _bomb_xlsx,
    "100k rows xlsx": lambda: _many_rows_xlsx(100_000),
}


@pytest.mark.parametrize("case", sorted(WRONG_FILES))
def test_a_wrong_or_malformed_file_gets_a_danish_message_and_saves_nothing(
    case, world, leader, settings
):
    name, content, msgid = WRONG_FILES[case]
    content = BUILT[case]() if content is None else content
    kind = "volunteers" if name.startswith("frivillige") else "families"
    before = _counts()
    response = _upload(leader, world, name, content, kind=kind)
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    with translation.override("da"):
        danish = translation.gettext(msgid)
    assert danish != msgid, f"no Danish for {msgid!r}"
    assert danish.split("%(")[0] in page  # the words before any figure
    assert "<script>alert" not in page
    assert _counts() == before
    assert not leader.session.get(SESSION_KEY)


def test_an_upload_over_the_cap_is_refused_before_its_body_is_read(world, leader, settings):
    """The declared length decides: the body stream is never touched."""

    class Untouchable(io.RawIOBase):
        def read(self, *args):
            raise AssertionError("the body was read")

        readline = read

    response = leader.generic(
        "POST",
        reverse("import_upload"),
        CONTENT_TYPE="multipart/form-data; boundary=xyz",
        CONTENT_LENGTH=str(settings.FAMILIEN_IMPORT_MAX_BYTES * 4),
        **{"wsgi.input": Untouchable()},
    )
    assert response.status_code == 413
    with translation.override("da"):
        message = imports.too_large_message()
    assert message != "The file is too large: at most 5 MB."
    assert message in html.unescape(response.content.decode())


def test_a_20_mb_csv_is_refused_with_a_message(world, leader, settings):
    before = _counts()
    big = (VOLUNTEER_HEADER + "Ida;Jensen;;;;\r\n" * 1_400_000).encode()
    assert len(big) > 20_000_000
    response = _upload(leader, world, "frivillige.csv", big, kind="volunteers")
    assert response.status_code == 413
    assert _counts() == before


def test_a_file_just_over_the_cap_is_refused_by_the_form(world, leader, settings):
    """Inside the post's overhead but over the file cap: read_table's check answers."""
    settings.FAMILIEN_IMPORT_MAX_BYTES = 1_000_000
    before = _counts()
    content = (VOLUNTEER_HEADER + "Ida;Jensen;;;;\r\n" * 70_000).encode()[:1_010_000]
    response = _upload(leader, world, "frivillige.csv", content, kind="volunteers")
    assert response.status_code == 200
    assert "1 MB" in response.content.decode()
    assert _counts() == before


FORMULAS = ['=HYPERLINK("http://example.invalid";"klik")', "+cmd|' /C calc'!A0", "-1+2", "@SUM(1)"]


@pytest.mark.parametrize("formula", FORMULAS)
def test_a_formula_cell_in_a_csv_is_refused_never_evaluated(formula, world, leader):
    content = VOLUNTEER_HEADER + f'"{formula.replace(chr(34), chr(34) * 2)}";Jensen;;;;\r\n'
    before = _counts()
    response = _upload(leader, world, "frivillige.csv", content.encode(), kind="volunteers")
    page = response.content.decode()
    assert response.status_code == 200
    assert "regnearksformel" in page or "formel" in page
    assert _counts() == before
    assert not leader.session.get(SESSION_KEY)  # nothing to commit


def test_a_formula_cell_in_an_xlsx_is_read_as_its_formula_and_refused(world, leader):
    """openpyxl stores "=1+1" as a formula with no result; the import sees the formula
    itself, never a result, and refuses it."""
    content = _xlsx([["fornavn", "efternavn"], ["=1+1", "Jensen"], ['=HYPERLINK("x")', "Ø"]])
    before = _counts()
    response = _upload(leader, world, "frivillige.xlsx", content, kind="volunteers")
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("formel") >= 2
    assert _counts() == before


def test_a_phone_with_plus_is_not_a_formula(world, leader):
    content = (VOLUNTEER_HEADER + "Ida;Jensen;+45 51 52 53 54;;5000;1990\r\n").encode()
    response = _upload(leader, world, "frivillige.csv", content, kind="volunteers")
    assert response.status_code == 200
    assert leader.session.get(SESSION_KEY)  # every row checked and ready to commit
    commit = leader.post(reverse("import_commit"))
    assert commit.status_code == 302
    assert Volunteer.objects.filter(phone="+4551525354", first_name="Ida").exists()


@pytest.mark.parametrize("year", ["²⁰¹⁵", "١٩٩٠", "１９９０", "99999999999999999999999"])
def test_digits_that_are_not_0_to_9_are_refused_not_a_500(year, world, leader):
    content = (VOLUNTEER_HEADER + f"Ida;Jensen;;;;{year}\r\n").encode()
    response = _upload(leader, world, "frivillige.csv", content, kind="volunteers")
    assert response.status_code == 200
    assert not leader.session.get(SESSION_KEY)


@pytest.mark.parametrize("postcode", ["٥٠٠٠", "５０００", "²²²²"])
def test_a_postcode_in_other_digits_is_refused(postcode):
    column = next(c for c in imports.VOLUNTEER_COLUMNS if c.kind == "postcode")
    with pytest.raises(imports.ValidationError):
        imports._clean(column, postcode)


def test_the_preview_escapes_markup_from_the_file(world, leader):
    content = (
        VOLUNTEER_HEADER + '<script>alert(1)</script>;"><img src=x onerror=alert(2)>;;;;\r\n'
    ).encode()
    response = _upload(leader, world, "frivillige.csv", content, kind="volunteers")
    page = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert(1)" not in page
    assert "<img src=x onerror" not in page


def test_a_commit_without_a_preview_or_with_a_forged_token_saves_nothing(world, leader):
    before = _counts()
    for token in (None, "../../etc/passwd", "x" * 5000, "\x00", "aGVsbG8"):
        session = leader.session
        session[SESSION_KEY] = token
        session.save()
        response = leader.post(reverse("import_commit"))
        assert response.status_code == 302
    assert _counts() == before
