"""The resume link of a saved idea draft (intake's idea-draft-saved), through real NATS and the store: one mail
in the person's language, none for a redelivery, none after the person's erasure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email import policy
from email.parser import BytesParser

from koonto.devsinks import MailSink
from koonto.shared.contracts.intake import ErasureRequested, IdeaDraftSaved
from tests.notify.integration.conftest import Notify
from tests.support.polling import eventually, stays
from tests.support.samples import envelope


def draft_saved(email: str, language: str, at: datetime) -> IdeaDraftSaved:
    return IdeaDraftSaved(
        draft_id=f"draft-{email}",
        saved_at=at,
        email=email,
        language=language,  # type: ignore[arg-type]
        resume_url=f"http://127.0.0.1:8001/ideas/draft/signed-{language}",
        expires_at=at + timedelta(days=30),
    )


async def test_the_resume_link_is_mailed_once_in_the_persons_language(notify: Notify, mail_sink: MailSink) -> None:
    at = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    saved = envelope(draft_saved("Stina@Example.fi", "sv", at))
    await notify.publish(saved)
    await notify.publish(saved)  # a redelivery
    await eventually(lambda: _count(mail_sink), until=lambda n: n == 1, what="the resume link")
    await stays(lambda: _count(mail_sink), until=lambda n: n == 1, duration=1.0)
    message = BytesParser(policy=policy.default).parsebytes(mail_sink.messages[0]["raw"])
    assert mail_sink.messages[0]["to"] == ["stina@example.fi"]
    assert message["Subject"] == "Koonto: utkastet till din idé har sparats"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "http://127.0.0.1:8001/ideas/draft/signed-sv" in text and "31.12.2026" in text


async def test_no_resume_link_goes_to_a_person_erased_after_saving(notify: Notify, mail_sink: MailSink) -> None:
    at = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    await notify.publish(
        envelope(
            ErasureRequested(request_id="e-draft", requested_at=at + timedelta(minutes=5), email="erkki@example.fi")
        )
    )
    await eventually(lambda: _count(mail_sink), until=lambda n: n == 1, what="erasure confirmation")
    await notify.publish(envelope(draft_saved("erkki@example.fi", "fi", at)))
    await stays(lambda: _count(mail_sink), until=lambda n: n == 1, duration=1.5)


async def _count(sink: MailSink) -> int:
    return len(sink.messages)
