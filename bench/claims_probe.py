"""Probe a store under the write pattern of batch claims (issue 14), with a latency probe beside it.

    .venv/bin/python -m bench.claims_probe --store ferretdb --pattern dupes --seconds 120

Two (or `--replicas`) claimers work through one queue of `--queue` deliveries the way the reverted batch claims did:
each takes the next `--batch` due entries, inserts their claims with one unordered `insert_many` into `claims`
(both claimers race for the same entries, so about half of every insert is duplicate keys), moves the won entries
with one `update_many` on `_id: {$in}` plus guards, reads them back by token, then records each in the log and
deletes its queue entry. Patterns:

- `dupes`: as above (the reverted design: the same keys raced by every claimer, `$in`/token filters);
- `bounded`: claims without duplicates (each claimer takes a disjoint stripe of the queue) and every write by one
  `_id`, the batch insert bounded to `--batch` documents.

A probe beside it runs `listDatabases` and one insert every 0.5 s; printed each 10 s: probe p50/max, claims/s, and
the size of the claims collection. A stall shows as a probe that stops answering.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid
from datetime import UTC, datetime

from pymongo import AsyncMongoClient
from pymongo.errors import BulkWriteError

from tests.support.servers import mongo_server, temp_base


async def claimer(db, name: str, args, stats: dict, stop: asyncio.Event, stripe: int) -> None:
    queue, claims, log = db["queue"], db["claims"], db["log"]
    while not stop.is_set():
        query = {"status": "pending"}
        if args.pattern == "bounded":
            query["stripe"] = stripe
        due = [d async for d in queue.find(query).sort("n", 1).limit(args.batch)]
        if not due:
            await asyncio.sleep(0.05)
            continue
        token = f"{name}-{uuid.uuid4().hex[:8]}"
        docs = [{"_id": f"{d['_id']}#{d.get('seq', 0)}", "token": token, "at": time.time()} for d in due]
        lost: set[int] = set()
        try:
            await claims.insert_many(docs, ordered=False)
        except BulkWriteError as exc:
            lost = {int(e["index"]) for e in exc.details.get("writeErrors", []) if e.get("code") == 11000}
        won = [d for i, d in enumerate(due) if i not in lost]
        stats["dupes"] += len(lost)
        if not won:
            continue
        if args.pattern == "dupes":
            await queue.update_many({"_id": {"$in": [d["_id"] for d in won]}, "status": "pending"},
                                    {"$set": {"status": "sending", "locked_by": token}, "$inc": {"seq": 1}})
            mine = [d async for d in queue.find({"locked_by": token, "status": "sending"})]
        else:
            mine = []
            for d in won:
                await queue.update_one({"_id": d["_id"]}, {"$set": {"status": "sending", "locked_by": token},
                                                           "$inc": {"seq": 1}})
                mine.append(d)
        for d in mine:
            await log.insert_one({"_id": d["_id"], "by": token, "at": datetime.now(UTC)})
            await queue.delete_one({"_id": d["_id"]})
            stats["sent"] += 1


async def probe(db, samples: list[float], stop: asyncio.Event) -> None:
    while not stop.is_set():
        started = time.perf_counter()
        try:
            await asyncio.wait_for(db.client.admin.command("listDatabases"), 60)
            await asyncio.wait_for(db["probe"].insert_one({"at": time.time()}), 60)
            samples.append(time.perf_counter() - started)
        except TimeoutError:
            samples.append(60.0)
        await asyncio.sleep(0.5)


async def run(url: str, args) -> None:
    client: AsyncMongoClient = AsyncMongoClient(url, serverSelectionTimeoutMS=120_000, socketTimeoutMS=120_000)
    db = client[f"probe-{uuid.uuid4().hex[:6]}"]
    await db["queue"].insert_many([
        {"_id": f"d{i:06d}", "n": i, "status": "pending", "stripe": i % args.replicas, "pad": "x" * 600}
        for i in range(args.queue)
    ])
    stats = {"sent": 0, "dupes": 0}
    samples: list[float] = []
    stop = asyncio.Event()
    tasks = [asyncio.create_task(claimer(db, f"r{r}", args, stats, stop, r)) for r in range(args.replicas)]
    tasks.append(asyncio.create_task(probe(db, samples, stop)))
    started = last = time.perf_counter()
    sent_before = 0
    while time.perf_counter() - started < args.seconds and stats["sent"] < args.queue:
        await asyncio.sleep(10)
        now = time.perf_counter()
        window, samples[:] = list(samples), []
        claims_n = await db["claims"].estimated_document_count()
        print(f"t={now - started:5.0f}s sent={stats['sent']} ({(stats['sent'] - sent_before) / (now - last):.0f}/s) "
              f"dupes={stats['dupes']} claims={claims_n} probe p50="
              f"{statistics.median(window) * 1000 if window else float('nan'):.0f} ms "
              f"max={max(window, default=float('nan')) * 1000:.0f} ms n={len(window)}", flush=True)
        last, sent_before = now, stats["sent"]
    stop.set()
    await asyncio.wait(tasks, timeout=60)
    await client.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", choices=["nx-27017", "ferretdb"], default="ferretdb")
    parser.add_argument("--pattern", choices=["dupes", "bounded"], default="dupes")
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--queue", type=int, default=5000)
    parser.add_argument("--seconds", type=int, default=180)
    args = parser.parse_args()
    server = mongo_server(temp_base("koonto-claims-probe-"), kind=args.store)
    server.start()
    try:
        asyncio.run(run(f"mongodb://127.0.0.1:{server.port}/", args))
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
