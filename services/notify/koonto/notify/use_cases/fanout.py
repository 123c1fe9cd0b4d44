"""Fan-out: an announcement or invitation to every consenting subscriber, expanded into deliveries in batches
that run only a little ahead of sending (a lease lets one replica expand a fan-out at a time)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from koonto.notify.domain.newsletters import in_themes
from koonto.notify.domain.values import jsonable
from koonto.notify.use_cases.core import Core
from koonto.notify.use_cases.planning import Planner
from koonto.shared.aio import drain, wait_event
from koonto.shared.contracts import Envelope
from koonto.shared.logs import get_logger
from koonto.shared.mongo import Document
from koonto.shared.region import Region

log = get_logger(__name__)


def wants(subscriber: Document, fanout: Document, region: Region, home: str | None = None) -> bool:
    """Whether a subscriber is in a fan-out's audience. Consent to its topic first; then, for a fan-out about a
    place (an event in one municipality), the rule the subscription form states ("primarily your own
    municipality"): a subscriber hears of events in their own municipality and the rest of its sub-region
    (seutukunta: a Kuopio subscriber is invited to a training in Siilinjärvi, not to one in Iisalmi); an event
    with an online link, one for the whole region, and a subscriber who chose no municipality, reach everyone.
    A newsletter aimed at themes reaches those who share one and those who chose none (`in_themes`).
    `region` is the fan-out's: only those who subscribed to the topic in that region (`regions` of the topic, a
    field per region, kept from the region of each confirmation; one from before regions, or without it, subscribed
    in `home`, the home region)."""
    subscription = (subscriber.get("topics") or {}).get(fanout["topic"]) or {}
    if not subscription.get("consent", False) or not in_themes(subscription.get("themes"), fanout.get("themes")):
        return False
    if not (subscription.get("regions") or {home or region.code: True}).get(region.code):
        return False
    home = subscriber.get("municipality")
    segment = fanout.get("municipalities")
    if segment is not None:  # a newsletter to chosen municipalities: only subscribers who chose one of them
        return home in segment
    wanted = fanout.get("municipality")
    if not wanted or fanout.get("online") or home is None:
        return True
    return home == wanted or home in region.neighbours(wanted)


class Fanout:
    def __init__(self, core: Core, planner: Planner) -> None:
        self.core = core
        self.store = core.store
        self.owner = core.owner
        self.signals = core.signals
        self.planner = planner
        self.held: set[str] = set()  # fan-outs whose expansion lease this replica holds

    async def start(
        self,
        cause: Envelope,
        *,
        kind: str,
        topic: str,
        context: Document,
        title: str,
        municipality: str | None = None,
        online: bool = False,
        municipalities: list[str] | None = None,
        themes: list[str] | None = None,
        fanout_id: str | None = None,
    ) -> bool:
        """Records the fan-out (once per cause event and kind); the expansion job takes it from there."""
        created = await self.store.fanouts.create(
            {
                "_id": fanout_id or f"{cause.id}:{kind}",
                "cause_event_id": cause.id,
                "cause_type": cause.type,
                "correlation_id": cause.correlationid,
                "region": cause.region,
                "kind": kind,
                "topic": topic,
                "municipality": municipality,
                "online": online,
                "municipalities": municipalities,
                "themes": themes or [],
                "context": jsonable(context),
                "title": title,
                "status": "expanding",
                "cursor": None,
                "scanned": 0,
                "queued": 0,
                "created_at": self.core.now(),
            }
        )
        self.signals.queue_low()
        return created

    async def run(self) -> None:
        try:
            while True:
                try:
                    busy = await self.expand_once()
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    log.warning("fan-out pass failed; will retry", error=repr(exc))
                    busy = False
                if not busy:
                    self.signals.fanout.clear()
                    await wait_event(self.signals.fanout, max(1.0, self.core.settings.worker_poll_seconds))
        except asyncio.CancelledError:
            await drain({asyncio.create_task(self.release_all())}, timeout=5)
            raise

    async def release_all(self) -> None:
        """On stop: the leases go back at once, so another replica (or this one restarted) goes on expanding
        without waiting for them to run out (a minute of silence in every rolling deploy otherwise). A batch
        half-expanded is expanded again from its cursor; planning the same delivery twice queues it once."""
        for fanout_id in sorted(self.held):
            try:
                await self.store.fanouts.release(fanout_id, self.owner)
            except Exception as exc:  # the store is away: the lease runs out instead
                log.warning("could not release a fan-out lease at stop", fanout=fanout_id, error=repr(exc))
        self.held.clear()

    async def expand_once(self) -> bool:
        """Expands one batch of one fan-out. Returns True when there may be more to do right away."""
        fanouts, settings = self.store.fanouts, self.core.settings
        fanout = await fanouts.claim(now=self.core.now(), lease=timedelta(seconds=60), owner=self.owner)
        if fanout is None:
            return False
        fanout_id = fanout["_id"]
        self.held.add(fanout_id)
        waiting = await self.store.deliveries.queued_count({"fanout_id": fanout_id, "status": "pending"})
        if waiting >= settings.fanout_ahead:
            return False  # expansion runs only a little ahead of sending
        batch = await self.store.recipients.subscribers_after(fanout.get("cursor"), settings.fanout_batch)
        if not batch:
            await fanouts.finish(fanout_id, self.owner, self.core.now())
            self.held.discard(fanout_id)
            log.info("fan-out expanded", fanout=fanout_id, queued=fanout.get("queued", 0))
            return True
        cause = self._cause(fanout)
        regions = self.core.infra.regions
        region, home = regions.get(cause.region) or regions.home, regions.home.code  # the fan-out's region
        docs = [
            self.planner.plan(
                cause,
                kind=fanout["kind"],
                channel="email",
                address=subscriber["email"],
                language=subscriber.get("language") or "fi",
                name=None,
                context={},
                recipient_ref=subscriber["_id"],
                fanout_id=fanout_id,
                topic=fanout["topic"],
            )
            for subscriber in batch
            if wants(subscriber, fanout, region, home)
        ]
        queued = await self.planner.enqueue(docs)
        await fanouts.advance(fanout_id, self.owner, cursor=batch[-1]["_id"], scanned=len(batch), queued=queued)
        return True

    def _cause(self, fanout: Document) -> Envelope:
        """The fan-out's cause event, as far as planning needs it (its id keys the deliveries)."""
        return Envelope(
            id=fanout["cause_event_id"],
            source="/koonto/notify",
            type=fanout["cause_type"],
            subject=fanout["_id"],
            time=fanout["created_at"],
            correlationid=fanout.get("correlation_id") or fanout["cause_event_id"],
            region=fanout.get("region") or self.core.region.code,
            data={},
        )
