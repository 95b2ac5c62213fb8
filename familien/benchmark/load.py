"""The load test (issue 8 item 4): real users of each role browse the main pages through
gunicorn, driven by locust, on whatever data the database holds.

Two runs, both reporting throughput, p50/p95 and errors:

* the mix: many users (100 by default) with 3-10 s of think time between pages, as people
  use Familien (target: 0 errors and p95 under 300 ms);
* saturation: the same mix without think time, stepping the user count up until p95
  passes the limit (and throughput stops growing); the highest throughput still under
  the limit is the box's capacity, reported beside the peak.

The server is gunicorn with the Dockerfile's options (but two sync workers by default, see
Options) and production settings (DEBUG off, static files from a collectstatic through
whitenoise, secure cookies behind a TLS-terminating proxy, two-factor authentication
required). The users' sessions are made here, with the second factor passed, and handed
to locust as cookies in a private temp file: locust never sees a name or a password.
Where the data has no user of a role (the national data set has no logins), users are
made for the run and wired to free rows only. The sessions, the TOTP devices made for
users who had none and the users made are deleted at the end, so the database is as it
was (last_login is not touched: no login happens).

Beside locust's times (what a person waits, queueing included), gunicorn's access log
gives each page's time inside the server, so a slow page tells apart from a full queue.

Locust runs in its own process (it monkey-patches the standard library with gevent),
pinned to one core where there are several, so that the load generator's own CPU shows.
A framework floor, ``/healthz?checks=database`` once a second, runs beside the mix, so
times can be compared across machines and runs.
"""

import csv
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path

from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import connection
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from familien import benchmark_pages
from familien.benchmark.measuring import figure, percentile
from familien.models import Role, User, Volunteer
from matching.models import Match
from surveys import answers
from surveys.models import Invitation
from surveys.tokens import token_for

ROOT = Path(__file__).resolve().parent.parent.parent
LOCUSTFILE = Path(__file__).resolve().with_name("locustfile.py")
P95_LIMIT_MS = 300
FLOOR_URL = "/healthz?checks=database"

# What each role does, as weights of benchmark_pages.PAGES keys: leaders browse and search
# their families and open details and dashboards; central staff watch the waiting list and
# the figures; volunteers open their home page and the check-in form; parents open the
# questionnaire from their link.
MIX = {
    "leader": {
        "home": 2,
        "family_list": 3,
        "family_list?q": 2,
        "family_detail": 3,
        "match_detail": 1,
        "volunteer_list": 1,
        "waiting_list": 1,
        "request_detail": 1,
        "followup_dashboard": 1,
    },
    "central": {
        "home": 2,
        "waiting_list": 2,
        "family_list": 1,
        "family_detail": 1,
        "followup_task_queue": 1,
        "followup_figures": 1,
        "survey_rates": 1,
    },
    "followup": {
        "home": 1,
        "followup_dashboard": 2,
        "followup_task_queue": 2,
        "followup_match": 1,
    },
    "volunteer": {"home": 2, "checkin_create": 2, "match_detail": 1, "followup_match": 1},
    "anonymous": {"survey_respond": 1},
}
# The share of the simulated users per role: many volunteers and parents, fewer staff.
ROLE_WEIGHTS = {"leader": 30, "central": 5, "followup": 10, "volunteer": 35, "anonymous": 20}


@dataclass
class Plan:
    """Who the simulated users are and what they open; the cookies and links stay in
    memory and in the private temp file, never in the report."""

    roles: dict = field(default_factory=dict)
    session_keys: list = field(default_factory=list)
    device_ids: list = field(default_factory=list)
    made_user_ids: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    def urls(self):
        return sorted(
            {
                (page["url"], identity["cookie"])
                for role in self.roles.values()
                for identity in role["identities"]
                for page in identity["pages"]
            }
        )


# --- users, sessions and what they open -------------------------------------------------


def real_users(role, limit):
    """Up to ``limit`` active users of the role who have something to see, chosen as
    benchmark_pages.existing_user chooses one (the first is the same user)."""
    users = benchmark_pages.users_with_something_to_see(role)
    # Distinct ids first: DISTINCT over whole user rows across those joins is slow.
    ids = list(users.values_list("pk", flat=True).distinct()[:limit])
    return list(User.objects.filter(pk__in=ids).order_by("pk"))


