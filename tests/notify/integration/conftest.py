"""Fixtures for notify: a real SMTP server (aiosmtpd) and a Twilio stand-in on loopback, free ports."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from koonto.devsinks import MailSink, SmsSink
from koonto.notify.bootstrap import NotifyContainer
from koonto.notify.clock import SettableClock
from koonto.notify.main import create_runtime
from koonto.notify.settings import NotifySettings
from koonto.shared.contracts import Envelope
from koonto.shared.runtime import Runtime
from tests.support.services import FAST_CONSUMER, running
from tests.support.staff import TEST_JWKS_JSON


@pytest.fixture
def mail_sink() -> Iterator[MailSink]:
    sink = MailSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def sms_sink() -> Iterator[SmsSink]:
    sink = SmsSink().start()
    yield sink
    sink.stop()


def notify_settings(
    nats_url: str, mongo_url: str, db: str, mail: MailSink, sms: SmsSink, **overrides: Any
) -> NotifySettings:
    values: dict[str, Any] = {
        "mode": "test",
        "nats_url": nats_url,
        "mongo_url": mongo_url,
        "mongo_database": db,
        "smtp_host": "127.0.0.1",
        "smtp_port": mail.port,
        "sms_url": sms.url,
        "staff_jwks_url": TEST_JWKS_JSON,
        "worker_poll_seconds": 0.1,
        "retry_base_seconds": 0.2,
        "retry_max_seconds": 1.0,
        "send_rate_per_second": 500,
        "delivery_lease_seconds": 30,
        "jobs_poll_seconds": 0.2,
        "public_base_url": "http://notify.test",
        **FAST_CONSUMER,
    }
    values.update(overrides)
    return NotifySettings(**values)


class Notify:
    """A running notify runtime with helpers to publish events into the real stream."""

    def __init__(self, runtime: Runtime[NotifyContainer], clock: SettableClock | None) -> None:
        self.runtime = runtime
        self.clock = clock

    @property
    def container(self) -> NotifyContainer:
        return self.runtime.container

    async def publish(self, env: Envelope, message_id: str | None = None) -> None:
        await self.runtime.publisher(env.type, env.model_dump_json().encode(), message_id or env.id)

    async def deliveries(self, **query: Any) -> list[dict[str, Any]]:
        """Queued (pending, sending, unconfirmed) and finished deliveries alike."""
        db = self.runtime.db
        return [d async for d in db["delivery_queue"].find(query)] + [d async for d in db["deliveries"].find(query)]


@pytest.fixture
def notify_factory(clean_stream: str, mongo_url: str, db_names: dict[str, str], mail_sink: MailSink, sms_sink: SmsSink):  # type: ignore[no-untyped-def]
    def make(clock: SettableClock | None = None, **overrides: Any) -> Runtime[NotifyContainer]:
        settings = notify_settings(clean_stream, mongo_url, db_names["notify"], mail_sink, sms_sink, **overrides)
        return create_runtime(settings, clock=clock)

    return make


@pytest.fixture
async def notify(notify_factory) -> AsyncIterator[Notify]:  # type: ignore[no-untyped-def]
    # a daytime clock in Helsinki, so that SMS are not held by the quiet hours
    clock = SettableClock(datetime(2026, 11, 30, 10, 0, tzinfo=UTC))
    runtime = notify_factory(clock=clock)
    async with running(runtime):
        yield Notify(runtime, clock)
