"""Advice times (hankeklinikka) on real NATS and a real store: intake keeps advisory's published slots, offers the
free ones, and decides each booking by a unique-key claim of the slot's next generation (ten people at once for one
time: one booking, nine "already taken" answers with the other free times; on two replicas in
test_advice_booking_replicas.py); cancel and rebook through the booking's signed link; a redelivered advisory event
changes nothing; an erasure takes the person's contact and topic."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from koonto.shared.contracts.advisory import AdviceSlotPublished, AdviceSlotWithdrawn
from koonto.shared.contracts.intake import AdviceBookingCancelled, AdviceSessionBooked
from tests.intake.helpers import events_of, form_pairs, hidden, post_form, publish
from tests.intake.integration.conftest import PUBLIC
from tests.intake.integration.test_status import submit
from tests.support.polling import eventually, stays


def slot(days: int = 3, **overrides: Any) -> AdviceSlotPublished:
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=days)
    values: dict[str, Any] = {
        "slot_id": f"slot-{uuid.uuid4()}", "starts_at": starts, "ends_at": starts + timedelta(minutes=45),
        "kind": "phone", "place": None, "online_url": None, "advisor_id": "staff-niina",
        "advisor_name": "Niina Neuvoja", "published_at": datetime.now(UTC),
    }
    return AdviceSlotPublished(**{**values, **overrides})


def booking(slot_id: str, email: str, **overrides: Any) -> dict[str, Any]:
    return {"slot_id": slot_id, "contact": {"name": "Maija Meikäläinen", "email": email, "phone": "040 123 4567"},
            "organisation_name": "Kyläyhdistys Toivala ry", "topic": "Kylätalon esteettömyys: mistä rahoitusta?",
            "consents": {"privacy_notice": True}, **overrides}


async def listed(http: Any, count: int) -> list[dict[str, Any]]:
    response = await eventually(lambda: http.get("/api/v1/advice/slots"), until=lambda r: len(r.json()) == count,
                                what=f"{count} free times listed")
    return response.json()  # type: ignore[no-any-return]


async def test_ten_people_at_once_for_one_time_give_one_booking_and_nine_clear_refusals(
    start_intake_on_each_store, clean_stream
) -> None:
    wanted, other = slot(days=3), slot(days=4, kind="in_person", place="Kuopion kirjasto")
    async with start_intake_on_each_store() as (_runtime, http):
        await publish(clean_stream, wanted)
        await publish(clean_stream, other)
        await listed(http, 2)

        posts = [http.post("/api/v1/advice/bookings", json=booking(wanted.slot_id, f"p{n}@example.fi"))
                 for n in range(10)]
        answers = await asyncio.gather(*posts)

        assert Counter(a.status_code for a in answers) == {201: 1, 409: 9}
        [winner] = [a.json() for a in answers if a.status_code == 201]
        for refused in (a.json() for a in answers if a.status_code == 409):
            assert refused["detail"] == "Joku ehti varata tämän ajan juuri ennen sinua. Valitse toinen vapaa aika."
            assert [s["slot_id"] for s in refused["free_slots"]] == [other.slot_id]
        assert [s["slot_id"] for s in await listed(http, 1)] == [other.slot_id]
        [(_, booked)] = await eventually(lambda: events_of(clean_stream, AdviceSessionBooked),
                                         until=lambda e: len(e) == 1)
        assert booked.booking_id == winner["booking_id"] and booked.slot_id == wanted.slot_id
        assert booked.topic == "Kylätalon esteettömyys: mistä rahoitusta?" and booked.advisor_id == "staff-niina"
        assert booked.manage_url.startswith(f"{PUBLIC}/advice/booking/")
        await stays(lambda: events_of(clean_stream, AdviceSessionBooked), until=lambda e: len(e) == 1, duration=0.5)


async def test_a_double_submit_is_the_same_booking_and_a_redelivered_slot_event_frees_nothing(
    intake, clean_stream
) -> None:
    runtime, http = intake
    published = slot()
    await publish(clean_stream, published)
    await listed(http, 1)
    first = await http.post("/api/v1/advice/bookings", json=booking(published.slot_id, "maija@example.fi"))
    again = await http.post("/api/v1/advice/bookings", json=booking(published.slot_id, "maija@example.fi"))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["booking_id"] == first.json()["booking_id"]

    await publish(clean_stream, published)  # advisory's event again (a re-publish with a new id): nothing changes
    withdrawn = AdviceSlotWithdrawn(slot_id=published.slot_id, withdrawn_at=datetime.now(UTC), withdrawn_by="x")
    await publish(clean_stream, withdrawn)  # a withdrawal after the booking: the booking stands
    await stays(lambda: http.get("/api/v1/advice/slots"), until=lambda r: r.json() == [], duration=1.0)
    doc = await runtime.db["advice_slots"].find_one({"_id": published.slot_id})
    assert doc["status"] == "booked" and doc["booking_id"] == first.json()["booking_id"]
    await stays(lambda: events_of(clean_stream, AdviceSessionBooked), until=lambda e: len(e) == 1, duration=0.3)


async def test_book_from_the_status_page_then_rebook_and_cancel_through_the_link(intake, clean_stream) -> None:
    runtime, http = intake
    status_path, status_token = await submit(http)
    first, second = slot(days=3), slot(days=5, kind="online", online_url="https://meet.example/abc")
    await publish(clean_stream, first)
    await publish(clean_stream, second)
    await listed(http, 2)

    status = await http.get(status_path)
    assert f'href="/advice?token={status_token}"' in status.text
    page = await http.get(f"/advice?token={status_token}")
    assert page.status_code == 200 and "Niina Neuvoja" in page.text and "Puhelu" in page.text
    form = await http.get(f"/advice/book?slot={first.slot_id}&token={status_token}")
    assert form.status_code == 200 and hidden(form.text, "token") == status_token
    answers = form_pairs(booking(first.slot_id, "maija@example.fi", token=status_token))
    refused = await post_form(http, "/advice/book", [(k, v) for k, v in answers if k != "topic"]
                              + [("form_token", hidden(form.text, "form_token"))])
    assert refused.status_code == 422 and "Kerro lyhyesti, mistä haluat keskustella." in refused.text
    assert 'value="maija@example.fi"' in refused.text  # nothing typed is lost
    done = await post_form(http, "/advice/book", [*answers, ("form_token", hidden(form.text, "form_token"))])
    assert done.status_code == 200 and "Neuvonta-aika varattu" in done.text

    [(_, booked)] = await eventually(lambda: events_of(clean_stream, AdviceSessionBooked), until=lambda e: len(e) == 1)
    idea = await runtime.db["ideas"].find_one({})
    assert booked.idea_id == idea["_id"]
    manage = booked.manage_url.removeprefix(PUBLIC)
    own = await http.get(manage)
    assert own.status_code == 200 and "Varauksesi" in own.text and second.slot_id in own.text
    csrf = hidden(own.text, "csrf_token")
    assert (await post_form(http, f"{manage}/rebook", {"slot_id": second.slot_id})).status_code == 403
    moved = await post_form(http, f"{manage}/rebook", {"csrf_token": csrf, "slot_id": second.slot_id})
    assert moved.status_code == 303 and moved.headers["location"].endswith("?done=rebooked")
    [(_, cancelled)] = await eventually(lambda: events_of(clean_stream, AdviceBookingCancelled),
                                        until=lambda e: len(e) == 1)
    rebooked = [d for _, d in await events_of(clean_stream, AdviceSessionBooked) if d.rebooked_from]
    assert cancelled.booking_id == booked.booking_id and cancelled.rebooked_as == rebooked[0].booking_id
    assert rebooked[0].slot_id == second.slot_id and rebooked[0].idea_id == idea["_id"]
    assert [s["slot_id"] for s in await listed(http, 1)] == [first.slot_id]  # the old time is free again

    new_page = await http.get(moved.headers["location"])
    assert "Varaus siirretty uuteen aikaan." in new_page.text and "https://meet.example/abc" in new_page.text
    new_manage = moved.headers["location"].split("?")[0]
    csrf = hidden(new_page.text, "csrf_token")
    for _ in range(2):  # a second click changes nothing
        gone = await post_form(http, f"{new_manage}/cancel", {"csrf_token": csrf})
        assert gone.status_code == 303
    assert "Varaus peruttu." in (await http.get(gone.headers["location"])).text
    await eventually(lambda: events_of(clean_stream, AdviceBookingCancelled), until=lambda e: len(e) == 2)
    await listed(http, 2)
    await stays(lambda: events_of(clean_stream, AdviceBookingCancelled), until=lambda e: len(e) == 2, duration=0.5)
    old = await http.get(manage)  # the first link still shows its booking, cancelled, and offers no buttons
    assert old.status_code == 200 and "Peruttu" in old.text and "/cancel" not in old.text


async def test_a_taken_time_keeps_the_answers_and_offers_the_other_free_times(intake, clean_stream) -> None:
    _runtime, http = intake
    first, second = slot(days=3), slot(days=6)
    await publish(clean_stream, first)
    await publish(clean_stream, second)
    await listed(http, 2)
    assert (await http.post("/api/v1/advice/bookings", json=booking(first.slot_id, "a@example.fi"))).status_code == 201
    form = await http.get(f"/advice/book?slot={second.slot_id}")
    answers = [*form_pairs(booking(first.slot_id, "b@example.fi")), ("form_token", hidden(form.text, "form_token"))]
    taken = await post_form(http, "/advice/book?lang=sv", answers)
    assert taken.status_code == 409 and 'lang="sv"' in taken.text
    assert f'value="{second.slot_id}"' in taken.text and f'value="{first.slot_id}"' not in taken.text
    assert "Kylätalon esteettömyys" in taken.text and 'value="b@example.fi"' in taken.text


async def test_an_erasure_takes_the_contact_and_topic_of_the_persons_bookings(intake, clean_stream) -> None:
    runtime, http = intake
    status_path, _ = await submit(http)
    published = slot()
    await publish(clean_stream, published)
    await listed(http, 1)
    made = await http.post("/api/v1/advice/bookings", json=booking(published.slot_id, "maija@example.fi"))
    assert made.status_code == 201
    page = await http.get(status_path)
    erased = await post_form(http, f"{status_path}/erase", {"csrf_token": hidden(page.text, "csrf_token")})
    assert erased.status_code == 303

    async def booking_doc() -> dict[str, Any]:
        doc = await runtime.db["advice_slots"].find_one({"_id": published.slot_id})
        return doc["bookings"][made.json()["booking_id"]]  # type: ignore[no-any-return]

    kept = await eventually(booking_doc, until=lambda b: b["contact"]["email"] is None, what="erased")
    assert kept["contact"]["name"] == "[poistettu]" and kept["topic"] == "[poistettu]" and kept["status"] == "booked"


async def test_the_booking_form_offers_sms_and_asks_for_the_phone_it_needs(intake, clean_stream) -> None:
    """The booker may choose SMS (notify then also reminds by SMS, tests/notify/integration); SMS without a phone is
    refused next to the field, in the page's language, with nothing typed lost."""
    _runtime, http = intake
    wanted = slot()
    await publish(clean_stream, wanted)
    await listed(http, 1)
    form = await http.get(f"/advice/book?slot={wanted.slot_id}", params={"lang": "fi"})
    assert 'name="contact.channel" value="sms"' in form.text and "Miten haluat saada viestit?" in form.text
    answers = [(k, v) for k, v in form_pairs(booking(wanted.slot_id, "sanna@example.fi")) if k != "contact.phone"]
    stamp = ("form_token", hidden(form.text, "form_token"))
    refused = await post_form(http, "/advice/book", [*answers, ("contact.channel", "sms"), stamp])
    assert refused.status_code == 422 and 'value="sanna@example.fi"' in refused.text
    assert "Anna puhelinnumero, jos haluat viestit tekstiviestinä." in refused.text
    done = await post_form(http, "/advice/book", [*answers, ("contact.channel", "sms"),
                                                  ("contact.phone", "040 111 2233"), stamp])
    assert done.status_code in (200, 303), done.text
    [(_, booked)] = await eventually(lambda: events_of(clean_stream, AdviceSessionBooked), until=lambda e: len(e) == 1)
    assert (booked.contact.channel, booked.contact.phone) == ("sms", "+358401112233")
