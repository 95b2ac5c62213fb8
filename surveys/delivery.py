"""Delivering contact attempts, each once (issue 6 items 5 and 6; issue 8: at least 1,000
due steps a second on one worker).

``deliver_many(ids, now=…)`` works through its ids a group of CLAIM_ROWS at a time. It
claims a group in one short transaction (the rows still queued, or sending with an expired
lease; locked rows are left to the worker that holds them) and leases them, so two
workers, a task run twice or a tick handing the ids out again send each row once. It
checks the respondent's evaluation consent and the invitation's state right before
sending, reading them again when the group's reading is older than FRESH_SECONDS: a
withdrawal or an answer stops messages already queued. A row whose lease is about to end
is not sent (the tick may have handed it out again). The outcomes are written together,
after RECORD_ROWS sends or RECORD_SECONDS, not with a commit per message. A provider
error puts the row back in the queue with a bounded backoff that the next tick honours;
after SURVEY_DELIVERY_MAX_TRIES it counts as failed and the chain, already moved on,
goes on. ``deliver(id)`` is the same for one row.

Every message carries its attempt's key ("invitation:step:channel", opaque ids) as an
idempotency key: the sms gateway gets it as ``Idempotency-Key`` and ``reference``, a mail
gets a Message-ID made from it. A worker killed after sending and before writing the
outcome sends those messages again once the lease ends, under the same key, so the
provider (or the receiving mail server) keeps the first. Over SMTP, mail outcomes are
written after each mail, which narrows that window for mail to the one mail in flight.

The messages are Danish, carry the respondent's first name and their link, and nothing
about the family: no names of others, no programme details, no health or social facts.
"""

import contextlib
import functools
import logging
import smtplib
import time
from collections import defaultdict
from datetime import timedelta
from email.header import Header
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import F, Q
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from familien import sms
from familien.models import Family
from surveys.models import Channel, ContactAttempt, Invitation, Step
from surveys.tokens import token_for

logger = logging.getLogger(__name__)

# Waits between tries of a failing provider, in seconds: short and bounded (no long
# countdown waits in the broker; the tick hands the row out again when it is due).
BACKOFF_SECONDS = (30, 120, 300)


class TemporaryDeliveryError(Exception):
    """The provider could not take the message now; try again later."""


class RejectedDelivery(Exception):
    """The provider refused the message; trying again will not help."""


# A token-shaped stand-in: the link's path is reversed once and the token put in its place
# (reversing costs more than the rest of a message).
PLACEHOLDER = "0" * 43


@functools.lru_cache(maxsize=16)
def _respond_path(urlconf, prefix):
    return reverse("survey_respond", urlconf=urlconf, kwargs={"token": PLACEHOLDER})


def survey_link(invitation) -> str:
    path = _respond_path(get_urlconf(), get_script_prefix())
    return settings.FAMILIEN_BASE_URL + path.replace(PLACEHOLDER, token_for(invitation.token_salt))


def _texts(step):
    """(subject, body with %(name)s and %(link)s) in Danish for ``step``."""
    with translation.override("da"):
        if step == Step.INVITE:
            body = _(
                "Dear %(name)s. The Red Cross would like to hear how things are going. "
                "Please answer a short questionnaire: %(link)s"
            )
        else:
            body = _(
                "Dear %(name)s. A reminder: we would still like your answers to the Red "
                "Cross questionnaire. It takes a few minutes: %(link)s"
            )
        return str(_("Questionnaire from the Red Cross")), str(body)


def message_for(invitation, step, *, texts=None) -> tuple[str, str]:
    """(subject, body) in Danish for ``step``: the first name, the link, nothing else.
    ``texts``: a dict that keeps the translated texts for a group of messages."""
    kind = "invite" if step == Step.INVITE else "reminder"
    if texts is None or kind not in texts:
        texts = {} if texts is None else texts
        texts[kind] = _texts(step)
    subject, body = texts[kind]
    person = invitation.parent or invitation.volunteer
    name = person.first_name if person else ""
    return subject, body % {"name": name, "link": survey_link(invitation)}


