"""`manage.py loadtest` (issue 8 item 4), briefly: a real gunicorn with production
settings on the test database, locust driving every role's pages without think time, then
one saturation step. Every page answers 200 through the server, the JSON holds the
figures, and the sessions and devices it made are gone afterwards.

The server is another process, so the data must be committed: a transactional test."""

import json

import pytest
from auditlog.models import LogEntry
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from familien.benchmark import load
from familien.models import Role, User, Volunteer
from matching.models import Match
from tests.test_benchmark_pages import small_world  # noqa: F401 - the fixture

ROLES = {"leader", "central", "followup", "volunteer", "anonymous"}
FIGURES = {
    *("name", "requests", "failures", "rps", "p50_ms", "p95_ms", "p99_ms", "max_ms", "avg_ms"),
    *("server_p50_ms", "server_p95_ms"),
}


@pytest.mark.django_db(transaction=True)
def test_the_mix_and_a_saturation_step_run_without_errors_and_leave_no_trace(
    small_world,  # noqa: F811
    tmp_path,
):
    sessions = set(Session.objects.values_list("session_key", flat=True))
    devices = TOTPDevice.objects.count()
    audit_entries = LogEntry.objects.count()
    path = tmp_path / "load.json"

    call_command(
        "loadtest",
        *("--users", "8", "--spawn-rate", "8", "--duration", "6", "--think", "0", "0"),
        *("--steps", "2", "--step-duration", "3", "--workers", "2", "--threads", "1"),
        *("--per-role", "1"),
        *("--json", str(path)),
    )

    report = json.loads(path.read_text())
    mix = report["load"]
    assert mix["failures"] == [], mix["failures"]
    assert mix["total"]["requests"] > 0
    assert mix["total"]["failures"] == 0
    assert set(mix["total"]) == FIGURES
    # Every page of every role's mix resolved and answered 200 through the server before
    # the run (the warm-up checks), and every role went through locust with its session
    # accepted (a redirect to the login page would count as an error), the floor beside.
    assert report["notes"] == []
    assert report["identities"] == dict.fromkeys(ROLES, 1)
    pages = sum(len(load.MIX[role]) for role in ROLES)
    assert report["warm_up"] == {"pages": pages, "not_200": {}}
    names = {row["name"] for row in mix["rows"]}
    assert {name.split()[0] for name in names} == ROLES | {"floor"}
    assert mix["floor"]["requests"] > 0 and mix["floor"]["failures"] == 0
    # gunicorn's own time of each page, from its access log, is there and below locust's.
    for row in mix["rows"]:
        assert 0 < row["server_p50_ms"] <= row["server_p95_ms"], row
    assert 0 < mix["total"]["server_p50_ms"] <= mix["total"]["p95_ms"]
    assert report["server"]["worker_class"] == "sync"

    saturation = report["saturation"]
    assert [step["users"] for step in saturation["steps"]] == [2]
    step = saturation["steps"][0]
    assert step["requests"] > 0 and step["failures"] == 0 and step["rps"] > 0
    assert saturation["p95_limit_ms"] == load.P95_LIMIT_MS

    assert report["users_made"] == 0
    assert report["cleaned_up"] == {"sessions": True, "devices": True, "users": True}
    assert set(Session.objects.values_list("session_key", flat=True)) == sessions
    assert TOTPDevice.objects.count() == devices
    assert report["audit_entries_written"] == 0
    assert LogEntry.objects.count() == audit_entries


def test_stats_are_read_from_locusts_csv(tmp_path):
    stats = tmp_path / "run_stats.csv"
    stats.write_text(
        "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,"
        "Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,"
        "50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%\n"
        "GET,leader home,10,1,12,14.5,9,40,5000,2.5,0.25,12,13,14,15,20,30,40,40,40,40,40\n"
        "GET,floor,5,0,3,3.2,2,5,100,1.0,0,3,3,3,4,5,5,5,5,5,5,5\n"
        ",Aggregated,15,1,9,10.7,2,40,3400,3.5,0.25,9,12,13,14,15,30,40,40,40,40,40\n"
    )
    failures = tmp_path / "run_failures.csv"
    failures.write_text("Method,Name,Error,Occurrences\nGET,leader home,status 302,1\n")

    parsed = load.parse_stats(stats, failures)

    assert parsed["total"]["requests"] == 15 and parsed["total"]["p95_ms"] == 30
    assert parsed["floor"]["p50_ms"] == 3
    assert [row["name"] for row in parsed["rows"]] == ["leader home", "floor"]
    assert parsed["failures"] == [{"name": "leader home", "error": "status 302", "count": 1}]
    assert load.judge(parsed, 300) == "MISS"


