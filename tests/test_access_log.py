"""The access log: reads, searches, changes and exports of personal data are written
down (familien/access_log.py), the entries cannot be changed or deleted, old ones are
purged, and an administrator extracts one person's entries (GDPR Art. 15, C-579/21)."""

import csv
import io
import logging
import uuid
from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from familien.access_log import purge_expired
from familien.models import AccessLogEntry, AppendOnlyError, Consent, ConsentState
from familien.services.families import refresh_search_text
from tests.conftest import login
from tests.factories import FamilyFactory

Action = AccessLogEntry.Action


def entries_of(user):
    return list(AccessLogEntry.objects.filter(user_id=user.pk).order_by("pk"))


def an_entry(**fields):
    values = {
        "request_id": uuid.uuid4(),
        "user_email": "someone@example.org",
        "user_name": "Someone",
        "role": "leader",
        "action": Action.VIEW,
        "what": "family_detail",
        "method": "GET",
        "status": 200,
        **fields,
    }
    return AccessLogEntry.objects.bulk_create([AccessLogEntry(**values)])[0]


# --- what is written -------------------------------------------------------------------


def test_a_family_page_writes_who_when_what_and_whom(client, world):
    leader = world.users["leader"]
    login(client, leader)
    before = timezone.now()
    assert client.get(reverse("family_detail", args=[world.family_a.pk])).status_code == 200

    [entry] = entries_of(leader)
    assert entry.at >= before
    assert (entry.user_email, entry.user_name, entry.role) == (
        leader.email,
        leader.full_name,
        "leader",
    )
    assert (entry.action, entry.what, entry.family_id) == (
        Action.VIEW,
        "family_detail",
        world.family_a.pk,
    )
    assert (entry.method, entry.status, entry.criterion) == ("GET", 200, "")


def test_a_refused_look_at_another_branchs_family_is_logged_too(client, world):
    intruder = world.users["leader_other"]
    login(client, intruder)
    assert client.get(reverse("family_detail", args=[world.family_a.pk])).status_code == 404
    [entry] = entries_of(intruder)
    assert (entry.family_id, entry.status) == (world.family_a.pk, 404)


def test_a_search_logs_its_criterion_and_every_family_it_showed(client, world, caplog):
    leader = world.users["leader"]
    other = FamilyFactory(branch=world.branch_a, name="Sørensen")
    refresh_search_text(other)
    login(client, leader)
    with caplog.at_level(logging.DEBUG):
        response = client.get(reverse("family_list"), {"q": "Sørensen", "side": "1"})
    assert response.status_code == 200

    entries = entries_of(leader)
    assert {e.action for e in entries} == {Action.SEARCH}
    assert {e.criterion for e in entries} == {"q=S%C3%B8rensen"}
    assert other.pk in {e.family_id for e in entries}
    assert world.family_a.pk not in {e.family_id for e in entries}
    assert len({e.request_id for e in entries}) == 1
    # The criterion is kept in the protected table, not in the server's log.
    assert "Sørensen" not in caplog.text


def test_a_list_writes_all_its_entries_in_one_insert(client, world):
    for _ in range(5):
        FamilyFactory(branch=world.branch_a)
    leader = world.users["leader"]
    login(client, leader)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("family_list")).status_code == 200
    inserts = [q for q in captured if q["sql"].startswith('INSERT INTO "familien_accesslogentry"')]
    assert len(inserts) == 1
    # One entry for each of the six families the list showed.
    assert {e.family_id for e in entries_of(leader)} == set(
        world.family_a.branch.families.values_list("pk", flat=True)
    )
    assert len(entries_of(leader)) == 6


def test_a_change_is_logged_as_a_change_of_that_family(client, world):
    leader = world.users["leader"]
    login(client, leader)
    response = client.post(
        reverse("family_consent", args=[world.family_a.pk]),
        {"kind": Consent.Kind.choices[0][0], "state": ConsentState.GIVEN},
    )
    assert response.status_code == 302
    [entry] = entries_of(leader)
    assert (entry.action, entry.family_id, entry.method, entry.status) == (
        Action.CHANGE,
        world.family_a.pk,
        "POST",
        302,
    )


