"""Sms backends, chosen by the SMS_BACKEND setting the way Django chooses EMAIL_BACKEND.

* ConsoleBackend: prints to stdout (the local demo);
* FileBackend: one JSON line per message in SMS_FILE_PATH;
* LocmemBackend: keeps messages in ``outbox`` (tests);
* HttpGatewayBackend: posts JSON to a generic HTTP gateway with a timeout and maps its
  answers to SmsTemporaryError (try again later), SmsRejected (never retry) or
  SmsUnknownOutcome (the gateway answered, but not so we can read whether it took the
  message).

A message may carry an idempotency key (opaque ids only, never personal data). The gateway
backend sends it as the ``Idempotency-Key`` header and the ``reference`` field, so a
message sent again under the same key (a worker killed between the send and writing its
outcome, or an unreadable answer) is dropped by the provider, which answers as the first
time.
"""

import json
import sys
import threading
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

outbox = []


class SmsError(Exception):
    pass


class SmsTemporaryError(SmsError):
    """The gateway could not take the message now (timeout, 5xx, garbage): retry later."""


class SmsRejected(SmsError):
    """The gateway refused the message (4xx): retrying will not help."""


class SmsUnknownOutcome(SmsTemporaryError):
    """The gateway answered 2xx without a readable message id: it may have taken the
    message. Only a resend under the same idempotency key is safe (the provider keeps the
    first); a resend without one could reach the person twice."""


@dataclass(frozen=True)
class Sms:
    to: str
    body: str
    # The idempotency key: the same on every resend of one message (opaque ids only).
    key: str = ""


class ConsoleBackend:
    def send(self, sms):
        sys.stdout.write(f"[sms to {sms.to}] {sms.body}\n")
        sys.stdout.flush()
        return f"console-{uuid.uuid4().hex[:12]}"


class FileBackend:
    _lock = threading.Lock()

    def send(self, sms):
        folder = settings.SMS_FILE_PATH
        folder.mkdir(parents=True, exist_ok=True)
        message_id = f"file-{uuid.uuid4().hex[:12]}"
        line = json.dumps(
            {"id": message_id, "to": sms.to, "body": sms.body, "at": timezone.now().isoformat()}
        )
        with self._lock, open(folder / "outbox.jsonl", "a", encoding="utf-8") as fh:
            fh.write(line + "\n")
        return message_id


class LocmemBackend:
    def send(self, sms):
        outbox.append(sms)
        return f"locmem-{len(outbox)}"


class HttpGatewayBackend:
    def send(self, sms):
        if not settings.SMS_GATEWAY_URL:
            raise SmsRejected("SMS_GATEWAY_URL is not set")
        message = {"to": sms.to, "from": settings.SMS_SENDER, "text": sms.body}
        headers = {
            "Content-Type": "application/json",
            "Authorization": f"Bearer {settings.SMS_GATEWAY_TOKEN}",
        }
        if sms.key:
            message["reference"] = sms.key
            headers["Idempotency-Key"] = sms.key
        request = urllib.request.Request(  # noqa: S310 - the URL is the operator's setting
            settings.SMS_GATEWAY_URL,
            data=json.dumps(message).encode(),
            headers=headers,
            method="POST",
        )
        try:
            with urllib.request.urlopen(  # noqa: S310
                request, timeout=settings.SMS_GATEWAY_TIMEOUT
            ) as response:
                body = response.read(10_000)
        except urllib.error.HTTPError as exc:
            if exc.code >= 500 or exc.code == 429:
                raise SmsTemporaryError(f"gateway answered {exc.code}") from exc
            raise SmsRejected(f"gateway answered {exc.code}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise SmsTemporaryError(f"gateway unreachable: {type(exc).__name__}") from exc
        try:
            message_id = json.loads(body)["id"]
        except (ValueError, KeyError, TypeError) as exc:
            raise SmsUnknownOutcome("gateway answered without a message id") from exc
        return str(message_id)


def send_sms(to, body, *, key=""):
    """Send one sms through the configured backend; returns the provider's message id.
    ``key``: the idempotency key, the same on every resend of this message."""
    return import_string(settings.SMS_BACKEND)().send(Sms(to=to, body=body, key=key))