def open_tokens(limit):
    """Links of open invitations that open a questionnaire, as benchmark_pages.open_token
    finds one; rebuilt from the stored salt, never stored."""
    tokens = []
    candidates = Invitation.objects.open().filter(parent__isnull=False).order_by("pk")
    for invitation in candidates[: limit * 5]:
        token = token_for(invitation.token_salt)
        if answers.state_of(answers.invitation_for_token(token)) == answers.OPEN:
            tokens.append(token)
            if len(tokens) == limit:
                break
    return tokens


def open_session(user, plan):
    """A session row for ``user`` with the second factor passed, as django_otp leaves it
    after a TOTP login; a device is made for a user who has none (deleted later)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="loadtest", confirmed=True)
        plan.device_ids.append(device.pk)
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store[DEVICE_ID_SESSION_KEY] = device.persistent_id
    store.create()
    plan.session_keys.append(store.session_key)
    return store.session_key


def pages_for(role, samples):
    """[(key, url, weight)] of the role's mix that resolve for these samples."""
    pages = {page.key: page for page in benchmark_pages.PAGES}
    chosen, missing = [], []
    for key, weight in MIX[role].items():
        url, reason = benchmark_pages.resolve(pages[key], samples)
        if url is None:
            missing.append(f"{key} ({reason})")
        else:
            chosen.append({"key": key, "url": url, "weight": weight})
    return chosen, missing


LOADTEST_DOMAIN = "@loadtest.invalid"
# A follow-up volunteer keeps an eye on a few dozen matches.
FOLLOWUP_MATCHES = 25


