"""Families: list, create, edit, detail, consents (issue 3 items 1, 2, 8, 11)."""

from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from familien.models import (
    ArrivalChannel,
    Consent,
    ConsentState,
    Family,
    Notification,
    Parent,
    Partner,
    PartnerContact,
    Role,
    SupportReason,
)
from tests.access_rules_families import FAMILY_RULES, FAMILY_URL_KWARGS
from tests.conftest import login
from tests.factories import (
    ChildFactory,
    FamilyFactory,
    ParentFactory,
    UserFactory,
    VolunteerFactory,
)
from tests.url_walk import ROLES, outcome

pytestmark = pytest.mark.django_db


def test_family_and_partner_urls_as_every_role(world):
    """The rows of tests/access_rules_families.py, walked on their own (the full walk in
    test_every_url.py covers them too)."""
    mismatches = []
    for role in ROLES:
        client = Client()
        if role != "anonymous":
            login(client, world.users[role])
        for name, rule in FAMILY_RULES.items():
            kwargs = FAMILY_URL_KWARGS[name](world) if name in FAMILY_URL_KWARGS else {}
            got = outcome(client.get(reverse(name, kwargs=kwargs)))
            if got != rule[role]:
                mismatches.append((name, role, rule[role], got))
    assert mismatches == []


# --- helpers ---------------------------------------------------------------------------

THIS_YEAR = date.today().year


def management(prefix, total, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def family_data(branch, *, parents=None, children=None, consent=True, **family):
    """The POST of the create page: one family, its parents and children, two answers."""
    data = {
        "family-name": "Familien Jensen",
        "family-branch": str(branch.pk),
        "family-address": "Vestergade 1",
        "family-postcode": "5000",
        "family-city": "Odense",
        "family-reasons": [SupportReason.TALK_DAILY_LIFE, SupportReason.FINANCES],
        "family-languages": ["da", "ar"],
    }
    data.update({f"family-{k}": v for k, v in family.items()})
    parents = parents if parents is not None else [{"first_name": "Mette", "phone": "12345678"}]
    children = children if children is not None else [{"first_name": "Ida", "birth_year": 2017}]
    data.update(management("parents", len(parents)))
    for i, parent in enumerate(parents):
        row = {"last_name": "Jensen", "preferred_channel": "sms", "gender": "female"} | parent
        data.update({f"parents-{i}-{k}": v for k, v in row.items()})
    data.update(management("children", len(children)))
    for i, child in enumerate(children):
        data.update({f"children-{i}-{k}": v for k, v in child.items()})
    if consent:
        data["data_consent"] = ConsentState.GIVEN
        data["evaluation_consent"] = ConsentState.GIVEN
    return data


def as_user(client, world, role):
    return login(client, world.users[role])


def create(client, data):
    return client.post(reverse("family_create"), data)


# --- create ----------------------------------------------------------------------------


def test_leader_registers_a_family_referred_by_a_jobcenter(client, world):
    as_user(client, world, "leader")
    partner = Partner.objects.create(
        name="Jobcenter Odense", kind=Partner.Kind.JOBCENTER, branch=world.branch_a
    )
    contact = PartnerContact.objects.create(partner=partner, name="Karin")
    data = family_data(
        world.branch_a,
        parents=[
            {"first_name": "Søren", "phone": "+45 12 34 56 78", "email": "Soeren@Example.DK"},
        ],
        children=[
            {"first_name": "Ida", "birth_year": THIS_YEAR - 8, "support_concerns": "on"},
            {"first_name": "Aske", "birth_year": THIS_YEAR - 12, "school_class": "6.b"},
        ],
        arrival_channel=ArrivalChannel.PARTNER,
        referral_partner=str(partner.pk),
        referral_contact=str(contact.pk),
        referred_on="2026-01-10",
        needs_interpreter="on",
        sensitive_notes="Hemmeligt",
    )
    response = create(client, data)
    family = Family.objects.get(name="Familien Jensen")
    assert response.status_code == 302
    assert response["Location"] == reverse("family_detail", args=[family.pk])
    assert family.branch == world.branch_a
    assert family.referral_partner == partner and family.referral_contact == contact
    assert family.reasons == [SupportReason.TALK_DAILY_LIFE, SupportReason.FINANCES]
    assert family.languages == ["da", "ar"] and family.needs_interpreter
    assert family.registered_by == world.users["leader"] and not family.registered_centrally
    parent = family.parents.get()
    assert parent.phone == "+4512345678" and parent.email == "soeren@example.dk"
    assert family.children.count() == 2
    assert family.evaluation_consent == ConsentState.GIVEN
    assert family.data_consent == ConsentState.GIVEN
    assert family.consents.filter(recorded_by=world.users["leader"]).count() == 2
    assert "soeren" in family.search_text and "12345678" in family.search_text

    page = client.get(response["Location"])
    text = page.content.decode()
    assert "+45 12 34 56 78" in text  # display_phone
    assert "Hemmeligt" in text
    assert "Jobcenter Odense" in text


def test_create_page_shows_every_section(client, world):
    as_user(client, world, "leader")
    response = client.get(reverse("family_create"))
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.fields["branch"].queryset) == [world.branch_a]
    assert "evaluation_consent" in response.context["consent_form"].fields


