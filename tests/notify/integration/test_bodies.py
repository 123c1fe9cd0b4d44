"""Notify's public POSTs (the signed preference and unsubscribe links) take no body over the limit: 2 MiB gets
413 in the reader's language and changes nothing; the ordinary one-click unsubscribe still works."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

from koonto.shared.contracts.intake import SubscriptionConfirmed
from tests.notify.integration.conftest import Notify
from tests.support.polling import eventually
from tests.support.samples import envelope
from tests.support.services import client

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
EMAIL = "calls@example.fi"
TWO_MIB = 2 * 1024 * 1024


async def consent(notify: Notify) -> bool:
    subscriber = await notify.container.store.recipients.subscriber(EMAIL)
    return bool(subscriber and subscriber["topics"].get("call_announcements", {}).get("consent"))


async def test_two_mib_to_the_preference_and_unsubscribe_links_is_refused_and_changes_nothing(notify: Notify) -> None:
    await notify.publish(envelope(SubscriptionConfirmed(
        subscription_id=EMAIL, topic="call_announcements", email=EMAIL, confirmed_at=datetime(2026, 11, 1, tzinfo=UTC),
        source="subscription-form", unsubscribe_url="http://intake.test/unsubscribe/x",
    )))
    await eventually(lambda: consent(notify), until=bool, what="the subscriber known")
    links = notify.container.links
    unsubscribe = links.unsubscribe_url(EMAIL, "call_announcements").removeprefix("http://notify.test")
    preferences = links.preferences_url(EMAIL).removeprefix("http://notify.test")
    big = b"List-Unsubscribe=One-Click&topics=" + b"x" * TWO_MIB

    async def chunked() -> AsyncIterator[bytes]:  # the same 2 MiB with no Content-Length
        for start in range(0, len(big), 64 * 1024):
            yield big[start:start + 64 * 1024]

    async with client(notify.runtime) as http:
        for path in (unsubscribe, preferences):
            refused = await http.post(path, content=big, headers=FORM)
            assert refused.status_code == 413, (path, refused.status_code)
            assert "Lähetetty tieto on liian suuri." in refused.text and '<html lang="fi">' in refused.text
            swedish = await http.post(path, content=big, headers={**FORM, "Accept-Language": "sv"})
            assert swedish.status_code == 413 and "Uppgifterna är för stora." in swedish.text
        streamed = await http.post(preferences, content=chunked(), headers=FORM)
        assert streamed.status_code == 413
        assert await consent(notify)  # nothing changed

        done = await http.post(unsubscribe, content=b"List-Unsubscribe=One-Click", headers=FORM)
        assert done.status_code == 200 and "Et saa enää näitä viestejä" in done.text
    assert not await consent(notify)
