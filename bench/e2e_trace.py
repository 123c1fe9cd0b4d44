"""One idea's timeline, POST -> receipt accepted by SMTP, step by step (issue 14).

`python -m bench.e2e_trace [--ideas 20] [--store nx-27017|ferretdb]` starts the whole system as `bench.run` does,
posts ideas one at a time on an idle system and, for each, takes the wall-clock time of every step from what the
system already records (nothing is added to the services):

- POST sent, and its 201 answer (this process);
- idea-submitted on NATS (a core subscription on the stream's subjects in this process: the relay's publish);
- the delivery queued (`created_at` of notify's delivery log document), claimed (`sending_at`) and recorded as
  sent (`sent_at`);
- the mail accepted by the SMTP server (the bench's mailbox, stamped as it accepts).

Prints the p50 of each step's gap and the total. Store times have millisecond resolution.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx

from bench.scenarios import idea_payload
from tests.support.servers import temp_base
from tests.support.system import System, running_system


def stamp_mail(system: System) -> dict[str, float]:
    """Wraps the mailbox's DATA handler: the wall-clock time each recipient's mail was accepted."""
    accepted: dict[str, float] = {}
    handle = system.mail.handle_DATA

    async def timed(server: Any, session: Any, envelope: Any) -> str:
        answer = await handle(server, session, envelope)
        for address in envelope.rcpt_tos:
            accepted.setdefault(address.lower(), time.time())
        return answer

    system.mail.handle_DATA = timed  # type: ignore[method-assign]
    return accepted


def epoch(value: Any) -> float | None:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()
    if isinstance(value, str) and value:
        return datetime.fromisoformat(value).timestamp()
    return None


async def trace(system: System, count: int) -> list[dict[str, float]]:
    import nats
    from pymongo import AsyncMongoClient

    accepted = stamp_mail(system)
    nc = await nats.connect(system.nats_url)
    on_nats: list[float] = []

    async def seen(msg: Any) -> None:
        on_nats.append(time.time())

    await nc.subscribe("koonto.intake.idea-submitted.*", cb=seen)
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(system.mongo_url)
    log = client[system.services["notify"].env["KOONTO_MONGO_DATABASE"]]["deliveries"]
    url = f"{system.services['intake'].url}/api/v1/ideas"
    run = uuid.uuid4().hex[:6]
    rows: list[dict[str, float]] = []
    try:
        async with httpx.AsyncClient(timeout=30) as http:
            for _ in range(3):  # warm-up: connections, caches
                await http.get(f"{system.services['intake'].url}/healthz")
            for i in range(count):
                payload = idea_payload(i, f"trace{run}")
                address = payload["contact"]["email"].lower()
                before = len(on_nats)
                posted = time.time()
                response = await http.post(url, json=payload)
                response.raise_for_status()
                answered = time.time()
                deadline = time.monotonic() + 60
                while address not in accepted:
                    if time.monotonic() > deadline:
                        raise TimeoutError(address)
                    await asyncio.sleep(0.002)
                doc = None
                while doc is None or not doc.get("sent_at"):
                    doc = await log.find_one({"address": address})
                    await asyncio.sleep(0.01)
                row = {
                    "posted": posted, "answered": answered,
                    "on_nats": on_nats[before] if len(on_nats) > before else float("nan"),
                    "queued": epoch(doc.get("created_at")) or float("nan"),
                    "claimed": epoch(doc.get("sending_at")) or float("nan"),
                    "smtp": accepted[address],
                    "recorded": epoch(doc.get("sent_at")) or float("nan"),
                }
                rows.append(row)
                await asyncio.sleep(0.3)  # idle between ideas: the relay and consumers settle
    finally:
        await nc.close()
        await client.close()
    return rows


async def rush(system: System, seconds: float, concurrency: int = 16) -> list[dict[str, float]]:
    """The deadline rush of `bench.scenarios` with the same per-step times for every idea (store times only: the
    NATS step is not matched to ideas here)."""
    from pymongo import AsyncMongoClient

    from bench.scenarios import deadline_rush

    accepted = stamp_mail(system)
    posted: dict[str, float] = {}
    result = await deadline_rush(system, seconds, concurrency)
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(system.mongo_url)
    log = client[system.services["notify"].env["KOONTO_MONGO_DATABASE"]]["deliveries"]
    rows = []
    try:
        async for doc in log.find({}, {"address": 1, "created_at": 1, "sending_at": 1}):
            address = doc["address"]
            if not address.startswith("bench-rush"):
                continue
            posted[address] = float("nan")
            rows.append({
                "queued": epoch(doc.get("created_at")) or float("nan"),
                "claimed": epoch(doc.get("sending_at")) or float("nan"),
                "smtp": accepted.get(address, float("nan")),
            })
    finally:
        await client.close()
    print(f"rush: {result.submits.count} ideas, receipt p50 {result.receipts.percentile(50) * 1000:.0f} ms, "
          f"p99 {result.receipts.percentile(99) * 1000:.0f} ms, drain {result.drain_seconds:.1f} s")
    return rows


nan = float("nan")
STEPS = [("POST -> 201", "posted", "answered"), ("201 -> on NATS", "answered", "on_nats"),
         ("on NATS -> queued", "on_nats", "queued"), ("queued -> claimed", "queued", "claimed"),
         ("claimed -> SMTP accepted", "claimed", "smtp"), ("POST -> SMTP accepted", "posted", "smtp")]


def report(rows: list[dict[str, float]]) -> str:
    lines = ["| step | p50 ms | max ms |", "|---|---|---|"]
    for name, a, b in STEPS:
        gaps = [(r[b] - r[a]) * 1000 for r in rows if r.get(b, nan) == r.get(b, nan) and r.get(a, nan) == r.get(a, nan)]
        if gaps:
            lines.append(f"| {name} | {statistics.median(gaps):.1f} | {max(gaps):.1f} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ideas", type=int, default=20)
    parser.add_argument("--rush", type=float, default=0, help="seconds of a deadline rush after the trace")
    parser.add_argument("--store", choices=["nx-27017", "ferretdb"], default="nx-27017")
    args = parser.parse_args()
    os.environ["KOONTO_TEST_STORE"] = args.store
    extra = {"KOONTO_RATE_LIMIT_REQUESTS": "100000000", "KOONTO_LOG_LEVEL": "WARNING"}
    if os.environ.get("KOONTO_TRACE_PYTHONPATH"):  # a sitecustomize probe in the services (e.g. store commands)
        extra["PYTHONPATH"] = os.environ["KOONTO_TRACE_PYTHONPATH"]
    with running_system(temp_base("koonto-trace-"), extra_env=extra) as system:
        rows = asyncio.run(trace(system, args.ideas))
        rushed = asyncio.run(rush(system, args.rush)) if args.rush else []
    print(report(rows))
    if rushed:
        print(report(rushed))
    for row in rows[-3:]:
        print({k: f"{v:.4f}" for k, v in row.items()})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
