"""Partners, their contact persons and the families they refer (issue 3 item 6)."""

import random
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from faker import Faker

from familien.access import partners_for
from familien.models import ConsentState, Family, Partner, PartnerContact
from tests.conftest import login
from tests.factories import BranchFactory, FamilyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def partners(world):
    return {
        "a": Partner.objects.create(
            name="Jobcenter Odense", kind="jobcenter", branch=world.branch_a
        ),
        "b": Partner.objects.create(name="PPR Aalborg", kind="ppr", branch=world.branch_b),
        "national": Partner.objects.create(name="Landsforeningen", kind="other"),
    }


def names(client, **params):
    response = client.get(reverse("partner_list"), params)
    assert response.status_code == 200
    return [p.name for p in response.context["page"]]


def test_a_leader_sees_own_and_national_partners_central_sees_all(client, world, partners):
    login(client, world.users["leader"])
    assert names(client) == ["Jobcenter Odense", "Landsforeningen"]
    assert client.get(reverse("partner_detail", args=[partners["b"].pk])).status_code == 404
    assert client.get(reverse("partner_edit", args=[partners["b"].pk])).status_code == 404
    login(client, world.users["central"])
    assert names(client) == ["Jobcenter Odense", "Landsforeningen", "PPR Aalborg"]
    assert names(client, q="aalborg") == ["PPR Aalborg"]
    assert names(client, kind="jobcenter") == ["Jobcenter Odense"]
    for role in ("followup", "volunteer", "evaluator"):
        assert not partners_for(world.users[role]).exists()


def test_national_partners_are_read_only_for_leaders(client, world, partners):
    login(client, world.users["leader"])
    url = reverse("partner_detail", args=[partners["national"].pk])
    assert client.get(url).status_code == 200
    assert client.get(reverse("partner_edit", args=[partners["national"].pk])).status_code == 403
    contact_url = reverse("partner_contact_create", args=[partners["national"].pk])
    assert client.post(contact_url, {"name": "X"}).status_code == 403
    assert not PartnerContact.objects.exists()


def test_leader_creates_and_edits_a_partner_in_their_branch_only(client, world):
    login(client, world.users["leader"])
    data = {"name": "Sundhedsplejen", "kind": "health_visitor", "phone": "66 11 22 33"}
    response = client.post(reverse("partner_create"), data | {"branch": world.branch_b.pk})
    assert response.status_code == 200 and "branch" in response.context["form"].errors
    response = client.post(reverse("partner_create"), data)  # no branch: leaders need one
    assert response.status_code == 200 and "branch" in response.context["form"].errors
    response = client.post(reverse("partner_create"), data | {"branch": world.branch_a.pk})
    partner = Partner.objects.get(name="Sundhedsplejen")
    assert response["Location"] == reverse("partner_detail", args=[partner.pk])
    assert partner.phone == "+4566112233" and partner.branch == world.branch_a
    edit = client.post(
        reverse("partner_edit", args=[partner.pk]),
        {"name": "Sundhedsplejen Odense", "kind": "health_visitor", "branch": world.branch_a.pk},
    )
    assert edit.status_code == 302
    partner.refresh_from_db()
    assert partner.name == "Sundhedsplejen Odense"


def test_central_creates_a_national_partner(client, world):
    login(client, world.users["central"])
    response = client.post(reverse("partner_create"), {"name": "Landsdækkende", "kind": "other"})
    assert response.status_code == 302
    assert Partner.objects.get(name="Landsdækkende").branch is None


