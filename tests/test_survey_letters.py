"""Letters to post (issue 6 items 4 and 6; DOMAIN.md §14): the print attempts waiting for
staff, each a Danish PDF with the respondent's name and address, their link and the
questionnaire to fill in on paper, and "posted" once."""

import shutil
import subprocess
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from matching.models import Match
from surveys.delivery import survey_link
from surveys.letters import letters_for, postal_lines, render_letter_html
from surveys.models import Channel, ContactAttempt, Invitation, Step, SurveyKind
from tests.conftest import login
from tests.factories import (
    ChildFactory,
    FamilyFactory,
    MatchFactory,
    ParentFactory,
    VolunteerFactory,
)
from tests.test_survey_calls import add_attempt, make_invitation

Status = ContactAttempt.Status
PDFTOTEXT = shutil.which("pdftotext")


def letter_to(invitation, *, status=Status.TO_POST, **fields):
    return add_attempt(invitation, step=Step.INVITE, channel=Channel.PRINT, status=status, **fields)


@pytest.fixture
def household(world):
    """A family in branch A with two parents and a child; the letter goes to one parent."""
    family = FamilyFactory(
        branch=world.branch_a,
        name="Familien Østergaard",
        address="Vestergade 1",
        postcode="5000",
        city="Odense C",
    )
    parent = ParentFactory(
        family=family, first_name="Sofie", last_name="Østergaard", phone="", email=""
    )
    ParentFactory(family=family, first_name="Bjarne", last_name="Kjærgaard")
    ChildFactory(family=family, first_name="Viggo")
    volunteer = VolunteerFactory(branch=world.branch_a, first_name="Henrietta", last_name="Lund")
    match = MatchFactory(
        family=family, volunteer=volunteer, started_by=Match.StartedBy.LOCAL, focus="Økonomi"
    )
    invitation = make_invitation(
        match, parent=parent, attempts=1, next_step=Step.SMS_REMINDER, due=timezone.now()
    )
    return invitation


