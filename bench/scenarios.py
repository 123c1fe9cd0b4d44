"""Koonto-level measurements, each paired with the raw primitive it is divided by."""

from __future__ import annotations

import asyncio
import signal
import time
import uuid
from dataclasses import dataclass
from email.utils import getaddresses
from typing import Any

import httpx

from bench.raw import Rate, concurrently
from tests.support.system import System


def idea_payload(i: int, run: str) -> dict[str, Any]:
    return {
        "organisation": {"name": f"Kyläyhdistys {run}-{i} ry", "type": "registered_association",
                         "business_id": "1572860-0", "municipality": "kuopio"},
        "contact": {"name": f"Maija Mittari {i}", "email": f"bench-{run}-{i}@example.fi", "language": "fi",
                    "channel": "email"},
        "title": f"Kylätalon kohtaamispaikka {run}-{i}",
        "description": "Avataan kylätalo kaikenikäisten kohtaamispaikaksi. " * 10,
        "themes": ["village"],
        "target_groups": ["ikäihmiset"],
        "estimated_budget_eur": 25000,
        "consents": {"privacy_notice": True},
    }


async def intake_ideas(system: System, total: int, concurrency: int) -> Rate:
    url = f"{system.services['intake'].url}/api/v1/ideas"
    run = uuid.uuid4().hex[:6]
    async with httpx.AsyncClient(timeout=30) as client:

        async def one(i: int) -> None:
            response = await client.post(url, json=idea_payload(i, run))
            if response.status_code != 201:
                raise RuntimeError(f"intake answered {response.status_code}: {response.text[:300]}")

        return await concurrently(total, concurrency, one)


CONSUMERS = ("advisory", "notify", "reporting")


def pause_consumers(system: System, paused: bool) -> None:
    """SIGSTOP (or SIGCONT) the consuming services: intake alone on the cores and the store."""
    for name in CONSUMERS:
        process = system.services[name].process
        if process and process.poll() is None:
            process.send_signal(signal.SIGSTOP if paused else signal.SIGCONT)


@dataclass
class Rush:
    submits: Rate  # POST -> 201, every idea of the rush
    receipts: Rate  # POST -> its receipt mail accepted by SMTP, every idea of the rush
    drain_seconds: float  # the last post answered -> the last receipt accepted


async def deadline_rush(system: System, seconds: float, concurrency: int) -> Rush:
    """The evening a call closes: `concurrency` clients post ideas back to back for `seconds` while the consumers
    run; each receipt is timed from its POST to its acceptance by the SMTP server (the mailbox is watched every
    10 ms), and the drain is the time from the last answer to the last receipt."""
    url = f"{system.services['intake'].url}/api/v1/ideas"
    run = uuid.uuid4().hex[:6]
    posted: dict[str, float] = {}
    received: dict[str, float] = {}
    latencies: list[float] = []
    stop_at = time.perf_counter() + seconds
    watching = True

    async def watch() -> None:
        seen = system.mail.count()
        while watching or len(received) < len(posted):
            with system.mail.lock:
                new = system.mail.messages[seen:]
            seen += len(new)
            now = time.perf_counter()
            for message in new:
                for _, address in getaddresses(message.get_all("To", [])):
                    if address.lower() in posted:
                        received.setdefault(address.lower(), now)
            await asyncio.sleep(0.01)

    async with httpx.AsyncClient(timeout=60) as client:

        async def poster(worker: int) -> None:
            n = 0
            while time.perf_counter() < stop_at:
                payload = idea_payload(n, f"rush{run}w{worker}")
                address = payload["contact"]["email"].lower()
                started = posted[address] = time.perf_counter()  # before the POST: the mail may beat the answer
                response = await client.post(url, json=payload)
                if response.status_code != 201:
                    raise RuntimeError(f"intake answered {response.status_code}: {response.text[:300]}")
                latencies.append(time.perf_counter() - started)
                n += 1

        watcher = asyncio.create_task(watch())
        started = time.perf_counter()
        await asyncio.gather(*(poster(w) for w in range(concurrency)))
        last_answer = time.perf_counter()
        watching = False
        async with asyncio.timeout(3600):
            await watcher
    receipts = [received[a] - posted[a] for a in posted]
    return Rush(Rate(len(posted), last_answer - started, latencies), Rate(len(receipts), sum(receipts), receipts),
                max(received.values()) - last_answer)


async def idea_to_receipt_mail(system: System, count: int) -> Rate:
    """POST /api/v1/ideas -> the receipt mail accepted by the SMTP server, one idea at a time."""
    url = f"{system.services['intake'].url}/api/v1/ideas"
    run = uuid.uuid4().hex[:6]
    latencies = []
    async with httpx.AsyncClient(timeout=30) as client:
        for i in range(count):
            payload = idea_payload(i, f"e2e{run}")
            address = payload["contact"]["email"]
            started = time.perf_counter()
            response = await client.post(url, json=payload)
            response.raise_for_status()
            deadline = started + 60
            while not system.mail.to(address):
                if time.perf_counter() > deadline:
                    raise TimeoutError(f"no receipt mail for {address}")
                await asyncio.sleep(0.002)
            latencies.append(time.perf_counter() - started)
    return Rate(count, sum(latencies), latencies)


