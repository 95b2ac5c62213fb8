"""No message waits in the broker longer than 300 s, anywhere (docs/operations.md,
"Faults"). The two faults that break plain Celery on Redis need such a wait: a task with
an ETA is held unacknowledged by a worker and is lost or delayed past the visibility
timeout when Redis restarts, and a countdown longer than the visibility timeout is
delivered again and again. Familien's reminders are database rows and its tasks carry
no long countdown, so neither can happen: this file checks the code, the settings and
the tasks, and a guard in tests/faults/conftest.py checks every message published."""

import ast
from datetime import timedelta
from pathlib import Path

import pytest
from celery.schedules import crontab
from django.conf import settings

from tests.conftest import MAX_BROKER_DELAY

pytestmark = pytest.mark.fault
ROOT = Path(__file__).resolve().parent.parent.parent
APPS = ["familien", "surveys", "matching", "followup"]
DELAY_WORDS = {"countdown", "eta", "default_retry_delay", "retry_backoff_max"}


def project_files():
    for app in APPS:
        yield from (ROOT / app).rglob("*.py")


def long_delays(tree, path):
    """Every countdown/eta/retry delay in calls and decorators that is not a number of at
    most MAX_BROKER_DELAY seconds; an eta is never allowed (it is a moment, unbounded)."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        keywords = {k.arg: k.value for k in node.keywords if k.arg}
        for word in DELAY_WORDS & set(keywords):
            value = keywords[word]
            bounded = (
                word != "eta"
                and isinstance(value, ast.Constant)
                and isinstance(value.value, int | float)
                and value.value <= MAX_BROKER_DELAY
            )
            if not bounded:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {word}={ast.unparse(value)}")
        backoff = keywords.get("retry_backoff")
        if backoff is not None and "retry_backoff_max" not in keywords:
            # Celery's default cap is 600 s.
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} retry_backoff without a max")
    return found


def test_the_code_asks_for_no_broker_wait_over_300_seconds():
    found = []
    files = list(project_files())
    assert len(files) > 20
    for path in files:
        found += long_delays(ast.parse(path.read_text(), str(path)), path)
    assert found == []


def test_the_scan_finds_a_long_countdown():
    code = (
        "task.apply_async(args, countdown=3600)\n"
        "task.apply_async(args, countdown=60)\n"
        "self.retry(exc=e, countdown=wait)\n"
        "task.apply_async(eta=when)\n"
        "@shared_task(retry_backoff=True)\ndef f(): pass\n"
        "@shared_task(default_retry_delay=900)\ndef g(): pass\n"
    )
    found = long_delays(ast.parse(code), ROOT / "x.py")
    assert [line.split(" ", 1)[1] for line in found] == [
        "countdown=3600",
        "countdown=wait",
        "eta=when",
        "retry_backoff without a max",
        "default_retry_delay=900",
    ]


def test_the_tasks_and_settings_keep_every_wait_short():
    from familien.celery import app

    app.loader.import_default_modules()
    ours = [task for name, task in app.tasks.items() if name.split(".")[0] in APPS]
    assert len(ours) >= 8
    for task in ours:
        assert task.default_retry_delay <= MAX_BROKER_DELAY, task.name
        if getattr(task, "retry_backoff", False):
            assert task.retry_backoff_max <= MAX_BROKER_DELAY, task.name
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        options = entry.get("options", {})
        assert not {"countdown", "eta"} & set(options), name
        # An expiry never holds a message back; it drops one older than its interval, so
        # ticks never pile up behind a stopped worker.
        if "expires" in options and not isinstance(entry["schedule"], crontab):
            schedule = entry["schedule"]
            seconds = schedule.total_seconds() if isinstance(schedule, timedelta) else schedule
            assert options["expires"] <= seconds, name
    transport = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {})
    # The visibility timeout is left at its default (an hour) or at least above any wait.
    assert transport.get("visibility_timeout", 3600) > MAX_BROKER_DELAY
    assert getattr(settings, "CELERY_TASK_DEFAULT_RETRY_DELAY", 180) <= MAX_BROKER_DELAY


def test_the_publish_guard_sees_a_long_countdown(no_long_broker_delays):
    """The guard around every fault test reads the eta of each published message: here a
    message with a one-hour countdown, published to an in-memory broker."""
    from familien.celery import app
    from surveys.tasks import warm_survey_figures

    with app.connection_for_write("memory://") as connection:
        warm_survey_figures.apply_async(countdown=3600, connection=connection)
        warm_survey_figures.apply_async(countdown=30, connection=connection)
    (task, long_eta), (_task, short_eta) = no_long_broker_delays[-2:]
    assert task == "surveys.tasks.warm_survey_figures" and long_eta and short_eta
    # Taken out again, or the guard would (rightly) fail this test at its end.
    del no_long_broker_delays[-2]
