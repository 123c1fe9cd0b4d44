"""notify's newsletter-published becomes the public archive (each newsletter in its languages, its Markdown
inert), and notify's consent-withdrawn cancels intake's subscription records, once, on real NATS and store."""

from __future__ import annotations

from datetime import UTC, datetime

from koonto.shared.contracts.intake import SubscriptionCancelled, SubscriptionConfirmed, SubscriptionRequested
from koonto.shared.contracts.notify import ConsentWithdrawn, NewsletterEdition, NewsletterPublished
from tests.intake.helpers import events_of, hidden, post_form, publish
from tests.intake.integration.conftest import PUBLIC
from tests.support.polling import eventually, stays

HOSTILE = (
    "Hei **kaikki**!\n\n<script>alert('x')</script>\n\n[vaarallinen](javascript:alert(1)) "
    "[hyvä](https://koonto.example.fi/haku)"
)


def published(campaign_id: str = "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b") -> NewsletterPublished:
    return NewsletterPublished(
        campaign_id=campaign_id,
        topic="newsletter",
        published_at=datetime(2026, 12, 3, 10, 0, tzinfo=UTC),
        editions=(
            NewsletterEdition(language="fi", subject="Joulukuun uutiset", body=HOSTILE),
            NewsletterEdition(language="sv", subject="Decembernytt", body="Hej **alla**!"),
        ),
    )


async def test_a_sent_newsletter_is_in_the_public_archive_in_its_languages_and_its_markdown_is_inert(
    intake, clean_stream
) -> None:
    runtime, http = intake
    newsletter = published()
    await publish(clean_stream, newsletter)
    await publish(clean_stream, newsletter)  # re-published under a new id: still one archive entry
    campaign = newsletter.campaign_id
    archive = await eventually(
        lambda: _text(http, "/newsletters"), until=lambda t: "Joulukuun uutiset" in t, what="the archive entry"
    )
    assert archive.count(f'href="/newsletters/{campaign}"') == 1 and "3.12.2026" in archive
    assert await runtime.db["newsletters"].count_documents({}) == 1

    finnish = await http.get(f"/newsletters/{campaign}")
    assert finnish.status_code == 200 and "<strong>kaikki</strong>" in finnish.text
    assert "&lt;script&gt;" in finnish.text and "<script>alert" not in finnish.text
    assert 'href="javascript' not in finnish.text
    assert '<a href="https://koonto.example.fi/haku">hyvä</a>' in finnish.text
    assert f'href="/newsletters/{campaign}?lang=sv"' in finnish.text  # the other language it was written in
    swedish = await http.get(f"/newsletters/{campaign}?lang=sv")
    assert "Decembernytt" in swedish.text and "<strong>alla</strong>" in swedish.text
    english = await http.get(f"/newsletters/{campaign}?lang=en")  # not written in English: the Finnish one
    assert english.status_code == 200 and "Joulukuun uutiset" in english.text
    assert (await http.get("/newsletters/no-such-newsletter")).status_code == 404


async def test_an_unsubscribe_in_notify_cancels_the_subscription_here_once(intake, clean_stream) -> None:
    runtime, http = intake
    asked = await http.post(
        "/api/v1/subscriptions",
        json={"email": "Lahtija@Example.fi", "topics": ["newsletter", "events"], "consents": {"privacy_notice": True}},
    )
    assert asked.status_code == 202
    requests = await eventually(lambda: events_of(clean_stream, SubscriptionRequested), until=lambda e: len(e) == 2)
    confirm_path = requests[0][1].confirm_url.removeprefix(PUBLIC)
    page = await http.get(confirm_path)
    await post_form(http, confirm_path, {"csrf_token": hidden(page.text, "csrf_token")})
    await eventually(lambda: events_of(clean_stream, SubscriptionConfirmed), until=lambda e: len(e) == 2)

    withdrawn = ConsentWithdrawn(
        email="lahtija@example.fi",
        topics=("newsletter",),
        source="one-click-unsubscribe",
        withdrawn_at=datetime(2026, 12, 3, 11, 0, tzinfo=UTC),
    )
    await publish(clean_stream, withdrawn)
    cancelled = await eventually(lambda: events_of(clean_stream, SubscriptionCancelled), until=lambda e: len(e) == 1)
    assert cancelled[0][1].topic == "newsletter" and cancelled[0][1].source == "notify:one-click-unsubscribe"
    statuses = {d["topic"]: d["status"] async for d in runtime.db["subscriptions"].find({})}
    assert statuses == {"newsletter": "cancelled", "events": "confirmed"}

    await publish(clean_stream, withdrawn)  # the same withdrawal again (a re-publish): nothing more happens
    await stays(lambda: events_of(clean_stream, SubscriptionCancelled), until=lambda e: len(e) == 1, duration=1.0)
    # the subscription form now tells the truth: asking again starts a new double opt-in
    again = await http.post(
        "/api/v1/subscriptions",
        json={"email": "lahtija@example.fi", "topics": ["newsletter"], "consents": {"privacy_notice": True}},
    )
    assert again.status_code == 202
    await eventually(lambda: events_of(clean_stream, SubscriptionRequested), until=lambda e: len(e) == 3)


async def _text(http, path: str) -> str:  # type: ignore[no-untyped-def]
    return str((await http.get(path)).text)
