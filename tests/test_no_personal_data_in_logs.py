"""No personal data in logs or Celery messages (S9, ASVS 16.2.5): while a realistic day
runs (a family registered through its page, a form error, a volunteer proposed and the
match started, the pre survey sent by sms and mail and answered from its link, a check-in
asking for sparring, an evaluator's export, a failed login, refused and missing pages),
every log record at DEBUG and every task sent to Celery is captured, and none holds a
seeded name, phone number or e-mail address, nor a survey link's token.
"""

import io
import logging
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from celery import Celery
from celery.app.task import Task
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from familien import sms
from familien.models import ConsentState, Family, PipelineStep, Programme, Role
from followup.models import CheckIn
from matching import lifecycle
from matching.models import Match, SupportRequest
from surveys import engine
from surveys.log_filters import HideSurveyTokens
from surveys.models import Invitation, ReportJob, Response
from surveys.tokens import looks_like_token
from tests.conftest import login
from tests.factories import UserFactory, VolunteerFactory
from tests.test_families import family_data
from tests.test_respond import make_questionnaire

pytestmark = pytest.mark.django_db

PARENT = {
    "first_name": "Zaragossa",
    "last_name": "Quintavalle",
    "phone": "+45 61 72 83 94",
    "email": "zara.quinta@example.net",
}
CHILD = "Florentina"
FAMILY = "Familien Quintavalle"
ADDRESS = "Hemmelige Allé 77"
VOLUNTEER = {
    "first_name": "Bartholomæus",
    "last_name": "Vindelbo",
    "phone": "+45 52 63 74 85",
    "email": "bartho.vindelbo@example.net",
}
# Test tooling, not the application: factory_boy logs the values it builds with.
TOOLING = ("factory", "faker")


def seeded_pattern():
    words = [PARENT["first_name"], PARENT["last_name"], PARENT["email"], CHILD, FAMILY, ADDRESS]
    words += [VOLUNTEER["first_name"], VOLUNTEER["last_name"], VOLUNTEER["email"]]
    patterns = [re.escape(word) for word in words]
    for phone in (PARENT["phone"], VOLUNTEER["phone"]):
        local = re.sub(r"\D", "", phone)[-8:]
        patterns.append(r"(?<!\d)" + r"[\s.-]?".join(local) + r"(?!\d)")
    return re.compile("|".join(patterns), re.IGNORECASE)