def make_users(role, count, plan):
    """Users for a role the data has none of (the national data set has no logins), wired
    as benchmark_pages.benchmark_user wires one, but only to free rows (branches of
    running matches; matches without a follow-up volunteer; volunteers without a login),
    so deleting the users afterwards (SET_NULL) puts every row back as it was. Outside
    the audit trail: they are scaffolding, not changes anyone made."""
    active = Match.objects.filter(status=Match.Status.ACTIVE).order_by("pk")
    if role == Role.LEADER:
        branches = list(dict.fromkeys(active.values_list("family__branch_id", flat=True)[:2000]))
        count = min(count, len(branches))
    elif role == Role.FOLLOWUP:
        free = list(
            active.filter(followup_volunteer__isnull=True).values_list("pk", flat=True)[
                : count * FOLLOWUP_MATCHES
            ]
        )
        count = min(count, len(free))
        each = min(FOLLOWUP_MATCHES, len(free) // count) if count else 0
    elif role == Role.VOLUNTEER:
        free = active.filter(volunteer__user__isnull=True).values_list("volunteer_id", flat=True)
        volunteers = list(dict.fromkeys(free[: count * 10]))
        count = min(count, len(volunteers))
    users = []
    with disable_auditlog():
        for index in range(count):
            user = User.objects.create(
                email=f"{role}-{index}-{secrets.token_hex(4)}{LOADTEST_DOMAIN}",
                full_name=f"Load test {role} {index + 1}",
                role=role,
            )
            plan.made_user_ids.append(user.pk)
            if role == Role.LEADER:
                user.branches.add(branches[index])
            elif role == Role.FOLLOWUP:
                chunk = free[index * each : (index + 1) * each]
                Match.objects.filter(pk__in=chunk, followup_volunteer__isnull=True).update(
                    followup_volunteer=user
                )
            elif role == Role.VOLUNTEER:
                Volunteer.objects.filter(pk=volunteers[index], user__isnull=True).update(user=user)
            users.append(user)
    return users


def build_plan(per_role=5, roles=None, plan=None):
    """Up to ``per_role`` real users per role (made for a role that has none), each with
    a session and the pages of the mix resolved within that user's scope. A role with
    nothing to open is left out with a note. Fills ``plan`` as it goes, so whatever was
    made before a failure is still known to close_plan."""
    plan = Plan() if plan is None else plan
    for role in roles or list(MIX):
        identities = []
        if role == "anonymous":
            for token in open_tokens(per_role):
                samples = benchmark_pages.Samples(token=token)
                pages, _missing = pages_for(role, samples)
                identities.append({"cookie": "", "pages": pages})
        else:
            users = real_users(role, per_role)
            if not users:
                users = make_users(role, per_role, plan)
                plan.notes.append(f"{len(users)} {role} users made for the run (none in the data)")
            for user in users:
                pages, missing = pages_for(role, benchmark_pages.samples_for(role, user))
                if missing:
                    plan.notes.append(f"{role} #{user.pk}: left out {', '.join(missing)}")
                if pages:
                    identities.append({"cookie": open_session(user, plan), "pages": pages})
        if identities:
            plan.roles[role] = {"weight": ROLE_WEIGHTS[role], "identities": identities}
        else:
            plan.notes.append(f"no {role} with something to open: role left out")
    return plan


def remove_leftovers():
    """Users left by a run that was killed before it could clean up (only this module
    makes users in LOADTEST_DOMAIN); returns how many."""
    with disable_auditlog():
        deleted, per_model = User.objects.filter(email__endswith=LOADTEST_DOMAIN).delete()
    return per_model.get(User._meta.label, 0)


def close_plan(plan):
    """Delete what build_plan made: the sessions (gunicorn kept them alive), the devices
    of users who had none, and the users made (their rows' links go back to NULL)."""
    Session.objects.filter(session_key__in=plan.session_keys).delete()
    TOTPDevice.objects.filter(pk__in=plan.device_ids).delete()
    with disable_auditlog():
        User.objects.filter(pk__in=plan.made_user_ids).delete()


# --- the server -------------------------------------------------------------------------


def database_url():
    """The database this process uses (the test database under pytest), as a URL for
    the server's settings."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] or ""
    if db["PASSWORD"]:
        auth += f":{db['PASSWORD']}"
    host = f"{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"
    return f"postgres://{auth + '@' if auth else ''}{host}/{db['NAME']}"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_environment(workdir):
    """Production settings for the server, sharing this process's secrets (the sessions
    and survey links made here must verify there) and database.

    A settings module in the temp folder collects static files there, not into the
    checkout, and without compressing them: pages only need the manifest to name the
    files, no simulated user fetches them (browsers keep them, they are fingerprinted),
    and production's compression (a build step of the Dockerfile) takes 10-20 s here."""
    (workdir / "loadtest_settings.py").write_text(
        "from familien.settings import *  # noqa: F403\n"
        "from familien.settings import STORAGES\n"
        f"STATIC_ROOT = {str(workdir / 'static')!r}\n"
        "STORAGES = {**STORAGES, 'staticfiles': {'BACKEND': "
        "'django.contrib.staticfiles.storage.ManifestStaticFilesStorage'}}\n"
    )
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "FAMILIEN_", "DATABASE_", "SECURE_"))
    }
    environment.update(
        {
            "DJANGO_SETTINGS_MODULE": "loadtest_settings",
            "PYTHONPATH": os.pathsep.join([str(workdir), str(ROOT)]),
            "FAMILIEN_MODE": "production",
            "FAMILIEN_DATA_DIR": str(settings.DATA_DIR),
            "DEBUG": "0",
            "SECRET_KEY": settings.SECRET_KEY,
            "SURVEY_TOKEN_SECRET": settings.SURVEY_TOKEN_SECRET,
            "SURVEY_PSEUDONYM_SECRET": settings.SURVEY_PSEUDONYM_SECRET,
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "ALLOWED_HOSTS": "127.0.0.1",
            # TLS ends at the proxy in front (docker-compose.yml); the load generator
            # plays the proxy and says so in X-Forwarded-Proto.
            "BEHIND_PROXY": "1",
            "LOG_LEVEL": "WARNING",
        }
    )
    return environment


def prepare_static(environment):
    """collectstatic into the temp folder; returns the server's session cookie name."""
    script = (
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        "from django.core.management import call_command\n"
        "call_command('collectstatic', interactive=False, verbosity=0)\n"
        "print(settings.SESSION_COOKIE_NAME)\n"
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"collectstatic failed:\n{done.stderr[-3000:]}")
    return done.stdout.strip().splitlines()[-1]


# The access log of the run holds the time each request took inside gunicorn and the
# label locust sent (run, role and page), never a URL: URLs carry survey links.
ACCESS_LOG_FORMAT = "%(D)s %(s)s %({x-familien-load}i)s"


