"""The sinks' web page: every mail and SMS received, and each mail opened (headers, text, HTML, attachments).

A mail is hostile content: its HTML part is only ever served from `/mail/<id>/html` under
`Content-Security-Policy: sandbox; default-src 'none'; ...` (no script, no requests out, an opaque origin) and
shown in an `<iframe sandbox>` on the message page; everything else is escaped by Jinja's autoescape.
Times are Helsinki time (Europe/Helsinki). The page is Finnish, as a development tool's may be.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, select_autoescape

HELSINKI = ZoneInfo("Europe/Helsinki")
MESSAGE_ID = re.compile(r"^[0-9]{8}-[0-9]{6}-[0-9a-f]{8}$")  # the mail sink's file names, without .eml
PAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-src 'self'; img-src 'self'; form-action 'none'"
# the HTML part: an opaque origin, no script, nothing fetched but inline images and styles
MAIL_POLICY = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"
SHOWN_HEADERS = {  # shown first, with a Finnish label; the others behind a disclosure
    "From": "Lähettäjä",
    "Reply-To": "Vastausosoite",
    "To": "Vastaanottaja",
    "Cc": "Kopio",
    "Subject": "Otsikko",
    "Date": "Päiväys",
    "Message-ID": "Viestin tunniste",
}


@dataclass
class Response:
    status: int
    body: bytes
    content_type: str
    headers: dict[str, str] = field(default_factory=dict)

    def all_headers(self) -> list[tuple[str, str]]:
        return [
            ("Content-Type", self.content_type),
            ("Content-Length", str(len(self.body))),
            ("X-Content-Type-Options", "nosniff"),
            ("Cache-Control", "no-store"),
            *self.headers.items(),
        ]


def helsinki(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, HELSINKI)


def finnish_time(moment: datetime) -> str:
    """2.12.2026 klo 16.05.09"""
    return f"{moment.day}.{moment.month}.{moment.year} klo {moment:%H.%M.%S}"


@dataclass(frozen=True)
class Part:
    number: int  # the part's place among the message's leaf parts: /mail/<id>/part/<number>
    content_type: str
    filename: str | None
    size: int
    charset: str | None = None


@dataclass
class OpenedMail:
    id: str
    record: dict[str, Any]
    message: EmailMessage
    parts: list[Part]
    text: str | None
    html_part: int | None

    def attachments(self) -> list[Part]:
        """Every leaf part that is not the text or HTML body shown on the page (the .ics of an event, files)."""
        shown = {p.number for p in self.parts if p.filename is None and p.content_type == "text/plain"}
        shown |= {self.html_part} if self.html_part is not None else set()
        return [p for p in self.parts if p.number not in shown]


class Mailbox:
    """The mail sink's folder read back: `index.jsonl` for the list, the `.eml` files for the messages."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory

    def entries(self) -> list[dict[str, Any]]:
        """Every mail received, newest first, each with its `id` (the file name without `.eml`)."""
        index = self.directory / "index.jsonl" if self.directory else None
        if index is None or not index.exists():
            return []
        rows = [json.loads(line) for line in index.read_text(encoding="utf-8").splitlines() if line.strip()]
        for row in rows:
            row["id"] = str(row.get("file", "")).removesuffix(".eml")
        return sorted(rows, key=lambda row: float(row.get("received_at", 0)), reverse=True)

    def raw(self, message_id: str) -> tuple[dict[str, Any], bytes] | None:
        """The record and the bytes of one mail; None for an id the index does not list (no path is built
        from anything else, so `../` goes nowhere)."""
        if self.directory is None or not MESSAGE_ID.match(message_id):
            return None
        record = next((row for row in self.entries() if row["id"] == message_id), None)
        path = self.directory / f"{message_id}.eml"
        if record is None or not path.is_file():
            return None
        return record, path.read_bytes()

    def open(self, message_id: str) -> OpenedMail | None:
        found = self.raw(message_id)
        if found is None:
            return None
        record, raw = found
        message = message_from_bytes(raw, policy=policy.default)
        assert isinstance(message, EmailMessage)
        leaves = [part for part in message.walk() if not part.is_multipart()]
        parts = [
            Part(
                n, part.get_content_type(), part.get_filename(), len(part.get_payload(decode=True) or b""),
                part.get_content_charset(),
            )
            for n, part in enumerate(leaves)
        ]
        body_text = message.get_body(preferencelist=("plain",))
        body_html = message.get_body(preferencelist=("html",))
        text = body_text.get_content() if body_text is not None else None
        html_part = next((n for n, part in enumerate(leaves) if part is body_html), None)
        return OpenedMail(message_id, record, message, parts, text, html_part)

    def leaf(self, message_id: str, number: int) -> tuple[Part, bytes] | None:
        opened = self.open(message_id)
        if opened is None or not 0 <= number < len(opened.parts):
            return None
        leaves = [part for part in opened.message.walk() if not part.is_multipart()]
        payload = leaves[number].get_payload(decode=True)
        return opened.parts[number], payload if isinstance(payload, bytes) else b""