@pytest.mark.parametrize(
    "field,value", [("phone", "123"), ("email", "ikke-en-mail"), ("name", ""), ("kind", "x")]
)
def test_bad_partner_input_is_refused_beside_the_field(client, world, field, value):
    login(client, world.users["central"])
    data = {"name": "Ny", "kind": "other"} | {field: value}
    response = client.post(reverse("partner_create"), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Partner.objects.exists()


def test_contact_person_round_trip(client, world, partners):
    login(client, world.users["leader"])
    url = reverse("partner_contact_create", args=[partners["a"].pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"name": "", "phone": "12"})
    assert {"name", "phone"} <= set(response.context["form"].errors)
    response = client.post(
        url, {"name": "Karin Kontakt", "title": "Jobkonsulent", "phone": "12 34 56 78"}
    )
    assert response.status_code == 302
    contact = partners["a"].contacts.get()
    assert contact.phone == "+4512345678"
    page = client.get(reverse("partner_detail", args=[partners["a"].pk])).content.decode()
    assert "Karin Kontakt" in page and "+45 12 34 56 78" in page


def test_detail_lists_only_visible_referrals_with_counts_per_year(client, world, partners):
    national = partners["national"]
    FamilyFactory(
        branch=world.branch_a,
        name="Familien Synlig",
        referral_partner=national,
        referred_on=date(2025, 3, 1),
        evaluation_consent=ConsentState.WITHDRAWN,
    )
    FamilyFactory(
        branch=world.branch_a,
        name="Familien To",
        referral_partner=national,
        referred_on=date(2026, 2, 1),
    )
    FamilyFactory(
        branch=world.branch_b,
        name="Familien Skjult",
        referral_partner=national,
        referred_on=date(2026, 2, 1),
    )
    login(client, world.users["leader"])
    response = client.get(reverse("partner_detail", args=[national.pk]))
    text = response.content.decode()
    assert "Familien Synlig" in text and "Familien Skjult" not in text
    assert "consent-badge" in text
    assert response.context["per_year"] == [(2026, 1), (2025, 1)]
    assert names(client) == ["Jobcenter Odense", "Landsforeningen"]
    listed = {p.name: p.referrals for p in client.get(reverse("partner_list")).context["page"]}
    assert listed["Landsforeningen"] == 2  # branch B's referral is not counted for A's leader
    login(client, world.users["central"])
    assert client.get(reverse("partner_detail", args=[national.pk])).context["per_year"] == [
        (2026, 2),
        (2025, 1),
    ]


def build(rows, branch):
    for i in range(rows):
        partner = Partner.objects.create(name=f"Partner {i}", kind="other", branch=branch)
        PartnerContact.objects.create(partner=partner, name="K")
        FamilyFactory(branch=branch, referral_partner=partner)


def count(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_partner_list_and_detail_cost_the_same_at_10_and_200_rows(
    client, world, django_assert_max_num_queries
):
    # session, user, OTP device, count, page (with the referral count as a subquery)
    login(client, world.users["leader"])
    national = Partner.objects.create(name="Landsdækkende", kind="other")
    FamilyFactory(branch=world.branch_a, referral_partner=national)
    detail = reverse("partner_detail", args=[national.pk])
    build(10, world.branch_a)
    small_list, small_detail = count(client, reverse("partner_list")), count(client, detail)
    build(190, world.branch_a)
    for _ in range(50):
        FamilyFactory(branch=world.branch_a, referral_partner=national)
    with django_assert_max_num_queries(small_list):
        assert client.get(reverse("partner_list")).status_code == 200
    with django_assert_max_num_queries(small_detail):
        assert client.get(detail).status_code == 200
    assert small_list <= 10


def test_demo_partners_and_families_are_realistic(db):
    from familien.demo.families import make_family, make_partners

    fake, rng = Faker("da_DK"), random.Random(4)
    branch = BranchFactory(municipality="Odense")
    partners = make_partners(fake, rng, branch)
    assert 3 <= len(partners) <= 4 and all(p.contacts.exists() for p in partners)
    families = [make_family(fake, rng, branch, date(2026, 5, 1), partners) for _ in range(60)]
    assert any(f.referral_partner for f in families)
    assert all(f.reasons and f.search_text for f in families)
    phones = [p.phone for f in families for p in f.parents.all()]
    assert all(p.startswith("+45") and len(p) == 11 for p in phones)
    states = {f.evaluation_consent for f in Family.objects.all()}
    assert ConsentState.GIVEN in states
    assert states - {ConsentState.GIVEN}  # a few refused or withdrawn
    assert all(f.consents.exists() for f in families)
