"""Region isolation in the staff workspace, on real NATS and a real store: one deployment serving Pohjois-Savo
(home) and Pohjois-Karjala, an advisor-coordinator of each, one of both and the admin; ideas, registrations and
bookings of both regions arriving as events, calls, trainings, advice times, follow-ups, notes and messages
made through the API and the forms. Then every staff endpoint of the app (enumerated from its routes, so a new
route fails `test_every_route_is_covered` until it is listed here): a list leaves the other region's items out
(asserted on their distinctive words), a page or API asked for another region's id says 404, and every form or
API post on another region's id is refused with 404 and changes nothing."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import httpx
import jwt
import nats
import pytest

from koonto.advisory.bootstrap import AdvisoryContainer
from koonto.advisory.domain.case import case_id_for
from koonto.advisory.domain.clock import FixedClock
from koonto.advisory.main import create_runtime
from koonto.advisory.settings import AdvisorySettings
from koonto.shared.auth import csrf_for
from koonto.shared.bus import STREAM_NAME
from koonto.shared.clock import HELSINKI
from koonto.shared.contracts.intake import AdviceSessionBooked, Consents, Contact, Organisation, RegistrationReceived
from koonto.shared.runtime import Runtime
from tests.advisory.integration.conftest import PASSWORD, Stream, bearer, token_for
from tests.advisory.integration.test_auth import staff_endpoints
from tests.support.polling import eventually, stays
from tests.support.samples import envelope, idea_submitted
from tests.support.services import client, running

SAVO, KARJALA = "pohjois-savo", "pohjois-karjala"
MARK = {SAVO: "Kalakukko", KARJALA: "Piirakka"}  # every item of a region carries its word
MUNICIPALITY = {SAVO: "kuopio", KARJALA: "joensuu"}
WORK = ["advisor", "coordinator"]

# -- what each staff route is (every one of the app's staff routes must be named in exactly one) ---------------
LISTS = {  # GET lists and pages: another region's items are left out
    "/", "/api/v1/cases", "/api/v1/workload", "/api/v1/followups", "/api/v1/calls", "/api/v1/events",
    "/api/v1/staff", "/partners", "/followups", "/calls", "/events", "/slots", "/bookings", "/dead-letters",
}
BY_ID = {  # GET by id: another region's id is not found
    "/api/v1/cases/{case_id}", "/api/v1/calls/{call_id}", "/api/v1/events/{event_id}",
    "/api/v1/events/{event_id}/registrations", "/cases/{case_id}", "/calls/{call_id}", "/events/{event_id}",
    "/events/{event_id}/check-in",
}
POSTS_BY_ID = {  # posts naming an item: refused (404) for another region's, nothing changed
    "/api/v1/cases/{case_id}/transitions", "/api/v1/cases/{case_id}/assignment", "/api/v1/cases/{case_id}/sessions",
    "/api/v1/cases/{case_id}/notes", "/api/v1/cases/{case_id}/messages", "/api/v1/cases/{case_id}/followups",
    "/api/v1/followups/{followup_id}/done", "/api/v1/events/{event_id}/attendance",
    "/cases/{case_id}/transition", "/cases/{case_id}/sessions", "/cases/{case_id}/notes", "/cases/{case_id}/messages",
    "/cases/{case_id}/assignment", "/cases/{case_id}/followups", "/cases/{case_id}/introductions",
    "/cases/{case_id}/results", "/cases/{case_id}/results/withdrawal", "/followups/{followup_id}/done",
    "/events/{event_id}/attendance", "/events/{event_id}/capacity",
    "/events/{event_id}/registrations/{registration_id}/cancel", "/events/{event_id}/check-in",
    "/slots/{slot_id}/withdraw", "/bookings/{booking_id}/held", "/dead-letters/redrive",
}
CREATES = {"/api/v1/calls", "/api/v1/events", "/calls", "/events", "/slots"}  # POST: in one of one's own regions
NO_REGION_DATA = {"/api/v1/me", "/api/v1/stages", "/logout"}  # the caller's own account, the lifecycle
ADMIN_ONLY = {  # staff administration: admins only (global), advisors refused with 403 (test_auth.py)
    "/staff", "/staff/{staff_id}", "/api/v1/staff/{staff_id}", "/staff/{staff_id}/password-link",
}
SHARED = {"/api/v1/dead-letters", "/api/v1/dead-letters/{letter_id:path}/redrive"}  # the shared runtime's, below


@dataclass
class Seeded:
    """One region's items, as made by its own staff member."""

    region: str
    case_id: str = ""
    idea_id: str = ""
    partner_case_id: str = ""
    call_id: str = ""
    event_id: str = ""
    slot_id: str = ""
    followup_id: str = ""
    registration_id: str = ""
    booking_id: str = ""
    letter_id: str = ""
    letter_event_id: str = ""

    def path(self, template: str) -> str:
        values = {"case_id": self.case_id, "call_id": self.call_id, "event_id": self.event_id,
                  "slot_id": self.slot_id, "followup_id": self.followup_id, "registration_id": self.registration_id,
                  "booking_id": self.booking_id}
        return re.sub(r"\{([^}:]+)[^}]*\}", lambda m: values[m.group(1)], template)


