"""Fan-out: recorded once per cause event and kind, expanded in batches to consenting subscribers (of the
municipality, if it has one), resumable from its cursor, finished when the directory is walked."""

from __future__ import annotations

from datetime import UTC, datetime

from koonto.notify.handlers import announcements
from koonto.notify.samples import sample
from koonto.shared.bus import EventContext
from koonto.shared.contracts.advisory import EventScheduled
from tests.notify.unit.conftest import Notify, make_notify
from tests.support.samples import envelope, idea_submitted

CAUSE = envelope(idea_submitted())


async def start(notify: Notify, municipality: str | None = None, online: bool = False) -> bool:
    return await notify.container.fanout.start(
        CAUSE,
        kind="event-invitation", topic="events", title="Kyläilta", context=sample("event-invitation"),
        municipality=municipality, online=online,
    )


async def subscribers_by_home(notify: Notify) -> None:
    await notify.add_subscriber("kuopio@example.fi", "events", municipality="kuopio")
    await notify.add_subscriber("siilinjarvi@example.fi", "events", municipality="siilinjarvi")  # same sub-region
    await notify.add_subscriber("iisalmi@example.fi", "events", municipality="iisalmi")  # Ylä-Savo
    await notify.add_subscriber("other@example.fi", "events", municipality="other")  # outside the region
    await notify.add_subscriber("anywhere@example.fi", "events")  # no municipality: hears of every one
    await notify.add_subscriber("no-consent@example.fi", "events", municipality="kuopio", consent=False)
    await notify.add_subscriber("newsletter@example.fi", "newsletter", municipality="kuopio")


async def invited(notify: Notify, **fanout: object) -> list[str]:
    assert await start(notify, **fanout)  # type: ignore[arg-type]
    assert await notify.container.fanout.expand_once() is True
    return sorted(d["address"] for d in await notify.queue())


async def test_only_consenting_subscribers_of_the_municipality_and_its_sub_region_are_queued() -> None:
    notify = make_notify(fanout_batch=10)
    await subscribers_by_home(notify)
    assert await invited(notify, municipality="siilinjarvi") == [
        "anywhere@example.fi", "kuopio@example.fi", "siilinjarvi@example.fi"
    ]  # the Kuopio subscriber hears of a Siilinjärvi training ("queued=0" before the sub-region rule)
    assert not await start(notify, municipality="siilinjarvi")  # once per cause event and kind
    queued = await notify.queue()
    assert {d["kind"] for d in queued} == {"event-invitation"} and all(d["fanout_id"] for d in queued)
    assert await notify.container.fanout.expand_once() is True  # nothing left: the fan-out is finished
    [fanout] = [d async for d in notify.infra.store["fanouts"].find({})]
    assert fanout["status"] == "expanded" and fanout["queued"] == 3 and fanout["scanned"] == 7
    assert await notify.container.fanout.expand_once() is False


async def test_an_online_event_and_one_for_the_whole_region_reach_every_consenting_subscriber() -> None:
    everyone = ["anywhere@example.fi", "iisalmi@example.fi", "kuopio@example.fi", "other@example.fi",
                "siilinjarvi@example.fi"]
    online = make_notify(fanout_batch=10)
    await subscribers_by_home(online)
    assert await invited(online, municipality="iisalmi", online=True) == everyone
    regional = make_notify(fanout_batch=10)
    await subscribers_by_home(regional)
    assert await invited(regional, municipality=None) == everyone
    iisalmi = make_notify(fanout_batch=10)
    await subscribers_by_home(iisalmi)
    assert await invited(iisalmi, municipality="iisalmi") == ["anywhere@example.fi", "iisalmi@example.fi"]


async def test_expansion_walks_on_from_its_cursor_and_keeps_only_a_little_ahead() -> None:
    notify = make_notify(fanout_batch=2, fanout_ahead=3)
    for i in range(5):
        await notify.add_subscriber(f"s{i}@example.fi", "events")
    await start(notify)
    assert await notify.container.fanout.expand_once() and await notify.container.fanout.expand_once()
    assert len(await notify.queue()) == 4
    assert await notify.container.fanout.expand_once() is False  # 4 pending >= 3 ahead: wait for sending
    await notify.infra.store["delivery_queue"].delete_many({})
    assert await notify.container.fanout.expand_once() is True
    assert [d["address"] for d in await notify.queue()] == ["s4@example.fi"]


async def test_a_stopped_replica_hands_its_expansion_lease_back_so_the_next_goes_on_at_once() -> None:
    """A rolling deploy stops a replica in the middle of a fan-out: its lease goes back on stop, and another
    replica (here: a second container on the same store) claims the fan-out right away instead of a minute later."""
    import asyncio

    notify = make_notify(fanout_batch=2, fanout_ahead=2)  # expands one batch, then waits for sending
    for i in range(6):
        await notify.add_subscriber(f"s{i}@example.fi", "events")
    await start(notify)
    first = notify.container.fanout
    assert await first.expand_once()
    fanout = await notify.infra.store["fanouts"].find_one({})
    assert fanout is not None and fanout["locked_by"] == first.owner

    other = make_notify(store=notify.infra.store, instance_id="memory-2", fanout_batch=2, fanout_ahead=2)
    other = other.container.fanout
    assert other.owner != first.owner
    assert await other.expand_once() is False  # the lease is held: the other waits

    running = asyncio.create_task(first.run())
    await asyncio.sleep(0.05)
    running.cancel()
    try:
        await running
    except asyncio.CancelledError:
        pass
    fanout = await notify.infra.store["fanouts"].find_one({})
    assert fanout is not None and fanout["status"] == "expanding" and "locked_by" not in fanout
    sent: list[str] = []
    for _ in range(10):  # the other replica: sends what is queued, expands on
        sent += [d["address"] for d in await notify.queue()]
        await notify.infra.store["delivery_queue"].delete_many({})
        if not await other.expand_once():
            break
    assert sorted(sent) == [f"s{i}@example.fi" for i in range(6)]  # each once, none lost across the handover


async def test_an_update_of_an_announced_event_invites_nobody_again() -> None:
    notify = make_notify(fanout_batch=10)
    await notify.add_subscriber("a@example.fi", "events")
    first = EventScheduled(scheduled_event_id="ev1", title="Kyläilta", kind="forum", capacity=10, place="Kuopio",
                           starts_at=datetime(2027, 1, 12, 15, 0, tzinfo=UTC))
    for data in (first, first.model_copy(update={"capacity": 20, "updated": True})):
        context = EventContext(envelope=envelope(data), attempt=1, region="pohjois-savo", service="notify")
        await announcements.on_event_scheduled(data, context, notify.container)
    assert len([d async for d in notify.infra.store["fanouts"].find({})]) == 1
    assert (await notify.container.store.records.scheduled_event("ev1"))["title"] == "Kyläilta"
