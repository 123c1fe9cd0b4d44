"""Profile intake's `POST /api/v1/ideas` on the whole running system, with its raw primitive in the same run.

    .venv/bin/python -m bench.intake_profile --store nx-27017 [--n 400] [--profile /tmp/intake.svg]

Measures, in one run on the same servers:
- raw single-document inserts/s at concurrency 16 (bench.raw.store_inserts, the figure intake is divided by);
- intake accepted ideas/s at concurrency 16 with the consumer services running, and with them paused (SIGSTOP),
  to separate intake's own cost from the load the consumers put on the same cores and store;
- latency of one idea at a time: POST -> 201, POST -> the idea-submitted event seen on NATS, POST -> receipt mail,
  and the raw steps docs/benchmarks.md sums (HTTP round trip, insert, publish/consume, SMTP send).
`--profile PATH` records the intake process with py-spy (the venv's, else `uvx py-spy record`) during the
paused-consumer load.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import nats
import psutil

from bench import raw, scenarios
from bench.raw import Rate
from tests.support.servers import temp_base
from tests.support.system import System, running_system

pause = scenarios.pause_consumers
CONSUMERS = scenarios.CONSUMERS


async def idea_to_event(system: System, count: int) -> tuple[Rate, Rate]:
    """(POST -> 201, POST -> idea-submitted on NATS), one idea at a time."""
    url = f"{system.services['intake'].url}/api/v1/ideas"
    run = uuid.uuid4().hex[:6]
    nc = await nats.connect(system.nats_url)
    seen: dict[str, float] = {}
    arrived = asyncio.Event()

    async def on_message(message: object) -> None:
        seen[message.data.decode()] = time.perf_counter()  # type: ignore[attr-defined]
        arrived.set()

    await nc.subscribe("koonto.intake.idea-submitted.v1", cb=on_message)
    answered: list[float] = []
    published: list[float] = []
    try:
        async with httpx.AsyncClient(timeout=30) as client:
            for i in range(count):
                payload = scenarios.idea_payload(i, f"ev{run}")
                started = time.perf_counter()
                response = await client.post(url, json=payload)
                response.raise_for_status()
                marker = response.json()["reference"]  # the contact is sealed in the event; the reference is not
                answered.append(time.perf_counter() - started)
                deadline = started + 30
                while True:
                    hit = next((t for body, t in seen.items() if marker in body), None)
                    if hit is not None:
                        published.append(hit - started)
                        break
                    if time.perf_counter() > deadline:
                        raise TimeoutError(f"idea-submitted for {marker} never reached NATS")
                    arrived.clear()
                    with _suppress_timeout():
                        await asyncio.wait_for(arrived.wait(), 0.5)
                seen.clear()
    finally:
        await nc.close()
    return Rate(count, sum(answered), answered), Rate(count, sum(published), published)


class _suppress_timeout:
    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, *_: object) -> bool:
        return kind is TimeoutError


class CpuMeter:
    """CPU seconds used by intake, the store, NATS, the consumer services and this client between two points."""

    def __init__(self, system: System) -> None:
        self.processes: dict[str, list[psutil.Process]] = {}
        for name, server in (("store", system.store), ("nats", system.nats)):
            if server and server.process:
                root = psutil.Process(server.process.pid)
                self.processes[name] = [root, *root.children(recursive=True)]
        self.processes["intake"] = [psutil.Process(system.services["intake"].process.pid)]  # type: ignore[union-attr]
        self.processes["consumers"] = [
            psutil.Process(system.services[n].process.pid) for n in CONSUMERS  # type: ignore[union-attr]
        ]
        self.processes["client"] = [psutil.Process()]
        self.start = self._now()

    def _now(self) -> dict[str, float]:
        return {name: sum(sum(p.cpu_times()[:2]) for p in procs) for name, procs in self.processes.items()}

    def per_item(self, count: int) -> str:
        now = self._now()
        return ", ".join(f"{name} {(now[name] - self.start[name]) / count * 1000:.2f}" for name in now)


def py_spy() -> list[str]:
    """The venv's py-spy (`uv pip install py-spy`, not in the lock) if there is one, else through uvx."""
    beside = Path(sys.executable).parent / "py-spy"
    return [str(beside)] if beside.exists() else ["uvx", "py-spy"]


def ms(rate: Rate, p: float = 50) -> str:
    return f"{rate.percentile(p) * 1000:.1f} ms"