# Rows claimed at once: each claim is one short transaction, so a group should be sent
# well within its lease even through a slow gateway (and a group that is not stops, see
# LEASE_MARGIN).
CLAIM_ROWS = 100
# Outcomes are written after at most this many sends or this many seconds, whichever
# comes first: one transaction for many rows instead of a commit per message (a commit
# waits for the disk: about 1-8 ms here, more than an in-memory send). It bounds what a
# worker killed mid-group can send again after the lease to the last 20 messages or a
# quarter of a second (at a real gateway's ~100 ms a send: two or three). With 100 rows
# the engine ran ~1,350 steps/s, with 10 ~990, with 1 ~550 (benchmark --sections engine).
RECORD_ROWS = 20
RECORD_SECONDS = 0.25
# A mail's outcome is written right after it is sent, not with the group: a worker killed
# mid-group then sends again at most the one mail in flight. None: so when mail goes out
# over SMTP, where a send costs several times the commit (on loopback, 150 mails went
# out no slower either way); an in-memory or file backend is batched like sms (the
# commit would halve its throughput). Sms stay batched: the gateway drops a resend under
# the same key.
RECORD_MAIL_EACH = None


def record_mail_each():
    """Whether each mail's outcome is written right after it (see RECORD_MAIL_EACH)."""
    if RECORD_MAIL_EACH is None:
        return settings.EMAIL_BACKEND.endswith("smtp.EmailBackend")
    return RECORD_MAIL_EACH


# A claimed row is not sent this close to the end of its lease: the tick may already
# have handed it to another worker. It waits, "sending", until the lease ends.
LEASE_MARGIN = 30


def lease_margin():
    """LEASE_MARGIN, or a third of a short lease (the fault tests run with seconds)."""
    return min(LEASE_MARGIN, settings.SURVEY_DELIVERY_LEASE_SECONDS // 3)


# The consent and the invitation's state are read again before a send when the group's
# reading is older than this: a withdrawal or an answer stops what is queued within
# seconds, however slow the gateway.
FRESH_SECONDS = 5
# Stands for the time the outcome is written (one value for the rows written together).
RECORDED_AT = object()


class Mailer:
    """One mail connection for a group of messages (SMTP: one login, not one a mail),
    opened on the first mail and opened again after an error. The subject is encoded
    once, as Django would encode it for each message (RFC 2047)."""

    def __init__(self):
        self.connection = None
        self.subjects = {}
        self.texts = {}

    def subject(self, text):
        if text not in self.subjects:
            try:
                text.encode("ascii")
                self.subjects[text] = text
            except UnicodeEncodeError:
                self.subjects[text] = Header(text, settings.DEFAULT_CHARSET).encode()
        return self.subjects[text]

    def send(self, subject, body, to, *, key=""):
        if self.connection is None:
            self.connection = get_connection()
        headers = {"Message-ID": message_id_for(key)} if key else None
        try:
            EmailMessage(
                self.subject(subject), body, None, [to], connection=self.connection, headers=headers
            ).send()
        except Exception:
            self.close()
            raise

    def close(self):
        if self.connection is not None:
            # A connection that broke mid-group may fail to close as well.
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.connection.close()
            self.connection = None


def message_id_for(key) -> str:
    """The Message-ID of the mail for attempt ``key``: the same on every resend, so the
    receiving server can drop a copy sent again after a crash. The domain is the sender's,
    not the machine's, so every worker gives the same id."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    return f"<familien.attempt.{key.replace(':', '.')}@{domain}>"


def _smtp_error(error) -> Exception:
    """SMTP 4xx: try again later; 5xx: refused for good (the chain moves on). The text
    keeps the class and code only: the server's message may quote the address."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in error.recipients.values()]
    else:
        codes = [getattr(error, "smtp_code", 0)]
    text = f"{type(error).__name__} {max(codes) if codes else ''}".strip()
    if codes and min(codes) >= 500:
        return RejectedDelivery(text)
    return TemporaryDeliveryError(text)


def _send(attempt, mailer):
    invitation = attempt.invitation
    person = invitation.parent or invitation.volunteer
    subject, body = message_for(invitation, attempt.step, texts=mailer.texts)
    if attempt.channel == Channel.SMS:
        try:
            return sms.send_sms(person.phone, body, key=attempt.key)
        except sms.SmsTemporaryError as error:
            # An unreadable answer (SmsUnknownOutcome) is tried again under the same key
            # only, which the provider drops if the first got through.
            raise TemporaryDeliveryError(f"{type(error).__name__}: {error}") from error
        except sms.SmsRejected as error:
            raise RejectedDelivery(f"{type(error).__name__}: {error}") from error
    if attempt.channel == Channel.MAIL:
        try:
            mailer.send(subject, body, person.email, key=attempt.key)
        except smtplib.SMTPException as error:
            raise _smtp_error(error) from error
        except OSError as error:
            raise TemporaryDeliveryError(type(error).__name__) from error
        return ""
    raise RejectedDelivery(f"no automatic delivery by {attempt.channel}")


# What a send reads, and no more: a family row is wide, and building every field of
# four models per message cost more than writing the message.
DELIVERY_FIELDS = (
    "invitation_id",
    "key",
    "step",
    "channel",
    "status",
    "tries",
    "invitation__status",
    "invitation__token_salt",
    "invitation__parent_id",
    "invitation__volunteer_id",
    "invitation__parent__first_name",
    "invitation__parent__phone",
    "invitation__parent__email",
    "invitation__parent__family__evaluation_consent",
    "invitation__volunteer__first_name",
    "invitation__volunteer__phone",
    "invitation__volunteer__email",
)


def _claim(attempt_ids, now):
    """Take the rows among ``attempt_ids`` that are this call's to send (queued and due,
    or sending with an expired lease) and lease them, in one transaction: the rows come
    back with their invitation and respondent. Rows another worker holds are skipped
    (row locks on PostgreSQL; SQLite's transactions here take the write lock at once)."""
    lease = now + timedelta(seconds=settings.SURVEY_DELIVERY_LEASE_SECONDS)
    due = Q(status=ContactAttempt.Status.QUEUED) & (Q(retry_at__isnull=True) | Q(retry_at__lte=now))
    expired = Q(status=ContactAttempt.Status.SENDING, lease_until__lte=now)
    with transaction.atomic():
        attempts = list(
            ContactAttempt.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk__in=attempt_ids)
            .filter(due | expired)
            .select_related("invitation__parent__family", "invitation__volunteer")
            .only(*DELIVERY_FIELDS)
            .order_by("pk")
        )
        if attempts:
            ContactAttempt.objects.filter(pk__in=[a.pk for a in attempts]).update(
                status=ContactAttempt.Status.SENDING, lease_until=lease, tries=F("tries") + 1
            )
    for attempt in attempts:
        attempt.tries += 1
    return attempts


