"""Read paths as named queries: what the pages and the API show, never a store call from a route."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from koonto.intake.domain.bookings import BOOKABLE_UNTIL
from koonto.intake.domain.errors import EventNotOpen, LinkRefused
from koonto.intake.links import Links, LinkSigner
from koonto.intake.store import IntakeStore
from koonto.shared.clock import as_utc, helsinki_date
from koonto.shared.markdown import to_html
from koonto.shared.mongo import Document, epoch_ms


def newsletter_in(newsletter: Document, language: str) -> Document:
    """A newsletter as its archive page shows it to a reader of `language`: that edition (Finnish when not
    written), its body in the safe Markdown subset as HTML, and the languages it was written in."""
    editions = newsletter["editions"]
    shown = language if language in editions else "fi"
    edition = editions[shown]
    return {**newsletter, "shown_language": shown, "subject": edition["subject"], "body_html": to_html(edition["body"]),
            "languages": [lang for lang in ("fi", "sv", "en") if lang in editions],
            "published_at": as_utc(newsletter["published_at"])}


@dataclass
class IntakeViews:
    store: IntakeStore
    links: Links
    clock: Callable[[], datetime]

    # -- signed links ----------------------------------------------------------------------------------------
    def link_value(self, signer: LinkSigner, token: str) -> Any:
        """What a signed link carries; raises LinkRefused when it is expired or not one of ours."""
        checked = signer.check(token)
        if checked.verdict != "ok":
            raise LinkRefused(checked.verdict)
        return checked.value

    def subscriptions_of_confirm_link(self, token: str) -> list[str]:
        """The subscription ids a confirm link names: one, or all the topics asked for together."""
        value = self.link_value(self.links.confirm, token)
        return [str(v) for v in value] if isinstance(value, list) else [str(value)]

    async def subscriptions_to_confirm(self, subscription_ids: list[str]) -> list[Document]:
        """Those of the subscriptions that can still be confirmed (or were), in the link's order."""
        found = [await self.store.subscription_by_id(subscription_id) for subscription_id in subscription_ids]
        mine = [s for s in found if s is not None and self.store.scope.holds(s)]  # another region's: not shown
        return [s for s in mine if s.get("status") in ("pending", "confirmed")]

    async def idea_of_status_link(self, token: str) -> Document:
        """The idea a status link names (raises LinkRefused, 'missing' when we no longer hold it)."""
        idea = self.store.scope.only(await self.store.idea(self.link_value(self.links.status, token)))
        if idea is None:  # not held, or another region's (a link opened on the other region's site)
            raise LinkRefused("missing")
        return idea

    async def idea(self, idea_id: str) -> Document | None:
        """Any region's idea (staff's download: their roles in its region decide)."""
        return await self.store.idea(idea_id)

    # -- funding calls ---------------------------------------------------------------------------------------
    async def open_calls(self) -> list[Document]:
        """The calls open today (Helsinki), soonest closing first, with `closes` and `days_left`."""
        today = helsinki_date(self.clock())
        calls = await self.store.open_calls(today)
        for call in calls:
            call["closes"] = date.fromisoformat(call["closes_on"])
            call["days_left"] = (call["closes"] - today).days
        return calls

    # -- trainings and forums --------------------------------------------------------------------------------
    async def upcoming_events(self, limit: int = 100) -> list[Document]:
        """Trainings and forums still to come, soonest first, with `seats_left`."""
        events = await self.store.upcoming_events(self.clock(), limit=limit)
        taken = await self.store.seat_counts([e["_id"] for e in events])
        return [{**e, "starts_at": as_utc(e["starts_at"]), "seats_left": taken[e["_id"]].seats_left(e["capacity"])}
                for e in events]

    async def open_event(self, event_id: str) -> Document:
        """An event one can still sign up for; raises EventNotOpen for an unknown, past or held one."""
        event = self.store.scope.only(await self.store.scheduled_event(event_id))
        if event is None or event.get("held") or as_utc(event["starts_at"]) <= self.clock():
            raise EventNotOpen(event_id)
        taken = (await self.store.seat_counts([event_id]))[event_id]
        return {**event, "starts_at": as_utc(event["starts_at"]), "seats_left": taken.seats_left(event["capacity"])}

    # -- advice times (hankeklinikka) ------------------------------------------------------------------------
    async def free_advice_slots(self, *, besides: str | None = None) -> list[Document]:
        """The times one can book now, soonest first (none starting within BOOKABLE_UNTIL); `besides`: one left
        out (the time a rebooking moves from, or the one just taken)."""
        soonest = epoch_ms(self.clock() + BOOKABLE_UNTIL)
        return [s for s in await self.store.advice.free_from(soonest) if s["_id"] != besides]

    async def advice_slot(self, slot_id: str) -> Document | None:
        return self.store.scope.only(await self.store.advice.slot(slot_id)) if slot_id else None

    async def booking_of_link(self, token: str) -> tuple[Document, Document]:
        """The slot and booking a cancel/rebook link names (LinkRefused: expired, forged, or not held here)."""
        slot_id, booking_id = self.link_value(self.links.booking, token)
        slot = self.store.scope.only(await self.store.advice.slot(str(slot_id)))
        booking = (slot or {}).get("bookings", {}).get(str(booking_id))
        if slot is None or booking is None:
            raise LinkRefused("missing")
        return slot, booking

    # -- the newsletter archive -----------------------------------------------------------------------------
    async def newsletters(self, language: str) -> list[Document]:
        """Sent newsletters, newest first, each with the subject in `language` (Finnish when not written)."""
        return [newsletter_in(n, language) for n in await self.store.newsletters.newest()]

    async def newsletter(self, campaign_id: str, language: str) -> Document | None:
        found = await self.store.newsletters.one(campaign_id)
        return newsletter_in(found, language) if found else None

    # -- operations ------------------------------------------------------------------------------------------
    async def abuse_counts(self) -> dict[str, int]:
        return await self.store.abuse_counts()
