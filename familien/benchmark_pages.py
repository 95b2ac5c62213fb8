"""Time the main pages per role on whatever data the database holds (issue 8 items 2
and 3): the SQL query count, the server time p50/p95 over repeated requests, the time of
the page's own SQL alone, and Django admin's family change list beside the lists.

Requests go through django.test.Client in-process, so the times are the server's without
the network. The caller (the ``benchmark`` command) runs all of this inside a transaction
it rolls back: benchmark users made for a missing role, their second-factor devices,
sessions and anything a page writes leave no trace.
"""

import os
import platform
import statistics
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from familien import access
from familien.benchmark.measuring import figure, percentile
from familien.models import Branch, Child, Family, Role, User, Volunteer
from followup.models import CheckIn, FollowUpTask
from matching.models import Match, SupportRequest
from surveys import answers
from surveys.models import ContactAttempt, Invitation
from surveys.tokens import token_for

ROLES = ["leader", "central", "followup", "volunteer", "evaluator", "admin", "anonymous"]
QUERY_TARGET = 15
TIME_TARGET_MS = 100
# Search across a user's branches (issue 8 item 5).
SEARCH_TARGET_MS = 50
ADMIN_PAGE = "admin_family_changelist"
# A long list's last page may take at most this many times its first page (item 5).
LAST_PAGE_FACTOR = 2
LAST_PAGE_SUFFIX = "?last"
# The lists compared with the admin's change list (item 3).
LIST_PAGES = {
    "family_list",
    "family_list?last",
    "volunteer_list?last",
    "waiting_list?last",
    "family_list?q",
    "family_list?filter",
    "volunteer_list",
    "volunteer_list?q",
    "waiting_list",
    "followup_task_queue",
    "survey_call_queue",
}
OVERHEAD_NOTE = (
    "Times are in-process (django.test.Client, no network). Queries are captured with "
    "CaptureQueriesContext, which forces a debug cursor: a little overhead per query; "
    "savepoints and BEGIN/COMMIT are not counted. "
    "SQL ms is the time spent executing the page's queries (rows fetched later not included)."
)


@dataclass
class Page:
    key: str
    url_name: str
    roles: list
    # (samples of the role) -> url kwargs, or a reason string when the sample is missing.
    kwargs: object = None
    # (samples of the role) -> query string (never printed: it may hold a name).
    query: object = None
    target_ms: int = TIME_TARGET_MS


@dataclass
class Samples:
    """The records a role's pages are measured on, chosen inside that role's scope."""

    user: object = None
    match: object = None
    family: object = None
    volunteer: object = None
    request: object = None
    token: str = ""
    notes: list = field(default_factory=list)


def needs(attribute, build=lambda value: {"pk": value.pk}):
    """A kwargs function for a page on one sample record; a reason when there is none."""

    def kwargs(samples):
        value = getattr(samples, attribute)
        if value is None:
            return f"no {attribute} in this role's scope"
        return build(value)

    return kwargs


def search_term(samples):
    """A fragment of a real family name, as a person would type it."""
    family = samples.family or Family.objects.order_by("pk").first()
    words = (family.name if family else "familie").split()
    return {"q": words[-1][:4]}


def volunteer_search_term(samples):
    volunteer = samples.volunteer or Volunteer.objects.order_by("pk").first()
    return {"q": (volunteer.last_name if volunteer else "frivillig")[:4]}


LEADERS = ["leader", "central"]
FOLLOWERS = ["leader", "central", "followup"]
READERS = ["leader", "central", "followup", "volunteer"]
COUNTS = ["leader", "central", "evaluator"]