async def publish_events(nats_url: str, envelopes: list[Any]) -> None:
    import nats

    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    pending = []
    for env in envelopes:
        pending.append(js.publish(env.type, env.model_dump_json().encode(), headers={"Nats-Msg-Id": env.id}))
        if len(pending) >= 500:
            await asyncio.gather(*pending)
            pending.clear()
    await asyncio.gather(*pending)
    await nc.close()


async def fanout(system: System, subscribers: int) -> Rate:
    """Mails per second of a call announcement to `subscribers` confirmed subscribers (from call-opened to the
    last mail accepted by the SMTP server)."""
    from datetime import UTC, date, datetime

    from koonto.shared.contracts.advisory import CallOpened
    from koonto.shared.contracts.intake import SubscriptionConfirmed
    from tests.support.samples import envelope

    run = uuid.uuid4().hex[:6]
    confirmations = [
        envelope(SubscriptionConfirmed(
            subscription_id=f"bench-{run}-{i}", topic="call_announcements", email=f"fan-{run}-{i}@example.fi",
            confirmed_at=datetime.now(UTC), source="bench", unsubscribe_url=f"http://127.0.0.1/u/{run}/{i}",
        ), subject=f"bench-{run}-{i}")
        for i in range(subscribers)
    ]
    await publish_events(system.nats_url, confirmations)
    await consumers_drained(system.nats_url, "notify")  # notify knows every subscriber before the call opens
    before = system.mail.count()
    call = envelope(CallOpened(call_id=f"call-{run}", name="Benchmark-haku", funder="Elinvoimakeskus",
                               opens_on=date(2026, 12, 1), closes_on=date(2027, 1, 31)), subject=f"call-{run}")
    started = time.perf_counter()
    await publish_events(system.nats_url, [call])
    deadline = started + 3600
    while system.mail.count() - before < subscribers:
        if time.perf_counter() > deadline:
            raise TimeoutError(f"fan-out: {system.mail.count() - before} of {subscribers} mails")
        await asyncio.sleep(0.05)
    return Rate(subscribers, time.perf_counter() - started, [])


async def stream_size(nats_url: str) -> int:
    import nats

    nc = await nats.connect(nats_url)
    info = await nc.jetstream().stream_info("KOONTO")
    await nc.close()
    return int(info.state.messages)


def replay(system: System) -> float:
    """Seconds the reporting replay command takes to rebuild from the whole stream."""
    import subprocess
    import sys

    env = dict(system.services["reporting"].env)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "koonto.reporting.replay", "--no-progress"], env=env, check=True,
                   capture_output=True, timeout=3600)
    return time.perf_counter() - started


async def consumers_drained(nats_url: str, prefix: str, timeout: float = 3600) -> float:
    """Waits until every durable consumer whose name starts with `prefix` has nothing pending or unacked;
    returns the seconds it took."""
    import nats

    started = time.perf_counter()
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    try:
        while True:
            busy = 0
            for info in await js.consumers_info("KOONTO"):
                if info.name.startswith(prefix):
                    busy += int(info.num_pending or 0) + int(info.num_ack_pending or 0)
            if busy == 0:
                return time.perf_counter() - started
            if time.perf_counter() - started > timeout:
                raise TimeoutError(f"{prefix} consumers still have {busy} messages")
            await asyncio.sleep(1)
    finally:
        await nc.close()


async def grow_stream_to(nats_url: str, target: int, run: str) -> int:
    """Publishes a varied synthetic stream (every event kind reporting reads, duplicates, events ahead of their
    case; tests.reporting.synthetic) until the stream holds about `target` events; returns how many it holds."""
    from tests.reporting.synthetic import stream

    missing = target - await stream_size(nats_url)
    if missing > 0:
        await publish_events(nats_url, stream(missing, run=run))
    return await stream_size(nats_url)


async def mail_quiet(system: System, quiet: float = 2.0, timeout: float = 3600) -> None:
    """Waits until the SMTP server has received nothing for `quiet` seconds (the queue of mails is empty)."""
    deadline = time.perf_counter() + timeout
    last, since = system.mail.count(), time.perf_counter()
    while time.perf_counter() - since < quiet:
        if time.perf_counter() > deadline:
            raise TimeoutError("mail kept arriving")
        await asyncio.sleep(0.2)
        if system.mail.count() != last:
            last, since = system.mail.count(), time.perf_counter()


async def summary_latency(mongo_url: str, database: str, repeats: int = 5) -> Rate:
    """The summary of 2026 for the whole region, built from the active read models as the API builds it."""
    from datetime import date

    from koonto.reporting.store import Generations
    from koonto.reporting.use_cases.reports import build_summary
    from koonto.shared.mongo import Store, make_client
    from koonto.shared.region import load_region

    client = make_client(mongo_url)
    try:
        models = await Generations(Store(client[database])).active()
        region = load_region("pohjois-savo")
        latencies = []
        for _ in range(repeats):
            started = time.perf_counter()
            await build_summary(models, region, date(2026, 1, 1), date(2026, 12, 31), None)
            latencies.append(time.perf_counter() - started)
    finally:
        await client.close()
    return Rate(repeats, sum(latencies), latencies)
