"""Who sends a delivery is decided by a unique-key insert per attempt (`<delivery>:<n>`): a second claimer with the
same read loses, a retry or postponement is claimed under the next number, an orphaned claim (its claimer lost the
store between the two writes) is passed over after a lease, and a delivery already in the log is never claimed.
The same claims against two store adapters on the real stores: tests/notify/integration/test_claim_replicas.py."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from koonto.notify.domain.retry import DeliveryError
from koonto.notify.samples import sample
from koonto.notify.store.deliveries import CLAIMS_KEPT
from tests.notify.unit.conftest import Notify
from tests.support.samples import envelope, idea_submitted

Document = dict[str, Any]
LEASE = timedelta(seconds=30)


async def queued(notify: Notify, address: str = "a@example.fi") -> Document:
    doc = notify.container.planner.plan(
        envelope(idea_submitted()), kind="receipt", channel="email", address=address, language="fi",
        name=None, context=sample("receipt"), recipient_ref="r",
    )
    await notify.container.planner.enqueue([doc])
    [entry] = await notify.queue(_id=doc["_id"])
    return entry


async def claim(notify: Notify, seen: Document, owner: str) -> Document | None:
    return await notify.container.store.deliveries.claim(seen, now=notify.container.now(), lease=LEASE, owner=owner)


async def claim_ids(notify: Notify) -> list[str]:
    return sorted([d["_id"] async for d in notify.infra.store["delivery_claims"].find({})])


async def test_of_two_claimers_with_the_same_read_only_the_first_wins(notify: Notify) -> None:
    seen = await queued(notify)
    won = await claim(notify, seen, "replica-a")
    assert won is not None and won["status"] == "sending" and won["claim_n"] == 1 and won["locked_by"] == "replica-a"
    assert await claim(notify, seen, "replica-b") is None
    assert await claim_ids(notify) == [f"{seen['_id']}:1"]


async def test_a_retried_delivery_is_claimed_under_the_next_number_and_sent_once(notify: Notify) -> None:
    seen = await queued(notify)
    notify.mailer.failures.append(DeliveryError("421 try later", permanent=False))
    assert await notify.container.sender.deliver(seen) == "retry"
    [retrying] = await notify.queue()
    assert retrying["status"] == "pending" and retrying["claim_n"] == 1 and retrying["attempts"] == 1
    assert await claim(notify, seen, "stale-reader") is None  # the first read again: number 1 is taken

    notify.clock.advance(timedelta(hours=1))
    assert await notify.container.sender.deliver(retrying) == "sent"
    assert len(notify.mailer.sent) == 1 and await notify.queue() == []
    [logged] = await notify.log()
    assert logged["status"] == "sent" and logged["attempts"] == 2
    assert await claim_ids(notify) == [f"{seen['_id']}:1", f"{seen['_id']}:2"]


async def test_a_postponed_delivery_gives_its_attempt_back_but_not_its_claim_number(notify: Notify) -> None:
    """Numbering by attempts would reuse number 1 here and leave the delivery unclaimable for ever."""
    seen = await queued(notify)
    first = await claim(notify, seen, "replica-a")
    assert first is not None
    await notify.container.store.deliveries.postpone(
        seen["_id"], "replica-a", due_at=notify.container.now(), reason="quiet-hours"
    )
    [again] = await notify.queue()
    assert again["attempts"] == 0 and again["claim_n"] == 1
    second = await claim(notify, again, "replica-b")
    assert second is not None and second["claim_n"] == 2 and second["attempts"] == 1


async def test_an_orphaned_claim_is_passed_over_once_a_lease_has_run_out(notify: Notify) -> None:
    seen = await queued(notify)
    # the claimer inserted claim 1 and then lost the store: the queue entry never moved
    await notify.infra.store["delivery_claims"].insert_one(
        {"_id": f"{seen['_id']}:1", "delivery": seen["_id"], "n": 1, "owner": "lost", "at": notify.container.now()}
    )
    assert await claim(notify, seen, "replica-b") is None  # within the lease: it may still be moving
    [entry] = await notify.queue()
    assert entry["claim_n"] == 0

    notify.clock.advance(LEASE + timedelta(seconds=1))
    assert await claim(notify, seen, "replica-b") is None  # passes it over...
    [entry] = await notify.queue()
    assert entry["claim_n"] == 1 and entry["status"] == "pending"
    assert await notify.container.sender.deliver(entry) == "sent"  # ...and the next pass sends it, once
    assert len(notify.mailer.sent) == 1 and await notify.queue() == []


async def test_a_delivery_queued_again_after_it_was_sent_is_dropped_not_sent(notify: Notify) -> None:
    seen = await queued(notify)
    assert await notify.container.sender.deliver(seen) == "sent"
    # the same event planned again by a replica that read the log just before the outcome was recorded
    await notify.infra.store["delivery_queue"].insert_one({**seen, "claim_n": 0})
    [again] = await notify.queue()
    assert await notify.container.sender.deliver(again) == "taken"
    assert len(notify.mailer.sent) == 1 and await notify.queue() == []


async def test_a_stale_read_of_a_finished_delivery_wins_nothing_and_leaves_no_claim(notify: Notify) -> None:
    seen = await queued(notify)
    assert await notify.container.sender.deliver(seen) == "sent"
    await notify.infra.store["delivery_claims"].delete_many({})  # as after `CLAIMS_KEPT`
    assert await claim(notify, seen, "stale-reader") is None
    assert await claim_ids(notify) == []


async def test_old_claims_are_forgotten_by_the_recovery_pass(notify: Notify) -> None:
    seen = await queued(notify)
    assert await notify.container.sender.deliver(seen) == "sent"
    await notify.container.recovery.settle_stale()
    assert len(await claim_ids(notify)) == 1
    notify.clock.advance(CLAIMS_KEPT + timedelta(minutes=1))
    await notify.container.recovery.settle_stale()
    assert await claim_ids(notify) == []


async def test_a_store_timeout_at_the_point_of_no_return_is_a_retry_not_an_unknown_outcome(
    notify: Notify, monkeypatch: Any
) -> None:
    """Seen in CI on a store starved of CPU: the "committing" mark timed out, the delivery crashed in "sending"
    and was held as unconfirmed for ever, although DATA had never been sent."""
    from pymongo.errors import NetworkTimeout

    seen = await queued(notify)
    deliveries = notify.container.store.deliveries

    async def times_out(key: str, owner: str) -> None:
        raise NetworkTimeout("127.0.0.1:27017: timed out")

    monkeypatch.setattr(deliveries, "mark_committing", times_out)
    assert await notify.container.sender.deliver(seen) == "retry"
    assert notify.mailer.sent == []
    [entry] = await notify.queue()
    assert entry["status"] == "pending" and "committing" not in entry and "locked_by" not in entry
    monkeypatch.undo()
    notify.clock.advance(timedelta(hours=1))
    assert await notify.container.sender.deliver(entry) == "sent" and len(notify.mailer.sent) == 1


async def test_a_retry_after_the_server_refused_the_data_starts_without_the_committing_mark(notify: Notify) -> None:
    """Otherwise a crash before DATA on the next attempt would look like an unknown outcome and be held."""
    seen = await queued(notify)
    deliveries = notify.container.store.deliveries
    won = await claim(notify, seen, notify.container.sender.owner)
    assert won is not None
    await deliveries.mark_committing(seen["_id"], notify.container.sender.owner)
    await deliveries.mark_retry(seen["_id"], notify.container.sender.owner, due_at=notify.container.now(), error="451")
    [entry] = await notify.queue()
    assert entry["status"] == "pending" and "committing" not in entry


async def test_a_retry_mark_overwritten_by_a_late_write_of_ours_is_written_again(
    notify: Notify, monkeypatch: Any
) -> None:
    """The committing mark timed out but landed after the retry mark, putting back "sending" (a lost update on a
    store that replaces whole documents): the retry mark is checked and written again, so nothing is held."""
    seen = await queued(notify)
    deliveries = notify.container.store.deliveries
    owner = notify.container.sender.owner
    assert await claim(notify, seen, owner) is not None
    real = deliveries.queue.update_one
    calls = 0

    async def first_one_lost(filter: Any, update: Any, **kw: Any) -> Any:
        nonlocal calls
        calls += 1
        result = await real(filter, update, **kw)
        if calls == 1:  # the late committing write lands over it
            await notify.infra.store["delivery_queue"].raw.update_one(
                {"_id": seen["_id"]}, {"$set": {"status": "sending", "locked_by": owner, "committing": True}}
            )
        return result

    monkeypatch.setattr(deliveries.queue, "update_one", first_one_lost)
    await deliveries.mark_retry(seen["_id"], owner, due_at=notify.container.now(), error="not sent")
    [entry] = await notify.queue()
    assert calls == 2 and entry["status"] == "pending" and "committing" not in entry
