"""The bulk rebuild (replay) against live consumption, on real NATS and a real store, over a varied stream:
every consumed event kind, the same event twice, events ahead of their case, cases that never come."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import httpx
import pytest

from koonto.reporting.main import create_runtime
from koonto.reporting.replay import replay
from koonto.reporting.settings import ReportingSettings
from koonto.reporting.store import Generations, ReadModels
from koonto.reporting.store.compaction import compact
from koonto.reporting.use_cases.projection import BY_TYPE, apply_event
from koonto.shared.contracts import Envelope
from koonto.shared.mongo import epoch_ms
from koonto.shared.runtime import Runtime
from tests.reporting.recounts import COMPARED, comparable
from tests.reporting.synthetic import MUNICIPALITIES, stream
from tests.support.polling import eventually
from tests.support.samples import envelope, idea_submitted
from tests.support.services import FAST_CONSUMER, client, running
from tests.support.staff import TEST_JWKS_JSON, bearer

FUNDER = bearer("funder")
PERIODS: list[tuple[date, date, str | None]] = [
    (date(2026, 1, 1), date(2026, 12, 31), None),
    (date(2026, 1, 1), date(2027, 12, 31), None),
    (date(2026, 1, 1), date(2026, 3, 31), None),
    (date(2026, 4, 1), date(2026, 9, 30), None),
    (date(2026, 10, 1), date(2027, 6, 30), None),
    *[(date(2026, 1, 1), date(2027, 12, 31), m) for m in MUNICIPALITIES[:4]],
    (date(2026, 5, 1), date(2026, 8, 31), MUNICIPALITIES[5]),
]


def settings_for(nats_url: str, mongo_url: str, db: str) -> ReportingSettings:
    return ReportingSettings(
        nats_url=nats_url, mongo_url=mongo_url, mongo_database=db, staff_jwks_url=TEST_JWKS_JSON,
        **FAST_CONSUMER,  # type: ignore[arg-type]
    )


async def reports(http: httpx.AsyncClient) -> list[dict[str, Any]]:
    out = []
    for first, last, municipality in PERIODS:
        query = {"from": first.isoformat(), "to": last.isoformat(), **({"municipality": municipality}
                                                                       if municipality else {})}
        response = await http.get("/api/v1/reports/summary", params=query, headers=FUNDER)
        assert response.status_code == 200, response.text
        body = response.json()
        body.pop("generated_at")
        out.append(body)
    showcase = await http.get("/esittely")
    assert showcase.status_code == 200
    out.append({"showcase": showcase.text})
    return out


def normalised(doc: dict[str, Any]) -> dict[str, Any]:
    """A read-model document as the numbers see it: nx-27017 hands some `$set` booleans back as 1."""
    return {k: (int(v) if isinstance(v, bool) else v) for k, v in doc.items() if k != "recorded_at"}


async def documents(models: ReadModels) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for name in COMPARED:
        collection = getattr(models, name)
        out[name] = comparable({d["_id"]: normalised(d) async for d in collection.find({})})
    return out


async def processed(runtime: Runtime) -> int:
    return await runtime.db["processed_events"].count_documents({})


def consumed(events: list[Envelope]) -> int:
    return len({e.id for e in events if e.type in BY_TYPE})


@pytest.fixture
async def live(
    clean_stream: str, mongo_url: str, db_names: dict[str, str],
) -> AsyncIterator[tuple[Runtime, list[Envelope]]]:
    runtime = create_runtime(settings_for(clean_stream, mongo_url, db_names["reporting"]))
    events = stream(350, seed=11, run="t")
    async with running(runtime):
        for i, env in enumerate(events):  # a second copy of an event goes out under its own message id
            await runtime.publisher(env.type, env.model_dump_json().encode(), f"{env.id}-{i}")
        await eventually(lambda: processed(runtime), until=lambda n: n == consumed(events), timeout=480,
                         what="every event consumed live")
        yield runtime, events


@pytest.mark.timeout(900)  # live consumption of the stream takes a while on FerretDB (a loaded machine: ~1 event/s)
async def test_bulk_rebuild_gives_the_live_numbers_and_documents(live: tuple[Runtime, list[Envelope]]) -> None:
    runtime, events = live
    assert len(events) > len({e.id for e in events})  # the stream does hold duplicates
    generations = Generations(runtime.store)
    live_models = await generations.active()
    await compact(live_models, 0)  # the live path's markers removed: then its documents are the rebuild's
    live_docs = await documents(live_models)
    assert live_docs["parked"], "the stream holds events whose case never comes"
    async with client(runtime) as http:
        live_reports = await reports(http)
        assert live_reports[0]["ideas"]["total"] > 25 and live_reports[0]["decisions"]["funded"]["decisions"] > 0
        # tiny windows and case cache: duplicates across windows, cases written and read back, parked spilled
        result = await replay(runtime.settings, show_progress=False, keep_old=True,  # type: ignore[arg-type]
                              flush_every=97, max_cases=50)
        assert result.read == len(events) and result.undecodable == 0
        assert result.unresolved == len(live_docs["parked"])
        rebuilt = ReadModels(runtime.store, result.generation)
        assert await generations.active_name() == result.generation
        assert await reports(http) == live_reports
        assert await documents(rebuilt) == live_docs

        # every event delivered once more to the live path, as a redelivery after the switch would be: the
        # facts the rebuild wrote (its counters carry no markers) refuse a second count
        for env in events[:: 3]:
            await apply_event(rebuilt, env)
        assert await documents(rebuilt) == live_docs

        # and a rebuild with the default windows, with facts written past a tiny seen-ids limit, agrees too
        again = await replay(runtime.settings, show_progress=False, max_seen=100)  # type: ignore[arg-type]
        assert await documents(ReadModels(runtime.store, again.generation)) == live_docs
        assert await reports(http) == live_reports

        # a rebuild killed half-way, then started again, ends with the same documents and reports
        killed = await kill_half_way(runtime)
        assert await generations.active_name() == again.generation  # the killed one never switched
        restarted = await replay(runtime.settings, show_progress=False)  # type: ignore[arg-type]
        assert await documents(ReadModels(runtime.store, restarted.generation)) == live_docs
        assert await reports(http) == live_reports
        assert not [n for n in await runtime.db.list_collection_names() if n.startswith(f"rm_{killed}_")]


KILLED_REPLAY = """
import asyncio
from datetime import timedelta

