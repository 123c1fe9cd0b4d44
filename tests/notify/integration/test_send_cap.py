"""The provider's cap (`send_rate_per_second`, per replica) holds for a whole fan-out on real servers: the bench
measures fan-out with the cap lifted, this test shows that a deployment that keeps it never sends faster."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime

from koonto.devsinks import MailSink
from koonto.notify.store import subscriber_document
from koonto.shared.contracts.advisory import CallOpened
from tests.support.polling import eventually, stays
from tests.support.samples import envelope
from tests.support.services import running

RATE = 8.0
SUBSCRIBERS = 24


async def test_a_fanout_never_sends_faster_than_the_configured_cap(notify_factory, mail_sink: MailSink) -> None:  # type: ignore[no-untyped-def]
    runtime = notify_factory(send_rate_per_second=RATE, smtp_pool_size=4, worker_batch=50)
    at = datetime(2026, 11, 1, tzinfo=UTC)
    seed = [
        subscriber_document(
            f"tilaaja{i:03d}@example.fi", language="fi", municipality=None, topic="call_announcements",
            consent=True, at=at, source="subscription-form",
        )
        for i in range(SUBSCRIBERS)
    ]
    call = envelope(
        CallOpened(
            call_id="c-cap", name="Pieni haku", funder="Itä-Suomen elinvoimakeskus",
            opens_on=date(2026, 12, 1), closes_on=date(2027, 2, 15), description="Haku",
        )
    )

    async def mails() -> int:
        return len(mail_sink.messages)

    async with running(runtime):
        await runtime.db["recipients"].insert_many(seed)
        announced = time.time()
        await runtime.publisher(call.type, call.model_dump_json().encode(), call.id)
        await eventually(mails, until=lambda n: n >= SUBSCRIBERS, timeout=120, interval=0.1, what="every mail")
        await stays(mails, until=lambda n: n == SUBSCRIBERS, duration=1.0)

    received = sorted(m["received_at"] for m in mail_sink.messages)
    # starts are spaced 1/RATE apart, and a mail is received after it starts: the last can arrive no sooner than
    # (n - 1) / RATE after the announcement, however fast the store and the SMTP server are
    assert received[-1] - announced >= (SUBSCRIBERS - 1) / RATE * 0.98
    # and no second holds more than the cap's starts plus the sends that were already under way (the pool)
    busiest = max(sum(1 for t in received if start <= t < start + 1.0) for start in received)
    assert busiest <= RATE + 4 + 1
