"""Retention and the data subject's rights: anonymisation after the retention period,
subject-access export and erasure, both audited (GDPR Art. 5(1)(e), 15, 17)."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from familien.models import (
    Consent,
    ConsentState,
    Family,
    Parent,
    PipelineEvent,
    PipelineStep,
    Role,
    Volunteer,
)
from familien.services.privacy import anonymise_expired
from familien.tasks import anonymise_expired_records
from matching.models import Match
from tests.conftest import login
from tests.factories import (
    ChildFactory,
    FamilyFactory,
    MatchFactory,
    ParentFactory,
    UserFactory,
    VolunteerFactory,
)

NOW = timezone.make_aware(timezone.datetime(2031, 6, 1, 12, 0))


def days_ago(days):
    return timezone.localdate(NOW) - timedelta(days=days)


RETENTION = django_settings.FAMILIEN_RETENTION_DAYS


def closed_family(branch, *, days, name="Familien Hansen"):
    family = FamilyFactory(
        branch=branch,
        name=name,
        address="Vestergade 1",
        postcode="5000",
        city="Odense",
        status=Family.Status.CLOSED,
        closed_on=days_ago(days),
        sensitive_notes="Far er syg",
        search_text="familien hansen",
        reasons=["loneliness"],
    )
    ParentFactory(
        family=family,
        first_name="Gudrun",
        last_name="Hansen",
        phone="+45 61 62 63 64",
        email="gudrun@example.org",
        birth_year=1987,
    )
    ChildFactory(family=family, first_name="Vilma", birth_year=2017, school_class="3.b")
    Consent.objects.create(
        family=family,
        kind=Consent.Kind.EVALUATION,
        state=ConsentState.GIVEN,
        recorded_at=NOW,
        note="Gudrun sagde ja i telefonen",
    )
    return family


def audit_text():
    """Everything the audit trail holds, as one string."""
    return json.dumps(
        list(
            LogEntry.objects.values(
                "object_repr", "changes", "changes_text", "serialized_data", "additional_data"
            )
        ),
        ensure_ascii=False,
    )


# Retention ------------------------------------------------------------------------------


def test_a_family_closed_long_enough_is_anonymised_and_a_recent_one_is_not(world):
    old = closed_family(world.branch_a, days=RETENTION + 1)
    recent = closed_family(world.branch_a, days=RETENTION - 1, name="Familien Jensen")
    MatchFactory(family=old)

    assert anonymise_expired(now=NOW) == {"families": 1, "volunteers": 0}

    old.refresh_from_db()
    assert old.name == f"Anonymiseret familie #{old.pk}"
    assert (old.address, old.postcode, old.city) == ("", "", "")
    assert old.sensitive_notes == "" and old.search_text == ""
    assert old.anonymised_at == NOW
    # What the reports count stays.
    assert old.branch == world.branch_a and old.reasons == ["loneliness"]
    assert old.status == Family.Status.CLOSED and old.closed_on == days_ago(RETENTION + 1)
    parent = old.parents.get()
    assert (parent.first_name, parent.last_name, parent.phone, parent.email) == ("", "", "", "")
    assert parent.birth_year == 1980
    child = old.children.get()
    assert (child.first_name, child.school_class, child.birth_year) == ("", "", 2010)
    assert old.consents.get().note == ""
    assert old.consents.get().state == ConsentState.GIVEN
    assert Match.objects.filter(family=old).count() == 1

    recent.refresh_from_db()
    assert recent.name == "Familien Jensen" and recent.anonymised_at is None
    world.family_a.refresh_from_db()
    assert world.family_a.anonymised_at is None  # active families are never touched


def test_running_twice_changes_nothing_more(world):
    family = closed_family(world.branch_a, days=RETENTION + 30)
    anonymise_expired(now=NOW)
    family.refresh_from_db()
    entries = LogEntry.objects.count()
    assert anonymise_expired(now=NOW + timedelta(days=1)) == {"families": 0, "volunteers": 0}
    assert LogEntry.objects.count() == entries
    assert Family.objects.get(pk=family.pk).anonymised_at == family.anonymised_at


def test_counts_per_branch_survive(world):
    for days in (RETENTION + 1, RETENTION + 100, 10):
        closed_family(world.branch_a, days=days)
    closed_family(world.branch_b, days=RETENTION + 5)

    def counts():
        return (
            {b.pk: b.families.count() for b in (world.branch_a, world.branch_b)},
            Parent.objects.count(),
            Match.objects.count(),
        )

    before = counts()
    assert anonymise_expired(now=NOW)["families"] == 3
    assert counts() == before


def test_the_audit_trail_of_an_anonymised_family_no_longer_holds_the_old_names(world):
    family = closed_family(world.branch_a, days=RETENTION + 1)
    family.name = "Familien Hansen-Berg"
    family.save()
    removed = ParentFactory(family=family, first_name="Søren", last_name="Hansen-Berg")
    removed.delete()  # its delete entry holds its last values
    assert "Hansen" in audit_text() and "Søren" in audit_text()

    anonymise_expired(now=NOW)

    text = audit_text()
    for old_value in ("Hansen", "Søren", "Gudrun", "Vilma", "gudrun@example.org", "61 62 63 64"):
        assert old_value not in text
    # Who did what and when stays: the entries are there, without their values.
    entries = LogEntry.objects.get_for_object(family)
    assert entries.filter(action=LogEntry.Action.CREATE).exists()
    update = entries.filter(action=LogEntry.Action.UPDATE).order_by("timestamp").first()
    assert "name" in update.changes
    assert entries.filter(additional_data__reason="retention").exists()
    # Other people's history is untouched.
    assert world.family_b.name in text


def test_a_volunteer_who_left_long_ago_is_anonymised_and_loses_the_login(world):
    user = UserFactory(role=Role.VOLUNTEER, full_name="Ingeborg Bager", email="ib@example.org")
    volunteer = VolunteerFactory(
        branch=world.branch_a,
        user=user,
        first_name="Ingeborg",
        last_name="Bager",
        phone="+45 30 30 30 30",
        email="ingeborg@example.org",
        birth_year=1964,
        self_description="Jeg elsker at bage",
        pipeline_step=PipelineStep.LEFT,
        pipeline_step_on=days_ago(RETENTION + 1),
    )
    PipelineEvent.objects.create(
        volunteer=volunteer, step=PipelineStep.LEFT, on=days_ago(RETENTION + 1), note="Flyttet"
    )
    staying = VolunteerFactory(
        branch=world.branch_a,
        pipeline_step=PipelineStep.LEFT,
        pipeline_step_on=days_ago(RETENTION - 1),
    )

    assert anonymise_expired(now=NOW) == {"families": 0, "volunteers": 1}

    volunteer.refresh_from_db()
    assert str(volunteer) == f"Anonymiseret frivillig #{volunteer.pk}"
    assert (volunteer.phone, volunteer.email, volunteer.self_description) == ("", "", "")
    assert volunteer.birth_year == 1960
    assert volunteer.user is None
    assert volunteer.pipeline_events.get().note == ""
    user.refresh_from_db()
    assert not user.is_active and "Ingeborg" not in user.full_name
    assert not user.has_usable_password()
    text = audit_text()
    for old_value in ("Ingeborg", "Bager", "ib@example.org", "ingeborg@example.org", "Flyttet"):
        assert old_value not in text
    staying.refresh_from_db()
    assert staying.anonymised_at is None


def test_the_daily_task_is_scheduled_and_runs(world, settings):
    entry = settings.CELERY_BEAT_SCHEDULE["anonymise-expired"]
    assert entry["task"] == "familien.tasks.anonymise_expired_records"
    closed_family(world.branch_a, days=RETENTION * 2 + 3000)
    anonymise_expired_records()
    assert Family.objects.filter(anonymised_at__isnull=False).count() == 1


def test_the_command_runs_for_any_moment_and_dry_run_changes_nothing(world):
    family = closed_family(world.branch_a, days=RETENTION + 1)
    out = StringIO()
    call_command("anonymise_expired", "--at", NOW.isoformat(), "--dry-run", stdout=out)
    assert "would anonymise 1 families and 0 volunteers" in out.getvalue()
    assert Family.objects.get(pk=family.pk).anonymised_at is None

    out = StringIO()
    earlier = (NOW - timedelta(days=2)).date().isoformat()
    call_command("anonymise_expired", "--at", earlier, stdout=out)
    assert "anonymised 0 families" in out.getvalue()

    out = StringIO()
    call_command("anonymise_expired", "--at", NOW.isoformat(), stdout=out)
    assert "anonymised 1 families and 0 volunteers" in out.getvalue()
    assert "Hansen" not in out.getvalue()
    assert Family.objects.get(pk=family.pk).anonymised_at is not None


def test_the_command_refuses_a_bad_moment(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("anonymise_expired", "--at", "i morgen")


# Subject access and erasure --------------------------------------------------------------


def test_export_holds_the_familys_data_and_is_audited(world, client):
    admin = world.users["admin"]
    login(client, admin)
    response = client.get(reverse("privacy_family_export", args=[world.family_a.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "no-store"
    data = json.loads(response.content)
    assert data["family"]["name"] == world.family_a.name
    assert data["parents"][0]["first_name"] == "Mette"
    assert data["children"][0]["first_name"] == "Ida"
    assert data["matches"][0]["id"] == world.match_a.pk
    assert any(e["model"] == "parent" for e in data["audit_trail"])
    entry = LogEntry.objects.get_for_object(world.family_a).get(action=LogEntry.Action.ACCESS)
    assert entry.actor == admin
    assert entry.additional_data == {"reason": "subject_access_export"}


def test_export_of_a_volunteer(world, client):
    login(client, world.users["admin"])
    response = client.get(reverse("privacy_volunteer_export", args=[world.volunteer_a.pk]))
    data = json.loads(response.content)
    assert data["volunteer"]["first_name"] == world.volunteer_a.first_name
    assert data["matches"][0]["id"] == world.match_a.pk
    entry = LogEntry.objects.get_for_object(world.volunteer_a).get(action=LogEntry.Action.ACCESS)
    assert entry.actor == world.users["admin"]


def test_erase_requires_the_typed_name(world, client):
    login(client, world.users["admin"])
    family = world.family_a
    assert client.get(reverse("privacy_family_erase_confirm", args=[family.pk])).status_code == 200
    response = client.post(reverse("privacy_family_erase", args=[family.pk]), {"name": "Forkert"})
    assert response.status_code == 200
    assert "Navnet passer ikke" in response.content.decode()
    family.refresh_from_db()
    assert family.anonymised_at is None


def test_erase_anonymises_now_keeps_the_match_and_is_audited(world, client):
    admin = world.users["admin"]
    login(client, admin)
    family = world.family_a
    response = client.post(
        reverse("privacy_family_erase", args=[family.pk]), {"name": f"  {family.name.upper()} "}
    )
    assert response.status_code == 302
    family.refresh_from_db()
    assert family.anonymised_at is not None
    assert family.name == f"Anonymiseret familie #{family.pk}"
    assert family.parents.get().first_name == ""
    assert Match.objects.filter(pk=world.match_a.pk, family=family).exists()
    entry = LogEntry.objects.get_for_object(family).get(additional_data__reason="erasure")
    assert entry.actor == admin
    # A second erasure finds nothing to do.
    again = client.post(reverse("privacy_family_erase", args=[family.pk]), {"name": family.name})
    assert again.status_code == 302


def test_erase_a_volunteer(world, client):
    login(client, world.users["admin"])
    volunteer = world.volunteer_a
    response = client.post(
        reverse("privacy_volunteer_erase", args=[volunteer.pk]), {"name": str(volunteer)}
    )
    assert response.status_code == 302
    volunteer.refresh_from_db()
    assert volunteer.anonymised_at is not None and volunteer.user is None
    assert Volunteer.objects.filter(pk=volunteer.pk).exists()
    assert (
        LogEntry.objects.get_for_object(volunteer)
        .filter(actor=world.users["admin"], additional_data__reason="erasure")
        .exists()
    )


@pytest.mark.parametrize("role", ["leader", "central", "followup", "volunteer", "evaluator"])
def test_only_administrators_may_export_or_erase(role, world, client):
    login(client, world.users[role])
    family = world.family_a
    assert client.get(reverse("privacy_family_export", args=[family.pk])).status_code == 403
    response = client.post(reverse("privacy_family_erase", args=[family.pk]), {"name": family.name})
    assert response.status_code == 403
    family.refresh_from_db()
    assert family.anonymised_at is None
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()


def test_the_search_is_never_in_the_address(world, client):
    login(client, world.users["admin"])
    response = client.get(reverse("privacy_search"), {"q": "Mette"})
    assert response.context["families"] is None


def test_search_finds_a_family_by_a_parents_phone_and_a_volunteer_by_name(world, client):
    world.family_a.search_text = "familien testesen mette 21222324"
    world.family_a.save()
    world.volunteer_a.search_text = "frida frivillig"
    world.volunteer_a.save()
    login(client, world.users["admin"])
    response = client.post(reverse("privacy_search"), {"q": "21 22 23 24"})
    assert response.context["families"] == [world.family_a]
    response = client.post(reverse("privacy_search"), {"q": "Frida"})
    assert world.volunteer_a in response.context["volunteers"]


def test_search_costs_the_same_at_10_and_200_rows(world, client, django_assert_max_num_queries):
    login(client, world.users["admin"])

    def build(count):
        for _ in range(count):
            family = FamilyFactory(branch=world.branch_a, search_text="familien soerensen")
            ParentFactory(family=family)
            VolunteerFactory(branch=world.branch_a, search_text="soeren soerensen")

    url, data = reverse("privacy_search"), {"q": "Sørensen"}
    build(10)
    with CaptureQueriesContext(connection) as small:
        response = client.post(url, data)
    assert len(response.context["families"]) == 10
    build(190)
    # session, user, OTP device, families, their parents, volunteers, unread badge.
    with django_assert_max_num_queries(len(small)):
        response = client.post(url, data)
    assert len(response.context["families"]) == 50