PAGES = [
    Page("home", "home", ["leader", "central", "followup", "volunteer", "evaluator", "admin"]),
    Page("family_list", "family_list", FOLLOWERS),
    Page("family_list?q", "family_list", FOLLOWERS, query=search_term, target_ms=SEARCH_TARGET_MS),
    Page("family_list?filter", "family_list", FOLLOWERS, query=lambda s: {"status": "active"}),
    Page("family_detail", "family_detail", READERS, kwargs=needs("family")),
    Page("family_list?last", "family_list", FOLLOWERS, query=lambda s: {"side": "last"}),
    Page("volunteer_list", "volunteer_list", LEADERS),
    Page("volunteer_list?last", "volunteer_list", LEADERS, query=lambda s: {"side": "last"}),
    Page(
        "volunteer_list?q",
        "volunteer_list",
        LEADERS,
        query=volunteer_search_term,
        target_ms=SEARCH_TARGET_MS,
    ),
    Page("volunteer_detail", "volunteer_detail", FOLLOWERS, kwargs=needs("volunteer")),
    Page("waiting_list", "waiting_list", LEADERS),
    Page("waiting_list?last", "waiting_list", LEADERS, query=lambda s: {"side": "last"}),
    Page("request_detail", "request_detail", LEADERS, kwargs=needs("request")),
    Page("suggestions", "suggestions", LEADERS, kwargs=needs("request"), target_ms=200),
    Page("match_detail", "match_detail", READERS, kwargs=needs("match")),
    Page("followup_match", "followup_match", READERS, kwargs=needs("match")),
    Page("checkin_create", "checkin_create", ["volunteer"], kwargs=needs("match")),
    Page("followup_dashboard", "followup_dashboard", FOLLOWERS),
    Page("followup_task_queue", "followup_task_queue", FOLLOWERS),
    Page("followup_figures", "followup_figures", LEADERS),
    Page("survey_call_queue", "survey_call_queue", FOLLOWERS),
    Page("survey_rates", "survey_rates", COUNTS),
    Page("survey_outcomes", "survey_outcomes", COUNTS),
    Page(
        "survey_respond",
        "survey_respond",
        ["anonymous"],
        kwargs=needs("token", build=lambda token: {"token": token}),
        target_ms=50,
    ),
    Page("reports", "reports", COUNTS),
    Page(ADMIN_PAGE, "admin:familien_family_changelist", ["admin"]),
]


# --- users and samples ------------------------------------------------------------------


def users_with_something_to_see(role):
    """Active users of the role who have something to see, by pk (not distinct): a
    leader with branches holding matches, a follow-up volunteer with assigned matches, a
    volunteer with a profile and running matches."""
    users = User.objects.filter(role=role, is_active=True).order_by("pk")
    if role == Role.LEADER:
        users = users.filter(branches__families__matches__isnull=False)
    elif role == Role.FOLLOWUP:
        users = users.filter(followup_matches__isnull=False)
    elif role == Role.VOLUNTEER:
        users = users.filter(volunteer__matches__status=Match.Status.ACTIVE)
    return users


def existing_user(role):
    """The first user of the role who has something to see."""
    return users_with_something_to_see(role).distinct().first()


def benchmark_user(role):
    """A user for a role the data lacks, wired to a running match where the role needs
    one. Only ever made inside the rolled-back transaction."""
    user = User.objects.create(
        email=f"benchmark-{role}@benchmark.invalid", full_name=f"Benchmark {role}", role=role
    )
    match = Match.objects.filter(status=Match.Status.ACTIVE).order_by("pk").first()
    if match is None:
        return user
    if role == Role.LEADER:
        user.branches.add(match.family.branch_id)
    elif role == Role.FOLLOWUP:
        Match.objects.filter(pk=match.pk).update(followup_volunteer=user)
    elif role == Role.VOLUNTEER:
        volunteer = Volunteer.objects.filter(user__isnull=True, matches__status=Match.Status.ACTIVE)
        volunteer = volunteer.order_by("pk").first()
        if volunteer is not None:
            Volunteer.objects.filter(pk=volunteer.pk).update(user=user)
    return user


def users_per_role(roles):
    """{role: user}, and how many benchmark users had to be made."""
    users, made = {}, 0
    for role in roles:
        if role == "anonymous":
            continue
        user = existing_user(role)
        if user is None:
            user, made = benchmark_user(role), made + 1
        users[role] = user
    return users, made


def open_token():
    """The link of an open invitation that opens a questionnaire (consent given, not
    anonymised); the token is rebuilt from the stored salt, never stored itself."""
    candidates = Invitation.objects.open().filter(parent__isnull=False).order_by("pk")[:50]
    for invitation in candidates:
        token = token_for(invitation.token_salt)
        if answers.state_of(answers.invitation_for_token(token)) == answers.OPEN:
            return token
    return ""


