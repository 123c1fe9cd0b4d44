"""Recovery: a delivery left in "sending" past its lease goes back to the queue when it provably was not sent,
becomes "unconfirmed" when its outcome is unknown (or is resent, by policy), and is just dropped from the queue
when its outcome is in the log already; staff can resend an unconfirmed one, and only such a one."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from koonto.notify.domain.errors import NotResendable
from koonto.notify.samples import sample
from tests.notify.unit.conftest import Notify, make_notify
from tests.support.samples import envelope, idea_submitted

Document = dict[str, Any]


async def stale(notify: Notify, **fields: Any) -> Document:
    """A delivery claimed by a replica that died, its lease run out."""
    doc = notify.container.planner.plan(
        envelope(idea_submitted()), kind="receipt", channel="email", address="a@example.fi", language="fi",
        name=None, context=sample("receipt"), recipient_ref="r",
    )
    await notify.container.planner.enqueue([doc])
    deliveries, now = notify.container.store.deliveries, notify.container.now()
    claimed = await deliveries.claim(doc, now=now, lease=timedelta(seconds=1), owner="gone")
    assert claimed is not None
    if fields:
        await notify.infra.store["delivery_queue"].update_one({"_id": doc["_id"]}, {"$set": fields})
    notify.clock.advance(timedelta(seconds=5))
    return claimed


async def test_a_mail_that_never_reached_data_goes_back_to_the_queue(notify: Notify) -> None:
    await stale(notify)
    assert await notify.container.recovery.settle_stale() == 1
    [queued] = await notify.queue()
    assert queued["status"] == "pending" and queued["resent_after_crash"] is True and "locked_by" not in queued


async def test_a_mail_caught_during_data_is_held_unconfirmed_and_staff_may_resend_it(notify: Notify) -> None:
    doc = await stale(notify, committing=True)
    assert await notify.container.recovery.settle_stale() == 1
    [queued] = await notify.queue()
    assert queued["status"] == "unconfirmed"
    notify.container.signals.queued.clear()

    await notify.container.recovery.resend(doc["_id"], by="staff-1")
    [queued] = await notify.queue()
    assert queued["status"] == "pending" and queued["requeued_by"] == "staff-1"
    assert notify.container.signals.queued.is_set()
    with pytest.raises(NotResendable):
        await notify.container.recovery.resend(doc["_id"], by="staff-1")


async def test_with_the_resend_policy_an_unknown_outcome_is_sent_again() -> None:
    notify = make_notify(unconfirmed_policy="resend")
    await stale(notify, committing=True)
    assert await notify.container.recovery.settle_stale() == 1
    assert [d["status"] for d in await notify.queue()] == ["pending"]


async def test_an_outcome_already_in_the_log_only_leaves_the_queue(notify: Notify) -> None:
    doc = await stale(notify, committing=True)
    await notify.infra.store["deliveries"].insert_one({**doc, "status": "sent"})
    assert await notify.container.recovery.settle_stale() == 0
    assert await notify.queue() == [] and len(await notify.log()) == 1
