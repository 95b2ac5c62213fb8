"""Every create, update and delete of personal records lands in the audit trail."""

from auditlog.models import LogEntry

from familien.models import Family
from tests.conftest import login


def test_an_admin_edit_of_a_family_is_audited_with_who_and_what(world, client):
    admin = world.users["admin"]
    login(client, admin)
    family = world.family_a
    response = client.post(
        f"/admin/familien/family/{family.pk}/change/",
        {
            "branch": family.branch_id,
            "name": "Familien Nyt-Navn",
            "address": "",
            "postcode": "",
            "city": "",
            "status": "active",
            "parents-TOTAL_FORMS": "0",
            "parents-INITIAL_FORMS": "0",
            "children-TOTAL_FORMS": "0",
            "children-INITIAL_FORMS": "0",
            "consents-TOTAL_FORMS": "0",
            "consents-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = LogEntry.objects.get_for_object(family).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.actor == admin
    assert entry.changes_dict["name"][1] == "Familien Nyt-Navn"


def test_create_and_delete_are_audited(db):
    from tests.factories import BranchFactory

    family = Family.objects.create(branch=BranchFactory(), name="Familien Ny")
    pk = family.pk
    family.delete()
    actions = list(
        LogEntry.objects.filter(object_pk=str(pk), content_type__model="family")
        .order_by("timestamp")
        .values_list("action", flat=True)
    )
    assert actions == [LogEntry.Action.CREATE, LogEntry.Action.DELETE]


def test_passwords_never_reach_the_audit_trail(db):
    from tests.factories import UserFactory

    user = UserFactory()
    user.set_password("another secret phrase")
    user.save()
    for entry in LogEntry.objects.get_for_object(user):
        assert "password" not in entry.changes_dict
