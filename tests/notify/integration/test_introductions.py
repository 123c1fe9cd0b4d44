"""associations-introduced through real NATS: each association gets one mail in its own language with the other's
contact; a redelivery (the same event again past the stream's duplicate window) sends nothing twice; nothing
is sent when one of the two was erased."""

from __future__ import annotations

from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from koonto.devsinks import MailSink
from koonto.shared.contracts.advisory import AssociationsIntroduced, IntroducedParty
from koonto.shared.contracts.intake import Contact, ErasureRequested, IdeaSubmitted, Organisation
from tests.notify.integration.conftest import Notify
from tests.support.polling import eventually, stays
from tests.support.samples import envelope, idea_submitted


def ideas() -> tuple[IdeaSubmitted, IdeaSubmitted]:
    finnish = idea_submitted(
        reference="KOO-2026-0101", title="Kylätalon esteettömyys kuntoon",
        organisation=Organisation(name="Kyläyhdistys Toivala ry", type="registered_association",
                                  municipality="siilinjarvi"),
        contact=Contact(name="Maija Meikäläinen", email="maija@example.fi", phone="+358401234567", language="fi"),
    )
    swedish = idea_submitted(
        reference="KOO-2026-0102", title="Tillgänglig bygdegård",
        organisation=Organisation(name="Byaföreningen i Jorois rf", type="registered_association",
                                  municipality="joroinen"),
        contact=Contact(name="Sven Svensson", email="sven@example.fi", language="sv"),
    )
    return finnish, swedish


def introduction(first: IdeaSubmitted, second: IdeaSubmitted) -> AssociationsIntroduced:
    def party(idea: IdeaSubmitted) -> IntroducedParty:
        return IntroducedParty(
            case_id=f"case-{idea.idea_id}", idea_id=idea.idea_id, reference=idea.reference,
            organisation_name=idea.organisation.name, title=idea.title, municipality=idea.organisation.municipality,
        )

    return AssociationsIntroduced(
        introduction_id="introduction-1", introduced_at=datetime(2026, 11, 30, 10, 0, tzinfo=UTC),
        introduced_by="staff-1", advisor_name="Niina Neuvoja", parties=(party(first), party(second)),
        shared_themes=("village", "elderly"), shared_words=("kylätalo", "luiska"),
    )


def parsed(sink: MailSink) -> dict[str, EmailMessage]:
    messages = [BytesParser(policy=policy.default).parsebytes(m["raw"]) for m in sink.messages]
    return {m["To"].addresses[0].addr_spec: m for m in messages}  # type: ignore[misc]


def text_of(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


async def test_each_association_gets_the_others_contact_once_in_its_own_language(
    notify: Notify, mail_sink: MailSink
) -> None:
    finnish, swedish = ideas()
    for idea in (finnish, swedish):
        await notify.publish(envelope(idea))
    await eventually(lambda: _count(mail_sink), until=lambda n: n == 2, what="the two receipts")
    mail_sink.messages.clear()

    introduced = envelope(introduction(finnish, swedish), subject="introduction-1")
    await notify.publish(introduced)
    await notify.publish(introduced, message_id=f"{introduced.id}-redelivered")  # past the window: the inbox
    await eventually(lambda: _count(mail_sink), until=lambda n: n == 2, what="two introduction mails")
    await stays(lambda: _count(mail_sink), until=lambda n: n == 2, duration=1.5)

    mails = parsed(mail_sink)
    to_maija, to_sven = mails["maija@example.fi"], mails["sven@example.fi"]
    assert to_maija["Content-Language"] == "fi" and to_sven["Content-Language"] == "sv"
    assert to_maija["Subject"] == "Esittely: Byaföreningen i Jorois rf – KOO-2026-0101"
    assert to_sven["Subject"] == "Presentation: Kyläyhdistys Toivala ry – KOO-2026-0102"
    maija_text, sven_text = text_of(to_maija), text_of(to_sven)
    assert "Hei Maija Meikäläinen," in maija_text and "Yhteyshenkilö: Sven Svensson" in maija_text
    assert "Sähköposti: sven@example.fi" in maija_text and "Puhelin:" not in maija_text  # Sven gave none
    assert "Kunta: Joroinen" in maija_text and "teemat: Kylät ja lähiyhteisöt, Ikäihmiset" in maija_text
    assert "Hej Sven Svensson," in sven_text and "Kontaktperson: Maija Meikäläinen" in sven_text
    assert "E-post: maija@example.fi" in sven_text and "Telefon: +358401234567" in sven_text
    assert "teman: Byar och närsamhällen, Äldre" in sven_text and "Kommun: Siilinjärvi" in sven_text
    assert "Niina Neuvoja" in sven_text and swedish.status_url in sven_text and finnish.status_url in maija_text


async def test_nothing_is_sent_when_one_of_the_two_was_erased(notify: Notify, mail_sink: MailSink) -> None:
    finnish, swedish = ideas()
    for idea in (finnish, swedish):
        await notify.publish(envelope(idea))
    await eventually(lambda: _count(mail_sink), until=lambda n: n == 2, what="the two receipts")
    erasure = ErasureRequested(
        request_id="erasure-sven", requested_at=datetime(2026, 11, 30, 9, 0, tzinfo=UTC), email="sven@example.fi",
        language="sv", idea_ids=(swedish.idea_id,),
    )
    await notify.publish(envelope(erasure, subject="erasure-sven"))
    await eventually(lambda: _count(mail_sink), until=lambda n: n == 3, what="the erasure confirmation")
    introduced = envelope(introduction(finnish, swedish), subject="introduction-1")
    await notify.publish(introduced)

    async def handled() -> bool:
        done = [d["_id"] async for d in notify.runtime.db["processed_events"].find({}, {"_id": 1})]
        return any(key.endswith(f"/{introduced.id}") for key in done)

    await eventually(handled, until=bool, what="the introduction handled")
    await stays(lambda: _count(mail_sink), until=lambda n: n == 3, duration=1.5)


async def _count(sink: MailSink) -> int:
    return len(sink.messages)
