"""`manage.py benchmark`'s engine, PDF and suggestion sections (issue 8 item 2) on a tiny
data set: the worker process handles every due step it was given, the figures add up,
and nothing the benchmark made stays in the database."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from familien.benchmark import engine as engine_benchmark
from familien.models import ConsentState, Programme
from matching.models import Match
from surveys.models import ContactAttempt, Invitation, Questionnaire, Respondent, SurveyOptOut
from tests.factories import FamilyFactory, MatchFactory, ParentFactory, VolunteerFactory

CHANNELS = ["sms", "mail", "both", "print", ""]


def tiny_world():
    """Twelve consenting families, each with a parent on its preferred channel and a
    match, two families without consent and one volunteer who opted out."""
    Questionnaire.objects.create(
        code="bench-test",
        version=99,
        respondent=Respondent.PARENT,
        programme=Programme.FAMILY_FRIEND,
        title_da="Test",
        title_en="Test",
        published_at=timezone.now(),
    )
    for index in range(12):
        family = FamilyFactory(evaluation_consent=ConsentState.GIVEN)
        channel = CHANNELS[index % len(CHANNELS)]
        ParentFactory(
            family=family,
            phone="" if index == 3 else "+4520304050",
            email="" if index in (3, 4) else f"p{index}@example.dk",
            preferred_channel=channel,
        )
        MatchFactory(family=family, volunteer=VolunteerFactory(email=f"v{index}@example.dk"))
    for _ in range(2):
        family = FamilyFactory(evaluation_consent=ConsentState.MISSING)
        ParentFactory(family=family)
        MatchFactory(family=family)
    SurveyOptOut.objects.create(volunteer=Match.objects.order_by("pk").last().volunteer)


@pytest.mark.django_db(transaction=True)
def test_the_worker_handles_every_due_step_once_and_leaves_nothing():
    tiny_world()
    attempts_before = ContactAttempt.objects.count()
    invitations_before = Invitation.objects.count()

    result = engine_benchmark.measure_engine(20, say=lambda line: None)

    # Twelve consenting parents, then volunteers (not the one who opted out) up to 20.
    assert result["steps_due"] == 20
    assert result["steps_processed"] == 20
    assert result["steps_still_due"] == 0
    statuses = result["attempt_statuses"]
    assert sum(statuses.values()) == result["attempts"] >= 20
    # Every sms and mail attempt was sent once; letters wait for the post.
    assert statuses.get("sent", 0) == result["sms_sent"] + result["mails_sent"]
    assert statuses.get("to_post", 0) >= 1
    assert set(statuses) <= {"sent", "to_post"}
    assert result["steps_per_second"] > 0
    assert 0 < result["worker_start_mb"] <= result["worker_peak_mb"]
    assert ContactAttempt.objects.count() == attempts_before
    assert Invitation.objects.count() == invitations_before


@pytest.mark.django_db(transaction=True)
def test_a_run_killed_half_way_is_cleaned_up_by_the_next():
    tiny_world()
    assert engine_benchmark.make_due_invitations(5) == 5
    assert engine_benchmark.due_steps() == 5
    engine_benchmark.make_due_invitations(3)
    assert engine_benchmark.benchmark_invitations().count() == 3
    engine_benchmark.remove_due_invitations()
    assert engine_benchmark.due_steps() == 0


@pytest.mark.django_db(transaction=True)
def test_the_benchmark_command_writes_engine_pdf_and_suggestion_sections(tmp_path):
    tiny_world()
    families_before = Match.objects.count()
    path = tmp_path / "b.json"
    out = StringIO()

    call_command(
        "benchmark",
        "--sections", "engine", "pdf", "suggestions",
        "--engine-steps", "10",
        "--pdf-runs", "2",
        "--pdf-data", "sample",
        "--pdf-branches", "2",
        "--suggestion-volunteers", "300",
        "--suggestion-families", "20",
        "--suggestion-branches", "3",
        "--suggestion-runs", "3",
        "--json", str(path),
        stdout=out,
    )  # fmt: skip

    document = json.loads(path.read_text())
    assert document["sections"] == ["engine", "pdf", "suggestions"]
    assert "rows" not in document
    assert document["machine"]["debug"] is False
    assert len(document["machine"]["git_sha"]) in (0, 40)
    engine = document["engine"]
    assert engine["steps_due"] == engine["steps_processed"] == 10
    assert engine["verdict"] in ("OK", "MISS")
    report = document["pdf"]
    assert report["data"] == "sample"
    assert report["pages"] >= 3
    assert len(report["timings_s"]) == 2
    assert report["median_s"] > report["html_median_s"] > 0
    assert report["peak_mb"] >= report["start_mb"] > 0
    found = document["suggestions"]
    assert found["volunteers"] >= 300
    assert found["runs"] == 3
    assert found["p95_ms"] >= found["p50_ms"] > 0
    assert 1 <= found["suggestions_max"] <= 10
    # Everything was rolled back or deleted.
    assert Match.objects.count() == families_before
    assert Invitation.objects.count() == 0
    assert "Mode: DEBUG off" in out.getvalue()


@pytest.mark.django_db
def test_the_pages_run_with_debug_off_and_no_collectstatic(world, tmp_path, settings):
    """Production's manifest storage needs collectstatic; the benchmark runs production-
    like (DEBUG off) on the plain storage instead, and says so."""
    settings.DEBUG = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    settings.STATIC_ROOT = tmp_path / "never-collected"
    path = tmp_path / "b.json"
    out = StringIO()

    def run(*options):
        call_command(
            "benchmark",
            "--sections", "pages",
            "--roles", "leader",
            "--pages", "home", "waiting_list",
            "--runs", "1",
            "--json", str(path),
            *options,
            stdout=out,
        )  # fmt: skip
        document = json.loads(path.read_text())
        return document, [(row["page"], row["status"]) for row in document["rows"]]

    document, statuses = run()
    # "waiting_list" names the url, so its last page comes with it.
    assert statuses == [("home", 200), ("waiting_list", 200), ("waiting_list?last", 200)]
    assert document["machine"]["debug"] is False
    assert "Mode: DEBUG off (production-like" in out.getvalue()
    # With the settings as they are, the manifest that was never collected fails them.
    document, statuses = run("--debug")
    assert statuses == [("home", 500), ("waiting_list", 500), ("waiting_list?last", 500)]
