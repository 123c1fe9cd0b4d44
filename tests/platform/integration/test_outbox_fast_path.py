"""The relay's fast path: events handed over with `relay.notify(*envelopes)` after their write are published at
once, without waiting for the poll and without reading them back (real NATS, real MongoDB-protocol server)."""

from __future__ import annotations

from koonto.shared.outbox import outbox_fields
from tests.platform.integration.test_bus_outbox import ProbeBehaviour, effects, probe_runtime
from tests.support.polling import eventually
from tests.support.samples import envelope, idea_submitted
from tests.support.services import running


async def test_events_handed_to_the_relay_are_published_at_once_without_a_scan(
    clean_stream: str, mongo_url: str, db_names: dict[str, str]
) -> None:
    # the poll is far away, and the documents go to a collection the relay does not scan: only the fast path
    # can publish them, and it must do so within moments of each commit
    runtime = probe_runtime(clean_stream, mongo_url, db_names["probe"], ProbeBehaviour(), outbox_poll_seconds=60)
    async with running(runtime):
        for i in range(3):
            env = envelope(idea_submitted(title=f"fast-{i}"))
            await runtime.db["unscanned"].insert_one({"_id": f"t{i}", **outbox_fields(env)})
            runtime.relay.notify(env)
            expected = {f"fast-{n}": 1 for n in range(i + 1)}
            await eventually(lambda: effects(runtime), until=lambda e, x=expected: e == x, timeout=5, interval=0.02,
                             what=f"fast-{i} consumed")
        # and what was published is recorded, so a scan by this or another replica skips it
        assert await runtime.db["outbox_published"].count_documents({}) == 3


async def test_a_plain_notify_still_scans_the_outbox_collections(
    clean_stream: str, mongo_url: str, db_names: dict[str, str]
) -> None:
    runtime = probe_runtime(clean_stream, mongo_url, db_names["probe"], ProbeBehaviour(), outbox_poll_seconds=60)
    async with running(runtime):
        env = envelope(idea_submitted(title="scanned"))
        await runtime.db["things"].insert_one({"_id": "s", **outbox_fields(env)})
        runtime.relay.notify()
        await eventually(lambda: effects(runtime), until=lambda e: e == {"scanned": 1}, timeout=5,
                         what="published by the scan a plain notify asks for")
