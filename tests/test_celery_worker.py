"""A real Celery worker and a real Celery beat, on the configured broker (Redis in CI,
the file-system broker by default), against the test database."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from familien.models import Heartbeat
from familien.status import check_heartbeat

ROOT = Path(__file__).resolve().parent.parent
CELERY = [sys.executable, "-m", "celery", "-A", "familien"]


def database_url():
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def start(args, tmp_path, name, queue):
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": database_url(),
        # A queue of this test's own, so no other worker on the same broker takes its tasks.
        "CELERY_QUEUE": queue,
        "HEARTBEAT_SECONDS": "30",
    }
    log = open(tmp_path / f"{name}.log", "w")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(
        [*CELERY, *args], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    ), log


def wait_for(condition, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return False


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_beat_and_worker_write_their_heartbeats_right_after_start(tmp_path):
    """With a 30-second interval, both rows still appear well within it: beat writes its
    own at once and asks a worker for one at its first tick."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    processes = [
        start(
            ["worker", "--pool=solo", "--without-gossip", "--without-mingle", "-l", "INFO"],
            tmp_path,
            "worker",
            queue,
        ),
        start(["beat", "-l", "INFO", "-s", str(tmp_path / "schedule")], tmp_path, "beat", queue),
    ]
    try:
        both = wait_for(
            lambda: Heartbeat.objects.filter(source__in=["beat", "worker"]).count() == 2, 25
        )
        logs = "\n".join((tmp_path / f"{n}.log").read_text() for n in ("worker", "beat"))
        assert both, logs[-4000:]
        assert check_heartbeat("beat").ok
        assert check_heartbeat("worker").ok
        assert "record_worker_heartbeat" in (tmp_path / "worker.log").read_text()
    finally:
        for process, log in processes:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
            log.close()
