"""What every use case works with: settings, store, clock, the region, and how to emit events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from koonto.advisory.domain.actor import Actor
from koonto.advisory.domain.case import timeline_entry
from koonto.advisory.domain.clock import Clock
from koonto.advisory.domain.errors import Invalid, Refused, found
from koonto.advisory.domain.schedule import ServiceLevel
from koonto.advisory.settings import AdvisorySettings
from koonto.advisory.store import AdvisoryStore, Conflict
from koonto.shared.bus import EventContext
from koonto.shared.contracts import Envelope, EventData
from koonto.shared.ids import new_event_id
from koonto.shared.mongo import Document
from koonto.shared.region import Region


class Events(Protocol):
    """The part of the runtime's `Infra` a use case needs: build an event, hand committed events to the relay."""

    @property
    def region(self) -> Region: ...  # the region of the request or event under way

    def new_event(
        self, data: EventData, *, subject: str, correlation_id: str | None = None, region: str | None = None
    ) -> Envelope: ...

    def events_written(self, *envelopes: Envelope) -> None: ...


def new_id(prefix: str) -> str:
    return f"{prefix}-{new_event_id()}"


@dataclass
class Context:
    settings: AdvisorySettings
    events: Events
    store: AdvisoryStore
    clock: Clock
    service_level: ServiceLevel

    @property
    def region(self) -> Region:
        return self.events.region

    @property
    def served(self) -> tuple[str, ...]:
        """The codes of the regions this deployment serves, the home region first."""
        return self.store.scope.codes or (self.region.code,)

    def region_named(self, code: str) -> Region:
        """The served region of `code` (the current one for a code this deployment does not serve)."""
        regions = getattr(self.events, "regions", None)
        return (regions.get(code) if regions is not None else None) or self.region

    def region_for_new(self, code: str | None) -> str:
        """The region a staff member creates a call, a training or an advice time in: the one they chose among
        their own; without a choice (one region: none is shown) the current region when it is theirs, else their
        first. The use case then runs `with using_region(code)`, so its events carry that region."""
        mine = self.store.scope.mine() or (self.region.code,)
        if code:
            if code not in mine:
                raise Invalid("Valitse alue, jolla työskentelet.", "region")
            return code
        return self.region.code if self.region.code in mine else mine[0]

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        return self.clock.today()

    def event(self, data: EventData, subject: str, ctx: EventContext | None = None) -> Envelope:
        """An event of this service; caused by an incoming one when `ctx` is given (same correlation id)."""
        if ctx is not None:
            return ctx.new_event(data, subject=subject)
        return self.events.new_event(data, subject=subject)

    def written(self, *envelopes: Envelope) -> None:
        if envelopes:
            self.events.events_written(*envelopes)

    def entry(self, kind: str, actor: Actor, text: str | None = None, **data: Any) -> Document:
        return timeline_entry(kind, actor, self.now(), text, **data)

    # -- lookups several use cases share -------------------------------------------------------------------
    async def case(self, case_id: str) -> Document:
        return found(await self.store.case(case_id), "Tapausta ei löydy.")

    async def active_staff(self, staff_id: str) -> Document | None:
        return await self.store.active_staff(staff_id)

    async def add_to_case(self, case: Document, changes: Document, *events: Envelope) -> Document:
        """For additions that do not depend on the case's state (notes, sessions): retry on a concurrent change."""
        for _ in range(5):
            try:
                doc = await self.store.update_case(case["_id"], case["version"], changes, *events)
                self.written(*events)
                return doc
            except Conflict:
                case = await self.case(case["_id"])
                if "first_contact_at" in changes and case.get("first_contact_at"):
                    changes = {k: v for k, v in changes.items() if k != "first_contact_at"}
        raise Refused("Tapausta muutettiin juuri toisaalla. Yritä uudelleen.")

    async def change_case(self, case: Document, changes: Document, *events: Envelope) -> Document:
        """A change decided on the case as it was read: refused if the case changed meanwhile."""
        try:
            doc = await self.store.update_case(case["_id"], case["version"], changes, *events)
        except Conflict:
            raise Refused("Tapausta muutettiin juuri toisaalla. Lataa sivu ja yritä uudelleen.") from None
        self.written(*events)
        return doc
