"""Two regions on one notify: each region's mail goes out as that region (its From address, its SMS sender name,
its footer), decided when the delivery is planned and used when the worker sends it; a fan-out reaches only the
subscribers of its region."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from email import policy
from email.parser import BytesParser
from email.utils import parseaddr
from typing import Any

from koonto.devsinks import MailSink, SmsSink
from koonto.notify.clock import SettableClock
from koonto.notify.store import subscriber_document
from koonto.shared.contracts.advisory import CallOpened
from koonto.shared.contracts.intake import Contact, Organisation, SubscriptionConfirmed
from tests.support.polling import eventually, stays
from tests.support.samples import envelope, idea_submitted
from tests.support.services import client, running
from tests.support.staff import bearer

TWO_REGIONS = {"regions": ["pohjois-karjala"], "mail_from": "Koonto <koonto@example.fi>", "sms_from": "Koonto"}


def _parsed(raw: bytes) -> Any:
    return BytesParser(policy=policy.default).parsebytes(raw)


async def test_receipts_go_out_from_their_regions_sender_with_its_footer_and_sms_sender_name(
    notify_factory, mail_sink: MailSink, sms_sink: SmsSink
) -> None:  # type: ignore[no-untyped-def]
    runtime = notify_factory(clock=SettableClock(datetime(2026, 11, 30, 10, 0, tzinfo=UTC)), **TWO_REGIONS)
    by_sms = {"phone": "+358401234567", "language": "fi", "channel": "sms"}
    karelian = idea_submitted(
        reference="KEH-2026-0001",
        organisation=Organisation(name="Joensuun kyläyhdistys ry", type="registered_association",
                                  business_id="1572860-0", municipality="joensuu"),
        contact=Contact(name="Kaisa Karjalainen", email="kaisa@example.fi", **by_sms),
    )
    savonian = idea_submitted(
        reference="KOO-2026-0001", contact=Contact(name="Sami Savolainen", email="sami@example.fi", **by_sms)
    )
    async with running(runtime):
        await runtime.publisher(*_wire(envelope(karelian, region="pohjois-karjala")))
        await runtime.publisher(*_wire(envelope(savonian)))
        await eventually(lambda: _n(mail_sink), until=lambda n: n == 2, what="both receipts mailed")
        await eventually(lambda: _n(sms_sink), until=lambda n: n == 2, what="both receipts as SMS")
        async def sent() -> list[str]:  # the mail is in the sink a moment before its delivery is marked sent
            return sorted([d["region"] async for d in runtime.db["deliveries"].find({"status": "sent"})])

        await eventually(sent, until=lambda regions: len(regions) == 4, what="four deliveries marked sent")
        assert await sent() == ["pohjois-karjala"] * 2 + ["pohjois-savo"] * 2

    mails = {m["to"][0]: _parsed(m["raw"]) for m in mail_sink.messages}
    kaisa, sami = mails["kaisa@example.fi"], mails["sami@example.fi"]
    assert parseaddr(kaisa["From"]) == ("Kehto", "kehto@example.fi")
    assert parseaddr(sami["From"]) == ("Koonto", "koonto@example.fi")
    kaisa_text = kaisa.get_body(("plain",)).get_content()
    sami_text = sami.get_body(("plain",)).get_content()
    assert "KEH-2026-0001" in kaisa_text and "Kehto | kehto@example.fi" in kaisa_text and "Koonto |" not in kaisa_text
    assert "Joensuu" in kaisa_text  # the municipality named from its own region's file
    assert "Koonto | koonto@pssotu.fi" in sami_text and "Kehto" not in sami_text
    assert sorted(m["from"] for m in sms_sink.messages) == ["Kehto", "Koonto"]


async def test_a_call_announcement_of_one_region_reaches_only_its_subscribers(
    notify_factory, mail_sink: MailSink
) -> None:  # type: ignore[no-untyped-def]
    runtime = notify_factory(**TWO_REGIONS)
    at = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
    subscribed = {"savo@example.fi": "pohjois-savo", "karjala@example.fi": "pohjois-karjala",
                  "molemmat@example.fi": "pohjois-savo"}
    async with running(runtime):
        # one subscriber from before regions (no region kept): the home region's
        await runtime.db["recipients"].insert_one(subscriber_document(
            "vanha@example.fi", language="fi", municipality=None, topic="call_announcements", consent=True, at=at,
            source="subscription-form"))
        for n, (email, region) in enumerate([*subscribed.items(), ("molemmat@example.fi", "pohjois-karjala")]):
            confirmed = SubscriptionConfirmed(subscription_id=f"{region}:{email}", topic="call_announcements",
                                              email=email, confirmed_at=at + timedelta(minutes=n),
                                              source="subscription-form",
                                              unsubscribe_url="http://intake.test/unsubscribe/x")
            await runtime.publisher(*_wire(envelope(confirmed, region=region)))
        await eventually(lambda: _regions_kept(runtime), until=lambda n: n == 3, what="the consents kept")
        await eventually(lambda: _regions_of(runtime, "molemmat@example.fi"), until=lambda r: len(r) == 2,
                         what="both regions of one address")

        await runtime.publisher(*_wire(envelope(_call("Karjalan haku"), region="pohjois-karjala")))
        await eventually(lambda: _n(mail_sink), until=lambda n: n == 2, what="Pohjois-Karjala's announcement")
        await stays(lambda: _n(mail_sink), until=lambda n: n == 2, duration=1.5)
        assert {m["to"][0] for m in mail_sink.messages} == {"karjala@example.fi", "molemmat@example.fi"}
        assert all(parseaddr(_parsed(m["raw"])["From"])[1] == "kehto@example.fi" for m in mail_sink.messages)

        await runtime.publisher(*_wire(envelope(_call("Savon haku"))))
        await eventually(lambda: _n(mail_sink), until=lambda n: n == 5, what="Pohjois-Savo's announcement")
        await stays(lambda: _n(mail_sink), until=lambda n: n == 5, duration=1.5)
        savo = {m["to"][0] for m in mail_sink.messages[2:]}
        assert savo == {"savo@example.fi", "molemmat@example.fi", "vanha@example.fi"}
        await staff_see_only_their_regions_messages(runtime)


async def staff_see_only_their_regions_messages(runtime: Any) -> None:
    """The delivery log, one delivery, a re-send and the fan-outs (API and pages) of the other region: absent or
    not found; an admin sees both."""
    karjala = bearer("advisor", "coordinator", regions={"pohjois-karjala": ["advisor", "coordinator"]})
    savo = bearer("advisor", regions={"pohjois-savo": ["advisor"]})
    deliveries = [d async for d in runtime.db["deliveries"].find({})]
    theirs = next(d for d in deliveries if d["region"] == "pohjois-savo")
    async with client(runtime) as http:
        log = (await http.get("/api/v1/notifications", headers=karjala)).json()["items"]
        assert log and {d["address"] for d in log} == {"karjala@example.fi", "molemmat@example.fi"}
        page = await http.get("/staff/notifications", headers=karjala)
        assert page.status_code == 200 and "karjala@example.fi" in page.text and "savo@example.fi" not in page.text
        assert "vanha@example.fi" not in page.text
        assert (await http.get(f"/api/v1/notifications/{theirs['_id']}", headers=karjala)).status_code == 404
        assert (await http.post(f"/api/v1/resend/{theirs['_id']}", headers=karjala)).status_code == 404
        fanouts = (await http.get("/api/v1/fanouts", headers=karjala)).json()
        assert [f["title"] for f in fanouts] == ["Karjalan haku"]
        savo_fanout = (await http.get("/api/v1/fanouts", headers=savo)).json()
        assert [f["title"] for f in savo_fanout] == ["Savon haku"]
        assert (await http.get(f"/api/v1/fanouts/{savo_fanout[0]['id']}", headers=karjala)).status_code == 404
        fanout_page = await http.get("/staff/fanouts", headers=karjala)
        assert "Karjalan haku" in fanout_page.text and "Savon haku" not in fanout_page.text
        everyone = (await http.get("/api/v1/notifications", headers=bearer("admin"))).json()["items"]
        assert len(everyone) == len(deliveries) == 5


def _call(name: str) -> CallOpened:
    return CallOpened(call_id=name, name=name, funder="Itä-Suomen elinvoimakeskus", opens_on=date(2026, 12, 1),
                      closes_on=date(2027, 2, 15), description="Haku")


def _wire(env: Any) -> tuple[str, bytes, str]:
    return env.type, env.model_dump_json().encode(), env.id


async def _regions_kept(runtime: Any) -> int:
    return await runtime.db["recipients"].count_documents({"topics.call_announcements.regions": {"$exists": True}})


async def _regions_of(runtime: Any, email: str) -> list[str]:
    doc = await runtime.db["recipients"].find_one({"email": email})
    return list(((doc or {}).get("topics") or {}).get("call_announcements", {}).get("regions") or {})


async def _n(sink: Any) -> int:
    return len(sink.messages)


async def test_a_coordinator_of_another_region_can_neither_see_nor_touch_a_newsletter(
    notify_factory, mail_sink: MailSink
) -> None:  # type: ignore[no-untyped-def]
    runtime = notify_factory(**TWO_REGIONS)
    savo = bearer("coordinator", regions={"pohjois-savo": ["coordinator"]})
    karjala = bearer("coordinator", regions={"pohjois-karjala": ["coordinator"]})
    await runtime.db["recipients"].insert_one(subscriber_document(
        "tilaaja@example.fi", language="fi", municipality="kuopio", topic="newsletter", consent=True,
        at=datetime(2026, 11, 1, tzinfo=UTC), source="subscription-form",
    ))
    async with running(runtime), client(runtime) as http:
        made = await http.post("/staff/newsletters", headers=savo, data={
            "topic": "newsletter", "subject_fi": "Savon uutiset", "body_fi": "Hei kaikki!"})
        assert made.status_code == 303, made.text
        campaign = str(made.headers["location"]).rsplit("/", 1)[1]
        base = f"/staff/newsletters/{campaign}"
        assert (await http.get(base, headers=savo)).status_code == 200
        listed = await http.get("/staff/newsletters", headers=karjala)
        assert listed.status_code == 200 and "Savon uutiset" not in listed.text
        for path in (base, f"{base}/edit"):
            assert (await http.get(path, headers=karjala)).status_code == 404, path
        posts = {
            base: {"topic": "newsletter", "subject_fi": "Kaapattu", "body_fi": "x"},
            f"{base}/test": {"language": "fi"}, f"{base}/schedule": {"day": "2027-01-02", "time": "10:00"},
            f"{base}/send": {}, f"{base}/unschedule": {}, f"{base}/pause": {}, f"{base}/resume": {},
        }
        for path, form in posts.items():
            answer = await http.post(path, headers=karjala, data=form)
            assert answer.status_code == 404, (path, answer.status_code)
        stored = await runtime.db["campaigns"].find_one({"_id": campaign})
        assert stored is not None and stored["status"] == "draft", stored
        assert stored["editions"]["fi"]["subject"] == "Savon uutiset"
        await stays(lambda: _n(mail_sink), until=lambda n: n == 0, duration=1.0)  # no mail of the refused actions
