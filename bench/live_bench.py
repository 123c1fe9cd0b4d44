"""Time the reporting service's live consumption: `python -m bench.live_bench --events 2000 [--store ...]`.

Starts real NATS and a real store, runs the reporting service in this process (its consumers as in production,
one replica), publishes a varied synthetic stream (`tests.reporting.synthetic`) and measures events/s until the
service has taken every consumed event in. `--apply-from module` swaps `ReadModels.apply`/`_increment_once` for
those of another module (e.g. a copy of an older store.py) to compare the two in one sitting.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
import time

from koonto.reporting import store
from koonto.reporting.main import create_runtime
from koonto.reporting.settings import ReportingSettings
from koonto.reporting.use_cases.projection import BY_TYPE
from koonto.shared.bus import ensure_stream
from tests.reporting.synthetic import stream
from tests.support.polling import eventually
from tests.support.servers import mongo_server, nats_server, temp_base
from tests.support.services import running


async def measure(nats_url: str, mongo_url: str, count: int) -> tuple[int, float]:
    import nats

    events = stream(count, seed=3, run="live")
    expected = len({e.id for e in events if e.type in BY_TYPE})
    nc = await nats.connect(nats_url)
    await ensure_stream(nc.jetstream())
    runtime = create_runtime(ReportingSettings(nats_url=nats_url, mongo_url=mongo_url, mongo_database="live_bench",
                                               log_level="WARNING"))
    async with running(runtime):
        js = nc.jetstream()
        started = time.perf_counter()
        pending = []
        for i, env in enumerate(events):
            headers = {"Nats-Msg-Id": f"{env.id}-{i}"}
            pending.append(js.publish(env.type, env.model_dump_json().encode(), headers=headers))
            if len(pending) >= 500:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
        await eventually(lambda: runtime.db["processed_events"].count_documents({}), until=lambda n: n >= expected,
                         timeout=3600, what="every event consumed")
        seconds = time.perf_counter() - started
    await nc.close()
    return expected, seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--store", choices=["nx-27017", "ferretdb"], default="nx-27017")
    parser.add_argument("--apply-from", help="module whose ReadModels.apply/_increment_once to use instead")
    args = parser.parse_args()
    os.environ["KOONTO_TEST_STORE"] = args.store
    if args.apply_from:
        other = importlib.import_module(args.apply_from).ReadModels
        store.ReadModels.apply = other.apply  # type: ignore[method-assign]
        store.ReadModels._increment_once = other._increment_once  # type: ignore[method-assign]
    base = temp_base("koonto-live-bench-")
    nats_srv, mongo = nats_server(base), mongo_server(base)
    nats_srv.start()
    mongo.start()
    try:
        consumed, seconds = asyncio.run(measure(f"nats://127.0.0.1:{nats_srv.port}",
                                                f"mongodb://127.0.0.1:{mongo.port}/", args.events))
        print(f"{args.store}{' (' + args.apply_from + ')' if args.apply_from else ''}: {consumed} events consumed "
              f"live in {seconds:.1f} s = {consumed / seconds:.0f} events/s", flush=True)
    finally:
        mongo.stop()
        nats_srv.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
