"""Outbox -> JetStream -> durable consumer, against real NATS and a real MongoDB-protocol server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import nats
import pytest
from pymongo import AsyncMongoClient

from koonto.shared.bus import STREAM_NAME, EventContext, Subscription, redrive
from koonto.shared.contracts import Envelope
from koonto.shared.contracts.intake import IdeaSubmitted
from koonto.shared.outbox import outbox_fields, outbox_set
from koonto.shared.runtime import Infra, Runtime, ServiceSpec
from koonto.shared.settings import ServiceSettings
from tests.support.polling import eventually, stays
from tests.support.samples import envelope, idea_submitted
from tests.support.servers import nats_server
from tests.support.services import FAST_CONSUMER, running


@dataclass
class ProbeBehaviour:
    fail_once: set[str] = field(default_factory=set)
    always_fail: set[str] = field(default_factory=set)
    failed: set[str] = field(default_factory=set)


def probe_runtime(nats_url: str, mongo_url: str, db: str, behaviour: ProbeBehaviour, **overrides: object) -> Runtime:
    async def on_idea(event: IdeaSubmitted, ctx: EventContext, deps: Infra) -> None:
        title = event.title
        if title in behaviour.always_fail or (title in behaviour.fail_once and title not in behaviour.failed):
            behaviour.failed.add(title)
            raise RuntimeError(f"handler failure for {title}")
        # $inc makes any double processing visible
        await deps.db["effects"].update_one(
            {"_id": ctx.event_id}, {"$inc": {"count": 1}, "$set": {"title": title}}, upsert=True
        )

    spec = ServiceSpec(
        name="probe", title="probe", subscriptions=[Subscription(IdeaSubmitted, on_idea)],
        outbox_collections=["things"],
    )
    settings = ServiceSettings(
        service_name="probe", nats_url=nats_url, mongo_url=mongo_url, mongo_database=db,
        **{**FAST_CONSUMER, "consumer_max_deliver": 3, **overrides},  # type: ignore[arg-type]
    )
    return Runtime(spec, settings)


async def write_thing(runtime: Runtime, env: Envelope, thing_id: str) -> None:
    """The one single-document write that holds state and the events it causes."""
    await runtime.db["things"].insert_one({"_id": thing_id, "state": "new", **outbox_fields(env)})
    runtime.infra.events_written()


async def effects(runtime: Runtime) -> dict[str, int]:
    return {d["title"]: d["count"] async for d in runtime.db["effects"].find()}


@pytest.fixture
async def probe(
    clean_stream: str, mongo_url: str, db_names: dict[str, str]
) -> AsyncIterator[tuple[Runtime, ProbeBehaviour]]:
    behaviour = ProbeBehaviour()
    runtime = probe_runtime(clean_stream, mongo_url, db_names["probe"], behaviour)
    async with running(runtime):
        yield runtime, behaviour


async def test_stream_is_declared_as_the_audit_trail(probe: tuple[Runtime, ProbeBehaviour], nats_url: str) -> None:
    nc = await nats.connect(nats_url)
    info = await nc.jetstream().stream_info(STREAM_NAME)
    await nc.close()
    assert info.config.subjects == ["koonto.>"]
    assert str(info.config.retention).lower().endswith("limits")
    assert str(info.config.storage).lower().endswith("file")
    assert info.config.duplicate_window is not None and info.config.duplicate_window >= 600


async def test_outbox_event_reaches_consumer_once_despite_double_publish_and_a_failure(
    probe: tuple[Runtime, ProbeBehaviour], nats_url: str
) -> None:
    runtime, behaviour = probe
    behaviour.fail_once.add("flaky")
    plain, flaky = idea_submitted(title="plain"), idea_submitted(title="flaky")
    env_plain, env_flaky = envelope(plain), envelope(flaky)
    await write_thing(runtime, env_plain, "a")
    await write_thing(runtime, env_flaky, "b")

    # a second relay (another replica) publishes the same events again: dropped by the duplicate window
    await runtime.publisher(env_plain.type, env_plain.model_dump_json().encode(), env_plain.id)
    # and a copy that slipped past the window (different Nats-Msg-Id): dropped by the consumer's inbox
    await runtime.publisher(env_plain.type, env_plain.model_dump_json().encode(), f"{env_plain.id}-late")

    await eventually(lambda: effects(runtime), until=lambda e: e == {"plain": 1, "flaky": 1}, what="both processed")
    await stays(lambda: effects(runtime), until=lambda e: e == {"plain": 1, "flaky": 1}, duration=1.5)
    assert "flaky" in behaviour.failed  # it did fail once and was redelivered
    # the outbox is cleared once published and the aggregate has been quiet for a moment
    await eventually(runtime.relay.pending, until=lambda n: n == 0, what="outbox cleared")
    doc = await runtime.db["things"].find_one({"_id": "a"})
    assert doc is not None and not doc["outbox"] and "outbox_pending" not in doc
    assert await runtime.db["outbox_published"].count_documents({}) == 0


async def test_messages_that_keep_failing_are_dead_lettered_without_blocking_and_can_be_redriven(
    probe: tuple[Runtime, ProbeBehaviour],
) -> None:
    runtime, behaviour = probe
    behaviour.always_fail.add("poison")
    poison = envelope(idea_submitted(title="poison"))
    await write_thing(runtime, poison, "p")
    for i in range(5):
        await write_thing(runtime, envelope(idea_submitted(title=f"after-{i}")), f"after-{i}")

    await eventually(lambda: effects(runtime), until=lambda e: len(e) == 5, what="messages behind the poison")
    letters = await eventually(runtime.dead_letters.list, until=lambda x: len(x) == 1, what="dead letter")
    letter = letters[0]
    assert letter["event_id"] == poison.id and letter["deliveries"] == 3 and "handler failure" in letter["error"]
    assert letter["consumer"] == "probe-intake-idea-submitted-v1"

    # the cause is fixed; staff re-drive it: processed once, and marked re-driven
    behaviour.always_fail.clear()
    assert await redrive(runtime.consumers, runtime.dead_letters, letter["_id"]) == "redriven"
    assert (await effects(runtime))["poison"] == 1
    assert (await runtime.dead_letters.get(letter["_id"]))["status"] == "redriven"  # type: ignore[index]
    # re-driving again does nothing twice
    assert await redrive(runtime.consumers, runtime.dead_letters, letter["_id"]) == "redriven"
    assert (await effects(runtime))["poison"] == 1


async def test_undecodable_message_is_dead_lettered_at_once(probe: tuple[Runtime, ProbeBehaviour]) -> None:
    runtime, _ = probe
    await runtime.publisher("koonto.intake.idea-submitted.v1", b'{"not": "an envelope"}', "garbage-1")
    letters = await eventually(runtime.dead_letters.list, until=lambda x: len(x) == 1, what="dead letter")
    assert letters[0]["deliveries"] == 1 and "ValidationError" in letters[0]["error"]
    good = envelope(idea_submitted(title="ok")).model_dump_json().encode()
    await runtime.publisher("koonto.intake.idea-submitted.v1", good, "ok-1")
    await eventually(lambda: effects(runtime), until=lambda e: e == {"ok": 1}, what="next message processed")


async def test_outbox_survives_nats_down_and_delivers_everything_once_after(
    mongo_url: str, db_names: dict[str, str], tmp_path: Path
) -> None:
    server = nats_server(tmp_path)
    server.start()
    url = f"nats://127.0.0.1:{server.port}"
    behaviour = ProbeBehaviour()
    runtime = probe_runtime(url, mongo_url, db_names["probe"], behaviour)
    try:
        async with running(runtime):
            await write_thing(runtime, envelope(idea_submitted(title="before")), "before")
            await eventually(lambda: effects(runtime), until=lambda e: e == {"before": 1})
            await eventually(runtime.relay.pending, until=lambda n: n == 0, what="outbox cleared")

            server.stop()
            titles = [f"while-down-{i}" for i in range(20)]
            for i, title in enumerate(titles):  # writing state that emits events still succeeds
                await write_thing(runtime, envelope(idea_submitted(title=title)), f"down-{i}")
            assert await runtime.relay.pending() == 20
            assert (await runtime.readiness())["nats"] is False

            server.start()
            expected = {"before": 1, **{t: 1 for t in titles}}
            await eventually(lambda: effects(runtime), until=lambda e: e == expected, timeout=60, what="all delivered")
            await stays(lambda: effects(runtime), until=lambda e: e == expected, duration=1.5)
            await eventually(runtime.relay.pending, until=lambda n: n == 0, what="outbox cleared")
    finally:
        server.stop()


async def test_update_outbox_keeps_events_in_the_same_write(probe: tuple[Runtime, ProbeBehaviour]) -> None:
    runtime, _ = probe
    first, second = envelope(idea_submitted(title="one")), envelope(idea_submitted(title="two"))
    await runtime.db["things"].insert_one({"_id": "u", "state": "new"})
    await runtime.db["things"].update_one({"_id": "u"}, {"$set": {"state": "changed", **outbox_set(first, second)}})
    runtime.infra.events_written()
    await eventually(lambda: effects(runtime), until=lambda e: e == {"one": 1, "two": 1})


async def test_clean_database_per_test(mongo: AsyncMongoClient[dict], db_names: dict[str, str]) -> None:
    assert await mongo[db_names["probe"]]["things"].count_documents({}) == 0


async def test_trace_follows_an_http_request_through_the_outbox_into_the_consumer(
    clean_stream: str, mongo_url: str, db_names: dict[str, str]
) -> None:
    from fastapi import APIRouter
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from koonto.shared import tracing
    from tests.support.services import client

    exporter = InMemorySpanExporter()
    tracing.use_exporter(exporter)
    behaviour = ProbeBehaviour()
    runtime = probe_runtime(clean_stream, mongo_url, db_names["probe"], behaviour)
    router = APIRouter()

    @router.post("/things")
    async def create_thing() -> dict[str, str]:
        await write_thing(runtime, runtime.infra.new_event(idea_submitted(title="traced"), subject="t1"), "t1")
        return {"ok": "yes"}

    runtime.app.include_router(router)
    async with running(runtime), client(runtime) as http:
        assert (await http.post("/things")).status_code == 200
        await eventually(lambda: effects(runtime), until=lambda e: e == {"traced": 1})

    spans = exporter.get_finished_spans()
    server = next(s for s in spans if s.name == "HTTP POST /things")
    consumer = next(s for s in spans if s.name == "consume koonto.intake.idea-submitted.v1")
    assert consumer.context.trace_id == server.context.trace_id
    assert consumer.parent is not None and consumer.parent.span_id == server.context.span_id


async def test_a_parallel_subscription_handles_several_messages_at_once_each_once(
    clean_stream: str, mongo_url: str, db_names: dict[str, str]
) -> None:
    """`Subscription(parallel=4)`: four events are in their handlers together (each handler waits, up to a guard
    of 20 s, until all four have started: one at a time, the first would wait out the guard and the most seen at
    once would be 1), and each is processed once."""
    import asyncio

    started: list[str] = []
    together = asyncio.Event()
    most = 0

    async def on_idea(event: IdeaSubmitted, ctx: EventContext, deps: Infra) -> None:
        nonlocal most
        started.append(event.title)
        most = max(most, len(started) - len(finished))
        if len(started) - len(finished) >= 4:
            together.set()
        try:
            await asyncio.wait_for(together.wait(), 20)
        except TimeoutError:
            pass
        await deps.db["effects"].update_one(
            {"_id": ctx.event_id}, {"$inc": {"count": 1}, "$set": {"title": event.title}}, upsert=True
        )
        finished.append(event.title)

    finished: list[str] = []
    spec = ServiceSpec(name="probe", title="probe", subscriptions=[Subscription(IdeaSubmitted, on_idea, parallel=4)],
                       outbox_collections=["things"])
    settings = ServiceSettings(service_name="probe", nats_url=clean_stream, mongo_url=mongo_url,
                               mongo_database=db_names["probe"], **FAST_CONSUMER)  # type: ignore[arg-type]
    runtime = Runtime(spec, settings)
    async with running(runtime):
        envs = [envelope(idea_submitted(title=f"idea {n}")) for n in range(4)]
        for n, env in enumerate(envs):
            await write_thing(runtime, env, f"t{n}")
        await eventually(lambda: effects(runtime), until=lambda e: len(e) == 4, what="all four processed", timeout=60)
        assert most == 4
        await stays(lambda: effects(runtime), until=lambda e: set(e.values()) == {1}, duration=1.0)
