"""What every use case is built from (wired once in bootstrap.py)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from koonto.intake.links import Links
from koonto.intake.settings import IntakeSettings
from koonto.intake.store import IntakeStore
from koonto.shared.contracts import Envelope, EventData
from koonto.shared.region import Region


class Events(Protocol):
    """Where use cases make their events and hand the committed ones on (the runtime's `Infra`)."""

    @property
    def region(self) -> Region: ...  # the region of the request or event under way

    def new_event(
        self, data: EventData, *, subject: str, correlation_id: str | None = None, region: str | None = None
    ) -> Envelope: ...

    def events_written(self, *envelopes: Envelope) -> None: ...


@dataclass
class UseCase:
    store: IntakeStore
    events: Events
    links: Links
    settings: IntakeSettings
    clock: Callable[[], datetime]

    @property
    def region(self) -> Region:
        return self.events.region

    def written(self, done: bool, event: Envelope) -> bool:
        """After the write that carried `event`: publish it at once if the write happened."""
        if done:
            self.events.events_written(event)
        return done


def stable_key(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
