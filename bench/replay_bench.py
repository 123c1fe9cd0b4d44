"""Time the reporting replay alone: `python -m bench.replay_bench --events 10000 [--store nx-27017|ferretdb]`.

Starts a real NATS server and a real store in a temporary folder, publishes a varied synthetic stream
(`tests.reporting.synthetic`: every consumed event kind, duplicates, events ahead of their case), measures the raw
pull-consume rate of that stream on the same servers, then runs `koonto.reporting.replay.replay` and prints
events/s and the ratio. `--profile out.prof` runs the replay under cProfile.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import importlib
import os
import threading
import time
from collections import Counter
from datetime import date
from typing import Any

import nats
import nats.js.api as js_api

from koonto.reporting.replay import replay
from koonto.reporting.settings import ReportingSettings
from koonto.reporting.store import Generations
from koonto.reporting.use_cases.reports import build_summary
from koonto.shared.bus import STREAM_NAME, ensure_stream
from koonto.shared.mongo import Store, make_client
from koonto.shared.region import load_region
from tests.reporting.synthetic import stream
from tests.support.servers import mongo_server, nats_server, temp_base


def ideas_only(count: int) -> list[Any]:
    """What `bench.scenarios.ideas_backlog` publishes: idea-submitted only, over 2026 and 7 municipalities."""
    import random
    from datetime import UTC, datetime, timedelta

    from tests.support.samples import envelope, idea_submitted

    municipalities = ["kuopio", "iisalmi", "varkaus", "siilinjarvi", "leppavirta", "tervo", "kaavi"]
    rng = random.Random(42)
    start = datetime(2026, 1, 2, 9, 0, tzinfo=UTC)
    return [envelope(idea_submitted(
        reference=f"KOO-2026-{i % 9999 + 1:04d}", submitted_at=start + timedelta(minutes=rng.randrange(0, 480_000)),
        contact={"name": "Nimi", "email": f"backlog-{i}@example.fi", "language": "fi", "channel": "email"},
        organisation={"name": f"Yhdistys {i}", "type": "informal_group", "municipality": rng.choice(municipalities)},
    )) for i in range(count)]


async def publish_all(nats_url: str, count: int, kind: str = "mixed") -> int:
    events = stream(count) if kind == "mixed" else ideas_only(count)
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    await ensure_stream(js)
    pending = []
    for i, env in enumerate(events):
        pending.append(js.publish(env.type, env.model_dump_json().encode(), headers={"Nats-Msg-Id": f"{env.id}-{i}"}))
        if len(pending) >= 1000:
            await asyncio.gather(*pending)
            pending.clear()
    await asyncio.gather(*pending)
    total = (await js.stream_info(STREAM_NAME)).state.messages
    await nc.close()
    return int(total)


async def raw_consume(nats_url: str) -> float:
    """Messages/s of a plain pull consumer reading the whole stream in batches of 1000 (no decoding)."""
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    total = (await js.stream_info(STREAM_NAME)).state.messages
    config = js_api.ConsumerConfig(ack_policy=js_api.AckPolicy.NONE, deliver_policy=js_api.DeliverPolicy.ALL,
                                   inactive_threshold=30.0)
    sub = await js.pull_subscribe("koonto.>", durable="raw-bench", stream=STREAM_NAME, config=config)
    got = 0
    started = time.perf_counter()
    while got < total:
        got += len(await sub.fetch(1000, timeout=5))
    seconds = time.perf_counter() - started
    await js.delete_consumer(STREAM_NAME, "raw-bench")
    await nc.close()
    return got / seconds


async def report_latencies(settings: dict[int, ReportingSettings], rounds: int = 5) -> dict[int, list[float]]:
    """The summary of 2026 from each size's generation, the sizes taken in turn `rounds` times, so that the load
    of the machine falls alike on every size (the ratio between sizes is the figure); then, per size, the time
    and the documents of each read of the report (summed over `rounds` more reports)."""
    out: dict[int, list[float]] = {size: [] for size in settings}
    for _ in range(rounds):
        for size, one in settings.items():
            out[size] += await report_latency(one, repeats=1, quiet=True)
    for size, one in settings.items():
        print(f"  reads of the summary at {size} events, over {rounds} reports:", flush=True)
        await report_latency(one, repeats=rounds)
    return {size: sorted(times) for size, times in out.items()}


def _documents(result: Any) -> int:
    """How many documents a read returned (a list, or a tuple of lists, or a mapping)."""
    if isinstance(result, tuple):
        return sum(_documents(part) for part in result)
    return len(result) if isinstance(result, list | dict) else 0


async def report_latency(settings: ReportingSettings, repeats: int = 5, quiet: bool = False) -> list[float]:
    """Seconds to build the summary of 2026 (whole region) from the active generation, `repeats` times."""
    client = make_client(settings.mongo_url)
    models = await Generations(Store(client[settings.mongo_database])).active()
    region = load_region("pohjois-savo")
    spent: dict[str, float] = {}
    returned: dict[str, int] = {}
    for name in ("report_rows", "funnel_rows", "all_time_rows", "case_facts", "call_names"):
        method = getattr(models, name)

        async def timed(*args: Any, _method: Any = method, _name: str = name, **kwargs: Any) -> Any:
            started = time.perf_counter()
            result = None
            try:
                result = await _method(*args, **kwargs)
                return result
            finally:
                spent[_name] = spent.get(_name, 0.0) + time.perf_counter() - started
                returned[_name] = returned.get(_name, 0) + _documents(result)

        setattr(models, name, timed)
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        await build_summary(models, region, date(2026, 1, 1), date(2026, 12, 31), None)
        times.append(time.perf_counter() - started)
    if not quiet:
        print("  of which (all repeats): " + ", ".join(f"{k} {v:.2f} s ({returned[k]} docs)" for k, v in spent.items()),
              flush=True)
    await client.close()
    return sorted(times)


class PeakRss:
    """Resident memory of this process: at the start, and the highest seen (sampled every 0.1 s) until stopped."""

    def __init__(self) -> None:
        gc.collect()
        self.idle = self.peak = self.now()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    @staticmethod
    def now() -> int:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    def _sample(self) -> None:
        while not self._stop.wait(0.1):
            self.peak = max(self.peak, self.now())

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.now())


async def counter_sizes(settings: ReportingSettings) -> str:
    """How large the counters are (BSON bytes) and how many there are, per collection (and per metric of the
    collections a year's report reads)."""
    import bson

    client = make_client(settings.mongo_url)
    models = await Generations(Store(client[settings.mongo_database])).active()
    out = []
    for name, collection in (("month roll-ups", models.monthly), ("daily counters", models.counters),
                             ("year documents", models.years), ("funnel", models.funnel),
                             ("funnel months", models.funnel_monthly), ("funnel years", models.funnel_years)):
        sizes, metrics = [], Counter()
        async for d in collection.find({}):
            sizes.append(len(bson.encode(d)))
            metrics[str(d.get("metric"))] += 1
        if sizes:
            out.append(f"{name} {len(sizes)} docs, mean {sum(sizes) / len(sizes):.0f} B, max {max(sizes)} B, "
                       f"{sum(sizes) / 2**20:.1f} MB ({', '.join(f'{m} {n}' for m, n in metrics.most_common())})")
    await client.close()
    return "\n    ".join(out)


def sizes_run(sizes: list[int], store_name: str, rounds: int = 5) -> int:
    """Each size on a fresh NATS server (its own stream) and its own database on one store; then the reports."""
    base = temp_base("koonto-replay-bench-")
    store = mongo_server(base)
    store.start()
    settings: dict[int, ReportingSettings] = {}
    try:
        for size in sizes:
            nats_srv = nats_server(temp_base(f"koonto-replay-bench-{size}-"))
            nats_srv.start()
            try:
                nats_url = f"nats://127.0.0.1:{nats_srv.port}"
                one = ReportingSettings(nats_url=nats_url, mongo_url=f"mongodb://127.0.0.1:{store.port}/",
                                        mongo_database=f"reporting_bench_{size}")
                events = asyncio.run(publish_all(nats_url, size))
                consume = asyncio.run(raw_consume(nats_url))
                started = time.perf_counter()
                with PeakRss() as rss:
                    asyncio.run(replay(one, show_progress=False))
                seconds = time.perf_counter() - started
                print(f"{store_name}: replay of {events} events {events / seconds:.0f} events/s, raw pull-consume "
                      f"{consume:.0f} msg/s: {events / seconds / consume:.3f}; resident memory {rss.idle / 2**20:.0f}"
                      f" MB before, peak {rss.peak / 2**20:.0f} MB ({rss.peak / rss.idle:.2f}x)", flush=True)
                settings[events] = one
                print(f"  counters at {events} events: {asyncio.run(counter_sizes(one))}", flush=True)
            finally:
                nats_srv.stop()
        latencies = asyncio.run(report_latencies(settings, rounds))
        medians = {size: times[len(times) // 2] for size, times in latencies.items()}
        smallest = min(medians)
        for size, median in medians.items():
            print(f"summary of 2026 at {size} events: median {median * 1000:.0f} ms "
                  f"({median / medians[smallest]:.2f}x the one at {smallest})", flush=True)
    finally:
        store.stop()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--store", choices=["nx-27017", "ferretdb"], default="nx-27017")
    parser.add_argument("--kind", choices=["mixed", "ideas"], default="mixed",
                        help="a varied stream (tests.reporting.synthetic) or idea-submitted only (as bench/run.py)")
    parser.add_argument("--profile", help="write a cProfile of the replay to this file")
    parser.add_argument("--replays", type=int, default=1, help="replay this many times in a row")
    parser.add_argument("--code", help="import `replay` from this module instead (e.g. a copy of the old one)")
    parser.add_argument("--rounds", type=int, default=5, help="with --sizes: reports timed per size")
    parser.add_argument("--sizes", help="e.g. 10000,100000: replay each size into its own database and stream in "
                                        "this run, then time the report of every size in turn")
    args = parser.parse_args()
    if args.sizes:
        os.environ["KOONTO_TEST_STORE"] = args.store
        return sizes_run([int(n) for n in args.sizes.split(",")], args.store, args.rounds)
    os.environ["KOONTO_TEST_STORE"] = args.store
    run_replay = importlib.import_module(args.code).replay if args.code else replay
    base = temp_base("koonto-replay-bench-")
    nats_srv, store = nats_server(base), mongo_server(base)
    nats_srv.start()
    store.start()
    try:
        nats_url = f"nats://127.0.0.1:{nats_srv.port}"
        settings = ReportingSettings(nats_url=nats_url, mongo_url=f"mongodb://127.0.0.1:{store.port}/",
                                     mongo_database="reporting_bench")
        events = asyncio.run(publish_all(nats_url, args.events, args.kind))
        consume = asyncio.run(raw_consume(nats_url))
        print(f"{args.store}, {args.kind}: {events} events in the stream; raw pull-consume {consume:.0f} msg/s",
              flush=True)
        for _ in range(args.replays):
            profiler = cProfile.Profile() if args.profile else None
            started = time.perf_counter()
            if profiler:
                profiler.enable()
            with PeakRss() as rss:
                result = asyncio.run(run_replay(settings, show_progress=False))
            if profiler:
                profiler.disable()
                profiler.dump_stats(args.profile)
            seconds = time.perf_counter() - started
            print(f"replay: {result.read} read, {result.applied} applied, {result.ignored} ignored, "
                  f"{result.unresolved} parked, in {seconds:.1f} s = {events / seconds:.0f} events/s "
                  f"= {events / seconds / consume:.3f} of raw pull-consume; resident memory {rss.idle / 2**20:.0f} MB "
                  f"before, peak {rss.peak / 2**20:.0f} MB ({rss.peak / rss.idle:.2f}x)", flush=True)
        latency = asyncio.run(report_latency(settings))
        print(f"summary of 2026: median {latency[len(latency) // 2] * 1000:.0f} ms over {len(latency)}", flush=True)
    finally:
        store.stop()
        nats_srv.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
