"""Local stand-ins for the mail server and the SMS provider, used by the local runner and the tests.

    python -m koonto.notify.devsinks mail --port 1025 --dir .var/mail
    python -m koonto.notify.devsinks sms --port 8025 --dir .var/sms [--mail-dir .var/mail]

The mail sink is a real SMTP server (aiosmtpd) that keeps each message as an `.eml` file a person can open,
plus `index.jsonl`. The SMS sink speaks enough of Twilio's Messages API (`POST
/2010-04-01/Accounts/{sid}/Messages.json`, form fields To/From/Body, 201 JSON with a `sid`), keeps each SMS
as JSON and shows received SMS and mails at `/`. Both can fail on demand: `fail_next(...)` in-process, or
`POST /_faults` on the SMS sink ({"status": 429, "count": 2, "code": 21211}).
"""

from __future__ import annotations

import argparse
import html
import json
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Fault:
    stage: str  # "rcpt" or "data" for mail; "post" for SMS
    code: int
    count: int
    text: str = ""
    sms_code: int | None = None


# -- mail --------------------------------------------------------------------------------------------------------
class _MailHandler:
    def __init__(self, sink: MailSink) -> None:
        self.sink = sink

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any) -> str:
        if self.sink.on_rcpt is not None:
            self.sink.on_rcpt(address)
        fault = self.sink.take_fault("rcpt", address)
        if fault:
            return f"{fault.code} {fault.text or 'Recipient refused by the test sink'}"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        fault = self.sink.take_fault("data", ",".join(envelope.rcpt_tos))
        if fault:
            return f"{fault.code} {fault.text or 'Message refused by the test sink'}"
        self.sink.store(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content))
        return "250 Message accepted"


class MailSink:
    def __init__(self, directory: Path | None = None, *, host: str = "127.0.0.1", port: int | None = None) -> None:
        self.directory = directory
        self.host = host
        self.port = port or free_port()
        self.messages: list[dict[str, Any]] = []
        self.faults: list[Fault] = []
        self.fault_addresses: dict[str, Fault] = {}
        self.on_message: Callable[[dict[str, Any]], None] | None = None
        self.on_rcpt: Callable[[str], None] | None = None  # tests: act while a client is mid-transaction
        self._lock = threading.Lock()
        self._controller: Controller | None = None

    def fail_next(self, code: int, *, stage: str = "rcpt", count: int = 1, text: str = "") -> None:
        with self._lock:
            self.faults.append(Fault(stage, code, count, text))

    def fail_address(self, address: str, code: int, *, stage: str = "rcpt", text: str = "") -> None:
        """Every message to this address fails (a mailbox that does not exist)."""
        with self._lock:
            self.fault_addresses[address.lower()] = Fault(stage, code, 1 << 30, text)

    def take_fault(self, stage: str, address: str) -> Fault | None:
        with self._lock:
            for candidate in address.lower().split(","):
                fault = self.fault_addresses.get(candidate)
                if fault and fault.stage == stage:
                    return fault
            for fault in self.faults:
                if fault.stage == stage and fault.count > 0:
                    fault.count -= 1
                    if fault.count == 0:
                        self.faults.remove(fault)
                    return fault
        return None

    def store(self, mail_from: str, rcpt_tos: list[str], raw: bytes) -> dict[str, Any]:
        parsed = message_from_bytes(raw, policy=policy.default)
        record = {
            "received_at": time.time(),
            "mail_from": mail_from,
            "to": rcpt_tos,
            "message_id": str(parsed.get("Message-ID", "")),
            "subject": str(parsed.get("Subject", "")),
        }
        if self.directory is not None:
            self.directory.mkdir(parents=True, exist_ok=True)
            name = f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:8]}.eml"
            (self.directory / name).write_bytes(raw)
            record["file"] = name
            with (self.directory / "index.jsonl").open("a", encoding="utf-8") as index:
                index.write(json.dumps(record, ensure_ascii=False) + "\n")
        with self._lock:
            self.messages.append({**record, "raw": raw, "parsed": parsed})
        if self.on_message:
            self.on_message(record)
        return record

    def message_ids(self) -> list[str]:
        with self._lock:
            return [m["message_id"] for m in self.messages]

    def start(self) -> MailSink:
        self._controller = Controller(_MailHandler(self), hostname=self.host, port=self.port, ready_timeout=10)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller:
            self._controller.stop()
            self._controller = None