@pytest.mark.parametrize(
    "written", ["12345678", "12 34 56 78", "+45 12 34 56 78", "0045-12345678", "(+45) 1234 5678"]
)
def test_phone_numbers_in_any_common_writing_are_stored_one_way(client, world, written):
    as_user(client, world, "leader")
    create(client, family_data(world.branch_a, parents=[{"first_name": "A", "phone": written}]))
    assert Parent.objects.get(first_name="A").phone == "+4512345678"


def assert_not_saved(response, where, field):
    """The page comes back with the message beside ``field`` and nothing in the database."""
    assert response.status_code == 200
    assert not Family.objects.filter(name="Familien Jensen").exists()
    errors = where(response.context)
    assert field in errors, errors
    assert 'class="invalid-feedback' in response.content.decode()


def parent_errors(context):
    return context["parents"].forms[0].errors


def child_errors(context):
    return context["children"].forms[0].errors


def family_errors(context):
    return context["form"].errors


# "²²²²²²²²" and Arabic-Indic digits pass str.isdigit(), yet no gateway can dial them.
@pytest.mark.parametrize(
    "written", ["1234", "12a45678", "+45 1234", "123456789", "+1 23", "²²²²²²²²", "٣٣٣٣٣٣٣٣"]
)
def test_wrong_phone_numbers_are_refused_beside_the_field(client, world, written):
    as_user(client, world, "leader")
    response = create(
        client, family_data(world.branch_a, parents=[{"first_name": "A", "phone": written}])
    )
    assert_not_saved(response, parent_errors, "phone")


def test_phone_error_is_in_danish(client, world):
    as_user(client, world, "leader")
    response = create(
        client, family_data(world.branch_a, parents=[{"first_name": "A", "phone": "1234"}])
    )
    assert "8 cifre" in response.content.decode()


@pytest.mark.parametrize("postcode", ["500", "50000", "abcd"])
def test_postcodes_have_four_digits(client, world, postcode):
    as_user(client, world, "leader")
    response = create(client, family_data(world.branch_a, postcode=postcode))
    assert_not_saved(response, family_errors, "postcode")
    response = create(
        client,
        family_data(
            world.branch_a,
            parents=[
                {
                    "first_name": "A",
                    "phone": "12345678",
                    "postal_address": "Box 1",
                    "postal_postcode": postcode,
                }
            ],
        ),
    )
    assert_not_saved(response, parent_errors, "postal_postcode")


@pytest.mark.parametrize("year", [1900, THIS_YEAR - 5, THIS_YEAR + 1, "19x0"])
def test_parent_birth_years_must_be_plausible(client, world, year):
    as_user(client, world, "leader")
    parents = [{"first_name": "A", "phone": "12345678", "birth_year": year}]
    response = create(client, family_data(world.branch_a, parents=parents))
    assert_not_saved(response, parent_errors, "birth_year")


@pytest.mark.parametrize("year", [THIS_YEAR - 30, THIS_YEAR + 1, ""])
def test_child_birth_years_must_be_plausible(client, world, year):
    as_user(client, world, "leader")
    response = create(
        client, family_data(world.branch_a, children=[{"first_name": "Ida", "birth_year": year}])
    )
    assert_not_saved(response, child_errors, "birth_year")


