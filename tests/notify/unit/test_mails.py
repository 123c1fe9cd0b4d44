"""The mails as a person receives them: each event through its handler to the queued delivery, composed and parsed
back as MIME (headers, charset, parts), in Finnish, Swedish and English."""

from __future__ import annotations

from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any, cast

import pytest
from babel.messages.pofile import read_po

from koonto.intake.domain.subscriptions import TOPICS as FORM_TOPICS
from koonto.notify.domain import labels
from koonto.notify.domain.errors import RegistrantNotKnownYet
from koonto.notify.domain.kinds import KINDS
from koonto.notify.handlers import announcements, ideas, people
from koonto.notify.render import LANGUAGES, Renderer
from koonto.notify.samples import sample
from koonto.shared.bus import EventContext
from koonto.shared.contracts import EventData
from koonto.shared.contracts.advisory import AssociationMessaged, EventScheduled, StageChanged
from koonto.shared.contracts.intake import (
    Contact,
    ErasureRequested,
    Organisation,
    RegistrationPromoted,
    RegistrationReceived,
    SubscriptionRequested,
)
from koonto.shared.stages import STAGE_LABELS
from tests.notify.unit.conftest import DAYTIME, Notify
from tests.support.samples import envelope, idea_submitted

INTAKE_LOCALE = Path(__file__).parents[3] / "services" / "intake" / "koonto" / "intake" / "locale"
THEMES = {  # the region file's names of the sample idea's themes ("village", "inclusion")
    "fi": "Kylät ja lähiyhteisöt, Osallisuus ja yhteisöllisyys",
    "sv": "Byar och närsamhällen, Delaktighet och gemenskap",
    "en": "Villages and neighbourhoods, Inclusion and community",
}


def ctx(event: EventData) -> EventContext:
    return EventContext(envelope=envelope(event), attempt=1, region="pohjois-savo", service="notify")


async def mails(notify: Notify, **query: Any) -> list[EmailMessage]:
    """The queued e-mails, composed as the sender would send them and parsed back from their bytes."""
    out = []
    for doc in await notify.queue(channel="email", **query):
        composed = await notify.container.composer.email(doc, DAYTIME)
        out.append(cast(EmailMessage, BytesParser(policy=policy.default).parsebytes(composed.message.as_bytes())))
    return out


def parts(message: EmailMessage) -> tuple[str, str]:
    """(plain text, HTML) of a multipart/alternative mail, checking that both are UTF-8."""
    plain, html = message.get_body(("plain",)), message.get_body(("html",))
    assert plain is not None and html is not None
    assert plain.get_content_charset() == "utf-8" and html.get_content_charset() == "utf-8"
    return str(plain.get_content()), str(html.get_content())


async def submitted(notify: Notify, language: str = "fi", **overrides: Any) -> str:
    idea = idea_submitted(contact=Contact(name="Maija", email="maija@example.fi", language=language), **overrides)
    await ideas.on_idea_submitted(idea, ctx(idea), notify.container)
    return idea.idea_id


@pytest.mark.parametrize("language", LANGUAGES)
async def test_the_receipt_copies_what_was_sent_and_says_who_contacts_them_and_when(
    notify: Notify, language: str
) -> None:
    await submitted(notify, language)
    [message] = await mails(notify, kind="receipt")
    assert message.get_content_type() == "multipart/alternative" and message["Content-Language"] == language
    text, html = parts(message)
    for body in (text, html):
        assert "Kylätalon kohtaamispaikka" in body and "Kyläyhdistys Toivala ry" in body
        assert "Siilinjärvi" in body and THEMES[language] in body and "KOO-2026-0001" in body
    when = {"fi": "muutaman arkipäivän kuluessa", "sv": "inom några arbetsdagar", "en": "within a few working days"}
    who = {"fi": "Koonto-hankkeen neuvoja ottaa teihin yhteyttä",
           "sv": "En rådgivare från projektet Koonto kontaktar er",
           "en": "An advisor of the Koonto project will contact you"}
    assert f"{who[language]} {when[language]}" in text and when[language] in html
    if language == "fi":  # te-muoto, as the pages
        assert "ideanne" in text and "Voitte seurata" in text
        assert not any(word in text.lower() for word in ("sinuun", "sinun", " voit ", "kirjoita "))


