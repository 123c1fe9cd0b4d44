"""The notify container on the in-memory store (tests/support/memory.py), with stand-ins for the SMTP server
and the SMS provider: each use case runs in milliseconds, and its state and events are checked."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

import pytest

from koonto.notify.bootstrap import NotifyContainer, bootstrap
from koonto.notify.clock import SettableClock
from koonto.notify.domain.retry import DeliveryError, SendResult
from koonto.notify.settings import NotifySettings
from koonto.notify.store import EVENT_COLLECTIONS, OUTBOX_COLLECTIONS, subscriber_document
from koonto.shared.contracts import Envelope
from koonto.shared.mongo import Store
from koonto.shared.runtime import Infra
from tests.support.memory import memory_infra, published

Document = dict[str, Any]
DAYTIME = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)  # 12:00 in Helsinki: no quiet hours


@dataclass
class FakeMailer:
    """An SMTP server that accepts everything, or raises the errors queued in `failures` first."""

    sent: list[EmailMessage] = field(default_factory=list)
    failures: list[DeliveryError] = field(default_factory=list)

    @contextlib.asynccontextmanager
    async def connection(self) -> AsyncIterator[FakeMailer]:
        yield self

    async def send(
        self, message: EmailMessage, before_data: Callable[[], Awaitable[None]] | None = None
    ) -> SendResult:
        if self.failures:
            raise self.failures.pop(0)
        if before_data is not None:
            await before_data()
        self.sent.append(message)
        return SendResult(provider_id=f"smtp-{len(self.sent)}")

    async def close(self) -> None:
        pass


@dataclass
class FakeSms:
    sent: list[tuple[str, str]] = field(default_factory=list)
    failures: list[DeliveryError] = field(default_factory=list)

    async def send(self, to: str, body: str, *, sender: str | None = None) -> SendResult:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append((to, body))
        return SendResult(provider_id=f"sms-{len(self.sent)}", segments=1)

    async def close(self) -> None:
        pass


@dataclass
class Notify:
    container: NotifyContainer
    infra: Infra
    clock: SettableClock
    mailer: FakeMailer
    sms: FakeSms

    async def queue(self, **query: Any) -> list[Document]:
        return [d async for d in self.infra.store["delivery_queue"].find(query)]

    async def log(self, **query: Any) -> list[Document]:
        return [d async for d in self.infra.store["deliveries"].find(query)]

    async def published(self) -> list[Envelope]:
        return await published(self.infra)

    async def add_subscriber(self, email: str, topic: str, *, consent: bool = True, **fields: Any) -> None:
        doc = subscriber_document(
            email, language=fields.pop("language", "fi"), municipality=fields.pop("municipality", None),
            topic=topic, consent=consent, at=DAYTIME, source="test",
        )
        await self.infra.store["recipients"].insert_one(doc)

    async def add_staff(self, staff_id: str, email: str, **fields: Any) -> None:
        await self.container.store.recipients.remember_staff(
            staff_id, {"email": email, "display_name": staff_id, "language": "fi", "active": True, **fields}, DAYTIME
        )


def make_notify(*, store: Store | None = None, instance_id: str = "memory-1", **overrides: Any) -> Notify:
    """Notify on the in-memory store; a second replica on the same data with `store=` and another `instance_id`."""
    settings = NotifySettings(mode="test", public_base_url="http://notify.test", **overrides)
    infra = memory_infra(settings, event_collections=EVENT_COLLECTIONS, outbox_collections=OUTBOX_COLLECTIONS,
                         store=store, instance_id=instance_id)
    clock = SettableClock(DAYTIME)
    mailer, sms = FakeMailer(), FakeSms()
    container = bootstrap(infra, settings=settings, clock=clock, mailer=mailer, sms=sms)
    return Notify(container, infra, clock, mailer, sms)


@pytest.fixture
def notify() -> Notify:
    return make_notify()
