"""Advisory's use cases on the in-memory store (tests/support/memory.py): no servers, milliseconds each."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from koonto.advisory.bootstrap import AdvisoryContainer, bootstrap
from koonto.advisory.domain.actor import Actor
from koonto.advisory.domain.clock import FixedClock
from koonto.advisory.settings import AdvisorySettings
from koonto.advisory.store import INDEXES, OUTBOX_COLLECTIONS
from koonto.shared.bus import EventContext
from koonto.shared.contracts import Envelope, EventData
from koonto.shared.mongo import ensure_indexes
from tests.support.memory import memory_infra, published
from tests.support.samples import envelope, idea_submitted

ADMIN = Actor("staff-admin", "Pää Käyttäjä", ("admin",))
COORDINATOR = Actor("staff-coordinator", "Koordinaattori", ("coordinator",))


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock.on(date(2026, 12, 4), 9)


@pytest.fixture
def settings(tmp_path: Path) -> AdvisorySettings:
    return AdvisorySettings(
        mode="test", service_name="advisory", data_dir=tmp_path / "data", first_contact_working_days=2,
        log_json=False,
    )


@pytest.fixture
async def deps(settings: AdvisorySettings, clock: FixedClock) -> AdvisoryContainer:
    infra = memory_infra(settings, outbox_collections=OUTBOX_COLLECTIONS)
    await ensure_indexes(infra.db, INDEXES)
    return bootstrap(infra, settings, clock)


async def events(deps: AdvisoryContainer, name: str | None = None) -> list[Envelope]:
    """The events published since the last call (of one kind when `name` is given, e.g. "case-opened")."""
    found = await published(deps.infra)
    return [e for e in found if name is None or e.type == f"koonto.advisory.{name}.v1"]


def context(data: EventData) -> EventContext:
    return EventContext(envelope=envelope(data), attempt=1, region="pohjois-savo", service="advisory")


async def open_case(deps: AdvisoryContainer, reference: str = "KOO-2026-0001", **overrides: object) -> str:
    idea = idea_submitted(reference=reference, **overrides)
    await deps.cases.open_case_from_idea(idea, context(idea))
    case = await deps.store.case_by_idea(idea.idea_id)
    assert case is not None
    return str(case["_id"])


async def advisor(deps: AdvisoryContainer, email: str = "neuvoja@koonto.example") -> Actor:
    doc = await deps.staff.create_staff(
        ADMIN, email=email, name="Niina Neuvoja", roles=["advisor"], password="salasana-joka-kelpaa"
    )
    return Actor(doc["_id"], doc["name"], tuple(doc["roles"]))
