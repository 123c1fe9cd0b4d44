"""Intake alone, in this process, on real NATS and a real store: CPU and store commands per accepted idea.

    .venv/bin/python -m bench.intake_inprocess --store nx-27017 [--n 300] [--cprofile /tmp/intake.prof]

No HTTP server and no other service: ideas are POSTed through ASGI one at a time, so the figures are intake's own
cost (validation, the application, pymongo, the relay's publish) and the store commands it sends, without the
scheduling noise of a loaded machine. Every store command intake and its relay send is counted by name.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import time
import uuid
from collections import Counter
from typing import Any

from pymongo import monitoring

from bench.scenarios import idea_payload
from tests.support.servers import mongo_server, nats_server, temp_base
from tests.support.services import client, running


class Commands(monitoring.CommandListener):
    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.database_name == "intake_bench":
            self.counts[event.command_name] += 1

    def succeeded(self, event: Any) -> None:
        pass

    def failed(self, event: Any) -> None:
        pass


async def measure(nats_url: str, mongo_url: str, n: int, profile: str | None) -> None:
    from koonto.intake.main import create_runtime
    from koonto.intake.settings import IntakeSettings
    from koonto.shared.contracts.intake import IdeaSubmitted

    commands = Commands()
    monitoring.register(commands)
    settings = IntakeSettings(
        mode="test", nats_url=nats_url, mongo_url=mongo_url, mongo_database="intake_bench",
        public_base_url="http://intake.test", rate_limit_requests=100_000_000, log_level="WARNING",
    )
    runtime = create_runtime(settings)
    import nats

    nc = await nats.connect(nats_url)
    seen: list[float] = []
    arrived = asyncio.Event()

    async def on_event(_: Any) -> None:
        seen.append(time.perf_counter())
        arrived.set()

    await nc.subscribe(IdeaSubmitted.event_type(), cb=on_event)
    async with running(runtime), client(runtime) as http:
        run = uuid.uuid4().hex[:6]
        for i in range(20):  # warm-up
            assert (await http.post("/api/v1/ideas", json=idea_payload(i, f"w{run}"))).status_code == 201
        await asyncio.sleep(1.5)
        commands.counts.clear()
        profiler = cProfile.Profile() if profile else None
        latencies: list[float] = []
        to_nats: list[float] = []
        cpu, wall = time.process_time(), time.perf_counter()
        if profiler:
            profiler.enable()
        for i in range(n):
            arrived.clear()
            started = time.perf_counter()
            response = await http.post("/api/v1/ideas", json=idea_payload(i, run))
            assert response.status_code == 201, response.text
            latencies.append(time.perf_counter() - started)
            await asyncio.wait_for(arrived.wait(), 10)
            to_nats.append(seen[-1] - started)
        if profiler:
            profiler.disable()
            profiler.dump_stats(profile)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        await asyncio.sleep(2.5)  # the relay's scans clean what the load left (counted too)
    await nc.close()
    latencies.sort()
    to_nats.sort()
    per_idea = {name: round(count / n, 2) for name, count in commands.counts.most_common()}
    print(f"{n} ideas one at a time: CPU {cpu / n * 1000:.2f} ms per idea (this process: intake, relay, client), "
          f"wall {wall / n * 1000:.2f} ms; POST->201 p50 {latencies[n // 2] * 1000:.2f} ms; "
          f"POST->on NATS p50 {to_nats[n // 2] * 1000:.2f} ms")
    print(f"store commands per idea: {sum(commands.counts.values()) / n:.2f} {per_idea}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", choices=["nx-27017", "ferretdb"], default="nx-27017")
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--cprofile", help="write cProfile stats of the measured ideas here")
    args = parser.parse_args()
    os.environ["KOONTO_TEST_STORE"] = args.store
    base = temp_base("koonto-intake-inprocess-")
    servers = [nats_server(base), mongo_server(base, kind=args.store)]
    for server in servers:
        server.start()
    try:
        asyncio.run(measure(f"nats://127.0.0.1:{servers[0].port}", f"mongodb://127.0.0.1:{servers[1].port}/",
                            args.n, args.cprofile))
    finally:
        for server in servers:
            server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
