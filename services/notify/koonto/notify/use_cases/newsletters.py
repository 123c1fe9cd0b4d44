"""Newsletters staff compose: a draft, its audience and previews, a test to the composer, then a send now or at
a time; the sending is the call-announcement fan-out (resumable, at the configured rate, once per recipient),
which can be paused and resumed. A job starts scheduled campaigns (once: a compare-and-set on the campaign) and
keeps started ones moving.

Why here and not in advisory: notify owns the recipients (consent per topic, municipality), the fan-out and the
templates, so the count of recipients, the preview as the mail will look and the progress are all its own data;
advisory's navigation links to these pages (see docs/architecture.md)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from koonto.notify.domain.errors import NewsletterNotEditable, NotFound, NotInRegion
from koonto.notify.domain.newsletters import Draft, audience_municipalities, mail_context
from koonto.notify.use_cases.core import Core
from koonto.notify.use_cases.fanout import Fanout, wants
from koonto.notify.use_cases.planning import Planner
from koonto.shared.aio import wait_event
from koonto.shared.auth import StaffPrincipal
from koonto.shared.contracts import Envelope
from koonto.shared.contracts.notify import NewsletterEdition, NewsletterPublished
from koonto.shared.ids import new_event_id
from koonto.shared.logs import get_logger
from koonto.shared.mongo import Document

log = get_logger(__name__)
KIND = "newsletter"


def fanout_id(campaign_id: str) -> str:
    return f"{campaign_id}:{KIND}"


class Newsletters:
    def __init__(self, core: Core, fanout: Fanout, planner: Planner) -> None:
        self.core = core
        self.campaigns = core.store.campaigns
        self.fanout = fanout
        self.planner = planner
        self.wake = asyncio.Event()

    @property
    def intake_url(self) -> str:
        return str(self.core.settings.intake_public_url).rstrip("/")

    async def get(self, campaign_id: str) -> Document:
        campaign = await self.campaigns.one(campaign_id)
        if campaign is None:
            raise NotFound(campaign_id)
        return campaign

    async def create(self, draft: Draft, by: StaffPrincipal) -> str:
        """A newsletter of the request's region (its audience: that region's subscribers), by a coordinator of it."""
        code, home = self.core.region.code, self.core.infra.regions.home.code
        # an account without region roles (from before regions) holds its roles in the home region
        held = by.region_roles or by.is_global
        allowed = by.may(code, "coordinator") if held else code == home and by.has("coordinator")
        if not allowed:
            raise NotInRegion(code)
        campaign_id, now = new_event_id(), self.core.now()
        await self.campaigns.create(
            {
                "_id": campaign_id,
                "region": self.core.region.code,
                "status": "draft",
                "created_at": now,
                "created_by": by.staff_id,
                "created_by_name": by.name,
                "paused": False,
                "tests": 0,
                **draft.fields(),
                "recipients": await self.audience_size(draft),
            }
        )
        return campaign_id

    async def revise(self, campaign_id: str, draft: Draft) -> None:
        fields = {**draft.fields(), "recipients": await self.audience_size(draft)}
        if not await self.campaigns.revise(campaign_id, fields, self.core.now()):
            raise NewsletterNotEditable(campaign_id)

    def segment(self, campaign: Draft | Mapping[str, Any]) -> list[str] | None:
        if isinstance(campaign, Draft):
            return audience_municipalities(self.core.region, campaign.sub_regions, campaign.municipalities)
        return audience_municipalities(
            self.core.region, campaign.get("sub_regions") or [], campaign.get("municipalities") or []
        )

    async def audience_size(self, campaign: Draft | Mapping[str, Any]) -> int:
        """How many it would reach now: the fan-out's own rule (`wants`) over the directory, so the number staff
        see is the one the expansion will queue (less those who unsubscribe meanwhile)."""
        topic = campaign.topic if isinstance(campaign, Draft) else campaign["topic"]
        themes = campaign.themes if isinstance(campaign, Draft) else campaign.get("themes") or ()
        audience = {"topic": topic, "municipalities": self.segment(campaign), "themes": list(themes)}
        regions = self.core.infra.regions
        code = campaign.get("region") if isinstance(campaign, Mapping) else None
        region, home = regions.get(code) or self.core.region, regions.home.code  # the campaign's region
        count, cursor, recipients = 0, None, self.core.store.recipients
        while True:
            batch = await recipients.subscribers_after(cursor, 1000)
            if not batch:
                return count
            count += sum(1 for s in batch if wants(s, audience, region, home))
            cursor = batch[-1]["_id"]

    async def send_test(self, campaign_id: str, to: StaffPrincipal, language: str) -> None:
        """One copy to the composer, in the language asked, as subscribers will get it."""
        campaign = await self.get(campaign_id)
        n = await self.campaigns.count_test(campaign_id)
        await self.planner.enqueue_email(
            self._cause(campaign),
            kind="newsletter-test",
            address=to.email,
            language=language,
            context=mail_context(campaign["_id"], campaign["editions"], language, self.intake_url),
            recipient_ref=f"staff:{to.staff_id}",
            key=f"newsletter-test:{campaign_id}:{n}",
            name=to.name,
        )

    async def schedule(self, campaign_id: str, at: datetime) -> None:
        if not await self.campaigns.schedule(campaign_id, at):
            raise NewsletterNotEditable(campaign_id)
        self.wake.set()

    async def unschedule(self, campaign_id: str) -> None:
        if not await self.campaigns.unschedule(campaign_id):
            raise NewsletterNotEditable(campaign_id)

    async def send_now(self, campaign_id: str) -> None:
        campaign = await self.get(campaign_id)
        if campaign["status"] != "draft" or not await self.start(campaign):
            raise NewsletterNotEditable(campaign_id)

    async def start(self, campaign: Document) -> bool:
        """draft/scheduled -> sending with `newsletter-published` (the archive's copy), then the fan-out. False
        when another click or replica started it first."""
        if campaign["status"] not in ("draft", "scheduled"):
            return False
        now = self.core.now()
        editions = [
            NewsletterEdition(language=lang, subject=e["subject"], body=e["body"])  # type: ignore[arg-type]
            for lang, e in sorted(campaign["editions"].items(), key=lambda kv: kv[0] != "fi")
        ]
        data = NewsletterPublished(
            campaign_id=campaign["_id"], topic=campaign["topic"], editions=tuple(editions), published_at=now
        )
        event = self.core.infra.new_event(data, subject=campaign["_id"])
        if not await self.campaigns.start(campaign["_id"], campaign["status"], now, event):
            return False
        self.core.infra.events_written(event)
        await self.ensure_fanout({**campaign, "status": "sending"})
        log.info("newsletter started", campaign=campaign["_id"], recipients=campaign.get("recipients"))
        return True

    async def ensure_fanout(self, campaign: Document) -> None:
        """The campaign's fan-out, keyed by the campaign (a repeat is a no-op): its deliveries are keyed by the
        campaign id and the address, so each recipient gets it once whoever started it."""
        context = {"editions": campaign["editions"], "intake_url": self.intake_url, "campaign_id": campaign["_id"]}
        await self.fanout.start(
            self._cause(campaign),
            kind=KIND,
            topic=campaign["topic"],
            context=context,
            title=campaign["editions"]["fi"]["subject"],
            municipalities=self.segment(campaign),
            themes=list(campaign.get("themes") or ()),
            fanout_id=fanout_id(campaign["_id"]),
        )

    async def pause(self, campaign_id: str) -> None:
        if not await self.campaigns.set_paused(campaign_id, True, self.core.now()):
            raise NewsletterNotEditable(campaign_id)
        await self.core.store.fanouts.set_paused(fanout_id(campaign_id), True)
        await self.core.store.deliveries.hold_fanout(fanout_id(campaign_id))

    async def resume(self, campaign_id: str) -> None:
        if not await self.campaigns.set_paused(campaign_id, False, self.core.now()):
            raise NewsletterNotEditable(campaign_id)
        await self.core.store.fanouts.set_paused(fanout_id(campaign_id), False)
        await self.core.store.deliveries.release_fanout(fanout_id(campaign_id))
        self.core.signals.queue_low()
        self.core.signals.deliveries_queued()

    # -- the job: scheduled campaigns start at their time; started ones keep moving ---------------------------
    async def run(self) -> None:
        poll = min(self.core.settings.jobs_poll_seconds, 5.0)
        while True:
            try:
                await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("newsletter pass failed; will retry", error=repr(exc))
            self.wake.clear()
            await wait_event(self.wake, poll)

    async def tick(self) -> None:
        for campaign in await self.campaigns.due(self.core.now()):
            await self.start(campaign)
        for campaign in await self.campaigns.sending():
            await self.ensure_fanout(campaign)  # a crash between the start and the fan-out
            if not campaign.get("paused"):  # a batch that read "paused" just before a resume held a delivery
                if await self.core.store.deliveries.release_fanout(fanout_id(campaign["_id"])):
                    self.core.signals.deliveries_queued()

    def _cause(self, campaign: Document) -> Envelope:
        """The campaign as the cause of its deliveries: their keys derive from the campaign id."""
        return Envelope(
            id=campaign["_id"],
            source="/koonto/notify",
            type=f"koonto.notify.{KIND}.v1",
            subject=campaign["_id"],
            time=campaign["created_at"],
            correlationid=campaign["_id"],
            region=campaign.get("region") or self.core.region.code,
            data={},
        )
