"""Tolerant reader, end to end: every consumer of every service processes an event that carries fields its
contract does not know yet (an additive change by a newer producer), instead of dead-lettering it. Real NATS, a
real MongoDB-protocol server, the four services in-process."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import nats

from koonto.advisory.domain.case import case_id_for
from koonto.advisory.main import create_runtime as advisory_runtime
from koonto.advisory.settings import AdvisorySettings
from koonto.devsinks import MailSink
from koonto.intake.main import create_runtime as intake_runtime
from koonto.intake.settings import IntakeSettings
from koonto.notify.main import create_runtime as notify_runtime
from koonto.notify.settings import NotifySettings
from koonto.reporting.main import create_runtime as reporting_runtime
from koonto.reporting.settings import ReportingSettings
from koonto.shared.contracts import EventData
from koonto.shared.contracts.intake import (
    ErasureRequested,
    IdeaSubmitted,
    RegistrationCancelled,
    RegistrationPromoted,
    RegistrationReceived,
)
from koonto.shared.runtime import Runtime
from tests.platform.unit.test_tolerant_reader import with_extras
from tests.support.polling import eventually
from tests.support.samples import envelope, example_instance, idea_submitted
from tests.support.services import FAST_CONSUMER, running
from tests.support.staff import TEST_JWKS_JSON

IDEA = idea_submitted()


def sample(model: type[EventData]) -> EventData:
    """A valid event of this type whose values a handler accepts: about the one idea published first, in a
    listed municipality."""
    if model is IdeaSubmitted:
        return IDEA
    values = json.loads(example_instance(model).model_dump_json())
    known = {"municipality": "kuopio", "idea_id": IDEA.idea_id, "case_id": case_id_for(IDEA.idea_id),
             "reference": IDEA.reference}
    values.update({key: value for key, value in known.items() if key in values})
    if model is RegistrationReceived:
        # another sample's handler already left an erasure tombstone for the generated address and phone at the
        # generated time (notify then rightly keeps no registrant): the sign-up is someone else's, so its
        # follow-ups find it
        values["participant"].update(email="osallistuja@example.fi", phone="+358409998877")
    return model.model_validate(values)


async def outcome(runtime: Runtime[Any], consumer: str, event_id: str) -> str | None:
    key = f"{consumer}/{event_id}"
    if await runtime.db["dead_letters"].find_one({"_id": key}, {"_id": 1}):
        return "dead"
    if await runtime.db["processed_events"].find_one({"_id": key}, {"_id": 1}):
        return "processed"
    return None


async def test_every_consumer_processes_an_event_with_fields_it_does_not_know(
    clean_stream: str, mongo_url: str, db_names: dict[str, str], tmp_path: Any
) -> None:
    sink = MailSink().start()
    common: dict[str, Any] = {
        "mode": "test", "nats_url": clean_stream, "mongo_url": mongo_url, "staff_jwks_url": TEST_JWKS_JSON,
        "log_json": False, "data_dir": tmp_path, **FAST_CONSUMER, "consumer_max_deliver": 5,
    }
    runtimes: list[Runtime[Any]] = [
        intake_runtime(IntakeSettings(**common, mongo_database=db_names["intake"])),
        advisory_runtime(AdvisorySettings(**common, mongo_database=db_names["advisory"])),
        notify_runtime(NotifySettings(**common, mongo_database=db_names["notify"], smtp_port=sink.port)),
        reporting_runtime(ReportingSettings(**common, mongo_database=db_names["reporting"])),
    ]
    models = {c.subscription.event for r in runtimes for c in r.consumers}
    try:
        async with contextlib.AsyncExitStack() as stack:
            for runtime in runtimes:
                await stack.enter_async_context(running(runtime))
            nc = await nats.connect(clean_stream)
            js = nc.jetstream()
            try:
                # the idea first (the other events are about it), then one event of every other consumed type, and
                # the erasure last (it takes the person's details away from what the others need)
                # a registration's cancellation and promotion follow its sign-up (notify waits for the sign-up
                # before it can tell the registrant), so they go in a batch after it
                later = {RegistrationCancelled, RegistrationPromoted}
                others = sorted(models - {IdeaSubmitted, ErasureRequested, *later}, key=lambda m: m.event_type())
                follow_ups = sorted(models & later, key=lambda m: m.event_type())
                for batch in ([IdeaSubmitted], others, follow_ups, [ErasureRequested]):
                    sent: dict[type[EventData], str] = {}
                    for model in batch:
                        env = envelope(sample(model))
                        body = json.loads(env.model_dump_json())
                        body["data"] = with_extras(body["data"])  # unknown fields at every depth of the payload
                        body["addedattribute"] = "a later envelope attribute"
                        await js.publish(env.type, json.dumps(body).encode(), headers={"Nats-Msg-Id": env.id})
                        sent[model] = env.id
                    expected = [(r, c.name, sent[c.subscription.event])
                                for r in runtimes for c in r.consumers if c.subscription.event in sent]

                    async def outcomes(expected: Any = expected) -> dict[str, str | None]:
                        return {name: await outcome(r, name, event_id) for r, name, event_id in expected}

                    found = await eventually(outcomes, until=lambda o: None not in o.values(), timeout=60,
                                             what="every consumer finished its event")
                    assert {name: state for name, state in found.items() if state != "processed"} == {}
            finally:
                await nc.close()
            assert sum(len(r.consumers) for r in runtimes) >= 30  # every consumer of the four services was tried
    finally:
        sink.stop()
