"""Sms backends, chosen by the SMS_BACKEND setting the way Django chooses EMAIL_BACKEND.

* ConsoleBackend: prints to stdout (the local demo);
* FileBackend: one JSON line per message in SMS_FILE_PATH;
* LocmemBackend: keeps messages in ``outbox`` (tests);
* HttpGatewayBackend: posts JSON to a generic HTTP gateway with a timeout and maps its
  answers to SmsTemporaryError (try again later) or SmsRejected (never retry).
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


@dataclass(frozen=True)
class Sms:
    to: str
    body: str


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
        payload = json.dumps({"to": sms.to, "from": settings.SMS_SENDER, "text": sms.body})
        request = urllib.request.Request(  # noqa: S310 - the URL is the operator's setting
            settings.SMS_GATEWAY_URL,
            data=payload.encode(),
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {settings.SMS_GATEWAY_TOKEN}",
            },
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
            raise SmsTemporaryError("gateway answered without a message id") from exc
        return str(message_id)


def send_sms(to, body):
    """Send one sms through the configured backend; returns the provider's message id."""
    return import_string(settings.SMS_BACKEND)().send(Sms(to=to, body=body))
