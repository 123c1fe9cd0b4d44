"""The SMS sink: enough of Twilio's Messages API for notify, and the web page of everything received.

`POST /2010-04-01/Accounts/{sid}/Messages.json` (form fields To/From/Body) answers 201 JSON with a `sid` and keeps
the SMS as JSON; `POST /_faults` ({"status": 429, "count": 2, "code": 21211}) makes the next posts fail. The
page (`/`, `/mail/<id>`, ...) is `koonto.devsinks.web`.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from koonto.devsinks.common import Fault, free_port
from koonto.devsinks.web import Mailbox, Response, SinkPages


class SmsSink:
    def __init__(
        self,
        directory: Path | None = None,
        *,
        host: str = "127.0.0.1",
        port: int | None = None,
        mail_dir: Path | None = None,
    ) -> None:
        self.directory = directory
        self.mail_dir = mail_dir
        self.host = host
        self.port = port or free_port()
        self.messages: list[dict[str, Any]] = []
        self.faults: list[Fault] = []
        self.requests = 0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.pages = SinkPages(Mailbox(mail_dir), self.all_sms)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def fail_next(self, status: int, *, count: int = 1, code: int | None = None, text: str = "") -> None:
        with self._lock:
            self.faults.append(Fault("post", status, count, text, code))

    def _take_fault(self) -> Fault | None:
        with self._lock:
            if self.faults:
                fault = self.faults[0]
                fault.count -= 1
                if fault.count <= 0:
                    self.faults.pop(0)
                return fault
        return None

    def receive(self, account: str, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.requests += 1
        fault = self._take_fault()
        if fault:
            return fault.code, {
                "code": fault.sms_code or fault.code * 100,
                "message": fault.text or "test sink fault",
                "status": fault.code,
            }
        to, body = form.get("To", ""), form.get("Body", "")
        if not to.startswith("+") or not body:
            return 400, {"code": 21211, "message": "Invalid 'To' Phone Number", "status": 400}
        sid = "SM" + uuid.uuid4().hex
        record = {
            "sid": sid,
            "account_sid": account,
            "to": to,
            "from": form.get("From", ""),
            "body": body,
            "status": "queued",
            "date_created": time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime()),
            "received_at": time.time(),
        }
        if self.directory is not None:
            self.directory.mkdir(parents=True, exist_ok=True)
            (self.directory / f"{time.strftime('%Y%m%d-%H%M%S')}-{sid}.json").write_text(
                json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8"
            )
        with self._lock:
            self.messages.append(record)
        return 201, record

    def all_sms(self) -> list[dict[str, Any]]:
        """Every SMS received, oldest first: from the folder when there is one (survives restarts)."""
        if self.directory is not None and self.directory.exists():
            return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(self.directory.glob("*.json"))]
        with self._lock:
            return list(self.messages)

    def page(self) -> str:
        """The front page's HTML (every mail and SMS received)."""
        return self.pages.index().body.decode()

    def _post(self, path: str, raw: str) -> Response:
        if path == "/_faults":
            spec = json.loads(raw or "{}")
            self.fail_next(int(spec.get("status", 500)), count=int(spec.get("count", 1)), code=spec.get("code"))
            return Response(204, b"", "text/plain")
        parts = path.strip("/").split("/")
        if len(parts) == 4 and parts[0] == "2010-04-01" and parts[1] == "Accounts" and parts[3] == "Messages.json":
            form = {k: v[0] for k, v in parse_qs(raw).items()}
            status, payload = self.receive(parts[2], form)
            return Response(status, json.dumps(payload).encode(), "application/json")
        return Response(404, b'{"message": "not found"}', "application/json")

    def _get(self, path: str) -> Response:
        if path == "/_messages":
            return Response(200, json.dumps(self.all_sms()).encode(), "application/json")
        return self.pages.route(path)

    def start(self) -> SmsSink:
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _send(self, response: Response) -> None:
                self.send_response(response.status)
                for name, value in response.all_headers():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(response.body)

            def do_GET(self) -> None:
                self._send(sink._get(urlsplit(self.path).path))

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self._send(sink._post(urlsplit(self.path).path, self.rfile.read(length).decode()))

        self._server = ThreadingHTTPServer((self.host, self.port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="sms-sink", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
