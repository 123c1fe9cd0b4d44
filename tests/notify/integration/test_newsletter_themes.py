"""A newsletter aimed at themes, on the real NATS, store and SMTP server: subscribers known from intake's
subscription-confirmed (with the themes they chose, or none), the compose page's theme choice, the recipient count
and the deliveries. A subscriber of another theme gets nothing; one who chose no themes gets it (no themes is every
theme); a newsletter aimed at no theme reaches everyone of the topic; an unknown theme code is refused."""

from __future__ import annotations

from datetime import UTC, datetime

from koonto.devsinks import MailSink
from koonto.shared.contracts.intake import SubscriptionConfirmed
from tests.notify.integration.conftest import Notify
from tests.notify.integration.test_newsletters import _count, _page, compose, create, to_of
from tests.support.polling import eventually, stays
from tests.support.samples import envelope
from tests.support.services import client
from tests.support.staff import bearer

CHOSEN = {
    "nuoret@example.fi": ("youth",),
    "liikunta@example.fi": ("sport",),  # another theme only
    "monta@example.fi": ("elderly", "youth"),
    "kaikki@example.fi": (),  # chose no themes: every theme
}


async def confirmed(notify: Notify, email: str, themes: tuple[str, ...], topic: str = "newsletter") -> None:
    await notify.publish(envelope(SubscriptionConfirmed(
        subscription_id=f"{topic}-{email}", topic=topic, email=email, confirmed_at=datetime(2026, 11, 1, tzinfo=UTC),
        source="subscription-form", unsubscribe_url="http://intake.test/unsubscribe/x", themes=themes,
    )))


async def known(notify: Notify, email: str, topic: str = "newsletter") -> bool:
    subscriber = await notify.container.store.recipients.subscriber(email)
    return bool(subscriber and (subscriber["topics"].get(topic) or {}).get("consent"))


async def test_a_newsletter_aimed_at_a_theme_reaches_that_theme_and_those_who_chose_none(
    notify: Notify, mail_sink: MailSink
) -> None:
    for email, themes in CHOSEN.items():
        await confirmed(notify, email, themes)
    await confirmed(notify, "tapahtumat@example.fi", ("youth",), topic="events")  # another topic
    for email in CHOSEN:
        await eventually(lambda email=email: known(notify, email), until=bool, what=f"{email} known")
    stored = await notify.container.store.recipients.subscriber("monta@example.fi")
    assert stored is not None and stored["topics"]["newsletter"]["themes"] == ["elderly", "youth"]

    async with client(notify.runtime) as http:
        form = await http.get("/staff/newsletters/new", headers=bearer("coordinator"))
        assert 'name="themes" value="youth"' in form.text and "Lapset ja nuoret" in form.text
        assert "sekä niille, jotka eivät ole valinneet teemoja" in form.text
        unknown = await http.post("/staff/newsletters", data=compose(themes=["youth", "astrology"]),
                                  headers=bearer("coordinator"))
        assert unknown.status_code == 400 and "Valitse teemat luettelosta." in unknown.text
        assert 'href="#themes"' in unknown.text and 'value="youth" id="theme-youth" checked' in unknown.text

        everyone = await create(http, compose())
        assert "4 vastaanottajaa" in await _page(http, everyone)  # no theme: every subscriber of the topic

        campaign = await create(http, compose(themes="youth"))
        page = await _page(http, campaign)
        assert "3 vastaanottajaa" in page and "teemat: Lapset ja nuoret" in page
        edit = await http.get(f"/staff/newsletters/{campaign}/edit", headers=bearer("coordinator"))
        assert 'value="youth" id="theme-youth" checked' in edit.text
        assert 'value="sport" id="theme-sport" checked' not in edit.text

        sent = await http.post(f"/staff/newsletters/{campaign}/send", headers=bearer("coordinator"))
        assert sent.status_code == 303
        await eventually(lambda: _count(mail_sink), until=lambda n: n == 3, what="the newsletter to the theme")
        await stays(lambda: _count(mail_sink), until=lambda n: n == 3, duration=1.0)
        assert sorted(to_of(mail_sink)) == ["kaikki@example.fi", "monta@example.fi", "nuoret@example.fi"]
        await eventually(lambda: _page(http, campaign), until=lambda t: 'id="percent">100 %' in t, what="100 %")
        english = await http.post("/staff/newsletters?lang=en", data=compose(themes="astrology"),
                                  headers={**bearer("coordinator"), "Accept-Language": "en"})
        assert english.status_code == 400 and "Choose the themes from the list." in english.text
