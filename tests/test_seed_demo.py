import pytest
from django.core.management import call_command
from django.test import Client

from familien.management.commands.seed_demo import DEMO_PASSWORD, USERS
from familien.models import Branch, Child, Family, Parent, Region, User, Volunteer
from matching.models import Match

pytestmark = pytest.mark.django_db

MODELS = [Branch, User, Family, Parent, Child, Volunteer, Match]


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def test_seed_demo_fills_every_region_and_a_second_run_adds_nothing(capsys):
    call_command("seed_demo", families_per_branch=3)
    first = counts()
    assert first["Branch"] >= 30
    assert set(Branch.objects.values_list("region", flat=True)) == set(Region.values)
    assert first["Family"] == 3 * first["Branch"]
    assert first["User"] == len(USERS)
    output = capsys.readouterr().out
    for email, *_ in USERS:
        assert email in output

    call_command("seed_demo", families_per_branch=3)
    assert counts() == first


@pytest.mark.parametrize(
    ("email", "expected"),
    [
        ("leder@familien.demo", "Røde Kors Odense"),
        ("korps@familien.demo", "Region Nordjylland"),
        ("opfoelgning@familien.demo", "De forløb, du følger op på."),
        ("frivillig@familien.demo", "Mine forløb"),
        ("evaluator@familien.demo", "Forløb pr. forløbstype"),
        ("admin@familien.demo", "Systemstatus"),
    ],
)
def test_every_demo_login_opens_a_danish_home_page_with_real_data(email, expected, settings):
    settings.FAMILIEN_REQUIRE_2FA = False  # as in the embedded demo
    call_command("seed_demo", families_per_branch=3)
    client = Client()
    response = client.post("/konto/log-ind/", {"username": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    page = client.get("/").content.decode()
    assert expected in page
    assert 'lang="da"' in page


def test_demo_leader_sees_only_their_branches(settings):
    settings.FAMILIEN_REQUIRE_2FA = False
    call_command("seed_demo", families_per_branch=3)
    client = Client()
    client.post("/konto/log-ind/", {"username": "leder@familien.demo", "password": DEMO_PASSWORD})
    page = client.get("/").content.decode()
    assert "Røde Kors Svendborg" in page
    assert "Røde Kors Aalborg" not in page


def test_the_demo_volunteer_sees_their_families_contact_details(settings):
    settings.FAMILIEN_REQUIRE_2FA = False  # as in the embedded demo
    call_command("seed_demo", families_per_branch=3)
    volunteer = Volunteer.objects.get(user__email="frivillig@familien.demo")
    match = Match.objects.filter(volunteer=volunteer).select_related("family").first()
    parent = match.family.parents.first()
    client = Client()
    client.post(
        "/konto/log-ind/", {"username": "frivillig@familien.demo", "password": DEMO_PASSWORD}
    )
    page = client.get("/").content.decode()
    assert match.family.name in page
    assert parent.phone in page
