"""The signed links: a forged token is refused; the preference page can only withdraw consent; one-click
unsubscribe withdraws the link's topic, or every topic."""

from __future__ import annotations

from datetime import timedelta

import pytest

from koonto.notify.domain.errors import InvalidLink
from tests.notify.unit.conftest import Notify


async def test_a_forged_link_is_refused(notify: Notify) -> None:
    with pytest.raises(InvalidLink):
        notify.container.preferences.target("not-a-signed-token")


async def test_the_preference_page_withdraws_what_is_unticked_and_gives_nothing(notify: Notify) -> None:
    await notify.add_subscriber("a@example.fi", "events")
    await notify.container.store.recipients.record_consent(
        "a@example.fi", topic="newsletter", consent=True, at=notify.container.now(), source="test"
    )
    preferences = notify.container.preferences
    assert await preferences.topics("a@example.fi") == {"call_announcements": False, "newsletter": True, "events": True}
    notify.clock.advance(timedelta(seconds=1))
    withdrawn = await preferences.keep_only("a@example.fi", {"events", "call_announcements"})
    assert withdrawn == ["newsletter"]
    assert await preferences.topics("a@example.fi") == {
        "call_announcements": False, "newsletter": False, "events": True,
    }


async def test_one_click_unsubscribe_of_a_topic_and_of_everything(notify: Notify) -> None:
    await notify.add_subscriber("a@example.fi", "events")
    await notify.container.store.recipients.record_consent(
        "a@example.fi", topic="newsletter", consent=True, at=notify.container.now(), source="test"
    )
    links, preferences = notify.container.links, notify.container.preferences
    notify.clock.advance(timedelta(seconds=1))
    await preferences.unsubscribe(preferences.target(links.token("a@example.fi", "events")))
    assert await preferences.topics("a@example.fi") == {
        "call_announcements": False, "newsletter": True, "events": False,
    }
    await preferences.unsubscribe(preferences.target(links.token("a@example.fi", None)))
    assert not any((await preferences.topics("a@example.fi")).values())
    subscriber = await notify.container.store.recipients.subscriber("a@example.fi")
    assert subscriber is not None and subscriber["consent_log"][-1]["source"] == "one-click-unsubscribe"