class Everything(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.records = []

    def emit(self, record):
        if not record.name.startswith(TOOLING):
            self.records.append(record)


@pytest.fixture
def log_records():
    """Every record of every logger at DEBUG, also those that do not propagate to root."""
    handler = Everything()
    loggers = [logging.getLogger()] + [
        logger
        for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    saved = [(logger, logger.level) for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        if logger is loggers[0] or not logger.propagate:
            logger.addHandler(handler)
    yield handler.records
    for logger, level in saved:
        logger.setLevel(level)
        logger.removeHandler(handler)


@pytest.fixture
def published(monkeypatch):
    """Every task sent to Celery with its arguments and options; the task then runs here,
    so what it logs is captured too."""
    sent = []

    def apply_async(self, args=None, kwargs=None, **options):
        sent.append((self.name, args, kwargs, options))
        return self.apply(args=args, kwargs=kwargs)

    def send_task(self, name, args=None, kwargs=None, **options):
        sent.append((name, args, kwargs, options))

    monkeypatch.setattr(Task, "apply_async", apply_async)
    monkeypatch.setattr(Celery, "send_task", send_task)
    return sent


def a_day_of_work(world, django_capture_on_commit_callbacks):
    """The scenario; returns the survey link's token it used."""
    leader = login(Client(), world.users["leader"])
    sms.outbox.clear()
    mail.outbox.clear()

    # A form error first (an impossible phone number), then the family registered.
    bad = family_data(
        world.branch_a,
        parents=[PARENT | {"phone": "12"}],
        children=[{"first_name": CHILD, "birth_year": 2008}],
        name=FAMILY,
        address=ADDRESS,
    )
    assert leader.post(reverse("family_create"), bad).status_code == 200
    good = family_data(
        world.branch_a,
        parents=[PARENT | {"preferred_channel": "sms"}],
        children=[{"first_name": CHILD, "birth_year": 2008}],
        name=FAMILY,
        address=ADDRESS,
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert leader.post(reverse("family_create"), good).status_code == 302
    family = Family.objects.get(name=FAMILY)
    parent = family.parents.get()
    family.evaluation_consent = ConsentState.GIVEN
    family.save(update_fields=["evaluation_consent"])

    # A volunteer with a login, proposed through the page, then the match started.
    volunteer_user = UserFactory(role=Role.VOLUNTEER, email=VOLUNTEER["email"])
    volunteer = VolunteerFactory(
        branch=world.branch_a,
        user=volunteer_user,
        pipeline_step=PipelineStep.READY,
        programmes=[Programme.FAMILY_FRIEND],
        **VOLUNTEER,
    )
    request = SupportRequest.objects.create(
        family=family, programme=Programme.FAMILY_FRIEND, for_parent=parent
    )
    make_questionnaire(code="log-test-pre")
    with django_capture_on_commit_callbacks(execute=True):
        proposed = leader.post(
            reverse("match_propose", kwargs={"pk": request.pk, "volunteer_pk": volunteer.pk})
        )
    assert proposed.status_code == 302
    match = Match.objects.get(request=request)
    Match.objects.filter(pk=match.pk).update(status=Match.Status.AGREEMENT_SIGNED)
    match.refresh_from_db()
    start = timezone.localdate() - timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.activate_match(match, actor=world.users["leader"], on=start)
    invitation = Invitation.objects.get(match=match)

    # The survey goes out by sms and mail, and the parent answers from the link.
    with django_capture_on_commit_callbacks(execute=True):
        engine.run_due(now=timezone.now() + timedelta(days=30))
    assert sms.outbox or mail.outbox
    bodies = [message.body for message in sms.outbox] + [m.body for m in mail.outbox]
    token = next(
        candidate
        for body in bodies
        for candidate in re.findall(r"/s/([^/\s]+)/", body)
        if looks_like_token(candidate)
    )
    respondent = Client()
    link = reverse("survey_respond", kwargs={"token": token})
    assert respondent.get(link).status_code == 200
    question = invitation.questionnaire.questions.filter(code="F4").first()
    answered = respondent.post(link, {f"q{question.pk}": "satisfied", "action": "submit"})
    assert answered.status_code == 302
    assert Response.objects.filter(invitation=invitation).exists()
    # A guessed link and a used one.
    assert respondent.get(reverse("survey_respond", kwargs={"token": "x" * 43})).status_code == 404

    # The volunteer logs a meeting and asks for sparring.
    volunteer_client = login(Client(), volunteer_user)
    with django_capture_on_commit_callbacks(execute=True):
        logged = volunteer_client.post(
            reverse("checkin_create", kwargs={"pk": match.pk}),
            {
                "met_on": start.isoformat(),
                "duration": "90",
                "place": "home",
                "activities": ["outing"],
                "note": f"{CHILD} var glad",
                "wants_sparring": "on",
            },
        )
    assert logged.status_code == 302, logged.content.decode()[:2000]
    assert CheckIn.objects.filter(match=match).exists()

    # The evaluator's export, built by the task.
    evaluator = login(Client(), world.users["evaluator"])
    with django_capture_on_commit_callbacks(execute=True):
        evaluator.post(
            reverse("reports"),
            {"kind": "export_csv", "date_from": "2020-01-01", "date_to": date.today().isoformat()},
        )
    assert ReportJob.objects.get().status == ReportJob.Status.DONE

    # A failed login with the volunteer's e-mail; refused and missing pages.
    Client().post(reverse("login"), {"username": VOLUNTEER["email"], "password": "forkert-1234"})
    outsider = login(Client(), world.users["leader_other"])
    assert outsider.get(reverse("family_detail", kwargs={"pk": family.pk})).status_code == 404
    assert volunteer_client.get(reverse("system_status")).status_code == 403
    assert leader.get("/findes-ikke/").status_code == 404
    return token


def as_written(record):
    """What the configured handlers write: the message after the token filter."""
    copy = logging.makeLogRecord(record.__dict__)
    HideSurveyTokens().filter(copy)
    return copy.getMessage()


def test_a_day_of_work_leaves_no_personal_data_in_logs_or_tasks(
    world, settings, tmp_path, log_records, published, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path / "media"
    token = a_day_of_work(world, django_capture_on_commit_callbacks)
    pattern = seeded_pattern()

    # The capture works: the day logged and sent tasks, and the pattern finds the data.
    assert len(log_records) >= 5
    names = {name for name, *_rest in published}
    assert {"surveys.tasks.deliver_attempts", "surveys.tasks.build_report_job"} <= names
    assert pattern.search(f"ring til {PARENT['phone'][4:]}")
    assert pattern.search(VOLUNTEER["email"].upper())

    assert leaks_in(log_records, published, pattern, token) == []


def leaks_in(log_records, published, pattern, token):
    leaks = []
    for record in log_records:
        failure = logging.Formatter().formatException(record.exc_info) if record.exc_info else ""
        text = " ".join([record.getMessage(), repr(record.args), failure])
        if pattern.search(text):
            leaks.append(f"log {record.name}: {record.getMessage()[:200]}")
        if token in as_written(record):
            leaks.append(f"token in log {record.name}")
    for name, args, kwargs, options in published:
        text = repr((args, kwargs, options))
        if pattern.search(text) or token in text:
            leaks.append(f"task {name}: {text[:200]}")
    return leaks


def test_the_check_catches_a_leak_in_any_logger_or_task(log_records, published):
    """The capture and the check prove something: a name in a non-propagating logger's
    record, a phone number in a debug record's arguments and an e-mail address in a
    task's arguments are all found, and so is a token the filter would not cut out."""
    from familien.celery import app

    token = "T" * 43
    logging.getLogger("django.server").info('"GET /familier/ HTTP/1.1" 200 %s', FAMILY)
    logging.getLogger("familien.sms").debug("sending to %s", "61728394")
    logging.getLogger("surveys").warning("link %s", f"https://x.dk/s/{token}/")
    logging.getLogger("surveys").warning("token %s", token)
    app.send_task(
        "familien.tasks.mail_notifications", args=[[1]], kwargs={"to": VOLUNTEER["email"]}
    )
    found = leaks_in(log_records, published, seeded_pattern(), token)
    assert [leak.split(":")[0] for leak in found] == [
        "log django.server",
        "log familien.sms",
        "token in log surveys",
        "task familien.tasks.mail_notifications",
    ]


def test_runservers_access_line_is_written_without_the_token():
    """runserver's access line goes through the configured django.server handler, whose
    filter cuts the token out of the path before it is written."""
    import types

    from django.core.servers.basehttp import WSGIRequestHandler

    token = "S" * 43
    stream = io.StringIO()
    server_logger = logging.getLogger("django.server")
    handlers = server_logger.handlers
    assert handlers, "django.server writes through its own handler (settings.LOGGING)"
    capture = logging.StreamHandler(stream)
    capture.setFormatter(handlers[0].formatter)
    for configured_filter in handlers[0].filters:
        capture.addFilter(configured_filter)
    server_logger.addHandler(capture)
    try:
        fake = types.SimpleNamespace(request=None, log_date_time_string=lambda: "now")
        for status in ("200", "302", "404", "429"):
            WSGIRequestHandler.log_message(
                fake, '"%s" %s %s', f"GET /s/{token}/ HTTP/1.1", status, "512"
            )
    finally:
        server_logger.removeHandler(capture)
    written = stream.getvalue()
    assert written.count("/s/…/") == 4
    assert token not in written


def test_gunicorn_writes_no_access_log():
    """gunicorn writes no access line unless told to (--access-logfile); the paths hold
    survey tokens, so neither the image nor compose tells it to."""
    root = Path(settings.BASE_DIR)
    for name in ("Dockerfile", "docker-compose.yml", "Procfile"):
        text = (root / name).read_text()
        assert "access-log" not in text and "accesslog" not in text, name
        assert "GUNICORN_CMD_ARGS" not in text, name