@pytest.fixture
async def runtime(make_settings: Callable[..., AdvisorySettings], clock: FixedClock) -> AsyncIterator[Runtime]:
    rt = create_runtime(make_settings(regions=[KARJALA]), clock=clock)
    async with running(rt):
        await eventually(lambda: rt.container.store.any_active_admin(), what="bootstrap admin")
        yield rt


@pytest.fixture
async def http(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    async with client(runtime) as c:
        yield c


@dataclass
class Staff:
    tokens: dict[str, str]
    ids: dict[str, str]

    def h(self, who: str) -> dict[str, str]:
        return bearer(self.tokens[who])


@pytest.fixture
async def staff(http: httpx.AsyncClient, admin_token: str) -> Staff:
    accounts = {
        SAVO: ("savo@koonto.example", f"{MARK[SAVO]} Neuvoja", {SAVO: WORK}),
        KARJALA: ("karjala@koonto.example", f"{MARK[KARJALA]} Neuvoja", {KARJALA: WORK}),
        "both": ("molemmat@koonto.example", "Molempien Neuvoja", {SAVO: ["advisor"], KARJALA: ["advisor"]}),
    }
    tokens, ids = {"admin": admin_token}, {}
    for key, (email, name, held) in accounts.items():
        made = await http.post("/api/v1/staff", headers=bearer(admin_token), json={
            "email": email, "name": name, "roles": [], "region_roles": held, "password": PASSWORD,
        })
        assert made.status_code == 201, made.text
        ids[key] = made.json()["staff_id"]
        tokens[key] = await token_for(http, email, PASSWORD)
    return Staff(tokens, ids)


def idea_of(region: str, n: int) -> Any:
    word = MARK[region]
    return idea_submitted(
        idea_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{region}-{n}")), reference=f"R{n}-2026-000{n}",
        title=f"{word} kylätalon kohtaamispaikka {n}", description="Avataan kylätalo kaikenikäisten kohtaamispaikaksi.",
        organisation=Organisation(name=f"{word}n kyläyhdistys {n} ry", type="registered_association",
                                  municipality=MUNICIPALITY[region]),
        contact=Contact(name=f"{word} Yhteyshenkilö", email=f"{word.lower()}{n}@example.fi", phone="+358401234567"),
        consents=Consents(privacy_notice=True, publication=True, partner_introductions=True),
    )


async def publish_dead_letter(url: str, region: str) -> str:
    """An idea-amended whose data breaks its contract: the consumer gives it up at once (a dead letter)."""
    event_id = str(uuid.uuid4())
    body = {"specversion": "1.0", "id": event_id, "source": "koonto.intake", "type": "koonto.intake.idea-amended.v1",
            "time": "2026-12-04T07:00:00Z", "subject": "x", "datacontenttype": "application/json", "region": region,
            "correlationid": event_id, "data": {"idea_id": "not-a-known-shape"}}
    nc = await nats.connect(url)
    try:
        await nc.jetstream().publish("koonto.intake.idea-amended.v1", json.dumps(body).encode(),
                                     headers={"Nats-Msg-Id": event_id}, stream=STREAM_NAME)
    finally:
        await nc.close()
    return event_id


async def seed(region: str, http: httpx.AsyncClient, stream: Stream, advisory: AdvisoryContainer, staff: Staff,
               runtime: Runtime) -> Seeded:
    word, h, token = MARK[region], staff.h(region), staff.tokens[region]
    s = Seeded(region)
    for n in (1, 2):
        await stream.publish(envelope(idea_of(region, n), region=region))
    s.idea_id = idea_of(region, 1).idea_id
    s.case_id, s.partner_case_id = case_id_for(s.idea_id), case_id_for(idea_of(region, 2).idea_id)
    await eventually(lambda: advisory.store.cases.count_documents({"region": region}), until=lambda n: n == 2,
                     what=f"the cases of {region}")
    # made by the region's own staff member without naming a region: theirs is the only one
    call = await http.post("/api/v1/calls", headers=h, json={
        "name": f"{word} haku", "funder": "Elinvoimakeskus", "opens_on": "2026-12-10", "closes_on": "2027-02-01"})
    assert call.status_code == 201, call.text
    s.call_id = call.json()["call_id"]
    event = await http.post("/api/v1/events", headers=h, json={
        "title": f"{word} koulutus", "kind": "training", "starts_at": "2026-12-20T10:00:00+02:00", "capacity": 20,
        "place": f"{word} talo", "municipality": MUNICIPALITY[region]})
    assert event.status_code == 201, event.text
    s.event_id = event.json()["scheduled_event_id"]
    slot = await http.post("/slots", headers=h, data={
        "csrf_token": csrf_for(token), "starts_at": "2026-12-15T10:00", "ends_at": "2026-12-15T11:00",
        "kind": "in_person", "place": f"{word} neuvontapiste", "advisor_id": staff.ids[region]})
    assert slot.status_code == 303, slot.text
    slot_doc = await advisory.store.advice.slots.find_one({"region": region})
    assert slot_doc is not None
    s.slot_id = slot_doc["_id"]
    followup = await http.post(f"/api/v1/cases/{s.case_id}/followups", headers=h,
                               json={"due_on": "2026-12-20", "note": f"{word} muistutus"})
    assert followup.status_code == 201, followup.text
    s.followup_id = followup.json()["followup_id"]
    for path, body in (("notes", {"text": f"{word} muistiinpano"}), ("messages", {"body": f"{word} viesti"})):
        assert (await http.post(f"/api/v1/cases/{s.case_id}/{path}", headers=h, json=body)).status_code == 201
    s.registration_id, s.booking_id = f"reg-{region}", f"booking-{region}"
    await stream.publish(envelope(RegistrationReceived(
        registration_id=s.registration_id, scheduled_event_id=s.event_id, status="confirmed",
        received_at=datetime(2026, 12, 3, 12, tzinfo=HELSINKI), organisation_name=f"{word} ry",
        participant=Contact(name=f"{word} Osallistuja", email=f"osallistuja-{region}@example.fi"),
        municipality=MUNICIPALITY[region]), region=region))
    starts = datetime(2026, 12, 4, 8, tzinfo=HELSINKI)  # begun: the held button is there
    await stream.publish(envelope(AdviceSessionBooked(
        booking_id=s.booking_id, slot_id=s.slot_id, idea_id=s.idea_id, booked_at=starts - timedelta(days=2),
        starts_at=starts, ends_at=starts + timedelta(minutes=45), kind="phone", advisor_id=staff.ids[region],
        advisor_name=f"{word} Neuvoja", contact=Contact(name=f"{word} Varaaja", email=f"varaaja-{region}@example.fi"),
        organisation_name=f"{word} ry", topic=f"{word} aihe", manage_url="http://intake.test/advice/booking/x",
    ), region=region))
    s.letter_event_id = await publish_dead_letter(stream.url, region)
    await eventually(lambda: advisory.store.registrations.count_documents({"_id": s.registration_id}),
                     until=bool, what="the registration")
    await eventually(lambda: advisory.store.advice.bookings.count_documents({"_id": s.booking_id}),
                     until=bool, what="the booking")
    letters = await eventually(lambda: runtime.dead_letters.list(None), what="the dead letter",
                               until=lambda found: any(d.get("event_id") == s.letter_event_id for d in found))
    s.letter_id = next(d["_id"] for d in letters if d.get("event_id") == s.letter_event_id)
    return s


@dataclass
class World:
    staff: Staff
    savo: Seeded
    karjala: Seeded


@pytest.fixture
async def world(http: httpx.AsyncClient, stream: Stream, advisory: AdvisoryContainer, staff: Staff,
                runtime: Runtime, clock: FixedClock) -> World:
    savo = await seed(SAVO, http, stream, advisory, staff, runtime)
    karjala = await seed(KARJALA, http, stream, advisory, staff, runtime)
    await eventually(lambda: advisory.store.partners.profiles.count_documents({}), until=lambda n: n == 4,
                     what="the partner profiles")
    clock.set_day(date(2026, 12, 5), 9)  # so that the end of 4.12. (when everything happened) is a past day
    return World(staff, savo, karjala)


async def snapshot(advisory: AdvisoryContainer, s: Seeded) -> dict[str, Any]:
    """Everything of one region a post could change (read past the staff scope: this is the test's view)."""
    store = advisory.store
    found = {
        "cases": [d async for d in store.cases.find({"region": s.region}, {"outbox": 0}).sort("_id", 1)],
        "calls": await store.calls.find_one({"_id": s.call_id}),
        "event": await store.events.find_one({"_id": s.event_id}, {"outbox": 0}),
        "slot": await store.advice.slots.find_one({"_id": s.slot_id}, {"outbox": 0}),
        "booking": await store.advice.bookings.find_one({"_id": s.booking_id}),
        "followups": [d async for d in store.followups.find({"region": s.region}).sort("_id", 1)],
        "registration": await store.registrations.find_one({"_id": s.registration_id}),
        "introductions": await store.partners.introductions.count_documents({}),
    }
    return found


async def settled_count(stream: Stream) -> int:
    """The number of events on the stream once the relay has published what the setup wrote."""
    count = len(await stream.events())
    await stays(lambda: stream.events(), until=lambda found: len(found) == count, duration=0.8)
    return count


def post_form(staff: Staff, who: str, mine: Seeded, template: str) -> dict[str, Any]:
    """A form that would be accepted on one's own item: every field any of the posts reads, with good values."""
    return {
        "csrf_token": csrf_for(staff.tokens[who]), "to": "sparring", "text": "muistiin", "body": "viesti",
        "kind": "phone", "started_at": "2026-12-04T08:00", "duration_minutes": "30", "topics": "Talous",
        "advisor_id": staff.ids[who], "due_on": "2026-12-20", "other_case_id": mine.partner_case_id,
        "participants_total": "5", "women": "2", "men": "3", "capacity": "40", "present": "x",
        "summary_fi": "Tulokset", "consent": "1",
    }


def api_body(staff: Staff, who: str, template: str) -> dict[str, Any]:
    bodies: dict[str, dict[str, Any]] = {
        "transitions": {"to": "sparring"}, "assignment": {"advisor_id": staff.ids[who]},
        "sessions": {"kind": "phone", "started_at": "2026-12-04T08:00:00+02:00", "duration_minutes": 30},
        "notes": {"text": "muistiin"}, "messages": {"body": "viesti"}, "followups": {"due_on": "2026-12-20"},
        "attendance": {"participants_total": 5, "women": 2, "men": 3},
    }
    return bodies.get(template.rsplit("/", 1)[1], {})


def templates(runtime: Runtime) -> set[tuple[str, str]]:
    return {(method, template) for method, _, template in staff_endpoints(runtime)}


def test_every_route_is_covered(runtime: Runtime) -> None:
    """A route added to the workspace fails here until this test says how it keeps to its regions."""
    named = LISTS | BY_ID | POSTS_BY_ID | CREATES | NO_REGION_DATA | ADMIN_ONLY | SHARED
    assert {t for _, t in templates(runtime)} == named


async def test_lists_leave_the_other_regions_items_out(
    http: httpx.AsyncClient, world: World, runtime: Runtime
) -> None:
    lists = sorted(t for m, t in templates(runtime) if m == "GET" and t in LISTS)
    variants = [*lists, "/?as_of=2026-12-04", "/?q=kyl%C3%A4talon", "/api/v1/cases?q=kyl%C3%A4talon",
                "/followups?all=1"]
    seen_own: dict[str, set[str]] = {SAVO: set(), KARJALA: set()}
    for path in variants:
        for who, other in ((SAVO, KARJALA), (KARJALA, SAVO)):
            answer = await http.get(path, headers=world.staff.h(who), params={"lang": "fi"})
            assert answer.status_code == 200, (who, path, answer.status_code)
            assert MARK[other] not in answer.text, (who, path)
            letter = (world.savo if other == SAVO else world.karjala).letter_event_id
            assert letter not in answer.text, (who, path)
            own_letter = (world.savo if who == SAVO else world.karjala).letter_event_id
            if MARK[who] in answer.text or own_letter in answer.text:
                seen_own[who].add(path)
    # the lists do show one's own region's items (so the absence above means something)
    for who in (SAVO, KARJALA):
        assert set(lists) - seen_own[who] <= {"/partners"}, (who, set(lists) - seen_own[who])
        assert {"/?as_of=2026-12-04", "/?q=kyl%C3%A4talon", "/api/v1/cases?q=kyl%C3%A4talon"} <= seen_own[who]


async def test_another_regions_ids_are_not_found(http: httpx.AsyncClient, world: World, runtime: Runtime) -> None:
    for method, template in sorted(templates(runtime)):
        if method != "GET" or template not in BY_ID:
            continue
        for who, mine, theirs in ((SAVO, world.savo, world.karjala), (KARJALA, world.karjala, world.savo)):
            own = await http.get(mine.path(template), headers=world.staff.h(who), params={"lang": "fi"})
            assert own.status_code == 200, (who, template, own.status_code)
            other = await http.get(theirs.path(template), headers=world.staff.h(who), params={"lang": "fi"})
            assert other.status_code == 404, (who, template, other.status_code)
            assert MARK[theirs.region] not in other.text


async def test_posts_on_another_regions_items_are_refused_and_change_nothing(
    http: httpx.AsyncClient, world: World, runtime: Runtime, advisory: AdvisoryContainer, stream: Stream
) -> None:
    posts = sorted(t for m, t in templates(runtime) if m == "POST" and t in POSTS_BY_ID)
    assert len(posts) == len(POSTS_BY_ID)
    for who, mine, theirs in ((KARJALA, world.karjala, world.savo), (SAVO, world.savo, world.karjala)):
        events_before = await settled_count(stream)
        before = await snapshot(advisory, theirs)
        for template in posts:
            h = world.staff.h(who)
            if template.startswith("/api/"):
                answer = await http.post(theirs.path(template), headers=h, json=api_body(world.staff, who, template))
            else:
                form = post_form(world.staff, who, mine, template)
                form["letter_id"] = theirs.letter_id
                answer = await http.post(theirs.path(template), headers=h, data=form)
            assert answer.status_code == 404, (who, template, answer.status_code, answer.text[:300])
        # one's own case introduced to the other region's: not found either
        introduced = await http.post(f"/cases/{mine.case_id}/introductions", headers=world.staff.h(who),
                                     data={"csrf_token": csrf_for(world.staff.tokens[who]),
                                           "other_case_id": theirs.case_id})
        assert introduced.status_code == 404
        assert await snapshot(advisory, theirs) == before, who
        assert len(await stream.events()) == events_before, who


async def test_things_are_created_in_ones_own_regions_and_their_events_carry_it(
    http: httpx.AsyncClient, world: World, advisory: AdvisoryContainer, stream: Stream
) -> None:
    h = world.staff.h(KARJALA)
    refused = await http.post("/api/v1/calls", headers=h, json={
        "name": "Väärä haku", "funder": "X", "opens_on": "2026-12-10", "closes_on": "2027-01-10", "region": SAVO})
    assert refused.status_code == 422 and refused.json()["field"] == "region", refused.text
    assert await advisory.store.calls.count_documents({"name": "Väärä haku"}) == 0
    call = await advisory.store.calls.find_one({"_id": world.karjala.call_id})
    assert call["region"] == KARJALA
    by_subject = {e.subject: e for e in await stream.events()}
    assert by_subject[world.karjala.event_id].region == KARJALA  # event-scheduled
    assert by_subject[world.karjala.slot_id].region == KARJALA  # advice-slot-published
    assert by_subject[world.savo.slot_id].region == SAVO
    for s in (world.savo, world.karjala):
        case = await advisory.store.cases.find_one({"_id": s.case_id})
        assert case["region"] == s.region  # the idea's region (its envelope's), not the home region
        opened = [e for e in await stream.of_type("case-opened") if e.data["case_id"] == s.case_id]
        assert [e.region for e in opened] == [s.region]
    # the staff member of both regions chooses; the form offers the choice, the one-region form does not
    both = world.staff.h("both")
    page = await http.get("/calls", headers=both, params={"lang": "fi"})
    assert 'name="region"' in page.text and "Pohjois-Karjala" in page.text
    assert 'name="region"' not in (await http.get("/calls", headers=h, params={"lang": "fi"})).text
    made = await http.post("/api/v1/events", headers=both, json={
        "title": "Yhteinen koulutus", "kind": "training", "starts_at": "2026-12-21T10:00:00+02:00", "capacity": 9,
        "place": "Joensuu", "municipality": "joensuu", "region": KARJALA})
    assert made.status_code == 201, made.text
    made_id = made.json()["scheduled_event_id"]
    scheduled = await stream.wait_for("event-scheduled", 1, settle=0, where=lambda e: e.subject == made_id)
    assert scheduled[0].region == KARJALA


async def test_both_regions_for_the_advisor_of_both_and_the_admin(http: httpx.AsyncClient, world: World) -> None:
    for who in ("both", "admin"):
        for path in ("/", "/api/v1/cases", "/events", "/bookings"):
            text = (await http.get(path, headers=world.staff.h(who), params={"lang": "fi"})).text
            assert MARK[SAVO] in text and MARK[KARJALA] in text, (who, path)
        for s in (world.savo, world.karjala):
            assert (await http.get(f"/cases/{s.case_id}", headers=world.staff.h(who))).status_code == 200


async def test_suggestions_stay_within_the_region(http: httpx.AsyncClient, world: World) -> None:
    for who, mine in ((SAVO, world.savo), (KARJALA, world.karjala), ("admin", world.karjala)):
        page = (await http.get(f"/cases/{mine.case_id}", headers=world.staff.h(who), params={"lang": "fi"})).text
        section = page.split('id="partners"', 1)[1].split('id="timeline"', 1)[0]
        own, other = MARK[mine.region], MARK[KARJALA if mine.region == SAVO else SAVO]
        assert f"{own}n kyläyhdistys 2 ry" in section and other not in section, who


async def test_staff_roles_per_region_in_the_token_the_event_and_the_form(
    http: httpx.AsyncClient, world: World, stream: Stream, runtime: Runtime
) -> None:
    claims = jwt.decode(world.staff.tokens[KARJALA], options={"verify_signature": False})
    assert claims["regions"] == {KARJALA: ["coordinator", "advisor"]} and claims["roles"] == ["coordinator", "advisor"]
    updated = [e for e in await stream.of_type("staff-updated") if e.subject == world.staff.ids["both"]]
    assert updated[-1].data["region_roles"] == [{"region": KARJALA, "roles": ["advisor"]},
                                                {"region": SAVO, "roles": ["advisor"]}]
    admin = world.staff.h("admin")
    staff_id = world.staff.ids[KARJALA]
    form = (await http.get(f"/staff/{staff_id}", headers=admin, params={"lang": "fi"})).text
    assert 'name="roles@pohjois-savo"' in form and 'name="roles@pohjois-karjala"' in form
    assert re.search(r'id="role-coordinator-pohjois-karjala" name="roles@pohjois-karjala" value="coordinator" checked',
                     form)
    csrf = csrf_for(world.staff.tokens["admin"])
    changed = await http.post(f"/staff/{staff_id}", headers=admin, data={
        "csrf_token": csrf, "name": f"{MARK[KARJALA]} Neuvoja", "active": "1", "region_roles": "1",
        "roles@pohjois-karjala": ["advisor"], "roles@pohjois-savo": ["advisor"]})
    assert changed.status_code == 303, changed.text
    doc = await runtime.container.store.staff_by_id(staff_id)
    assert doc is not None
    assert doc["region_roles"] == {KARJALA: ["advisor"], SAVO: ["advisor"]} and doc["roles"] == ["advisor"]
    # the change ended the old token; a new one sees both regions
    assert (await http.get("/api/v1/me", headers=world.staff.h(KARJALA))).status_code == 401
    token = await token_for(http, "karjala@koonto.example", PASSWORD)
    text = (await http.get("/", headers=bearer(token), params={"lang": "fi"})).text
    assert MARK[SAVO] in text and MARK[KARJALA] in text
    none = await http.post(f"/staff/{staff_id}", headers=admin, data={
        "csrf_token": csrf, "name": "x", "active": "1", "region_roles": "1"})
    assert none.status_code == 422 and "Valitse vähintään yksi rooli" in none.text
