"""Sms backends, including the HTTP gateway against a fake gateway on loopback."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from familien import sms


class FakeGateway(BaseHTTPRequestHandler):
    mode = "ok"
    received = []
    keys = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        FakeGateway.received.append((self.headers["Authorization"], body))
        FakeGateway.keys.append(self.headers.get("Idempotency-Key"))
        if FakeGateway.mode == "slow":
            time.sleep(2)
        status, payload = {
            "ok": (200, b'{"id": "msg-1"}'),
            "error": (500, b"oops"),
            "refused": (400, b'{"error": "bad number"}'),
            "garbage": (200, b"<html>not json</html>"),
            "slow": (200, b'{"id": "late"}'),
        }[FakeGateway.mode]
        self.send_response(status)
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeGateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeGateway.received = []
    FakeGateway.keys = []
    settings.SMS_BACKEND = "familien.sms.HttpGatewayBackend"
    settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{server.server_port}/send"
    settings.SMS_GATEWAY_TOKEN = "token-123"
    settings.SMS_GATEWAY_TIMEOUT = 1
    yield FakeGateway
    server.shutdown()


def test_gateway_accepts(gateway):
    gateway.mode = "ok"
    assert sms.send_sms("+4520000000", "Hej") == "msg-1"
    auth, body = gateway.received[0]
    assert auth == "Bearer token-123"
    assert body == {"to": "+4520000000", "from": "RodeKors", "text": "Hej"}


def test_the_idempotency_key_goes_as_header_and_reference(gateway):
    """A resend after a crash carries the same key, so the provider keeps the first."""
    gateway.mode = "ok"
    sms.send_sms("+4520000000", "Hej", key="7:invite:sms")
    sms.send_sms("+4520000000", "Hej")
    assert gateway.keys == ["7:invite:sms", None]
    assert gateway.received[0][1]["reference"] == "7:invite:sms"
    assert "reference" not in gateway.received[1][1]


def test_a_garbage_answer_is_an_unknown_outcome(gateway):
    """The gateway may have taken it: temporary, but marked as unknown."""
    gateway.mode = "garbage"
    with pytest.raises(sms.SmsUnknownOutcome):
        sms.send_sms("+4520000000", "Hej", key="7:invite:sms")


@pytest.mark.parametrize("mode", ["error", "garbage", "slow"])
def test_gateway_trouble_is_temporary(gateway, mode):
    gateway.mode = mode
    with pytest.raises(sms.SmsTemporaryError):
        sms.send_sms("+4520000000", "Hej")


def test_gateway_refusal_is_final(gateway):
    gateway.mode = "refused"
    with pytest.raises(sms.SmsRejected):
        sms.send_sms("+4520000000", "Hej")


def test_unreachable_gateway_is_temporary(settings):
    settings.SMS_BACKEND = "familien.sms.HttpGatewayBackend"
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:1/send"
    with pytest.raises(sms.SmsTemporaryError):
        sms.send_sms("+4520000000", "Hej")


def test_locmem_and_file_backends(settings, tmp_path):
    sms.outbox.clear()
    settings.SMS_BACKEND = "familien.sms.LocmemBackend"
    sms.send_sms("+4520000000", "Hej Mette")
    assert sms.outbox == [sms.Sms(to="+4520000000", body="Hej Mette")]

    settings.SMS_BACKEND = "familien.sms.FileBackend"
    settings.SMS_FILE_PATH = tmp_path
    message_id = sms.send_sms("+4520000000", "Hej igen")
    line = json.loads((tmp_path / "outbox.jsonl").read_text())
    assert line["id"] == message_id
    assert line["body"] == "Hej igen"