# -- SMS -----------------------------------------------------------------------------------------------------------
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

    def page(self) -> str:
        sms_rows = "".join(
            f"<tr><td>{html.escape(time.strftime('%d.%m.%Y %H.%M', time.localtime(m['received_at'])))}</td>"
            f"<td>{html.escape(m['to'])}</td><td>{html.escape(m['body'])}</td></tr>"
            for m in reversed(self._all_sms())
        )
        mails = self._all_mails()
        mail_rows = "".join(
            f"<tr><td>{html.escape(time.strftime('%d.%m.%Y %H.%M', time.localtime(m.get('received_at', 0))))}</td>"
            f"<td>{html.escape(', '.join(m.get('to', [])))}</td><td>{html.escape(m.get('subject', ''))}</td>"
            f"<td>{html.escape(m.get('file', ''))}</td></tr>"
            for m in reversed(mails)
        )
        return (
            "<!doctype html><html lang='fi'><head><meta charset='utf-8'><title>Koonto: paikalliset viestit</title>"
            "<style>body{font-family:sans-serif;margin:2rem}table{border-collapse:collapse;width:100%}"
            "td,th{border:1px solid #ccc;padding:.3rem;text-align:left;vertical-align:top}</style></head><body>"
            "<h1>Paikallisesti vastaanotetut viestit</h1>"
            f"<h2>Tekstiviestit ({len(self._all_sms())})</h2><table><thead><tr><th scope='col'>Aika</th>"
            f"<th scope='col'>Vastaanottaja</th><th scope='col'>Viesti</th></tr></thead>"
            f"<tbody>{sms_rows}</tbody></table>"
            f"<h2>Sähköpostit ({len(mails)})</h2><p>.eml-tiedostot: {html.escape(str(self.mail_dir or '-'))}</p>"
            "<table><thead><tr><th scope='col'>Aika</th><th scope='col'>Vastaanottaja</th><th scope='col'>Otsikko</th>"
            f"<th scope='col'>Tiedosto</th></tr></thead><tbody>{mail_rows}</tbody></table></body></html>"
        )

    def _all_sms(self) -> list[dict[str, Any]]:
        if self.directory is not None and self.directory.exists():
            return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(self.directory.glob("*.json"))]
        with self._lock:
            return list(self.messages)

    def _all_mails(self) -> list[dict[str, Any]]:
        index = (self.mail_dir / "index.jsonl") if self.mail_dir else None
        if index is None or not index.exists():
            return []
        return [json.loads(line) for line in index.read_text(encoding="utf-8").splitlines() if line.strip()]

    def start(self) -> SmsSink:
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _send(self, status: int, body: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                if self.path.rstrip("/") in ("", "/index.html"):
                    self._send(200, sink.page().encode(), "text/html; charset=utf-8")
                elif self.path == "/_messages":
                    self._send(200, json.dumps(sink._all_sms()).encode(), "application/json")
                else:
                    self._send(404, b'{"message": "not found"}', "application/json")

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode()
                parts = self.path.strip("/").split("/")
                if self.path == "/_faults":
                    spec = json.loads(raw or "{}")
                    sink.fail_next(int(spec.get("status", 500)), count=int(spec.get("count", 1)), code=spec.get("code"))
                    self._send(204, b"", "text/plain")
                    return
                if (
                    len(parts) == 4
                    and parts[0] == "2010-04-01"
                    and parts[1] == "Accounts"
                    and parts[3] == "Messages.json"
                ):
                    form = {k: v[0] for k, v in parse_qs(raw).items()}
                    status, payload = sink.receive(parts[2], form)
                    self._send(status, json.dumps(payload).encode(), "application/json")
                    return
                self._send(404, b'{"message": "not found"}', "application/json")

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


@dataclass
class _Args:
    kind: str
    port: int
    dir: Path
    host: str = "127.0.0.1"
    mail_dir: Path | None = field(default=None)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m koonto.notify.devsinks",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("kind", choices=["mail", "sms"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", type=Path, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--mail-dir", type=Path, default=None, help="the mail sink's folder, listed on the SMS page")
    ns = parser.parse_args(argv)
    args = _Args(ns.kind, ns.port, ns.dir, ns.host, ns.mail_dir)
    args.dir.mkdir(parents=True, exist_ok=True)
    sink: MailSink | SmsSink
    if args.kind == "mail":
        sink = MailSink(args.dir, host=args.host, port=args.port).start()
        print(f"mail sink: smtp://{args.host}:{args.port} -> {args.dir}", flush=True)
    else:
        mail_dir = args.mail_dir or args.dir.parent / "mail"
        sink = SmsSink(args.dir, host=args.host, port=args.port, mail_dir=mail_dir).start()
        print(f"SMS sink: http://{args.host}:{args.port} -> {args.dir} (received messages at /)", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        sink.stop()


if __name__ == "__main__":
    main()