def samples_for(role, user):
    samples = Samples(user=user)
    if role == "anonymous":
        samples.token = open_token() or None
        return samples
    matches = access.matches_for(user).order_by("pk")
    samples.match = matches.filter(status=Match.Status.ACTIVE).first() or matches.first()
    if samples.match is not None:
        samples.family = access.families_for(user).filter(pk=samples.match.family_id).first()
        samples.volunteer = (
            access.volunteers_for(user).filter(pk=samples.match.volunteer_id).first()
        )
    samples.family = samples.family or access.families_for(user).order_by("pk").first()
    samples.volunteer = samples.volunteer or access.volunteers_for(user).order_by("pk").first()
    samples.request = (
        access.requests_for(user)
        .filter(status=SupportRequest.Status.WAITING)
        .order_by("pk")
        .first()
    )
    return samples


def logged_in_client(user):
    """A client with ``user`` logged in and the second factor passed, as after a real
    TOTP login (the session holds the verified device's id, as django_otp's otp_login
    leaves it)."""
    client = Client(raise_request_exception=False)
    if user is None:
        return client
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="benchmark", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


# --- measuring --------------------------------------------------------------------------


# Transaction control is not a page's SQL: the savepoints come from the benchmark's own
# rolled-back transaction (a page's atomic block nests in it), and outside one Django
# opens and ends transactions on PostgreSQL without a captured statement.
CONTROL = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT", "BEGIN", "COMMIT")


def is_control(sql):
    return sql.lstrip().upper().startswith(CONTROL)


class SqlClock:
    """Adds up the time of each query's execution. Django's own record rounds each
    query to 1 ms, too coarse for the sub-millisecond queries of a small data set."""

    def __init__(self):
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            if not is_control(sql):
                self.seconds += time.perf_counter() - started


def timed_get(client, url):
    """(status, wall ms, query count, SQL ms) of one GET."""
    clock = SqlClock()
    # The query log is a bounded deque (9,000 entries): once full, a capture's slice of
    # it comes out empty. Each request starts with an empty log.
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(clock):
        started = time.perf_counter()
        response = client.get(url, secure=True)
        elapsed = (time.perf_counter() - started) * 1000
    count = sum(1 for query in captured.captured_queries if not is_control(query["sql"]))
    return response.status_code, elapsed, count, clock.seconds * 1000


def measure(client, url, runs):
    """One warm-up request, then ``runs`` timed ones. A savepoint around them undoes
    whatever the page writes, and recovers the connection if a page fails."""
    savepoint = transaction.savepoint()
    try:
        statuses = [timed_get(client, url)[0]]
        times, queries, sql = [], [], []
        for _ in range(runs):
            status, elapsed, count, sql_ms = timed_get(client, url)
            statuses.append(status)
            times.append(elapsed)
            queries.append(count)
            sql.append(sql_ms)
    finally:
        transaction.savepoint_rollback(savepoint)
    odd = [status for status in statuses if status != 200]
    return {
        "status": odd[0] if odd else 200,
        "queries": max(queries),
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(percentile(times, 0.95), 2),
        "sql_p50_ms": round(statistics.median(sql), 2),
    }


