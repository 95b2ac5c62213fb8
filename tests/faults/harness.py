"""The fault harness: a fake sms gateway and a fake mail server on loopback that keep a
ledger per idempotency key ("invitation:step:channel"), a Redis server of our own that a
test may stop, flush or restart, real Celery worker and beat processes, and the fault
table printed at the end of the run.

The fakes behave as real providers do: the gateway keeps the first message under a key
and answers a resend under the same key as it answered the first; the mail server takes
every transmission (so the raw count shows resends) and the ledger also counts distinct
Message-IDs, which a receiving server that drops duplicates would deliver.
"""

import asyncio
import contextlib
import email
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psutil
from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent.parent
CELERY = [sys.executable, "-m", "celery", "-A", "familien"]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition, seconds, step=0.2):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return bool(condition())


class Ledger:
    """Per key: raw transmissions, and whether the provider took the message."""

    def __init__(self):
        self.lock = threading.Lock()
        self.raw = Counter()
        self.taken = {}

    def clear(self):
        with self.lock:
            self.raw.clear()
            self.taken.clear()

    def transmit(self, key):
        with self.lock:
            self.raw[key] += 1

    def take(self, key):
        """Keep the message under ``key`` once; returns its provider id."""
        with self.lock:
            if key not in self.taken:
                self.taken[key] = f"gw-{len(self.taken) + 1}"
            return self.taken[key]

    def resends(self):
        with self.lock:
            return sum(count - 1 for count in self.raw.values() if count > 1)

    def delivered(self):
        with self.lock:
            return set(self.taken)


# ---------------------------------------------------------------------------
# The sms gateway


class _GatewayHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        gateway = self.server.gateway
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        key = self.headers.get("Idempotency-Key") or body.get("reference") or uuid.uuid4().hex
        status, payload = gateway.answer(key)
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(payload)
        except OSError:
            pass  # the client gave up waiting (the "timeout" mode)

    def log_message(self, *args):
        pass


class FakeGateway:
    """An sms gateway on loopback. Modes: ok, slow (``delay`` per message), timeout
    (takes the message but answers after the client gave up), 500 and 429 (takes
    nothing), garbage (takes the message, answers 200 with an html body), reject (400,
    an invalid number)."""

    def __init__(self):
        self.mode = "ok"
        self.delay = 0.0
        self.hang = 3.0
        self.ledger = Ledger()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _GatewayHandler)
        self.server.daemon_threads = True
        self.server.gateway = self
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_port}/send"

    def answer(self, key):
        mode = self.mode
        self.ledger.transmit(key)
        if mode == "500":
            return 500, b'{"error": "internal"}'
        if mode == "429":
            return 429, b'{"error": "slow down"}'
        if mode == "reject":
            return 400, b'{"error": "invalid number"}'
        if mode == "timeout":
            provider_id = self.ledger.take(key)
            time.sleep(self.hang)
            return 200, json.dumps({"id": provider_id}).encode()
        if self.delay:
            time.sleep(self.delay)
        provider_id = self.ledger.take(key)
        if mode == "garbage":
            return 200, b"<html><body>Service temporarily unavailable</body></html>"
        return 200, json.dumps({"id": provider_id}).encode()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


# ---------------------------------------------------------------------------
# The mail server


def key_of_message_id(message_id):
    """ "<familien.attempt.12.invite.mail@host>" -> "12:invite:mail"."""
    local = (message_id or "").strip("<>").partition("@")[0]
    return local.removeprefix("familien.attempt.").replace(".", ":")


class _SmtpHandler:
    def __init__(self, server):
        self.server = server

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        mode = self.server.mode
        if mode == "refuse4xx":
            return "451 4.3.0 Try again later"
        if mode == "refuse5xx":
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.server.delay:
            await asyncio.sleep(self.server.delay)
        message = email.message_from_bytes(envelope.content)
        key = key_of_message_id(message["Message-ID"])
        self.server.ledger.transmit(key)
        self.server.ledger.take(key)
        return "250 OK"


