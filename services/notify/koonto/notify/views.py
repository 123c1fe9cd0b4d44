"""Read paths as named queries: the staff API and pages read through these, never the store directly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from koonto.notify.domain.errors import NotFound
from koonto.notify.domain.kinds import KINDS
from koonto.notify.domain.newsletters import LANGUAGES as EDITION_LANGUAGES
from koonto.notify.domain.newsletters import mail_context
from koonto.notify.render import LANGUAGES, Renderer
from koonto.notify.samples import sample
from koonto.notify.store import Deliveries, NotifyStore
from koonto.shared.mongo import Document

STATUSES = ("pending", "held", "sending", "sent", "failed", "skipped", "cancelled", "unconfirmed")


@dataclass(frozen=True)
class DeliveryFilter:
    recipient: str | None = None
    kind: str | None = None
    status: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    fanout_id: str | None = None
    regions: frozenset[str] | None = None  # None: every region; else these (a delivery without one: `home`'s)
    home: str = ""

    def query(self) -> Document:
        query: Document = {}
        if self.regions is not None:
            allowed: list[str | None] = [*sorted(self.regions)]
            query["region"] = {"$in": [*allowed, None] if self.home in self.regions else allowed}
        if self.recipient:
            query.update(Deliveries.address_query(self.recipient))
        for field, value in (("kind", self.kind), ("status", self.status), ("fanout_id", self.fanout_id)):
            if value:
                query[field] = value
        period: Document = {}
        if self.since:
            period["$gte"] = self.since
        if self.until:
            period["$lt"] = self.until
        if period:
            query["created_at"] = period
        return query


def _of_regions(doc: Document, regions: frozenset[str] | None, home: str) -> Document:
    """`doc` if it is of one of `regions` (None: any; no region stored: `home`'s), else NotFound: another
    region's item is answered as if there were none."""
    if regions is not None and (doc.get("region") or home) not in regions:
        raise NotFound(str(doc.get("_id")))
    return doc


def found(doc: Document | None, key: str) -> Document:
    """`doc`, or NotFound naming `key` when there is none."""
    if doc is None:
        raise NotFound(key)
    return doc


class NotifyViews:
    def __init__(self, store: NotifyStore, renderer: Renderer, common_context: Document) -> None:
        self.store = store
        self.renderer = renderer
        self.common_context = common_context

    # -- the delivery log ------------------------------------------------------------------------------------
    async def deliveries(self, where: DeliveryFilter, *, limit: int = 100, skip: int = 0) -> list[Document]:
        """Queued and finished deliveries, newest first."""
        return await self.store.deliveries.newest(where.query(), limit=limit, skip=skip)

    async def delivery(self, delivery_id: str, regions: frozenset[str] | None = None, home: str = "") -> Document:
        return _of_regions(found(await self.store.deliveries.one(delivery_id), delivery_id), regions, home)

    # -- fan-outs with their progress ------------------------------------------------------------------------
    async def fanouts(self, regions: frozenset[str] | None = None, home: str = "") -> list[Document]:
        listed = await self.store.fanouts.newest()
        return [await self._progress(f) for f in listed if regions is None or (f.get("region") or home) in regions]

    async def fanout(self, fanout_id: str, regions: frozenset[str] | None = None, home: str = "") -> Document:
        return await self._progress(_of_regions(found(await self.store.fanouts.one(fanout_id), fanout_id),
                                                regions, home))

    async def _progress(self, f: Document) -> Document:
        counts = await self.store.deliveries.status_counts(f["_id"])
        return {
            "id": f["_id"],
            "kind": f["kind"],
            "topic": f["topic"],
            "title": f.get("title"),
            "status": f["status"],
            "created_at": f.get("created_at"),
            "expanded_at": f.get("expanded_at"),
            "queued": sum(counts.values()),
            "sent": counts.get("sent", 0),
            "failed": counts.get("failed", 0),
            "pending": counts.get("pending", 0),
            "skipped": counts.get("skipped", 0) + counts.get("cancelled", 0),
            "left": counts.get("pending", 0) + counts.get("held", 0) + counts.get("sending", 0),
            "paused": bool(f.get("paused")),
            "done": f["status"] == "expanded" and not any(counts.get(s, 0) for s in ("pending", "held", "sending")),
        }

    # -- newsletters -----------------------------------------------------------------------------------------
    async def newsletters(self, regions: frozenset[str] | None = None, home: str = "") -> list[Document]:
        """The newsletters of `regions` (the staff's; None: every region)."""
        campaigns = await self.store.campaigns.newest()
        return [await self._newsletter(c) for c in campaigns if regions is None or (c.get("region") or home) in regions]

    async def newsletter(self, campaign_id: str, regions: frozenset[str] | None = None, home: str = "") -> Document:
        campaign = found(await self.store.campaigns.one(campaign_id), campaign_id)
        if regions is not None and (campaign.get("region") or home) not in regions:
            raise NotFound(campaign_id)  # another region's newsletter
        return await self._newsletter(campaign)

    async def _newsletter(self, campaign: Document) -> Document:
        """The campaign with its progress (from its fan-out once it started) and the status staff read."""
        fanout = await self.store.fanouts.one(f"{campaign['_id']}:newsletter")
        progress = await self._progress(fanout) if fanout else None
        status = campaign["status"]
        if status == "sending":
            status = "done" if progress and progress["done"] else "paused" if campaign.get("paused") else "sending"
        total = progress["queued"] if progress else 0
        finished = progress["sent"] + progress["failed"] + progress["skipped"] if progress else 0
        percent = 100 if progress and progress["done"] else (finished * 100 // total if total else 0)
        return {**campaign, "shown_status": status, "progress": progress, "percent": percent,
                "subject": campaign["editions"]["fi"]["subject"]}

    def newsletter_previews(self, campaign: Document, intake_url: str) -> list[Document]:
        """The mail as each language's subscribers will get it (Finnish for a language not written)."""
        previews = []
        for lang in EDITION_LANGUAGES:
            context = {**self.common_context, **mail_context(campaign["_id"], campaign["editions"], lang, intake_url),
                       "unsubscribe_url": "#", "preferences_url": "#"}
            email = self.renderer.email("newsletter", lang, context)
            previews.append({"lang": lang, "email": email, "written": lang in campaign["editions"]})
        return previews

    # -- templates -------------------------------------------------------------------------------------------
    def template_previews(self) -> list[Document]:
        """Every kind in every language, rendered with its sample data."""
        previews: list[Document] = []
        for kind in sorted(KINDS):
            for lang in LANGUAGES:
                context = {**sample(kind), **self.common_context}
                email = self.renderer.email(kind, lang, context)
                sms = self.renderer.sms(kind, lang, context) if KINDS[kind].sms else None
                previews.append({"kind": kind, "lang": lang, "basis": KINDS[kind].basis, "email": email, "sms": sms})
        return previews