class SinkPages:
    def __init__(self, mailbox: Mailbox, sms: Callable[[], list[dict[str, Any]]]) -> None:
        self.mailbox = mailbox
        self.sms = sms
        self.env = Environment(
            loader=PackageLoader("koonto.devsinks", "templates"),
            autoescape=select_autoescape(default=True),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["helsinki"] = lambda epoch: finnish_time(helsinki(float(epoch or 0)))
        self.env.filters["iso"] = lambda epoch: helsinki(float(epoch or 0)).isoformat(timespec="seconds")
        self.env.filters["size"] = _size

    def _page(self, status: int, template: str, **context: Any) -> Response:
        body = self.env.get_template(template).render(**context).encode()
        return Response(status, body, "text/html; charset=utf-8", {"Content-Security-Policy": PAGE_POLICY})

    def route(self, path: str) -> Response:
        if path in ("/", "/index.html"):
            return self.index()
        return self._mail_route(path.strip("/").split("/")) or self.not_found(path)

    def _mail_route(self, segments: list[str]) -> Response | None:
        if segments[0] != "mail" or len(segments) < 2:
            return None
        if len(segments) == 2:
            return self.message(segments[1])
        if segments[2:] == ["html"]:
            return self.html_part(segments[1])
        if segments[2:] == ["raw"]:
            return self.raw(segments[1])
        if len(segments) == 4 and segments[2] == "part" and segments[3].isdigit():
            return self.attachment(segments[1], int(segments[3]))
        return None

    def index(self) -> Response:
        sms = list(reversed(self.sms()))
        return self._page(200, "index.html", mails=self.mailbox.entries(), sms=sms, mail_dir=self.mailbox.directory)

    def message(self, message_id: str) -> Response | None:
        opened = self.mailbox.open(message_id)
        if opened is None:
            return None
        headers = [
            (f"{label} ({name})", _header_text(name, str(opened.message[name])))
            for name, label in SHOWN_HEADERS.items()
            if opened.message[name] is not None
        ]
        other = [(k, str(v)) for k, v in opened.message.items() if k not in SHOWN_HEADERS]
        return self._page(200, "message.html", mail=opened, headers=headers, other_headers=other, home="../")

    def html_part(self, message_id: str) -> Response | None:
        opened = self.mailbox.open(message_id)
        if opened is None or opened.html_part is None:
            return None
        part = opened.message.get_body(preferencelist=("html",))
        assert part is not None
        body = str(part.get_content()).encode()  # decoded from the part's charset, sent on as UTF-8
        return Response(200, body, "text/html; charset=utf-8", {"Content-Security-Policy": MAIL_POLICY})

    def attachment(self, message_id: str, number: int) -> Response | None:
        found = self.mailbox.leaf(message_id, number)
        if found is None:
            return None
        part, payload = found
        name = part.filename or f"osa-{number}{_extension(part.content_type)}"
        disposition = f"attachment; filename*=UTF-8''{quote(name)}"
        content_type = part.content_type + (f"; charset={part.charset}" if part.charset else "")
        return Response(200, payload, content_type, {"Content-Disposition": disposition})

    def raw(self, message_id: str) -> Response | None:
        found = self.mailbox.raw(message_id)
        if found is None:
            return None
        disposition = f"attachment; filename={message_id}.eml"
        return Response(200, found[1], "message/rfc822", {"Content-Disposition": disposition})

    def not_found(self, path: str) -> Response:
        # links are relative (the page may sit behind a proxy under a prefix such as /sms/)
        home = "../" * path.strip("/").count("/") or "./"
        return self._page(404, "not_found.html", home=home)


def _header_text(name: str, value: str) -> str:
    """A header's value as sent; the Date header also in Helsinki time."""
    if name != "Date":
        return value
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return value
    if moment.tzinfo is None:
        return value
    return f"{value} ({finnish_time(moment.astimezone(HELSINKI))} Suomen aikaa)"


def _extension(content_type: str) -> str:
    return {"text/calendar": ".ics", "text/plain": ".txt", "text/html": ".html", "application/pdf": ".pdf"}.get(
        content_type, ".bin"
    )


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} t"
    return f"{size / 1024:.1f} kt".replace(".", ",")