async def test_a_municipality_outside_the_list_is_shown_as_written(notify: Notify) -> None:
    organisation = Organisation(name="Seura ry", type="registered_association", municipality="other",
                                municipality_other="Kuopion maalaiskunta")
    await submitted(notify, organisation=organisation, themes=())
    [message] = await mails(notify, kind="receipt")
    text, _ = parts(message)
    assert "Kunta: Kuopion maalaiskunta" in text and "Teemat:" not in text


async def stage(notify: Notify, idea_id: str, to_stage: str, **fields: Any) -> None:
    changed = StageChanged(case_id="c1", idea_id=idea_id, reference="KOO-2026-0001", from_stage="submitted",
                           to_stage=to_stage, changed_by="s1", changed_at=DAYTIME, **fields)  # type: ignore[arg-type]
    await ideas.on_stage_changed(changed, ctx(changed), notify.container)


FUNDED = {
    "fi": ("Onnittelut!", "Myönnetty rahoitus: 48\u00a0500\u00a0€", "maksatushakemuksilla", "toteutuksen"),
    "sv": ("Grattis!", "Beviljad finansiering: 48\u00a0500\u00a0€", "utbetalningsansökningar", "genomförandet"),
    "en": ("Congratulations!", "Funding granted: 48\u00a0500\u00a0€", "payment claims", "throughout the project"),
}
DECLINED = {
    "fi": ("ei rahoitusta", "seuraavassa haussa", "sparraa"),
    "sv": ("ingen finansiering", "nästa utlysning", "sparrar"),
    "en": ("not funded", "the next call", "help you develop the idea"),
}


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_funding_decision_congratulates_names_the_amount_and_the_next_steps(
    notify: Notify, language: str
) -> None:
    idea_id = await submitted(notify, language)
    await stage(notify, idea_id, "funded", amount_applied_eur=50000, amount_granted_eur=48500)
    [message] = await mails(notify, kind="status-update")
    greeting, granted, payments, support = FUNDED[language]
    assert greeting in message["Subject"]
    text, html = parts(message)
    assert greeting.lower() in text.lower() and granted in text and payments in text and support in text
    assert "48\u00a0500\u00a0€" in html and payments in html


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_decline_says_what_happens_next(notify: Notify, language: str) -> None:
    idea_id = await submitted(notify, language)
    await stage(notify, idea_id, "declined", reason="Budjetti ylitti haun enimmäismäärän.")
    [message] = await mails(notify, kind="status-update")
    subject, next_call, sparring = DECLINED[language]
    assert subject in message["Subject"]
    text, html = parts(message)
    assert next_call in text and sparring in text and "Budjetti ylitti haun enimmäismäärän." in text
    assert next_call in html and "€" not in text  # no amount on a decline


async def test_every_stage_says_something_to_act_on_in_every_language() -> None:
    renderer = Renderer()
    for language in LANGUAGES:
        plain = renderer.email("status-update", language, {**sample("status-update"), "to_stage": "idea"}).text
        for code in STAGE_LABELS:
            if code == "idea":
                continue
            text = renderer.email("status-update", language, {**sample("status-update"), "to_stage": code}).text
            added = set(text.splitlines()) - set(plain.splitlines())
            assert len(added) >= 2, (language, code)  # the new status, and what it means for them


