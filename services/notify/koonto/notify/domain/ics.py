"""A small iCalendar (RFC 5545) writer for registration confirmations: one VEVENT, CRLF lines folded at 75
octets, text values escaped."""

from __future__ import annotations

from datetime import datetime, timedelta

from koonto.shared.clock import as_utc


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    out: list[str] = []
    current = b""
    for ch in line:
        encoded = ch.encode()
        limit = 75 if not out else 74  # continuation lines start with one space
        if len(current) + len(encoded) > limit:
            out.append(current.decode())
            current = b""
        current += encoded
    out.append(current.decode())
    return "\r\n ".join(out)


def _stamp(value: datetime) -> str:
    return as_utc(value).strftime("%Y%m%dT%H%M%SZ")


def calendar(
    *,
    uid: str,
    title: str,
    starts_at: datetime,
    ends_at: datetime | None,
    location: str | None,
    description: str,
    url: str | None,
    organizer_email: str,
    stamp: datetime,
    status: str = "CONFIRMED",
) -> str:
    ends_at = ends_at or starts_at + timedelta(hours=2)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Koonto//notify//FI",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTAMP:{_stamp(stamp)}",
        f"DTSTART:{_stamp(starts_at)}",
        f"DTEND:{_stamp(ends_at)}",
        f"SUMMARY:{_escape(title)}",
        f"DESCRIPTION:{_escape(description)}",
        f"STATUS:{status}",
        f"ORGANIZER:mailto:{organizer_email}",
    ]
    if location:
        lines.append(f"LOCATION:{_escape(location)}")
    if url:
        lines.append(f"URL:{url}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "".join(_fold(line) + "\r\n" for line in lines)
