"""The mail sink: a real SMTP server (aiosmtpd) keeping each message as an `.eml` file plus `index.jsonl`."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from koonto.devsinks.common import Fault, free_port


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


