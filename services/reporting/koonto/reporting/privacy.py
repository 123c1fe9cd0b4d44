"""Reporting keeps no personal data, not even in its dead letters.

The shared consumer keeps a failed message's body in the service's own `dead_letters` collection so staff can
re-drive it. In reporting that body would hold an idea's contact person, so this service keeps dead letters
*redacted*: the personal fields are removed from the event data and e-mail addresses and phone numbers are
masked in the error text. A redacted letter can still be re-driven, because reporting reads its events through
lenient twins of the contracts in which exactly those fields are optional (reporting never reads them).
"""

from __future__ import annotations

import json
import re
from typing import Any

from koonto.shared.bus import DeadLetters
from koonto.shared.contracts.advisory import AssociationMessaged
from koonto.shared.contracts.intake import Contact, ErasureRequested, IdeaSubmitted

PERSONAL_FIELDS = frozenset({
    "contact", "participant", "email", "phone", "body", "advisor_name", "display_name", "reason", "description",
})
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_PHONE = re.compile(r"\+?\d[\d \-]{6,}\d")


def mask(text: str) -> str:
    return _PHONE.sub("[puhelinnumero]", _EMAIL.sub("[sähköposti]", text))


def redact_body(body: bytes) -> bytes:
    """The envelope without the personal fields of its data; anything that does not parse is dropped whole."""
    try:
        envelope: Any = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return b'{"redacted": "the message did not parse and was not kept"}'
    if isinstance(envelope, dict) and isinstance(envelope.get("data"), dict):
        envelope["data"] = {k: v for k, v in envelope["data"].items() if k not in PERSONAL_FIELDS}
        return json.dumps(envelope, ensure_ascii=False).encode()
    return mask(json.dumps(envelope, ensure_ascii=False)).encode()


class RedactingDeadLetters(DeadLetters):
    async def add(
        self, *, consumer: str, subject: str, body: bytes, headers: dict[str, str], error: BaseException,
        deliveries: int, event_id: str | None,
    ) -> str:
        return await super().add(
            consumer=consumer, subject=subject, body=redact_body(body), headers=headers,
            error=RuntimeError(mask(f"{type(error).__name__}: {error}")), deliveries=deliveries, event_id=event_id,
        )


class IdeaSubmittedForReporting(IdeaSubmitted):
    contact: Contact | None = None  # type: ignore[assignment]
    description: str = ""


class ErasureRequestedForReporting(ErasureRequested):
    email: str | None = None  # type: ignore[assignment]


class AssociationMessagedForReporting(AssociationMessaged):
    advisor_name: str = ""
    body: str = ""