def test_an_export_is_logged_as_an_export(client, world):
    admin = world.users["admin"]
    login(client, admin)
    response = client.get(reverse("privacy_family_export", args=[world.family_a.pk]))
    assert response.status_code == 200
    [entry] = entries_of(admin)
    assert (entry.action, entry.family_id) == (Action.EXPORT, world.family_a.pk)


def test_a_match_page_is_found_in_both_the_familys_and_the_volunteers_extract(client, world):
    leader = world.users["leader"]
    login(client, leader)
    assert client.get(reverse("match_detail", args=[world.match_a.pk])).status_code == 200
    [entry] = entries_of(leader)
    assert (entry.object_type, entry.object_id) == ("matching.match", world.match_a.pk)
    assert entry in AccessLogEntry.objects.for_family(world.family_a.pk)
    assert entry in AccessLogEntry.objects.for_volunteer(world.volunteer_a.pk)
    assert entry not in AccessLogEntry.objects.for_family(world.family_b.pk)


def test_nobody_logged_in_writes_nothing(client, world):
    assert client.get(reverse("family_list")).status_code == 302
    assert client.get(reverse("healthz")).status_code in (200, 503)
    assert AccessLogEntry.objects.count() == 0


# --- append-only -----------------------------------------------------------------------


def test_the_model_refuses_changes_and_deletes(world):
    entry = an_entry(family_id=world.family_a.pk)
    entry.what = "something else"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AccessLogEntry.objects.filter(pk=entry.pk).update(what="x")
    with pytest.raises(AppendOnlyError):
        AccessLogEntry.objects.filter(pk=entry.pk).delete()
    assert AccessLogEntry.objects.get(pk=entry.pk).what == "family_detail"


def test_the_database_refuses_an_update_behind_the_models_back(world):
    entry = an_entry(family_id=world.family_a.pk)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE familien_accesslogentry SET what = 'hidden' WHERE id = %s", [entry.pk]
        )
    assert AccessLogEntry.objects.get(pk=entry.pk).what == "family_detail"


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite has no DELETE trigger: the test runner empties its tables with DELETE",
)
def test_postgres_refuses_a_delete_even_of_an_old_entry_outside_the_purge(world):
    old = an_entry(at=timezone.now() - timedelta(days=400))
    recent = an_entry()
    for entry in (old, recent):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM familien_accesslogentry WHERE id = %s", [entry.pk])
    # Even with the purge's setting, a recent entry stays.
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL familien.access_log_purge = 'on'")
        cursor.execute("DELETE FROM familien_accesslogentry WHERE id = %s", [recent.pk])
    assert AccessLogEntry.objects.count() == 2