async def measure(system: System, args: argparse.Namespace) -> None:
    n, concurrency = args.n, 16
    sent = [20 + 2 * n]
    await scenarios.intake_ideas(system, 20, 4)  # warm-up: imports, connection pools, the year's counter
    inserts = await raw.store_inserts(system.mongo_url, n, concurrency)
    print(f"raw inserts at c{concurrency}: {inserts.per_second:.0f}/s (p50 {ms(inserts)})", flush=True)

    cpu = CpuMeter(system)
    ideas = await scenarios.intake_ideas(system, n, concurrency)
    print(f"  CPU ms per idea: {cpu.per_item(n)}", flush=True)
    print(f"intake ideas at c{concurrency}, consumers running: {ideas.per_second:.0f}/s "
          f"(p50 {ms(ideas)}, p99 {ms(ideas, 99)}) ratio {ideas.per_second / inserts.per_second:.3f}", flush=True)

    pause(system, True)
    try:
        await asyncio.sleep(3)  # let the relay finish and clean what the first run left
        inserts_paused = await raw.store_inserts(system.mongo_url, n, concurrency)
        cpu = CpuMeter(system)
        paused = await scenarios.intake_ideas(system, n, concurrency)
        print(f"  CPU ms per idea (consumers paused): {cpu.per_item(n)}", flush=True)
        print(f"raw inserts, consumers paused: {inserts_paused.per_second:.0f}/s; intake ideas, consumers paused: "
              f"{paused.per_second:.0f}/s (p50 {ms(paused)}, p99 {ms(paused, 99)}) "
              f"ratio {paused.per_second / inserts_paused.per_second:.3f}", flush=True)
        serial_201, serial_nats = await idea_to_event(system, args.e2e)
        print(f"one at a time, consumers paused: POST->201 p50 {ms(serial_201)}; POST->event on NATS p50 "
              f"{ms(serial_nats)} p99 {ms(serial_nats, 99)}", flush=True)
        sent[0] += args.e2e
        if args.profile:  # a separate load: py-spy's sampling slows the process it samples
            pid = system.services["intake"].process.pid  # type: ignore[union-attr]
            spy = subprocess.Popen(  # noqa: ASYNC220 (a profiler beside the load, not part of it)
                [*py_spy(), "record", "-o", args.profile, "--pid", str(pid), "-r", "100", "--nonblocking",
                 *(["--format", "raw"] if args.profile.endswith(".txt") else [])],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
            await asyncio.sleep(2)
            await scenarios.intake_ideas(system, n, concurrency)
            spy.send_signal(signal.SIGINT)
            spy.wait(60)
            sent[0] += n
    finally:
        pause(system, False)
    started = time.perf_counter()
    while system.mail.count() < sent[0] and time.perf_counter() - started < 300:  # noqa: ASYNC110
        await asyncio.sleep(0.5)  # the consumers work through what the load left them before latency is measured
    print(f"consumers caught up ({system.mail.count()} receipt mails) {time.perf_counter() - started:.0f} s after "
          "the load", flush=True)

    answered, on_nats = await idea_to_event(system, args.e2e)
    http = await raw.http_round_trips(f"{system.services['intake'].url}/healthz", 200, 1)
    insert_one = await raw.store_inserts(system.mongo_url, 200, 1)
    round_trip = await raw.nats_round_trip(system.nats_url, 200)
    assert system.smtp is not None
    smtp_one = await raw.smtp_sends("127.0.0.1", system.smtp.port, 100, 1)
    e2e = await scenarios.idea_to_receipt_mail(system, args.e2e)
    raw_sum = http.percentile(50) + insert_one.percentile(50) + round_trip.percentile(50) + smtp_one.percentile(50)
    print(f"one at a time: POST->201 p50 {ms(answered)}; POST->event on NATS p50 {ms(on_nats)} "
          f"p99 {ms(on_nats, 99)}", flush=True)
    print(f"POST->receipt mail p50 {ms(e2e)} p99 {ms(e2e, 99)}; raw steps p50 {raw_sum * 1000:.1f} ms (HTTP "
          f"{ms(http)} + insert {ms(insert_one)} + publish/consume {ms(round_trip)} + SMTP {ms(smtp_one)}) "
          f"ratio {e2e.percentile(50) / raw_sum:.2f}x", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", choices=["nx-27017", "ferretdb"], default="nx-27017")
    parser.add_argument("--n", type=int, default=400, help="ideas per throughput measurement")
    parser.add_argument("--e2e", type=int, default=30, help="ideas sent one at a time for the latency figures")
    parser.add_argument("--profile", help="py-spy output (.svg flame graph, .txt collapsed stacks)")
    args = parser.parse_args()
    os.environ["KOONTO_TEST_STORE"] = args.store
    extra = {"KOONTO_RATE_LIMIT_REQUESTS": "100000000", "KOONTO_LOG_LEVEL": "WARNING"}
    with running_system(temp_base("koonto-intake-profile-"), extra_env=extra) as system:
        print(f"store {args.store}; intake pid {system.services['intake'].process.pid}", flush=True)  # type: ignore[union-attr]
        asyncio.run(measure(system, args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
