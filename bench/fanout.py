"""Fan-out throughput of notify alone, next to the raw SMTP primitive on the same servers in the same run.

    KOONTO_TEST_STORE=ferretdb .venv/bin/python -m bench.fanout --subscribers 50 500 2000
    ... --profile /tmp/notify.txt   # py-spy samples notify meanwhile; a summary is printed after the run

Starts NATS, the store, an aiosmtpd server and ONE notify process (the other services are not needed for a
fan-out and would only share the two cores). Subscribers are seeded straight into notify's directory (as
`test_fanout.py` does); the clock runs from publishing `call-opened` to the last mail accepted by SMTP.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import time
import uuid
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

import psutil
from pymongo import AsyncMongoClient

from bench import raw
from bench.scenarios import publish_events
from koonto.notify.store import NotifyStore
from koonto.shared.contracts.advisory import CallOpened
from tests.support.samples import envelope
from tests.support.servers import temp_base
from tests.support.system import System


async def seed(mongo_url: str, count: int, run: str) -> None:
    client: AsyncMongoClient[dict] = AsyncMongoClient(mongo_url, tz_aware=True)
    at = datetime(2026, 11, 1, tzinfo=UTC)
    docs = [
        NotifyStore.subscriber_document(
            f"fan-{run}-{i:06d}@example.fi", language=("fi", "sv", "en")[i % 3], municipality=None,
            topic="call_announcements", consent=True, at=at, source="bench",
        )
        for i in range(count)
    ]
    for start in range(0, len(docs), 1000):
        await client["notify"]["recipients"].insert_many(docs[start:start + 1000])
    await client.close()


async def one_fanout(system: System, subscribers: int) -> raw.Rate:
    run = uuid.uuid4().hex[:6]
    await seed(system.mongo_url, subscribers, run)
    before = system.mail.count()
    call = envelope(CallOpened(call_id=f"call-{run}", name="Benchmark-haku", funder="Elinvoimakeskus",
                               opens_on=date(2026, 12, 1), closes_on=date(2027, 1, 31)), subject=f"call-{run}")
    started = time.perf_counter()
    await publish_events(system.nats_url, [call])
    deadline = started + 3600
    while system.mail.count() - before < subscribers:
        if time.perf_counter() > deadline:
            raise TimeoutError(f"fan-out: {system.mail.count() - before} of {subscribers} mails")
        await asyncio.sleep(0.01)
    took = time.perf_counter() - started
    # every earlier subscriber receives this announcement too: wait for those, then count the next run afresh
    return raw.Rate(subscribers, took, [])


def cpu_seconds(system: System) -> dict[str, float]:
    """user+system CPU of notify, the store (with its children), NATS and this process (the SMTP server)."""
    procs = {"notify": system.services["notify"].process, "store": system.store.process,  # type: ignore[union-attr]
             "nats": system.nats.process}  # type: ignore[union-attr]
    out: dict[str, float] = {}
    for name, proc in procs.items():
        p = psutil.Process(proc.pid)  # type: ignore[union-attr]
        members = [p, *p.children(recursive=True)]
        out[name] = sum(sum(m.cpu_times()[:2]) for m in members)
    out["bench+smtp"] = sum(psutil.Process().cpu_times()[:2])
    return out


async def measure(system: System, sizes: list[int]) -> list[str]:
    assert system.smtp is not None
    lines = []
    smtp = await raw.smtp_sends("127.0.0.1", system.smtp.port, 300, 8)
    lines.append(f"raw SMTP sends (aiosmtplib.send, concurrency 8): {smtp.per_second:.0f}/s")
    for size in sizes:
        # a fresh database per size, so that each announcement goes to exactly `size` subscribers
        client: AsyncMongoClient[dict] = AsyncMongoClient(system.mongo_url)
        await client["notify"]["recipients"].delete_many({"role": "subscriber"})
        await client.close()
        before = cpu_seconds(system)
        fan = await one_fanout(system, size)
        used = {k: v - before.get(k, 0.0) for k, v in cpu_seconds(system).items()}
        lines.append(f"fan-out to {size}: {fan.seconds:.2f} s, {fan.per_second:.0f} mails/s, "
                     f"ratio {fan.per_second / smtp.per_second:.2f} of raw; CPU ms per mail: "
                     + ", ".join(f"{k} {1000 * v / size:.2f}" for k, v in used.items()))
    smtp = await raw.smtp_sends("127.0.0.1", system.smtp.port, 300, 8)
    lines.append(f"raw SMTP sends again (after): {smtp.per_second:.0f}/s")
    return lines


def summarise(path: Path, top: int = 40) -> str:
    """Share of samples per function (self) and per function anywhere on the stack (inclusive)."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = stack.split(";")
        own[frames[-1]] += n
        for frame in set(frames):
            inclusive[frame] += n
    out = [f"{total} samples", "-- self --"]
    out += [f"{100 * n / total:5.1f}%  {f}" for f, n in own.most_common(top)]
    out += ["-- inclusive --"]
    out += [f"{100 * n / total:5.1f}%  {f}" for f, n in inclusive.most_common(top)]
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subscribers", type=int, nargs="+", default=[50, 500, 2000])
    parser.add_argument("--profile", type=Path, default=None, help="py-spy raw output of notify here")
    parser.add_argument("--profile-store", type=Path, default=None, help="py-spy raw output of nx-27017 here")
    parser.add_argument("--env", nargs="*", default=[], help="extra KOONTO_X=value for notify")
    args = parser.parse_args()
    extra = {"KOONTO_LOG_LEVEL": "WARNING", **dict(e.split("=", 1) for e in args.env)}
    system = System(temp_base("koonto-fanout-"), extra_env=extra)
    print("logs in", system.base)
    spies: list[subprocess.Popen[bytes]] = []
    try:
        system.start(services=("notify",))
        if args.profile:
            # py-spy samples the notify process (no instrumentation overhead); raw collapsed stacks on SIGINT
            pid = system.services["notify"].process.pid  # type: ignore[union-attr]
            spies.append(subprocess.Popen(
                ["uvx", "py-spy", "record", "--pid", str(pid), "--format", "raw", "--rate", "200", "--nonblocking",
                 "-o", str(args.profile)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            if args.profile_store:  # nx-27017 is a Python server too
                store_pid = system.store.process.pid  # type: ignore[union-attr]
                spies.append(subprocess.Popen(
                    ["uvx", "py-spy", "record", "--pid", str(store_pid), "--subprocesses", "--format", "raw",
                     "--rate", "200", "--nonblocking", "-o", str(args.profile_store)], stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL))
            time.sleep(3)
        lines = asyncio.run(measure(system, args.subscribers))
    finally:
        for spy in spies:
            spy.send_signal(signal.SIGINT)
        for spy in spies:
            spy.wait(30)
        system.stop()
    store = os.environ.get("KOONTO_TEST_STORE", "(default)")
    print(f"store {store}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, extra env {extra}")
    print("\n".join(lines))
    for path in (args.profile, args.profile_store):
        if path and path.exists():
            print(f"== profile {path}")
            print(summarise(path))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
