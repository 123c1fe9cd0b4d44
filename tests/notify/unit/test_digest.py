"""The daily digest: nothing before 08:00 Helsinki; at 08:00 one message to each staff member with something
to read (the cases opened and their own follow-ups of the last day), once a day."""

from __future__ import annotations

from datetime import datetime, timedelta

from koonto.shared.clock import HELSINKI
from tests.notify.unit.conftest import Notify

MORNING = datetime(2026, 12, 1, 8, 5, tzinfo=HELSINKI)


async def test_the_digest_goes_once_at_eight_to_whom_it_concerns(notify: Notify) -> None:
    await notify.add_staff("anna", "anna@koonto.fi")
    await notify.add_staff("ben", "ben@koonto.fi")
    await notify.add_staff("cid", "cid@koonto.fi", active=False)
    records = notify.container.store.records
    yesterday = MORNING - timedelta(hours=12)
    await records.keep_case("c1", {"reference": "KOO-1", "title": "Kylätalo", "opened_at": yesterday})
    await records.keep_case("c0", {"reference": "KOO-0", "title": "Vanha", "opened_at": yesterday - timedelta(days=2)})
    await records.keep_followup(
        "f1", {"reference": "KOO-1", "due_on": "2026-12-01", "recipient_staff_ids": ["anna"], "received_at": yesterday}
    )

    notify.clock.set(MORNING.replace(hour=7, minute=59))
    assert await notify.container.digest.if_due() == 0
    notify.clock.set(MORNING)
    assert await notify.container.digest.if_due() == 2
    queued = {d["address"]: d for d in await notify.queue()}
    assert sorted(queued) == ["anna@koonto.fi", "ben@koonto.fi"]
    assert [c["reference"] for c in queued["ben@koonto.fi"]["context"]["cases"]] == ["KOO-1"]
    assert [f["reference"] for f in queued["anna@koonto.fi"]["context"]["followups"]] == ["KOO-1"]
    assert queued["ben@koonto.fi"]["context"]["followups"] == []
    assert await notify.container.digest.if_due() == 0  # the day is done


async def test_no_digest_when_there_is_nothing_to_tell(notify: Notify) -> None:
    await notify.add_staff("anna", "anna@koonto.fi")
    notify.clock.set(MORNING)
    assert await notify.container.digest.if_due() == 0
    assert await notify.queue() == []
