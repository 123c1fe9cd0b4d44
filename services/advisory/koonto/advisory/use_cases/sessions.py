"""Advisory work recorded on a case: sessions, notes and messages to the association."""

from __future__ import annotations

from datetime import datetime

from koonto.advisory.domain.actor import Actor
from koonto.advisory.domain.case import Case
from koonto.advisory.domain.errors import Invalid
from koonto.advisory.use_cases.common import Context, new_id
from koonto.shared.clock import HELSINKI, as_utc
from koonto.shared.mongo import Document

SESSION_KINDS = ("phone", "meeting", "video", "email", "workshop")
MAX_TEXT = 20_000


def _text(value: str | None) -> str | None:
    return (value or "").strip()[:MAX_TEXT] or None


class Sessions:
    def __init__(self, context: Context) -> None:
        self.c = context

    async def log_session(
        self, actor: Actor, case_id: str, *, kind: str, started_at: datetime, duration_minutes: int,
        topics: list[str], note: str | None, session_id: str | None = None,
    ) -> Document:
        """`session_id`: given when the session is one of something else (a held advice booking)."""
        if kind not in SESSION_KINDS:
            raise Invalid("Valitse neuvonnan muoto.", "kind")
        if not 1 <= duration_minutes <= 24 * 60:
            raise Invalid("Kesto minuutteina: 1–1440.", "duration_minutes")
        if started_at.tzinfo is None:
            started_at = started_at.replace(tzinfo=HELSINKI)
        started_at = as_utc(started_at)  # UTC inside; shown in Helsinki time
        topics = [t.strip()[:200] for t in topics if t.strip()][:20]
        case = await self.c.case(case_id)
        entry, changes, data = Case.from_document(case).log_session(
            actor, session_id or new_id("session"), kind=kind, started_at=started_at, duration_minutes=duration_minutes,
            topics=topics, note=_text(note), now=self.c.now(),
        )
        await self.c.add_to_case(case, changes, self.c.event(data, subject=case_id))
        return entry

    async def _case_for(self, case_id: str, text: str, field: str, missing: str) -> tuple[Document, str]:
        """The case, and the text written on it (required, trimmed, at most MAX_TEXT characters)."""
        text = text.strip()
        if not text:
            raise Invalid(missing, field)
        return await self.c.case(case_id), text[:MAX_TEXT]

    async def add_note(self, actor: Actor, case_id: str, text: str) -> Document:
        case, text = await self._case_for(case_id, text, "text", "Kirjoita muistiinpano.")
        entry = self.c.entry("note", actor, text)
        await self.c.add_to_case(case, {f"timeline.{entry['id']}": entry})
        return entry

    async def message_association(self, actor: Actor, case_id: str, body: str) -> Document:
        case, body = await self._case_for(case_id, body, "body", "Kirjoita viesti.")
        entry, changes, data = Case.from_document(case).message(actor, new_id("message"), body, self.c.now())
        await self.c.add_to_case(case, changes, self.c.event(data, subject=case_id))
        return entry
