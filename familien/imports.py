"""Import of families and volunteers from spreadsheets (CSV or XLSX).

Two steps: a dry run reads and checks every row and shows the result; the commit saves
every row in one transaction or none at all, so a bad row never leaves a half-imported
file. Between the steps the checked rows wait in a file of their own under the data
folder, named by a random token kept in the person's session.
"""

import csv
import io
import json
import secrets
import zipfile
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from familien.models import (
    Child,
    ConsentState,
    Family,
    Notification,
    Parent,
    Programme,
    Role,
    SurveyChannel,
    Volunteer,
)
from familien.phone import normalise_phone

MAX_ROWS = 5000
# Rows read from a sheet, blank ones included: a sheet of a million empty rows is
# refused after these instead of read to its end.
MAX_SHEET_ROWS = MAX_ROWS * 2
# An XLSX is a zip: what it unpacks to is capped, and so is how far it may expand (a
# "zip bomb" of a few kB unpacks to gigabytes).
MAX_UNPACKED_BYTES = 60_000_000
MAX_EXPANSION = 200
# A cell that a spreadsheet would run as a formula when the data are exported again.
FORMULA_STARTS = ("=", "+", "-", "@")


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message says why, in Danish."""


@dataclass
class Column:
    header: str
    field: str
    required: bool = False
    kind: str = "text"  # text, phone, email, postcode, year, yesno, channel, children, programmes
    max_length: int = 150


FAMILY_COLUMNS = [
    Column("familie", "family_name", required=True),
    Column("adresse", "address", max_length=200),
    Column("postnummer", "postcode", kind="postcode"),
    Column("by", "city", max_length=80),
    Column("fornavn", "first_name", required=True, max_length=80),
    Column("efternavn", "last_name", required=True, max_length=80),
    Column("telefon", "phone", kind="phone"),
    Column("email", "email", kind="email"),
    Column("kanal", "preferred_channel", kind="channel"),
    Column("børn", "children", kind="children"),
    Column("samtykke_data", "data_consent", kind="yesno"),
    Column("samtykke_evaluering", "evaluation_consent", kind="yesno"),
]

VOLUNTEER_COLUMNS = [
    Column("fornavn", "first_name", required=True, max_length=80),
    Column("efternavn", "last_name", required=True, max_length=80),
    Column("telefon", "phone", kind="phone"),
    Column("email", "email", kind="email"),
    Column("postnummer", "postcode", kind="postcode"),
    Column("fødselsår", "birth_year", kind="year"),
    Column("forløbstyper", "programmes", kind="programmes"),
]

COLUMNS = {"families": FAMILY_COLUMNS, "volunteers": VOLUNTEER_COLUMNS}

CHANNELS = {
    "sms": SurveyChannel.SMS,
    "mail": SurveyChannel.MAIL,
    "e-mail": SurveyChannel.MAIL,
    "begge": SurveyChannel.BOTH,
    "brev": SurveyChannel.PRINT,
    "": SurveyChannel.SMS,
}
PROGRAMMES = {
    "familieven": Programme.FAMILY_FRIEND,
    "jobmentor": Programme.JOB_MENTOR,
    "uddannelsesmentor": Programme.EDUCATION_MENTOR,
    "erhvervsmentor": Programme.WORKPLACE_MENTOR,
}
YES = {"ja", "j", "yes", "1", "x"}
NO = {"nej", "n", "no", "0", ""}


@dataclass
class Row:
    number: int  # the line in the spreadsheet, header being line 1
    values: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)


def too_large_message():
    return _("The file is too large: at most %(mb)s MB.") % {
        "mb": settings.FAMILIEN_IMPORT_MAX_BYTES // 1_000_000
    }


def read_table(upload):
    """The upload's rows as lists of strings; ImportFileError for an unreadable file."""
    name = (upload.name or "").lower()
    if upload.size == 0:
        raise ImportFileError(_("The file is empty."))
    if upload.size > settings.FAMILIEN_IMPORT_MAX_BYTES:
        raise ImportFileError(too_large_message())
    head = upload.read(4)
    upload.seek(0)
    if name.endswith(".xlsx"):
        if head != b"PK\x03\x04":
            raise ImportFileError(_("The file is not a real XLSX spreadsheet."))
        return _read_xlsx(upload)
    if name.endswith(".csv"):
        if head.startswith(b"PK\x03\x04"):
            raise ImportFileError(_("The file is a spreadsheet saved as .csv: save it as CSV."))
        return _read_csv(upload)
    raise ImportFileError(_("Choose a CSV or XLSX file."))


