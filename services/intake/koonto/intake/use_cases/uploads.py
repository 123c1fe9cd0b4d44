"""Drafts of the idea form and the files sent with it.

One filling of the form is an *upload* (a UUIDv7): its files are stored as they arrive (each post of the form
may bring more), the form carries the upload's signed token, and a saved draft is the same id. A draft is not an
idea: saving one writes the draft and the one event notify needs to mail the resume link (`idea-draft-saved`:
the address, the language, the link, the expiry; none of the answers), and nothing reaches advisory until the
idea is sent. Drafts and their files are deleted `draft_max_age_days` after the last save (`sweep`, a job).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from koonto.intake.domain.attachments import Limits, Refusal, judge, safe_name
from koonto.intake.domain.errors import LinkRefused
from koonto.intake.use_cases.base import UseCase
from koonto.shared.contracts.intake import Attachment, IdeaDraftSaved
from koonto.shared.ids import new_event_id
from koonto.shared.mongo import Document, epoch_ms


@dataclass(frozen=True)
class Upload:
    """A file as posted: the name the browser gave and the bytes (its content type is never trusted)."""

    name: str
    data: bytes


@dataclass
class Uploads(UseCase):
    def limits(self) -> Limits:
        s = self.settings
        return Limits(s.attachment_max_bytes, s.attachments_max_bytes_per_idea, s.attachments_max_files)

    def upload_id(self, token: str | None) -> str:
        """The upload a form's token names, or a new one (a missing, forged or expired token starts afresh)."""
        if token:
            checked = self.links.draft.check(token)
            if checked.verdict == "ok" and isinstance(checked.value, str):
                return checked.value
        return new_event_id()

    def token(self, upload_id: str) -> str:
        return self.links.draft.sign(upload_id)

    def _expires_ms(self) -> int:
        return epoch_ms(self.clock() + timedelta(days=self.settings.draft_max_age_days))

    async def accept(self, upload_id: str, uploads: list[Upload]) -> list[Refusal]:
        """Stores each file the rules take (`domain/attachments.py`); returns why the others were refused."""
        existing = await self.store.uploads.files_of(upload_id)
        sizes = [int(f["size"]) for f in existing]
        refused: list[Refusal] = []
        for upload in uploads:
            media_type, refusal = judge(upload.name, upload.data, sizes, self.limits())
            if refusal is not None:
                refused.append(refusal)
                continue
            now = self.clock()
            meta = {
                "_id": new_event_id(),
                "upload": upload_id,
                "idea_id": None,
                "region": self.region.code,
                "name": safe_name(upload.name, media_type),
                "type": media_type,
                "size": len(upload.data),
                "sha256": hashlib.sha256(upload.data).hexdigest(),
                "uploaded_at": now,
                "uploaded_ms": epoch_ms(now),
                "expires_ms": self._expires_ms(),
            }
            await self.store.uploads.add_file(meta, upload.data)
            sizes.append(len(upload.data))
        return refused

    async def files(self, upload_id: str) -> list[Document]:
        return await self.store.uploads.files_of(upload_id)

    async def remove(self, upload_id: str, attachment_ids: list[str]) -> None:
        await self.store.uploads.remove_files(upload_id, attachment_ids)

    async def metadata(self, upload_id: str) -> tuple[Attachment, ...]:
        return tuple(
            Attachment(attachment_id=f["_id"], name=f["name"], type=f["type"], size=f["size"], sha256=f["sha256"])
            for f in await self.files(upload_id)
        )

    async def save_draft(self, upload_id: str, values: Document, email: str, language: str) -> bool:
        """Saves the answers; the resume link is mailed on the first save and when the address changed
        (True then). Saving again keeps the draft another `draft_max_age_days`."""
        now = self.clock()
        earlier = await self.store.uploads.draft(upload_id)
        expires_ms = self._expires_ms()
        event = None
        if earlier is None or earlier.get("email") != email:
            data = IdeaDraftSaved(
                draft_id=upload_id,
                saved_at=now,
                email=email,
                language=language,  # type: ignore[arg-type]
                resume_url=self.links.draft_url(upload_id),
                expires_at=now + timedelta(days=self.settings.draft_max_age_days),
            )
            event = self.events.new_event(data, subject=upload_id)
        doc = {
            "_id": upload_id,
            "region": self.region.code,
            "values": _without_consents(values),
            "email": email,
            "language": language,
            "saved_at": now,
            "expires_ms": expires_ms,
        }
        await self.store.uploads.save_draft(doc, event)
        await self.store.uploads.keep_until(upload_id, expires_ms)
        if event is not None:
            self.events.events_written(event)
        return event is not None

    async def resume(self, token: str) -> Document:
        """The draft a resume link names; LinkRefused("expired") when its time is over or it was deleted."""
        checked = self.links.draft.check(token)
        if checked.verdict == "invalid" or (checked.verdict == "ok" and not isinstance(checked.value, str)):
            raise LinkRefused("invalid")
        found = await self.store.uploads.draft(str(checked.value)) if checked.verdict == "ok" else None
        draft = self.store.scope.only(found)  # another region's draft is not resumed on this region's site
        if draft is None or int(draft.get("expires_ms", 0)) < epoch_ms(self.clock()):
            raise LinkRefused("expired")  # past its time, or deleted by the sweep (or the idea was sent)
        return draft

    async def sent(self, upload_id: str, idea_id: str) -> None:
        """The idea is sent: its files are the idea's, and the draft is gone (a double submit answered with an
        earlier idea of another upload leaves this upload's files to expire)."""
        idea = await self.store.idea(idea_id)
        if idea is not None and idea.get("upload_id") == upload_id:
            await self.store.uploads.belong_to_idea(upload_id, idea_id)
        await self.store.uploads.drop_draft(upload_id)

    async def sweep(self) -> int:
        return await self.store.uploads.delete_expired(epoch_ms(self.clock()))

    async def file_of_idea(self, idea: Document, attachment_id: str) -> tuple[Document, bytes] | None:
        """A file the idea lists (only those: another idea's file id is not found through this one)."""
        if attachment_id not in {a.get("attachment_id") for a in idea.get("attachments") or []}:
            return None
        meta = await self.store.uploads.file(attachment_id)
        if meta is None or meta.get("upload") != idea.get("upload_id"):
            return None
        return meta, await self.store.uploads.content(attachment_id)


def _without_consents(values: Any) -> Document:
    """A draft keeps the answers, not the consents: those are given when the idea is sent."""
    return {k: v for k, v in (values or {}).items() if k != "consents"}