def test_what_each_stage_means_reads_the_same_in_the_text_and_the_html_of_every_language() -> None:
    renderer = Renderer()
    for language in LANGUAGES:
        table = renderer.env.get_template(f"status-update/_stages.{language}.txt").module
        steps, paragraphs = dict(table.steps), dict(table.paragraphs)  # type: ignore[attr-defined]
        assert sorted([*steps, *paragraphs]) == sorted(set(STAGE_LABELS) - {"idea"}), language
        for code in STAGE_LABELS:
            mail = renderer.email("status-update", language, {**sample("status-update"), "to_stage": code})
            for item in steps.get(code, []):
                assert f"\n- {item}\n" in mail.text and f"<li>{item}</li>" in mail.html, (language, code)
            if code in paragraphs:
                assert f"\n{paragraphs[code]}\n" in mail.text, (language, code)
                assert f"<p>{paragraphs[code]}</p>" in mail.html, (language, code)
            if code in steps:
                heading = table.heading  # type: ignore[attr-defined]
                assert f"\n{heading}:\n" in mail.text and f">{heading}</h2>" in mail.html, (language, code)


async def test_an_advisor_message_replies_to_the_advisor_and_shows_their_name(notify: Notify) -> None:
    idea_id = await submitted(notify)
    await notify.add_staff("s1", "niina.neuvoja@koonto.fi")
    message_event = AssociationMessaged(
        message_id="m1", case_id="c1", idea_id=idea_id, reference="KOO-2026-0001", advisor_id="s1",
        advisor_name="Niina Neuvoja", body="Hei! Tässä budjettipohja.", sent_at=DAYTIME,
    )
    await ideas.on_association_messaged(message_event, ctx(message_event), notify.container)
    [message] = await mails(notify, kind="advisor-message")
    assert message["Reply-To"].addresses[0].addr_spec == "niina.neuvoja@koonto.fi"
    [sender] = message["From"].addresses
    assert sender.display_name == "Niina Neuvoja (Koonto)" and sender.addr_spec == "koonto@example.fi"
    text, html = parts(message)
    assert "Voitte vastata tähän viestiin" in text and "Niina Neuvoja" in html


async def test_an_advisor_the_directory_does_not_know_gets_replies_through_the_project_address(
    notify: Notify,
) -> None:
    idea_id = await submitted(notify)
    message_event = AssociationMessaged(
        message_id="m2", case_id="c1", idea_id=idea_id, reference="KOO-2026-0001", advisor_id="unknown",
        advisor_name="Pekka Neuvoja", body="Hei!", sent_at=DAYTIME,
    )
    await ideas.on_association_messaged(message_event, ctx(message_event), notify.container)
    [message] = await mails(notify, kind="advisor-message")
    assert message["Reply-To"].addresses[0].addr_spec == notify.container.core.region.contact_email
    [receipt] = await mails(notify, kind="receipt")
    assert receipt["Reply-To"] is None and receipt["From"].addresses[0].display_name == "Koonto"


async def test_the_calendar_part_is_utf8_and_keeps_the_finnish_letters(notify: Notify) -> None:
    scheduled = EventScheduled(scheduled_event_id="ev1", title="Työpaja: hakemuksen äärellä", kind="workshop",
                               starts_at=datetime(2026, 12, 3, 15, 0, tzinfo=UTC), place="Kuopio, Väinölänniemi",
                               capacity=30)
    await announcements.on_event_scheduled(scheduled, ctx(scheduled), notify.container)
    registration = RegistrationReceived(registration_id="r1", scheduled_event_id="ev1", status="confirmed",
                                        received_at=DAYTIME, participant=Contact(name="Matti", email="m@example.fi"))
    await people.on_registration_received(registration, ctx(registration), notify.container)
    [message] = await mails(notify, kind="registration-confirmation")
    assert message.get_content_type() == "multipart/mixed"
    [calendar] = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert calendar.get_content_charset() == "utf-8" and calendar.get_param("method") == "PUBLISH"
    lines = str(calendar.get_content()).replace("\r\n ", "").splitlines()
    assert "SUMMARY:Työpaja: hakemuksen äärellä" in lines and "LOCATION:Kuopio\\, Väinölänniemi" in lines