def gunicorn_command(port, workers, threads, access_log):
    """The Dockerfile's command, on a loopback port: gthread workers when threads > 1,
    sync workers otherwise; plus an access log of server times (see ACCESS_LOG_FORMAT)."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "familien.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--worker-class",
        "gthread" if threads > 1 else "sync",
        "--timeout",
        "60",
        "--graceful-timeout",
        "30",
        "--keep-alive",
        "5",
        "--max-requests",
        "1000",
        "--max-requests-jitter",
        "100",
        "--access-logfile",
        str(access_log),
        "--access-logformat",
        ACCESS_LOG_FORMAT,
        "--worker-tmp-dir",
        # As the Dockerfile: the heartbeat file in memory, not on a slow disk.
        "/dev/shm" if Path("/dev/shm").is_dir() else tempfile.gettempdir(),  # noqa: S108
    ]


def fetch(url, headers, timeout=30):
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - our loopback server
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def request_headers(cookie_name, session_key):
    headers = {"X-Forwarded-Proto": "https"}
    if session_key:
        headers["Cookie"] = f"{cookie_name}={session_key}"
    return headers


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@contextmanager
def running_server(workdir, workers, threads, say):
    """gunicorn with production settings on a free loopback port; yields
    (base url, session cookie name) once it answers, stops it afterwards."""
    environment = server_environment(workdir)
    started = time.monotonic()
    cookie_name = prepare_static(environment)
    say(f"collectstatic into the temp folder: {time.monotonic() - started:.1f} s")
    port = free_port()
    log_path = workdir / "gunicorn.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(  # noqa: S603 - our own interpreter
            gunicorn_command(port, workers, threads, workdir / "access.log"),
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(server, base, log_path)
            yield base, cookie_name
        finally:
            stop(server)


def wait_until_up(server, base, log_path, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{log_path.read_text()[-3000:]}")
        try:
            fetch(base + FLOOR_URL, request_headers("", ""), timeout=5)
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer in {seconds} s:\n{log_path.read_text()[-3000:]}")


def stop(process, seconds=30):
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def warm_up(base, cookie_name, plan):
    """Each page of each user once before timing, so the workers have loaded their
    templates and the database its pages, as in a server that has been running.
    Returns how many did not answer 200, per status (a broken plan shows here)."""
    opener = urllib.request.build_opener(NoRedirect)
    odd = {}
    for url, cookie in plan.urls():
        request = urllib.request.Request(  # noqa: S310 - our loopback server
            base + url, headers=request_headers(cookie_name, cookie)
        )
        try:
            with opener.open(request, timeout=60) as response:
                response.read()
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        if status != 200:
            odd[status] = odd.get(status, 0) + 1
    return odd


# --- locust -----------------------------------------------------------------------------


def pinning():
    """``taskset -c N`` for the last core this process may use, when there are several."""
    cores = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    taskset = shutil.which("taskset")
    if taskset and len(cores) > 1:
        return [taskset, "-c", str(cores[-1])], cores[-1]
    return [], None


def run_locust(base, plan_path, workdir, name, users, seconds, spawn_rate, think):
    """One headless locust run; returns its parsed CSV stats."""
    prefix = workdir / name
    prefix_args, _core = pinning()
    command = [
        *prefix_args,
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--host",
        base,
        # The simulated people and the floor probe beside them.
        "--users",
        str(users + 1),
        "--spawn-rate",
        str(spawn_rate),
        "--run-time",
        f"{seconds}s",
        "--stop-timeout",
        "10",
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--exit-code-on-error",
        "0",
    ]
    environment = {
        **os.environ,
        "FAMILIEN_LOAD_PLAN": str(plan_path),
        "FAMILIEN_LOAD_THINK": json.dumps(list(think)),
        "FAMILIEN_LOAD_RUN": name,
    }
    log_path = workdir / f"{name}.log"
    with open(log_path, "w") as log:
        done = subprocess.run(  # noqa: S603 - our own interpreter and locustfile
            command,
            cwd=workdir,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            timeout=seconds + 120,
            check=False,
        )
    stats_path = Path(f"{prefix}_stats.csv")
    if done.returncode != 0 or not stats_path.exists():
        raise RuntimeError(f"locust failed ({done.returncode}):\n{log_path.read_text()[-3000:]}")
    failures = Path(f"{prefix}_failures.csv")
    stats = parse_stats(stats_path, failures if failures.exists() else None)
    add_server_times(stats, server_times(workdir / "access.log", name))
    return stats


def number(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def parse_stats(stats_path, failures_path=None):
    """{"rows": per page and role, "total": the aggregate, "floor": the framework floor,
    "failures": [{name, error, count}]} from locust's CSV files."""
    rows, total = [], None
    with open(stats_path, newline="") as handle:
        for record in csv.DictReader(handle):
            row = {
                "name": record["Name"],
                "requests": int(record["Request Count"]),
                "failures": int(record["Failure Count"]),
                "rps": round(number(record["Requests/s"]) or 0.0, 2),
                "p50_ms": number(record["50%"]),
                "p95_ms": number(record["95%"]),
                "p99_ms": number(record["99%"]),
                "max_ms": round(number(record["Max Response Time"]) or 0.0, 1),
                "avg_ms": round(number(record["Average Response Time"]) or 0.0, 1),
            }
            if record["Name"] == "Aggregated":
                total = row
            else:
                rows.append(row)
    failures = []
    if failures_path is not None:
        with open(failures_path, newline="") as handle:
            failures = [
                {"name": f["Name"], "error": f["Error"], "count": int(f["Occurrences"])}
                for f in csv.DictReader(handle)
            ]
    floor = next((row for row in rows if row["name"] == "floor"), None)
    return {"rows": rows, "total": total, "floor": floor, "failures": failures}


