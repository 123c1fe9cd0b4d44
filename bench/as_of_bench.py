"""Time as-of reports against the current report at the same history size:
`python -m bench.as_of_bench --events 10000 [--store nx-27017|ferretdb] [--repeats 5]`.

Starts a real NATS server and a real store in a temporary folder and publishes a varied synthetic stream
(`tests.reporting.synthetic`) in two parts, the first 90 % and the last 10 %; the active generation is built from
the whole stream (in bulk, as the replay does). The as-of days are named by the instants between the parts
(`day_end`), as the integration test does, since the stream stamps its messages with the real time. Measured in
one run, each the median of `--repeats`:

- the current report: the summary of 2026 from the active generation (`ReportViews.report`);
- the as-of report from its checkpoint (the usual case: the day was asked for before): the same summary;
- the first as-of report of a day after an existing checkpoint: the copy of that checkpoint plus the events
  recorded after it, folded in bulk (one build, not repeated), and the copy alone;
- the first as-of report of a deployment: every event up to the day folded in bulk (one build).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Any

import nats

from koonto.reporting.domain.query import ReportQuery
from koonto.reporting.history import StreamHistory
from koonto.reporting.store import BulkReadModels, Checkpoints, Generations
from koonto.reporting.use_cases.as_of import AsOfReports
from koonto.reporting.use_cases.projection import apply_event
from koonto.reporting.views import ReportViews
from koonto.shared.bus import ensure_stream
from koonto.shared.clock import utcnow
from koonto.shared.contracts import Envelope
from koonto.shared.mongo import Store, make_client
from koonto.shared.region import load_region
from tests.reporting.synthetic import stream
from tests.support.servers import provide_mongo, provide_nats, temp_base

YEAR = ReportQuery(date(2026, 1, 1), date(2026, 12, 31), None)
FIRST_DAY, LATER_DAY = date(2026, 9, 30), date(2026, 10, 31)


async def seconds(work: Callable[[], Awaitable[Any]]) -> float:
    started = time.perf_counter()
    await work()
    return time.perf_counter() - started


async def median_seconds(repeats: int, work: Callable[[], Awaitable[Any]]) -> float:
    return statistics.median([await seconds(work) for _ in range(repeats)])


async def publish(nats_url: str, events: list[Envelope], offset: int) -> None:
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    await ensure_stream(js)
    for start in range(0, len(events), 1000):
        await asyncio.gather(*(js.publish(env.type, env.model_dump_json().encode(),
                                          headers={"Nats-Msg-Id": f"{env.id}-{offset + start + i}"})
                               for i, env in enumerate(events[start:start + 1000])))
    await nc.close()


async def run(nats_url: str, mongo_url: str, count: int, repeats: int) -> None:
    events = stream(count)
    split = len(events) * 9 // 10
    ends: dict[date, datetime] = {}
    await publish(nats_url, events[:split], 0)
    ends[FIRST_DAY] = utcnow()
    await publish(nats_url, events[split:], split)
    ends[LATER_DAY] = utcnow()

    client = make_client(mongo_url)
    store = Store(client["as_of_bench"])
    generations = Generations(store)
    generation = await generations.ensure()
    building = BulkReadModels(store, generation)
    await building.ensure_indexes()
    for envelope in events:
        await apply_event(building, envelope)
    await building.flush(final=True)
    await building.drain()
    as_of = AsOfReports(Checkpoints(store, generations.steps), StreamHistory(nats_url), day_end=ends.__getitem__)
    views = ReportViews(generations, load_region("pohjois-savo"), as_of=as_of)

    full = await seconds(lambda: views.report(YEAR, as_of=FIRST_DAY))
    first = await as_of.checkpoints.of_day(FIRST_DAY)
    assert first is not None
    copy = await seconds(lambda: as_of.checkpoints.copy(first.generation, "asofbenchcopy"))
    await as_of.checkpoints.drop("asofbenchcopy")
    tail = await seconds(lambda: views.report(YEAR, as_of=LATER_DAY))
    current = await median_seconds(repeats, lambda: views.report(YEAR))
    warm = await median_seconds(repeats, lambda: views.report(YEAR, as_of=LATER_DAY))
    same = (await views.report(YEAR, as_of=LATER_DAY)).summary
    same.pop("as_of")
    assert same == (await views.report(YEAR)).summary, "the as-of report of the last day is the current report"
    print(f"{len(events)} events; first checkpoint at {split}, the later day {len(events) - split} events after it",
          flush=True)
    print("| what | time | ratio to the current report |\n| --- | --- | --- |")
    for name, spent in (("current report (summary of 2026)", current),
                        ("as-of report from its checkpoint", warm),
                        (f"first as-of report of a day: checkpoint copy + {len(events) - split} events", tail),
                        ("  of which: the copy of the checkpoint alone", copy),
                        (f"first as-of report of a deployment: {split} events folded in bulk", full)):
        print(f"| {name} | {spent * 1000:.0f} ms | {spent / current:.2f} |")
    await client.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--store", choices=["nx-27017", "ferretdb"], default="nx-27017")
    args = parser.parse_args()
    os.environ["KOONTO_TEST_STORE"] = args.store
    base = temp_base("koonto-as-of-bench-")
    with provide_nats(base) as (nats_url, _), provide_mongo(base) as (mongo_url, _):
        asyncio.run(run(nats_url, mongo_url, args.events, args.repeats))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
