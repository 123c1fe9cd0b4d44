"""use_cases/slots.py and web/pages/slots.py: advisors publish advice times (hankeklinikka) and withdraw unbooked
ones; every wrong field is named at once; the events intake builds its public list from are emitted once."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
import pytest

from koonto.advisory.bootstrap import AdvisoryContainer
from koonto.advisory.domain.actor import Actor
from koonto.advisory.domain.errors import Forbidden, Invalid, Refused
from koonto.shared.clock import HELSINKI
from koonto.shared.contracts.intake import AdviceBookingCancelled, AdviceSessionBooked, Contact, ErasureRequested
from tests.advisory.unit.conftest import ADMIN, advisor, events
from tests.advisory.unit.test_web import http, sign_in  # noqa: F401  (the fixture)

TOMORROW_AT_TEN = datetime(2026, 12, 5, 10, 0, tzinfo=HELSINKI)  # the clock stands at 4.12.2026 9.00


async def publish(deps: AdvisoryContainer, actor: Actor, **changes: object) -> dict[str, object]:
    values: dict[str, object] = {
        "starts_at": TOMORROW_AT_TEN, "ends_at": TOMORROW_AT_TEN + timedelta(minutes=45), "kind": "in_person",
        "place": " Kuopion kirjasto, ryhmätila 2 ", "online_url": None, "advisor_id": None,
    }
    return await deps.slots.publish(actor, **{**values, **changes})  # type: ignore[arg-type]


async def test_a_published_time_is_listed_and_announced_once(deps: AdvisoryContainer) -> None:
    niina = await advisor(deps)
    await events(deps)
    slot = await publish(deps, niina)
    assert slot["place"] == "Kuopion kirjasto, ryhmätila 2" and slot["status"] == "free"
    [announced] = await events(deps, "advice-slot-published")
    assert announced.data["slot_id"] == slot["_id"] and announced.data["advisor_name"] == "Niina Neuvoja"
    assert announced.data["kind"] == "in_person" and announced.data["online_url"] is None
    listed = await deps.views.advice_slots(deps.clock.now())
    assert [s["_id"] for s in listed] == [slot["_id"]]


async def test_every_wrong_field_is_named_at_once(deps: AdvisoryContainer) -> None:
    niina = await advisor(deps)
    with pytest.raises(Invalid) as refused:
        await publish(deps, niina, starts_at=TOMORROW_AT_TEN - timedelta(days=2),
                      ends_at=TOMORROW_AT_TEN - timedelta(days=3), kind="online", online_url="http://meet.example")
    assert set(refused.value.extra["fields"]) == {"starts_at", "ends_at", "online_url"}
    with pytest.raises(Invalid) as no_place:
        await publish(deps, niina, place="  ", ends_at=TOMORROW_AT_TEN + timedelta(hours=9))
    assert set(no_place.value.extra["fields"]) == {"ends_at", "place"}
    with pytest.raises(Invalid) as nobody:
        await publish(deps, niina, advisor_id="staff-nobody", kind="chat")
    assert set(nobody.value.extra["fields"]) == {"kind", "advisor_id"}
    assert await events(deps, "advice-slot-published") == []


async def test_a_free_time_is_withdrawn_once_and_only_by_its_advisor_or_a_coordinator(deps: AdvisoryContainer) -> None:
    niina = await advisor(deps)
    other = await advisor(deps, "toinen@koonto.example")
    slot = await publish(deps, niina, kind="phone", place="ignored for a phone call")
    assert slot["place"] is None
    with pytest.raises(Forbidden):
        await deps.slots.withdraw(other, str(slot["_id"]))
    await events(deps)
    await deps.slots.withdraw(niina, str(slot["_id"]))
    with pytest.raises(Refused):
        await deps.slots.withdraw(niina, str(slot["_id"]))
    [withdrawn] = await events(deps, "advice-slot-withdrawn")
    assert withdrawn.data == {**withdrawn.data, "slot_id": slot["_id"], "withdrawn_by": niina.staff_id}
    [listed] = await deps.views.advice_slots(deps.clock.now())
    assert listed["status"] == "withdrawn"


async def test_the_page_publishes_a_time_and_shows_the_refusals_in_swedish(
    http: httpx.AsyncClient, deps: AdvisoryContainer  # noqa: F811
) -> None:
    csrf = await sign_in(http)
    await advisor(deps)
    empty = await http.get("/slots")
    assert empty.status_code == 200 and "Ei julkaistuja aikoja." in empty.text and "Niina Neuvoja" in empty.text
    refused = await http.post("/slots", data={"csrf_token": csrf, "starts_at": "eilen", "ends_at": "",
                                              "kind": "online", "online_url": ""},
                              headers={"Accept-Language": "sv"})
    assert refused.status_code == 422
    assert "Ange datum och klockslag." in refused.text and "Ange länken till nätmötet." in refused.text
    assert 'href="#starts_at"' in refused.text and 'href="#online_url"' in refused.text
    posted = await http.post("/slots", data={"csrf_token": csrf, "starts_at": "2026-12-05T10:00",
                                             "ends_at": "2026-12-05T10:45", "kind": "online",
                                             "online_url": "https://meet.example/abc"})
    assert posted.status_code == 303 and posted.headers["location"] == "/slots?done=slot"
    page = await http.get("/slots")
    assert "5.12.2026" in page.text and "10.00–10.45" in page.text and "https://meet.example/abc" in page.text
    slot_id = (await deps.views.advice_slots(deps.clock.now()))[0]["_id"]
    withdrawn = await http.post(f"/slots/{slot_id}/withdraw", data={"csrf_token": csrf})
    assert withdrawn.status_code == 303
    again = await http.post(f"/slots/{slot_id}/withdraw", data={"csrf_token": csrf})
    assert again.status_code == 409 and "Aika on jo varattu tai peruttu." in again.text


def booked_event(booking_id: str, idea_id: str | None, email: str = "maija@example.fi") -> AdviceSessionBooked:
    return AdviceSessionBooked(
        booking_id=booking_id, slot_id="slot-x", idea_id=idea_id, booked_at=TOMORROW_AT_TEN - timedelta(days=2),
        starts_at=TOMORROW_AT_TEN, ends_at=TOMORROW_AT_TEN + timedelta(hours=1), kind="online",
        online_url="https://meet.example/x", advisor_id="staff-1", advisor_name="Niina Neuvoja",
        contact=Contact(name="Maija", email=email), topic="Rahoitus", manage_url="http://intake.test/x",
    )


async def test_a_cancellation_that_arrives_first_stays_and_an_erasure_takes_the_contact(
    deps: AdvisoryContainer,
) -> None:
    cancelled = AdviceBookingCancelled(booking_id="b1", slot_id="slot-x", cancelled_at=TOMORROW_AT_TEN,
                                       starts_at=TOMORROW_AT_TEN, advisor_id="staff-1", rebooked_as="b9")
    await deps.slots.cancel_booking(cancelled)
    await deps.slots.record_booking(booked_event("b1", None))
    await deps.slots.record_booking(booked_event("b2", "idea-1", "olli@example.fi"))
    listed = {b["_id"]: b for b in await deps.views.advice_bookings(deps.clock.now())}
    assert listed["b1"]["status"] == "cancelled" and listed["b1"]["topic"] == "Rahoitus"
    assert listed["b1"]["rebooked_as"] == "b9"
    assert listed["b2"]["status"] == "booked" and listed["b2"]["case"] is None
    with pytest.raises(Refused):  # not started yet, and no case
        await deps.slots.log_held(ADMIN, "b2")
    erasure = ErasureRequested(request_id="r1", requested_at=deps.clock.now(), email="olli@example.fi")
    await deps.cases.erase_contact(erasure)
    erased = {b["_id"]: b for b in await deps.views.advice_bookings(deps.clock.now())}["b2"]
    assert erased["email"] is None and erased["topic"] is None and erased["erased"]
    await deps.slots.record_booking(booked_event("b3", None, "olli@example.fi"))  # booked before the erasure
    late = {b["_id"]: b for b in await deps.views.advice_bookings(deps.clock.now())}["b3"]
    assert late["email"] is None and late["name"] is None
