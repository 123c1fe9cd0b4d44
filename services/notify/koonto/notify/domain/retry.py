"""What a provider's answer means, and when to try again."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class SendResult:
    provider_id: str | None = None
    segments: int | None = None


class DeliveryError(Exception):
    """A provider refused or did not answer. `permanent` stops retrying; `suppress` adds the address to the
    suppression list (a mailbox that does not exist, an invalid phone number)."""

    def __init__(self, reason: str, *, permanent: bool, suppress: bool = False, code: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.suppress = suppress and permanent
        self.code = code


def transient(reason: str, code: int | None = None) -> DeliveryError:
    return DeliveryError(reason, permanent=False, code=code)


def permanent(reason: str, *, suppress: bool = False, code: int | None = None) -> DeliveryError:
    return DeliveryError(reason, permanent=True, suppress=suppress, code=code)


def retry_delay(attempts: int, base_seconds: float, max_seconds: float, jitter: float = 0.1) -> timedelta:
    """Growing delay after `attempts` failed attempts: base * 4^(attempts-1), capped, with a little jitter
    so that many deliveries failing together do not come back together."""
    delay = min(max_seconds, base_seconds * (4 ** max(attempts - 1, 0)))
    delay *= 1 + random.uniform(0, jitter)  # noqa: S311 - spreading retries, not security
    return timedelta(seconds=min(delay, max_seconds))


def smtp_error(code: int, message: str, *, stage: str) -> DeliveryError:
    """SMTP reply codes: 4xx is temporary; 5xx on the recipient is permanent and suppresses the address;
    5xx elsewhere (the message or our sender refused) is permanent for this message only."""
    reason = f"SMTP {code} at {stage}: {message}"[:900]
    if 400 <= code < 500:
        return transient(reason, code)
    if 500 <= code < 600:
        return permanent(reason, suppress=stage == "rcpt", code=code)
    return transient(reason, code)


# Twilio error codes that mean "this number will never take an SMS from us"
TWILIO_UNDELIVERABLE = {21211, 21214, 21217, 21219, 21401, 21407, 21408, 21610, 21612, 21614}


def http_sms_error(status: int, body: dict[str, object] | None) -> DeliveryError:
    body = body or {}
    code = body.get("code")
    reason = f"SMS provider HTTP {status}: {body.get('message') or ''} (code {code})"[:900]
    if status == 429 or status >= 500 or status in (401, 403, 408):
        return transient(reason, status)  # throttled, provider trouble, or credentials being fixed
    if 400 <= status < 500:
        return permanent(reason, suppress=isinstance(code, int) and code in TWILIO_UNDELIVERABLE, code=status)
    return transient(reason, status)
