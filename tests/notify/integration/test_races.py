"""Consent statements for one person arriving at once on ONE notify replica: `write_if_newer`'s guarded writes
name the document by `_id`, so the store adapter serialises them and the newest statement wins whatever the
order. Across replicas this holds on MongoDB and nx-27017 only (docs/working-on-koonto.md, "Decisions concurrent
writers race for")."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from koonto.shared.mongo import epoch_ms
from tests.notify.integration.conftest import Notify


async def test_consent_statements_for_one_person_at_once_leave_the_newest(notify: Notify) -> None:
    recipients = notify.container.store.recipients
    start = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    await recipients.record_consent("sama@example.fi", topic="newsletter", consent=False, at=start, source="first")
    statements = [(n % 2 == 0, start + timedelta(seconds=n)) for n in range(1, 9)]
    newest = statements[-1]
    statements.reverse()  # the newest first: every older one that follows must change nothing
    await asyncio.gather(*[
        recipients.record_consent("Sama@Example.fi", topic="newsletter", consent=consent, at=at, source=f"s{n}")
        for n, (consent, at) in enumerate(statements)])
    person = await recipients.subscriber("sama@example.fi")
    assert person is not None
    topic = person["topics"]["newsletter"]
    assert (topic["consent"], topic["at_ms"], topic["source"]) == (newest[0], epoch_ms(newest[1]), "s0")
