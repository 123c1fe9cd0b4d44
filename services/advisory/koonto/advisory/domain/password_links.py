"""One-time password links: what a link is, what the account keeps of it, and the event that mails it.

The link is `<advisory>/password/<staff id>.<secret>`: the secret is 32 random bytes, the account keeps only its
SHA-256 (`password_link.hash`, with the purpose and the expiry), an invitation expires after 72 hours and a reset
after an hour, and a newer link replaces the older one.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import ValidationError

from koonto.advisory.domain.errors import LinkExpired
from koonto.shared.contracts.advisory import StaffPasswordLinkIssued

Purpose = Literal["invitation", "reset"]
LIFETIME: dict[str, timedelta] = {"invitation": timedelta(hours=72), "reset": timedelta(hours=1)}
EXPIRED = "Linkki on vanhentunut tai jo käytetty. Pyydä uusi linkki kirjautumissivulta tai pääkäyttäjältä."


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def split(token: str) -> tuple[str, str]:
    """(staff id, secret) of a link's token; LinkExpired for anything that cannot be one."""
    staff_id, _, secret = token.strip().rpartition(".")
    if not staff_id or len(secret) < 20 or len(token) > 300:
        raise LinkExpired(EXPIRED)
    return staff_id, secret


def new_link(
    staff: dict[str, Any], purpose: Purpose, now: datetime, base_url: str
) -> tuple[dict[str, Any], StaffPasswordLinkIssued | None]:
    """The fields to store on the account, and the event data that mails the link (None for an address the
    contract refuses, e.g. the local demo admin's `.local`: nothing could be delivered there)."""
    secret = secrets.token_urlsafe(32)
    expires_at = now + LIFETIME[purpose]
    fields = {"password_link": {"hash": digest(secret), "purpose": purpose, "issued_at": now, "expires_at": expires_at}}
    language = staff.get("language", "fi")
    try:
        data = StaffPasswordLinkIssued(
            staff_id=staff["_id"], email=staff["email"], display_name=staff["name"],
            language=language, purpose=purpose, expires_at=expires_at,
            url=f"{base_url.rstrip('/')}/password/{staff['_id']}.{secret}?lang={language}",  # the page in theirs
        )
    except ValidationError:
        return fields, None
    return fields, data
