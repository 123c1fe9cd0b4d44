"""The raw primitives every Koonto figure is divided by, measured on the same servers in the same run."""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass
from email.message import EmailMessage

import aiosmtplib
import httpx
import nats
from pymongo import AsyncMongoClient


@dataclass
class Rate:
    count: int
    seconds: float
    latencies: list[float]

    @property
    def per_second(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
        return ordered[index]


async def concurrently(total: int, concurrency: int, one: object) -> Rate:
    """Runs `one(i)` `total` times with `concurrency` workers; records each call's latency."""
    latencies: list[float] = []
    counter = iter(range(total))

    async def worker() -> None:
        for i in counter:
            started = time.perf_counter()
            await one(i)  # type: ignore[operator]
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return Rate(total, time.perf_counter() - started, latencies)


async def store_inserts(mongo_url: str, total: int, concurrency: int) -> Rate:
    client: AsyncMongoClient[dict] = AsyncMongoClient(mongo_url)
    collection = client["bench_raw"][f"inserts_{uuid.uuid4().hex[:6]}"]
    payload = {"title": "x" * 200, "description": "y" * 1500, "n": 0}
    try:
        return await concurrently(total, concurrency, lambda i: collection.insert_one({**payload, "n": i}))
    finally:
        await client.drop_database("bench_raw")
        await client.close()


async def nats_publish_consume(nats_url: str, total: int) -> tuple[Rate, Rate]:
    """JetStream publish (acked, with Nats-Msg-Id) and pull-consume (batch fetch + ack) of `total` messages."""
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    stream = f"BENCH_{uuid.uuid4().hex[:6]}"
    subject = f"bench.{stream}"
    await js.add_stream(name=stream, subjects=[subject])
    body = b"x" * 1500
    try:
        started = time.perf_counter()
        pending = []
        for i in range(total):
            pending.append(js.publish(subject, body, headers={"Nats-Msg-Id": f"{stream}-{i}"}))
            if len(pending) >= 256:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
        publish = Rate(total, time.perf_counter() - started, [])

        sub = await js.pull_subscribe(subject, durable="bench")
        started = time.perf_counter()
        received = 0
        while received < total:
            messages = await sub.fetch(min(256, total - received), timeout=5)
            for message in messages:
                await message.ack()
            received += len(messages)
        consume = Rate(total, time.perf_counter() - started, [])
        return publish, consume
    finally:
        await js.delete_stream(stream)
        await nc.close()


async def nats_round_trip(nats_url: str, count: int = 200) -> Rate:
    """One JetStream publish followed by its pull-consume, one message at a time (the e2e raw step)."""
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    stream = f"BENCHRT_{uuid.uuid4().hex[:6]}"
    subject = f"benchrt.{stream}"
    await js.add_stream(name=stream, subjects=[subject])
    sub = await js.pull_subscribe(subject, durable="rt")
    latencies = []
    try:
        for i in range(count):
            started = time.perf_counter()
            await js.publish(subject, b"x" * 1500, headers={"Nats-Msg-Id": f"rt-{i}"})
            messages = await sub.fetch(1, timeout=5)
            await messages[0].ack()
            latencies.append(time.perf_counter() - started)
        return Rate(count, sum(latencies), latencies)
    finally:
        await js.delete_stream(stream)
        await nc.close()


async def smtp_sends(host: str, port: int, total: int, concurrency: int) -> Rate:
    async def send(i: int) -> None:
        message = EmailMessage()
        message["From"] = "bench@koonto.local"
        message["To"] = f"raw{i}@example.fi"
        message["Subject"] = "raw"
        message.set_content("raw smtp send " * 20)
        await aiosmtplib.send(message, hostname=host, port=port)

    return await concurrently(total, concurrency, send)


async def http_round_trips(url: str, total: int, concurrency: int) -> Rate:
    async with httpx.AsyncClient(timeout=10) as client:
        return await concurrently(total, concurrency, lambda i: client.get(url))
