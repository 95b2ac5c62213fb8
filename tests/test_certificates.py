"""Børneattest (DOMAIN.md §3.3): states across dates, warnings, has_valid_certificate,
the order and assessment forms, and framework agreements."""

from datetime import date, timedelta

import pytest
from django.test.utils import override_settings
from django.urls import reverse

from familien.models import CertificateState, ChildCertificate, FrameworkAgreement, Volunteer
from familien.services import volunteers as services
from familien.services.volunteers import VolunteerError, add_months
from tests.conftest import login
from tests.factories import FamilyFactory, VolunteerFactory

pytestmark = pytest.mark.django_db

ORDERED = date(2026, 1, 1)
ASSESSED = date(2026, 1, 10)


@pytest.fixture
def volunteer(world):
    return VolunteerFactory(branch=world.branch_a)


def order(volunteer, on=ORDERED):
    return services.order_certificate(volunteer, ordered_on=on, actor=None)


def assess(certificate, outcome="approved", on=ASSESSED):
    return services.record_certificate_assessment(
        certificate, assessed_on=on, outcome=outcome, actor=None
    )


def listed_state(volunteer, today):
    return (
        services.with_certificate_state(Volunteer.objects.filter(pk=volunteer.pk), today)
        .get()
        .certificate_state
    )


@override_settings(
    CERTIFICATE_CONSENT_DAYS=14, CERTIFICATE_RENEWAL_MONTHS=24, CERTIFICATE_RENEWAL_WARNING_DAYS=30
)
@pytest.mark.parametrize(
    ("outcome", "today", "expected"),
    [
        (None, date(2026, 1, 1), CertificateState.ORDERED),
        (None, date(2026, 1, 15), CertificateState.ORDERED),  # the deadline day itself
        (None, date(2026, 1, 16), CertificateState.CONSENT_OVERDUE),
        ("approved", date(2026, 1, 10), CertificateState.VALID),
        ("approved", date(2027, 12, 10), CertificateState.VALID),
        ("approved", date(2027, 12, 11), CertificateState.RENEWAL_DUE),
        ("approved", date(2028, 1, 10), CertificateState.RENEWAL_DUE),
        ("approved", date(2028, 1, 11), CertificateState.EXPIRED),
        ("rejected", date(2026, 1, 10), CertificateState.REJECTED),
        ("rejected", date(2030, 1, 1), CertificateState.REJECTED),
    ],
)
def test_states_across_dates_agree_in_python_and_in_the_list_query(
    volunteer, outcome, today, expected
):
    certificate = order(volunteer)
    assert certificate.consent_deadline == date(2026, 1, 15)
    if outcome:
        assess(certificate, outcome)
        if outcome == "approved":
            assert certificate.renewal_due == date(2028, 1, 10)
        else:
            assert certificate.renewal_due is None
    assert services.certificate_state_for(volunteer, today) == expected
    assert listed_state(volunteer, today) == expected


def test_no_certificate_is_not_needed_yet(volunteer):
    assert services.certificate_state_for(volunteer, ORDERED) == CertificateState.NOT_NEEDED
    assert listed_state(volunteer, ORDERED) == CertificateState.NOT_NEEDED


def test_the_newest_certificate_gives_the_state(volunteer):
    assess(order(volunteer), "rejected")
    order(volunteer, on=date(2026, 3, 1))
    assert services.certificate_state_for(volunteer, date(2026, 3, 2)) == CertificateState.ORDERED
    assert listed_state(volunteer, date(2026, 3, 2)) == CertificateState.ORDERED


def test_has_valid_certificate(volunteer):
    certificate = order(volunteer)
    assert not services.has_valid_certificate(volunteer, ASSESSED)
    assess(certificate)
    assert not services.has_valid_certificate(volunteer, ASSESSED - timedelta(days=1))
    assert services.has_valid_certificate(volunteer, ASSESSED)
    assert services.has_valid_certificate(volunteer, certificate.renewal_due)
    assert not services.has_valid_certificate(
        volunteer, certificate.renewal_due + timedelta(days=1)
    )
    # A renewal on order does not cancel the assessment still in force.
    order(volunteer, on=date(2027, 12, 1))
    assert services.has_valid_certificate(volunteer, date(2027, 12, 20))


