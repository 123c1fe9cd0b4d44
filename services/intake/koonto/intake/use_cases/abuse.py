"""Abuse without friction: each replica rate-limits public posts; a filled honeypot is answered normally, counted
and dropped; a form sent faster than a person fills it, or without a valid form stamp, is counted and *asked to
confirm* (the form or check page again with the answers kept and a confirm stamp), never told it was stored.

Only the honeypot drops anything: a fast person (autofill, a pasted text, the check page sent at once) is not
told a reference that does not exist. The confirm stamp (`<form>+confirm`) is signed like the form stamp and
expires with it, but has no minimum fill time, so the second send always goes through."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from prometheus_client import Counter

from koonto.intake.domain.rate_limit import TokenBuckets
from koonto.intake.links import Links
from koonto.intake.settings import IntakeSettings
from koonto.intake.store import IntakeStore

BOTS = Counter("koonto_intake_bot_submissions_total",
               "Suspected bot submissions (honeypot: dropped; too_fast, form_token: asked to confirm)", ["reason"])
CONFIRM = "+confirm"  # the stamp of a "please confirm" page: no minimum fill time
Verdict = Literal["person", "drop", "confirm"]
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
        value = stamp.check(token).value if issued is not None else None
        if value == form + CONFIRM:
            return None  # the answer to a "please confirm" page
        if issued is None or value != form:
            return "form_token"
        if stamp.now() - issued < self.settings.min_fill_seconds:
            return "too_fast"
        return None

    async def verdict(self, form: str, page_fields: dict[str, str]) -> Verdict:
        """"person": go on; "drop": the honeypot, answered as if stored; "confirm": suspected (too fast, no
        valid stamp), so the sender is asked to confirm with the answers kept. Suspicions are counted."""
        reason = self.bot_reason(form, page_fields)
        if reason is None:
            return "person"
        await self.count_bot(f"{form}:{reason}")
        return "drop" if reason == "honeypot" else "confirm"

    def stamp(self, form: str, *, confirm: bool = False) -> str:
        """A form stamp: the time the form was shown; a confirm stamp for a "please confirm" page."""
        return self.links.form.sign(form + CONFIRM if confirm else form)

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
