"""The aftalepapir / mentoraftale as a PDF (issue 4 item 5; DOMAIN.md §3.4)."""

from datetime import date

import pytest
from django.urls import reverse

from familien.models import FrameworkAgreement, Programme, Role
from matching.agreement_pdf import render_agreement_html
from matching.models import Agreement, Match
from tests.conftest import login
from tests.factories import UserFactory


def agree(match, **fields):
    Match.objects.filter(pk=match.pk).update(started_on=date(2026, 3, 2))
    match.refresh_from_db()
    defaults = {
        "focus": "Faste rutiner om aftenen",
        "planned_end": date(2027, 3, 2),
        "family_signed_on": date(2026, 3, 1),
        "volunteer_signed_on": date(2026, 3, 1),
    }
    return Agreement.objects.create(match=match, **(defaults | fields))


@pytest.mark.django_db
def test_the_pdf_downloads_without_names_in_the_file_name(client, world):
    match = world.match_a
    agree(match)
    login(client, world.users["leader"])
    response = client.get(reverse("agreement_pdf", args=[match.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"] == f'attachment; filename="aftale-{match.pk}.pdf"'
    assert "no-store" in response["Cache-Control"]
    for name in (world.family_a.name, world.volunteer_a.first_name, world.volunteer_a.last_name):
        assert name not in response["Content-Disposition"]


@pytest.mark.django_db
def test_the_family_friend_gets_an_aftalepapir_in_danish(world):
    match = world.match_a
    agree(match)
    html = render_agreement_html(Match.objects.get(pk=match.pk))
    assert "<h1>Aftalepapir</h1>" in html
    assert world.family_a.name in html
    assert f"{world.volunteer_a.first_name} {world.volunteer_a.last_name}" in html
    assert "Faste rutiner om aftenen" in html
    assert "ca. 2 timer hver anden uge" in html  # the family-friend default
    assert "2. marts 2027" in html  # the planned end, in Danish
    assert "aldrig alene med" in html  # the child-protection rule
    assert "Ingen individuel rammeaftale" in html


@pytest.mark.django_db
def test_a_mentor_gets_a_mentoraftale(world):
    match = world.match_a
    Match.objects.filter(pk=match.pk).update(programme=Programme.JOB_MENTOR)
    agree(match, meeting_frequency="1 time om ugen")
    html = render_agreement_html(Match.objects.get(pk=match.pk))
    assert "<h1>Mentoraftale</h1>" in html
    assert "1 time om ugen" in html


@pytest.mark.django_db
def test_a_framework_agreement_valid_at_the_start_is_listed(world):
    match = world.match_a
    agree(match)
    FrameworkAgreement.objects.create(
        volunteer=world.volunteer_a,
        family=world.family_a,
        scope="Må hente Ida fra fodbold om tirsdagen",
        valid_from=date(2026, 1, 1),
        valid_to=date(2026, 12, 31),
    )
    FrameworkAgreement.objects.create(
        volunteer=world.volunteer_a,
        family=world.family_a,
        scope="Udløbet aftale",
        valid_from=date(2024, 1, 1),
        valid_to=date(2024, 12, 31),
    )
    html = render_agreement_html(Match.objects.get(pk=match.pk))
    assert "Må hente Ida fra fodbold om tirsdagen" in html
    assert "Udløbet aftale" not in html


@pytest.mark.django_db
def test_access_to_the_pdf(client, world):
    match = world.match_a
    url = reverse("agreement_pdf", args=[match.pk])
    login(client, world.users["leader"])
    assert client.get(url).status_code == 404  # not written yet
    agree(match)
    for role, expected in [
        ("leader_other", 404),
        ("followup_other", 404),
        ("volunteer_other", 404),
        ("evaluator", 403),
        ("volunteer", 200),
        ("central", 200),
    ]:
        login(client, world.users[role])
        assert client.get(url).status_code == expected, role
    other_leader = UserFactory(role=Role.LEADER, branches=[world.branch_b])
    login(client, other_leader)
    assert client.get(url).status_code == 404