def test_rejected_certificate_is_never_valid(volunteer):
    assess(order(volunteer), "rejected")
    assert not services.has_valid_certificate(volunteer, ASSESSED)


def test_assessment_is_refused_twice_and_before_the_order(volunteer):
    certificate = order(volunteer)
    with pytest.raises(VolunteerError):
        assess(certificate, on=ORDERED - timedelta(days=1))
    assess(certificate)
    with pytest.raises(VolunteerError):
        assess(certificate, "rejected")


def test_add_months_keeps_the_end_of_month():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2024, 2, 29), 24) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 15), 2) == date(2027, 1, 15)


def test_the_model_has_no_field_for_the_certificate_or_a_cpr_number():
    names = {field.name for field in ChildCertificate._meta.get_fields()}
    assert not any("cpr" in name or "file" in name or "document" in name for name in names)


@override_settings(CERTIFICATE_RENEWAL_WARNING_DAYS=30)
def test_warnings_page_lists_near_deadlines_and_renewals_in_scope(client, world):
    today = date.today()
    soon = VolunteerFactory(branch=world.branch_a, first_name="Snart")
    order(soon, on=today - timedelta(days=12))  # deadline in 2 days
    late = VolunteerFactory(branch=world.branch_a, first_name="Forsinket")
    order(late, on=today - timedelta(days=20))  # deadline passed
    calm = VolunteerFactory(branch=world.branch_a, first_name="Rolig")
    order(calm, on=today - timedelta(days=2))  # 12 days left
    renew = VolunteerFactory(branch=world.branch_a, first_name="Forny")
    certificate = order(renew, on=today - timedelta(days=800))
    assess(certificate, on=today - timedelta(days=720))  # renewal due in about 10 days
    fresh = VolunteerFactory(branch=world.branch_a, first_name="Frisk")
    assess(order(fresh, on=today - timedelta(days=5)), on=today - timedelta(days=1))
    hidden = VolunteerFactory(branch=world.branch_b, first_name="Skjult")
    order(hidden, on=today - timedelta(days=20))

    login(client, world.users["leader"])
    response = client.get(reverse("certificate_warnings"))
    assert response.status_code == 200
    assert {v.first_name for v in response.context["consent"]} == {"Snart", "Forsinket"}
    assert [v.first_name for v in response.context["renewal"]] == ["Forny"]
    assert "Skjult" not in response.content.decode()

    login(client, world.users["central"])
    response = client.get(reverse("certificate_warnings"))
    assert "Skjult" in {v.first_name for v in response.context["consent"]}


def test_order_and_assess_through_the_volunteer_page(client, world, volunteer):
    login(client, world.users["leader"])
    url = reverse("certificate_order", args=[volunteer.pk])
    response = client.post(url, {"ordered_on": "not a date"})
    assert response.status_code == 200
    assert "ordered_on" in response.context["order_form"].errors
    today = date.today()
    assert client.post(url, {"ordered_on": today.isoformat()}).status_code == 302
    certificate = ChildCertificate.objects.get(volunteer=volunteer)
    assert certificate.consent_deadline == today + timedelta(days=14)

    assess_url = reverse("certificate_assess", args=[volunteer.pk, certificate.pk])
    response = client.post(assess_url, {f"c{certificate.pk}-assessed_on": today.isoformat()})
    assert response.status_code == 200
    assert not ChildCertificate.objects.get().outcome
    response = client.post(
        assess_url,
        {
            f"c{certificate.pk}-assessed_on": today.isoformat(),
            f"c{certificate.pk}-outcome": "approved",
        },
    )
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.assessed_by == world.users["leader"]
    assert certificate.outcome == "approved"
    page = client.get(reverse("volunteer_detail", args=[volunteer.pk]))
    assert page.context["certificate_state"] == CertificateState.VALID
    # The form says the certificate itself and the CPR number are never stored.
    assert "CPR-nummeret" in page.content.decode()


