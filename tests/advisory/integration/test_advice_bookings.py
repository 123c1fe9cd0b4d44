"""Intake's advice bookings (hankeklinikka) in advisory, on real NATS and a real store: on the advisors' list and
on the case of the status link's idea (or a new contact without a case), a redelivery kept once, a cancellation
freeing the slot, and a held booking logged as one session-logged with one click, once."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import httpx

from koonto.shared.clock import HELSINKI
from koonto.shared.contracts.intake import AdviceBookingCancelled, AdviceSessionBooked, Contact
from tests.advisory.integration.conftest import Stream, bearer
from tests.support.polling import eventually
from tests.support.samples import envelope, idea_submitted

HOUR_AGO = datetime(2026, 12, 4, 8, 0, tzinfo=HELSINKI)  # the clock stands at 4.12.2026 9.00


def booked(booking_id: str, idea_id: str | None, starts: datetime = HOUR_AGO, **overrides: Any) -> AdviceSessionBooked:
    values: dict[str, Any] = {
        "booking_id": booking_id, "slot_id": f"slot-{booking_id}", "idea_id": idea_id,
        "booked_at": starts - timedelta(days=3), "starts_at": starts, "ends_at": starts + timedelta(minutes=45),
        "kind": "phone", "advisor_id": "staff-1", "advisor_name": "Niina Neuvoja",
        "contact": Contact(name="Maija Meikäläinen", email="Maija@Example.fi", phone="+358401234567"),
        "organisation_name": "Kyläyhdistys Toivala ry", "topic": "Kylätalon esteettömyys",
        "manage_url": "http://intake.test/advice/booking/signed",
    }
    return AdviceSessionBooked(**{**values, **overrides})


async def test_bookings_reach_the_list_and_the_case_and_a_held_one_is_logged_once(
    stream: Stream, http: httpx.AsyncClient, staff_tokens: dict[str, str]
) -> None:
    auth = bearer(staff_tokens["advisor"])
    idea = idea_submitted(reference="KOO-2026-0042")
    await stream.publish(envelope(idea))
    [opened] = await stream.wait_for("case-opened", 1, settle=0)
    case_id = opened.data["case_id"]

    held = envelope(booked("b-held", idea.idea_id))
    await stream.publish(held)
    await stream.publish(held, message_id=f"{held.id}-again")  # a redelivery past the duplicate window
    await stream.publish(envelope(booked("b-new", None, HOUR_AGO + timedelta(days=2),
                                         contact=Contact(name="Olli Uusi", email="olli@example.fi"))))
    await stream.publish(envelope(booked("b-gone", idea.idea_id, HOUR_AGO + timedelta(days=3))))
    await stream.publish(envelope(AdviceBookingCancelled(
        booking_id="b-gone", slot_id="slot-b-gone", idea_id=idea.idea_id, cancelled_at=HOUR_AGO,
        starts_at=HOUR_AGO + timedelta(days=3), advisor_id="staff-1")))

    page = await eventually(lambda: http.get("/bookings", headers=auth),
                            until=lambda r: r.text.count("<tr>") == 4 and "Peruttu" in r.text, what="three bookings")
    text = page.text
    assert "Maija Meikäläinen" in text and "Kylätalon esteettömyys" in text and "Olli Uusi" in text
    assert f'href="/cases/{case_id}">KOO-2026-0042' in text and "Uusi yhteydenotto, ei tapausta" in text
    assert text.count('action="/bookings/') == 1  # only the held one with a case can be logged
    case_page = await http.get(f"/cases/{case_id}", headers=auth)
    assert "Varatut neuvonta-ajat" in case_page.text and case_page.text.count("Niina Neuvoja") >= 2

    csrf = re.search(r'name="csrf_token" value="([^"]+)"', text)
    form = {"csrf_token": csrf.group(1) if csrf else ""}
    first = await http.post("/bookings/b-held/held", headers=auth, data=form)
    again = await http.post("/bookings/b-held/held", headers=auth, data=form)
    assert first.status_code == 303 and again.status_code == 409
    assert "Varaus on jo kirjattu neuvonnaksi tai peruttu." in again.text
    refused = await http.post("/bookings/b-new/held", headers=auth, data=form)
    assert refused.status_code == 409
    [session] = await stream.wait_for("session-logged", 1)
    assert session.data["case_id"] == case_id and session.data["session_id"] == "session-b-held"
    assert session.data["kind"] == "phone" and session.data["duration_minutes"] == 45
    assert "Kirjattu neuvonnaksi" in (await http.get("/bookings", headers=auth)).text