def server_times(access_log, run):
    """{name: [ms]} of the run's requests as gunicorn timed them (from reading the request
    to writing the response: no wait in the listen queue, no network, no generator)."""
    times = {}
    if not access_log.exists():
        return times
    for line in access_log.read_text().splitlines():
        micros, _status, label = (line.split(" ", 2) + ["", ""])[:3]
        found_run, _space, name = label.partition(" ")
        if found_run == run and name and micros.isdigit():
            times.setdefault(name, []).append(int(micros) / 1000)
    return times


def add_server_times(stats, times):
    """Server p50/p95 beside locust's figures, per row and for all requests."""

    def figures(values):
        if not values:
            return {"server_p50_ms": None, "server_p95_ms": None}
        return {
            "server_p50_ms": round(percentile(values, 0.5), 1),
            "server_p95_ms": round(percentile(values, 0.95), 1),
        }

    for row in stats["rows"]:
        row.update(figures(times.get(row["name"], [])))
    if stats["total"] is not None:
        stats["total"].update(figures([ms for values in times.values() for ms in values]))


def judge(stats, limit_ms):
    total = stats["total"] or {}
    ok = (
        total.get("requests", 0) > 0
        and total.get("failures", 1) == 0
        and (total.get("p95_ms") or 0) < limit_ms
    )
    return "OK" if ok else "MISS"


# Past the limit, stepping up goes on only while throughput still grows this much: the
# peak is then found, and a saturated box is not pushed into ever longer queues.
GROWTH = 1.1


def saturation(run, steps, limit_ms, say):
    """Run the mix without think time at each user count in ``steps``, while p95 stays
    under the limit with no errors or throughput still grows by GROWTH a step. Returns
    the steps, the best one (the highest throughput whose p95 stays under the limit with
    no errors) and the peak throughput of any step."""
    results, best = [], None
    for users in steps:
        stats = run(f"saturation_{users}", users)
        total = stats["total"] or {}
        step = {
            "users": users,
            "rps": total.get("rps"),
            "requests": total.get("requests"),
            "failures": total.get("failures"),
            "p50_ms": total.get("p50_ms"),
            "p95_ms": total.get("p95_ms"),
            "p99_ms": total.get("p99_ms"),
            "server_p50_ms": total.get("server_p50_ms"),
            "server_p95_ms": total.get("server_p95_ms"),
            "floor_p50_ms": (stats["floor"] or {}).get("p50_ms"),
        }
        results.append(step)
        say(
            f"  {users:>4} users: {step['rps']} req/s, p50 {step['p50_ms']} ms, "
            f"p95 {step['p95_ms']} ms (server {step['server_p95_ms']} ms), "
            f"{step['failures']} errors"
        )
        within = step["failures"] == 0 and (step["p95_ms"] or 0) < limit_ms
        if within and (best is None or step["rps"] > best["rps"]):
            best = step
        growing = len(results) == 1 or (step["rps"] or 0) >= GROWTH * (results[-2]["rps"] or 0)
        if not within and not growing:
            break
    peak = max((step["rps"] or 0 for step in results), default=None)
    return {"p95_limit_ms": limit_ms, "steps": results, "best": best, "peak_rps": peak}


# --- the whole run ----------------------------------------------------------------------


@dataclass
class Options:
    users: int = 100
    seconds: int = 180
    spawn_rate: float = 10
    think: tuple = (3, 10)
    steps: tuple = (1, 2, 4, 8, 16, 32)
    step_seconds: int = 30
    per_role: int = 5
    # Two sync workers, one per core: on this 2-core box the mix's p95 was 220 ms with
    # them against 340 ms with the Dockerfile's 3 gthread workers x 4 threads (same
    # minutes), whose twelve concurrent requests share two cores and each GIL.
    workers: int = 2
    threads: int = 1
    p95_limit_ms: int = P95_LIMIT_MS
    load: bool = True
    saturate: bool = True


