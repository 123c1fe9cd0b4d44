"""Pure notify logic: SMS segments, quiet hours, retry classification, calendar files, keys, consent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from koonto.notify.domain import ics, sms
from koonto.notify.domain.keys import delivery_key, message_id
from koonto.notify.domain.kinds import KINDS, may_send
from koonto.notify.domain.quiet_hours import in_quiet_hours, next_allowed
from koonto.notify.domain.retry import http_sms_error, retry_delay, smtp_error
from koonto.shared.clock import HELSINKI


@pytest.mark.parametrize(
    ("text", "encoding", "segments"),
    [
        ("", "GSM-7", 0),
        ("a" * 160, "GSM-7", 1),
        ("a" * 161, "GSM-7", 2),
        ("a" * 306, "GSM-7", 2),
        ("a" * 307, "GSM-7", 3),
        ("Hyvää päivää, Åke! Öljyä ja äänestys.", "GSM-7", 1),  # ä ö å Ä Ö Å are in the GSM-7 basic set
        ("€" * 80, "GSM-7", 1),  # extension characters take two septets: 160
        ("€" * 81, "GSM-7", 2),
        ("ž" * 70, "UCS-2", 1),
        ("ž" * 71, "UCS-2", 2),
        ("ž" * 134, "UCS-2", 2),
        ("ž" * 135, "UCS-2", 3),
        ("🙂" * 35, "UCS-2", 1),  # a surrogate pair counts as two code units
    ],
)
def test_segment_counting(text: str, encoding: str, segments: int) -> None:
    measured = sms.measure(text)
    assert (measured.encoding if text else "GSM-7", measured.segments) == (encoding, segments)


def test_fit_keeps_the_link_and_never_exceeds_three_segments() -> None:
    link = " https://koonto.example.fi/tila/abc?t=signed"
    text = sms.fit("Pitkä viesti neuvojalta. " * 40, keep_tail=link)
    assert text.endswith("..." + link) and sms.segments(text) <= 3
    assert sms.fit("lyhyt", keep_tail=link) == "lyhyt" + link


def test_typographic_characters_are_made_gsm7() -> None:
    assert sms.is_gsm7(sms.normalise_for_gsm("“Hei” – tervetuloa… ’ok’"))


def test_quiet_hours_in_helsinki() -> None:
    at = lambda h, m=0, d=30: datetime(2026, 11, d, h, m, tzinfo=HELSINKI)  # noqa: E731
    assert in_quiet_hours(at(22, 30)) and in_quiet_hours(at(0, 5)) and in_quiet_hours(at(7, 59))
    assert not in_quiet_hours(at(8, 0)) and not in_quiet_hours(at(20, 59))
    morning = datetime(2026, 12, 1, 8, 0, tzinfo=HELSINKI)
    assert next_allowed(at(22, 30)) == morning == next_allowed(at(21, 0))
    assert next_allowed(at(3, 0)) == at(8, 0)
    assert next_allowed(at(12, 0)) == at(12, 0)


def test_quiet_hours_across_the_dst_change() -> None:
    # 28.3.2027 Finland moves to summer time at 03:00; 08:00 local is then 05:00 UTC, not 06:00
    evening = datetime(2027, 3, 27, 22, 0, tzinfo=HELSINKI)
    assert next_allowed(evening) == datetime(2027, 3, 28, 5, 0, tzinfo=UTC)


def test_smtp_and_sms_errors_are_classified() -> None:
    assert not smtp_error(451, "later", stage="rcpt").permanent
    rejected = smtp_error(550, "no such user", stage="rcpt")
    assert rejected.permanent and rejected.suppress
    data_refused = smtp_error(554, "spam", stage="data")
    assert data_refused.permanent and not data_refused.suppress
    assert not http_sms_error(429, {}).permanent and not http_sms_error(503, {}).permanent
    invalid = http_sms_error(400, {"code": 21211, "message": "Invalid 'To' Phone Number"})
    assert invalid.permanent and invalid.suppress
    assert http_sms_error(400, {"code": 21602}).permanent and not http_sms_error(400, {"code": 21602}).suppress


def test_retry_delays_grow_and_are_capped() -> None:
    delays = [retry_delay(n, 30, 3600, jitter=0) for n in range(1, 6)]
    assert delays == sorted(delays) and delays[0] == timedelta(seconds=30) and delays[-1] == timedelta(seconds=3600)


def test_delivery_key_is_per_event_address_and_channel() -> None:
    assert delivery_key("e1", "email", "Maija@Example.fi ") == delivery_key("e1", "email", "maija@example.fi")
    assert delivery_key("e1", "email", "a@example.fi") != delivery_key("e2", "email", "a@example.fi")
    assert delivery_key("e1", "email", "a@example.fi") != delivery_key("e1", "sms", "a@example.fi")
    assert "maija" not in delivery_key("e1", "email", "maija@example.fi")  # only a hash of the address
    assert message_id("k", "notify.test") == message_id("k", "notify.test") != message_id("k2", "notify.test")


def test_consent_rules() -> None:
    announcement, receipt = KINDS["call-announcement"], KINDS["receipt"]
    assert may_send(receipt, None, suppressed=False) == (True, "")
    assert may_send(announcement, None, suppressed=False) == (False, "no-consent")
    assert may_send(announcement, {"events": True}, suppressed=False) == (False, "no-consent")
    assert may_send(announcement, {"call_announcements": True}, suppressed=False) == (True, "")
    assert may_send(receipt, None, suppressed=True) == (False, "suppressed")


def _unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def test_calendar_file_is_valid_icalendar() -> None:
    text = ics.calendar(
        uid="ev-1@koonto",
        title="Hankeklinikka; ESR+, osa 1",
        starts_at=datetime(2026, 12, 3, 17, 0, tzinfo=HELSINKI),
        ends_at=None,
        location="Kuopion kaupungintalo, sali 2",
        description="Rivi 1\nRivi 2 " + "pitkä " * 30,
        url=None,
        organizer_email="koonto@example.fi",
        stamp=datetime(2026, 11, 1, tzinfo=UTC),
    )
    raw_lines = text.split("\r\n")
    assert text.endswith("\r\n") and all(len(line.encode()) <= 75 for line in raw_lines)
    lines = _unfold(text)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR"
    props = dict(line.split(":", 1) for line in lines if line and ":" in line)
    assert props["VERSION"] == "2.0" and props["DTSTART"] == "20261203T150000Z" and props["DTEND"] == "20261203T170000Z"
    assert props["SUMMARY"] == "Hankeklinikka\\; ESR+\\, osa 1" and props["UID"] == "ev-1@koonto"
    assert "\\n" in props["DESCRIPTION"] and "\n" not in props["DESCRIPTION"]
    assert lines.count("BEGIN:VEVENT") == 1 == lines.count("END:VEVENT")