def test_another_branchs_certificate_is_404(client, world, volunteer):
    other = Volunteer.objects.get(user=world.users["volunteer_other"])
    certificate = order(other)
    login(client, world.users["leader"])
    url = reverse("certificate_assess", args=[other.pk, certificate.pk])
    assert client.post(url, {}).status_code == 404
    # Nor through one's own volunteer's URL.
    url = reverse("certificate_assess", args=[volunteer.pk, certificate.pk])
    assert client.post(url, {}).status_code == 404


def test_framework_agreement_only_for_visible_families(client, world, volunteer):
    login(client, world.users["leader"])
    url = reverse("framework_agreement_add", args=[volunteer.pk])
    data = {
        "family": world.family_b.pk,
        "scope": "Hente børnene til fodbold om tirsdagen.",
        "valid_from": "2026-02-01",
        "valid_to": "2026-06-30",
    }
    response = client.post(url, data)
    assert "family" in response.context["agreement_form"].errors
    response = client.post(url, data | {"family": world.family_a.pk, "valid_to": "2026-01-01"})
    assert "valid_to" in response.context["agreement_form"].errors
    assert not FrameworkAgreement.objects.exists()
    response = client.post(url, data | {"family": world.family_a.pk})
    assert response.status_code == 302
    agreement = FrameworkAgreement.objects.get()
    assert agreement.approved_by == world.users["leader"]
    page = client.get(reverse("volunteer_detail", args=[volunteer.pk]))
    assert page.context["agreements"] == [agreement]
    assert "Hente børnene til fodbold" in page.content.decode()


def test_a_family_of_another_branch_is_not_offered(world, volunteer):
    from familien.volunteer_forms import FrameworkAgreementForm

    FamilyFactory(branch=world.branch_b)
    form = FrameworkAgreementForm(user=world.users["leader"], volunteer=volunteer)
    assert set(form.fields["family"].queryset) == {world.family_a}


def test_leaders_are_warned_once_about_deadlines_and_renewals(world):
    from familien.models import Notification, PipelineStep

    today = date(2026, 11, 27)
    deadline_soon = VolunteerFactory(branch=world.branch_a)
    ChildCertificate.objects.create(
        volunteer=deadline_soon,
        ordered_on=today - timedelta(days=12),
        consent_deadline=today + timedelta(days=2),
    )
    renewal_soon = VolunteerFactory(branch=world.branch_b)
    ChildCertificate.objects.create(
        volunteer=renewal_soon,
        ordered_on=date(2024, 12, 1),
        consent_deadline=date(2024, 12, 15),
        assessed_on=date(2024, 12, 10),
        outcome=ChildCertificate.Outcome.APPROVED,
        renewal_due=today + timedelta(days=10),
    )
    calm = VolunteerFactory(branch=world.branch_a)
    ChildCertificate.objects.create(
        volunteer=calm,
        ordered_on=today - timedelta(days=1),
        consent_deadline=today + timedelta(days=13),
    )
    gone = VolunteerFactory(branch=world.branch_a, pipeline_step=PipelineStep.LEFT)
    ChildCertificate.objects.create(
        volunteer=gone, ordered_on=today - timedelta(days=13), consent_deadline=today
    )

    assert services.warn_leaders_about_certificates(today=today) == 2
    to_a = Notification.objects.filter(recipient=world.users["leader"])
    to_b = Notification.objects.filter(recipient=world.users["leader_other"])
    assert [n.link for n in to_a] == [reverse("volunteer_detail", args=[deadline_soon.pk])]
    assert [n.link for n in to_b] == [reverse("volunteer_detail", args=[renewal_soon.pk])]
    assert deadline_soon.first_name not in to_a.get().text  # no name in the note

    # The next day's run does not repeat them.
    assert services.warn_leaders_about_certificates(today=today + timedelta(days=1)) == 0
    assert Notification.objects.count() == 2