@pytest.mark.parametrize("email", ["mette@", "mette.example.dk", "a b@example.dk"])
def test_wrong_email_is_refused(client, world, email):
    as_user(client, world, "leader")
    parents = [{"first_name": "A", "phone": "12345678", "email": email}]
    response = create(client, family_data(world.branch_a, parents=parents))
    assert_not_saved(response, parent_errors, "email")


def test_sms_invitations_need_a_phone_and_mail_an_email(client, world):
    as_user(client, world, "leader")
    response = create(client, family_data(world.branch_a, parents=[{"first_name": "A"}]))
    assert_not_saved(response, parent_errors, "phone")
    parents = [{"first_name": "A", "phone": "12345678", "preferred_channel": "both"}]
    response = create(client, family_data(world.branch_a, parents=parents))
    assert_not_saved(response, parent_errors, "email")


def test_a_family_needs_a_parent_a_name_and_both_consent_answers(client, world):
    as_user(client, world, "leader")
    response = create(client, family_data(world.branch_a, parents=[]))
    assert response.status_code == 200
    assert response.context["parents"].non_form_errors()
    response = create(client, family_data(world.branch_a, name=""))
    assert_not_saved(response, family_errors, "name")
    response = create(client, family_data(world.branch_a, consent=False))
    assert response.status_code == 200
    assert "evaluation_consent" in response.context["consent_form"].errors
    assert not Family.objects.filter(name="Familien Jensen").exists()


def test_a_leader_cannot_register_in_another_branch_or_name_its_partner(client, world):
    as_user(client, world, "leader")
    response = create(client, family_data(world.branch_b))
    assert_not_saved(response, family_errors, "branch")
    other = Partner.objects.create(name="PPR Aalborg", kind="ppr", branch=world.branch_b)
    response = create(client, family_data(world.branch_a, referral_partner=str(other.pk)))
    assert_not_saved(response, family_errors, "referral_partner")


def test_central_cannot_name_another_branchs_partner(client, world):
    as_user(client, world, "central")
    other = Partner.objects.create(name="PPR Aalborg", kind="ppr", branch=world.branch_b)
    national = Partner.objects.create(name="Landsdækkende", kind="other")
    response = create(client, family_data(world.branch_a, referral_partner=str(other.pk)))
    assert_not_saved(response, family_errors, "referral_partner")
    response = create(client, family_data(world.branch_a, referral_partner=str(national.pk)))
    assert response.status_code == 302
    family = Family.objects.get(name="Familien Jensen")
    assert family.referral_partner == national
    assert family.arrival_channel == ArrivalChannel.PARTNER  # a named partner implies it


def test_partner_arrival_needs_a_partner(client, world):
    as_user(client, world, "leader")
    response = create(client, family_data(world.branch_a, arrival_channel="partner"))
    assert_not_saved(response, family_errors, "referral_partner")


def test_a_script_tag_in_a_name_is_stored_as_text_and_shown_escaped(client, world):
    as_user(client, world, "leader")
    name = "<script>alert('x')</script>"
    data = family_data(world.branch_a, parents=[{"first_name": name, "phone": "12345678"}])
    data["family-name"] = name
    response = create(client, data)
    family = Family.objects.get(name=name)
    assert family.parents.get().first_name == name
    for url in (response["Location"], reverse("family_list")):
        text = client.get(url).content.decode()
        assert "<script>alert(" not in text
        assert "&lt;script&gt;alert(" in text


# --- duplicates ------------------------------------------------------------------------


@pytest.fixture
def known_parent(world):
    return ParentFactory(
        family=world.family_a, first_name="Kendt", phone="+4577777777", email="kendt@example.dk"
    )


def test_a_known_phone_warns_with_a_link_and_saves_only_when_ticked(client, world, known_parent):
    as_user(client, world, "leader")
    data = family_data(world.branch_a, parents=[{"first_name": "Ny", "phone": "77 77 77 77"}])
    response = create(client, data)
    assert response.status_code == 200
    assert not Family.objects.filter(name="Familien Jensen").exists()
    text = response.content.decode()
    assert reverse("family_detail", args=[world.family_a.pk]) in text
    assert world.family_a.name in text
    response = create(client, data | {"save_anyway": "on"})
    assert response.status_code == 302
    assert Family.objects.filter(name="Familien Jensen").exists()


