"""Abuse without friction: bots are answered normally and counted; each replica rate-limits public posts."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from prometheus_client import Counter

from koonto.intake.domain.rate_limit import TokenBuckets
from koonto.intake.links import Links
from koonto.intake.settings import IntakeSettings
from koonto.intake.store import IntakeStore

BOTS = Counter("koonto_intake_bot_submissions_total", "Submissions answered normally but dropped", ["reason"])
RATE_LIMITED = Counter("koonto_intake_rate_limited_total", "Requests refused by the rate limit")


@dataclass
class Abuse:
    store: IntakeStore
    links: Links
    settings: IntakeSettings
    monotonic: Callable[[], float] = time.monotonic
    rate_limits: TokenBuckets = field(init=False)

    def __post_init__(self) -> None:
        self.rate_limits = TokenBuckets(self.settings.rate_limit_requests, self.settings.rate_limit_window_seconds)

    def bot_reason(self, form: str, page_fields: dict[str, str]) -> str | None:
        """Honeypot filled, no valid form stamp, or sent faster than a person fills the form; None for a person."""
        if page_fields.get("website", "").strip():
            return "honeypot"
        stamp = self.links.form
        token = page_fields.get("form_token", "")
        issued = stamp.issued_at(token)
        if issued is None or stamp.check(token).value != form:
            return "form_token"
        if stamp.now() - issued < self.settings.min_fill_seconds:
            return "too_fast"
        return None

    async def looks_like_a_bot(self, form: str, page_fields: dict[str, str]) -> bool:
        """A bot's submission is counted and dropped (the page still answers it as if it were stored)."""
        reason = self.bot_reason(form, page_fields)
        if reason is None:
            return False
        await self.count_bot(f"{form}:{reason}")
        return True

    async def count_bot(self, reason: str) -> None:
        BOTS.labels(reason).inc()
        await self.store.count_abuse(reason)

    def over_rate_limit(self, client: str, now: float | None = None) -> int | None:
        """Seconds until the client may try again, or None when within the limit (this replica's count)."""
        retry_after = self.rate_limits.take(client, self.monotonic() if now is None else now)
        if retry_after is not None:
            RATE_LIMITED.inc()
        return retry_after

    def forget_idle_clients(self) -> int:
        return self.rate_limits.forget_full(self.monotonic())
