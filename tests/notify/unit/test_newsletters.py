"""Newsletters on the in-memory store: the draft's rules, the audience (one topic's confirmed subscribers, by
sub-region and municipality), the start with its newsletter-published event, and pause and resume."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from starlette.datastructures import FormData

from koonto.notify.domain.newsletters import Draft, audience_municipalities, edition_for, in_themes, read_draft
from koonto.notify.handlers import people
from koonto.notify.use_cases.fanout import wants
from koonto.shared.auth import StaffPrincipal
from koonto.shared.bus import EventContext
from koonto.shared.contracts.intake import SubscriptionConfirmed
from koonto.shared.contracts.notify import NewsletterPublished
from koonto.shared.region import load_region
from tests.notify.unit.conftest import Notify
from tests.support.samples import envelope

pytestmark = pytest.mark.unit
REGION = load_region("pohjois-savo")
STAFF = StaffPrincipal(
    staff_id="s1", email="koordinaattori@example.fi", name="Kaisa Koordinaattori", roles=("coordinator",), token="t"
)


def test_a_draft_needs_a_topic_and_finnish_and_names_every_wrong_field_at_once() -> None:
    draft, errors = read_draft(FormData([("subject_sv", "Nytt"), ("municipalities", "atlantis")]), REGION)
    assert draft is None
    assert set(errors) == {"topic", "subject_fi", "body_fi", "body_sv", "municipalities"}
    draft, errors = read_draft(
        FormData(
            [
                ("topic", "events"),
                ("subject_fi", "  Uutiset  joulukuu "),
                ("body_fi", "Hei"),
                ("sub_regions", "Ylä-Savon seutukunta"),
            ]
        ),
        REGION,
    )
    assert errors == {} and draft == Draft(
        "events", {"fi": {"subject": "Uutiset joulukuu", "body": "Hei"}}, ("Ylä-Savon seutukunta",), ()
    )


def test_the_segment_is_the_chosen_municipalities_and_every_one_of_the_chosen_sub_regions() -> None:
    assert audience_municipalities(REGION, [], []) is None
    assert audience_municipalities(REGION, ["Kuopion seutukunta"], ["varkaus"]) == ["kuopio", "siilinjarvi", "varkaus"]


def test_a_reader_gets_their_language_or_finnish() -> None:
    editions = {"fi": {"subject": "Uutiset", "body": "."}, "sv": {"subject": "Nytt", "body": "."}}
    assert edition_for(editions, "sv")[0] == "sv" and edition_for(editions, "en")[0] == "fi"


def subscriber(municipality: str | None, topic: str = "newsletter", consent: bool = True) -> dict:  # type: ignore[type-arg]
    return {"municipality": municipality, "topics": {topic: {"consent": consent}}}


def test_the_audience_is_the_confirmed_subscribers_of_the_topic_in_the_segment() -> None:
    whole = {"topic": "newsletter", "municipalities": None}
    kuopio_area = {"topic": "newsletter", "municipalities": ["kuopio", "siilinjarvi"]}
    assert wants(subscriber("iisalmi"), whole, REGION) and wants(subscriber(None), whole, REGION)
    assert wants(subscriber("siilinjarvi"), kuopio_area, REGION)
    assert not wants(subscriber("iisalmi"), kuopio_area, REGION)
    assert not wants(subscriber(None), kuopio_area, REGION)  # chose no municipality: not in a segment
    assert not wants(subscriber("kuopio", consent=False), whole, REGION)  # unsubscribed
    assert not wants(subscriber("kuopio", topic="events"), whole, REGION)  # another topic


def test_a_newsletter_aimed_at_themes_reaches_those_who_share_one_and_those_who_chose_none() -> None:
    youth = {"topic": "newsletter", "municipalities": None, "themes": ["youth"]}
    chose = {"municipality": None, "topics": {"newsletter": {"consent": True, "themes": ["sport", "youth"]}}}
    other = {"municipality": None, "topics": {"newsletter": {"consent": True, "themes": ["sport"]}}}
    assert wants(chose, youth, REGION) and not wants(other, youth, REGION)
    assert wants(subscriber(None), youth, REGION)  # no themes stored (an older subscription): every theme
    assert wants(other, {"topic": "newsletter", "municipalities": None}, REGION)  # aimed at no theme: everyone
    assert not wants(subscriber(None, consent=False), youth, REGION)  # the consent still comes first
    assert in_themes([], ["youth"]) and in_themes(["youth"], []) and not in_themes(["sport"], ["youth", "culture"])


def test_a_draft_keeps_known_themes_once_and_names_an_unknown_one() -> None:
    fields = [("topic", "newsletter"), ("subject_fi", "Uutiset"), ("body_fi", "Hei")]
    draft, errors = read_draft(FormData([*fields, ("themes", "youth"), ("themes", "sport"), ("themes", "youth")]),
                               REGION)
    assert errors == {} and draft is not None and draft.themes == ("youth", "sport")
    assert draft.fields()["themes"] == ["youth", "sport"]
    draft, errors = read_draft(FormData([*fields, ("themes", "astrology")]), REGION)
    assert draft is None and errors == {"themes": "Valitse teemat luettelosta."}


async def test_an_older_subscription_confirmed_without_themes_is_every_theme(notify: Notify) -> None:
    """Events written before the field existed carry no `themes`: read tolerantly as (), stored as every theme."""
    data = {"subscription_id": "s-old", "topic": "newsletter", "email": "vanha@example.fi",
            "confirmed_at": "2026-06-01T09:00:00Z", "source": "subscription-form",
            "unsubscribe_url": "http://intake.test/unsubscribe/x"}
    old = SubscriptionConfirmed.read(data)
    assert old.themes == ()
    context = EventContext(envelope=envelope(old), attempt=1, region="pohjois-savo", service="notify")
    await people.on_subscription_confirmed(old, context, notify.container)
    stored = await notify.container.store.recipients.subscriber("vanha@example.fi")
    assert stored is not None and stored["topics"]["newsletter"]["themes"] == []
    assert wants(stored, {"topic": "newsletter", "municipalities": None, "themes": ["village"]}, REGION)
    newer = SubscriptionConfirmed(**{**data, "confirmed_at": datetime(2026, 7, 1, tzinfo=UTC)}, themes=("sport",))
    await people.on_subscription_confirmed(newer, context, notify.container)
    stored = await notify.container.store.recipients.subscriber("vanha@example.fi")
    assert stored is not None and stored["topics"]["newsletter"]["themes"] == ["sport"]
    assert not wants(stored, {"topic": "newsletter", "municipalities": None, "themes": ["village"]}, REGION)


async def seeded(notify: Notify) -> str:
    for i, home in enumerate(("kuopio", "siilinjarvi", "iisalmi", "kuopio")):
        await notify.add_subscriber(f"s{i}@example.fi", "newsletter", municipality=home)
    await notify.add_subscriber("pois@example.fi", "newsletter", municipality="kuopio", consent=False)
    draft = Draft("newsletter", {"fi": {"subject": "Uutiset", "body": "Hei **kaikki**"}}, ("Kuopion seutukunta",))
    return await notify.container.newsletters.create(draft, STAFF)


async def test_a_started_newsletter_is_announced_once_and_reaches_the_segment_once(notify: Notify) -> None:
    newsletters = notify.container.newsletters
    campaign = await seeded(notify)
    assert (await newsletters.get(campaign))["recipients"] == 3
    await newsletters.send_now(campaign)
    assert not await newsletters.start(await newsletters.get(campaign))  # a second start does nothing
    while await notify.container.fanout.expand_once():
        pass
    await newsletters.tick()  # the job's pass: nothing new
    queued = sorted(d["address"] for d in await notify.queue())
    assert queued == ["s0@example.fi", "s1@example.fi", "s3@example.fi"]
    events = [e for e in await notify.published() if e.type == NewsletterPublished.event_type()]
    assert len(events) == 1 and events[0].data["campaign_id"] == campaign


async def test_a_paused_campaign_holds_its_deliveries_and_a_resumed_one_sends_each_once(notify: Notify) -> None:
    container = notify.container
    campaign = await seeded(notify)
    await container.newsletters.send_now(campaign)
    while await container.fanout.expand_once():
        pass
    await container.newsletters.pause(campaign)
    for doc in await notify.queue():
        assert await container.sender.deliver(doc) in ("taken", "held")
    assert notify.mailer.sent == [] and {d["status"] for d in await notify.queue()} == {"held"}
    await container.newsletters.resume(campaign)
    for doc in await notify.queue():
        assert await container.sender.deliver(doc) == "sent"
    assert sorted(str(m["To"]) for m in notify.mailer.sent) == ["s0@example.fi", "s1@example.fi", "s3@example.fi"]
    assert await notify.queue() == []