def test_a_known_email_of_a_volunteer_warns(client, world):
    VolunteerFactory(branch=world.branch_a, email="frida@example.dk")
    as_user(client, world, "leader")
    parents = [{"first_name": "Ny", "phone": "12345678", "email": "Frida@example.dk"}]
    response = create(client, family_data(world.branch_a, parents=parents))
    assert response.status_code == 200
    assert response.context["duplicates"][0].kind == "volunteer"
    assert response.context["duplicates"][0].url


def test_a_known_phone_in_another_branch_warns_without_details(client, world, known_parent):
    as_user(client, world, "leader_other")
    data = family_data(world.branch_b, parents=[{"first_name": "Ny", "phone": "77777777"}])
    response = create(client, data)
    assert response.status_code == 200
    text = response.content.decode()
    assert world.family_a.name not in text and "Kendt" not in text
    assert reverse("family_detail", args=[world.family_a.pk]) not in text
    assert response.context["duplicates"][0].url == ""
    assert create(client, data | {"save_anyway": "on"}).status_code == 302


# --- central registration --------------------------------------------------------------


def test_central_registration_notifies_the_branch_leaders(client, world):
    second_leader = UserFactory(role=Role.LEADER, branches=[world.branch_a])
    as_user(client, world, "central")
    response = create(client, family_data(world.branch_a))
    family = Family.objects.get(name="Familien Jensen")
    assert response.status_code == 302
    assert family.registered_centrally and family.registered_by == world.users["central"]
    notified = set(
        Notification.objects.filter(kind=Notification.Kind.CENTRAL_FAMILY).values_list(
            "recipient", flat=True
        )
    )
    assert notified == {world.users["leader"].pk, second_leader.pk}
    assert Notification.objects.filter(link=reverse("family_detail", args=[family.pk])).exists()


def test_a_leaders_registration_notifies_nobody(client, world):
    as_user(client, world, "leader")
    create(client, family_data(world.branch_a))
    assert not Notification.objects.exists()


# --- edit ------------------------------------------------------------------------------


def edit_data(family):
    """The edit page's own POST for ``family``, as the browser would send it unchanged."""
    parents = list(family.parents.all())
    children = list(family.children.all())
    data = {
        "family-name": family.name,
        "family-branch": str(family.branch_id),
        "family-status": family.status,
        "family-postcode": family.postcode,
    }
    data.update(management("parents", len(parents), len(parents)))
    for i, p in enumerate(parents):
        row = {
            "id": p.pk,
            "family": family.pk,
            "first_name": p.first_name,
            "last_name": p.last_name,
            "phone": p.phone,
            "email": p.email,
            "preferred_channel": p.preferred_channel,
            "gender": p.gender,
        }
        data.update({f"parents-{i}-{k}": v for k, v in row.items()})
    data.update(management("children", len(children), len(children)))
    for i, c in enumerate(children):
        row = {
            "id": c.pk,
            "family": family.pk,
            "first_name": c.first_name,
            "birth_year": c.birth_year,
        }
        data.update({f"children-{i}-{k}": v for k, v in row.items()})
    return data


