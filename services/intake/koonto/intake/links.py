"""Signed, expiring links (itsdangerous): the association's status page, subscription confirm/unsubscribe, a
registration's cancel page and an advice booking's cancel/rebook page.

A link is the only credential the public side has, so forms reached through it carry a CSRF token bound to
the link (an HMAC of the token under the service secret): another site cannot forge a post without it.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from koonto.shared.region import current_region_code

Verdict = Literal["ok", "expired", "invalid"]


@dataclass(frozen=True)
class Checked:
    verdict: Verdict
    value: Any = None


class _ClockedSerializer(URLSafeTimedSerializer):
    """Signs and checks ages against an injectable clock (tests make links that are already old)."""

    def __init__(self, secret: str, *, salt: str, clock: Callable[[], float]) -> None:
        super().__init__(secret, salt=salt)
        self.clock = clock

    def make_signer(self, salt: Any = None) -> Any:
        signer = super().make_signer(salt)
        signer.get_timestamp = lambda: int(self.clock())  # type: ignore[attr-defined]
        return signer


class LinkSigner:
    """One kind of link: a salt (so a status token is never a valid unsubscribe token) and a lifetime."""

    def __init__(self, secret: str, *, purpose: str, max_age_seconds: int, clock: Callable[[], float] = time.time):
        self.secret = secret
        self.purpose = purpose
        self.max_age = max_age_seconds
        self._serializer = _ClockedSerializer(secret, salt=f"koonto-intake:{purpose}", clock=clock)

    def sign(self, value: Any) -> str:
        return str(self._serializer.dumps(value))

    def check(self, token: str) -> Checked:
        try:
            return Checked("ok", self._serializer.loads(token, max_age=self.max_age))
        except SignatureExpired:
            return Checked("expired")
        except BadSignature:
            return Checked("invalid")

    def issued_at(self, token: str) -> float | None:
        """When a valid, unexpired token was signed (seconds since the epoch), else None."""
        try:
            _, issued = self._serializer.loads(token, max_age=self.max_age, return_timestamp=True)
        except BadSignature:
            return None
        return float(issued.timestamp())

    def now(self) -> float:
        return float(self._serializer.clock())

    def csrf_for(self, token: str) -> str:
        return hmac.new(self.secret.encode(), f"csrf:{self.purpose}:{token}".encode(), hashlib.sha256).hexdigest()[:40]

    def csrf_ok(self, token: str, presented: str | None) -> bool:
        return bool(presented) and hmac.compare_digest(self.csrf_for(token).encode(), (presented or "").encode())


def region_sites(settings: Any) -> dict[str, str]:
    """Each further region's public site (several regions on one deployment): its host name's
    (`KOONTO_REGION_HOSTS`, the first host named for it, with the scheme of `public_base_url`), or with path
    prefixes `public_base_url/<region code>`. The home region (and any region without a host) stays at
    `public_base_url`."""
    base = str(settings.public_base_url).rstrip("/")
    sites: dict[str, str] = {}
    if getattr(settings, "region_path_prefixes", False):
        return {code: f"{base}/{code}" for code in getattr(settings, "regions", ()) if code != settings.region}
    scheme = base.split("://", 1)[0] if "://" in base else "https"
    for host, code in (getattr(settings, "region_hosts", None) or {}).items():
        if code != settings.region:
            sites.setdefault(code, f"{scheme}://{host.strip().lower()}")
    return sites


@dataclass
class Links:
    """Every signed link intake hands out, as absolute URLs under the public site of the current region."""

    home_url: str  # `public_base_url`: the home region's site
    status: LinkSigner
    confirm: LinkSigner
    unsubscribe: LinkSigner
    form: LinkSigner  # the hidden "form started at" stamp for the minimum fill time
    cancel: LinkSigner  # a registration's cancel page
    booking: LinkSigner  # an advice booking's cancel / rebook link: [slot id, booking id]
    draft: LinkSigner  # a saved draft's resume link (mailed), and the hidden upload token of the form (the same id)
    sites: dict[str, str] = field(default_factory=dict)  # region code -> its public site, when not `home_url`

    @property
    def base_url(self) -> str:
        """The public site of the region of the request or event under way."""
        return self.sites.get(current_region_code() or "", self.home_url)

    @classmethod
    def from_settings(cls, settings: Any, clock: Callable[[], float] = time.time) -> Links:
        day = 24 * 3600
        secret = settings.secret_key
        return cls(
            home_url=settings.public_base_url.rstrip("/"), sites=region_sites(settings),
            status=LinkSigner(
                secret, purpose="status", max_age_seconds=settings.status_link_max_age_days * day, clock=clock
            ),
            confirm=LinkSigner(
                secret, purpose="confirm", max_age_seconds=settings.confirm_link_max_age_days * day, clock=clock
            ),
            unsubscribe=LinkSigner(
                secret, purpose="unsubscribe", max_age_seconds=settings.unsubscribe_link_max_age_days * day, clock=clock
            ),
            form=LinkSigner(secret, purpose="form", max_age_seconds=int(settings.max_fill_hours * 3600), clock=clock),
            cancel=LinkSigner(
                secret, purpose="cancel", max_age_seconds=settings.cancel_link_max_age_days * day, clock=clock
            ),
            booking=LinkSigner(
                secret, purpose="booking", max_age_seconds=settings.booking_link_max_age_days * day, clock=clock
            ),
            draft=LinkSigner(secret, purpose="draft", max_age_seconds=settings.draft_max_age_days * day, clock=clock),
        )

    def status_url(self, idea_id: str) -> str:
        return f"{self.base_url}/status/{self.status.sign(idea_id)}"

    def draft_url(self, draft_id: str) -> str:
        return f"{self.base_url}/ideas/draft/{self.draft.sign(draft_id)}"

    def booking_url(self, slot_id: str, booking_id: str) -> str:
        """The booking's own page: cancel it, or move it to another free time."""
        return f"{self.base_url}/advice/booking/{self.booking.sign([slot_id, booking_id])}"

    def confirm_url(self, subscription_ids: str | list[str]) -> str:
        """One subscription's link, or one link for the topics asked for together (a list of ids)."""
        return f"{self.base_url}/subscriptions/confirm/{self.confirm.sign(subscription_ids)}"

    def cancel_url(self, registration_id: str) -> str:
        return f"{self.base_url}/registrations/cancel/{self.cancel.sign(registration_id)}"

    def unsubscribe_url(self, subscription_id: str) -> str:
        return f"{self.base_url}/subscriptions/unsubscribe/{self.unsubscribe.sign(subscription_id)}"