def test_server_times_are_read_per_run_and_page_from_the_access_log(tmp_path):
    log = tmp_path / "access.log"
    log.write_text(
        "12000 200 load leader family_list?q\n"
        "30000 200 load leader family_list?q\n"
        "1500 200 load floor\n"
        "9000 200 saturation_2 leader family_list?q\n"
        "700 200 -\n"
    )
    stats = {"rows": [{"name": "leader family_list?q"}, {"name": "floor"}], "total": {}}

    load.add_server_times(stats, load.server_times(log, "load"))

    assert stats["rows"][0]["server_p50_ms"] == 12.0
    assert stats["rows"][0]["server_p95_ms"] == 30.0
    assert stats["rows"][1]["server_p50_ms"] == 1.5
    assert stats["total"]["server_p95_ms"] == 30.0


def test_saturation_steps_up_past_the_limit_only_while_throughput_grows():
    figures = {1: (50, 40), 2: (90, 120), 4: (110, 350), 8: (115, 900), 16: (120, 2000)}

    def run(name, users):
        rps, p95 = figures[users]
        total = {"rps": rps, "requests": 100, "failures": 0, "p50_ms": 10, "p95_ms": p95}
        return {"total": total | {"p99_ms": p95}, "floor": None}

    result = load.saturation(run, [1, 2, 4, 8, 16], 300, say=lambda line: None)

    # 4 users pass the limit but gain 22 %; 8 users gain under 10 %: the peak is found.
    assert [step["users"] for step in result["steps"]] == [1, 2, 4, 8]
    assert result["best"]["users"] == 2 and result["best"]["rps"] == 90
    assert result["peak_rps"] == 115


def test_saturation_finds_the_peak_even_when_the_first_step_is_over_the_limit():
    figures = {1: (10, 400), 2: (14, 700), 4: (15, 1500), 8: (15, 3000)}

    def run(name, users):
        rps, p95 = figures[users]
        total = {"rps": rps, "requests": 100, "failures": 0, "p50_ms": 10, "p95_ms": p95}
        return {"total": total | {"p99_ms": p95}, "floor": None}

    result = load.saturation(run, [1, 2, 4, 8], 300, say=lambda line: None)

    assert [step["users"] for step in result["steps"]] == [1, 2, 4]
    assert result["best"] is None and result["peak_rps"] == 15


@pytest.mark.django_db
def test_users_made_for_roles_the_data_lacks_are_undone_without_a_trace(world):
    """The national data set has no logins: the run makes them, wired only to free rows,
    and deleting them puts those rows back; the audit trail never hears of it."""
    User.objects.filter(role__in=[Role.FOLLOWUP, Role.VOLUNTEER]).delete()
    assert not Match.objects.filter(followup_volunteer__isnull=False).exists()
    assert not Volunteer.objects.filter(user__isnull=False).exists()
    users_before, audit_entries = User.objects.count(), LogEntry.objects.count()

    plan = load.build_plan(per_role=2, roles=["followup", "volunteer", "leader"])

    # Leaders exist in the data, so none are made for them.
    assert len(plan.roles["leader"]["identities"]) == 2
    assert User.objects.count() == users_before + len(plan.made_user_ids) > users_before
    followers = User.objects.filter(pk__in=plan.made_user_ids, role=Role.FOLLOWUP)
    assert followers and all(user.followup_matches.exists() for user in followers)
    assert Volunteer.objects.filter(user__in=plan.made_user_ids).exists()
    assert all(
        identity["cookie"] for role in plan.roles.values() for identity in role["identities"]
    )

    load.close_plan(plan)

    assert User.objects.count() == users_before
    assert not Match.objects.filter(followup_volunteer__isnull=False).exists()
    assert not Volunteer.objects.filter(user__isnull=False).exists()
    assert not Session.objects.filter(session_key__in=plan.session_keys).exists()
    assert not TOTPDevice.objects.filter(pk__in=plan.device_ids).exists()
    assert LogEntry.objects.count() == audit_entries
