"""Newsletters staff compose, on the real NATS, store and SMTP server: the audience (confirmed subscribers of the
topic, narrowed by sub-region), consent (a non-subscriber and an unsubscribed person get nothing, a service
message still reaches the unsubscribed one), hostile Markdown rendered inert, RFC 8058 headers, the test copy,
the schedule, pause and resume (nothing sent while paused, nothing twice after), and the mirrored unsubscribe."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from koonto.devsinks import MailSink
from koonto.notify.store import subscriber_document
from koonto.shared.contracts.intake import Contact
from tests.notify.integration.conftest import Notify
from tests.support.polling import eventually, stays
from tests.support.samples import envelope, idea_submitted
from tests.support.services import client
from tests.support.staff import bearer

AT = datetime(2026, 11, 1, tzinfo=UTC)
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
HOSTILE = (
    "## Tervetuloa\n\nHei **kaikki**!\n\n<script>alert('x')</script>\n\n"
    "[vaarallinen](javascript:alert(1)) ja [hyvä](https://koonto.example.fi/haku) "
    '<img src=x onerror="alert(2)">'
)


def seed(
    email: str, topic: str, *, consent: bool = True, municipality: str | None = "kuopio", language: str = "fi"
) -> dict[str, Any]:
    return subscriber_document(
        email,
        language=language,
        municipality=municipality,
        topic=topic,
        consent=consent,
        at=AT,
        source="subscription-form",
    )


def compose(**fields: Any) -> dict[str, Any]:
    return {"topic": "newsletter", "subject_fi": "Joulukuun uutiset", "body_fi": HOSTILE, **fields}


async def create(http: Any, form: dict[str, Any]) -> str:
    response = await http.post("/staff/newsletters", data=form, headers=bearer("coordinator"))
    assert response.status_code == 303, response.text
    return str(response.headers["location"]).rsplit("/", 1)[1]


def to_of(sink: MailSink) -> list[str]:
    return [to for m in sink.messages for to in m["to"]]


async def test_a_segmented_newsletter_reaches_only_confirmed_subscribers_there_and_its_markdown_is_inert(
    notify: Notify, mail_sink: MailSink
) -> None:
    db = notify.runtime.db
    await db["recipients"].insert_many(
        [
            seed("kuopio@example.fi", "newsletter"),
            seed("siilinjarvi@example.fi", "newsletter", municipality="siilinjarvi", language="sv"),
            seed("iisalmi@example.fi", "newsletter", municipality="iisalmi"),  # outside the segment
            seed("peruttu@example.fi", "newsletter", consent=False),  # unsubscribed
            seed("tapahtumat@example.fi", "events"),  # another topic only
            seed("eikuntaa@example.fi", "newsletter", municipality=None),  # chose no municipality
        ]
    )
    async with client(notify.runtime) as http:
        form = await http.get("/staff/newsletters/new", headers=bearer("coordinator"))
        assert form.status_code == 200 and 'name="body_sv"' in form.text and 'value="kuopio"' in form.text
        refused = await http.post("/staff/newsletters", data={"topic": "newsletter"}, headers=bearer("coordinator"))
        assert refused.status_code == 400 and 'href="#subject_fi"' in refused.text and 'href="#body_fi"' in refused.text
        assert (await http.post("/staff/newsletters", data=compose(), headers=bearer("advisor"))).status_code == 403

        campaign = await create(
            http,
            compose(
                sub_regions="Kuopion seutukunta",
                subject_sv="Decembernytt",
                body_sv="Hej **alla**! [länk](https://koonto.example.fi/sv)",
            ),
        )
        page = await http.get(f"/staff/newsletters/{campaign}", headers=bearer("advisor"))
        assert page.status_code == 200 and "2 vastaanottajaa" in page.text
        assert "Decembernytt" in page.text and "&lt;script&gt;" in page.text  # the previews, escaped twice in srcdoc

        edit = await http.get(f"/staff/newsletters/{campaign}/edit", headers=bearer("coordinator"))
        assert edit.status_code == 200 and 'value="Decembernytt"' in edit.text
        assert 'value="Kuopion seutukunta" id="municipalities" checked' in edit.text
        tested = await http.post(
            f"/staff/newsletters/{campaign}/test",
            data={"language": "sv"},
            headers=bearer("coordinator", email="koordinaattori@example.fi"),
        )
        assert tested.status_code == 303
        await eventually(lambda: _count(mail_sink), until=lambda n: n == 1, what="the test copy")
        assert to_of(mail_sink) == ["koordinaattori@example.fi"]
        assert mail_sink.messages[0]["subject"] == "Decembernytt"

        sent = await http.post(f"/staff/newsletters/{campaign}/send", headers=bearer("coordinator"))
        assert sent.status_code == 303
        await eventually(lambda: _count(mail_sink), until=lambda n: n == 3, what="the newsletter to the segment")
        await stays(lambda: _count(mail_sink), until=lambda n: n == 3, duration=1.0)
        assert sorted(to_of(mail_sink)[1:]) == ["kuopio@example.fi", "siilinjarvi@example.fi"]
        again = await http.post(f"/staff/newsletters/{campaign}/send", headers=bearer("coordinator"))
        assert again.status_code == 409  # started once

        for message in mail_sink.messages[1:]:
            parsed = message["parsed"]
            assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
            assert "/unsubscribe/" in parsed["List-Unsubscribe"]
            html = parsed.get_body(("html",)).get_content()
            assert "<script" not in html and "javascript:" not in html.split("vaarallinen")[0][-40:]
            assert 'href="javascript' not in html and "onerror=" not in html.replace("onerror=&quot;", "")
            assert '<a href="https://koonto.example.fi/haku">hyvä</a>' in html or "Hej <strong>alla</strong>" in html
            assert f"/newsletters/{campaign}?lang=" in html  # view in browser
        swedish = next(m for m in mail_sink.messages if m["to"] == ["siilinjarvi@example.fi"])
        assert swedish["subject"] == "Decembernytt"

        progress = await eventually(
            lambda: _page(http, campaign), until=lambda t: 'id="percent">100 %' in t, what="the progress page at 100 %"
        )
        assert re.search(r'id="sent">2<', progress) and re.search(r'id="left">0<', progress)
        log = await http.get(f"/staff/notifications?fanout={campaign}:newsletter", headers=bearer("advisor"))
        assert log.status_code == 200 and "kuopio@example.fi" in log.text and "iisalmi@example.fi" not in log.text

    # the unsubscribed person still gets a service message about their own matter
    idea = idea_submitted(contact=Contact(name="Pertti Peruttu", email="peruttu@example.fi", language="fi"))
    await notify.publish(envelope(idea))
    await eventually(lambda: _count(mail_sink), until=lambda n: n == 4, what="the receipt to the unsubscribed one")
    assert to_of(mail_sink)[-1] == "peruttu@example.fi"
    published = await db["campaigns"].find_one({"_id": campaign})
    assert published is not None and published["status"] == "sending"


async def test_a_scheduled_newsletter_starts_at_its_time_once(notify: Notify, mail_sink: MailSink) -> None:
    await notify.runtime.db["recipients"].insert_many([seed(f"t{i}@example.fi", "events") for i in range(3)])
    assert notify.clock is not None
    async with client(notify.runtime) as http:
        campaign = await create(http, compose(topic="events"))
        at = notify.clock.now() + timedelta(hours=2)
        local = at.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Helsinki"))
        wrong = await http.post(
            f"/staff/newsletters/{campaign}/schedule",
            data={"day": "32.13.2026", "time": "x"},
            headers=bearer("coordinator"),
        )
        assert wrong.status_code == 400 and "29.11.2026" in wrong.text
        done = await http.post(
            f"/staff/newsletters/{campaign}/schedule",
            data={"day": local.strftime("%d.%m.%Y"), "time": local.strftime("%H.%M")},
            headers=bearer("coordinator"),
        )
        assert done.status_code == 303
        assert "Ajastettu" in await _page(http, campaign)
        await stays(lambda: _count(mail_sink), until=lambda n: n == 0, duration=1.0)  # not before its time
        notify.clock.advance(timedelta(hours=2, minutes=1))
        await eventually(lambda: _count(mail_sink), until=lambda n: n == 3, what="the scheduled newsletter")
        await stays(lambda: _count(mail_sink), until=lambda n: n == 3, duration=1.0)
    assert sorted(to_of(mail_sink)) == ["t0@example.fi", "t1@example.fi", "t2@example.fi"]


async def test_a_paused_newsletter_sends_nothing_until_resumed_and_nothing_twice_after(
    notify_factory: Any, mail_sink: MailSink
) -> None:
    from tests.support.services import running

    # one send at a time: at most the one under way when the pause comes may still finish
    runtime = notify_factory(send_rate_per_second=4, fanout_batch=5, fanout_ahead=5, smtp_pool_size=1)
    async with running(runtime):
        await runtime.db["recipients"].insert_many([seed(f"p{i:02d}@example.fi", "newsletter") for i in range(16)])
        async with client(runtime) as http:
            campaign = await create(http, compose())
            await http.post(f"/staff/newsletters/{campaign}/send", headers=bearer("coordinator"))
            await eventually(lambda: _count(mail_sink), until=lambda n: n >= 2, what="the first mails")
            paused = await http.post(f"/staff/newsletters/{campaign}/pause", headers=bearer("coordinator"))
            assert paused.status_code == 303
            await eventually(lambda: _page(http, campaign), until=lambda t: "Keskeytetty" in t, what="paused")
            settled = len(mail_sink.messages)  # a send already under way when the pause came may finish
            await stays(lambda: _count(mail_sink), until=lambda n: n <= settled + 1, duration=0.5)
            paused_at = len(mail_sink.messages)
            await stays(lambda: _count(mail_sink), until=lambda n: n == paused_at, duration=2.0)
            assert paused_at < 16
            resumed = await http.post(f"/staff/newsletters/{campaign}/resume", headers=bearer("coordinator"))
            assert resumed.status_code == 303
            await eventually(lambda: _count(mail_sink), until=lambda n: n >= 16, timeout=60, what="the rest")
            await stays(lambda: _count(mail_sink), until=lambda n: n == 16, duration=1.0)
            await eventually(lambda: _page(http, campaign), until=lambda t: 'id="percent">100 %' in t, what="100 %")
    assert sorted(to_of(mail_sink)) == [f"p{i:02d}@example.fi" for i in range(16)]


async def test_a_one_click_unsubscribe_is_told_to_intake_once(notify: Notify) -> None:
    container = notify.container
    await notify.runtime.db["recipients"].insert_one(seed("lahtija@example.fi", "newsletter"))
    link = container.links.unsubscribe_url("lahtija@example.fi", "newsletter", "fi")
    async with client(notify.runtime) as http:
        path = "/" + link.split("/", 3)[3]
        for _ in range(2):  # a mail client and then the person on the page
            done = await http.post(path, content=b"List-Unsubscribe=One-Click", headers=FORM)
            assert done.status_code == 200
    withdrawals = [d async for d in notify.runtime.db["consent_withdrawals"].find({})]
    assert len(withdrawals) == 1 and withdrawals[0]["topics"] == ["newsletter"]
    assert await container.preferences.topics("lahtija@example.fi") == {
        "call_announcements": False,
        "newsletter": False,
        "events": False,
    }


async def _count(sink: MailSink) -> int:
    return len(sink.messages)


async def _page(http: Any, campaign: str) -> str:
    return str((await http.get(f"/staff/newsletters/{campaign}", headers=bearer("advisor"))).text)