@pytest.mark.parametrize("language", LANGUAGES)
async def test_the_erasure_receipt_has_no_unsubscribe_or_preference_links(notify: Notify, language: str) -> None:
    erasure = ErasureRequested(request_id="e1", requested_at=DAYTIME, email="eeva@example.fi", language=language)
    await people.on_erasure_requested(erasure, ctx(erasure), notify.container)
    [message] = await mails(notify, kind="erasure-confirmation")
    assert message["List-Unsubscribe"] is None and message["List-Unsubscribe-Post"] is None
    text, html = parts(message)
    for body in (text, html):
        assert "/unsubscribe/" not in body and "/preferences/" not in body
        assert notify.container.core.region.contact_email in body  # who to ask is still there


async def test_other_mails_keep_their_links_and_the_finnish_footer_says_tamantyyppiset(notify: Notify) -> None:
    await submitted(notify)
    [message] = await mails(notify, kind="receipt")
    assert message["List-Unsubscribe"].startswith("<http://notify.test/unsubscribe/")
    text, html = parts(message)
    assert "Peru tämäntyyppiset viestit: http://notify.test/unsubscribe/" in text
    assert "tämäntyyppiset" in html and "tämän tyyppiset" not in text + html


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
async def test_a_configured_regions_mail_footer_gives_its_real_addresses_and_no_example_fi(
    notify: Notify, language: str
) -> None:
    region = notify.container.core.region
    assert region.placeholder_addresses() == []  # the region file the services run with is configured
    await submitted(notify, language)
    [message] = await mails(notify, kind="receipt")
    text, html = parts(message)
    word = {"fi": "Tietosuoja", "sv": "Dataskydd", "en": "Data protection"}[language]
    text_footer = text[text.rindex(f"{region.project_name} | "):]
    html_footer = html[html.rindex(f"<p>{region.project_name} · "):]
    assert text_footer.startswith(f"{region.project_name} | {region.contact_email} | {region.website}\n")
    assert f"{word}: {region.privacy_contact_email}\n" in text_footer
    assert f'href="mailto:{region.contact_email}"' in html_footer and f'href="{region.website}"' in html_footer
    assert f'{word}: <a href="mailto:{region.privacy_contact_email}">' in html_footer
    assert "example.fi" not in text_footer + html_footer


def test_english_mails_start_with_a_capital_letter_after_the_greeting() -> None:
    renderer = Renderer()
    for kind in KINDS:
        if (KINDS[kind].template or kind) == "newsletter":
            continue  # a newsletter's text is the one staff wrote, greeting or not
        lines = renderer.email(kind, "en", sample(kind)).text.splitlines()
        assert lines[0].startswith("Hello") and lines[1] == ""
        assert lines[2][:1].isupper(), (kind, lines[2])


