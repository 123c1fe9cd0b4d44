"""Intake's use cases on the in-memory store (tests/support/memory.py): no servers, milliseconds per test."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from koonto.intake.bootstrap import IntakeContainer, bootstrap
from koonto.intake.domain.ideas import IdeaDraft, validate_idea
from koonto.intake.domain.registrations import RegistrationDraft, validate_registration
from koonto.intake.settings import IntakeSettings
from koonto.intake.store import INDEXES, OUTBOX_COLLECTIONS
from koonto.intake.subscriptions import SUBSCRIPTIONS
from koonto.shared.bus import EventContext
from koonto.shared.contracts import Envelope, EventData
from koonto.shared.contracts.advisory import EventScheduled
from koonto.shared.region import load_region
from koonto.shared.runtime import Infra
from tests.intake.helpers import idea_body
from tests.support.memory import memory_infra, published
from tests.support.samples import envelope


class Clock:
    """A clock the test moves: `clock.advance(hours=25)`."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))


@pytest.fixture
def make_intake(clock: Clock) -> Callable[..., IntakeContainer]:
    def make(**overrides: Any) -> IntakeContainer:
        values: dict[str, Any] = {"mode": "test", "public_base_url": "http://intake.test", "min_fill_seconds": 0}
        settings = IntakeSettings(**{**values, **overrides})
        infra = memory_infra(settings, outbox_collections=OUTBOX_COLLECTIONS, indexes=INDEXES)
        return bootstrap(infra, clock=clock)

    return make


@pytest.fixture
def intake(make_intake: Callable[..., IntakeContainer]) -> IntakeContainer:
    return make_intake()


async def events_of(intake: IntakeContainer) -> list[Envelope]:
    """The events the relay published since the last call (it runs once here)."""
    infra: Infra = intake.infra
    return await published(infra)


def types(envelopes: list[Envelope]) -> list[str]:
    return [e.type for e in envelopes]


def draft(intake: IntakeContainer, **overrides: Any) -> IdeaDraft:
    valid, errors = validate_idea(idea_body(**overrides), intake.region)
    assert valid is not None, errors
    return valid


async def deliver(intake: IntakeContainer, data: EventData) -> Envelope:
    """Hand an event to its row of the subscription table, as the consumer would (after decoding it)."""
    row = next(s for s in SUBSCRIPTIONS if s.event is type(data))
    env = envelope(data)
    await row.handler(row.event.read(env.data), EventContext(env, attempt=1, region="pohjois-savo", service="intake"),
                      intake)
    return env


def scheduled(clock: Clock, capacity: int = 2, **overrides: Any) -> EventScheduled:
    values: dict[str, Any] = {
        "scheduled_event_id": str(uuid.uuid4()), "title": "Hankekoulutus", "kind": "training",
        "starts_at": clock() + timedelta(days=14), "place": "Kuopion kaupungintalo", "capacity": capacity,
        "municipality": "kuopio",
    }
    return EventScheduled(**{**values, **overrides})


def sign_up(event_id: str, email: str) -> RegistrationDraft:
    body = {"scheduled_event_id": event_id, "participant": {"name": "Osallistuja", "email": email},
            "organisation_name": "Kyläyhdistys", "municipality": "kuopio", "consents": {"privacy_notice": True}}
    valid, errors = validate_registration(body, load_region("pohjois-savo"))
    assert valid is not None, errors
    return valid
