"""The whole system as real processes: NATS, a MongoDB-protocol server, an SMTP server (aiosmtpd) and an SMS
gateway stand-in on loopback, and the four services started with `python -m koonto.<service>`.

Used by the end-to-end, fault-injection and scaling tests and by the benchmarks. Any service can be killed
(SIGKILL) and started again; NATS and the store can be stopped and started on the same port and data.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
from aiosmtpd.controller import Controller

from tests.support.servers import LocalServer, free_port, mongo_server, nats_server

SERVICES = ("intake", "advisory", "notify", "reporting")


class MailBox:
    """aiosmtpd handler keeping every accepted message."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content)
        with self.lock:
            self.messages.append(message)
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        with self.lock:
            return [m for m in self.messages if address.lower() in str(m.get("To", "")).lower()]

    def count(self) -> int:
        with self.lock:
            return len(self.messages)


class SmsGateway:
    """A Twilio Messages API stand-in: POST /2010-04-01/Accounts/{sid}/Messages.json."""

    def __init__(self) -> None:
        self.messages: list[dict[str, str]] = []
        self.lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                with gateway.lock:
                    gateway.messages.append(form)
                    sid = f"SM{len(gateway.messages):032d}"
                body = json.dumps({"sid": sid, "status": "queued", "to": form.get("To")}).encode()
                self.send_response(201)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.port = free_port()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class ServiceProcess:
    name: str
    port: int
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.starts += 1
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", f"koonto.{self.name}"], env=self.env, stdout=log, stderr=subprocess.STDOUT,
            )

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()

    def ready(self) -> bool:
        try:
            return httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False


@dataclass
class System:
    base: Path
    services: dict[str, ServiceProcess] = field(default_factory=dict)
    nats: LocalServer | None = None
    store: LocalServer | None = None
    mail: MailBox = field(default_factory=MailBox)
    smtp: Controller | None = None
    sms: SmsGateway | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    store_kind: str | None = None  # None: the harness default (FerretDB when built, else nx-27017)

    @property
    def nats_url(self) -> str:
        assert self.nats
        return f"nats://127.0.0.1:{self.nats.port}"

    @property
    def mongo_url(self) -> str:
        assert self.store
        return f"mongodb://127.0.0.1:{self.store.port}/"

    def service_env(self, name: str, port: int, ports: dict[str, int]) -> dict[str, str]:
        assert self.smtp and self.sms
        return {
            **os.environ,
            "KOONTO_MODE": "test",
            "KOONTO_HTTP_HOST": "127.0.0.1",
            "KOONTO_HTTP_PORT": str(port),
            "KOONTO_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
            "KOONTO_NATS_URL": self.nats_url,
            "KOONTO_MONGO_URL": self.mongo_url,
            "KOONTO_MONGO_DATABASE": name,
            "KOONTO_SMTP_HOST": "127.0.0.1",
            "KOONTO_SMTP_PORT": str(self.smtp.port),
            "KOONTO_SMS_URL": self.sms.url,
            "KOONTO_STAFF_JWKS_URL": f"http://127.0.0.1:{ports['advisory']}/.well-known/jwks.json",
            "KOONTO_KEY_STORE_URL": f"http://127.0.0.1:{ports['intake']}",
            "KOONTO_INTAKE_PUBLIC_URL": f"http://127.0.0.1:{ports['intake']}",
            "KOONTO_ADVISORY_PUBLIC_URL": f"http://127.0.0.1:{ports['advisory']}",
            "KOONTO_NOTIFY_PUBLIC_URL": f"http://127.0.0.1:{ports['notify']}",
            "KOONTO_DATA_DIR": str(self.base / "data"),
            "KOONTO_BOOTSTRAP_ADMIN_EMAIL": "admin@koonto.test",
            "KOONTO_BOOTSTRAP_ADMIN_PASSWORD": "admin-password-for-tests",
            "KOONTO_CONSUMER_BACKOFF_BASE_SECONDS": "0.1",
            "KOONTO_CONSUMER_BACKOFF_MAX_SECONDS": "2",
            "KOONTO_CONSUMER_ACK_WAIT_SECONDS": "10",
            "KOONTO_OUTBOX_POLL_SECONDS": "0.5",
            "KOONTO_LOG_JSON": "true",
            "KOONTO_MIN_FILL_SECONDS": "1",
            **self.extra_env,
        }

    def start(
        self, services: tuple[str, ...] = SERVICES, timeout: float = 90, replicas: dict[str, int] | None = None
    ) -> None:
        """Starts everything; `replicas={"notify": 2}` runs extra processes named notify-2, … on the same db."""
        self.nats = nats_server(self.base)
        self.nats.start()
        self.store = mongo_server(self.base, kind=self.store_kind)
        self.store.start()
        self.smtp = Controller(self.mail, hostname="127.0.0.1", port=free_port())
        self.smtp.start()
        self.sms = SmsGateway()
        self.sms.start()
        ports = {name: free_port() for name in SERVICES}
        for name in services:
            for replica in range(1, (replicas or {}).get(name, 1) + 1):
                key = name if replica == 1 else f"{name}-{replica}"
                port = ports[name] if replica == 1 else free_port()
                env = self.service_env(name, port, ports)
                self.services[key] = ServiceProcess(name, port, env, self.base / f"{key}.log")
                self.services[key].start()
        self.wait_ready(timeout=timeout)

    def wait_ready(self, names: tuple[str, ...] | None = None, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        pending = set(names or self.services)
        while pending and time.monotonic() < deadline:
            pending = {n for n in pending if not self.services[n].ready()}
            if pending:
                time.sleep(0.25)
        if pending:
            logs = {n: self.services[n].log_path.read_text(errors="replace")[-3000:] for n in pending}
            raise AssertionError(f"not ready within {timeout}s: {sorted(pending)}\n{logs}")

    def restart(self, name: str, *, kill: bool = True) -> None:
        service = self.services[name]
        service.kill() if kill else service.stop()
        service.start()
        self.wait_ready((name,))

    def stop(self) -> None:
        for service in self.services.values():
            service.stop()
        if self.smtp:
            with contextlib.suppress(Exception):
                self.smtp.stop()
        if self.sms:
            self.sms.stop()
        for server in (self.nats, self.store):
            if server:
                server.stop()


@contextlib.contextmanager
def running_system(
    base: Path, replicas: dict[str, int] | None = None, ready_timeout: float = 90, **kw: Any
) -> Iterator[System]:
    system = System(base, **kw)
    try:
        system.start(replicas=replicas, timeout=ready_timeout)
        yield system
    finally:
        system.stop()