def form_names(language: str) -> dict[str, str]:
    """The topic names on intake's subscription form, in `language`."""
    if language == "fi":
        return dict(FORM_TOPICS)
    with (INTAKE_LOCALE / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalogue = {m.id: m.string for m in read_po(handle) if m.id}
    return {code: catalogue[name] for code, name in FORM_TOPICS.items()}


@pytest.mark.parametrize("language", LANGUAGES)
def test_topic_names_in_mails_are_those_on_the_form(language: str) -> None:
    assert labels.TOPICS[language] == form_names(language)


@pytest.mark.parametrize("language", LANGUAGES)
async def test_three_topics_asked_together_give_one_confirmation_mail_listing_the_three(
    notify: Notify, language: str
) -> None:
    topics = ("call_announcements", "newsletter", "events")
    url = "http://intake.test/subscriptions/confirm/one-link"
    for n, topic in enumerate(topics):
        requested = SubscriptionRequested(
            subscription_id=f"sub{n}", topic=topic, email="tilaaja@example.fi", language=language,
            requested_at=DAYTIME, source="subscription-form", confirm_url=url, request_id="req1", topics=topics,
        )
        await people.on_subscription_requested(requested, ctx(requested), notify.container)
    [message] = await mails(notify, kind="subscription-confirm")
    text, html = parts(message)
    names = form_names(language)
    for topic in topics:
        assert f"- {names[topic]}" in text and f"<strong>{names[topic]}</strong>" in html
        assert names[topic] in message["Subject"]
    assert text.count(url) == 1 and "tilaaja@example.fi" in text


async def test_a_topic_asked_alone_lists_that_topic(notify: Notify) -> None:
    requested = SubscriptionRequested(
        subscription_id="s1", topic="newsletter", email="a@example.fi", requested_at=DAYTIME, source="idea-form",
        confirm_url="http://intake.test/subscriptions/confirm/x",
    )
    await people.on_subscription_requested(requested, ctx(requested), notify.container)
    again = requested.model_copy(update={"subscription_id": "s2"})  # another request: its own mail
    await people.on_subscription_requested(again, ctx(again), notify.container)
    sent = await mails(notify, kind="subscription-confirm")
    assert len(sent) == 2 and all(m["Subject"] == "Vahvistakaa tilaus: Uutiskirje" for m in sent)


async def _registration_mail(notify: Notify, language: str, **fields: Any) -> RegistrationReceived:
    scheduled = EventScheduled(scheduled_event_id="ev2", title="Hankeklinikka", kind="training",
                               starts_at=datetime(2026, 12, 3, 15, 0, tzinfo=UTC), place="Kuopio", capacity=1,
                               what_to_bring="Oma muki")
    await announcements.on_event_scheduled(scheduled, ctx(scheduled), notify.container)
    registration = RegistrationReceived(
        registration_id="r2", scheduled_event_id="ev2", received_at=DAYTIME,
        participant=Contact(name="Maija", email="maija@example.fi", language=language),
        cancel_url="http://intake.test/registrations/cancel/tok", **fields,
    )
    await people.on_registration_received(registration, ctx(registration), notify.container)
    return registration


@pytest.mark.parametrize(("language", "place"), [("fi", "varasijalla 3"), ("sv", "reservplats 3"),
                                                 ("en", "number 3 on the waiting list")])
async def test_the_waiting_list_mail_tells_the_place_in_the_queue_and_how_to_leave_it(
    notify: Notify, language: str, place: str
) -> None:
    await _registration_mail(notify, language, status="waitlisted", position_on_waitlist=3)
    [message] = await mails(notify, kind="registration-confirmation")
    text, html = parts(message)
    assert place in text and place in html
    for body in (text, html):
        assert "http://intake.test/registrations/cancel/tok" in body
    assert not [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]


@pytest.mark.parametrize(("language", "says"), [("fi", "Paikka vapautui"), ("sv", "En plats blev ledig"),
                                                ("en", "A place opened up")])
async def test_a_promotion_is_mailed_in_the_registrants_language_with_the_calendar_and_the_cancel_link(
    notify: Notify, language: str, says: str
) -> None:
    await _registration_mail(notify, language, status="waitlisted", position_on_waitlist=1)
    promoted = RegistrationPromoted(registration_id="r2", scheduled_event_id="ev2", promoted_at=DAYTIME,
                                    cancel_url="http://intake.test/registrations/cancel/new")
    await people.on_registration_promoted(promoted, ctx(promoted), notify.container)
    waiting, message = await mails(notify, kind="registration-confirmation")
    assert not waiting["Subject"].startswith(says)
    assert message["Subject"].startswith(says) and message["To"].addresses[0].addr_spec == "maija@example.fi"
    text, html = parts(message)
    assert "http://intake.test/registrations/cancel/new" in text and "registrations/cancel/new" in html
    assert "Oma muki" in text and "Oma muki" in html  # what to bring
    assert [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]


async def test_a_promotion_before_its_registration_is_retried(notify: Notify) -> None:
    scheduled = EventScheduled(scheduled_event_id="ev3", title="Foorumi", kind="forum",
                               starts_at=datetime(2026, 12, 3, 15, 0, tzinfo=UTC), place="Kuopio", capacity=1)
    await announcements.on_event_scheduled(scheduled, ctx(scheduled), notify.container)
    promoted = RegistrationPromoted(registration_id="unknown", scheduled_event_id="ev3", promoted_at=DAYTIME)
    with pytest.raises(RegistrantNotKnownYet):
        await people.on_registration_promoted(promoted, ctx(promoted), notify.container)
