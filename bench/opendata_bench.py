"""Time the open-data files: `python -m bench.opendata_bench --events 20000 [--store nx-27017|ferretdb]`.

Starts a real store in a temporary folder, builds a generation from a varied synthetic stream
(`tests.reporting.synthetic`, applied in bulk as the replay does), then measures, in the same run:

- the raw primitive: reading the month roll-ups of the whole history (`ReadModels.all_time_rows`), which every
  open-data answer reads once;
- `ReportViews.open_data()`: the roll-ups summed per quarter, municipality and theme, every grid suppressed;
- the CSV and JSON built from those cells.

Each figure is the median of `--repeats` runs, printed with its ratio to the raw read.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

from koonto.reporting.exports.opendata import about, build_csv, build_json
from koonto.reporting.store import BulkReadModels, Generations
from koonto.reporting.use_cases.projection import apply_event
from koonto.reporting.views import ReportViews
from koonto.shared.mongo import Store, make_client
from koonto.shared.region import load_region
from tests.reporting.synthetic import stream
from tests.support.servers import mongo_server, temp_base


async def median_seconds(repeats: int, work: Callable[[], Awaitable[Any]]) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        await work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


async def run(mongo_url: str, events: int, repeats: int) -> None:
    client = make_client(mongo_url)
    store = Store(client["opendata_bench"])
    generations = Generations(store)
    generation = await generations.ensure()
    building = BulkReadModels(store, generation)
    await building.ensure_indexes()
    for envelope in stream(events):
        await apply_event(building, envelope)
    await building.flush(final=True)
    await building.drain()
    region = load_region("pohjois-savo")
    views = ReportViews(generations, region)
    models = await generations.active()
    rows = await models.all_time_rows(None)
    print(f"{events} events -> {len(rows)} month roll-ups", flush=True)

    raw = await median_seconds(repeats, lambda: models.all_time_rows(None))
    cells = await median_seconds(repeats, views.open_data)
    view = await views.open_data()
    meta = about(region, view.generated_at, view.first, view.last)

    async def files() -> None:
        build_csv(view.cells, region)
        build_json(view.cells, region, meta)

    built = await median_seconds(repeats, files)
    print(f"{len(view.cells)} cells", flush=True)
    print("| what | median | ratio to the raw read |\n| --- | --- | --- |")
    for name, seconds in (("raw: read the month roll-ups", raw), ("open_data(): cells, suppressed", cells),
                          ("CSV + JSON from the cells", built)):
        print(f"| {name} | {seconds * 1000:.1f} ms | {seconds / raw:.1f} |")
    await client.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--store", choices=["nx-27017", "ferretdb"], default="nx-27017")
    args = parser.parse_args()
    os.environ["KOONTO_TEST_STORE"] = args.store
    server = mongo_server(temp_base("koonto-opendata-bench-"))
    server.start()
    try:
        asyncio.run(run(f"mongodb://127.0.0.1:{server.port}/", args.events, args.repeats))
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