def test_edit_round_trip_changes_members_and_search_text(client, world):
    family = world.family_a
    as_user(client, world, "leader")
    page = client.get(reverse("family_edit", args=[family.pk]))
    assert page.status_code == 200
    ChildFactory(family=family, first_name="Bo", birth_year=THIS_YEAR - 3)
    data = edit_data(family)
    data["family-name"] = "Familien Åbenrå"
    data["family-sensitive_notes"] = "Meget privat"
    data["parents-0-phone"] = "21 22 23 24"
    data["children-1-DELETE"] = "on"
    data["parents-TOTAL_FORMS"] = "2"
    data.update(
        {
            "parents-1-first_name": "Ahmed",
            "parents-1-last_name": "Testesen",
            "parents-1-phone": "31323334",
            "parents-1-preferred_channel": "sms",
            "parents-1-gender": "male",
        }
    )
    response = client.post(reverse("family_edit", args=[family.pk]), data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    family.refresh_from_db()
    assert family.name == "Familien Åbenrå"
    assert sorted(family.parents.values_list("phone", flat=True)) == ["+4521222324", "+4531323334"]
    assert list(family.children.values_list("first_name", flat=True)) == ["Ida"]
    assert "ahmed" in family.search_text and "aabenraa" in family.search_text

    detail = client.get(reverse("family_detail", args=[family.pk])).content.decode()
    # The history names the fields and hides the sensitive text.
    assert "Meget privat" in detail  # the leader reads the note itself …
    history = detail.split('id="history-heading"')[1]
    assert "Meget privat" not in history  # … but never in the change history
    assert "Bo" in history  # the removed child's deletion is in the trail


def test_edit_keeps_search_text_when_nothing_changes_and_does_not_warn_itself(client, world):
    family = FamilyFactory(branch=world.branch_a, name="Familien Dup")
    ParentFactory(family=family, phone="+4577777777")
    as_user(client, world, "leader")
    response = client.post(reverse("family_edit", args=[family.pk]), edit_data(family))
    assert response.status_code == 302


def test_another_branchs_family_is_hidden_for_edit_and_consent(client, world):
    as_user(client, world, "leader")
    assert client.get(reverse("family_edit", args=[world.family_b.pk])).status_code == 404
    response = client.post(
        reverse("family_consent", args=[world.family_b.pk]),
        {"kind": "evaluation", "state": "withdrawn"},
    )
    assert response.status_code == 404
    assert client.get(reverse("family_detail", args=[world.family_b.pk])).status_code == 404


# --- consent ---------------------------------------------------------------------------


def test_withdrawing_evaluation_consent_keeps_the_history_and_shows_everywhere(client, world):
    family = world.family_a
    as_user(client, world, "leader")
    url = reverse("family_consent", args=[family.pk])
    client.post(url, {"kind": "evaluation", "state": "given"})
    response = client.post(url, {"kind": "evaluation", "state": "withdrawn", "note": "Ringede"})
    assert response.status_code == 302
    family.refresh_from_db()
    assert family.evaluation_consent == ConsentState.WITHDRAWN
    assert not family.evaluation_allowed
    history = list(family.consents.values_list("state", "recorded_by", "note"))
    leader = world.users["leader"].pk
    assert history == [("withdrawn", leader, "Ringede"), ("given", leader, "")]
    badge = "consent-badge"
    detail = client.get(reverse("family_detail", args=[family.pk])).content.decode()
    assert badge in detail.split("</h1>")[0]
    assert badge in client.get(reverse("family_list")).content.decode()
    # The follow-up volunteer sees the badge too, but neither the forms nor the notes.
    as_user(client, world, "followup")
    detail = client.get(reverse("family_detail", args=[family.pk])).content.decode()
    assert badge in detail
    assert url not in detail


def test_refused_consent_has_a_badge_and_bad_answers_are_refused(client, world):
    as_user(client, world, "central")
    url = reverse("family_consent", args=[world.family_a.pk])
    client.post(url, {"kind": "evaluation", "state": "refused"})
    assert "consent-badge" in client.get(reverse("family_list")).content.decode()
    client.post(url, {"kind": "evaluation", "state": "missing"})
    client.post(url, {"kind": "nonsense", "state": "given"})
    assert Consent.objects.count() == 1


def test_consent_is_post_only_and_for_caseworkers(client, world):
    url = reverse("family_consent", args=[world.family_a.pk])
    as_user(client, world, "leader")
    assert client.get(url).status_code == 405
    as_user(client, world, "followup")
    assert client.post(url, {"kind": "data", "state": "given"}).status_code == 403
    assert not Consent.objects.exists()


def test_sensitive_notes_only_for_caseworkers(client, world):
    Family.objects.filter(pk=world.family_a.pk).update(sensitive_notes="Fortroligt")
    for role, shown in (
        ("leader", True),
        ("central", True),
        ("followup", False),
        ("volunteer", False),
    ):
        as_user(client, world, role)
        text = client.get(reverse("family_detail", args=[world.family_a.pk])).content.decode()
        assert ("Fortroligt" in text) is shown, role


# --- list: search, filters, sorting ----------------------------------------------------


def listed(client, **params):
    response = client.get(reverse("family_list"), params)
    assert response.status_code == 200
    return [f.name for f in response.context["page"]]


def register(branch, name, *parents):
    from familien.services.families import refresh_search_text

    family = FamilyFactory(branch=branch, name=name)
    for first, phone in parents:
        ParentFactory(family=family, first_name=first, phone=phone)
    refresh_search_text(family)
    return family


def test_search_handles_danish_letters_and_phones_with_spaces(client, world):
    register(world.branch_a, "Familien Sørensen", ("Søren", "+4511223344"))
    register(world.branch_a, "Familien Åbenrå", ("Anne", "+4555667788"))
    register(world.branch_b, "Familien Søholm", ("Søren", "+4599887766"))
    as_user(client, world, "leader")
    assert listed(client, q="Soeren") == ["Familien Sørensen"]
    assert listed(client, q="SØREN") == ["Familien Sørensen"]  # not branch B's Søren
    assert listed(client, q="Aabenraa") == ["Familien Åbenrå"]
    assert listed(client, q="åbenrå") == ["Familien Åbenrå"]
    assert listed(client, q="11 22 33 44") == ["Familien Sørensen"]
    assert listed(client, q="+45 55 66 77 88") == ["Familien Åbenrå"]


def test_filters_and_sorting(client, world):
    partner = Partner.objects.create(name="PPR", kind="ppr", branch=world.branch_a)
    older = FamilyFactory(branch=world.branch_a, name="Familien A", arrival_channel="advert")
    newer = FamilyFactory(
        branch=world.branch_a,
        name="Familien B",
        referral_partner=partner,
        arrival_channel="partner",
        evaluation_consent="withdrawn",
        status="closed",
    )
    as_user(client, world, "central")
    assert listed(client, partner=partner.pk) == [newer.name]
    assert listed(client, consent="withdrawn") == [newer.name]
    assert listed(client, status="closed") == [newer.name]
    assert listed(client, arrival="advert") == [older.name]
    assert listed(client, branch=world.branch_b.pk) == [world.family_b.name]
    assert listed(client, sort="newest")[0] == newer.name
    assert listed(client, sort="branch")[-1].startswith("Familien")
    # A leader may not filter on another branch: the value is ignored as invalid.
    as_user(client, world, "leader")
    assert world.family_b.name not in listed(client, branch=world.branch_b.pk)


def test_pages_keep_the_filters(client, world):
    for i in range(30):
        register(world.branch_a, f"Familien Side {i:02}")
    as_user(client, world, "leader")
    response = client.get(reverse("family_list"), {"q": "side", "sort": "name"})
    assert len(response.context["page"]) == 25
    assert "q=side&amp;sort=name&amp;side=2" in response.content.decode()
    response = client.get(reverse("family_list"), {"q": "side", "sort": "name", "side": 2})
    assert len(response.context["page"]) == 5


# --- query counts ----------------------------------------------------------------------


def count_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def build_families(branch, rows, partner):
    for i in range(rows):
        family = FamilyFactory(
            branch=branch,
            name=f"Familien Række {i}",
            referral_partner=partner if i % 2 else None,
            evaluation_consent="withdrawn" if i % 3 == 0 else "given",
        )
        ParentFactory(family=family)


@pytest.mark.parametrize("role", ["leader", "central"])
def test_family_list_costs_the_same_at_10_and_200_families(
    client, world, role, django_assert_max_num_queries
):
    # session, user, OTP device, the count, the page, the branch and partner choices
    partner = Partner.objects.create(name="PPR", kind="ppr", branch=world.branch_a)
    as_user(client, world, role)
    build_families(world.branch_a, 10, partner)
    url = reverse("family_list") + "?q=familien&sort=newest"
    small = count_queries(client, url)
    build_families(world.branch_a, 190, partner)
    with django_assert_max_num_queries(small):
        assert client.get(url).status_code == 200
    assert small <= 12


def test_family_detail_costs_the_same_however_big_the_family(
    client, world, django_assert_max_num_queries
):
    from familien.services.families import record_consent

    as_user(client, world, "leader")
    url = reverse("family_detail", args=[world.family_a.pk])
    small = count_queries(client, url)
    for i in range(10):
        ParentFactory(family=world.family_a, first_name=f"P{i}")
        ChildFactory(family=world.family_a, first_name=f"C{i}")
        record_consent(
            world.family_a, kind="evaluation", state="given", actor=world.users["leader"]
        )
    with django_assert_max_num_queries(small):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("url_name", ["family_list", "volunteer_list"])
def test_a_search_holding_nul_characters_is_answered(client, world, url_name):
    """PostgreSQL refuses NUL in a text parameter; the search drops it, never a 500."""
    as_user(client, world, "leader")
    response = client.get(reverse(url_name), {"q": "\x00Testesen\x00"})
    assert response.status_code == 200