def write_plan(plan, path, cookie_name):
    document = {"cookie_name": cookie_name, "floor_url": FLOOR_URL, "roles": plan.roles}
    # The file holds session keys and survey links: readable by this user only.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        json.dump(document, handle)


def run_load_test(options, say=print):
    """Build the plan, start the server, run the mix and the saturation steps; always
    stops the server and deletes the sessions, devices and users made. Returns the
    report."""
    leftovers = remove_leftovers()
    audit_before = LogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    report = {
        "server": {
            "wsgi": "gunicorn",
            "workers": options.workers,
            "threads": options.threads,
            "worker_class": "gthread" if options.threads > 1 else "sync",
            "settings": "production (DEBUG off, whitenoise, 2FA required, behind a proxy)",
        },
        "generator": {"tool": "locust", "pinned_core": pinning()[1]},
        "p95_limit_ms": options.p95_limit_ms,
        "leftover_users_removed": leftovers,
    }
    workdir = Path(tempfile.mkdtemp(prefix="familien-load-"))
    plan = Plan()
    try:
        build_plan(options.per_role, plan=plan)
        if not plan.roles:
            raise RuntimeError("no user of any role has something to open")
        report["identities"] = {
            role: len(value["identities"]) for role, value in plan.roles.items()
        }
        report["notes"] = plan.notes
        with running_server(workdir, options.workers, options.threads, say) as (base, cookie):
            plan_path = workdir / f"plan-{secrets.token_hex(4)}.json"
            write_plan(plan, plan_path, cookie)
            odd = warm_up(base, cookie, plan)
            report["warm_up"] = {"pages": len(plan.urls()), "not_200": odd}
            if odd:
                raise RuntimeError(f"pages that do not answer 200 before the run: {odd}")

            def run(name, users, seconds, spawn_rate, think):
                return run_locust(base, plan_path, workdir, name, users, seconds, spawn_rate, think)

            if options.load:
                say(
                    f"Mix: {options.users} users, think time {options.think[0]}-"
                    f"{options.think[1]} s, {options.seconds} s"
                )
                stats = run(
                    "load", options.users, options.seconds, options.spawn_rate, options.think
                )
                report["load"] = {
                    "users": options.users,
                    "seconds": options.seconds,
                    "think_s": list(options.think),
                    **stats,
                    "verdict": judge(stats, options.p95_limit_ms),
                }
            if options.saturate:
                say(f"Saturation: no think time, {options.step_seconds} s per step")
                report["saturation"] = saturation(
                    lambda name, users: run(name, users, options.step_seconds, users, (0, 0)),
                    options.steps,
                    options.p95_limit_ms,
                    say,
                )
                report["saturation"]["step_seconds"] = options.step_seconds
    finally:
        close_plan(plan)
        shutil.rmtree(workdir, ignore_errors=True)
    report["audit_entries_written"] = LogEntry.objects.filter(pk__gt=audit_before).count()
    report["users_made"] = len(plan.made_user_ids)
    report["cleaned_up"] = {
        "sessions": not Session.objects.filter(session_key__in=plan.session_keys).exists(),
        "devices": not TOTPDevice.objects.filter(pk__in=plan.device_ids).exists(),
        "users": not User.objects.filter(pk__in=plan.made_user_ids).exists(),
    }
    return report


# --- output -----------------------------------------------------------------------------


def table(stats):
    header = (
        f"{'role page':<32} {'requests':>8} {'errors':>6} {'req/s':>7} "
        f"{'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'max ms':>7} {'srv p50':>7} {'srv p95':>7}"
    )
    lines = [header, "-" * len(header)]
    rows = sorted(stats["rows"], key=lambda row: row["name"])
    if stats["total"]:
        rows.append(stats["total"])
    for row in rows:
        lines.append(
            f"{row['name']:<32} {row['requests']:>8} {row['failures']:>6} "
            f"{figure(row['rps'], 1):>7} {figure(row['p50_ms'], 0):>7} "
            f"{figure(row['p95_ms'], 0):>7} "
            f"{figure(row['p99_ms'], 0):>7} {figure(row['max_ms'], 0):>7} "
            f"{figure(row.get('server_p50_ms'), 0):>7} "
            f"{figure(row.get('server_p95_ms'), 0):>7}"
        )
    for failure in stats["failures"]:
        lines.append(f"  error {failure['name']}: {failure['error']} x{failure['count']}")
    return "\n".join(lines)
