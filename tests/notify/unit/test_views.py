"""The read side: the delivery log (queue and log together, newest first, filtered), one delivery, fan-out
progress; a missing id is a `NotFound`."""

from __future__ import annotations

from datetime import timedelta

import pytest

from koonto.notify.domain.errors import NotFound
from koonto.notify.samples import sample
from koonto.notify.views import DeliveryFilter
from tests.notify.unit.conftest import Notify
from tests.support.samples import envelope, idea_submitted


async def test_the_log_lists_queued_and_finished_newest_first_with_filters(notify: Notify) -> None:
    planner = notify.container.planner
    first = planner.plan(
        envelope(idea_submitted()), kind="receipt", channel="email", address="a@example.fi", language="fi",
        name=None, context=sample("receipt"), recipient_ref="r",
    )
    notify.clock.advance(timedelta(seconds=1))
    second = planner.plan(
        envelope(idea_submitted()), kind="status-update", channel="sms", address="+358401234567", language="fi",
        name=None, context=sample("status-update"), recipient_ref="r",
    )
    await notify.infra.store["deliveries"].insert_one({**first, "status": "sent", "event": {"id": "x"}})
    await planner.enqueue([second])
    views = notify.container.views

    listed = await views.deliveries(DeliveryFilter())
    assert [d["_id"] for d in listed] == [second["_id"], first["_id"]] and "event" not in listed[1]
    assert [d["_id"] for d in await views.deliveries(DeliveryFilter(recipient="A@example.fi"))] == [first["_id"]]
    assert [d["_id"] for d in await views.deliveries(DeliveryFilter(recipient="+358401234567"))] == [second["_id"]]
    assert await views.deliveries(DeliveryFilter(status="failed")) == []
    assert await views.deliveries(DeliveryFilter(since=notify.container.now() + timedelta(minutes=1))) == []
    assert [d["_id"] for d in await views.deliveries(DeliveryFilter(), limit=1, skip=1)] == [first["_id"]]
    assert (await views.delivery(first["_id"]))["status"] == "sent"
    with pytest.raises(NotFound):
        await views.delivery("nothing")


async def test_fanout_progress_counts_queue_and_log(notify: Notify) -> None:
    await notify.add_subscriber("a@example.fi", "events")
    await notify.add_subscriber("b@example.fi", "events")
    await notify.container.fanout.start(
        envelope(idea_submitted()), kind="event-invitation", topic="events", title="Ilta",
        context=sample("event-invitation"),
    )
    await notify.container.fanout.expand_once()
    [one, _] = await notify.queue()
    await notify.container.sender.deliver(one)
    [progress] = await notify.container.views.fanouts()
    assert progress["queued"] == 2 and progress["sent"] == 1 and progress["pending"] == 1
    assert progress["status"] == "expanding" and progress["done"] is False
    assert (await notify.container.views.fanout(progress["id"]))["title"] == "Ilta"
    with pytest.raises(NotFound):
        await notify.container.views.fanout("nothing")


def test_every_template_has_a_preview(notify: Notify) -> None:
    previews = notify.container.views.template_previews()
    assert previews and all(p["email"].subject for p in previews)