class Recorder:
    """Collects outcomes and writes them in one transaction: one UPDATE per set of equal
    values, and the provider ids (one per sms) in one more."""

    def __init__(self):
        self.rows = []
        self.since = None

    def add(self, attempt, *, now=False, **fields):
        """Collect ``attempt``'s outcome; ``now``: write what is collected at once."""
        if self.since is None:
            self.since = time.monotonic()
        self.rows.append((attempt, {"lease_until": None, **fields}))
        if now or len(self.rows) >= RECORD_ROWS or time.monotonic() - self.since >= RECORD_SECONDS:
            self.flush()

    def flush(self):
        if not self.rows:
            return
        groups, provider_ids = defaultdict(list), []
        for attempt, fields in self.rows:
            provider_id = fields.pop("provider_id", "")
            if provider_id:
                attempt.provider_id = provider_id
                provider_ids.append(attempt)
            groups[tuple(sorted(fields.items()))].append(attempt.pk)
        stamp = timezone.now()
        with transaction.atomic():
            for fields, pks in groups.items():
                values = {k: stamp if v is RECORDED_AT else v for k, v in fields}
                ContactAttempt.objects.filter(pk__in=pks).update(**values)
            if provider_ids:
                _save_provider_ids(provider_ids)
        self.rows, self.since = [], None


def _save_provider_ids(attempts):
    """One UPDATE … FROM (VALUES …) for the rows' distinct provider ids (PostgreSQL and
    SQLite alike). Django's bulk_update would write a CASE over every row, which costs
    more to build than the sends it records."""
    table = ContactAttempt._meta.db_table
    rows = ", ".join(["(CAST(%s AS bigint), %s)"] * len(attempts))
    params = [value for attempt in attempts for value in (attempt.pk, attempt.provider_id)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH given (id, provider_id) AS (VALUES {rows}) "  # noqa: S608 - our own table
            f"UPDATE {table} SET provider_id = given.provider_id FROM given "
            f"WHERE {table}.id = given.id",
            params,
        )