def resolve(page, samples):
    """The page's url for the role, or (None, reason)."""
    kwargs = page.kwargs(samples) if page.kwargs else {}
    if isinstance(kwargs, str):
        return None, kwargs
    try:
        url = reverse(page.url_name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None, f"url name {page.url_name} does not exist"
    if page.query:
        url += "?" + urlencode(page.query(samples))
    return url, ""


def judge(row, page):
    """OK when within the query and time targets; the admin's list is the yardstick."""
    row["target_queries"] = QUERY_TARGET
    if page.key == ADMIN_PAGE:
        row["target_ms"], row["verdict"] = None, "-"
        return
    row["target_ms"] = page.target_ms
    ok = row["status"] == 200 and row["queries"] <= QUERY_TARGET and row["p95_ms"] <= page.target_ms
    row["verdict"] = "OK" if ok else "MISS"


def run_pages(runs, roles=None, pages=None, say=print):
    """Measure every selected page as every selected role; the caller rolls back.
    Returns (rows, skipped, benchmark users made)."""
    roles = roles or ROLES
    chosen = [p for p in PAGES if not pages or p.key in pages or p.url_name in pages]
    needed = [r for r in roles if any(r in p.roles for p in chosen)]
    users, made = users_per_role(needed)
    rows, skipped = [], []
    for role in needed:
        samples = samples_for(role, users.get(role))
        client = logged_in_client(users.get(role))
        for page in chosen:
            if role not in page.roles:
                continue
            url, reason = resolve(page, samples)
            if url is None:
                skipped.append({"page": page.key, "role": role, "reason": reason})
                say(f"  skipped {page.key} as {role}: {reason}")
                continue
            row = {"page": page.key, "role": role, **measure(client, url, runs)}
            judge(row, page)
            rows.append(row)
    compare_with_admin(rows)
    compare_last_pages(rows)
    return rows, skipped, made


def compare_with_admin(rows):
    """Each row's time against its own SQL, and each list's p50 against the admin's."""
    admin = next((r for r in rows if r["page"] == ADMIN_PAGE), None)
    for row in rows:
        sql = row["sql_p50_ms"]
        row["page_sql_ratio"] = round(row["p50_ms"] / sql, 1) if sql > 0 else None
        comparable = admin is not None and admin["p50_ms"] > 0
        if row["page"] in LIST_PAGES and comparable:
            row["admin_ratio"] = round(row["p50_ms"] / admin["p50_ms"], 2)
        else:
            row["admin_ratio"] = None


def compare_last_pages(rows):
    """Each last page's p95 against its list's first page as the same role: a miss when
    more than LAST_PAGE_FACTOR times slower."""
    first = {(r["page"], r["role"]): r for r in rows}
    for row in rows:
        row["first_page_ratio"] = None
        if not row["page"].endswith(LAST_PAGE_SUFFIX):
            continue
        page_one = first.get((row["page"].removesuffix(LAST_PAGE_SUFFIX), row["role"]))
        if page_one is None or page_one["p95_ms"] <= 0:
            continue
        row["first_page_ratio"] = round(row["p95_ms"] / page_one["p95_ms"], 2)
        if row["first_page_ratio"] > LAST_PAGE_FACTOR:
            row["verdict"] = "MISS"


# --- the machine and the data -----------------------------------------------------------


def database_version():
    if connection.vendor == "postgresql":
        version = connection.pg_version
        return f"{version // 10000}.{version % 10000}"
    if connection.vendor == "sqlite":
        return connection.Database.sqlite_version
    return ""


def machine():
    return {
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "database": connection.vendor,
        "database_version": database_version(),
        # DEBUG on (the embedded demo's default) slows templates a little.
        "debug": settings.DEBUG,
    }


def table_counts():
    models = {
        "branches": Branch,
        "families": Family,
        "children": Child,
        "volunteers": Volunteer,
        "matches": Match,
        "support_requests": SupportRequest,
        "check_ins": CheckIn,
        "follow_up_tasks": FollowUpTask,
        "invitations": Invitation,
        "contact_attempts": ContactAttempt,
        "users": User,
    }
    return {name: model.objects.count() for name, model in models.items()}


# --- output -----------------------------------------------------------------------------


def table(rows):
    """The printed table: one line per page and role."""
    header = (
        f"{'page':<24} {'role':<10} {'status':>6} {'queries':>7} {'p50 ms':>8} "
        f"{'p95 ms':>8} {'SQL ms':>7} {'pg/SQL':>6} {'/admin':>6} {'/p1':>5} "
        f"{'target':>10}  verdict"
    )
    lines = [header, "-" * len(header)]
    for row in rows:
        target = f"{row['target_queries']}q/" + (
            f"{row['target_ms']}ms" if row["target_ms"] else "-"
        )
        lines.append(
            f"{row['page']:<24} {row['role']:<10} {row['status']:>6} {row['queries']:>7} "
            f"{figure(row['p50_ms']):>8} {figure(row['p95_ms']):>8} "
            f"{figure(row['sql_p50_ms'], 2):>7} {figure(row['page_sql_ratio']):>6} "
            f"{figure(row['admin_ratio'], 2):>6} {figure(row['first_page_ratio'], 2):>5} "
            f"{target:>10}  {row['verdict']}"
        )
    return "\n".join(lines)
