"""Spreadsheet import: preview every row, then save all or nothing."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from familien.models import ConsentState, Family, Volunteer
from tests.conftest import login

FAMILY_HEADER = (
    "familie;adresse;postnummer;by;fornavn;efternavn;telefon;email;kanal;børn;"
    "samtykke_data;samtykke_evaluering"
)


def family_csv(*lines, header=FAMILY_HEADER, encoding="utf-8"):
    text = "\n".join([header, *lines]) + "\n"
    return SimpleUploadedFile("familier.csv", text.encode(encoding), content_type="text/csv")


def upload(client, world, file, kind="families"):
    return client.post(
        reverse("import_upload"),
        {"kind": kind, "branch": world.branch_a.pk, "file": file},
    )


GOOD_ROWS = [
    "Familien Ærø;Søndergade 1;5000;Odense;Mette;Ærø;12 34 56 78;mette@example.org;sms;"
    + '"Ida 2015; Oscar 2018";ja;ja',
    "Familien Holm;Vestergade 2;5000;Odense;Bo;Holm;+45 87654321;;brev;;ja;nej",
]


@pytest.fixture
def leader(world, client):
    login(client, world.users["leader"])
    return client


def test_a_good_csv_is_previewed_then_saved_whole(world, leader):
    before = Family.objects.count()
    preview = upload(leader, world, family_csv(*GOOD_ROWS))
    page = preview.content.decode()
    assert "Gem alle rækker" in page
    assert Family.objects.count() == before  # nothing saved by the preview

    response = leader.post(reverse("import_commit"))
    assert response.status_code == 302
    assert Family.objects.count() == before + 2
    aero = Family.objects.get(name="Familien Ærø")
    assert aero.branch == world.branch_a
    parent = aero.parents.get()
    assert parent.phone == "+4512345678"
    assert sorted(aero.children.values_list("first_name", "birth_year")) == [
        ("Ida", 2015),
        ("Oscar", 2018),
    ]
    assert aero.evaluation_consent == ConsentState.GIVEN
    holm = Family.objects.get(name="Familien Holm")
    assert holm.evaluation_consent == ConsentState.REFUSED
    assert holm.parents.get().preferred_channel == "print"


def test_one_bad_row_blocks_the_whole_file(world, leader):
    before = Family.objects.count()
    bad = "Familien Fejl;;50000;;Ole;Fejl;1234;ikke-en-mail;sms;;ja;ja"
    page = upload(leader, world, family_csv(GOOD_ROWS[0], bad)).content.decode()
    assert "1 række har fejl" in page
    assert "postnummer" in page and "telefon" in page and "email" in page
    assert "Gem alle rækker" not in page
    # Even a hand-made commit finds nothing to save.
    leader.post(reverse("import_commit"))
    assert Family.objects.count() == before


def test_formula_cells_are_refused_with_a_clear_message(world, leader):
    row = '=HYPERLINK("http://x");;;;=1+1;@SUM(A1);;;sms;;ja;ja'
    page = upload(leader, world, family_csv(row)).content.decode()
    assert "Cellen ligner en regnearksformel" in page
    assert not Family.objects.filter(name__startswith="=").exists()


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (SimpleUploadedFile("tom.csv", b""), "Filen er tom."),
        (SimpleUploadedFile("noter.txt", b"hej"), "Vælg en CSV- eller XLSX-fil."),
        (SimpleUploadedFile("falsk.xlsx", b"not a zip at all"), "ikke et rigtigt XLSX-regneark"),
        (SimpleUploadedFile("brudt.xlsx", b"PK\x03\x04garbage" * 10), "kan ikke åbnes"),
        (SimpleUploadedFile("hoved.csv", b"navn;by\nA;B\n"), "Mangler: familie"),
    ],
)
def test_unreadable_files_get_a_message_and_nothing_is_saved(world, leader, file, message):
    before = Family.objects.count()
    page = upload(leader, world, file).content.decode()
    assert message in page
    assert Family.objects.count() == before


def test_a_20_mb_file_is_refused(world, leader):
    big = SimpleUploadedFile("stor.csv", FAMILY_HEADER.encode() + b"\n" + b"x;" * 10_000_000)
    page = upload(leader, world, big).content.decode()
    assert "Filen er for stor" in page


def test_windows_csv_with_commas_is_read(world, leader):
    header = FAMILY_HEADER.replace(";", ",")
    row = "Familien Ørsted,,5000,Odense,Søs,Ørsted,20304050,,mail,,ja,ja"
    file = family_csv(row, header=header, encoding="cp1252")
    assert "Gem alle rækker" in upload(leader, world, file).content.decode()
    leader.post(reverse("import_commit"))
    assert Family.objects.filter(name="Familien Ørsted").exists()


def test_volunteers_from_xlsx(world, leader):
    book = Workbook()
    sheet = book.active
    sheet.append(
        ["fornavn", "efternavn", "telefon", "email", "postnummer", "fødselsår", "forløbstyper"]
    )
    sheet.append(
        ["Karen", "Blixen", "+45 11 22 33 44", "karen@example.org", "2960", 1960, "familieven"]
    )
    sheet.append(["Hans", "Andersen", "55667788", "", "5000", 1975, "jobmentor; uddannelsesmentor"])
    buffer = io.BytesIO()
    book.save(buffer)
    file = SimpleUploadedFile("frivillige.xlsx", buffer.getvalue())
    page = upload(leader, world, file, kind="volunteers").content.decode()
    assert "Gem alle rækker" in page, page
    leader.post(reverse("import_commit"))
    hans = Volunteer.objects.get(first_name="Hans", last_name="Andersen")
    assert hans.programmes == ["job_mentor", "education_mentor"]
    assert hans.phone == "+4555667788"
    assert hans.branch == world.branch_a


def test_a_failure_while_saving_leaves_nothing_behind(world, leader, monkeypatch):
    upload(leader, world, family_csv(*GOOD_ROWS))
    before = Family.objects.count()
    from familien.services import families

    real = families.register_family
    calls = []

    def fail_on_second(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        return real(*args, **kwargs)

    monkeypatch.setattr(families, "register_family", fail_on_second)
    with pytest.raises(RuntimeError):
        leader.post(reverse("import_commit"))
    assert Family.objects.count() == before


def test_the_branch_must_be_ones_own(world, leader):
    response = leader.post(
        reverse("import_upload"),
        {"kind": "families", "branch": world.branch_b.pk, "file": family_csv(*GOOD_ROWS)},
    )
    assert "Vælg en af dine egne lokalafdelinger." in response.content.decode()


def test_a_commit_without_a_preview_says_so(world, leader):
    response = leader.post(reverse("import_commit"), follow=True)
    assert "Forhåndsvisningen er udløbet" in response.content.decode()


def test_a_thousand_rows_run_through_preview_and_commit(world, leader):
    rows = [
        f"Familien Nr{i};Gade {i};5000;Odense;Forælder;Nr{i};{20000000 + i};"
        f"f{i}@example.org;sms;Barn 2016;ja;ja"
        for i in range(1000)
    ]
    before = Family.objects.count()
    page = upload(leader, world, family_csv(*rows)).content.decode()
    assert "Gem alle rækker" in page
    leader.post(reverse("import_commit"))
    assert Family.objects.count() == before + 1000


def test_a_central_import_sends_one_note_per_leader_not_one_per_row(world, client):
    from familien.models import Notification

    login(client, world.users["central"])
    upload(client, world, family_csv(*GOOD_ROWS))
    client.post(reverse("import_commit"))
    notes = Notification.objects.filter(recipient=world.users["leader"])
    assert notes.count() == 1
    assert "importeret 2 familier i Røde Kors Odense" in notes.get().text
    assert not Notification.objects.filter(recipient=world.users["leader_other"]).exists()
