"""notify's newsletter-published (the public archive's copy) and consent-withdrawn (a one-click unsubscribe or
a withdrawal on notify's preference page, mirrored into our subscription records so the subscription pages show
the truth). Both idempotent. The rows below are this module's part of `subscriptions.SUBSCRIPTIONS`."""

from __future__ import annotations

from koonto.intake.bootstrap import IntakeContainer
from koonto.shared.bus import EventContext, Subscription
from koonto.shared.contracts.notify import ConsentWithdrawn, NewsletterPublished
from koonto.shared.mongo import epoch_ms
from koonto.shared.sealing import is_erased


async def on_newsletter_published(event: NewsletterPublished, ctx: EventContext, deps: IntakeContainer) -> None:
    await deps.store.newsletters.keep(
        {
            "_id": event.campaign_id,
            "topic": event.topic,
            "published_at": event.published_at,
            "published_ms": epoch_ms(event.published_at),
            "region": ctx.envelope.region,
            "editions": {e.language: {"subject": e.subject, "body": e.body} for e in event.editions},
        }
    )


async def on_consent_withdrawn(event: ConsentWithdrawn, ctx: EventContext, deps: IntakeContainer) -> None:
    if is_erased(event.email):
        return  # the person was erased since: their subscriptions are gone already
    await deps.subscriptions.cancel_withdrawn(str(event.email), tuple(event.topics), event.source)


SUBSCRIPTIONS = [
    Subscription(NewsletterPublished, on_newsletter_published),  # the public archive of newsletters
    Subscription(ConsentWithdrawn, on_consent_withdrawn),  # notify's unsubscribe, mirrored
]