class FakeSmtp:
    """A mail server on loopback (aiosmtpd). Modes: ok, refuse4xx (try later), refuse5xx
    (mailbox unavailable). Raw transmissions and distinct Message-IDs are both counted."""

    def __init__(self):
        self.mode = "ok"
        self.delay = 0.0
        self.ledger = Ledger()
        self.port = free_port()
        self.controller = Controller(_SmtpHandler(self), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def close(self):
        self.controller.stop()


# ---------------------------------------------------------------------------
# Redis and the Celery processes


class RedisServer:
    """A redis-server of this test's own on a free port, without persistence (as after a
    crash that lost the data), so stopping it loses every queued message."""

    def __init__(self, folder):
        self.folder = Path(folder)
        self.port = free_port()
        self.process = None
        self.start()

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        assert wait_for(self.ping, 10), "redis-server did not start"

    def client(self):
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=2)

    def ping(self):
        try:
            return self.client().ping()
        except Exception:  # noqa: BLE001 - not up yet
            return False

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def restart(self, down_for=0.0):
        self.stop()
        time.sleep(down_for)
        self.start()

    def queued(self, queue):
        return self.client().llen(queue)


class Processes:
    """Celery worker and beat subprocesses with the environment of one fault test."""

    def __init__(self, folder, env):
        self.folder = Path(folder)
        self.env = env
        self.running = {}

    def start(self, name, args):
        log = open(self.folder / f"{name}.log", "a")  # noqa: SIM115 - closed in stop()
        process = subprocess.Popen(
            [*CELERY, *args],
            cwd=ROOT,
            env=os.environ | self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.running[name] = (process, log)
        return process

    def worker(self, name="worker", concurrency=2):
        return self.start(
            name,
            [
                "worker",
                "--pool=prefork",
                f"--concurrency={concurrency}",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"{name}-{uuid.uuid4().hex[:6]}@%h",
                "-l",
                "INFO",
            ],
        )

    def beat(self, name="beat"):
        schedule = self.folder / f"{name}-schedule"
        return self.start(name, ["beat", "-l", "INFO", "-s", str(schedule)])

    def log(self, name):
        path = self.folder / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def kill(self, name):
        """kill -9 the process and all its children (the prefork pool), as a crash does."""
        process, log = self.running.pop(name)
        try:
            parent = psutil.Process(process.pid)
            family = [*parent.children(recursive=True), parent]
        except psutil.NoSuchProcess:
            family = []
        for member in family:
            with contextlib.suppress(psutil.NoSuchProcess):
                member.send_signal(signal.SIGKILL)
        psutil.wait_procs(family, timeout=10)
        process.wait(timeout=10)
        log.close()

    def stop(self, name):
        process, log = self.running.pop(name)
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.running[name] = (process, log)
            self.kill(name)
            return
        log.close()

    def stop_all(self):
        for name in list(self.running):
            self.stop(name)


# ---------------------------------------------------------------------------
# The fault table


class FaultTable:
    """Rows of fault | what happened | what was lost, from the ledgers."""

    def __init__(self):
        self.rows = []

    def add(self, fault, happened, lost):
        self.rows.append((fault, happened, lost))

    def markdown(self):
        lines = [
            "| fault | what happened | what was lost |",
            "|---|---|---|",
            *(f"| {fault} | {happened} | {lost} |" for fault, happened, lost in self.rows),
        ]
        return "\n".join(lines) + "\n"


def summary(expected, gateway=None, smtp=None):
    """What the ledgers say about ``expected`` keys: (lost, sent twice, raw resends)."""
    delivered = set()
    raw = Counter()
    for fake in (gateway, smtp):
        if fake is not None:
            delivered |= fake.ledger.delivered()
            raw.update(fake.ledger.raw)
    lost = sorted(set(expected) - delivered)
    extra = sorted(delivered - set(expected))
    resends = sum(count - 1 for key, count in raw.items() if count > 1)
    return {"lost": lost, "extra": extra, "resends": resends, "delivered": len(delivered)}