def _outcome(attempt, *, now, opted_out, mailer):
    """Send one claimed attempt; returns (outcome, fields to record)."""
    from surveys.services import evaluation_allowed

    invitation = attempt.invitation
    if invitation.status != Invitation.Status.OPEN or not evaluation_allowed(
        invitation, opted_out=opted_out
    ):
        return "cancelled", {"status": ContactAttempt.Status.CANCELLED}
    if attempt.channel == Channel.PRINT:
        # A letter with the questionnaire for staff to print and post (surveys.letters).
        return "to_post", {"status": ContactAttempt.Status.TO_POST}
    try:
        provider_id = _send(attempt, mailer)
    except TemporaryDeliveryError as error:
        tries = attempt.tries
        if tries >= settings.SURVEY_DELIVERY_MAX_TRIES:
            logger.warning("attempt %s failed after %s tries: %s", attempt.pk, tries, error)
            return "failed", {"status": ContactAttempt.Status.FAILED, "error": str(error)[:200]}
        wait = BACKOFF_SECONDS[min(tries, len(BACKOFF_SECONDS)) - 1]
        return "retry", {
            "status": ContactAttempt.Status.QUEUED,
            "retry_at": now + timedelta(seconds=wait),
            "error": str(error)[:200],
        }
    except RejectedDelivery as error:
        logger.warning("attempt %s rejected: %s", attempt.pk, error)
        return "failed", {"status": ContactAttempt.Status.FAILED, "error": str(error)[:200]}
    return "sent", {
        "status": ContactAttempt.Status.SENT,
        # Written within RECORD_SECONDS of the send: one value for the rows written together.
        "sent_at": RECORDED_AT,
        "provider_id": str(provider_id or "")[:100],
        "error": "",
    }


def _read_again(attempts):
    """Read the invitations' state and the respondents' consent of ``attempts`` again
    (three queries); returns the opted-out volunteers among them."""
    from surveys.services import opted_out_among

    invitations = [attempt.invitation for attempt in attempts]
    states = dict(
        Invitation.objects.filter(pk__in=[i.pk for i in invitations]).values_list("pk", "status")
    )
    families = [i.parent.family for i in invitations if i.parent_id]
    consents = dict(
        Family.objects.filter(pk__in=[f.pk for f in families]).values_list(
            "pk", "evaluation_consent"
        )
    )
    for invitation in invitations:
        invitation.status = states.get(invitation.pk, Invitation.Status.CANCELLED)
    for family in families:
        family.evaluation_consent = consents.get(family.pk, "")
    return opted_out_among(invitations)


def deliver_many(attempt_ids, *, now=None) -> dict:
    """Send each of ``attempt_ids`` that is this call's to send; returns {id: outcome}
    with "sent", "to_post", "cancelled", "retry", "failed" or "skipped" (another worker
    has it, it is done, or its lease ran short before its turn)."""
    from surveys.services import opted_out_among

    now = now or timezone.now()
    outcomes = dict.fromkeys(attempt_ids, "skipped")
    mailer, recorder = Mailer(), Recorder()
    margin = lease_margin()
    mail_each = record_mail_each()
    try:
        for start in range(0, len(attempt_ids), CLAIM_ROWS):
            attempts = _claim(attempt_ids[start : start + CLAIM_ROWS], now)
            claimed_at = read_at = time.monotonic()
            opted_out = opted_out_among([attempt.invitation for attempt in attempts])
            for index, attempt in enumerate(attempts):
                clock = time.monotonic()
                if clock - claimed_at > settings.SURVEY_DELIVERY_LEASE_SECONDS - margin:
                    break
                if clock - read_at > FRESH_SECONDS:
                    opted_out = _read_again(attempts[index:])
                    read_at = clock
                outcome, fields = _outcome(attempt, now=now, opted_out=opted_out, mailer=mailer)
                outcomes[attempt.pk] = outcome
                at_once = mail_each and attempt.channel == Channel.MAIL
                recorder.add(attempt, now=at_once, **fields)
            recorder.flush()
    finally:
        recorder.flush()
        mailer.close()
    return outcomes


def deliver(attempt_id, *, now=None) -> str:
    """Send attempt ``attempt_id`` if it is this call's to send; returns what happened
    (see deliver_many)."""
    return deliver_many([attempt_id], now=now)[attempt_id]
