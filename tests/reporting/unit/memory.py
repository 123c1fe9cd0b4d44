"""Reporting on the in-memory store (tests.support.memory): its container, and feeding it events as the live
consumers would (decoded by the subscription table's models, through the one handler)."""

from __future__ import annotations

from collections.abc import Iterable

from koonto.reporting.bootstrap import ReportingContainer, bootstrap, prepare_read_models
from koonto.reporting.settings import ReportingSettings
from koonto.reporting.store import Generations, ReadModels
from koonto.reporting.subscriptions import SUBSCRIPTIONS
from koonto.shared.bus import EventContext
from koonto.shared.contracts import Envelope
from tests.support.memory import memory_infra, memory_store

BY_SUBJECT = {s.subject: s for s in SUBSCRIPTIONS}


async def container() -> ReportingContainer:
    settings = ReportingSettings()
    deps = bootstrap(memory_infra(settings), settings)
    await prepare_read_models(deps)
    return deps


async def consume(deps: ReportingContainer, events: Iterable[Envelope]) -> int:
    """Each event through its subscription's handler, as the consumer calls it; returns how many were taken."""
    taken = 0
    for env in events:
        subscription = BY_SUBJECT.get(env.type)
        if subscription is None:
            continue  # not consumed by reporting
        ctx = EventContext(envelope=env, attempt=1, region=env.region, service="reporting")
        await subscription.handler(subscription.event.read(env.data), ctx, deps)
        taken += 1
    return taken


async def read_models() -> ReadModels:
    """An active generation on a fresh in-memory store."""
    generations = Generations(memory_store())
    await generations.ensure()
    models = await generations.active()
    await models.ensure_indexes()
    return models
