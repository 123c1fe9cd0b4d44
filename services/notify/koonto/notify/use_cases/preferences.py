"""The signed preference and unsubscribe links: what a person has consented to, and withdrawing it.

Consent is given through intake's double opt-in; here it can only be withdrawn."""

from __future__ import annotations

from collections.abc import Sequence

from koonto.notify.domain.errors import InvalidLink
from koonto.notify.domain.kinds import TOPICS
from koonto.notify.links import Links, LinkTarget
from koonto.notify.store import subscriber_id
from koonto.notify.use_cases.core import Core
from koonto.shared.contracts.notify import ConsentWithdrawn


class Preferences:
    def __init__(self, core: Core, links: Links) -> None:
        self.core = core
        self.links = links
        self.recipients = core.store.recipients

    def target(self, token: str) -> LinkTarget:
        """The address (and topic) a link was made for; raises `InvalidLink` if its signature does not hold."""
        target = self.links.read(token)
        if target is None:
            raise InvalidLink(token)
        return target

    async def topics(self, email: str) -> dict[str, bool]:
        """Every topic with whether the address has consented to it."""
        subscriber = await self.recipients.subscriber(email)
        return {t: bool(((subscriber or {}).get("topics") or {}).get(t, {}).get("consent")) for t in TOPICS}

    async def keep_only(self, email: str, wanted: set[str]) -> list[str]:
        """Withdraws consent to each topic not in `wanted`; returns the topics withdrawn."""
        current = await self.topics(email)
        withdrawn: list[str] = [t for t in TOPICS if current[t] and t not in wanted]
        await self.withdraw(email, withdrawn, source="preference-page")
        return withdrawn

    async def unsubscribe(self, target: LinkTarget) -> None:
        """RFC 8058 one-click: the link's topic, or every topic for a link without one."""
        topics = [target.topic] if target.topic else list(TOPICS)
        await self.withdraw(target.email, topics, source="one-click-unsubscribe")

    async def withdraw(self, email: str, topics: Sequence[str], *, source: str) -> None:
        """Consent withdrawn here is told to intake (`consent-withdrawn`), whose subscription records then say
        the same; a topic the address had not consented to is not news to anyone."""
        now, current = self.core.now(), await self.topics(email)
        news = tuple(t for t in topics if current.get(t))
        if news:
            data = ConsentWithdrawn(email=email, topics=news, source=source, withdrawn_at=now)  # type: ignore[arg-type]
            envelope = self.core.infra.new_event(data, subject=subscriber_id(email))
            await self.recipients.record_withdrawal(envelope, news, now)
            self.core.infra.events_written(envelope)
        for topic in topics:
            await self.recipients.record_consent(email, topic=topic, consent=False, at=now, source=source)