def test_the_daily_purge_deletes_only_entries_past_retention(world, settings):
    settings.ACCESS_LOG_RETENTION_DAYS = 183
    now = timezone.now()
    expired = an_entry(at=now - timedelta(days=200))
    kept = an_entry(at=now - timedelta(days=100))
    assert purge_expired(now=now) == 1
    assert list(AccessLogEntry.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not AccessLogEntry.objects.filter(pk=expired.pk).exists()


# --- the administrator's extract -------------------------------------------------------


def test_the_extract_lists_who_looked_at_the_family_and_is_logged_itself(client, world):
    leader, admin = world.users["leader"], world.users["admin"]
    login(client, leader)
    client.get(reverse("family_detail", args=[world.family_a.pk]))
    client.get(reverse("match_detail", args=[world.match_a.pk]))
    client.get(reverse("family_detail", args=[world.family_b.pk]))

    login(client, admin)
    response = client.get(reverse("access_log"), {"family": world.family_a.pk})
    assert response.status_code == 200
    shown = list(response.context["page"])
    assert [e.what for e in shown] == ["match_detail", "family_detail"]
    assert {e.user_email for e in shown} == {leader.email}
    assert leader.email in response.content.decode()

    [own] = entries_of(admin)
    assert (own.what, own.action, own.family_id) == ("access_log", Action.SEARCH, world.family_a.pk)


def test_the_extract_downloads_as_csv_and_the_download_is_logged(client, world):
    leader, admin = world.users["leader"], world.users["admin"]
    login(client, leader)
    client.get(reverse("volunteer_detail", args=[world.volunteer_a.pk]))

    login(client, admin)
    response = client.get(reverse("access_log_csv"), {"volunteer": world.volunteer_a.pk})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert len(rows) == 2
    assert leader.email in rows[1]
    assert "volunteer_detail" in rows[1]

    [own] = entries_of(admin)
    assert (own.action, own.volunteer_id, own.rows) == (Action.EXPORT, world.volunteer_a.pk, 1)


@pytest.mark.parametrize(
    "params",
    [{"family": "abc"}, {"family": "-3"}, {"family": "1", "volunteer": "2"}, {"volunteer": ""}],
)
def test_bad_input_gets_a_message_not_an_error(client, world, params):
    login(client, world.users["admin"])
    for name in ("access_log", "access_log_csv"):
        response = client.get(reverse(name), params)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/html")
        assert response.context["page"] is None
        assert response.context["form"].errors


def test_a_number_that_is_not_one_is_refused_in_danish(client, world):
    login(client, world.users["admin"])
    response = client.get(reverse("access_log"), {"family": "abc"})
    assert "Indtast et heltal" in response.content.decode()


def test_only_administrators_extract(client, world):
    for role in ("leader", "central", "followup", "evaluator"):
        login(client, world.users[role])
        response = client.get(reverse("access_log"), {"family": world.family_a.pk})
        assert response.status_code == 403


def test_beat_runs_the_purge_daily_and_the_worker_knows_the_task(world, settings):
    from familien.access_log_tasks import purge_access_log
    from familien.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["purge-access-log"]
    assert entry["schedule"] == 24 * 60 * 60
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks

    an_entry(at=timezone.now() - timedelta(days=settings.ACCESS_LOG_RETENTION_DAYS + 1))
    an_entry()
    assert purge_access_log() == 1
    assert AccessLogEntry.objects.count() == 1


def test_the_django_admins_pages_name_their_object_too(client, world):
    admin = world.users["admin"]
    login(client, admin)
    family_url = reverse("admin:familien_family_change", args=[world.family_a.pk])
    match_url = reverse("admin:matching_match_change", args=[world.match_a.pk])
    assert client.get(family_url).status_code == 200
    assert client.get(match_url).status_code == 200
    changelist = reverse("admin:familien_family_changelist")
    assert client.get(changelist, {"q": "Hansen"}).status_code == 200
    family_page, match_page, search = entries_of(admin)
    assert family_page.family_id == world.family_a.pk
    assert (match_page.object_type, match_page.object_id) == ("matching.match", world.match_a.pk)
    assert set(AccessLogEntry.objects.for_family(world.family_a.pk)) == {family_page, match_page}
    assert (search.action, search.criterion) == (Action.SEARCH, "q=Hansen")


def test_a_criterion_with_a_nul_character_is_stored_without_it(rf, world):
    from django.http import HttpResponse
    from django.urls import resolve

    from familien.access_log import record, write_entries

    request = rf.get(reverse("family_list"))
    request.user = world.users["leader"]
    record(request, criterion="Hans\x00en")
    write_entries(request, HttpResponse(), resolve(reverse("family_list")))
    assert AccessLogEntry.objects.get().criterion == "Hansen"


def test_csv_cells_a_spreadsheet_would_run_are_kept_as_text():
    from familien.access_log_views import _safe

    assert _safe("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert _safe("@SUM(A1)") == "'@SUM(A1)"
    assert _safe("q=Hansen") == "q=Hansen"
    assert _safe(None) == ""