class _DanishCsv(csv.excel):
    """Danish spreadsheets write CSV with semicolons."""

    delimiter = ";"


def _read_csv(upload):
    raw = upload.read()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes almost anything
        raise ImportFileError(_("The file's characters cannot be read; save it as UTF-8."))
    if "\x00" in text:
        raise ImportFileError(_("The file is not a text file."))
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=";,\t")
    except csv.Error:
        dialect = _DanishCsv
    try:
        return [
            row for row in csv.reader(io.StringIO(text), dialect) if any(c.strip() for c in row)
        ]
    except csv.Error as exc:
        raise ImportFileError(_("The CSV file is malformed: %(error)s") % {"error": exc}) from exc


def _read_xlsx(upload):
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    _check_zip(upload)
    try:
        # data_only=False: a formula cell reads as its formula ("=HYPERLINK(...)"), which
        # the row check refuses, not as whatever result the file claims it had.
        workbook = load_workbook(upload, read_only=True, data_only=False)
    except (InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(_("The XLSX file cannot be opened.")) from exc
    except Exception as exc:  # noqa: BLE001 - a broken zip raises many kinds of error
        raise ImportFileError(_("The XLSX file cannot be opened.")) from exc
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for read, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = ["" if v is None else str(v).strip() for v in values]
            if any(cells):
                rows.append(cells)
            if len(rows) > MAX_ROWS + 1 or read > MAX_SHEET_ROWS:
                raise ImportFileError(_("At most %(n)s rows in one file.") % {"n": MAX_ROWS})
    except ImportFileError:
        raise
    except Exception as exc:  # noqa: BLE001 - a broken sheet raises many kinds of error
        raise ImportFileError(_("The XLSX file cannot be opened.")) from exc
    finally:
        workbook.close()
    return rows


def _check_zip(upload):
    """Refuse an XLSX whose zip is broken or unpacks to far more than it weighs."""
    try:
        with zipfile.ZipFile(upload) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            packed = sum(info.compress_size for info in archive.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise ImportFileError(_("The XLSX file cannot be opened.")) from exc
    finally:
        upload.seek(0)
    if unpacked > MAX_UNPACKED_BYTES or unpacked > max(packed, 1) * MAX_EXPANSION:
        raise ImportFileError(
            _("The XLSX file unpacks to far more than its size; save it again as XLSX.")
        )


def check_rows(kind, table):
    """Check every row against the columns of ``kind``; returns (rows, file_errors)."""
    columns = COLUMNS[kind]
    if not table:
        raise ImportFileError(_("The file has no rows."))
    header = [h.strip().lower() for h in table[0]]
    missing = [c.header for c in columns if c.required and c.header not in header]
    if missing:
        raise ImportFileError(
            _("The first row must name the columns. Missing: %(columns)s.")
            % {"columns": ", ".join(missing)}
        )
    if len(table) - 1 > MAX_ROWS:
        raise ImportFileError(_("At most %(n)s rows in one file.") % {"n": MAX_ROWS})
    index = {c.header: header.index(c.header) for c in columns if c.header in header}
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        row = Row(number)
        for column in columns:
            position = index.get(column.header)
            raw = cells[position].strip() if position is not None and position < len(cells) else ""
            try:
                row.values[column.field] = _clean(column, raw)
            except ValidationError as exc:
                row.errors.append(f"{column.header}: {' '.join(exc.messages)}")
        rows.append(row)
    _check_duplicates_in_file(rows)
    _warn_about_existing_people(rows)
    return rows


def _clean(column, raw):
    if column.required and not raw:
        raise ValidationError(_("This field is required."))
    if raw.startswith(FORMULA_STARTS) and column.kind not in {"phone"}:
        raise ValidationError(_("The cell looks like a spreadsheet formula; write plain text."))
    if len(raw) > column.max_length:
        raise ValidationError(_("At most %(n)s characters.") % {"n": column.max_length})
    if any(ord(c) < 32 for c in raw):
        raise ValidationError(_("The cell holds control characters."))
    if column.kind == "phone":
        if raw.startswith(("=", "@")):
            raise ValidationError(_("The cell looks like a spreadsheet formula; write plain text."))
        return normalise_phone(raw)
    if column.kind == "email":
        if raw:
            validate_email(raw)
        return raw.lower()
    if column.kind == "postcode":
        if raw and not (len(raw) == 4 and _digits(raw)):
            raise ValidationError(_("A Danish postcode has four digits."))
        return raw
    if column.kind == "year":
        return _year(raw, oldest=1930, youngest=date.today().year - 15)
    if column.kind == "yesno":
        if raw.lower() in YES:
            return ConsentState.GIVEN
        if raw.lower() in NO:
            return ConsentState.MISSING if raw == "" else ConsentState.REFUSED
        raise ValidationError(_("Write ja or nej."))
    if column.kind == "channel":
        if raw.lower() not in CHANNELS:
            raise ValidationError(_("Write sms, mail, begge or brev."))
        return CHANNELS[raw.lower()]
    if column.kind == "programmes":
        values = [p.strip().lower() for p in raw.replace(",", ";").split(";") if p.strip()]
        unknown = [p for p in values if p not in PROGRAMMES]
        if unknown:
            raise ValidationError(
                _("Unknown programme: %(names)s. Use %(known)s.")
                % {"names": ", ".join(unknown), "known": ", ".join(PROGRAMMES)}
            )
        return [PROGRAMMES[p] for p in values]
    if column.kind == "children":
        return _children(raw)
    return raw


def _digits(raw):
    """0–9 only: str.isdigit() also says yes to "²" and "٣", which int() refuses or
    reads as another digit."""
    return raw.isascii() and raw.isdigit()


def _year(raw, *, oldest, youngest):
    if not raw:
        return None
    if not (_digits(raw) and oldest <= int(raw) <= youngest):
        raise ValidationError(
            _("Write a year between %(oldest)s and %(youngest)s.")
            % {"oldest": oldest, "youngest": youngest}
        )
    return int(raw)


def _children(raw):
    """ "Ida 2015; Oscar 2018" → [["Ida", 2015], ["Oscar", 2018]]."""
    children = []
    this_year = date.today().year
    for part in [p.strip() for p in raw.split(";") if p.strip()]:
        name, _sep, year = part.rpartition(" ")
        if not name or not _digits(year):
            raise ValidationError(_("Write children as 'Ida 2015; Oscar 2018'."))
        children.append([name.strip(), _year(year, oldest=this_year - 25, youngest=this_year)])
    return children


def _check_duplicates_in_file(rows):
    seen = {}
    for row in rows:
        for key in ("phone", "email"):
            value = row.values.get(key)
            if not value:
                continue
            if (key, value) in seen:
                row.errors.append(
                    _("%(column)s is the same as in row %(row)s.")
                    % {"column": key, "row": seen[(key, value)]}
                )
            else:
                seen[(key, value)] = row.number


def _warn_about_existing_people(rows):
    """A phone or e-mail already on record is worth a second look, not a refusal; the
    warning names no record, since the importer may not be allowed to see it."""
    phones = {r.values.get("phone") for r in rows} - {"", None}
    emails = {r.values.get("email") for r in rows} - {"", None}
    known = set()
    for model in (Parent, Volunteer):
        known |= set(model.objects.filter(phone__in=phones).values_list("phone", flat=True))
        known |= set(model.objects.filter(email__in=emails).values_list("email", flat=True))
    for row in rows:
        for key in ("phone", "email"):
            if row.values.get(key) and row.values[key] in known:
                row.warnings.append(
                    _("A person with this %(column)s is already registered.")
                    % {"column": _("phone") if key == "phone" else _("e-mail")}
                )


def store_checked(rows, *, kind, branch_id):
    """Keep checked rows until the commit; returns the token that names them."""
    token = secrets.token_urlsafe(16)
    folder = settings.DATA_DIR / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    payload = {"kind": kind, "branch": branch_id, "rows": [r.values for r in rows]}
    (folder / f"{token}.json").write_text(json.dumps(payload), encoding="utf-8")
    return token


def load_checked(token):
    expired = ImportFileError(_("The preview has expired; upload the file again."))
    # The token's own shape first (store_checked's are 22 characters): a long or odd one
    # never becomes a path, where it would make the file system raise.
    bare = (token or "").replace("-", "").replace("_", "")
    if not bare or len(token) > 64 or not (bare.isascii() and bare.isalnum()):
        raise expired
    path = settings.DATA_DIR / "imports" / f"{token}.json"
    if not path.exists():
        raise expired
    return path, json.loads(path.read_text(encoding="utf-8"))


@transaction.atomic
def commit_import(token, *, branch, actor):
    """Save every checked row, or none if anything fails (a whole-file transaction)."""
    from familien.services.families import register_family
    from familien.services.volunteers import register_volunteer

    path, payload = load_checked(token)
    created = 0
    for values in payload["rows"]:
        if payload["kind"] == "families":
            family = Family(
                branch=branch,
                name=values["family_name"],
                address=values.get("address", ""),
                postcode=values.get("postcode", ""),
                city=values.get("city", ""),
            )
            parent = Parent(
                first_name=values["first_name"],
                last_name=values["last_name"],
                phone=values.get("phone", ""),
                email=values.get("email", ""),
                preferred_channel=values.get("preferred_channel") or SurveyChannel.SMS,
            )
            children = [
                Child(first_name=name, birth_year=year) for name, year in values.get("children", [])
            ]
            register_family(
                family,
                [parent],
                children,
                actor=actor,
                data_consent=values.get("data_consent") or ConsentState.MISSING,
                evaluation_consent=values.get("evaluation_consent") or ConsentState.MISSING,
                notify=False,
            )
        else:
            volunteer = Volunteer(
                branch=branch,
                first_name=values["first_name"],
                last_name=values["last_name"],
                phone=values.get("phone", ""),
                email=values.get("email", ""),
                postcode=values.get("postcode", ""),
                birth_year=values.get("birth_year"),
                programmes=values.get("programmes", []),
            )
            register_volunteer(volunteer, actor=actor, tags=[], new_tag_names=[], notify=False)
        created += 1
    if actor.role == Role.CENTRAL and created:
        _notify_branch_of_central_import(branch, payload["kind"], created)
    transaction.on_commit(lambda: path.unlink(missing_ok=True))
    return created


def _notify_branch_of_central_import(branch, kind, count):
    """One note for a whole central import, not one per row (report section 7.1)."""
    from familien.services.notifications import notify_branch_leaders

    families = kind == "families"
    with translation.override("da"):
        text = (
            _("The central corps has imported %(n)s families in %(branch)s.")
            if families
            else _("The central corps has imported %(n)s volunteers in %(branch)s.")
        ) % {"n": count, "branch": branch.name}
    notify_branch_leaders(
        branch,
        kind=Notification.Kind.CENTRAL_FAMILY if families else Notification.Kind.CENTRAL_VOLUNTEER,
        link=reverse("family_list" if families else "volunteer_list"),
        text=text,
    )
