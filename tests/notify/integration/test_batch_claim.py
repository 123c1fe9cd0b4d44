"""Batch claims: replicas competing for the same batch each get a disjoint part of it and every delivery is sent
exactly once; a replica killed in the middle of a batch leaves the provably unsent ones to be sent once later."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import nats
from pymongo import MongoClient

from koonto.notify.devsinks import MailSink
from koonto.notify.store import NotifyStore
from koonto.shared.contracts.advisory import CallOpened
from tests.support.polling import eventually, stays
from tests.support.samples import envelope
from tests.support.services import running, service_process, wait_http
from tests.support.staff import TEST_JWKS_JSON

AT = datetime(2026, 11, 1, tzinfo=UTC)


def _subscribers(count: int, prefix: str) -> list[dict[str, Any]]:
    return [
        NotifyStore.subscriber_document(
            f"{prefix}{i:04d}@example.fi",
            language="fi",
            municipality=None,
            topic="call_announcements",
            consent=True,
            at=AT,
            source="subscription-form",
        )
        for i in range(count)
    ]


def _call(call_id: str) -> Any:
    return envelope(
        CallOpened(
            call_id=call_id,
            name="Kylähaku",
            funder="Itä-Suomen elinvoimakeskus",
            opens_on=date(2026, 12, 1),
            closes_on=date(2027, 2, 15),
        )
    )


async def test_two_claims_of_the_same_batch_split_it_without_overlap(notify_factory) -> None:  # type: ignore[no-untyped-def]
    """The claim itself, raced on the real store: two claimers, the same candidates, many rounds."""
    runtime = notify_factory()
    async with running(runtime):
        app = runtime.state["notify"]
        store = app.store
        now = app.now()
        for round_ in range(5):
            docs = [
                {
                    "_id": f"race-{round_}-{i}",
                    "kind": "call-announcement",
                    "channel": "email",
                    "status": "pending",
                    "attempts": 0,
                    "claim_seq": 0,
                    "due_at": now - timedelta(seconds=1),
                    "created_at": now,
                }
                for i in range(40)
            ]
            await store.queue.insert_many(docs)
            candidates = await store.due(now, 1000)
            assert len(candidates) == 40
            lease = timedelta(seconds=30)
            first, second = await asyncio.gather(
                store.claim_batch(candidates, now=now, lease=lease, token=f"a-{round_}"),
                store.claim_batch(list(reversed(candidates)), now=now, lease=lease, token=f"b-{round_}"),
            )
            a, b = {d["_id"] for d in first}, {d["_id"] for d in second}
            assert not a & b, f"claimed by both: {sorted(a & b)}"
            assert a | b == {d["_id"] for d in docs}  # nothing lost either: every due delivery went to one of them
            # a claim again with the same (stale) candidates wins nothing: the entries moved on
            assert await store.claim_batch(candidates, now=now, lease=timedelta(seconds=30), token="late") == []
            await store.queue.delete_many({"_id": {"$in": [d["_id"] for d in docs]}})


async def test_two_replicas_share_a_fanout_and_send_each_mail_once(notify_factory, mail_sink: MailSink) -> None:  # type: ignore[no-untyped-def]
    size = 400
    settings = {"worker_batch": 40, "fanout_batch": 100, "fanout_ahead": 200, "smtp_pool_size": 4}
    first, second = notify_factory(**settings), notify_factory(**settings)
    async with running(first), running(second):
        await first.db["recipients"].insert_many(_subscribers(size, "jaettu"))
        call = _call("c-shared")
        await first.publisher(call.type, call.model_dump_json().encode(), call.id)
        await eventually(lambda: _n(mail_sink), until=lambda n: n >= size, timeout=300, interval=0.2, what="all sent")
        await stays(lambda: _n(mail_sink), until=lambda n: n == size, duration=2.0)
        sent = await first.db["deliveries"].count_documents({"status": "sent"})
        claimers = {c["token"].rsplit(":", 1)[0] async for c in first.db["claims"].find({}, {"token": 1})}
    ids = mail_sink.message_ids()
    assert len(ids) == size and len(set(ids)) == size
    assert len({to for m in mail_sink.messages for to in m["to"]}) == size
    assert sent == size
    # both replicas claimed batches (a claim's token starts with its replica's instance id)
    assert claimers == {first.instance_id, second.instance_id}


async def test_killed_in_the_middle_of_a_batch_the_unsent_ones_are_sent_once(
    clean_stream: str, mongo_url: str, db_names: dict[str, str], mail_sink: MailSink, tmp_path: Path
) -> None:
    size = 30
    env = {
        "KOONTO_NATS_URL": clean_stream,
        "KOONTO_MONGO_URL": mongo_url,
        "KOONTO_MONGO_DATABASE": db_names["notify"],
        "KOONTO_MODE": "test",
        "KOONTO_DATA_DIR": str(tmp_path / "data"),
        "KOONTO_SMTP_PORT": str(mail_sink.port),
        "KOONTO_STAFF_JWKS_URL": TEST_JWKS_JSON,
        "KOONTO_WORKER_POLL_SECONDS": "0.1",
        "KOONTO_DELIVERY_LEASE_SECONDS": "2",
        "KOONTO_SMTP_POOL_SIZE": "1",  # one mail at a time: the kill lands between two mails of one batch
        "KOONTO_WORKER_BATCH": "50",
        "KOONTO_LOG_JSON": "false",
    }
    db = MongoClient[dict](mongo_url, tz_aware=True)[db_names["notify"]]
    db["recipients"].insert_many(_subscribers(size, "kesken"))
    call = _call("c-killed")
    rcpts: list[str] = []
    with service_process("notify", env=env, log_dir=tmp_path) as (proc, base):
        wait_http(f"{base}/readyz", timeout=60)

        def on_rcpt(address: str) -> None:
            rcpts.append(address)
            if len(rcpts) == 10:  # the tenth mail: killed after RCPT, before its DATA
                os.kill(proc.pid, signal.SIGKILL)

        mail_sink.on_rcpt = on_rcpt
        await _publish(clean_stream, call)
        _wait(lambda: proc.poll() is not None, what="notify killed mid-batch")
    mail_sink.on_rcpt = None
    before = {to for m in mail_sink.messages for to in m["to"]}
    assert len(before) == len(mail_sink.messages) == 9
    claimed = list(db["delivery_queue"].find({"status": "sending"}))
    assert len(claimed) > 1  # a whole batch was claimed, not one delivery at a time
    assert rcpts[-1] not in before

    with service_process("notify", env=env, log_dir=tmp_path) as (proc, base):
        wait_http(f"{base}/readyz", timeout=60)
        _wait(lambda: len({to for m in mail_sink.messages for to in m["to"]}) + _unconfirmed(db) >= size,
              timeout=120, what="the rest of the fan-out after recovery")
        await asyncio.sleep(2.5)  # a second send of anything would show up now
    received = [to for m in mail_sink.messages for to in m["to"]]
    assert len(received) == len(set(received)), "a mail went out twice"
    unconfirmed = {d["address"] for d in db["delivery_queue"].find({"status": "unconfirmed"})}
    # only a mail whose DATA had gone out (its mark written) may be unknown; the tenth, killed at RCPT, and every
    # claimed-but-unstarted one of the batch were provably unsent and went out once after the restart
    assert set(received) | unconfirmed == {f"kesken{i:04d}@example.fi" for i in range(size)}
    assert not unconfirmed & set(received)
    assert rcpts[9] in received and len(unconfirmed) <= 1
    assert len(received) >= size - 1


def _unconfirmed(db: Any) -> int:
    return int(db["delivery_queue"].count_documents({"status": "unconfirmed"}))


def _wait(condition, timeout: float = 60.0, what: str = "condition"):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not reached within {timeout}s")
        time.sleep(0.05)


async def _publish(nats_url: str, env: Any) -> None:
    nc = await nats.connect(nats_url)
    try:
        await nc.jetstream().publish(env.type, env.model_dump_json().encode(), headers={"Nats-Msg-Id": env.id})
    finally:
        await nc.close()


async def _n(sink: MailSink) -> int:
    return len(sink.messages)