import koonto.reporting.replay as replay
from koonto.reporting.settings import ReportingSettings
from koonto.reporting.store import BulkReadModels

replay.LEASE_TTL = timedelta(seconds=2)  # the test waits for the lease of the killed replay to expire
replay.BULK_BATCH = 20  # small windows, each written slowly: the kill comes half-way
flush = BulkReadModels.flush


async def slow_flush(self, **kwargs):
    await flush(self, **kwargs)
    await asyncio.sleep(0.2)


BulkReadModels.flush = slow_flush
asyncio.run(replay.replay(ReportingSettings(), show_progress=False, flush_every=20))
"""


async def kill_half_way(runtime: Runtime) -> str:
    """Run a replay in a process of its own and SIGKILL it once its new generation holds facts but before it
    switched; then wait for its lease to expire. Returns the name of the half-built generation."""
    settings = runtime.settings
    env = {**os.environ, "KOONTO_NATS_URL": settings.nats_url, "KOONTO_MONGO_URL": settings.mongo_url,
           "KOONTO_MONGO_DATABASE": settings.mongo_database}
    active = await Generations(runtime.store).active_name()
    process = await asyncio.create_subprocess_exec(sys.executable, "-c", KILLED_REPLAY, env=env)

    async def half_built() -> list[str]:
        names = [n for n in await runtime.db.list_collection_names()
                 if n.startswith("rm_g") and n.endswith("_facts") and not n.startswith(f"rm_{active}_")]
        return [n for n in names if await runtime.db[n].count_documents({}) > 0]

    try:
        found = await eventually(half_built, timeout=120, what="a window of the new generation written")
    finally:
        still_running = process.returncode is None
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGKILL)
        await process.wait()
    assert still_running, "the replay ended before it could be killed"

    async def lease() -> dict[str, Any] | None:
        return await runtime.db["leases"].find_one({"_id": "reporting-replay"})

    await eventually(lease, until=lambda d: d is None or d["expires_ms"] < epoch_ms(), timeout=30,
                     what="the killed replay's lease expired")
    return found[0].removeprefix("rm_").removesuffix("_facts")


@pytest.mark.timeout(900)
async def test_events_published_during_a_bulk_rebuild_end_up_in_the_new_generation(
    live: tuple[Runtime, list[Envelope]],
) -> None:
    runtime, events = live
    async with client(runtime) as http:
        first = (await reports(http))[0]["ideas"]
        before, tervo_before = first["total"], first["by_municipality"].get("tervo", 0)
        published: list[Envelope] = []
        task = asyncio.create_task(replay(runtime.settings, show_progress=False, flush_every=50))  # type: ignore[arg-type]
        day = 0
        while (not task.done() and len(published) < 60) or len(published) < 5:
            env = envelope(idea_submitted(
                submitted_at=f"2026-06-{day % 28 + 1:02d}T09:00:00+00:00",
                organisation={"name": f"Myöhäinen {day} ry", "type": "registered_association",
                              "municipality": "tervo"},
            ))
            await runtime.publisher(env.type, env.model_dump_json().encode(), env.id)
            published.append(env)
            day += 1
            await asyncio.sleep(0.03)
        result = await task
        assert result.read >= len(events)
        assert await Generations(runtime.store).active_name() == result.generation
        await eventually(lambda: processed(runtime), until=lambda n: n == consumed(events) + len(published),
                         timeout=240, what="the live consumers took every new idea in")
        total = before + len(published)
        got = await eventually(lambda: reports(http), until=lambda r: r[0]["ideas"]["total"] == total, timeout=30,
                               what="every idea published during the replay counted in the new generation")
        # each counted exactly once, whether by a bulk pass, the catch-up or the live consumers (or several)
        assert got[0]["ideas"]["by_municipality"]["tervo"] == tervo_before + len(published)
        rebuilt = ReadModels(runtime.store, result.generation)
        facts = {d["_id"]: d async for d in rebuilt.facts.find({"type": "koonto.intake.idea-submitted.v1"})}
        assert all(facts[env.id]["applied"] for env in published)
