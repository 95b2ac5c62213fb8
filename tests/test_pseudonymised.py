"""Evaluators get pseudonymised data only (S5/S7, ASVS 8.2.3): with families, parents,
children and volunteers seeded under known names, phone numbers, e-mail addresses and
addresses, every page the evaluator may open and every export they can ask for (built by
the job runner and fetched through the download view) holds none of them."""

import csv
import io
import re
import shutil
import subprocess
import zipfile

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from familien.models import Child, Family, Parent, Volunteer
from surveys import report_jobs
from surveys.models import ReportJob, SurveyKind
from surveys.report_forms import kinds_for
from tests.conftest import login
from tests.test_every_url import full_rules
from tests.test_exports import answer, forms, full_parent_answers, make_match, when  # noqa: F401
from tests.url_walk import iter_named_patterns

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def seeded(world, forms):  # noqa: F811
    """Two answered matches whose people carry names nobody else has."""
    for n, kind in enumerate((SurveyKind.PRE, SurveyKind.POST)):
        match, parent, volunteer = make_match(branch=world.branch_a, n=n)
        Family.objects.filter(pk=match.family_id).update(name=f"Familien Zørgensen{n}")
        Child.objects.create(family=match.family, first_name=f"Kvistine{n}", birth_year=2016)
        answer(forms["parent"], match, kind, full_parent_answers(), parent=parent, at=when(3, 4))
        answer(
            forms["volunteer"],
            match,
            SurveyKind.VOLUNTEER,
            {"XV1": "3"},
            volunteer=volunteer,
            at=when(3, 5),
        )
    return world


def identifiers():
    """Every direct identifier of every seeded person, as patterns."""
    values = set()
    for family in Family.objects.all():
        values |= {family.name, family.address}
    for parent in Parent.objects.all():
        values |= {parent.first_name, parent.last_name, parent.email, parent.postal_address}
        values.add(parent.phone)
    for child in Child.objects.all():
        values.add(child.first_name)
    for volunteer in Volunteer.objects.all():
        values |= {volunteer.first_name, volunteer.last_name, volunteer.email, volunteer.phone}
    patterns = set()
    for value in filter(None, values):
        digits = re.sub(r"\D", "", value)
        if value.startswith("+") and len(digits) >= 8:
            # A phone number in any spacing, with or without the country code.
            local = digits[-8:]
            patterns.add(r"(?<!\d)" + r"[\s.-]?".join(local) + r"(?!\d)")
        elif len(value) >= 4:
            patterns.add(re.escape(value))
    assert len(patterns) > 20
    return re.compile("|".join(sorted(patterns)), re.IGNORECASE)


def found_in(pattern, text):
    return sorted({match.group(0) for match in pattern.finditer(text)})


def texts_of(filename, content):
    """The readable text of a downloaded file: CSV (zipped or not), XLSX or PDF."""
    if filename.endswith(".zip"):
        with zipfile.ZipFile(io.BytesIO(content)) as bundle:
            for name in bundle.namelist():
                yield from texts_of(name, bundle.read(name))
    elif filename.endswith(".csv"):
        text = content.decode("utf-8-sig")
        assert list(csv.reader(io.StringIO(text), delimiter=";"))
        yield text
    elif filename.endswith(".xlsx"):
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows(values_only=True):
                yield "\t".join("" if cell is None else str(cell) for cell in row)
    elif filename.endswith(".pdf"):
        assert shutil.which("pdftotext"), "poppler-utils"
        result = subprocess.run(
            ["pdftotext", "-", "-"], input=content, capture_output=True, check=True
        )
        yield result.stdout.decode()
    else:
        raise AssertionError(f"unexpected file {filename}")


def test_the_pattern_finds_what_it_should(seeded):
    pattern = identifiers()
    parent = Parent.objects.exclude(phone="").first()
    assert found_in(pattern, f"ring {parent.phone.replace('+45', '')} i dag")
    assert found_in(pattern, "mette.hemmelig@example.org")
    assert found_in(pattern, "Familien Zørgensen1")
    assert not found_in(pattern, "Svarprocenter for Røde Kors Odense 2027")


def test_no_page_the_evaluator_may_open_shows_a_seeded_identifier(seeded):
    world = seeded
    pattern = identifiers()
    client = login(Client(), world.users["evaluator"])
    rules, url_kwargs = full_rules()
    opened, leaks = [], []
    for name, _pattern in iter_named_patterns():
        if name.startswith("admin:") or name not in rules:
            continue
        rule = rules[name]
        if (rule("evaluator") if callable(rule) else rule["evaluator"]) != 200:
            continue
        kwargs = url_kwargs[name](world) if name in url_kwargs else {}
        url = reverse(name, kwargs=kwargs)
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(url, headers=headers)
            if response.status_code != 200 or response.get("Content-Type", "").startswith("image"):
                continue
            body = b"".join(response) if response.streaming else response.content
            opened.append(name)
            hits = found_in(pattern, body.decode("utf-8", "replace"))
            if hits:
                leaks.append(f"{name}: {hits}")
    assert {"home", "reports", "survey_rates", "survey_outcomes"} <= set(opened)
    assert leaks == []


@pytest.mark.parametrize("kind", sorted(ReportJob.Kind.values))
def test_no_export_the_evaluator_can_get_holds_a_seeded_identifier(seeded, kind):
    world = seeded
    evaluator = world.users["evaluator"]
    client = login(Client(), evaluator)
    if kind not in kinds_for(evaluator):
        response = client.post(reverse("reports"), {"kind": kind})
        assert not ReportJob.objects.exists()
        assert response.status_code in (200, 400, 403)
        return
    job = ReportJob.objects.create(kind=kind, requested_by=evaluator, filters={})
    assert report_jobs.run_job(job.pk) == ReportJob.Status.DONE
    job.refresh_from_db()
    response = client.get(reverse("report_download", kwargs={"pk": job.pk}))
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    texts = list(texts_of(job.filename, content))
    # The export is not empty: it carries the answers of every seeded respondent.
    assert sum(text.count("XW1") + text.count("swemwbs") for text in texts) >= 1
    assert len("\n".join(texts).splitlines()) >= 4
    pattern = identifiers()
    assert [found_in(pattern, text) for text in texts if found_in(pattern, text)] == []