def pdf_text(content, tmp_path):
    path = tmp_path / "letter.pdf"
    path.write_bytes(content)
    return subprocess.run(
        [PDFTOTEXT, "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


# --- the list -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_list_shows_the_letters_to_post_in_the_users_matches(client, world, household):
    waiting = letter_to(household)
    posted = letter_to(household, status=Status.SENT)
    elsewhere = letter_to(make_invitation(MatchFactory(family=world.family_b)))
    closed = letter_to(
        make_invitation(world.match_a, status=Invitation.Status.OPTED_OUT, attempts=1)
    )
    leader = world.users["leader"]
    assert set(letters_for(leader)) == {waiting}
    assert set(letters_for(world.users["leader_other"])) == {elsewhere}
    assert posted not in letters_for(leader) and closed not in letters_for(leader)
    login(client, leader)
    response = client.get(reverse("survey_letters"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Sofie Østergaard" in html
    assert reverse("survey_letter_pdf", args=[waiting.pk]) in html
    assert reverse("survey_letter_posted", args=[waiting.pk]) in html
    assert reverse("survey_letter_pdf", args=[elsewhere.pk]) not in html
    # The call queue links the letters and says how many there are.
    queue = client.get(reverse("survey_call_queue"))
    assert queue.context["letters_count"] == 1


@pytest.mark.django_db
def test_a_letter_without_a_full_address_is_flagged(client, world):
    volunteer = VolunteerFactory(branch=world.branch_a, phone="", email="", postcode="5000")
    invitation = make_invitation(
        world.match_a, volunteer=volunteer, kind=SurveyKind.VOLUNTEER, next_step=Step.DONE
    )
    letter_to(invitation)
    login(client, world.users["central"])
    response = client.get(reverse("survey_letters"))
    assert response.context["page"][0].address_missing
    assert postal_lines(invitation) == [f"{volunteer.first_name} {volunteer.last_name}", "5000"]


@pytest.mark.django_db
@pytest.mark.parametrize("size", [3, 60])
def test_the_list_takes_a_fixed_number_of_queries(
    client, world, household, django_assert_max_num_queries, size
):
    for _ in range(size):
        parent = ParentFactory(family=household.parent.family)
        letter_to(make_invitation(household.match, parent=parent, next_step=Step.SMS_REMINDER))
    login(client, world.users["leader"])
    client.get(reverse("survey_letters"))
    with django_assert_max_num_queries(15) as captured:
        response = client.get(reverse("survey_letters"))
    assert response.status_code == 200
    assert len(captured.captured_queries) == LIST_QUERIES.setdefault(
        "n", len(captured.captured_queries)
    )


LIST_QUERIES = {}


# --- the letter ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_letter_is_danish_with_the_address_link_and_the_forms_questions(household):
    letter = letter_to(household)
    html = render_letter_html(letter)
    assert '<html lang="da">' in html
    assert "Sofie Østergaard" in html
    assert "Vestergade 1" in html and "5000 Odense C" in html
    assert survey_link(household) in html
    assert "Kære Sofie" in html
    assert "Det tager cirka ti minutter." in html  # the questionnaire's own introduction
    # The pre survey's questions with their options; the post-only item is left out.
    assert "1. Hvor tilfreds er du med dit liv for tiden?" in html
    assert "Meget tilfreds" in html and "Utilfreds" in html
    assert "2. Hvordan har du det alt i alt?" in html
    assert all(f"</span>{number}</span>" in html for number in range(0, 11))
    assert "3. Er der andet, du vil fortælle os?" in html
    assert "Hvad har I lavet sammen?" not in html
    assert "Sæt ét kryds." in html
    assert f"Skemanummer {household.pk}" in html
    # Block layout only: WeasyPrint paginates blocks reliably.
    assert "flex" not in html and "grid" not in html


@pytest.mark.django_db
def test_the_post_letter_has_the_post_only_question(household):
    Invitation.objects.filter(pk=household.pk).update(kind=SurveyKind.POST)
    html = render_letter_html(letter_to(Invitation.objects.get(pk=household.pk)))
    assert "4. Hvad har I lavet sammen?" in html
    assert "Sæt gerne flere krydser." in html


@pytest.mark.django_db
def test_a_parents_own_postal_address_wins_over_the_familys(household):
    parent = household.parent
    parent.postal_address = "Postboks 12"
    parent.postal_postcode = "5100"
    parent.postal_city = "Odense C"
    parent.save()
    assert postal_lines(Invitation.objects.get(pk=household.pk)) == [
        "Sofie Østergaard",
        "Postboks 12",
        "5100 Odense C",
    ]


@pytest.mark.django_db
def test_the_pdf_downloads_without_names_in_the_file_name(client, world, household, tmp_path):
    letter = letter_to(household)
    login(client, world.users["leader"])
    response = client.get(reverse("survey_letter_pdf", args=[letter.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"] == f'attachment; filename="brev-{letter.pk}.pdf"'
    assert "no-store" in response["Cache-Control"]
    assert PDFTOTEXT, "pdftotext (Debian poppler-utils) is needed; .ci/run installs it"
    text = pdf_text(response.content, tmp_path)
    assert "Sofie Østergaard" in text
    assert "Vestergade 1" in text
    assert "Hvor tilfreds er du med dit liv for tiden?" in text
    assert "Meget tilfreds" in text
    assert "Er der andet, du vil fortælle os?" in text
    # Nobody else of the family, not the volunteer, nothing of the case.
    for other in ("Bjarne", "Kjærgaard", "Viggo", "Henrietta", "Familien Østergaard", "Økonomi"):
        assert other not in text, other
    assert world.branch_a.name not in text


@pytest.mark.django_db
def test_the_pdf_is_scoped(client, world, household):
    letter = letter_to(household)
    url = reverse("survey_letter_pdf", args=[letter.pk])
    for name, expected in [
        ("leader_other", 404),
        ("followup", 404),
        ("volunteer", 403),
        ("evaluator", 403),
    ]:
        login(client, world.users[name])
        assert client.get(url).status_code == expected, name
    # A queued (not yet printed) attempt is no letter.
    queued = add_attempt(household, channel=Channel.SMS, status=Status.QUEUED)
    login(client, world.users["leader"])
    assert client.get(reverse("survey_letter_pdf", args=[queued.pk])).status_code == 404


# --- posted -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_marking_a_letter_posted_happens_once(client, world, household):
    letter = letter_to(household)
    leader = world.users["leader"]
    login(client, leader)
    url = reverse("survey_letter_posted", args=[letter.pk])
    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("survey_letters")
    assert "Brevet er markeret som sendt." in response.content.decode()
    letter.refresh_from_db()
    assert letter.status == Status.SENT
    assert letter.by == leader
    assert letter.sent_at is not None
    first_sent_at = letter.sent_at

    login(client, world.users["admin"])
    again = client.post(url, follow=True)
    assert "Brevet var allerede markeret som sendt." in again.content.decode()
    letter.refresh_from_db()
    assert letter.sent_at == first_sent_at
    assert letter.by == leader
    assert not letters_for(leader).exists()


@pytest.mark.django_db
def test_posted_is_post_only_and_scoped(client, world, household):
    letter = letter_to(household)
    url = reverse("survey_letter_posted", args=[letter.pk])
    login(client, world.users["leader"])
    assert client.get(url).status_code == 405
    login(client, world.users["leader_other"])
    assert client.post(url).status_code == 404
    login(client, world.users["evaluator"])
    assert client.post(url).status_code == 403
    letter.refresh_from_db()
    assert letter.status == Status.TO_POST


@pytest.mark.django_db
def test_the_letter_page_never_shows_letters_of_closed_invitations(client, world, household):
    letter_to(household)
    Invitation.objects.filter(pk=household.pk).update(
        status=Invitation.Status.ANSWERED, closed_at=timezone.now() - timedelta(hours=1)
    )
    login(client, world.users["leader"])
    assert client.get(reverse("survey_letters")).context["page"].paginator.count == 0
